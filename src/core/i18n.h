/*
 * i18n.h - the gettext markers used by every file.  Strings a person reads
 * are wrapped in _() where they are used and N_() where they are only
 * defined (tables), so xgettext finds them all.
 */
#ifndef INVED_I18N_H
#define INVED_I18N_H

#include "config.h"

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
#define N_(s) (s)

#endif
