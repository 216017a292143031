/* merge.c: being written */
#include "merge.h"
