/*
 * members.c - who belongs to an org: `init --org` (a new org with the
 * logged-in account as its admin) and `inved member` (an admin lists, adds,
 * removes and re-roles members by login name).
 *
 * Each change is one BEGIN IMMEDIATE transaction that reads, inside it,
 * what it decides on: that the one asking is still an admin of the org (a
 * session's role was read when it started, and may have been taken away
 * since), the target's membership, and the number of admins left.  The
 * change and its audit row commit together; a refused change writes
 * nothing.  Membership rows are not invoices, so the audit rows have
 * subject 0 and versions 0, and the detail names the login and the roles.
 *
 * These run once per command, so their statements are prepared per call
 * rather than kept in the connection's cache.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "sqlite_store.h"


static enum inv_rc member_prepare(struct sq_store *st, const char *sql,
                                  sqlite3_stmt **out, struct inv_err *err)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);

	if (rc != SQLITE_OK) {
		sqlite3_finalize(*out);
		*out = NULL;
		return sq_sqlite_err(st, rc, err);
	}
	return INV_OK;
}

/* Step a statement that returns no rows and finalize it. */
static enum inv_rc member_run(struct sq_store *st, sqlite3_stmt *s,
                              struct inv_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? INV_OK : sq_sqlite_err(st, rc, err);
}

static enum inv_role role_of_text(const unsigned char *t)
{
	return t && strcmp((const char *)t, "admin") == 0 ? ROLE_ADMIN
	                                                  : ROLE_MEMBER;
}

/* login's user id (0: no such user) and role in org (*found: a member). */
static enum inv_rc member_lookup(struct sq_store *st, int64_t org,
                                 const char *login, int64_t *user_id,
                                 enum inv_role *role, bool *found,
                                 struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*user_id = 0;
	*found = false;
	*role = ROLE_MEMBER;
	prc = member_prepare(st,
		"SELECT u.id, m.role FROM users u LEFT JOIN memberships m "
		"ON m.user_id = u.id AND m.org_id = ?2 WHERE u.name = ?1", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, login, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, org);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*user_id = sqlite3_column_int64(s, 0);
		*found = sqlite3_column_type(s, 1) != SQLITE_NULL;
		*role = role_of_text(sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

static enum inv_rc admin_count(struct sq_store *st, int64_t org, int64_t *n,
                               struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*n = 0;
	prc = member_prepare(st,
		"SELECT count(*) FROM memberships "
		"WHERE org_id = ?1 AND role = 'admin'", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? INV_OK : sq_sqlite_err(st, rc, err);
}

/* The one asking must be an admin of the org now, not only when the
 * session began. */
static enum inv_rc member_admin_check(struct sq_store *st,
                                      const struct identity *who,
                                      struct inv_err *err)
{
	enum inv_role role;
	int64_t uid;
	bool found;
	enum inv_rc rc = member_lookup(st, who->org_id, who->user, &uid, &role,
	                               &found, err);

	if (rc != INV_OK)
		return rc;
	return rule_member_admin(who, found && uid == who->user_id, role, err);
}

/* The audit row of a membership change: who did it, to whom, the roles
 * before and after (NULL: not a member). */
static enum inv_rc member_audit(struct sq_store *st, int64_t org,
                                int64_t actor_id, const char *actor,
                                const char *action, const char *login,
                                const char *old_role, const char *new_role,
                                struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc prc;

	prc = member_prepare(st,
		"INSERT INTO audit (at, org_id, actor_user_id, actor, action, "
		"subject_id, from_version, to_version, detail) "
		"VALUES (" NOW ", ?1, ?2, ?3, ?4, 0, 0, 0, "
		"json_object('user', ?5, 'role', "
		"json_object('old', ?6, 'new', ?7)))", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, actor_id);
	sqlite3_bind_text(s, 3, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, login, -1, SQLITE_TRANSIENT);
	if (old_role)
		sqlite3_bind_text(s, 6, old_role, -1, SQLITE_STATIC);
	if (new_role)
		sqlite3_bind_text(s, 7, new_role, -1, SQLITE_STATIC);
	return member_run(st, s, err);
}

/* Make login a user (if new) and a member of org with role. */
static enum inv_rc member_insert(struct sq_store *st, int64_t org,
                                 const char *login, enum inv_role role,
                                 struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc rc;
	enum inv_rc prc;

	prc = member_prepare(st,
		"INSERT INTO users (name) VALUES (?1) "
		"ON CONFLICT (name) DO NOTHING", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, login, -1, SQLITE_TRANSIENT);
	rc = member_run(st, s, err);
	if (rc != INV_OK)
		return rc;
	prc = member_prepare(st,
		"INSERT INTO memberships (user_id, org_id, role) VALUES "
		"((SELECT id FROM users WHERE name = ?1), ?2, ?3)", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, login, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, org);
	sqlite3_bind_text(s, 3, identity_role_name(role), -1, SQLITE_STATIC);
	return member_run(st, s, err);
}

/* ---- init --org ---------------------------------------------------------- */

static enum inv_rc org_insert(struct sq_store *st, const char *org,
                              int64_t *id, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc rc;
	enum inv_rc prc;

	prc = member_prepare(st,
		"INSERT INTO orgs (name, prefix) VALUES (?1, upper(?1) || '-')",
		&s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, org, -1, SQLITE_TRANSIENT);
	rc = member_run(st, s, err);
	*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

static enum inv_rc org_find(struct sq_store *st, const char *org, int64_t *id,
                            struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*id = 0;
	prc = member_prepare(st,
		"SELECT id FROM orgs WHERE name = ?1", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_text(s, 1, org, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? INV_OK
	                                             : sq_sqlite_err(st, rc, err);
}

enum inv_rc sq_org_create(struct sq_store *st, const char *user,
                          const char *org, struct identity *out,
                          bool *already, struct inv_err *err)
{
	char account[NAME_MAX_BYTES + 1];
	enum inv_role role;
	int64_t org_id, uid;
	bool found;
	enum inv_rc rc;

	*already = false;
	memset(out, 0, sizeof *out);
	if (!identity_name_ok(org))
		return inv_err_set(err, INV_INVALID, "org",
			_("user and org names are 1 to %d characters of letters, "
			  "digits, '.', '_' and '-'"),
			NAME_MAX_BYTES);
	if (sq_is_demo(st))
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is a demo database (made by `inved init --demo`); "
			  "a team's org goes into a database of its own: `inved "
			  "--db NEW.db init --org %s`"),
			st->path, org);
	rc = identity_account(account, sizeof account, err);
	if (rc == INV_OK && user && *user && strcmp(user, account) != 0)
		rc = inv_err_set(err, INV_FORBIDDEN, "user",
			_("--user (or INVED_USER) names '%s', but %s is not a "
			  "demo database: here you act as the account you are "
			  "logged in as, %s; drop --user and unset INVED_USER"),
			user, st->path, account);
	if (rc != INV_OK)
		return rc;

	rc = sq_tx_begin(st, err);
	if (rc == INV_OK)
		rc = org_find(st, org, &org_id, err);
	if (rc == INV_OK && org_id) {
		rc = member_lookup(st, org_id, account, &uid, &role, &found, err);
		if (rc == INV_OK && found && role == ROLE_ADMIN)
			*already = true;
		else if (rc == INV_OK)
			rc = inv_err_set(err, INV_FORBIDDEN, "org",
				_("org %s already exists in %s and %s is not its "
				  "admin; init --org only creates a new org (ask an "
				  "admin of %s, or choose another name)"),
				org, st->path, account, org);
	} else if (rc == INV_OK) {
		rc = org_insert(st, org, &org_id, err);
		if (rc == INV_OK)
			rc = member_insert(st, org_id, account, ROLE_ADMIN, err);
		if (rc == INV_OK)
			rc = member_lookup(st, org_id, account, &uid, &role, &found,
			                   err);
		if (rc == INV_OK)
			rc = member_audit(st, org_id, uid, account, "org.create",
			                  account, NULL, "admin", err);
	}
	if (rc == INV_OK && !*already)
		rc = sq_tx_commit(st, err);
	else
		sq_tx_rollback(st);
	if (rc != INV_OK)
		return rc;
	return sq_identity(st, account, org, out, err);
}

/* ---- inved member -------------------------------------------------------- */

enum inv_rc sq_members(struct sq_store *st, const struct identity *who,
                       const char *after, struct member *out, size_t max,
                       size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s;
	enum inv_rc rc;
	int src;
	enum inv_rc prc;

	*n = 0;
	rc = member_admin_check(st, who, err);
	if (rc != INV_OK)
		return rc;
	prc = member_prepare(st,
		"SELECT u.name, m.role FROM memberships m "
		"JOIN users u ON u.id = m.user_id "
		"WHERE m.org_id = ?1 AND u.name > ?2 ORDER BY u.name LIMIT ?3",
		&s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, after ? after : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while ((src = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		const unsigned char *name = sqlite3_column_text(s, 0);

		snprintf(out[*n].user, sizeof out[*n].user, "%s",
		         name ? (const char *)name : "");
		out[*n].role = role_of_text(sqlite3_column_text(s, 1));
		(*n)++;
	}
	sqlite3_finalize(s);
	if (src != SQLITE_DONE && src != SQLITE_ROW)
		return sq_sqlite_err(st, src, err);
	return INV_OK;
}

enum member_op { MEMBER_ADD, MEMBER_REMOVE, MEMBER_ROLE };

/* The refusals that depend on the target: checked against the rows read
 * in this transaction. */
static enum inv_rc member_decide(struct sq_store *st,
                                 const struct identity *who, enum member_op op,
                                 const char *login, bool found,
                                 enum inv_role was, enum inv_role role,
                                 struct inv_err *err)
{
	int64_t admins = 0;
	enum inv_rc rc;

	if (op == MEMBER_ADD && found)
		return inv_err_set(err, INV_CONFLICT, "login",
			_("%s is already a member of %s (%s); change the role "
			  "with `inved member role %s ROLE`"),
			login, who->org, identity_role_name(was), login);
	if (op == MEMBER_ADD)
		return INV_OK;
	if (!found)
		return inv_err_set(err, INV_NOT_FOUND, "login",
			_("%s is not a member of %s; see `inved member list`"),
			login, who->org);
	if (op == MEMBER_ROLE && was == role)
		return inv_err_set(err, INV_CONFLICT, "role",
			role == ROLE_ADMIN
				? _("%s is already an admin of %s; nothing to change")
				: _("%s is already a member of %s; nothing to change"),
			login, who->org);
	if (was != ROLE_ADMIN)
		return INV_OK;
	/* Removing or demoting an admin: someone must be left to run the
	 * org. */
	rc = admin_count(st, who->org_id, &admins, err);
	if (rc == INV_OK && admins <= 1)
		rc = inv_err_set(err, INV_CONFLICT, "login",
			_("%s is the last admin of %s; make another member an "
			  "admin first (`inved member role NAME admin`)"),
			login, who->org);
	return rc;
}

static enum inv_rc member_change_sql(struct sq_store *st, enum member_op op,
                                     int64_t org, int64_t uid,
                                     const char *login, enum inv_role role,
                                     struct inv_err *err)
{
	sqlite3_stmt *s;
	enum inv_rc prc;

	if (op == MEMBER_ADD)
		return member_insert(st, org, login, role, err);
	prc = member_prepare(st, op == MEMBER_REMOVE
		? "DELETE FROM memberships WHERE org_id = ?1 AND user_id = ?2"
		: "UPDATE memberships SET role = ?3 "
		  "WHERE org_id = ?1 AND user_id = ?2", &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, uid);
	if (op == MEMBER_ROLE)
		sqlite3_bind_text(s, 3, identity_role_name(role), -1,
		                  SQLITE_STATIC);
	return member_run(st, s, err);
}

static enum inv_rc member_change(struct sq_store *st,
                                 const struct identity *who, enum member_op op,
                                 const char *login, enum inv_role role,
                                 enum inv_role *was_out, struct inv_err *err)
{
	static const char *const action[] = {"member.add", "member.remove",
	                                     "member.role"};
	enum inv_role was = ROLE_MEMBER;
	int64_t uid = 0;
	bool found = false;
	enum inv_rc rc;

	if (!identity_name_ok(login))
		return inv_err_set(err, INV_INVALID, "login",
			_("a login name is 1 to %d characters of letters, digits, "
			  "'.', '_' and '-'"),
			NAME_MAX_BYTES);
	rc = sq_tx_begin(st, err);
	if (rc == INV_OK)
		rc = member_admin_check(st, who, err);
	if (rc == INV_OK)
		rc = member_lookup(st, who->org_id, login, &uid, &was, &found,
		                   err);
	if (rc == INV_OK)
		rc = member_decide(st, who, op, login, found, was, role, err);
	if (rc == INV_OK)
		rc = member_change_sql(st, op, who->org_id, uid, login, role, err);
	if (rc == INV_OK)
		rc = member_audit(st, who->org_id, who->user_id, who->user,
		                  action[op], login,
		                  found ? identity_role_name(was) : NULL,
		                  op == MEMBER_REMOVE ? NULL
		                                      : identity_role_name(role),
		                  err);
	if (rc == INV_OK)
		rc = sq_tx_commit(st, err);
	else
		sq_tx_rollback(st);
	if (rc == INV_OK && was_out)
		*was_out = was;
	return rc;
}

enum inv_rc sq_member_add(struct sq_store *st, const struct identity *who,
                          const char *login, enum inv_role role,
                          struct inv_err *err)
{
	return member_change(st, who, MEMBER_ADD, login, role, NULL, err);
}

enum inv_rc sq_member_remove(struct sq_store *st, const struct identity *who,
                             const char *login, enum inv_role *was,
                             struct inv_err *err)
{
	return member_change(st, who, MEMBER_REMOVE, login, ROLE_MEMBER, was,
	                     err);
}

enum inv_rc sq_member_role(struct sq_store *st, const struct identity *who,
                           const char *login, enum inv_role role,
                           enum inv_role *was, struct inv_err *err)
{
	return member_change(st, who, MEMBER_ROLE, login, role, was, err);
}
