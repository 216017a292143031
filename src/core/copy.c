/*
 * copy.c - store_copy (store_copy.h): the source's export streamed into
 * the target's import a batch at a time, then the target's integrity
 * check.  The rows' form is copy_record.h; each backend reads and writes
 * it in backend.h's export_rows and import_* operations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "i18n.h"

const struct copy_table copy_tables[COPY__KINDS] = {
	[COPY_META] = {"meta", "key", 2, {{"key", 't'}, {"value", 't'}}},
	[COPY_ORG] = {"orgs", "id", 4,
		{{"id", 'i'}, {"name", 't'}, {"prefix", 't'},
		 {"next_number", 'i'}}},
	[COPY_USER] = {"users", "id", 2, {{"id", 'i'}, {"name", 't'}}},
	[COPY_MEMBERSHIP] = {"memberships", "user_id, org_id", 3,
		{{"user_id", 'i'}, {"org_id", 'i'}, {"role", 't'}}},
	[COPY_INVOICE] = {"invoices", "id", 12,
		{{"id", 'i'}, {"org_id", 'i'}, {"number", 't'},
		 {"customer", 't'}, {"status", 't'}, {"total_minor", 'i'},
		 {"currency", 't'}, {"version", 'i'}, {"created_at", 'T'},
		 {"updated_at", 'T'}, {"archived_at", 'T'},
		 {"deleted_at", 'T'}}},
	[COPY_AUDIT] = {"audit", "seq", 10,
		{{"seq", 'i'}, {"at", 'T'}, {"org_id", 'i'},
		 {"actor_user_id", 'i'}, {"actor", 't'}, {"action", 't'},
		 {"subject_id", 'i'}, {"from_version", 'i'},
		 {"to_version", 'i'}, {"detail", 't'}}},
	[COPY_REQUEST] = {"requests", "org_id, token", 5,
		{{"org_id", 'i'}, {"token", 't'}, {"user_id", 'i'},
		 {"invoice_id", 'i'}, {"at", 'T'}}},
	[COPY_DRAFT] = {"drafts", "user_id, org_id, invoice_id, token", 9,
		{{"user_id", 'i'}, {"org_id", 'i'}, {"invoice_id", 'i'},
		 {"token", 't'}, {"version", 'i'}, {"base_version", 'i'},
		 {"base_body", 't'}, {"body", 't'}, {"saved_at", 'T'}}},
};

const char *copy_kind_name(enum copy_kind kind)
{
	return kind < COPY__KINDS ? copy_tables[kind].table : "?";
}

/* How many records travel together: a round trip to a server per batch,
 * at most a few MB held (a draft's two bodies are the largest values). */
#define COPY_BATCH 1000

struct copy_run {
	struct store *to;
	void *state;
	struct copy_record rec[COPY_BATCH];
	size_t n;
	struct copy_report *out;
};

static void batch_free(struct copy_run *run)
{
	size_t i, c;

	for (i = 0; i < run->n; i++)
		for (c = 0; c < COPY_COLS_MAX; c++)
			free((char *)run->rec[i].v[c]);
	run->n = 0;
}

static enum inv_rc batch_flush(struct copy_run *run, struct inv_err *err)
{
	enum inv_rc rc = INV_OK;

	if (run->n > 0)
		rc = run->to->be->import_rows(run->to, run->state, run->rec,
		                              run->n, err);
	batch_free(run);
	return rc;
}

/* The export's sink: the record copied into the batch, which goes to the
 * target when full. */
static enum inv_rc copy_take(void *ctx, const struct copy_record *rec,
                             struct inv_err *err)
{
	struct copy_run *run = ctx;
	struct copy_record *r = &run->rec[run->n];
	size_t c, ncols;

	if (rec->kind >= COPY__KINDS)
		return inv_err_set(err, INV_ERROR, "",
			_("the copy met a row of an unknown kind"));
	ncols = copy_tables[rec->kind].ncols;
	memset(r, 0, sizeof *r);
	r->kind = rec->kind;
	run->n++;
	for (c = 0; c < ncols; c++) {
		if (!rec->v[c])
			continue;
		r->v[c] = strdup(rec->v[c]);
		if (!r->v[c])
			return inv_err_set(err, INV_ERROR, "",
				_("out of memory"));
	}
	run->out->count[rec->kind]++;
	if (run->n == COPY_BATCH)
		return batch_flush(run, err);
	return INV_OK;
}

static enum inv_rc not_served(const struct store *st, struct inv_err *err)
{
	return inv_err_set(err, INV_ERROR, "",
		_("copying is not available on the %s backend yet"),
		st->be->name);
}

enum inv_rc store_copy(const char *from, const char *to,
                       const struct store_options *opt,
                       struct copy_report *out, struct inv_err *err)
{
	struct store_options o = {STORE_OPEN_EXISTING,
	                          opt ? opt->busy_timeout_ms : 0};
	struct store *src = NULL, *dst = NULL;
	struct copy_run *run;
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	if (!from || !*from || !to || !*to)
		return inv_err_set(err, INV_INVALID, "usage",
			_("copy needs a source and a target"));
	if (strcmp(from, to) == 0)
		return inv_err_set(err, INV_INVALID, "to",
			_("the source and the target are the same database; "
			  "name another target"));
	/* The source first: a missing one creates no target. */
	rc = store_open(from, &o, &src, err);
	if (rc != INV_OK)
		return rc;
	o.flags = STORE_OPEN_CREATE;
	rc = store_open(to, &o, &dst, err);
	if (rc != INV_OK) {
		store_close(src);
		return rc;
	}
	if (!src->be->export_rows) {
		rc = not_served(src, err);
		goto done;
	}
	if (!dst->be->import_begin || !dst->be->import_rows ||
	    !dst->be->import_end) {
		rc = not_served(dst, err);
		goto done;
	}
	snprintf(out->from_backend, sizeof out->from_backend, "%s",
	         src->be->name);
	snprintf(out->to_backend, sizeof out->to_backend, "%s", dst->be->name);
	run = calloc(1, sizeof *run);
	if (!run) {
		rc = inv_err_set(err, INV_ERROR, "", _("out of memory"));
		goto done;
	}
	run->to = dst;
	run->out = out;
	rc = dst->be->import_begin(dst, &run->state, err);
	if (rc == INV_OK) {
		enum inv_rc end;

		rc = src->be->export_rows(src, copy_take, run, err);
		if (rc == INV_OK)
			rc = batch_flush(run, err);
		batch_free(run);
		/* the first failure is the one reported */
		end = dst->be->import_end(dst, run->state, rc == INV_OK,
		                          rc == INV_OK ? err : NULL);
		if (rc == INV_OK)
			rc = end;
	}
	free(run);
	if (rc == INV_OK)
		rc = store_check_run(dst, NULL, &out->check, err);
done:
	store_close(dst);
	store_close(src);
	return rc;
}
