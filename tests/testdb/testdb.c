/*
 * testdb.c - see testdb.h.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef INVED_HAVE_PG
#include <libpq-fe.h>
#endif

#include "testdb.h"

bool testdb_pg(void)
{
	const char *b = getenv("INVED_TEST_BACKEND");

	return b && strcmp(b, "pg") == 0;
}

const char *testdb_backend(void)
{
	return testdb_pg() ? "postgresql" : "sqlite";
}

void testdb_add_sqlite_only(Suite *s, TCase *tc)
{
	Suite *unrun;

	if (!testdb_pg()) {
		suite_add_tcase(s, tc);
		return;
	}
	/* a runner frees its suites and their cases */
	unrun = suite_create("unrun");
	suite_add_tcase(unrun, tc);
	srunner_free(srunner_create(unrun));
}

void testdb_sqlite_only(const char *what, int n, const char *why)
{
	if (testdb_pg())
		printf("# %s: %d test%s run on SQLite only (%s)\n", what, n,
		       n == 1 ? "" : "s", why);
}

#ifdef INVED_HAVE_PG

static char template_name[64];
static pid_t template_pid;
static unsigned copies;

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

static void uri_of(char *buf, size_t size, const char *db, const char *user)
{
	snprintf(buf, size, "postgresql:///%s?host=%s&port=%s&user=%s", db,
	         env_or("PGHOST", "/tmp"), env_or("PGPORT", "5432"), user);
}

/* The database name of a URI made by uri_of. */
static void name_of(const char *loc, char *out, size_t size)
{
	const char *p = strstr(loc, ":///");
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += 4;
	n = strcspn(p, "?");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static PGconn *connect_as(const char *db, const char *user, char *msg,
                          size_t size)
{
	char uri[512];
	PGconn *c;

	uri_of(uri, sizeof uri, db, user);
	c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(msg, size, "connect to %s as %s: %s", db, user,
		         PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Run sql on db as user; false with the message. */
static bool run_as(const char *db, const char *user, const char *sql,
                   PGresult **out, char *msg, size_t size)
{
	PGconn *c = connect_as(db, user, msg, size);
	PGresult *r;
	bool ok;

	if (out)
		*out = NULL;
	if (!c)
		return false;
	PQsetNoticeProcessor(c, notice_ignore, NULL);
	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	     PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(msg, size, "%s", PQerrorMessage(c));
	if (ok && out)
		*out = r;
	else
		PQclear(r);
	PQfinish(c);
	return ok;
}

static const char *owner(void)
{
	return env_or("INVED_PG_OWNER", "postgres");
}

static bool admin_sql(const char *sql, char *msg, size_t size)
{
	return run_as("postgres", "postgres", sql, NULL, msg, size);
}

/* bin --db uri init --demo, its output to /dev/null; true on exit 0. */
static bool init_demo(const char *bin, const char *uri)
{
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(null, 1) < 0)
			_exit(126);
		execl(bin, bin, "--db", uri, "init", "--demo", (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool testdb_template_make(const char *bin)
{
	char sql[256], msg[512], uri[512];

	if (!testdb_pg() || template_name[0])
		return true;
	template_pid = getpid();
	snprintf(template_name, sizeof template_name, "tpl_%ld",
	         (long)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s", template_name,
	         owner());
	if (!admin_sql(sql, msg, sizeof msg)) {
		fprintf(stderr, "testdb: %s\n", msg);
		template_name[0] = '\0';
		return false;
	}
	uri_of(uri, sizeof uri, template_name, owner());
	if (!init_demo(bin, uri)) {
		fprintf(stderr, "testdb: %s --db %s init --demo failed\n", bin,
		        uri);
		testdb_template_remove();
		return false;
	}
	return true;
}

void testdb_template_remove(void)
{
	char sql[256], msg[512];

	/* only the process that made it: Check's forked tests exit too */
	if (!template_name[0] || getpid() != template_pid)
		return;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	         template_name);
	if (!admin_sql(sql, msg, sizeof msg))
		fprintf(stderr, "testdb: %s\n", msg);
	template_name[0] = '\0';
}

static void make_db(char *loc, size_t size, bool demo)
{
	char name[64], sql[256], msg[512];

	ck_assert_msg(!demo || template_name[0],
	              "testdb: no demo template (testdb_template_make)");
	snprintf(name, sizeof name, "t_%ld_%u", (long)getpid(), copies++);
	if (demo)
		snprintf(sql, sizeof sql,
		         "CREATE DATABASE %s TEMPLATE %s OWNER %s", name,
		         template_name, owner());
	else
		snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s", name,
		         owner());
	/* CREATE DATABASE ... TEMPLATE fails while another session is
	 * connected to the template: a sibling test copying it at the same
	 * moment; try again a little later */
	for (int tries = 0;; tries++) {
		if (admin_sql(sql, msg, sizeof msg))
			break;
		ck_assert_msg(tries < 100 && strstr(msg, "being accessed"),
		              "testdb: %s", msg);
		usleep(50000);
	}
	uri_of(loc, size, name, owner());
}

void testdb_demo_copy(char *loc, size_t size)
{
	make_db(loc, size, true);
}

/* Every program of the PostgreSQL run makes its template before main(),
 * with the binary the test environment names, and drops it at exit. */
__attribute__((constructor)) static void testdb_start(void)
{
	const char *bin = getenv("INVED_BIN");

	if (!testdb_pg())
		return;
	if (!bin || !testdb_template_make(bin)) {
		fprintf(stderr, "testdb: no demo template on PostgreSQL\n");
		exit(1);
	}
	atexit(testdb_template_remove);
}

void testdb_empty(char *loc, size_t size)
{
	make_db(loc, size, false);
}

void testdb_drop(const char *loc)
{
	char name[64], sql[256], msg[512];

	name_of(loc, name, sizeof name);
	if (!name[0])
		return;
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	         name);
	if (!admin_sql(sql, msg, sizeof msg))
		fprintf(stderr, "testdb: %s\n", msg);
}

static void exec_or_fail(const char *loc, const char *user, const char *sql)
{
	char name[64], msg[1024];

	name_of(loc, name, sizeof name);
	ck_assert_msg(run_as(name, user, sql, NULL, msg, sizeof msg),
	              "testdb: %s: %s", sql, msg);
}

void testdb_su_exec(const char *loc, const char *sql)
{
	exec_or_fail(loc, "postgres", sql);
}

void testdb_owner_exec(const char *loc, const char *sql)
{
	exec_or_fail(loc, owner(), sql);
}

bool testdb_owner_try(const char *loc, const char *sql, char *msg,
                      size_t size)
{
	char name[64];

	name_of(loc, name, sizeof name);
	msg[0] = '\0';
	return run_as(name, owner(), sql, NULL, msg, size);
}

long long testdb_su_count(const char *loc, const char *sql)
{
	char name[64], msg[1024];
	PGresult *r = NULL;
	long long v = -1;

	name_of(loc, name, sizeof name);
	ck_assert_msg(run_as(name, "postgres", sql, &r, msg, sizeof msg),
	              "testdb: %s: %s", sql, msg);
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

char *testdb_su_dump(const char *loc)
{
	char name[64], msg[1024], sql[256];
	PGresult *tables = NULL, *rows = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	name_of(loc, name, sizeof name);
	ck_assert_msg(run_as(name, "postgres",
	                     "SELECT quote_ident(tablename) FROM pg_tables "
	                     "WHERE schemaname = 'public' ORDER BY 1",
	                     &tables, msg, sizeof msg),
	              "testdb: %s", msg);
	for (int i = 0; i < PQntuples(tables); i++) {
		const char *t = PQgetvalue(tables, i, 0);

		snprintf(sql, sizeof sql,
		         "SELECT x::text FROM %s x ORDER BY 1", t);
		ck_assert_msg(run_as(name, "postgres", sql, &rows, msg,
		                     sizeof msg), "testdb: %s", msg);
		fprintf(f, "== %s\n", t);
		for (int j = 0; j < PQntuples(rows); j++)
			fprintf(f, "%s\n", PQgetvalue(rows, j, 0));
		PQclear(rows);
	}
	PQclear(tables);
	fclose(f);
	return buf;
}

/* ---- a connection held across statements ------------------------------ */

struct testdb_conn {
	PGconn *c;
};

struct testdb_conn *testdb_connect(const char *loc, bool superuser)
{
	char name[64], msg[512];
	struct testdb_conn *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	name_of(loc, name, sizeof name);
	t->c = connect_as(name, superuser ? "postgres" : owner(), msg,
	                  sizeof msg);
	if (!t->c) {
		fprintf(stderr, "testdb: %s\n", msg);
		free(t);
		return NULL;
	}
	PQsetNoticeProcessor(t->c, notice_ignore, NULL);
	return t;
}

bool testdb_conn_try(struct testdb_conn *t, const char *sql, char *msg,
                     size_t size)
{
	PGresult *r = PQexec(t->c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	          PQresultStatus(r) == PGRES_TUPLES_OK;

	if (msg && size)
		snprintf(msg, size, "%s", ok ? "" : PQerrorMessage(t->c));
	PQclear(r);
	return ok;
}

void testdb_conn_exec(struct testdb_conn *t, const char *sql)
{
	char msg[1024];

	ck_assert_msg(testdb_conn_try(t, sql, msg, sizeof msg), "testdb: %s: %s",
	              sql, msg);
}

long long testdb_conn_count(struct testdb_conn *t, const char *sql)
{
	PGresult *r = PQexec(t->c, sql);
	long long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0))
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

void testdb_conn_close(struct testdb_conn *t)
{
	if (!t)
		return;
	PQfinish(t->c);
	free(t);
}

struct testdb_conn *testdb_su_hold(const char *loc, const char *sql)
{
	struct testdb_conn *t = testdb_connect(loc, true);

	ck_assert_msg(t != NULL, "testdb: no connection to %s", loc);
	testdb_conn_exec(t, sql);
	return t;
}

void testdb_release(struct testdb_conn *t)
{
	if (!t)
		return;
	PQclear(PQexec(t->c, "ROLLBACK"));
	testdb_conn_close(t);
}

struct testdb_conn *testdb_su_connect(const char *loc)
{
	struct testdb_conn *t = testdb_connect(loc, true);

	ck_assert_msg(t != NULL, "testdb: no connection to %s", loc);
	return t;
}

bool testdb_conn_try_params(struct testdb_conn *t, const char *sql, int n,
                            const char *const values[], long long *first,
                            char *msg, size_t size)
{
	PGresult *r = PQexecParams(t->c, sql, n, NULL, values, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	          PQresultStatus(r) == PGRES_TUPLES_OK;

	if (msg && size)
		snprintf(msg, size, "%s", ok ? "" : PQerrorMessage(t->c));
	if (first)
		*first = ok && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)
		         ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
	PQclear(r);
	return ok;
}

void testdb_conn_exec_params(struct testdb_conn *t, const char *sql, int n,
                             const char *const values[])
{
	char msg[1024];

	ck_assert_msg(testdb_conn_try_params(t, sql, n, values, NULL, msg,
	                                     sizeof msg),
	              "testdb: %s: %s", sql, msg);
}

#else /* no libpq: the PostgreSQL run is never registered */

static void no_pg(void)
{
	ck_abort_msg("testdb: this build has no PostgreSQL backend");
}

bool testdb_template_make(const char *bin)
{
	(void)bin;
	return !testdb_pg();
}

void testdb_template_remove(void) {}

void testdb_demo_copy(char *loc, size_t size)
{
	(void)loc;
	(void)size;
	no_pg();
}

void testdb_empty(char *loc, size_t size)
{
	(void)loc;
	(void)size;
	no_pg();
}

void testdb_drop(const char *loc)
{
	(void)loc;
}

void testdb_su_exec(const char *loc, const char *sql)
{
	(void)loc;
	(void)sql;
	no_pg();
}

long long testdb_su_count(const char *loc, const char *sql)
{
	(void)loc;
	(void)sql;
	no_pg();
	return -1;
}

void testdb_owner_exec(const char *loc, const char *sql)
{
	(void)loc;
	(void)sql;
	no_pg();
}

bool testdb_owner_try(const char *loc, const char *sql, char *msg,
                      size_t size)
{
	(void)loc;
	(void)sql;
	(void)msg;
	(void)size;
	no_pg();
	return false;
}

char *testdb_su_dump(const char *loc)
{
	(void)loc;
	no_pg();
	return NULL;
}

struct testdb_conn *testdb_connect(const char *loc, bool superuser)
{
	(void)loc;
	(void)superuser;
	no_pg();
	return NULL;
}

bool testdb_conn_try(struct testdb_conn *t, const char *sql, char *msg,
                     size_t size)
{
	(void)t;
	(void)sql;
	(void)msg;
	(void)size;
	no_pg();
	return false;
}

void testdb_conn_exec(struct testdb_conn *t, const char *sql)
{
	(void)t;
	(void)sql;
	no_pg();
}

long long testdb_conn_count(struct testdb_conn *t, const char *sql)
{
	(void)t;
	(void)sql;
	no_pg();
	return -1;
}

void testdb_conn_close(struct testdb_conn *t)
{
	(void)t;
}

struct testdb_conn *testdb_su_hold(const char *loc, const char *sql)
{
	(void)loc;
	(void)sql;
	no_pg();
	return NULL;
}

void testdb_release(struct testdb_conn *t)
{
	(void)t;
}

struct testdb_conn *testdb_su_connect(const char *loc)
{
	(void)loc;
	no_pg();
	return NULL;
}

bool testdb_conn_try_params(struct testdb_conn *t, const char *sql, int n,
                            const char *const values[], long long *first,
                            char *msg, size_t size)
{
	(void)t;
	(void)sql;
	(void)n;
	(void)values;
	(void)first;
	(void)msg;
	(void)size;
	no_pg();
	return false;
}

void testdb_conn_exec_params(struct testdb_conn *t, const char *sql, int n,
                             const char *const values[])
{
	(void)t;
	(void)sql;
	(void)n;
	(void)values;
	no_pg();
}

#endif
