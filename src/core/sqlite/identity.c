/*
 * identity.c - who a session acts as (SPEC 6a): the user (the logged-in
 * account, or any user of a demo database) and the one org, and the
 * messages that tell someone who is not a member how to get in without
 * telling them who is.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "sqlite_store.h"

/* ---- identity ------------------------------------------------------------ */

static enum inv_role role_from_text(const unsigned char *t)
{
	return t && strcmp((const char *)t, "admin") == 0 ? ROLE_ADMIN
	                                                  : ROLE_MEMBER;
}

/* "alice@acme (admin), bob@acme (member)" for messages; user 0 = all. */
static void memberships_text(struct sq_store *st, int64_t user_id, char *buf,
                             size_t len)
{
	sqlite3_stmt *s;
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	if (sq_stmt(st, user_id ? SQL_MEMBERSHIPS_OF : SQL_MEMBERSHIPS_ALL,
	               &s, NULL) != INV_OK)
		return;
	if (user_id)
		sqlite3_bind_int64(s, 1, user_id);
	while (sqlite3_step(s) == SQLITE_ROW && used + 1 < len) {
		int w;

		if (n == 12) {
			snprintf(buf + used, len - used, ", …");
			break;
		}
		if (user_id)
			w = snprintf(buf + used, len - used, "%s%s (%s)",
			             n ? ", " : "", sqlite3_column_text(s, 1),
			             sqlite3_column_text(s, 2));
		else
			w = snprintf(buf + used, len - used, "%s%s@%s (%s)",
			             n ? ", " : "", sqlite3_column_text(s, 0),
			             sqlite3_column_text(s, 1),
			             sqlite3_column_text(s, 2));
		if (w < 0)
			break;
		used += (size_t)w;
		n++;
	}
	sqlite3_reset(s);
	if (n == 0)
		snprintf(buf, len, "%s", _("none"));
}

static enum inv_rc identity_not_member(struct sq_store *st, const char *user,
                                       bool known, bool demo,
                                       struct inv_err *err);

/* Which user a session acts as (SPEC 6a).  Outside a demo database that
 * is the logged-in account and nobody else: a name given with --user or
 * INVED_USER must be that account's own.  A demo database (whose marker
 * only `init --demo` can write, see data/schema.sql) lets the name pick any
 * of its users; without a name it is the logged-in account there too. */
static enum inv_rc identity_user_name(struct sq_store *st, const char *user,
                                      bool demo, char *out, size_t len,
                                      struct inv_err *err)
{
	char account[NAME_MAX_BYTES + 1];
	enum inv_rc rc;

	if (demo && user && *user) {
		/* A name no user can have matches none, never a cut copy. */
		if (!identity_name_ok(user))
			return identity_not_member(st, user, false, true, err);
		snprintf(out, len, "%s", user);
		return INV_OK;
	}
	rc = identity_account(account, sizeof account, err);
	if (rc != INV_OK)
		return rc;
	if (user && *user && strcmp(user, account) != 0)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("--user (or INVED_USER) names '%s', but %s is not a "
			  "demo database: here you act as the account you are "
			  "logged in as, %s; drop --user and unset INVED_USER"),
			user, st->path, account);
	snprintf(out, len, "%s", account);
	return INV_OK;
}

static int64_t org_count(struct sq_store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM orgs", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Refusing someone who is not a member: say how to get in, never who is
 * (other people's memberships are not theirs to read).  A demo database,
 * whose users are public, lists them. */
static enum inv_rc identity_not_member(struct sq_store *st, const char *user,
                                       bool known, bool demo,
                                       struct inv_err *err)
{
	char list[256];

	if (demo) {
		memberships_text(st, 0, list, sizeof list);
		if (known)
			return inv_err_set(err, INV_FORBIDDEN, "user",
				_("%s is not a member of any org in %s; memberships "
				  "that exist: %s — pick one with --user NAME (or "
				  "INVED_USER)"),
				user, st->path, list);
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("unknown user '%s' in %s; memberships that exist: %s — "
			  "pick one with --user NAME (or INVED_USER)"),
			user, st->path, list);
	}
	if (org_count(st) == 0)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("%s holds no org yet; `inved --db %s init --org ORG` "
			  "makes you (%s) the admin of a new org ORG"),
			st->path, st->path, user);
	return inv_err_set(err, INV_FORBIDDEN, "user",
		_("%s is not a member of any org in %s; ask an admin of your "
		  "org to run `inved member add %s`"),
		user, st->path, user);
}

enum inv_rc sq_identity(struct sq_store *st, const char *user, const char *org,
                        struct identity *out, struct inv_err *err)
{
	bool demo = sq_is_demo(st);
	char name[NAME_MAX_BYTES + 1];
	sqlite3_stmt *s;
	char list[256];
	enum inv_rc irc;
	int rc, rows = 0;
	enum inv_rc prc;

	memset(out, 0, sizeof *out);
	irc = identity_user_name(st, user, demo, name, sizeof name, err);
	if (irc != INV_OK)
		return irc;
	prc = sq_stmt(st, SQL_USER_BY_NAME, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(s, 0);
		sq_copy_text(out->user, sizeof out->user, s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	if (rc == SQLITE_DONE)
		return identity_not_member(st, name, false, demo, err);

	prc = sq_stmt(st, org && *org ? SQL_MEMBERSHIP : SQL_MEMBERSHIPS_OF,
	              &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, out->user_id);
	if (org && *org)
		sqlite3_bind_text(s, 2, org, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows++;
		out->org_id = sqlite3_column_int64(s, 0);
		sq_copy_text(out->org, sizeof out->org, s, 1);
		out->role = role_from_text(sqlite3_column_text(s, 2));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	if (rows == 1)
		return INV_OK;

	/* Only the user's own memberships from here on. */
	memberships_text(st, out->user_id, list, sizeof list);
	out->org_id = 0;
	if (rows == 0 && !(org && *org))
		return identity_not_member(st, name, true, demo, err);
	if (org && *org)
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is not a member of org '%s'; %s's memberships: %s"),
			name, org, name, list);
	return inv_err_set(err, INV_FORBIDDEN, "org",
		_("%s is a member of several orgs (%s); choose one with --org"),
		name, list);
}

enum inv_rc sq_memberships(struct sq_store *st, struct membership *out,
                           size_t max, size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*n = 0;
	prc = sq_stmt(st, SQL_MEMBERSHIPS_ALL, &s, err);
	if (prc != INV_OK)
		return prc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= max)
			continue;
		sq_copy_text(out[*n].user, sizeof out[*n].user, s, 0);
		sq_copy_text(out[*n].org, sizeof out[*n].org, s, 1);
		out[*n].role = role_from_text(sqlite3_column_text(s, 2));
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}
