/*
 * result.c - error values: filling them, naming them, and mapping them to the
 * command line's exit codes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "result.h"

enum inv_rc inv_err_set(struct inv_err *err, enum inv_rc rc, const char *field,
                        const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return rc;
	err->rc = rc;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return rc;
}

void inv_err_clear(struct inv_err *err)
{
	if (!err)
		return;
	err->rc = INV_OK;
	err->field[0] = '\0';
	err->msg[0] = '\0';
}

const char *inv_rc_name(enum inv_rc rc)
{
	switch (rc) {
	case INV_OK: return "ok";
	case INV_NOT_FOUND: return "not_found";
	case INV_CONFLICT: return "conflict";
	case INV_FORBIDDEN: return "forbidden";
	case INV_INVALID: return "invalid";
	case INV_BUSY: return "busy";
	case INV_DAMAGED: return "damaged";
	case INV_ERROR: break;
	}
	return "error";
}

int inv_rc_exit_code(enum inv_rc rc)
{
	switch (rc) {
	case INV_OK: return 0;
	case INV_INVALID: return 2;
	case INV_CONFLICT: return 3;
	case INV_NOT_FOUND: return 4;
	case INV_FORBIDDEN: return 5;
	case INV_BUSY: return 6;
	case INV_DAMAGED: return 7;
	case INV_ERROR: break;
	}
	return 1;
}
