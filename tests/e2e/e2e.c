/*
 * e2e.c - the shared machinery of the end-to-end tests (see e2e.h): the
 * per-test demo database, starting inved on a pseudo-terminal, screen
 * waits that fail with the screen printed, and the database reads that
 * check what a screen claims.
 *
 * Nothing here sleeps for a fixed time: every wait pumps the terminal
 * with a deadline and returns as soon as its condition holds.
 */
#include "e2e.h"
#include "testdb.h"

#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct e2e e2e;

static bool dir_made, db_made;

/* Runs at exit too, so a failing test (which leaves by exit) cleans up;
 * the pty driver's own exit handler, registered later, runs first and
 * has reaped every child by then. */
static void dir_remove(void)
{
	char path[600];
	struct dirent *de;
	DIR *d;

	/* on PostgreSQL the test's database copy (inved processes a failed
	 * test left connected are cut off by the drop) */
	if (db_made) {
		db_made = false;
		testdb_drop(e2e.db);
	}
	if (!dir_made)
		return;
	dir_made = false;
	/* flat: the database and its -wal and -shm files */
	d = opendir(e2e.dir);
	while (d && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", e2e.dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(e2e.dir);
}

static struct identity identity_of(const char *user)
{
	struct identity who;
	struct inv_err err;

	ck_assert_msg(store_identity(e2e.st, user, NULL, &who, &err) == INV_OK,
	              "identity %s: %s", user, err.msg);
	return who;
}

void e2e_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct inv_err err;

	memset(&e2e, 0, sizeof e2e);
	snprintf(e2e.dir, sizeof e2e.dir, "%s/inved-e2e-XXXXXX",
	         tmp && tmp[0] ? tmp : "/tmp");
	ck_assert_msg(mkdtemp(e2e.dir) != NULL, "mkdtemp: %s", strerror(errno));
	dir_made = true;
	atexit(dir_remove);
	if (testdb_pg()) {
		/* a copy of the program's demo database (testdb.h); the
		 * binary runs with --db URI */
		testdb_demo_copy(e2e.db, sizeof e2e.db);
		db_made = true;
		ck_assert_msg(store_open(e2e.db, &(struct store_options){0, 0},
		                         &e2e.st, &err) == INV_OK,
		              "open %s: %s", e2e.db, err.msg);
	} else {
		snprintf(e2e.db, sizeof e2e.db, "%s/demo.db", e2e.dir);
		ck_assert_msg(store_open(e2e.db,
		                         &(struct store_options){
		                                 STORE_OPEN_CREATE, 0},
		                         &e2e.st, &err) == INV_OK,
		              "open %s: %s", e2e.db, err.msg);
		ck_assert_msg(store_seed_demo(e2e.st, &err) == INV_OK,
		              "demo: %s", err.msg);
	}
	e2e.alice = identity_of("alice");
	e2e.bob = identity_of("bob");
	e2e.carol = identity_of("carol");
	e2e.dave = identity_of("dave");
}

void e2e_teardown(void)
{
	if (e2e.st)
		store_close(e2e.st);
	e2e.st = NULL;
	dir_remove();
}

struct pty *e2e_spawn(const char *user, const char *const args[],
                      const char *const env[], int rows, int cols)
{
	const char *bin = getenv("INVED_BIN");
	const char *argv[32];
	const char *envp[16];
	size_t n = 0, ne = 0;
	struct pty *pty;

	ck_assert_msg(bin && bin[0], "INVED_BIN is not set");
	argv[n++] = bin;
	argv[n++] = "--db";
	argv[n++] = e2e.db;
	if (user) { /* NULL: the logged-in account */
		argv[n++] = "--user";
		argv[n++] = user;
	}
	for (size_t i = 0; args && args[i] && n + 1 < 32; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	envp[ne++] = "NO_COLOR";
	envp[ne++] = "INVED_BUSY_TIMEOUT";
	for (size_t i = 0; env && env[i] && ne + 1 < 16; i++)
		envp[ne++] = env[i];
	envp[ne] = NULL;
	pty = pty_spawn(argv, envp, rows, cols);
	ck_assert_msg(pty != NULL, "cannot start %s: %s", bin, strerror(errno));
	return pty;
}

struct pty *e2e_open(const char *user, const char *const args[])
{
	struct pty *pty = e2e_spawn(user, args, NULL, E2E_ROWS, E2E_COLS);

	SEE(pty, "ACME-1001");
	SEE_ROW(pty, E2E_ROWS - 1, "quit");
	return pty;
}

void e2e_quit(struct pty *pty)
{
	SEND(pty, "q");
	ck_assert_int_eq(pty_close(pty, E2E_WAIT_MS), 0);
}

/* ---- screen waits ----------------------------------------------------- */

void e2e_see_at(struct pty *pty, const char *text, const char *file,
                int line)
{
	if (pty_wait_text(pty, text, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: the screen never showed \"%s\"", file, line, text);
}

void e2e_lose_at(struct pty *pty, const char *text, const char *file,
                 int line)
{
	if (pty_wait_gone(pty, text, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: \"%s\" never left the screen", file, line, text);
}

void e2e_see_row_at(struct pty *pty, int row, const char *text,
                    const char *file, int line)
{
	if (pty_wait_row_text(pty, row, text, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: row %d never showed \"%s\"", file, line, row, text);
}

void e2e_not_shown_at(struct pty *pty, const char *text, const char *file,
                      int line)
{
	char *s;
	bool shown;

	pty_pump(pty, 0);
	s = pty_screen_text(pty);
	ck_assert(s != NULL);
	shown = strstr(s, text) != NULL;
	free(s);
	if (!shown)
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: the screen shows \"%s\"", file, line, text);
}

void e2e_send_at(struct pty *pty, const char *keys, const char *file,
                 int line)
{
	if (pty_send(pty, keys))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: could not send keys (the program has gone?)",
	             file, line);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool e2e_wait(struct pty *pty, e2e_cond *cond, void *arg, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	pty_pump(pty, 0);
	while (!cond(pty, arg)) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return false;
		/* short slices: a database condition changes without output */
		if (pty_pump(pty, left < 20 ? (int)left : 20) < 0) {
			struct timespec ts = { 0, 5 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	return true;
}

const char *e2e_row(struct pty *pty, int row)
{
	static char buf[1024];

	if (pty_row_text(pty, row, buf, sizeof buf) < 0)
		buf[0] = '\0';
	return buf;
}

int e2e_row_of(struct pty *pty, const char *text)
{
	int row;

	SEE(pty, text);
	row = pty_find_row(pty, text);
	ck_assert_int_ge(row, 0);
	return row;
}

int e2e_selected_row(struct pty *pty)
{
	int rows, cols;

	pty_size(pty, &rows, &cols);
	for (int r = E2E_FIRST_ROW; r < rows - 3; r++)
		if (pty_cell_reverse(pty, r, 1) && e2e_row(pty, r)[0])
			return r;
	return -1;
}

static bool selected_is(struct pty *pty, void *arg)
{
	return e2e_selected_row(pty) == *(int *)arg;
}

void e2e_wait_selected(struct pty *pty, int row)
{
	if (e2e_wait(pty, selected_is, &row, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("the selection never reached row %d (it is on %d)", row,
	             e2e_selected_row(pty));
}

void e2e_select(struct pty *pty, const char *text)
{
	for (int tries = 0; tries < 64; tries++) {
		int want = e2e_row_of(pty, text);
		int at = e2e_selected_row(pty);

		if (at == want)
			return;
		ck_assert_msg(at >= 0, "no row is selected");
		SEND(pty, at < want ? "j" : "k");
		at += at < want ? 1 : -1;
		e2e_wait_selected(pty, at);
	}
	ck_abort_msg("could not select the row of \"%s\"", text);
}

void e2e_see_field_at(struct pty *pty, const char *label, const char *value,
                      const char *file, int line)
{
	char text[512];

	/* the form pads its labels to the longest, "Customer" */
	snprintf(text, sizeof text, "%-10s%s", label, value);
	e2e_see_at(pty, text, file, line);
}

struct row_match {
	const char *text;
	const char *suffix;
	int row;
};

static bool row_ends(struct pty *pty, void *arg)
{
	const struct row_match *m = arg;
	int row = pty_find_row(pty, m->text);
	const char *r = row >= 0 ? e2e_row(pty, row) : "";
	size_t n = strlen(r), k = strlen(m->suffix);

	return row >= 0 && n >= k && strcmp(r + n - k, m->suffix) == 0;
}

void e2e_row_ends_at(struct pty *pty, const char *text, const char *suffix,
                     const char *file, int line)
{
	struct row_match m = { text, suffix, -1 };

	if (e2e_wait(pty, row_ends, &m, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: the row of \"%s\" never ended with \"%s\"", file,
	             line, text, suffix);
}

static bool row_has(struct pty *pty, void *arg)
{
	const struct row_match *m = arg;
	int row = pty_find_row(pty, m->text);

	return row >= 0 && strstr(e2e_row(pty, row), m->suffix) != NULL;
}

void e2e_row_has_at(struct pty *pty, const char *text, const char *also,
                    const char *file, int line)
{
	struct row_match m = { text, also, -1 };

	if (e2e_wait(pty, row_has, &m, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: the row of \"%s\" never held \"%s\"", file, line,
	             text, also);
}

static bool row_is(struct pty *pty, void *arg)
{
	const struct row_match *m = arg;

	return strcmp(e2e_row(pty, m->row), m->text) == 0;
}

void e2e_row_is_at(struct pty *pty, int row, const char *text,
                   const char *file, int line)
{
	struct row_match m = { text, NULL, row };

	if (e2e_wait(pty, row_is, &m, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("%s:%d: row %d never read \"%s\"", file, line, row, text);
}

bool e2e_screen_blank(struct pty *pty)
{
	char *s = pty_screen_text(pty);
	bool blank = s != NULL;

	for (const char *p = s; p && *p; p++)
		if (*p != '\n' && *p != ' ')
			blank = false;
	free(s);
	return blank;
}

/* ---- the database ---------------------------------------------------- */

struct invoice e2e_invoice(const char *number)
{
	struct invoice row;
	struct inv_err err;

	ck_assert_msg(store_find(e2e.st, &e2e.alice, number, &row, &err) ==
	              INV_OK, "find %s: %s", number, err.msg);
	return row;
}

struct invoice e2e_invoice_id(int64_t id)
{
	struct invoice row;
	struct inv_err err;

	ck_assert_msg(store_get(e2e.st, &e2e.alice, id, &row, &err) == INV_OK,
	              "get %lld: %s", (long long)id, err.msg);
	return row;
}

size_t e2e_audit_count(void)
{
	static struct audit_entry tail[512];
	struct inv_err err;
	size_t n = 0;

	ck_assert_msg(store_audit_tail(e2e.st, &e2e.alice, 0, tail, 512, &n,
	                               &err) == INV_OK, "audit: %s", err.msg);
	ck_assert_uint_lt(n, 512);
	return n;
}

struct audit_entry e2e_audit_newest(int64_t id)
{
	struct audit_entry e;
	struct inv_err err;
	size_t n = 0;

	ck_assert_msg(store_audit_tail(e2e.st, &e2e.alice, id, &e, 1, &n,
	                               &err) == INV_OK, "audit: %s", err.msg);
	ck_assert_uint_eq(n, 1);
	return e;
}

size_t e2e_view_count(enum inv_view view)
{
	static struct invoice rows[256];
	struct inv_err err;
	size_t n = 0;

	ck_assert_msg(store_page(e2e.st, &e2e.alice, view, NULL, 0, PAGE_FROM,
	                         rows, 256, &n, &err) == INV_OK, "page: %s",
	              err.msg);
	return n;
}

int64_t e2e_peer_set_customer(const char *number, const char *customer)
{
	struct invoice row = e2e_invoice(number);
	struct invoice_input in = { .customer = customer };
	struct write_result res;
	struct inv_err err;

	ck_assert_msg(store_edit(e2e.st, &e2e.alice, row.id, row.version, &in,
	                         0, &res, &err) == INV_OK, "peer edit: %s",
	              err.msg);
	return res.row.version;
}

/* ---- the database beside the core -------------------------------------- */

long long e2e_count(const char *sqlite_sql, const char *pg_sql, int n,
                    const char *const values[])
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (testdb_pg()) {
		struct testdb_conn *c = testdb_su_connect(e2e.db);
		char msg[1024];

		ck_assert_msg(testdb_conn_try_params(c, pg_sql, n, values, &v, msg,
		                              sizeof msg), "%s: %s", pg_sql, msg);
		testdb_conn_close(c);
		return v;
	}
	ck_assert_int_eq(sqlite3_open_v2(e2e.db, &db, SQLITE_OPEN_READONLY,
	                                 NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_prepare_v2(db, sqlite_sql, -1, &st, NULL) ==
	              SQLITE_OK, "%s: %s", sqlite_sql, sqlite3_errmsg(db));
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, values[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct e2e_lock {
	sqlite3 *db;
	struct testdb_conn *pg;
};

/* every invoice's row lock, as pgstore_hold_lock takes it */
#define PG_LOCK_ALL "SELECT count(*) FROM (SELECT 1 FROM invoices FOR UPDATE) l"

struct e2e_lock *e2e_lock_take(void)
{
	struct e2e_lock *lock = calloc(1, sizeof *lock);

	ck_assert_ptr_nonnull(lock);
	if (testdb_pg()) {
		lock->pg = testdb_su_connect(e2e.db);
		testdb_conn_exec_params(lock->pg, "BEGIN", 0, NULL);
		testdb_conn_exec_params(lock->pg, PG_LOCK_ALL, 0, NULL);
		return lock;
	}
	ck_assert_int_eq(sqlite3_open_v2(e2e.db, &lock->db,
	                                 SQLITE_OPEN_READWRITE, NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(lock->db, "BEGIN IMMEDIATE", NULL, NULL,
	                              NULL), SQLITE_OK);
	return lock;
}

void e2e_lock_release(struct e2e_lock *lock)
{
	if (lock->pg) {
		testdb_conn_exec_params(lock->pg, "ROLLBACK", 0, NULL);
		testdb_conn_close(lock->pg);
	} else {
		sqlite3_exec(lock->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(lock->db);
	}
	free(lock);
}

bool e2e_lock_held(struct pty *pty, void *arg)
{
	sqlite3 *db = NULL;
	int rc;

	(void)pty;
	(void)arg;
	if (testdb_pg()) {
		/* none of acme's invoices can be locked without waiting */
		char org[32];
		const char *v[1] = {org};

		snprintf(org, sizeof org, "%lld", (long long)e2e.alice.org_id);
		return e2e_count("",
			"SELECT count(*) FROM (SELECT 1 FROM invoices WHERE "
			"org_id = $1::bigint FOR UPDATE SKIP LOCKED) l",
			1, v) == 0;
	}
	/* our own BEGIN IMMEDIATE, without waiting, is refused */
	if (sqlite3_open_v2(e2e.db, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return false;
	}
	rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_BUSY;
}
