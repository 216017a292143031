/*
 * fixture.c - see fixture.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "template.h"
#include "testdb.h"

const char *fx_bin;
char fx_dir[256];
char fx_db[320];

void fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(fx_dir, sizeof fx_dir, "%s/inved-cli-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(fx_dir));
	if (testdb_pg()) {
		/* a copy of the program's demo database (testdb.h) */
		testdb_demo_copy(fx_db, sizeof fx_db);
		return;
	}
	snprintf(fx_db, sizeof fx_db, "%s/invoices.db", fx_dir);
	template_copy(fx_db);
}

void fx_teardown(void)
{
	char cmd[2 * sizeof fx_dir + 64];

	if (testdb_pg())
		testdb_drop(fx_db);
	/* Files a test made immutable or read-only must still go. */
	snprintf(cmd, sizeof cmd, "chattr -R -i '%s' 2>/dev/null; rm -rf '%s'",
	         fx_dir, fx_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx_dir);
}

struct run fx_run(const char *const *env, const char *user,
                  const char *const *args)
{
	const char *full[80];
	struct run r;
	size_t n = 0, i;

	full[n++] = "--db";
	full[n++] = fx_db;
	if (user) {
		full[n++] = "--user";
		full[n++] = user;
	}
	for (i = 0; args[i] && n + 1 < sizeof full / sizeof full[0]; i++)
		full[n++] = args[i];
	full[n] = NULL;
	run_exec(&r, fx_bin, env, full);
	return r;
}

void fx_expect_code(const struct run *r, int code)
{
	ck_assert_msg(r->code == code,
	              "exit %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s",
	              r->code, code, r->out, r->err);
}

void fx_expect_in(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL,
	              "expected to find \"%s\" in:\n%s", needle, text);
}

struct jv *fx_json(struct run r, int code)
{
	struct jv *v;

	fx_expect_code(&r, code);
	v = jv_parse(r.out);
	ck_assert_msg(v != NULL && v->type == JV_OBJECT,
	              "stdout is not one JSON object:\n%s\n--- stderr:\n%s",
	              r.out, r.err);
	run_free(&r);
	return v;
}

const char *fx_jstr(const struct jv *o, const char *key)
{
	struct jv *v = jv_get(o, key);

	ck_assert_msg(v && v->type == JV_STRING, "no string \"%s\"", key);
	return v->s;
}

int64_t fx_jint(const struct jv *o, const char *key)
{
	struct jv *v = jv_get(o, key);

	ck_assert_msg(v && v->type == JV_NUMBER && v->integral,
	              "no whole number \"%s\"", key);
	return v->i;
}

const char *fx_error_name(int code)
{
	static const char *const names[] = {"ok", "error", "invalid",
	                                    "conflict", "not_found",
	                                    "forbidden", "busy", "damaged"};

	return code >= 0 && code <= 7 ? names[code] : "?";
}

/* ---- looking at the file ------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->cap + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		ck_assert_ptr_nonnull(t->s);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static sqlite3 *open_read(const char *path)
{
	sqlite3 *h = NULL;

	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	return h;
}

/* Each column as its type and bytes, so NULL, 1 and '1' differ. */
static void dump_row(struct text *t, sqlite3_stmt *s)
{
	int i, n = sqlite3_column_count(s);

	for (i = 0; i < n; i++) {
		char head[32];
		int type = sqlite3_column_type(s, i);
		const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(s, i)
		                                    : sqlite3_column_text(s, i);
		int bytes = sqlite3_column_bytes(s, i);

		snprintf(head, sizeof head, "|%d:%d:", type, bytes);
		text_add(t, head, strlen(head));
		if (p && bytes > 0)
			text_add(t, p, (size_t)bytes);
	}
	text_add(t, "\n", 1);
}

bool fx_is_uri(const char *path)
{
	return strncmp(path, "postgresql://", 13) == 0 ||
	       strncmp(path, "postgres://", 11) == 0;
}

char *fx_dump(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *tables = NULL;
	struct text t = {NULL, 0, 0};

	if (fx_is_uri(path))
		return testdb_su_dump(path);
	h = open_read(path);

	text_add(&t, "", 0);
	ck_assert_int_eq(sqlite3_prepare_v2(h,
		"SELECT name FROM sqlite_schema WHERE type = 'table' "
		"ORDER BY name", -1, &tables, NULL), SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tables, 0);
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY rowid",
		                            name);
		sqlite3_stmt *s = NULL;
		int rc;

		ck_assert_ptr_nonnull(sql);
		text_add(&t, name, strlen(name));
		text_add(&t, ":\n", 2);
		rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL);
		if (rc != SQLITE_OK) { /* a WITHOUT ROWID table */
			sqlite3_free(sql);
			sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
			rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL);
		}
		ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(h));
		while ((rc = sqlite3_step(s)) == SQLITE_ROW)
			dump_row(&t, s);
		ck_assert_int_eq(rc, SQLITE_DONE);
		sqlite3_finalize(s);
		sqlite3_free(sql);
	}
	sqlite3_finalize(tables);
	sqlite3_close(h);
	return t.s;
}

int64_t fx_audit_count(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (fx_is_uri(path))
		return testdb_su_count(path, "SELECT count(*) FROM audit");
	h = open_read(path);

	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM audit", -1,
	                                    &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

void fx_sql(const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	if (fx_is_uri(fx_db)) {
		testdb_su_exec(fx_db, sql);
		return;
	}
	ck_assert_int_eq(sqlite3_open(fx_db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg ? msg : sqlite3_errmsg(h));
	sqlite3_close(h);
}

int64_t fx_sql_int(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (fx_is_uri(fx_db))
		return testdb_su_count(fx_db, sql);
	h = open_read(fx_db);
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(h));
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

const char *fx_where(void)
{
	static char name[128];
	const char *p;
	size_t n;

	if (!fx_is_uri(fx_db))
		return fx_db;
	p = strstr(fx_db, ":///");
	ck_assert_ptr_nonnull(p);
	p += 4;
	n = strcspn(p, "?");
	ck_assert_uint_lt(n, sizeof name);
	memcpy(name, p, n);
	name[n] = '\0';
	return name;
}

unsigned char *fx_file_bytes(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat sb;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && (buf = malloc((size_t)sb.st_size + 1))) {
		while (got < (size_t)sb.st_size) {
			ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		*len = got;
	}
	close(fd);
	return buf;
}

const char *fx_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", fx_dir, name);
	return buf;
}

int fx_main(Suite *s)
{
	SRunner *sr;
	int failed;

	setlocale(LC_ALL, "");
	fx_bin = getenv("INVED_BIN");
	if (!fx_bin || !*fx_bin) {
		fprintf(stderr, "INVED_BIN is not set; run through meson test\n");
		return 77;
	}
	/* Every command line says who and where; the caller's shell must not
	 * leak in. */
	unsetenv("INVED_DB");
	unsetenv("INVED_USER");
	unsetenv("INVED_BUSY_TIMEOUT");
	/* on PostgreSQL testdb made the program's demo database */
	if (!testdb_pg() && !template_make(fx_bin)) {
		template_remove();
		return EXIT_FAILURE;
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	template_remove();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
