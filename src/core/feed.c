/* feed.c: being written */
#include "store.h"
