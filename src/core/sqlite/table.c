/*
 * table.c - the SQLite backend's entry in the backend table (backend.h):
 * which locations it serves, and each operation of store.h handed to the
 * file that holds it, with the connection taken from st->impl.
 */
#include <ctype.h>
#include <string.h>

#include "sqlite_store.h"

/* A file path; not a URI of another backend ("postgresql://..."). */
static bool t_accepts(const char *location)
{
	const char *p = location;

	while (isalpha((unsigned char)*p) || *p == '+' || *p == '-' ||
	       *p == '.')
		p++;
	return !(p > location && strncmp(p, "://", 3) == 0);
}

static enum inv_rc t_open(struct store *st, struct inv_err *err)
{
	struct sq_store *q = NULL;
	enum inv_rc rc = sq_open(st, &q, err);

	st->impl = q;
	return rc;
}

static void t_close(struct store *st)
{
	sq_close(st->impl);
	st->impl = NULL;
}

static enum inv_rc t_lifecycle(struct store *st, const struct identity *who,
                               enum rule_op op, int64_t id, int64_t version,
                               struct write_result *res, struct inv_err *err)
{
	return sq_lifecycle(st->impl, who, op, id, version, res, err);
}

static void *t_engine_handle(struct store *st)
{
	return ((struct sq_store *)st->impl)->db;
}

static enum inv_rc t_seed_demo(struct store *st, struct inv_err *err)
{
	return sq_seed_demo(st->impl, err);
}

static bool t_is_demo(struct store *st)
{
	return sq_is_demo(st->impl);
}

static enum inv_rc t_demo_present(struct store *st, bool *present,
                                  struct inv_err *err)
{
	return sq_demo_present(st->impl, present, err);
}

static enum inv_rc t_drift(struct store *st, const struct identity *who,
                           int64_t id, struct write_result *res,
                           struct inv_err *err)
{
	return sq_drift(st, who, id, res, err);
}

static enum inv_rc t_hold_lock(struct store *st, int ms, struct inv_err *err)
{
	return sq_hold_lock(st, ms, err);
}

static enum inv_rc t_identity(struct store *st, const char *user,
                              const char *org, struct identity *out,
                              struct inv_err *err)
{
	return sq_identity(st->impl, user, org, out, err);
}

static enum inv_rc t_org_create(struct store *st, const char *user,
                                const char *org, struct identity *out,
                                bool *already, struct inv_err *err)
{
	return sq_org_create(st->impl, user, org, out, already, err);
}

static enum inv_rc t_members(struct store *st, const struct identity *who,
                             const char *after, struct member *out, size_t max,
                             size_t *n, struct inv_err *err)
{
	return sq_members(st->impl, who, after, out, max, n, err);
}

static enum inv_rc t_member_add(struct store *st, const struct identity *who,
                                const char *login, enum inv_role role,
                                struct inv_err *err)
{
	return sq_member_add(st->impl, who, login, role, err);
}

static enum inv_rc t_member_remove(struct store *st, const struct identity *who,
                                   const char *login, enum inv_role *was,
                                   struct inv_err *err)
{
	return sq_member_remove(st->impl, who, login, was, err);
}

static enum inv_rc t_member_role(struct store *st, const struct identity *who,
                                 const char *login, enum inv_role role,
                                 enum inv_role *was, struct inv_err *err)
{
	return sq_member_role(st->impl, who, login, role, was, err);
}

static enum inv_rc t_memberships(struct store *st, struct membership *out,
                                 size_t max, size_t *n, struct inv_err *err)
{
	return sq_memberships(st->impl, out, max, n, err);
}

static enum inv_rc t_page(struct store *st, const struct identity *who,
                          enum inv_view view, const char *filter,
                          int64_t anchor, enum page_dir dir,
                          struct invoice *rows, size_t limit, size_t *n,
                          struct inv_err *err)
{
	return sq_page(st->impl, who, view, filter, anchor, dir, rows, limit, n,
	               err);
}

static enum inv_rc t_get(struct store *st, const struct identity *who,
                         int64_t id, struct invoice *out, struct inv_err *err)
{
	return sq_get(st->impl, who, id, out, err);
}

static enum inv_rc t_find(struct store *st, const struct identity *who,
                          const char *ref, struct invoice *out,
                          struct inv_err *err)
{
	return sq_find(st->impl, who, ref, out, err);
}

static enum inv_rc t_summary(struct store *st, const struct identity *who,
                             struct summary *out, struct inv_err *err)
{
	return sq_summary(st->impl, who, out, err);
}

static enum inv_rc t_summary_recount(struct store *st,
                                     const struct identity *who,
                                     struct summary *out, struct inv_err *err)
{
	return sq_summary_recount(st->impl, who, out, err);
}

static enum inv_rc t_edit_fields(struct store *st, const struct identity *who,
                                 int64_t id, int64_t version,
                                 const struct invoice_input *in,
                                 unsigned fields, int flags,
                                 struct write_result *res, struct inv_err *err)
{
	return sq_edit_fields(st->impl, who, id, version, in, fields, flags,
	                      res, err);
}

static enum inv_rc t_revert_plan(struct store *st, const struct identity *who,
                                 int64_t id, int64_t to_version,
                                 struct revert_plan *out, struct inv_err *err)
{
	return sq_revert_plan(st->impl, who, id, to_version, out, err);
}

static enum inv_rc t_revert(struct store *st, const struct identity *who,
                            int64_t id, int64_t to_version, int64_t version,
                            struct revert_plan *plan, struct write_result *res,
                            struct inv_err *err)
{
	return sq_revert(st->impl, who, id, to_version, version, plan, res,
	                 err);
}

static enum inv_rc t_create(struct store *st, const struct identity *who,
                            const char *token, const char *number,
                            const struct invoice_input *in,
                            struct write_result *res, struct inv_err *err)
{
	return sq_create(st->impl, who, token, number, in, res, err);
}

static enum inv_rc t_audit_tail(struct store *st, const struct identity *who,
                                int64_t subject, struct audit_entry *out,
                                size_t max, size_t *n, struct inv_err *err)
{
	return sq_audit_tail(st->impl, who, subject, out, max, n, err);
}

static enum inv_rc t_audit_explain(struct store *st, const char *detail,
                                   char currency[4],
                                   const struct money_style *style,
                                   char *out, size_t size,
                                   struct inv_err *err)
{
	return sq_audit_explain(st->impl, detail, currency, style, out, size,
	                        err);
}

static int t_wakeup_fd(struct store *st)
{
	return sq_wakeup_fd(st->impl);
}

static enum inv_rc t_wakeup_check(struct store *st, bool *changed, int *next_ms,
                                  struct inv_err *err)
{
	return sq_wakeup_check(st->impl, changed, next_ms, err);
}

static bool t_wakeup_polling(struct store *st, char *why, size_t size)
{
	return sq_wakeup_polling(st->impl, why, size);
}

static enum inv_rc t_changes_since(struct store *st, const struct identity *who,
                                   int64_t after, struct change *out,
                                   size_t max, size_t *n, struct inv_err *err)
{
	return sq_changes_since(st->impl, who, after, out, max, n, err);
}

static enum inv_rc t_changes_head(struct store *st, int64_t *out,
                                  struct inv_err *err)
{
	return sq_changes_head(st->impl, out, err);
}

static enum inv_rc t_draft_save(struct store *st, const struct identity *who,
                                const struct draft *d, int64_t version,
                                int64_t *new_version, struct draft *current,
                                struct inv_err *err)
{
	return sq_draft_save(st->impl, who, d, version, new_version, current,
	                     err);
}

static enum inv_rc t_draft_load(struct store *st, const struct identity *who,
                                int64_t invoice_id, const char *token,
                                struct draft *out, struct inv_err *err)
{
	return sq_draft_load(st->impl, who, invoice_id, token, out, err);
}

static enum inv_rc t_draft_discard(struct store *st, const struct identity *who,
                                   int64_t invoice_id, const char *token,
                                   struct inv_err *err)
{
	return sq_draft_discard(st->impl, who, invoice_id, token, err);
}

static enum inv_rc t_presence_enter(struct store *st,
                                    const struct identity *who,
                                    int64_t invoice_id, const char *face,
                                    struct presence **out, struct inv_err *err)
{
	return sq_presence_enter(st->impl, who, invoice_id, face, out, err);
}

static enum inv_rc t_presence_list(struct store *st, const struct identity *who,
                                   int64_t invoice_id,
                                   struct presence_entry *out, size_t max,
                                   size_t *n, struct inv_err *err)
{
	return sq_presence_list(st->impl, who, invoice_id, out, max, n, err);
}

static enum inv_rc t_check_run(struct store *st, const struct identity *who,
                               struct check_report *out, struct inv_err *err)
{
	return sq_check_run(st->impl, who, out, err);
}

static enum inv_rc t_check_repair(struct store *st, const struct identity *who,
                                  struct check_report *out, struct inv_err *err)
{
	return sq_check_repair(st->impl, who, out, err);
}

static enum inv_rc t_add_member(struct store *st, const char *user,
                                const char *org, enum inv_role role,
                                struct inv_err *err)
{
	return sq_add_member(st->impl, user, org, role, err);
}

static enum inv_rc t_export_rows(struct store *st, copy_sink *sink, void *ctx,
                                 struct inv_err *err)
{
	return sq_export_rows(st->impl, sink, ctx, err);
}

static enum inv_rc t_import_begin(struct store *st, void **state,
                                  struct inv_err *err)
{
	return sq_import_begin(st->impl, state, err);
}

static enum inv_rc t_import_rows(struct store *st, void *state,
                                 const struct copy_record *recs, size_t n,
                                 struct inv_err *err)
{
	return sq_import_rows(st->impl, state, recs, n, err);
}

static enum inv_rc t_import_end(struct store *st, void *state, bool commit,
                                struct inv_err *err)
{
	return sq_import_end(st->impl, state, commit, err);
}

const struct store_backend store_backend_sqlite = {
    .name = "sqlite",
    .accepts = t_accepts,
    .process_setup = sq_process_setup,
    .open = t_open,
    .close = t_close,
    .seed_demo = t_seed_demo,
    .is_demo = t_is_demo,
    .demo_present = t_demo_present,
    .drift = t_drift,
    .hold_lock = t_hold_lock,
    .identity = t_identity,
    .org_create = t_org_create,
    .members = t_members,
    .member_add = t_member_add,
    .member_remove = t_member_remove,
    .member_role = t_member_role,
    .memberships = t_memberships,
    .page = t_page,
    .get = t_get,
    .find = t_find,
    .summary = t_summary,
    .summary_recount = t_summary_recount,
    .edit_fields = t_edit_fields,
    .lifecycle = t_lifecycle,
    .revert_plan = t_revert_plan,
    .revert = t_revert,
    .create = t_create,
    .audit_tail = t_audit_tail,
    .audit_explain = t_audit_explain,
    .wakeup_fd = t_wakeup_fd,
    .wakeup_check = t_wakeup_check,
    .wakeup_polling = t_wakeup_polling,
    .changes_since = t_changes_since,
    .changes_head = t_changes_head,
    .draft_save = t_draft_save,
    .draft_load = t_draft_load,
    .draft_discard = t_draft_discard,
    .presence_enter = t_presence_enter,
    .presence_leave = sq_presence_leave,
    .presence_list = t_presence_list,
    .check_run = t_check_run,
    .check_repair = t_check_repair,
    .add_member = t_add_member,
    .engine_handle = t_engine_handle,
    .export_rows = t_export_rows,
    .import_begin = t_import_begin,
    .import_rows = t_import_rows,
    .import_end = t_import_end,
};
