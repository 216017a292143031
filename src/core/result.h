/*
 * result.h - result codes and error values shared by every core call.
 *
 * The core never prints and never exits: every fallible call returns an
 * enum inv_rc and fills a struct inv_err that carries a human message (already
 * translated) and, for `invalid`, the name of the offending field.  The faces
 * decide how to show it; inv_rc_exit_code() gives the command line's exit
 * code for each result (SPEC 5).
 */
#ifndef INVED_RESULT_H
#define INVED_RESULT_H

#include <stddef.h>

enum inv_rc {
	INV_OK = 0,
	INV_NOT_FOUND,  /* no such row for this session's org (or deleted, for edit) */
	INV_CONFLICT,   /* stale version or a row already in the target state */
	INV_FORBIDDEN,  /* role too low, or no membership */
	INV_INVALID,    /* bad input; err.field names the field */
	INV_BUSY,       /* the database stayed locked past the busy timeout */
	INV_ERROR,      /* anything unexpected: I/O, corrupt file, bug */
	INV_DAMAGED,    /* the file's safeguards (triggers, indexes, views,
	                 * history) fail `inved check`; nothing was written */
};

struct inv_err {
	enum inv_rc rc;
	char field[32]; /* "customer", "total", ... for INV_INVALID; else "" */
	char msg[512];  /* translated, one line, no trailing period required */
};

/* Fill err (which may be NULL) and return rc, so callers can write
 * `return inv_err_set(err, INV_INVALID, "total", _("..."), ...);`. */
enum inv_rc inv_err_set(struct inv_err *err, enum inv_rc rc, const char *field,
                        const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void inv_err_clear(struct inv_err *err);

/* Stable lower-case names used in JSON: "ok", "not_found", "conflict",
 * "forbidden", "invalid", "busy", "error", "damaged". */
const char *inv_rc_name(enum inv_rc rc);

/* SPEC 5: 0 ok, 1 unexpected, 2 invalid/usage, 3 conflict, 4 not found,
 * 5 forbidden, 6 busy; and 7 damaged (the integrity check fails). */
int inv_rc_exit_code(enum inv_rc rc);

#endif
