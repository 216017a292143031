/*
 * tui.h - the terminal interface's single entry point.  main() resolves the
 * database and the identity, then hands over here when no command is given.
 */
#ifndef INVED_TUI_H
#define INVED_TUI_H

#include "../core/identity.h"
#include "../core/store.h"

struct tui_options {
	enum inv_view view;   /* start-up view (SPEC 4.6) */
	const char *open_ref; /* NULL, or an invoice REF whose form opens first */
	bool busy_given;      /* the operator set the busy timeout, which the
	                       * background writer then keeps too */
};

/* Runs until the operator quits; returns the process exit code. */
int tui_run(struct store *st, const struct identity *who,
            const struct tui_options *opt);

#endif
