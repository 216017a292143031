/*
 * tui_internal.h - what the screens of the terminal interface share.
 *
 * One file per screen (table.c, form.c, conflict.c, inspector.c, help.c,
 * history.c, draftconf.c, confirm.c) over shared machinery: app.c (state,
 * the event loop and key dispatch), keymap.c (the keys of every screen,
 * which the handlers, the hint rows and the help all read), draw.c
 * (colours, width-aware text),
 * text.c (UTF-8 <-> wide characters), lineedit.c (the shell-like line
 * editor), layer.c (overlay panels), toast.c, and writer.c (the background
 * writer thread with its own store connection).
 *
 * Invariants the screens rely on:
 * - Only the main thread touches curses, the cache, the feed and app->st
 *   (asserted: app_on_main_thread()).  The writer thread owns its own
 *   struct store and talks to the main thread only through its queues and
 *   the notify pipe; it, like every thread of ours, blocks the signals the
 *   main thread handles.
 * - The screen from the bottom: the key hints, the summary, the filter
 *   line and the message row of the toasts; above them the stage, which
 *   the table and every panel keep to.
 * - Nothing is drawn outside app_draw(); handlers change state and set
 *   app->dirty, so a frame shows the whole consequence of an event.  The
 *   one exception is the freshness strip turning over with time, which
 *   app_draw_strip() redraws alone (an idle screen's only repaint).
 */
#ifndef INVED_TUI_INTERNAL_H
#define INVED_TUI_INTERNAL_H

#include <curses.h>
#include <panel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../core/cache.h"
#include "../core/feed.h"
#include "../core/i18n.h"
#include "../core/identity.h"
#include "../core/invoice.h"
#include "../core/jsoncodec.h"
#include "../core/l10n.h"
#include "../core/merge.h"
#include "../core/money.h"
#include "../core/rules.h"
#include "../core/store.h"
#include "../core/store_demo.h"
#include "tui.h"

/* The smallest screen the interface lays itself out on; below it only a
 * "Terminal too small" notice is drawn. */
#define TUI_MIN_COLS 40
#define TUI_MIN_LINES 12

/* The rows under the stage (the table, or the panels over it), from the
 * bottom: the key hints, the summary, the filter, and the message row the
 * toasts have to themselves.  No panel reaches below the stage, so a toast
 * never covers a panel's border, the summary or the hints. */
#define BOTTOM_ROWS 4
#define STAGE_LINES (LINES - BOTTOM_ROWS)
#define MESSAGE_ROW (LINES - 4)
#define FILTER_ROW (LINES - 3)
#define SUMMARY_ROW (LINES - 2)
#define HINTS_ROW (LINES - 1)

#define KEY_ESC 0x1b
#define CTRL(c) ((c) & 0x1f)

struct app;

/* ---- text.c: UTF-8 and display width ---------------------------------- */

/* Decode UTF-8 into at most max wide characters (invalid bytes become
 * TEXT_BAD_BYTE); returns how many were written.  out is not terminated. */
size_t text_to_wide(const char *s, wchar_t *out, size_t max);
/* Encode n wide characters as UTF-8 into out (always terminated); a
 * TEXT_BAD_BYTE is its byte again. */
void text_from_wide(const wchar_t *w, size_t n, char *out, size_t size);
/* Display columns of one character: 0 for combining marks, 2 for wide
 * ones, 1 for anything the locale cannot measure, and the length of its
 * escape for one that text_unsafe() names (it is drawn as the escape). */
int text_wchar_cols(wchar_t c);
/* Copy src into dst (size bytes, terminated), cutting at a character
 * boundary when it does not fit. */
void text_copy(char *dst, size_t size, const char *src);
/* Display columns of a UTF-8 string. */
int text_cols(const char *s);

/* ---- draw.c: colours and width-aware drawing ------------------------- */

enum draw_role {
	RO_NORMAL = 0,
	RO_TITLE,    /* identity line */
	RO_TAB,      /* the current view tab */
	RO_HEADER,   /* table header */
	RO_SELECTED, /* the selected row */
	RO_MUTED,    /* freshness, hints */
	RO_KEY,      /* a key name in the hints */
	RO_OK,       /* success toast */
	RO_ERROR,    /* refusal toast, field errors */
	RO_WARN,     /* waiting status, notices, demo marker */
	RO_DELETED,  /* the Deleted badge */
	RO_ARCHIVED, /* "Archived on ..." */
	RO_MARK,     /* changed-field marks in the conflict panel */
	RO_INPUT,    /* an input field */
	RO_FIELDERR, /* a message next to a field */
	RO__COUNT
};

enum draw_align { ALIGN_LEFT, ALIGN_RIGHT, ALIGN_CENTER };

void draw_init_colors(void);
attr_t draw_attr(enum draw_role role);
/* Draw s into exactly `width` columns at (y, x): truncated with an ellipsis
 * when wider, padded with spaces when narrower.  Never writes past width. */
void draw_text(WINDOW *w, int y, int x, int width, const char *s,
               enum draw_align align);
/* As draw_text with the attributes of role. */
void draw_text_role(WINDOW *w, int y, int x, int width, const char *s,
                    enum draw_align align, enum draw_role role);
/* Draw s at (y, x) clipped at the window's right edge (or at limit when
 * limit > 0); returns the column after the last character drawn. */
int draw_str(WINDOW *w, int y, int x, const char *s, enum draw_role role,
             int limit);
/* Draw s in full over as many lines of width columns as it needs (broken
 * at spaces where it can), at most max_lines; returns the lines used.
 * With w NULL nothing is drawn: the count lays out a panel. */
int draw_wrap(WINDOW *w, int y, int x, int width, const char *s,
              enum draw_role role, int max_lines);
/* A bordered box with a title on the top border. */
void draw_box(WINDOW *w, const char *title);
/* A row of "key label" hints that fits width; items the width cannot hold
 * are left out, except the last `keep` items, which are always shown. */
struct draw_hint {
	const char *key;
	const char *label;
};
void draw_hints(WINDOW *w, int y, int x, int width,
                const struct draw_hint *hints, size_t n, size_t keep);
/* A row of hints in their order that fits width: while it does not, the
 * hints of the highest drop[] rank above 0 are left out, all of that
 * rank at once; rank 0 is never left out. */
void draw_hints_ranked(WINDOW *w, int y, int x, int width,
                       const struct draw_hint *hints, const int *drop,
                       size_t n);
/* "3s", "20s", "4m", "2h": short ages for the freshness strip. */
void draw_age(int64_t ms, char *buf, size_t size);
/* Milliseconds until draw_age() of an age of ms shows another text. */
int64_t draw_age_next(int64_t ms);

/* ---- keymap.c: one table of keys per screen -------------------------- */

enum km_screen {
	KM_TABLE,
	KM_FORM,
	KM_CONFLICT,
	KM_HISTORY,
	KM_INSPECTOR,
	KM_HELP,
	KM_ANYWHERE,
	KM__COUNT
};

enum km_action {
	KA_NONE = 0,
	KA_DOWN, KA_UP, KA_PAGE_DOWN, KA_PAGE_UP, KA_FIRST, KA_LAST,
	KA_VIEW_ACTIVE, KA_VIEW_ARCHIVED, KA_VIEW_ALL, KA_VIEW_NEXT,
	KA_FILTER, KA_FILTER_CLEAR, KA_EDIT, KA_NEW, KA_ARCHIVE, KA_UNDO,
	KA_RESTORE, KA_DELETE, KA_HISTORY, KA_INSPECT, KA_SUMMARY_PAGE,
	KA_HELP, KA_QUIT, KA_CLOSE,
	KA_FIELD_NEXT, KA_FIELD_PREV, KA_SAVE, KA_DROPPED_BACK,
	KA_DROPPED_FORGET, KA_RESTORE_KEEP,
	KA_PICK_THEIRS, KA_PICK_YOURS, KA_APPLY, KA_USE_LATEST, KA_MERGE,
	KA_OVERWRITE,
	KA_REVERT,
	KA_DRIFT, KA_HOLD_LOCK, KA_SWITCH,
	KA_REDRAW, KA_INTERRUPT,
	KM_ACTIONS_MAX
};

#define KM_KEYS 6       /* keys of one help line */
#define KM_HINTS_MAX 12 /* hint positions of one row */

struct km_key {
	wint_t ch;
	bool fkey; /* ch is a KEY_* code */
};

/* One line of a screen's keys: what the help shows, the keys it binds
 * (up to KM_KEYS, ended by KA_NONE), the key's short name in hints
 * (hint_key), and its place in the screen's hint row when hint_pos > 0:
 * hint_pos orders the row (1, 2, ...), hint_rank says which give way
 * first on a narrow screen (the highest; 0 never), admin shows it to
 * admins only. */
struct km_entry {
	const char *keys_label;
	const char *help;
	struct {
		struct km_key key;
		enum km_action action;
	} keys[KM_KEYS];
	const char *hint_key;
	const char *hint;
	int hint_pos;
	int hint_rank;
	bool admin;
};

/* The action bound to a key on screen s, or KA_NONE. */
enum km_action keymap_action(enum km_screen s, wint_t ch, bool fkey);
/* The key a person is told to press for act on screen s ("a", "Tab"). */
const char *keymap_key_of(enum km_screen s, enum km_action act);
/* The hint row of screen s into hints and drop (ranks), at most max;
 * returns how many. */
size_t keymap_hints(enum km_screen s, bool admin, struct draw_hint *hints,
                    int *drop, size_t max);
/* The lines of screen s, for the help panel, and its heading. */
const struct km_entry *keymap_entries(enum km_screen s, size_t *n);
const char *keymap_title(enum km_screen s);

/* ---- lineedit.c: the shell-like line editor -------------------------- */

#define LINEEDIT_MAX 256

struct lineedit {
	wchar_t buf[LINEEDIT_MAX];
	int len;     /* characters in buf */
	int cur;     /* cursor, 0..len */
	int scroll;  /* first character shown */
	int max;     /* most characters accepted */
	bool upper;  /* fold typed letters to upper case (currency) */
};

void lineedit_init(struct lineedit *le, int max, bool upper);
void lineedit_set(struct lineedit *le, const char *s);
void lineedit_get(const struct lineedit *le, char *out, size_t size);
/* Handle one key; returns true when it was an editing key (whether or not
 * the text changed), *changed tells whether the text changed. */
bool lineedit_key(struct lineedit *le, wint_t ch, bool fkey, bool *changed);
/* Draw into width columns at (y, x); returns the cursor's column. */
int lineedit_draw(struct lineedit *le, WINDOW *w, int y, int x, int width,
                  enum draw_role role);

/* ---- layer.c: overlay panels ----------------------------------------- */

struct layer;

struct layer_ops {
	/* Lay out (size, position) and draw the layer's window. */
	void (*draw)(struct app *a, struct layer *l);
	/* Handle one key; the top layer gets every key. */
	void (*key)(struct app *a, struct layer *l, wint_t ch, bool fkey);
	/* Release data (may be NULL). */
	void (*release)(struct layer *l);
};

struct layer {
	const struct layer_ops *ops;
	WINDOW *win;
	PANEL *pan;
	void *data;
	/* Cursor to show (window coordinates), when cursor_on. */
	bool cursor_on;
	int cursor_y, cursor_x;
};

#define LAYER_MAX 8

struct layer *layer_push(struct app *a, const struct layer_ops *ops,
                         void *data);
void layer_pop(struct app *a);
/* Remove every layer whose ops are ops (e.g. close a panel that lost its
 * reason to exist). */
void layer_remove_ops(struct app *a, const struct layer_ops *ops);
struct layer *layer_top(struct app *a);
struct layer *layer_find(struct app *a, const struct layer_ops *ops);
/* Size the layer's window to h x w on the stage (clamped to it: the rows
 * below the stage stay visible), centred under the tabs when it fits
 * there; creating or resizing it, then erasing it. */
void layer_place(struct layer *l, int h, int w);
void layer_free_all(struct app *a);

/* ---- toast.c ---------------------------------------------------------- */

#define TOAST_MAX 3
#define TOAST_MS 3000
#define UNDO_MS 8000 /* how long an archive's toast offers `u` undo */
#define TOAST_TEXT 256

enum toast_kind { TOAST_OK, TOAST_ERROR, TOAST_INFO };

struct toast {
	char text[TOAST_TEXT];
	enum toast_kind kind;
	int64_t expires_ms;
	int64_t about; /* the invoice id whose shown state it speaks of, or 0 */
	WINDOW *win;
	PANEL *pan;
};

void toast_show(struct app *a, enum toast_kind kind, const char *text);
/* As toast_show, shown for ms instead of TOAST_MS. */
void toast_show_for(struct app *a, enum toast_kind kind, const char *text,
                    int64_t ms);
/* As toast_show, about what the screen shows of invoice id: it is taken
 * back by toast_withdraw_about() once the screen shows otherwise. */
void toast_show_about(struct app *a, enum toast_kind kind, const char *text,
                      int64_t id);
/* Take back the toasts about invoice id (0: every toast about any). */
void toast_withdraw_about(struct app *a, int64_t id);
/* Take back the toasts that say text (an offer no longer open). */
void toast_withdraw(struct app *a, const char *text);
/* Drop expired toasts; true when any went. */
bool toast_expire(struct app *a, int64_t now);
void toast_draw(struct app *a);
void toast_free_all(struct app *a);
/* Milliseconds until the next toast expires, or -1. */
int64_t toast_next_ms(struct app *a, int64_t now);

/* ---- writer.c: the background writer --------------------------------- */

enum wreq_kind {
	W_EDIT,
	W_CREATE,
	W_ARCHIVE,
	W_RESTORE,
	W_DELETE,
	W_DRAFT_SAVE,
	W_DRAFT_DISCARD,
	W_DRIFT,
	W_REVERT,
};

struct wreq {
	enum wreq_kind kind;
	uint64_t form_serial; /* the form a result belongs to (0: none) */
	struct identity who;
	int64_t id;
	int64_t version;
	int flags;
	unsigned fields; /* W_EDIT: the set of fields to write (merge_field) */
	char customer[CUSTOMER_MAX_BYTES + 1];
	char status[16];
	char total[64];
	char currency[8];
	char number[NUMBER_MAX_BYTES + 1];
	char token[DRAFT_TOKEN_MAX + 1];
	int64_t base_version;
	int64_t to_version; /* W_REVERT */
	char base_body[DRAFT_BODY_MAX]; /* the values the form was loaded from */
	char body[DRAFT_BODY_MAX];
};

struct wres {
	struct wreq req;
	enum inv_rc rc;
	struct inv_err err;
	struct write_result res;
	int64_t draft_version; /* W_DRAFT_SAVE ok: the new draft version */
	struct draft draft;    /* W_DRAFT_SAVE conflict: the stored draft */
};

struct writer;

/* Start the writer thread; it opens its own connection, a peer of st
 * (which must outlive the writer), waiting for locks longer than st does
 * unless the operator gave the busy timeout (busy_given). */
struct writer *writer_start(struct store *st, bool busy_given, int notify_fd);
/* Queue a request (copied); false when the queue is full. */
bool writer_submit(struct writer *w, const struct wreq *req);
/* Take one finished result; false when none is waiting. */
bool writer_take(struct writer *w, struct wres *out);
/* When the request in progress started (ms), or 0 when idle. */
int64_t writer_busy_since(struct writer *w);
/* Finish the queued requests, then stop and free; but wait at most
 * timeout_ms for that.  Returns false when a write was still running at
 * the deadline: it is left to the thread, which the process's exit ends
 * (SQLite then rolls its transaction back), and w is not freed. */
bool writer_stop(struct writer *w, int timeout_ms);

/* The notify pipe: any thread (and the signal handler) wakes the main loop
 * with one byte. */
#define NOTIFY_WRITER 'w'
#define NOTIFY_LOCK 'l'
#define NOTIFY_SIGNAL 's'
void notify_set_fd(int fd);
void notify_post(char what);
/* Hold the database's write lock for ms on a detached thread (SPEC 4.5). */
bool writer_hold_lock(struct store *st, int ms);

/* ---- table.c ---------------------------------------------------------- */

#define TABLE_ROWS_MAX 200
#define TABLE_HIDDEN_MAX 16
#define TABLE_DRIFT_MAX 8

struct drift_mark {
	int64_t id;
	struct invoice shown; /* the row as this screen showed it */
};

struct table {
	struct invoice rows[TABLE_ROWS_MAX];
	size_t n;
	int sel;
	int64_t top_id; /* id of the first row shown; 0: the view's start */
	char filter[LINEEDIT_MAX * 4];
	struct lineedit filter_le;
	bool filter_editing;
	/* Rows removed optimistically while their archive is in flight. */
	int64_t hidden[TABLE_HIDDEN_MAX];
	size_t nhidden;
	/* Rows whose forced drift this screen deliberately does not show. */
	struct drift_mark drift[TABLE_DRIFT_MAX];
	size_t ndrift;
	bool reload; /* a local reason to re-read the page */
	int64_t want_sel; /* select this id at the next reload (0: none) */
	/* scratch for page reads */
	struct invoice scratch[TABLE_ROWS_MAX + TABLE_HIDDEN_MAX];
};

int table_height(void);
void table_reset(struct app *a);
void table_reload(struct app *a);
void table_select_id(struct app *a, int64_t id);
const struct invoice *table_selected(struct app *a);
void table_hide(struct app *a, int64_t id);
void table_unhide(struct app *a, int64_t id);
void table_drift_mark(struct app *a, const struct invoice *shown);
bool table_drift_unmark(struct app *a, int64_t id);
const struct invoice *table_drift_find(struct app *a, int64_t id);
void table_draw(struct app *a, WINDOW *w, int y, int h);
int table_draw_filter(struct app *a, WINDOW *w, int y);
/* Keys of the table screen; false when the key is not the table's. */
bool table_key(struct app *a, wint_t ch, bool fkey);

/* ---- form.c ----------------------------------------------------------- */

enum form_field {
	FF_CUSTOMER = 0,
	FF_STATUS,
	FF_TOTAL,
	FF_CURRENCY,
	FF_NUMBER, /* renumbering; empty in a new form: the org's next */
	FF__COUNT
};

struct form {
	uint64_t serial;
	bool create;
	char token[DRAFT_TOKEN_MAX + 1];
	struct invoice base; /* the row the form was loaded from */
	int64_t version;     /* the version a save is made against */
	struct lineedit customer;
	struct lineedit total;
	struct lineedit currency;
	struct lineedit number;
	enum inv_status status;
	int field;
	char error[FF__COUNT][512];
	char message[512]; /* a refusal that belongs to no field */
	bool message_info;  /* message is news, not a refusal */
	char notice[256];  /* "Changed elsewhere: v4 → v5" */
	/* archived or deleted by someone else while open (LIFE_ACTIVE: not) */
	enum inv_life moved;
	/* dropped edits (Use latest): kept as the DRAFT_DROPPED draft until
	 * brought back (Ctrl-R), forgotten (Ctrl-X) or the form saves */
	bool has_dropped;
	struct form_values *dropped; /* [0] typed, [1] what they were over */
	int64_t seen_version;
	bool saving;
	/* drafts (SPEC 4.4) */
	int64_t draft_version;
	bool draft_pending; /* edits since the last autosave */
	bool draft_saving;
	char draft_saved[16]; /* "10:41": when the draft was last kept; "" */
	int64_t last_key_ms;
	struct draft offer; /* a stored draft offered for restoring */
	/* presence (presence.c) */
	struct presence *presence; /* this form's registration */
	char others[160];          /* "alice is editing this too (...)" */
};

struct form_values {
	char customer[CUSTOMER_MAX_BYTES + 1];
	char status[16];
	char total[64];
	char currency[8];
	char number[NUMBER_MAX_BYTES + 1];
};

void form_open_edit(struct app *a, const struct invoice *row);
void form_open_create(struct app *a);
void form_close(struct app *a);
/* Values as typed. */
void form_values_get(const struct form *f, struct form_values *v);
void form_values_set(struct form *f, const struct form_values *v);
/* Take row's values and version as the new base (Use latest). */
void form_load_row(struct form *f, const struct invoice *row);
bool form_dirty(const struct form *f);
/* The form's values as an invoice over base (the total parsed); false when
 * they do not parse. */
bool form_to_invoice(const struct form *f, struct invoice *out);
/* The fields a save of the form writes (merge_write_set over its base). */
unsigned form_write_set(const struct form *f);
void form_submit(struct app *a, int flags);
/* Results of the writer that concern the form. */
void form_on_result(struct app *a, const struct wres *r);
/* The record tag went stale: re-read and show the quiet notice. */
void form_check_record(struct app *a);
/* Autosave when the pause after the last keystroke has passed. */
void form_autosave_tick(struct app *a, int64_t now);
/* Save the draft on this connection, now (signals, quitting); true when
 * a draft was saved. */
bool form_draft_save_now(struct app *a);
void form_mark_edited(struct app *a);
int64_t form_autosave_due(struct app *a, int64_t now);

extern const struct layer_ops form_layer_ops;

/* ---- draft.c: the draft body and draft conflicts --------------------- */

void draft_body_encode(const struct form_values *v, char *out, size_t size);
/* The values of a row as the form shows them. */
void form_values_of_row(const struct invoice *row, struct form_values *v);
bool draft_body_decode(const char *body, struct form_values *v);
/* After the form opened: offer to restore a stored draft. */
void draft_offer_restore(struct app *a);
void draft_conflict_open(struct app *a, const struct draft *stored);

/* ---- conflict.c, confirm.c, inspector.c, history.c, help.c ----------- */

void conflict_open(struct app *a, const struct invoice *theirs);
bool conflict_is_open(struct app *a);
/* The row moved on while the panel is open (NULL: no longer readable). */
void conflict_refresh(struct app *a, const struct invoice *row);
/* Keep what the form has typed as its dropped edits, in the database,
 * before Use latest replaces it; false when nothing was typed or it could
 * not be kept. */
bool form_keep_dropped(struct app *a);
/* The answer to the form's restore-and-apply (W_RESTORE of the form). */
void form_on_restore(struct app *a, const struct wres *r);

typedef void (*confirm_fn)(struct app *a, bool yes, int64_t arg);
/* Ask question (its first line ends with the question mark; the panel
 * adds the locale's answer keys, "(y/n)" or "(j/n)"). */
void confirm_open(struct app *a, const char *question, confirm_fn fn,
                  int64_t arg);

/* locale.c: amounts on the screen in the locale's marks, read once by
 * screen_locale_init() after setlocale. */
void screen_locale_init(void);
/* "1.400,00 EUR" (grouped, with the currency) */
void screen_money(int64_t minor, const char *currency, char *buf,
                  size_t size);
/* "1400,00": an amount as a field of the form holds it */
void screen_amount(int64_t minor, const char *currency, char *buf,
                   size_t size);
/* An amount typed into the form, in the locale's decimal mark. */
enum inv_rc screen_amount_parse(const char *text, const char *currency,
                                int64_t *minor, struct inv_err *err);
/* An audit entry in words, its amounts in the locale's marks. */
enum inv_rc screen_audit_explain(struct store *st, const char *detail,
                                 char currency[4], char *out, size_t size,
                                 struct inv_err *err);
/* A part of an invoice a revert replaces, its money in the locale's
 * marks. */
void screen_revert_value(enum revert_part part, const struct invoice *inv,
                         char *buf, size_t size);

void inspector_open(struct app *a);
void history_open(struct app *a, const struct invoice *row);
/* presence.c: register the open form; re-read who has what open. */
void presence_form_enter(struct app *a, struct form *f);
void presence_form_leave(struct form *f);
void presence_refresh(struct app *a);
bool presence_open_elsewhere(const struct app *a, int64_t id);
/* While someone is shown as present, presence is read again now and then:
 * a killed terminal's registration ends with no event to wake us.  -1
 * when nothing is shown (an idle screen then has no timer for it). */
int64_t presence_next_ms(const struct app *a, int64_t now);
/* overwritten.c: remember own saves; toast when the feed shows someone
 * overwrote or reverted one of them. */
void overwritten_note_own(struct app *a, const struct wres *r);
void overwritten_check(struct app *a, const struct change *c, size_t n);
/* The feed moved: an open history of one of these invoices is re-read. */
void history_on_changes(struct app *a, const struct change *c, size_t n);
/* A revert's answer from the writer (history.c asked for it). */
void history_on_revert(struct app *a, const struct wres *r);
void help_open(struct app *a);

/* ---- app.c ------------------------------------------------------------ */

/* A row this screen's own edit or revert wrote (overwritten.c). */
#define OWNED_MAX 16
struct owned_save {
	struct invoice row;
};

struct app {
	struct store *st;
	struct identity who;
	struct cache *cache;
	struct feed feed;
	struct writer *writer;
	bool demo;
	enum inv_view view;
	struct table table;
	struct summary sum;
	bool have_sum;
	size_t sum_first; /* the first currency the footer shows */
	struct form *form;
	uint64_t form_serial;
	struct layer layers[LAYER_MAX];
	int nlayers;
	struct toast toasts[TOAST_MAX];
	int ntoasts;
	WINDOW *base;
	PANEL *base_pan;
	bool dirty;
	bool strip_dirty; /* only the freshness strip's text turned over */
	int filter_x;     /* the filter's cursor column as last drawn */
	bool quit;
	/* `q` with writes still out: the screen stays, saying so, until
	 * their answers are in (a second `q` leaves at once) */
	bool finishing;
	/* a refusal that came while finishing, said once the screen is gone */
	char leave_msg[TOAST_TEXT];
	/* Ctrl-C kept an open form's draft: said once the screen is gone */
	bool said_kept;
	bool draft_kept;
	int exit_code;
	int writes_inflight; /* invoice writes queued or running */
	/* The last archive this screen made, undoable (`u`) while its toast
	 * shows: a guarded restore at the version the archive wrote. */
	struct {
		int64_t id;
		int64_t version;
		int64_t until_ms;
	} undo;
	int requests_out;    /* requests of any kind queued or running */
	int64_t wakeup_ms;   /* when the store's wake-up last woke the loop */
	char strip[160]; /* the freshness strip as last drawn */
	int notify_rd;
	int notify_wr;
	struct owned_save owned[OWNED_MAX];
	size_t nowned;
	/* invoices open in another terminal (presence.c) */
#define OPEN_ELSEWHERE_MAX 64
	int64_t open_elsewhere[OPEN_ELSEWHERE_MAX];
	size_t nopen_elsewhere;
	int64_t presence_ms; /* when presence was last read */
};

int64_t app_now(void);
/* Whether the caller is the thread that runs the interface (assert it
 * where curses or the app is touched). */
bool app_on_main_thread(void);
/* A write has been waiting long enough to say so. */
bool app_waiting(struct app *a);
bool app_too_small(void);
/* Queue a write; toasts and returns false when the queue is full. */
bool app_submit(struct app *a, struct wreq *req);
/* Tags: after an own write committed (SPEC 3.2 order). */
void app_own_write(struct app *a, const struct wres *r);
/* Re-resolve the identity and reload everything (inspector `s`). */
bool app_switch_identity(struct app *a, const char *user, const char *org);
void app_set_view(struct app *a, enum inv_view v);
void app_lifecycle(struct app *a, enum wreq_kind kind);
/* `u` in the table: undo the last archive while its toast offers it. */
void app_undo_archive(struct app *a);
void app_interrupt(struct app *a, int code);
/* `q`: leave, or first let the writes still out finish, saying so. */
void app_quit(struct app *a);
/* The table's action that asks for a lifecycle write of kind. */
enum km_action app_lifecycle_action(enum wreq_kind kind);
/* `t` in the table: the footer's next page of currency totals. */
void summary_next_page(struct app *a);

#endif
