/* money.c: being written */
#include "money.h"
