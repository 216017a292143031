/*
 * test_signals.c - SIGINT, SIGTERM and SIGHUP arriving in the middle of an
 * edit (SPEC 7): the terminal is given back as a shell expects it, the
 * process ends with the conventional status 128 + N, nothing is written
 * to the invoice, and the typed value waits as a draft that the next
 * opening offers. One table, one test per signal.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "e2e.h"

static const struct signal_case {
	int sig;
	const char *name;
	const char *typed; /* what the operator had typed, not saved */
} signal_cases[] = {
	{SIGINT, "SIGINT", "Unterbrochen Müller KG"},
	{SIGTERM, "SIGTERM", "Beendet Søren & Co"},
	{SIGHUP, "SIGHUP", "Aufgelegt 作者 AG"},
};

#define SIGNAL_CASES (sizeof signal_cases / sizeof signal_cases[0])

struct modes {
	bool alt, cursor, echo, canonical, read;
};

static struct modes modes_now(struct pty *p)
{
	struct modes m;

	m.alt = pty_alt_screen(p);
	m.cursor = pty_cursor_visible(p);
	m.read = pty_tty_modes(p, &m.echo, &m.canonical);
	return m;
}

/* The screen a shell gets back: the alternate screen left (so the normal
 * screen, blank here, shows), the cursor visible, and echo and line input
 * on again. */
static bool terminal_given_back(struct pty *p, void *arg)
{
	struct modes m = modes_now(p);

	(void)arg;
	return !m.alt && m.cursor && m.read && m.echo && m.canonical &&
	       e2e_screen_blank(p);
}

/* What a full-screen program holds while it runs. */
static bool terminal_taken(struct pty *p, void *arg)
{
	struct modes m = modes_now(p);

	(void)arg;
	return m.alt && m.read && !m.echo && !m.canonical;
}

static bool draft_holds(const char *text)
{
	struct draft d;
	struct inv_err err;
	int64_t id = e2e_invoice("ACME-1002").id;

	return store_draft_load(e2e.st, &e2e.alice, id, NULL, &d, &err) == INV_OK &&
	       strstr(d.body, text) != NULL;
}

static struct pty *open_form(void)
{
	static const char *const args[] = {"--open", "ACME-1002", NULL};
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);

	SEE(p, "Edit ACME-1002");
	SEE(p, "Esc close");
	return p;
}

START_TEST(signal_mid_edit_restores_terminal_and_keeps_draft)
{
	const struct signal_case *c = &signal_cases[_i];
	struct invoice before = e2e_invoice("ACME-1002");
	size_t audits = e2e_audit_count();
	struct invoice after;
	struct pty *p = open_form();
	struct modes m;

	if (!e2e_wait(p, terminal_taken, NULL, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("%s: the form does not hold the terminal in raw "
		             "mode on the alternate screen", c->name);
	}
	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, c->typed);
	SEE_FIELD(p, "Customer", c->typed);

	/* at once: no pause for the autosave */
	ck_assert_int_eq(pty_kill(p, c->sig), 0);
	if (!e2e_wait(p, terminal_given_back, NULL, E2E_WAIT_MS)) {
		m = modes_now(p);
		pty_dump(p, stderr);
		ck_abort_msg("%s: terminal not given back (alternate screen %d, "
		             "cursor visible %d, echo %d, canonical %d)",
		             c->name, m.alt, m.cursor, m.echo, m.canonical);
	}
	ck_assert_msg(pty_close(p, E2E_WAIT_MS) == 128 + c->sig,
	              "%s: exit status is not 128 + %d", c->name, c->sig);

	/* nothing was saved, the draft was */
	after = e2e_invoice("ACME-1002");
	ck_assert_str_eq(after.customer, before.customer);
	ck_assert_int_eq(after.version, before.version);
	ck_assert_uint_eq(e2e_audit_count(), audits);
	ck_assert_msg(draft_holds(c->typed), "%s: no draft holding \"%s\"",
	              c->name, c->typed);

	p = open_form();
	SEE(p, "Restore unsaved draft from");
	SEND(p, "y");
	LOSE(p, "Restore unsaved draft from");
	SEE_FIELD(p, "Customer", c->typed);
	/* still only a draft: leaving asks, and discarding writes nothing */
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, before.customer);
	ck_assert_uint_eq(e2e_audit_count(), audits);
}
END_TEST

TCase *e2e_tcase_signals(void)
{
	TCase *tc = tcase_create("signals");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_loop_test(tc, signal_mid_edit_restores_terminal_and_keeps_draft,
	                    0, (int)SIGNAL_CASES);
	return tc;
}
