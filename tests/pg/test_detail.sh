#!/bin/bash
# The audit's detail reads the same on both backends: the same writes (an
# edit of each field, an overwrite, an archive, a delete, a restore, a
# drift, a create, a member's role change) on a SQLite demo file and on a
# PostgreSQL demo database give, byte for byte, the same `inved audit
# --json`, `inved history` and `inved history --json`, once the times and
# seqs each database stamps for itself are masked.  The customer's text is
# hostile: quotes, backslashes, braces, a literal \u escape, accents, CJK,
# an emoji and right-to-left text.  The PostgreSQL triggers keep the detail
# as jsonb (its text orders keys by length and adds spaces); what the store
# hands out is the SQLite text, fields in the order number, customer,
# status, total_minor, currency, archived_at, deleted_at, old before new.
# Skipped (77) with the reason without the server.
. "$(dirname "$0")/lib.sh"
: "${INVED_BIN:?INVED_BIN names the inved binary}"
pg_setup detail bare
su_sql postgres "CREATE DATABASE $DB OWNER $OWNER"
U="postgresql:///$DB?host=$PGHOST&port=$PGPORT&user=$OWNER"
S="$TMPD/s.db"
run() { set +e; out=$("$@" 2>&1); rc=$?; set -e; }
inv() { local db=$1; shift; "$INVED_BIN" --db "$db" "$@"; }
hostile='Q "quoted" \back\slash\ {b:[1]} \u0041 é 日本 🧾 עברית'

writes() { # writes DB NAME: the same history on either backend
	local db=$1 name=$2 id6
	run inv "$db" init --demo
	check "$name: init --demo" "$rc" 0
	run inv "$db" --user bob edit ACME-1002 --version 1 --customer "$hostile"
	check "$name: bob edits the customer" "$rc" 0
	run inv "$db" --user alice edit ACME-1002 --version 1 --total 99.50 \
		--overwrite
	check "$name: alice overwrites the total" "$rc" 0
	run inv "$db" --user alice edit ACME-1002 --version 3 --status paid \
		--currency USD --number ACME-2002
	check "$name: alice edits number, status and currency" "$rc" 0
	run inv "$db" --user alice drift ACME-1003
	check "$name: a drift" "$rc" 0
	run inv "$db" --user bob archive ACME-1003 --version 2
	check "$name: bob archives" "$rc" 0
	run inv "$db" --user alice delete ACME-1006 --version 1
	check "$name: alice deletes" "$rc" 0
	id6=$(inv "$db" --user alice list --view all --json |
		grep -o '"id":[0-9]*,"number":"ACME-1006"' | sed 's/"id":\([0-9]*\),.*/\1/')
	run said "$db" --user alice restore "$id6" --version 2
	check "$name: alice restores" "$rc" 0
	run inv "$db" --user carol create --customer "$hostile" --total 12.34 \
		--currency USD
	check "$name: carol creates" "$rc" 0
	run inv "$db" --user alice member role bob admin
	check "$name: bob made an admin" "$rc" 0
}

# what each database stamps for itself: times, and the seqs
mask() {
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+Z?/TIME/g;
	        s/"seq":[0-9]+/"seq":N/g'
}
# said DB ARGS...: the answer and its exit code
said() { local db=$1; shift; set +e; inv "$db" "$@" 2>&1; echo "exit $?"; set -e; }
views() { # views DB: what a reader of the audit sees
	local db=$1 u
	for u in alice carol; do
		echo "== $u audit --json"
		said "$db" --user "$u" audit --tail 1000 --json | mask
		echo "== $u audit"
		said "$db" --user "$u" audit --tail 1000 | mask
	done
	for ref in ACME-2002 ACME-1003 ACME-1006 GLOBEX-1002; do
		echo "== history $ref"
		said "$db" --user alice history "$ref" | mask
		said "$db" --user carol history "$ref" | mask
		echo "== history $ref --json"
		said "$db" --user alice history "$ref" --json | mask
		said "$db" --user carol history "$ref" --json | mask
	done
}

writes "$S" SQLite
writes "$U" PostgreSQL
views "$S" >"$TMPD/s.txt"
views "$U" >"$TMPD/p.txt"
check "the audit and histories read the same on both backends" \
	"$(diff "$TMPD/s.txt" "$TMPD/p.txt" | head -40)" ""
check_match "the hostile customer is in them, escaped as JSON" \
	"$(cat "$TMPD/p.txt")" 'Q \\"quoted\\" \\\\back\\\\slash\\\\ \{b:\[1\]\} \\\\u0041'
check_match "a detail's fields in SQLite's order, compact" \
	"$(cat "$TMPD/p.txt")" '\{\\?"number\\?":\{\\?"old\\?":\\?"ACME-1002\\?",\\?"new\\?":\\?"ACME-2002\\?"\},\\?"status\\?":'
# the stored text is jsonb's; only what is read is made the same
check_match "PostgreSQL keeps jsonb's text in the audit table" \
	"$(q "$OWNER" "SELECT detail FROM audit WHERE action = 'invoice.edit' ORDER BY seq DESC LIMIT 1")" \
	'": \{"new": '
check "the views hold the edits" "$(grep -c "invoice.edit" "$TMPD/p.txt")" "$(grep -c "invoice.edit" "$TMPD/s.txt")"
check "the views hold at least four edits" \
	"$([ "$(grep -c "invoice.edit" "$TMPD/p.txt")" -ge 4 ] && echo yes)" yes
finish
