/*
 * cli_internal.h - what the command files share: the state of one command
 * run, the common steps (open the store as the session's identity, resolve
 * a REF, report a failure), and the printers for invoices.  Only src/cli
 * includes this.
 */
#ifndef INVED_CLI_INTERNAL_H
#define INVED_CLI_INTERNAL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/i18n.h"
#include "../core/identity.h"
#include "../core/invoice.h"
#include "../core/money.h"
#include "../core/result.h"
#include "../core/store.h"
#include "cli.h"
#include "json.h"

/* One command run. */
struct cli {
	const struct cli_globals *g;
	const char *cmd;      /* the command's name, for messages */
	bool json;            /* --json: one JSON object on stdout */
	struct store *st;     /* NULL until cli_session_open */
	struct identity who;
	bool seen[128];       /* options with a value already given */
};

/* The commands, one function each (argv[0] is the command's name). */
int cli_init(const struct cli_globals *g, int argc, char **argv);
int cli_list(const struct cli_globals *g, int argc, char **argv);
int cli_show(const struct cli_globals *g, int argc, char **argv);
int cli_edit(const struct cli_globals *g, int argc, char **argv);
int cli_archive(const struct cli_globals *g, int argc, char **argv);
int cli_restore(const struct cli_globals *g, int argc, char **argv);
int cli_delete(const struct cli_globals *g, int argc, char **argv);
int cli_create(const struct cli_globals *g, int argc, char **argv);
int cli_drift(const struct cli_globals *g, int argc, char **argv);
int cli_revert(const struct cli_globals *g, int argc, char **argv);
int cli_history(const struct cli_globals *g, int argc, char **argv);
int cli_audit(const struct cli_globals *g, int argc, char **argv);
int cli_member(const struct cli_globals *g, int argc, char **argv);
int cli_check(const struct cli_globals *g, int argc, char **argv);
int cli_watch(const struct cli_globals *g, int argc, char **argv);
int cli_copy(const struct cli_globals *g, int argc, char **argv);

/* ---- common steps (cli.c) ------------------------------------------------ */

/* Start a run: names the command and notes --json before the options are
 * parsed, so even a usage error answers in JSON when JSON was asked for.
 * Also resets getopt for the command's own options. */
void cli_begin(struct cli *c, const struct cli_globals *g, int argc,
               char **argv);

/* Open the existing database and resolve the identity; on failure the
 * problem is reported and its exit code returned (0 on success). */
int cli_session_open(struct cli *c);
void cli_session_close(struct cli *c);

/* Flush stdout and turn a failed write (a full disk, a closed pipe) into
 * exit code 1; returns code otherwise. */
int cli_end(struct cli *c, int code);

/* Report a core failure: "inved: MESSAGE" on stderr, or the JSON error
 * object.  current (may be NULL) is the row the database holds now; when
 * asked_version > 0 and differs from it, the retry hint names the version
 * to use.  Returns the exit code. */
int cli_fail(struct cli *c, enum inv_rc rc, const struct inv_err *err,
             const struct invoice *current, int64_t asked_version);

/* Report a usage problem (exit 2); field names the option or argument in
 * the JSON error object. */
int cli_usage_error(struct cli *c, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report what getopt_long refused (ch is '?' or ':'); exit 2. */
int cli_option_error(struct cli *c, int ch, char **argv);

/* Refuse an option that takes a value when it comes a second time (which
 * of two values was meant cannot be told); ch is what getopt_long returned
 * for an entry of opts.  Returns 2 after reporting, or 0. */
int cli_option_once(struct cli *c, int ch, const struct option *opts);

/* Refuse positional arguments beyond the first `want` (exit 2), or 0. */
int cli_extra_args(struct cli *c, int argc, char **argv, int want);

/* Parse a whole decimal number in [min, max]: digits only, no sign, no
 * spaces. */
bool cli_parse_int(const char *text, int64_t min, int64_t max, int64_t *out);

/* Parse --version N (a positive whole number); reports and returns 2 on
 * refusal, 0 on success. */
int cli_parse_version(struct cli *c, const char *text, int64_t *out);

/* Resolve REF (id or live number) in the session's org; reports and
 * returns the exit code on failure, 0 on success. */
int cli_resolve(struct cli *c, const char *ref, struct invoice *out);
/* The start of a command that takes only --json and one REF: parse,
 * open the session and resolve REF.  0: the session is open and *inv holds
 * the invoice; otherwise the exit code to return (the session is closed).
 * missing is the message when REF is absent. */
int cli_ref_command(struct cli *c, const struct cli_globals *g, int argc,
                    char **argv, const char *missing, struct invoice *inv);

/* ---- printing (print.c) -------------------------------------------------- */

/* The invoice as a JSON object value (SPEC 5's invoice shape). */
void print_invoice_json(struct json *j, const struct invoice *inv);

/* The invoice as an indented block of labelled lines. */
void print_invoice_block(FILE *out, const struct invoice *inv);

/* "1,234.50 EUR" into buf (at least PRINT_TOTAL_MAX bytes). */
#define PRINT_TOTAL_MAX (MONEY_TEXT_MAX + 8)
void print_total(const struct invoice *inv, char *buf, size_t len);

/* Terminal columns the UTF-8 text takes. */
int print_width(const char *s);

/* Bytes a buffer needs for text_visible() of text up to n bytes long:
 * each byte may become a 4-byte escape ("\xff"), or a 3-byte character a
 * 6-byte one ("\u202e"). */
#define PRINT_VISIBLE_MAX(n) ((n) * 4 + 1)

/* Write s as text_visible() shows it (unsafe characters escaped). */
void print_text(FILE *out, const char *s);

/* Write the start of s that fits in `width` columns, as print_text does,
 * without padding or ellipsis. */
void print_prefix(FILE *out, const char *s, int width);

/* Write s in exactly `width` columns: padded on the left (right_align) or
 * the right, or cut with an ellipsis when wider. */
void print_cell(FILE *out, const char *s, int width, bool right_align);

/* The audit entry's detail as a JSON value: embedded as it is when it is
 * valid JSON, as a string otherwise, null when empty. */
void print_detail_json(struct json *j, const char *detail);

#endif
