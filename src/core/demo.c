/* demo.c: being written */
#include "store.h"
