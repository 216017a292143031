/*
 * table.c - the PostgreSQL backend's entry in the backend table
 * (backend.h): which locations it serves (postgresql:// and postgres://
 * URIs), and each operation of store.h handed to its pgstore_* call, with
 * the connection (struct pg_store) taken from st->impl.  An operation the
 * backend does not serve yet is NULL here; store.c refuses it by name.
 */
#include "backend.h"
#include "pgstore.h"

static bool t_accepts(const char *location)
{
	return pgstore_accepts(location);
}

static enum inv_rc t_open(struct store *st, struct inv_err *err)
{
	struct pg_store *q = NULL;
	enum inv_rc rc = pgstore_open(st->location, st->opt.flags,
	                              st->opt.busy_timeout_ms, &q, err);

	st->impl = q;
	return rc;
}

static void t_close(struct store *st)
{
	pgstore_close(st->impl);
	st->impl = NULL;
}

static bool t_is_demo(struct store *st)
{
	return pgstore_is_demo(st->impl);
}

static enum inv_rc t_identity(struct store *st, const char *user,
                              const char *org, struct identity *out,
                              struct inv_err *err)
{
	return pgstore_identity(st->impl, user, org, out, err);
}

static enum inv_rc t_member_add(struct store *st, const struct identity *who,
                                const char *login, enum inv_role role,
                                struct inv_err *err)
{
	return pgstore_member_add(st->impl, who, login, role, err);
}

static enum inv_rc t_page(struct store *st, const struct identity *who,
                          enum inv_view view, const char *filter,
                          int64_t anchor, enum page_dir dir,
                          struct invoice *rows, size_t limit, size_t *n,
                          struct inv_err *err)
{
	return pgstore_page(st->impl, who, view, filter, anchor, dir, rows,
	                    limit, n, err);
}

static enum inv_rc t_get(struct store *st, const struct identity *who,
                         int64_t id, struct invoice *out, struct inv_err *err)
{
	return pgstore_get(st->impl, who, id, out, err);
}

static enum inv_rc t_summary(struct store *st, const struct identity *who,
                             struct summary *out, struct inv_err *err)
{
	return pgstore_summary(st->impl, who, out, err);
}

static enum inv_rc t_edit_fields(struct store *st, const struct identity *who,
                                 int64_t id, int64_t version,
                                 const struct invoice_input *in,
                                 unsigned fields, int flags,
                                 struct write_result *res, struct inv_err *err)
{
	return pgstore_edit_fields(st->impl, who, id, version, in, fields,
	                           flags, res, err);
}

static enum inv_rc t_lifecycle(struct store *st, const struct identity *who,
                               enum rule_op op, int64_t id, int64_t version,
                               struct write_result *res, struct inv_err *err)
{
	return pgstore_lifecycle(st->impl, who, op, id, version, res, err);
}

static enum inv_rc t_create(struct store *st, const struct identity *who,
                            const char *token, const char *number,
                            const struct invoice_input *in,
                            struct write_result *res, struct inv_err *err)
{
	return pgstore_create(st->impl, who, token, number, in, res, err);
}

static int t_wakeup_fd(struct store *st)
{
	return pgstore_wakeup_fd(st->impl);
}

static enum inv_rc t_wakeup_check(struct store *st, bool *changed, int *next_ms,
                                  struct inv_err *err)
{
	/* NOTIFY arrives after the commit: nothing to confirm later */
	if (next_ms)
		*next_ms = -1;
	return pgstore_wakeup_check(st->impl, changed, err);
}

static bool t_wakeup_polling(struct store *st, char *why, size_t size)
{
	(void)st;
	if (size > 0)
		why[0] = '\0';
	return false;
}

static enum inv_rc t_changes_since(struct store *st, const struct identity *who,
                                   int64_t after, struct change *out,
                                   size_t max, size_t *n, struct inv_err *err)
{
	return pgstore_changes_since(st->impl, who, after, out, max, n, err);
}

const struct store_backend store_backend_pg = {
    .name = "postgresql",
    .accepts = t_accepts,
    .open = t_open,
    .close = t_close,
    .is_demo = t_is_demo,
    .identity = t_identity,
    .member_add = t_member_add,
    .page = t_page,
    .get = t_get,
    .summary = t_summary,
    .edit_fields = t_edit_fields,
    .lifecycle = t_lifecycle,
    .create = t_create,
    .wakeup_fd = t_wakeup_fd,
    .wakeup_check = t_wakeup_check,
    .wakeup_polling = t_wakeup_polling,
    .changes_since = t_changes_since,
};
