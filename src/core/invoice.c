/* invoice.c: being written */
#include "invoice.h"
