#!/bin/bash
# Members are the server's login roles; a membership is a row that only an
# admin of the org adds, through inved_member_add (SECURITY DEFINER), which
# creates and grants no role.  Each change is audited with its actor.
. "$(dirname "$0")/lib.sh"
pg_setup members

# The roles this test names, their powers and the roles granted to them
# (other tests share the cluster, so only these are compared).
names="'alice', 'bob', 'carol', 'dave', 'erin', 'nosuchrole'"
roles() { sq "SELECT string_agg(rolname || ':' || rolsuper || rolcreaterole || rolcreatedb || rolbypassrls, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ($names)"; }
grants() { sq "SELECT count(*) FROM pg_auth_members WHERE member IN (SELECT oid FROM pg_roles WHERE rolname IN ($names))"; }
r0=$(roles); g0=$(grants)

check "carol sees no acme invoice before" \
	"$(q carol "SELECT count(*) FROM invoices WHERE org_id = $ACME")" 0
q alice "SELECT inved_member_add($ACME, 'carol', 'member')" >/dev/null
check "an admin adds a member: carol now sees acme's invoices" \
	"$(q carol "SELECT count(*) FROM invoices WHERE org_id = $ACME")" 3
check "the addition is audited with its actor" \
	"$(sq "SELECT actor, action, detail::jsonb ->> 'user', detail::jsonb -> 'role' ->> 'new'
	       FROM audit WHERE action LIKE 'member.%' ORDER BY seq DESC LIMIT 1")" \
	"alice|member.add|carol|member"
check "no role was created or granted" "$(roles)|$(grants)" "$r0|$g0"

e=$(q_err bob "SELECT inved_member_add($ACME, 'dave', 'admin')")
check_match "a member cannot add members" "$e" "only an admin"
e=$(q_err dave "SELECT inved_member_add($ACME, 'dave', 'admin')")
check_match "a role of another org cannot add itself" "$e" "only an admin"
e=$(q_err carol "SELECT inved_member_role($ACME, 'carol', 'admin')")
check_match "a member cannot promote itself" "$e" "only an admin"
e=$(q_err alice "SELECT inved_member_add($ACME, 'nosuchrole', 'member')")
check_match "a login role that does not exist is not made" "$e" "no login role"
e=$(q_err alice "SELECT inved_member_add($ACME, 'x; DROP TABLE audit', 'member')")
check_match "a login that is no inved name is refused" "$e" "a login is"
e=$(q_err alice "SELECT inved_member_add($ACME, 'bob', 'member')")
check_match "adding a member twice is a conflict" "$e" "already a member"
e=$(q_err alice "SELECT inved_member_remove($ACME, 'alice')")
check_match "the last admin cannot leave" "$e" "last admin"
e=$(q_err bob "SELECT inved_member_audit($ACME, 'member.add', 'x', NULL, 'admin')")
check_match "the audit helper is not callable" "$e" "permission denied"

e=$(q_err alice "SELECT inved_member_add($ACME, '$OWNER', 'member')")
check_match "the schema's owner (who sees every org) is no member" "$e" \
	"owns the schema"
e=$(q_err "$OWNER" "SELECT inved_org_create('ownersorg')")
check_match "... and makes no org of its own" "$e" "owns the schema"

check "an admin re-roles a member" \
	"$(q alice "SELECT inved_member_role($ACME, 'bob', 'admin')")" member
q bob "SELECT inved_member_remove($ACME, 'carol')" >/dev/null
check "... who, now an admin, removes one" \
	"$(q carol "SELECT count(*) FROM invoices WHERE org_id = $ACME")" 0
check "no role was created or granted all along" "$(roles)|$(grants)" "$r0|$g0"

# init --org: a new org with the caller as admin; another's org is refused.
su_sql postgres "DO \$\$ BEGIN CREATE ROLE mallory LOGIN;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$"
check "a role makes an org of its own" \
	"$(q mallory "SELECT already FROM inved_org_create('initrode')")" f
check "... twice is no change" \
	"$(q mallory "SELECT already FROM inved_org_create('initrode')")" t
check "... and it is its admin" \
	"$(q mallory "SELECT o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id")" \
	"initrode|admin"
e=$(q_err mallory "SELECT inved_org_create('acme')")
check_match "another's org is refused" "$e" "belongs to its admins"
check "mallory sees none of acme" \
	"$(q mallory "SELECT count(*) FROM invoices WHERE org_id = $ACME")" 0
finish
