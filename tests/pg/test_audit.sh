#!/bin/bash
# The audit is append-only for every writer, the schema's owner included;
# its seq, time and login are the server's, whatever an inserter gives.
. "$(dirname "$0")/lib.sh"
pg_setup audit

n=$(sq "SELECT count(*) FROM audit")
e=$(q_err "$OWNER" "UPDATE audit SET actor = 'carol'")
check_match "the owner cannot change an audit row" "$e" "append-only"
e=$(q_err "$OWNER" "DELETE FROM audit")
check_match "the owner cannot delete audit rows" "$e" "append-only"
e=$(q_err "$OWNER" "TRUNCATE audit")
check_match "the owner cannot truncate the audit" "$e" "append-only"
e=$(q_err "$OWNER" "TRUNCATE invoices CASCADE")
check_match "the owner cannot truncate the invoices past their triggers" "$e" \
	"append-only"
e=$(q_err alice "UPDATE audit SET actor = 'carol'")
check_match "an admin cannot change an audit row" "$e" "permission denied"
e=$(q_err alice "DELETE FROM audit")
check_match "an admin cannot delete audit rows" "$e" "permission denied"
check "the audit is whole" "$(sq "SELECT count(*) FROM audit")" "$n"

# An owner's insert cannot place a row below the feed's head, nor forge
# its time or login.
top=$(sq "SELECT max(seq) FROM audit")
q "$OWNER" "INSERT INTO audit (seq, at, org_id, actor, action, subject_id,
                               from_version, to_version, db_role)
            VALUES (1, '2000-01-01', $ACME, 'x', 'x', 0, 0, 0, 'nobody')" >/dev/null
check "an inserted row takes the next seq, the server's time and login" \
	"$(sq "SELECT seq > $top, at > '2001-01-01', db_role = '$OWNER' FROM audit ORDER BY seq DESC LIMIT 1")" \
	"t|t|t"
finish
