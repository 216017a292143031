#!/bin/bash
# The command line on PostgreSQL, end to end: the real inved binary with
# --db postgresql://... against a database of its own on the run's
# cluster: init --demo, list, show, a stale edit (exit 3, the current row
# in --json), the role rules of archive/restore/delete, a create retried
# with its --request-id, history, watch printing a change another
# process made, a revert, and an edit whose COMMIT's outcome is unknown
# (INVED_PG_FAULT).  Skipped (77) with the reason without the server.
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


# revert: the values of an earlier version back as a new version, a
# guarded edit like any other (ACME-1001 is at version 2, alice's edit)
acme1=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1001'
	AND deleted_at IS NULL")
run inv --user bob revert ACME-1001 --to-version 1 --version 1 --json
check "a stale revert is a conflict (exit 3)" "$rc" 3
check_match "... carrying the current row" "$out" '"status":"paid".*"version":2'
run inv --user bob revert ACME-1001 --to-version 1 --version 2 --dry-run
check "revert --dry-run" "$rc" 0
check_match "... names the value it replaces and who set it" "$out" "alice"
check "... and writes nothing" \
	"$(sq "SELECT version FROM invoices WHERE id = $acme1")" 2
run inv --user bob revert ACME-1001 --to-version 1 --version 2 --json
check "a member reverts" "$rc" 0
check_match "... to version 1's status, as version 3" "$out" \
	'"old":"Paid","new":"Sent".*"set_by":"alice".*"status":"sent".*"version":3'
check "... audited as bob's revert, once" \
	"$(sq "SELECT string_agg(actor || ' ' || action || ' ' || to_version, ',')
	       FROM audit WHERE subject_id = $acme1 AND to_version = 3")" \
	"bob invoice.revert 3"
run inv --user carol revert ACME-1001 --to-version 1 --version 3
check "another org's invoice is not there to revert (exit 4)" "$rc" 4

# A COMMIT whose outcome is unknown (INVED_PG_FAULT, a test-only fault):
# its reply lost after the server committed, or the server process ended
# before it.  Either way the edit exits 0 with the next version, written
# once.
run env INVED_PG_FAULT=commit-lost "$INVED_BIN" --db "$U" --user bob \
	edit ACME-1001 --version 3 --customer "Lost Reply Ltd" --json
check "an edit whose COMMIT reply was lost exits 0" "$rc" 0
check_match "... with version 4" "$out" \
	'"customer":"Lost Reply Ltd".*"version":4'
run env INVED_PG_FAULT=commit-dropped "$INVED_BIN" --db "$U" --user bob \
	edit ACME-1001 --version 4 --customer "Dropped Ltd" --json
check "an edit whose server process ended before COMMIT exits 0" "$rc" 0
check_match "... with version 5" "$out" '"customer":"Dropped Ltd".*"version":5'
check "... each version written once, with its request token" \
	"$(sq "SELECT string_agg(to_version || ':' || (request IS NOT NULL),
	       ' ' ORDER BY seq) FROM audit WHERE subject_id = $acme1")" \
	"1:false 2:true 3:true 4:true 5:true"
check "... and the row is the last save" \
	"$(sq "SELECT customer || ' ' || version FROM invoices WHERE id = $acme1")" \
	"Dropped Ltd 5"

finish
