/*
 * store.c - the generic store: opening a location with the first backend
 * that accepts it, and handing every call of store.h, store_demo.h and
 * store_tools.h to that backend's table (backend.h), in the manner of
 * SQLite's sqlite3_vfs.  What needs no database (view names, request
 * tokens, the check's kinds) lives here once for every backend.
 *
 * The rules themselves are not here: each backend asks rules.h between
 * loading a row under its lock and writing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"

#include "backend.h"
#include "i18n.h"
#include "money.h"
#include "store_tools.h"

/* The backends this build holds, in the order they are asked. */
static const struct store_backend *const backends[] = {
#ifdef INVED_HAVE_PG
	&store_backend_pg, /* before SQLite, which takes every path */
#endif
	&store_backend_sqlite,
};

#define BACKENDS (sizeof backends / sizeof backends[0])

void store_process_setup(void)
{
	for (size_t i = 0; i < BACKENDS; i++)
		if (backends[i]->process_setup)
			backends[i]->process_setup();
}

static const struct store_backend *backend_for(const char *location)
{
	for (size_t i = 0; i < BACKENDS; i++)
		if (backends[i]->accepts(location))
			return backends[i];
	return NULL;
}

enum inv_rc store_open(const char *location, const struct store_options *opt,
                       struct store **out, struct inv_err *err)
{
	static const struct store_options existing = {STORE_OPEN_EXISTING, 0};
	const struct store_backend *be;
	struct store *st;
	enum inv_rc rc;

	*out = NULL;
	if (!location || !*location)
		return inv_err_set(err, INV_INVALID, "db",
			_("no database path given; use --db PATH or set INVED_DB"));
	be = backend_for(location);
	if (!be)
		return inv_err_set(err, INV_INVALID, "db",
			_("no storage backend of this inved serves %s"), location);
	st = calloc(1, sizeof *st);
	if (!st || !(st->location = strdup(location))) {
		free(st);
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	}
	st->be = be;
	st->opt = opt ? *opt : existing;
	if (st->opt.busy_timeout_ms <= 0)
		st->opt.busy_timeout_ms = STORE_BUSY_DEFAULT_MS;
	rc = be->open(st, err);
	if (rc != INV_OK) {
		free(st->location);
		free(st);
		return rc;
	}
	*out = st;
	return INV_OK;
}

enum inv_rc store_open_peer(struct store *st, const struct store_options *opt,
                            struct store **out, struct inv_err *err)
{
	struct store_options peer = opt ? *opt : st->opt;

	peer.flags = STORE_OPEN_EXISTING;
	return store_open(st->location, &peer, out, err);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	st->be->close(st);
	free(st->location);
	free(st);
}

bool store_location_is_file(const char *location)
{
	return location && backend_for(location) == &store_backend_sqlite;
}

const char *store_location(const struct store *st)
{
	return st->location;
}

/* An operation the backend's table leaves NULL is one it does not serve
 * yet: a refusal naming both, never a call through NULL. */
static enum inv_rc not_yet(const struct store *st, const char *op,
                           struct inv_err *err)
{
	return inv_err_set(err, INV_ERROR, "",
		_("%s is not available on the %s backend yet"), op,
		st->be->name);
}

#define NEED(op)                                                       \
	do {                                                           \
		if (!st->be->op)                                       \
			return not_yet(st, #op, err);                  \
	} while (0)

/* ---- what needs no database ---------------------------------------------- */

static const char *const view_names[VIEW__COUNT] = {"active", "archived",
                                                    "all"};

const char *store_view_name(enum inv_view v)
{
	return v < VIEW__COUNT ? view_names[v] : "?";
}

enum inv_rc store_view_parse(const char *s, enum inv_view *v,
                             struct inv_err *err)
{
	int i;

	for (i = 0; s && i < VIEW__COUNT; i++) {
		if (strcmp(s, view_names[i]) == 0) {
			*v = (enum inv_view)i;
			return INV_OK;
		}
	}
	return inv_err_set(err, INV_INVALID, "view",
		_("unknown view '%s'; use active, archived or all"),
		s ? s : "");
}

void store_new_token(char buf[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(raw, 1, sizeof raw, f) : 0;
	size_t i;

	if (f)
		fclose(f);
	if (got != sizeof raw) {
		/* No urandom: time and pid still make a collision unlikely
		 * enough for a form token. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 32);
		for (i = 0; i < sizeof raw; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			raw[i] = (unsigned char)x;
		}
	}
	for (i = 0; i < sizeof raw; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[32] = '\0';
}

static const char *const kind_names[CHECK__COUNT] = {
	[CHECK_INTEGRITY] = "integrity",
	[CHECK_SCHEMA_MISSING] = "schema_missing",
	[CHECK_SCHEMA_ALTERED] = "schema_altered",
	[CHECK_SCHEMA_EXTRA] = "schema_extra",
	[CHECK_HISTORY] = "history",
	[CHECK_TOTALS] = "totals",
	[CHECK_TYPE] = "type",
};

const char *check_kind_name(enum check_kind kind)
{
	return kind < CHECK__COUNT ? kind_names[kind] : "?";
}

/* ---- demonstrations (store_demo.h) --------------------------------------- */

enum inv_rc store_seed_demo(struct store *st, struct inv_err *err)
{
	NEED(seed_demo);
	return st->be->seed_demo(st, err);
}

bool store_is_demo(struct store *st)
{
	return st->be->is_demo && st->be->is_demo(st);
}

enum inv_rc store_demo_present(struct store *st, bool *present,
                               struct inv_err *err)
{
	NEED(demo_present);
	return st->be->demo_present(st, present, err);
}

enum inv_rc store_drift(struct store *st, const struct identity *who,
                        int64_t id, struct write_result *res,
                        struct inv_err *err)
{
	NEED(drift);
	return st->be->drift(st, who, id, res, err);
}

enum inv_rc store_hold_lock(struct store *st, int ms, struct inv_err *err)
{
	NEED(hold_lock);
	return st->be->hold_lock(st, ms, err);
}

/* ---- identity and members ------------------------------------------------ */

enum inv_rc store_identity(struct store *st, const char *user, const char *org,
                           struct identity *out, struct inv_err *err)
{
	NEED(identity);
	return st->be->identity(st, user, org, out, err);
}

enum inv_rc store_org_create(struct store *st, const char *user,
                             const char *org, struct identity *out,
                             bool *already, struct inv_err *err)
{
	NEED(org_create);
	return st->be->org_create(st, user, org, out, already, err);
}

enum inv_rc store_members(struct store *st, const struct identity *who,
                          const char *after, struct member *out, size_t max,
                          size_t *n, struct inv_err *err)
{
	NEED(members);
	return st->be->members(st, who, after, out, max, n, err);
}

enum inv_rc store_member_add(struct store *st, const struct identity *who,
                             const char *login, enum inv_role role,
                             struct inv_err *err)
{
	NEED(member_add);
	return st->be->member_add(st, who, login, role, err);
}

enum inv_rc store_member_remove(struct store *st, const struct identity *who,
                                const char *login, enum inv_role *was,
                                struct inv_err *err)
{
	NEED(member_remove);
	return st->be->member_remove(st, who, login, was, err);
}

enum inv_rc store_member_role(struct store *st, const struct identity *who,
                              const char *login, enum inv_role role,
                              enum inv_role *was, struct inv_err *err)
{
	NEED(member_role);
	return st->be->member_role(st, who, login, role, was, err);
}

enum inv_rc store_memberships(struct store *st, struct membership *out,
                              size_t max, size_t *n, struct inv_err *err)
{
	NEED(memberships);
	return st->be->memberships(st, out, max, n, err);
}

/* ---- reads --------------------------------------------------------------- */

enum inv_rc store_page(struct store *st, const struct identity *who,
                       enum inv_view view, const char *filter, int64_t anchor,
                       enum page_dir dir, struct invoice *rows, size_t limit,
                       size_t *n, struct inv_err *err)
{
	NEED(page);
	return st->be->page(st, who, view, filter, anchor, dir, rows, limit, n,
	                    err);
}

enum inv_rc store_get(struct store *st, const struct identity *who, int64_t id,
                      struct invoice *out, struct inv_err *err)
{
	NEED(get);
	return st->be->get(st, who, id, out, err);
}

enum inv_rc store_find(struct store *st, const struct identity *who,
                       const char *ref, struct invoice *out,
                       struct inv_err *err)
{
	NEED(find);
	return st->be->find(st, who, ref, out, err);
}

enum inv_rc store_summary(struct store *st, const struct identity *who,
                          struct summary *out, struct inv_err *err)
{
	NEED(summary);
	return st->be->summary(st, who, out, err);
}

enum inv_rc store_summary_recount(struct store *st, const struct identity *who,
                                  struct summary *out, struct inv_err *err)
{
	NEED(summary_recount);
	return st->be->summary_recount(st, who, out, err);
}

/* ---- guarded writes ------------------------------------------------------ */

enum inv_rc store_edit(struct store *st, const struct identity *who,
                       int64_t id, int64_t version,
                       const struct invoice_input *in, int flags,
                       struct write_result *res, struct inv_err *err)
{
	NEED(edit_fields);
	return st->be->edit_fields(st, who, id, version, in,
	                           MF_ALL | MF_NUMBER, flags, res, err);
}

enum inv_rc store_edit_fields(struct store *st, const struct identity *who,
                              int64_t id, int64_t version,
                              const struct invoice_input *in,
                              unsigned fields, int flags,
                              struct write_result *res, struct inv_err *err)
{
	NEED(edit_fields);
	return st->be->edit_fields(st, who, id, version, in, fields, flags, res,
	                           err);
}

enum inv_rc store_archive(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err)
{
	NEED(lifecycle);
	return st->be->lifecycle(st, who, RULE_ARCHIVE, id, version, res, err);
}

enum inv_rc store_restore(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err)
{
	NEED(lifecycle);
	return st->be->lifecycle(st, who, RULE_RESTORE, id, version, res, err);
}

enum inv_rc store_delete(struct store *st, const struct identity *who,
                         int64_t id, int64_t version, struct write_result *res,
                         struct inv_err *err)
{
	NEED(lifecycle);
	return st->be->lifecycle(st, who, RULE_DELETE, id, version, res, err);
}

enum inv_rc store_revert_plan(struct store *st, const struct identity *who,
                              int64_t id, int64_t to_version,
                              struct revert_plan *out, struct inv_err *err)
{
	NEED(revert_plan);
	return st->be->revert_plan(st, who, id, to_version, out, err);
}

enum inv_rc store_revert(struct store *st, const struct identity *who,
                         int64_t id, int64_t to_version, int64_t version,
                         struct revert_plan *plan, struct write_result *res,
                         struct inv_err *err)
{
	NEED(revert);
	return st->be->revert(st, who, id, to_version, version, plan, res, err);
}

enum inv_rc store_create(struct store *st, const struct identity *who,
                         const char *token, const char *number,
                         const struct invoice_input *in,
                         struct write_result *res, struct inv_err *err)
{
	NEED(create);
	return st->be->create(st, who, token, number, in, res, err);
}

/* ---- audit --------------------------------------------------------------- */

enum inv_rc store_audit_tail(struct store *st, const struct identity *who,
                             int64_t subject, struct audit_entry *out,
                             size_t max, size_t *n, struct inv_err *err)
{
	NEED(audit_tail);
	return st->be->audit_tail(st, who, subject, out, max, n, err);
}

enum inv_rc store_audit_explain(struct store *st, const char *detail,
                                char currency[4], char *out, size_t size,
                                struct inv_err *err)
{
	NEED(audit_explain);
	return st->be->audit_explain(st, detail, currency, &money_style_plain,
	                             out, size, err);
}

enum inv_rc store_audit_explain_styled(struct store *st, const char *detail,
                                       char currency[4],
                                       const struct money_style *style,
                                       char *out, size_t size,
                                       struct inv_err *err)
{
	NEED(audit_explain);
	return st->be->audit_explain(st, detail, currency, style, out, size,
	                             err);
}

/* ---- change feed and wake-up --------------------------------------------- */

int store_wakeup_fd(struct store *st)
{
	return st->be->wakeup_fd ? st->be->wakeup_fd(st) : -1;
}

enum inv_rc store_wakeup_check(struct store *st, bool *changed, int *next_ms,
                               struct inv_err *err)
{
	NEED(wakeup_check);
	return st->be->wakeup_check(st, changed, next_ms, err);
}

bool store_wakeup_polling(struct store *st, char *why, size_t size)
{
	if (!st->be->wakeup_polling) {
		snprintf(why, size, "%s", _("the backend has no wake-up"));
		return true;
	}
	return st->be->wakeup_polling(st, why, size);
}

enum inv_rc store_changes_since(struct store *st, const struct identity *who,
                                int64_t after, struct change *out, size_t max,
                                size_t *n, struct inv_err *err)
{
	NEED(changes_since);
	return st->be->changes_since(st, who, after, out, max, n, err);
}

enum inv_rc store_changes_head(struct store *st, int64_t *out,
                               struct inv_err *err)
{
	NEED(changes_head);
	return st->be->changes_head(st, out, err);
}

/* ---- drafts -------------------------------------------------------------- */

enum inv_rc store_draft_save(struct store *st, const struct identity *who,
                             const struct draft *d, int64_t version,
                             int64_t *new_version, struct draft *current,
                             struct inv_err *err)
{
	NEED(draft_save);
	return st->be->draft_save(st, who, d, version, new_version, current,
	                          err);
}

enum inv_rc store_draft_load(struct store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct draft *out, struct inv_err *err)
{
	NEED(draft_load);
	return st->be->draft_load(st, who, invoice_id, token, out, err);
}

enum inv_rc store_draft_discard(struct store *st, const struct identity *who,
                                int64_t invoice_id, const char *token,
                                struct inv_err *err)
{
	NEED(draft_discard);
	return st->be->draft_discard(st, who, invoice_id, token, err);
}

/* ---- presence ------------------------------------------------------------ */

enum inv_rc store_presence_enter(struct store *st, const struct identity *who,
                                 int64_t invoice_id, const char *face,
                                 struct presence **out, struct inv_err *err)
{
	*out = NULL;
	NEED(presence_enter);
	return st->be->presence_enter(st, who, invoice_id, face, out, err);
}

void store_presence_leave(struct presence *p)
{
	const struct store_backend *be;

	if (!p)
		return;
	be = ((struct presence_base *)(void *)p)->be;
	if (be->presence_leave)
		be->presence_leave(p);
}

enum inv_rc store_presence_list(struct store *st, const struct identity *who,
                                int64_t invoice_id,
                                struct presence_entry *out, size_t max,
                                size_t *n, struct inv_err *err)
{
	NEED(presence_list);
	return st->be->presence_list(st, who, invoice_id, out, max, n, err);
}

/* ---- integrity ----------------------------------------------------------- */

enum inv_rc store_check_run(struct store *st, const struct identity *who,
                            struct check_report *out, struct inv_err *err)
{
	NEED(check_run);
	return st->be->check_run(st, who, out, err);
}

enum inv_rc store_check_repair(struct store *st, const struct identity *who,
                               struct check_report *out, struct inv_err *err)
{
	NEED(check_repair);
	return st->be->check_repair(st, who, out, err);
}

enum inv_rc store_check(struct store *st, struct inv_err *err)
{
	struct check_report *r = calloc(1, sizeof *r);
	enum inv_rc rc;

	if (!r)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	rc = store_check_run(st, NULL, r, err);
	if (rc == INV_OK && r->n > 0)
		rc = inv_err_set(err, INV_DAMAGED, "",
			_("the check of %s found %zu problem(s), the first: %s"),
			st->location, r->n + r->more, r->f[0].msg);
	free(r);
	return rc;
}

/* ---- tools (store_tools.h) ----------------------------------------------- */

enum inv_rc store_add_member(struct store *st, const char *user,
                             const char *org, enum inv_role role,
                             struct inv_err *err)
{
	NEED(add_member);
	return st->be->add_member(st, user, org, role, err);
}

const char *store_backend_name(const struct store *st)
{
	return st->be->name;
}

void *store_engine_handle(struct store *st)
{
	return st->be->engine_handle ? st->be->engine_handle(st) : NULL;
}
