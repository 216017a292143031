/*
 * keymap.c - the keys of every screen, one table per screen (as tig's
 * keys.c): each line binds keys to actions, says how the help panel names
 * them, and, when the screen's hint row shows it, its hint.  The key
 * handlers ask keymap_action(), the hint rows come from keymap_hints()
 * and the help panel walks the tables, so a key cannot be bound in one
 * place and documented wrongly in another.
 *
 * The edit form and the conflict panel read their keys with the line
 * editor and the field picks; their tables here are what the help panel
 * says of them, and the keys with an action are dispatched through them.
 */
#include <assert.h>

#include "tui_internal.h"

/* A key with its action; the actions of one help line may differ
 * (`↑ ↓  j k`: down and up). */
#define B(c, act) { .key = { (wint_t)(c), false }, .action = (act) }
#define BF(c, act) { .key = { (wint_t)(c), true }, .action = (act) }

#define LINE(label, text) .keys_label = (label), .help = (text)
#define KEYS(...) .keys = { __VA_ARGS__ }
#define HINT(k, text, pos, rank) \
	.hint_key = (k), .hint = (text), .hint_pos = (pos), .hint_rank = (rank)

static const struct km_entry table_keys[] = {
	{ LINE("↑ ↓  j k", N_("move the selection")),
	  KEYS(BF(KEY_DOWN, KA_DOWN), BF(KEY_UP, KA_UP), B('j', KA_DOWN),
	       B('k', KA_UP)) },
	{ LINE("PgUp PgDn ^B ^F", N_("page up and down")),
	  KEYS(BF(KEY_PPAGE, KA_PAGE_UP), BF(KEY_NPAGE, KA_PAGE_DOWN),
	       B(CTRL('b'), KA_PAGE_UP), B(CTRL('f'), KA_PAGE_DOWN)) },
	{ LINE("Home End  g G", N_("first and last invoice")),
	  KEYS(BF(KEY_HOME, KA_FIRST), BF(KEY_END, KA_LAST), B('g', KA_FIRST),
	       B('G', KA_LAST)) },
	{ LINE("1 2 3 Tab S-Tab", N_("views: Active, Archived, All (admins)")),
	  KEYS(B('1', KA_VIEW_ACTIVE), B('2', KA_VIEW_ARCHIVED),
	       B('3', KA_VIEW_ALL), B('\t', KA_VIEW_NEXT),
	       BF(KEY_BTAB, KA_VIEW_NEXT)) },
	{ LINE("/", N_("filter by number or customer; Esc clears")),
	  KEYS(B('/', KA_FILTER), B(KEY_ESC, KA_FILTER_CLEAR)),
	  HINT("/", N_("filter"), 7, 1) },
	{ LINE("Enter  e", N_("edit the selected invoice")),
	  KEYS(B('\r', KA_EDIT), B('\n', KA_EDIT), BF(KEY_ENTER, KA_EDIT),
	       B('e', KA_EDIT)),
	  HINT("Enter", N_("edit"), 1, 3) },
	{ LINE("n", N_("new invoice")), KEYS(B('n', KA_NEW)),
	  HINT("n", N_("new"), 2, 4) },
	{ LINE("a", N_("archive")), KEYS(B('a', KA_ARCHIVE)),
	  HINT("a", N_("archive"), 3, 5) },
	{ LINE("u", N_("undo the archive while its toast offers it")),
	  KEYS(B('u', KA_UNDO)) },
	{ LINE("r", N_("restore an archived or (admins) a deleted invoice")),
	  KEYS(B('r', KA_RESTORE)), HINT("r", N_("restore"), 4, 6) },
	{ LINE("d", N_("delete (admins; asks first)")), KEYS(B('d', KA_DELETE)),
	  HINT("d", N_("delete"), 5, 2), .admin = true },
	{ LINE("h", N_("history of the selected invoice")),
	  KEYS(B('h', KA_HISTORY)), HINT("h", N_("history"), 8, 1) },
	{ LINE("i", N_("inspector")), KEYS(B('i', KA_INSPECT)),
	  HINT("i", N_("inspect"), 6, 1) },
	{ LINE("t", N_("next page of currency totals in the summary")),
	  KEYS(B('t', KA_SUMMARY_PAGE)) },
	{ LINE("?", N_("this help")), KEYS(B('?', KA_HELP)),
	  HINT("?", N_("help"), 9, 0) },
	{ LINE("q", N_("quit")), KEYS(B('q', KA_QUIT)),
	  HINT("q", N_("quit"), 10, 0) },
};

static const struct km_entry form_keys[] = {
	{ LINE("Tab ↓  S-Tab ↑", N_("next and previous field")),
	  KEYS(B('\t', KA_FIELD_NEXT), BF(KEY_DOWN, KA_FIELD_NEXT),
	       BF(KEY_BTAB, KA_FIELD_PREV), BF(KEY_UP, KA_FIELD_PREV)),
	  HINT("Tab", N_("next field"), 1, 0) },
	{ LINE("← → Home End", N_("move in a text field")) },
	{ LINE("Backspace Del", N_("delete a character")) },
	{ LINE("^U  ^K  ^W", N_("clear the field, cut to the end, cut a word")) },
	{ LINE("Space ← →", N_("cycle the status")),
	  HINT("Space", N_("status"), 2, 0) },
	{ LINE("F2  ^S", N_("save")),
	  KEYS(BF(KEY_F(2), KA_SAVE), B(CTRL('s'), KA_SAVE)),
	  HINT("F2", N_("save"), 3, 0) },
	{ LINE("Enter", N_("next field; saves on the last one")) },
	{ LINE("Esc", N_("close (asks when there are unsaved edits)")),
	  KEYS(B(KEY_ESC, KA_CLOSE)), HINT("Esc", N_("close"), 4, 0) },
	{ LINE("^R  ^X", N_("bring back, or forget, edits Use latest dropped")),
	  KEYS(B(CTRL('r'), KA_DROPPED_BACK),
	       B(CTRL('x'), KA_DROPPED_FORGET)) },
	{ LINE("^O", N_("restore an invoice moved away meanwhile, keep the "
	                "edits (admins)")),
	  KEYS(B(CTRL('o'), KA_RESTORE_KEEP)) },
};

/* The conflict panel's hint rows depend on the conflict (a merge only
 * when the sides are disjoint, an overwrite only for admins): it names
 * the keys with keymap_key_of() and keeps the conditions itself. */
static const struct km_entry conflict_keys[] = {
	{ LINE("Tab ↓  S-Tab ↑",
	       N_("select a field; its values are shown in full")),
	  KEYS(B('\t', KA_FIELD_NEXT), BF(KEY_DOWN, KA_FIELD_NEXT),
	       BF(KEY_BTAB, KA_FIELD_PREV), BF(KEY_UP, KA_FIELD_PREV)),
	  .hint_key = "Tab" },
	{ LINE("d 1  y 2  ← →", N_("pick the database's value or yours")),
	  KEYS(B('d', KA_PICK_THEIRS), B('1', KA_PICK_THEIRS),
	       B('y', KA_PICK_YOURS), B('2', KA_PICK_YOURS),
	       BF(KEY_LEFT, KA_PICK_THEIRS), BF(KEY_RIGHT, KA_PICK_YOURS)) },
	{ LINE("Enter", N_("fill the form with your picks, for review")),
	  KEYS(B('\r', KA_APPLY), B('\n', KA_APPLY)), .hint_key = "Enter" },
	{ LINE("u",
	       N_("use latest: take the database's values (yours are kept)")),
	  KEYS(B('u', KA_USE_LATEST)), .hint_key = "u" },
	{ LINE("m", N_("merge: both sides' changes, for review")),
	  KEYS(B('m', KA_MERGE)), .hint_key = "m" },
	{ LINE("o", N_("overwrite with your changes (admins; asks first)")),
	  KEYS(B('o', KA_OVERWRITE)), .hint_key = "o" },
	{ LINE("Esc", N_("keep editing")), KEYS(B(KEY_ESC, KA_CLOSE)),
	  .hint_key = "Esc" },
};

static const struct km_entry history_keys[] = {
	{ LINE("↑ ↓  j k", N_("select a version")),
	  KEYS(BF(KEY_DOWN, KA_DOWN), BF(KEY_UP, KA_UP), B('j', KA_DOWN),
	       B('k', KA_UP), BF(KEY_NPAGE, KA_PAGE_DOWN),
	       BF(KEY_PPAGE, KA_PAGE_UP)) },
	{ LINE("v", N_("revert to the selected version (asks first)")),
	  KEYS(B('v', KA_REVERT)) },
	{ LINE("Esc  h", N_("close")),
	  KEYS(B(KEY_ESC, KA_CLOSE), B('h', KA_CLOSE), B('q', KA_CLOSE)),
	  .hint_key = "Esc" },
};

static const struct km_entry inspector_keys[] = {
	{ LINE("f", N_("force version drift on the selected invoice")),
	  KEYS(B('f', KA_DRIFT)) },
	{ LINE("l", N_("hold the write lock for 5 seconds")),
	  KEYS(B('l', KA_HOLD_LOCK)) },
	{ LINE("s", N_("switch identity (demo databases)")),
	  KEYS(B('s', KA_SWITCH)) },
	{ LINE("Esc  i", N_("close")),
	  KEYS(B(KEY_ESC, KA_CLOSE), B('i', KA_CLOSE), B('q', KA_CLOSE)),
	  .hint_key = "Esc" },
};

static const struct km_entry help_keys[] = {
	{ LINE("↑ ↓  j k", N_("scroll")),
	  KEYS(BF(KEY_DOWN, KA_DOWN), BF(KEY_UP, KA_UP), B('j', KA_DOWN),
	       B('k', KA_UP)) },
	{ LINE("PgUp PgDn", N_("page up and down")),
	  KEYS(BF(KEY_PPAGE, KA_PAGE_UP), BF(KEY_NPAGE, KA_PAGE_DOWN)) },
	{ LINE("Esc  ?  q  F1", N_("close")),
	  KEYS(B(KEY_ESC, KA_CLOSE), B('?', KA_CLOSE), B('q', KA_CLOSE),
	       BF(KEY_F(1), KA_CLOSE)),
	  .hint_key = "Esc" },
};

/* Read by app_key() before any screen gets the key. */
static const struct km_entry anywhere_keys[] = {
	{ LINE("^L", N_("re-read everything and redraw")),
	  KEYS(B(CTRL('l'), KA_REDRAW)) },
	{ LINE("^C", N_("quit, keeping the draft of an open form")),
	  KEYS(B(CTRL('c'), KA_INTERRUPT)) },
};

#define N(t) (sizeof t / sizeof t[0])

static const struct km_map {
	const char *title;
	const struct km_entry *entries;
	size_t n;
} maps[KM__COUNT] = {
	[KM_TABLE] = { N_("Table"), table_keys, N(table_keys) },
	[KM_FORM] = { N_("Edit form"), form_keys, N(form_keys) },
	[KM_CONFLICT] = { N_("Conflict panel"), conflict_keys,
	                  N(conflict_keys) },
	[KM_HISTORY] = { N_("History"), history_keys, N(history_keys) },
	[KM_INSPECTOR] = { N_("Inspector"), inspector_keys,
	                   N(inspector_keys) },
	[KM_HELP] = { N_("Help"), help_keys, N(help_keys) },
	[KM_ANYWHERE] = { N_("Anywhere"), anywhere_keys, N(anywhere_keys) },
};

const struct km_entry *keymap_entries(enum km_screen s, size_t *n)
{
	assert(s < KM__COUNT);
	*n = maps[s].n;
	return maps[s].entries;
}

const char *keymap_title(enum km_screen s)
{
	assert(s < KM__COUNT);
	return _(maps[s].title);
}

enum km_action keymap_action(enum km_screen s, wint_t ch, bool fkey)
{
	assert(s < KM__COUNT);
	for (size_t i = 0; i < maps[s].n; i++) {
		const struct km_entry *e = &maps[s].entries[i];
		for (size_t k = 0; k < KM_KEYS && e->keys[k].action; k++)
			if (e->keys[k].key.ch == ch &&
			    e->keys[k].key.fkey == fkey)
				return e->keys[k].action;
	}
	return KA_NONE;
}

/* The name of a character key bound alone ("a"), else the line's hint
 * key, else its label. */
const char *keymap_key_of(enum km_screen s, enum km_action act)
{
	static char one[KM__COUNT][KM_ACTIONS_MAX][2];

	assert(s < KM__COUNT && act < KM_ACTIONS_MAX);
	for (size_t i = 0; i < maps[s].n; i++) {
		const struct km_entry *e = &maps[s].entries[i];
		for (size_t k = 0; k < KM_KEYS && e->keys[k].action; k++) {
			wint_t ch = e->keys[k].key.ch;
			if (e->keys[k].action != act)
				continue;
			if (e->hint_key)
				return e->hint_key;
			if (!e->keys[k].key.fkey && ch > ' ' && ch < 0x7f) {
				one[s][act][0] = (char)ch;
				return one[s][act];
			}
			return e->keys_label;
		}
	}
	return "?";
}

size_t keymap_hints(enum km_screen s, bool admin, struct draw_hint *hints,
                    int *drop, size_t max)
{
	size_t n = 0;

	assert(s < KM__COUNT);
	/* in the order the row shows them: positions are small and few */
	for (int pos = 1; pos <= KM_HINTS_MAX && n < max; pos++) {
		for (size_t i = 0; i < maps[s].n; i++) {
			const struct km_entry *e = &maps[s].entries[i];
			if (e->hint_pos != pos || !e->hint_key ||
			    (e->admin && !admin))
				continue;
			hints[n] = (struct draw_hint){ e->hint_key, _(e->hint) };
			drop[n] = e->hint_rank;
			n++;
			break;
		}
	}
	return n;
}
