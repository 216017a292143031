#!/bin/bash
# Row-level security: a member's role sees and changes only its orgs'
# rows, through psql as through inved; a role that is no member sees
# nothing; a superuser would skip all of it, so every statement here runs
# as the members' own roles.
. "$(dirname "$0")/lib.sh"
pg_setup tenancy

g1=$(sq "SELECT id FROM invoices WHERE number = 'GLOBEX-1001'")
check "the test connects as bob, no superuser" \
	"$(q bob "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")" \
	"bob|f|f"

check "bob sees acme's invoices only" \
	"$(q bob "SELECT string_agg(number, ',' ORDER BY number) FROM invoices")" \
	"ACME-1001,ACME-1002,ACME-1003"
check "dave sees globex's only" \
	"$(q dave "SELECT string_agg(number, ',' ORDER BY number) FROM invoices")" \
	"GLOBEX-1001"
check "bob finds globex's row by id: nothing" \
	"$(q bob "SELECT count(*) FROM invoices WHERE id = $g1")" 0

# A cross-org UPDATE touches 0 rows and changes nothing.
out=$($PSQL -X -A -t -v ON_ERROR_STOP=1 -U bob -d "$DB" \
	-c "UPDATE invoices SET customer = 'Hacked', version = version + 1 WHERE id = $g1")
check "a cross-org UPDATE touches 0 rows" "$out" "UPDATE 0"
check "... and globex's row is as it was" \
	"$(sq "SELECT customer, version FROM invoices WHERE id = $g1")" "Wayne|1"
e=$(q_err bob "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
               VALUES ($GLOBEX, 'GLOBEX-9', 'Planted', 1, 'EUR')")
check_match "an INSERT into another org is refused" "$e" "row-level security"

# Every table of org rows is filtered the same way.
for t in audit changes totals memberships orgs feed_heads; do
	col=org_id
	[ "$t" = orgs ] && col=id
	n=$(q bob "SELECT count(*) FROM $t WHERE $col = $GLOBEX" 2>/dev/null || echo denied)
	case $n in
	0|denied) echo "ok - bob reads none of globex's rows in $t ($n)" ;;
	*) echo "not ok - bob reads $n of globex's rows in $t"
	   TESTS_FAILED=$((TESTS_FAILED + 1)) ;;
	esac
done
check "bob reads the users of his orgs only" \
	"$(q bob "SELECT string_agg(name, ',' ORDER BY name) FROM users")" \
	"alice,bob,erin"
check "the changes view keeps the reader's row security" \
	"$(q bob "SELECT count(*) FROM changes WHERE org_id = $GLOBEX")" 0

# Drafts are their user's alone.
q bob "INSERT INTO drafts (user_id, org_id, invoice_id, version, base_version, body)
       VALUES ((SELECT id FROM users WHERE name = 'bob'), $ACME, 0, 1, 0, '{}')" >/dev/null
check "alice does not read bob's draft" \
	"$(q alice "SELECT count(*) FROM drafts")" 0
e=$(q_err bob "INSERT INTO drafts (user_id, org_id, invoice_id, version, base_version, body)
               VALUES ((SELECT id FROM users WHERE name = 'alice'), $ACME, 5, 1, 0, '{}')")
check_match "bob cannot write a draft as alice" "$e" "row-level security"

# A role that is a member of no org sees nothing at all.
su_sql postgres "DO \$\$ BEGIN CREATE ROLE mallory LOGIN;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$"
check "a role of no org sees no invoice" \
	"$(q mallory "SELECT count(*) FROM invoices")" 0
check "... no audit row" "$(q mallory "SELECT count(*) FROM audit")" 0
e=$(q_err mallory "INSERT INTO invoices (org_id, number, customer, total_minor, currency)
                   VALUES ($ACME, 'ACME-9', 'Planted', 1, 'EUR')")
check_match "... and cannot insert into an org" "$e" "row-level security"

# Writing the audit or the totals directly is no privilege of a member.
e=$(q_err alice "INSERT INTO audit (org_id, actor, action, subject_id, from_version, to_version)
                 VALUES ($ACME, 'carol', 'invoice.edit', 1, 1, 2)")
check_match "an admin cannot plant an audit row" "$e" "permission denied"
e=$(q_err alice "UPDATE totals SET total_minor = 0")
check_match "an admin cannot write the totals" "$e" "permission denied"
e=$(q_err alice "INSERT INTO memberships VALUES ((SELECT id FROM users WHERE name = 'bob'), $ACME, 'admin')")
check_match "nor the memberships" "$e" "permission denied"
finish
