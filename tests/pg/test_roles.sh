#!/bin/bash
# The role rules hold for any client: a member's psql can neither delete,
# nor bring back a deleted invoice, nor write without naming the version
# it writes (a blind overwrite is an admin's); an admin's can.  And a
# member reads no deleted invoice.
. "$(dirname "$0")/lib.sh"
pg_setup roles

id1=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1001'")
id2=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1002'")
state() { sq "SELECT version, customer, deleted_at IS NOT NULL FROM invoices WHERE id = $1"; }

e=$(q_err bob "UPDATE invoices SET deleted_at = now(), version = 2 WHERE id = $id1")
check_match "a member's psql cannot soft-delete" "$e" "only an admin"
check "... and the row is untouched" "$(state "$id1")" "1|Initech|f"

e=$(q_err bob "UPDATE invoices SET customer = 'Blind' WHERE id = $id1")
check_match "a member's blind write (no version) is refused" "$e" "names the version"
check "... and the row is untouched" "$(state "$id1")" "1|Initech|f"

q bob "UPDATE invoices SET customer = 'Named', version = 2 WHERE id = $id1" >/dev/null
check "a member's write that names the version passes" "$(state "$id1")" "2|Named|f"
out=$($PSQL -X -A -t -v ON_ERROR_STOP=1 -U bob -d "$DB" \
	-c "UPDATE invoices SET customer = 'Stale', version = 2 WHERE id = $id1" 2>&1 || true)
check_match "a member's write naming a stale version is refused" "$out" \
	"names the version|moves the version"
check "... and the row is untouched" "$(state "$id1")" "2|Named|f"

e=$(q_err bob "INSERT INTO invoices (org_id, number, customer, total_minor, currency, deleted_at)
               VALUES ($ACME, 'ACME-5', 'Gone', 1, 'EUR', now())")
check_match "a member cannot insert a deleted invoice" "$e" "only an admin"

# An admin may overwrite blindly and delete; the member then cannot see
# the deleted row, nor restore it.
q alice "UPDATE invoices SET customer = 'Over' WHERE id = $id1" >/dev/null
check "an admin's blind write is bumped" "$(state "$id1")" "3|Over|f"
q alice "UPDATE invoices SET deleted_at = now() WHERE id = $id2" >/dev/null
check "an admin soft-deletes" "$(state "$id2")" "2|Umbrella|t"
check "a member reads no deleted invoice" \
	"$(q bob "SELECT count(*) FROM invoices WHERE id = $id2")" 0
out=$($PSQL -X -A -t -v ON_ERROR_STOP=1 -U bob -d "$DB" \
	-c "UPDATE invoices SET deleted_at = NULL, version = 3 WHERE id = $id2")
check "a member's restore of a deleted invoice touches nothing" "$out" "UPDATE 0"
check "the admin still reads it" \
	"$(q alice "SELECT count(*) FROM invoices WHERE id = $id2")" 1
totals_agree
finish
