#!/bin/bash
# The change feed never skips a committed change, even when two writers of
# one org take their seqs in one order and commit in the other: a reader
# that keeps the last seq it saw (as every screen does) must still meet
# both changes.
. "$(dirname "$0")/lib.sh"
pg_setup feed

id1=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1001'")
id2=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1002'")
last=$(sq "SELECT coalesce(max(seq), 0) FROM audit")
seen=""

# The reader: erin, a member of acme, reads acme's feed after `last`.
read_feed() {
	local rows s
	rows=$(q erin "SELECT seq FROM changes WHERE org_id = $ACME AND seq > $last ORDER BY seq")
	for s in $rows; do
		seen="$seen $s"
		last=$s
	done
}

# Writer A (bob) writes first and keeps its transaction open.
session_open a bob
session_run a "BEGIN;
	SET LOCAL inved.action = 'invoice.edit';
	UPDATE invoices SET customer = 'A', version = 2 WHERE id = $id1;" >/dev/null

# Writer B (alice) writes and commits without waiting for A.
session_open b alice
session_send b "BEGIN;
	UPDATE invoices SET customer = 'B' WHERE id = $id2;
	COMMIT;
	\\echo @@b-done"
# Wait until B has either committed or is waiting for a lock A holds.
for i in $(seq 1 6000); do
	grep -q '^@@b-done$' "$TMPD/b.out" && break
	w=$(sq "SELECT count(*) FROM pg_stat_activity
	        WHERE datname = '$DB' AND usename = 'alice' AND wait_event_type = 'Lock'")
	[ "$w" = 1 ] && break
	sleep 0.05
done

read_feed          # while A is still open
session_run a "COMMIT;" >/dev/null
for i in $(seq 1 6000); do
	grep -q '^@@b-done$' "$TMPD/b.out" && break
	sleep 0.05
done
read_feed          # after both committed
session_close a
session_close b

sa=$(sq "SELECT seq FROM audit WHERE subject_id = $id1 AND to_version = 2")
sb=$(sq "SELECT seq FROM audit WHERE subject_id = $id2 AND to_version = 2")
check "both writes are in the audit" "$([ -n "$sa" ] && [ -n "$sb" ] && echo yes)" yes
check_match "the reader met A's change (seq $sa)" " $seen " " $sa "
check_match "the reader met B's change (seq $sb)" " $seen " " $sb "
check "A, which committed first, holds the lower seq" \
	"$([ "${sa:-0}" -lt "${sb:-0}" ] && echo yes)" yes
finish
