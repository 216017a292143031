#!/bin/bash
# A foreign writer (psql, a script) is versioned, audited as 'external',
# fed and totalled; inved's own writer names itself with a claim, and only
# as the connection's role.
. "$(dirname "$0")/lib.sh"
pg_setup foreign

id1=$(sq "SELECT id FROM invoices WHERE number = 'ACME-1001'")

# An admin's psql UPDATE that forgets the version: bumped, audited.
q alice "UPDATE invoices SET customer = 'Initech AG' WHERE id = $id1" >/dev/null
check "a write that forgets the version moves it by one" \
	"$(sq "SELECT version FROM invoices WHERE id = $id1")" 2
check "the foreign write is audited as external, with its login" \
	"$(sq "SELECT actor, action, from_version, to_version, db_role,
	              actor_user_id IS NULL
	       FROM audit WHERE subject_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"external|invoice.external_edit|1|2|alice|t"
check "the audit detail holds the old and new value" \
	"$(sq "SELECT detail::jsonb -> 'customer' ->> 'old', detail::jsonb -> 'customer' ->> 'new'
	       FROM audit WHERE subject_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"Initech|Initech AG"
check "the change is in the feed (the changes view)" \
	"$(sq "SELECT action FROM changes WHERE invoice_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"invoice.external_edit"

# Money and lifecycle moves reach the totals.
q bob "UPDATE invoices SET total_minor = 130000, version = 3 WHERE id = $id1" >/dev/null
q alice "UPDATE invoices SET archived_at = now() WHERE number = 'ACME-1002'" >/dev/null
q alice "UPDATE invoices SET currency = 'USD' WHERE number = 'ACME-1003'" >/dev/null
q bob "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
       VALUES ($ACME, 'ACME-2000', 'Soylent', 4200, 'EUR')" >/dev/null
check "a foreign insert is audited as an external create" \
	"$(sq "SELECT actor, action, from_version, to_version FROM audit
	       WHERE subject_id = (SELECT id FROM invoices WHERE number = 'ACME-2000')")" \
	"external|invoice.external_create|0|1"
totals_agree
check "the kept active EUR sum of acme" \
	"$(sq "SELECT count, total_minor FROM totals WHERE org_id = $ACME
	       AND state = 'active' AND currency = 'EUR'")" "2|134200"

# A version that jumps, an id or org that changes: refused, nothing written.
before=$(sq "SELECT count(*) FROM audit")
e=$(q_err alice "UPDATE invoices SET version = version + 2 WHERE id = $id1")
check_match "a version jump is refused" "$e" "moves the version by exactly one"
e=$(q_err postgres "UPDATE invoices SET org_id = $GLOBEX WHERE id = $id1")
check_match "a move to another org is refused (even for the superuser)" "$e" \
	"never moves to another org"
e=$(q_err "$OWNER" "UPDATE invoices SET id = id + 1000 WHERE id = $id1")
check_match "an id change is refused" "$e" "column \"id\"|id never changes"
check "nothing was audited by the refused writes" \
	"$(sq "SELECT count(*) FROM audit")" "$before"

# The live number stays unique per org; a deleted one frees it.
e=$(q_err alice "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
                 VALUES ($ACME, 'ACME-2000', 'Dup', 1, 'EUR')")
check_match "a live number is unique" "$e" "invoices_live_number"
q alice "UPDATE invoices SET deleted_at = now() WHERE number = 'ACME-2000'" >/dev/null
q alice "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
         VALUES ($ACME, 'ACME-2000', 'Again', 1, 'EUR')" >/dev/null
check "a deleted number is free again" \
	"$(sq "SELECT count(*) FROM invoices WHERE number = 'ACME-2000'")" 2
e=$(q_err alice "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
                 VALUES ($ACME, 'ACME-2001', 'Neg', -1, 'EUR')")
check_match "a negative total is refused" "$e" "check constraint"
totals_agree

# The owner's hard delete is audited and leaves the totals right.
q "$OWNER" "DELETE FROM invoices WHERE number = 'ACME-2000' AND customer = 'Again'" >/dev/null
check "a purge is audited" \
	"$(sq "SELECT actor, action FROM audit ORDER BY seq DESC LIMIT 1")" \
	"external|invoice.purge"
totals_agree

# inved's writer names itself: the claim names the action, the actor is the
# connection's role, whatever inved.actor says (this is not a demo).
q bob "BEGIN; SET LOCAL inved.action = 'invoice.edit';
       SET LOCAL inved.actor = 'alice';
       UPDATE invoices SET customer = 'Initech SA', version = 4 WHERE id = $id1;
       COMMIT" >/dev/null
check "a claimed write names the connection's role, never inved.actor" \
	"$(sq "SELECT actor, action, actor_user_id = (SELECT id FROM users WHERE name = 'bob'), db_role
	       FROM audit WHERE subject_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"bob|invoice.edit|t|bob"
q bob "UPDATE invoices SET customer = 'Initech SARL', version = 5 WHERE id = $id1" >/dev/null
check "the claim is used up by the change it names" \
	"$(sq "SELECT actor FROM audit WHERE subject_id = $id1 ORDER BY seq DESC LIMIT 1")" \
	"external"
e=$(q_err bob "BEGIN; SET LOCAL inved.action = 'invoice.overwrite';
               UPDATE invoices SET customer = 'X', version = 6 WHERE id = $id1; COMMIT")
check_match "a member cannot claim an overwrite" "$e" "needs an admin"

# The demo marker (which lets inved.actor name a user) comes only with a new database.
e=$(q_err "$OWNER" "INSERT INTO meta VALUES ('demo', '1')")
check_match "the demo marker cannot be added once orgs exist" "$e" "demo marker"
finish
