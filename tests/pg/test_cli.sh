#!/bin/bash
# The command line on PostgreSQL, end to end: the real inved binary with
# --db postgresql://... against a database of its own on the run's
# cluster: init --demo, list, show, a stale edit (exit 3, the current row
# in --json), the role rules of archive/restore/delete, a create retried
# with its --request-id, history, and watch printing a change another
# process made.  Skipped (77) with the reason without the server.
. "$(dirname "$0")/lib.sh"
: "${INVED_BIN:?INVED_BIN names the inved binary}"
pg_setup cli bare
su_sql postgres "CREATE DATABASE $DB OWNER $OWNER"
U="postgresql:///$DB?host=$PGHOST&port=$PGPORT&user=$OWNER"
inv() { "$INVED_BIN" --db "$U" "$@"; }
# run CMD...: its exit status into $rc and its output into $out
run() { set +e; out=$("$@" 2>&1); rc=$?; set -e; }

run inv init --demo
check "init --demo" "$rc" 0
check_match "... names the demo users" "$out" "alice \(acme admin\)"
run inv init --demo
check "init --demo again finds the demo" "$rc" 0

run inv --user alice list
check "list" "$rc" 0
check_match "... shows acme's invoices" "$out" "ACME-1002 +Initech GmbH"
[[ $out == *GLOBEX* ]] && check "... and no other org's" "GLOBEX" "" ||
	check "... and no other org's" "" ""

run inv --user bob show ACME-1002 --json
check "show" "$rc" 0
check_match "... at version 1" "$out" '"number":"ACME-1002".*"version":1'

run inv --user bob edit ACME-1002 --version 1 --customer "Initech AG" --json
check "edit at the current version" "$rc" 0
check_match "... makes version 2" "$out" '"customer":"Initech AG".*"version":2'
run inv --user alice edit ACME-1002 --version 1 --customer "Stale" --json
check "a stale edit is a conflict (exit 3)" "$rc" 3
check_match "... carrying the current row" "$out" \
	'"customer":"Initech AG".*"version":2'
check "... and writes nothing" \
	"$(sq "SELECT customer || ' ' || version FROM invoices WHERE number = 'ACME-1002'")" \
	"Initech AG 2"

run inv --user bob archive ACME-1002 --version 2
check "a member archives" "$rc" 0
run inv --user bob delete ACME-1002 --version 3
check "a member may not delete (exit 5)" "$rc" 5
check_match "... in the rules' words" "$out" "deleting an invoice needs the admin role"
run inv --user alice delete ACME-1002 --version 3
check "an admin deletes" "$rc" 0
run inv --user bob show ACME-1002
check "a deleted invoice is not there for a member (exit 4)" "$rc" 4
id=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1002'")
run inv --user bob restore "$id" --version 4
check "a member may not restore a deleted invoice (exit 4: not found)" "$rc" 4
run inv --user alice restore "$id" --version 4
check "an admin restores it" "$rc" 0

run inv --user bob create --customer "Retry GmbH" --total 10.00 --request-id r-1 --json
check "create" "$rc" 0
first=$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' <<<"$out")
run inv --user bob create --customer "Retry GmbH" --total 10.00 --request-id r-1 --json
check "the retried create exits 0" "$rc" 0
check "... and answers with the first run's invoice" \
	"$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' <<<"$out")" "$first"
check "... made once" \
	"$(sq "SELECT count(*) FROM invoices WHERE customer = 'Retry GmbH'")" 1

run inv --user alice history ACME-1002
check "history" "$rc" 0
check_match "... names bob's edit" "$out" "bob +invoice.edit"
check_match "... and alice's delete" "$out" "alice +invoice.delete"

# watch --after 0: the feed from its start, then a change made by another
# process, seen when it commits.  Waits for the text, never for a time.
# (exec: the signal below goes to inved itself, not to a subshell)
(exec "$INVED_BIN" --db "$U" --user bob watch --after 0 \
	>"$TMPD/watch.out" 2>"$TMPD/watch.err") &
wpid=$!
for _ in $(seq 1 1200); do
	grep -q "invoice.restore" "$TMPD/watch.out" && break
	sleep 0.05
done
check_match "watch --after 0 prints the feed from its start" \
	"$(cat "$TMPD/watch.out")" "invoice.restore"
run inv --user alice edit ACME-1001 --version 1 --status paid
check "another process edits" "$rc" 0
for _ in $(seq 1 1200); do
	grep -q "ACME-1001.*alice" "$TMPD/watch.out" &&
		grep "invoice.edit" "$TMPD/watch.out" | grep -q "ACME-1001" && break
	sleep 0.05
done
check_match "watch prints the other process's change" \
	"$(grep "invoice.edit" "$TMPD/watch.out" || true)" "ACME-1001.*alice"
kill -INT "$wpid"
for _ in $(seq 1 1200); do
	kill -0 "$wpid" 2>/dev/null || break
	sleep 0.05
done
if kill -0 "$wpid" 2>/dev/null; then
	kill -TERM "$wpid"
	check "watch ends on SIGINT" "still running" "ended"
fi
set +e; wait "$wpid"; wrc=$?; set -e
check "watch ends cleanly on SIGINT" "$wrc" 0

finish
