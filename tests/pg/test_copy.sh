#!/bin/bash
# `inved copy` between SQLite and PostgreSQL, end to end with the real
# binary: a demo file given a history (edits by two users, an overwrite,
# a drift, an archive, a delete and a restore, a create with a request id,
# a draft) is copied into an empty PostgreSQL database and from there into
# a new file.  Every demo user's list, show, history and audit in JSON are
# the same on all three, `check` passes on both targets, a target that is
# not empty is refused and left as it was, a role that does not own the
# schema may not copy, and after the copy the PostgreSQL database goes on
# as a live one: a guarded edit saves, a stale one conflicts, a new
# invoice and audit row continue the ids and seqs instead of colliding.
# PostgreSQL -> PostgreSQL keeps the same.  A team's file (not a demo)
# copied to PostgreSQL is worked in by its members as their own login
# roles under row security; a team whose users include the schema owner's
# login is refused, nothing written.
# Skipped (77) with the reason without the server.
. "$(dirname "$0")/lib.sh"
: "${INVED_BIN:?INVED_BIN names the inved binary}"
command -v sqlite3 >/dev/null 2>&1 || {
	echo "SKIP: the sqlite3 shell is not installed" >&2
	exit 77
}
pg_setup copy bare
su_sql postgres "CREATE DATABASE $DB OWNER $OWNER"
U="postgresql:///$DB?host=$PGHOST&port=$PGPORT&user=$OWNER"
A="$TMPD/a.db"
C="$TMPD/c.db"
# run CMD...: its exit status into $rc and its output into $out
run() { set +e; out=$("$@" 2>&1); rc=$?; set -e; }
inv() { local db=$1; shift; "$INVED_BIN" --db "$db" "$@"; }
id_of() { # id_of DB NUMBER: the live invoice's id
	inv "$1" --user alice show "$2" --json |
		sed -n 's/.*"id":\([0-9]*\).*/\1/p'
}

# ---- a history on SQLite ----------------------------------------------
run inv "$A" init --demo
check "init --demo (SQLite)" "$rc" 0
run inv "$A" --user bob edit ACME-1002 --version 1 --customer "Initech AG"
check "bob edits" "$rc" 0
run inv "$A" --user alice edit ACME-1002 --version 1 --total 99.50 --overwrite
check "alice overwrites" "$rc" 0
run inv "$A" --user alice drift ACME-1003
check "a drift" "$rc" 0
run inv "$A" --user bob archive ACME-1003 --version 2
check "bob archives" "$rc" 0
run inv "$A" --user alice delete ACME-1006 --version 1
check "alice deletes" "$rc" 0
id6=$(sqlite3 "$A" "SELECT id FROM invoices WHERE number = 'ACME-1006'")
run inv "$A" --user alice restore "$id6" --version 2
check "alice restores" "$rc" 0
run inv "$A" --user carol create --customer "Wayne Ent." --total 12.34 \
	--currency USD --request-id copy-r1
check "carol creates" "$rc" 0
run inv "$A" --user carol create --customer 'Back\slash "quoted", {braced}' \
	--total 1.00
check "carol creates one with quotes, a backslash and braces" "$rc" 0
run inv "$A" --user carol edit GLOBEX-1001 --version 1 --status paid
check "carol edits" "$rc" 0
# a form's unsaved edits, as the screen keeps them
sqlite3 "$A" "INSERT INTO drafts (user_id, org_id, invoice_id, token,
	version, base_version, base_body, body, saved_at)
	SELECT u.id, i.org_id, i.id, '', 3, i.version,
	       '{\"customer\":\"Initech AG\"}', '{\"customer\":\"Initech SE\"}',
	       '2026-12-02T10:41:05.000Z'
	FROM users u, invoices i
	WHERE u.name = 'bob' AND i.number = 'ACME-1002'
	  AND i.deleted_at IS NULL"
run inv "$A" --user alice check
check "the source passes check" "$rc" 0

# ---- everything a user can read, on one database ------------------------
ids=$(sqlite3 "$A" "SELECT id FROM invoices ORDER BY id")
views() { # views DB: every demo user's JSON answers, with exit codes
	local db=$1 u id
	for u in alice bob carol dave; do
		for args in "list --json" "list --view archived --json" \
			"list --view all --json" "audit --tail 1000 --json"; do
			# shellcheck disable=SC2086
			echo "== $u $args"
			inv "$db" --user "$u" $args 2>&1 || echo "exit $?"
		done
		# (a member's `member list` differs between the backends
		# today; the admins' lists are compared)
		if [ "$u" = alice ] || [ "$u" = carol ]; then
			echo "== $u member list"
			inv "$db" --user "$u" member list --json 2>&1 ||
				echo "exit $?"
		fi
		for id in $ids; do
			echo "== $u show/history $id"
			inv "$db" --user "$u" show "$id" --json 2>&1 ||
				echo "exit $?"
			inv "$db" --user "$u" history "$id" --json 2>&1 ||
				echo "exit $?"
		done
	done
}
views "$A" >"$TMPD/a.views"
check_match "... an overwrite, a drift and a restore among them" \
	"$(tr '\n' ' ' <"$TMPD/a.views")" \
	'invoice.overwrite.*invoice.drift|invoice.drift.*invoice.overwrite'

# ---- SQLite -> PostgreSQL -----------------------------------------------
run "$INVED_BIN" copy --from "$A" --to "$U" --json
check "copy SQLite -> PostgreSQL" "$rc" 0
check_match "... says its check passed" "$out" '^\{"ok":true,'
check_match "... and what it copied between" "$out" \
	'"from":"sqlite","to":"postgresql"'
n_audit=$(sqlite3 "$A" "SELECT count(*) FROM audit")
n_inv=$(sqlite3 "$A" "SELECT count(*) FROM invoices")
check_match "... counts every invoice and audit row" "$out" \
	"\"invoices\":$n_inv,\"audit\":$n_audit,"
check_match "... and the draft" "$out" '"drafts":1\}'
check "every audit row kept, seq for seq" \
	"$(q "$OWNER" "SELECT string_agg(seq || ' ' || actor || ' ' || action || ' ' || to_version || ' ' || detail, '|' ORDER BY seq) FROM audit")" \
	"$(sqlite3 "$A" "SELECT group_concat(seq || ' ' || actor || ' ' || action || ' ' || to_version || ' ' || detail, '|') FROM (SELECT * FROM audit ORDER BY seq)")"
check "the audit rows' times kept" \
	"$(q "$OWNER" "SELECT string_agg(inved_time_text(at), ' ' ORDER BY seq) FROM audit")" \
	"$(sqlite3 "$A" "SELECT group_concat(at, ' ') FROM (SELECT at FROM audit ORDER BY seq)")"
check "the draft kept" \
	"$(q "$OWNER" "SELECT body || ' ' || base_body || ' ' || version FROM drafts")" \
	'{"customer":"Initech SE"} {"customer":"Initech AG"} 3'
run inv "$U" --user alice check
check "check passes on PostgreSQL" "$rc" 0
views "$U" >"$TMPD/pg.views"
run diff "$TMPD/a.views" "$TMPD/pg.views"
check "every user's list, show, history and audit are the same on PostgreSQL" \
	"$out" ""

before=$(q "$OWNER" "SELECT count(*) || ' ' || max(seq) FROM audit")
run "$INVED_BIN" copy --from "$A" --to "$U"
check "a PostgreSQL target that is not empty is refused (exit 3)" "$rc" 3
check_match "... saying why" "$out" "is not empty.*nothing was written"
check "... and left as it was" \
	"$(q "$OWNER" "SELECT count(*) || ' ' || max(seq) FROM audit")" "$before"
check "... its triggers in place" \
	"$(q "$OWNER" "SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('invoices'::regclass, 'audit'::regclass) AND NOT tgisinternal AND tgenabled = 'O'")" \
	"$(q "$OWNER" "SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('invoices'::regclass, 'audit'::regclass) AND NOT tgisinternal")"

run "$INVED_BIN" copy --from "postgresql:///$DB?host=$PGHOST&port=$PGPORT&user=alice" \
	--to "$TMPD/x.db"
check "a role that does not own the schema may not copy it (exit 5)" "$rc" 5

# ---- PostgreSQL -> SQLite -----------------------------------------------
run "$INVED_BIN" copy --from "$U" --to "$C" --json
check "copy PostgreSQL -> SQLite" "$rc" 0
check_match "... says its check passed" "$out" '^\{"ok":true,'
check_match "... and what it copied between" "$out" \
	'"from":"postgresql","to":"sqlite"'
run inv "$C" --user alice check
check "check passes on the SQLite copy" "$rc" 0
views "$C" >"$TMPD/c.views"
run diff "$TMPD/a.views" "$TMPD/c.views"
check "... and every view is the same as the original's" "$out" ""
check "the round trip keeps every audit row byte for byte" \
	"$(sqlite3 "$C" "SELECT group_concat(quote(seq) || quote(at) || quote(org_id) || quote(actor_user_id) || quote(actor) || quote(action) || quote(subject_id) || quote(from_version) || quote(to_version) || quote(detail), '|') FROM (SELECT * FROM audit ORDER BY seq)")" \
	"$(sqlite3 "$A" "SELECT group_concat(quote(seq) || quote(at) || quote(org_id) || quote(actor_user_id) || quote(actor) || quote(action) || quote(subject_id) || quote(from_version) || quote(to_version) || quote(detail), '|') FROM (SELECT * FROM audit ORDER BY seq)")"
check "... every invoice" \
	"$(sqlite3 "$C" "SELECT group_concat(quote(id) || quote(number) || quote(customer) || quote(status) || quote(total_minor) || quote(currency) || quote(version) || quote(created_at) || quote(updated_at) || quote(archived_at) || quote(deleted_at), '|') FROM (SELECT * FROM invoices ORDER BY id)")" \
	"$(sqlite3 "$A" "SELECT group_concat(quote(id) || quote(number) || quote(customer) || quote(status) || quote(total_minor) || quote(currency) || quote(version) || quote(created_at) || quote(updated_at) || quote(archived_at) || quote(deleted_at), '|') FROM (SELECT * FROM invoices ORDER BY id)")"
check "... the drafts, request ids and totals" \
	"$(sqlite3 "$C" "SELECT (SELECT group_concat(quote(body) || quote(saved_at)) FROM drafts), (SELECT group_concat(token || invoice_id) FROM (SELECT * FROM requests ORDER BY org_id, token)), (SELECT group_concat(count || total_minor) FROM (SELECT * FROM totals WHERE count > 0 ORDER BY 1, 2, 3))")" \
	"$(sqlite3 "$A" "SELECT (SELECT group_concat(quote(body) || quote(saved_at)) FROM drafts), (SELECT group_concat(token || invoice_id) FROM (SELECT * FROM requests ORDER BY org_id, token)), (SELECT group_concat(count || total_minor) FROM (SELECT * FROM totals WHERE count > 0 ORDER BY 1, 2, 3))")"

# ---- the PostgreSQL copy goes on as a live database ---------------------
v=$(inv "$U" --user alice show ACME-1005 --json |
	sed -n 's/.*"version":\([0-9]*\).*/\1/p')
run inv "$U" --user bob edit ACME-1005 --version "$v" --customer "After Copy" --json
check "a guarded edit after the copy saves" "$rc" 0
check_match "... as the next version" "$out" "\"version\":$((v + 1))"
run inv "$U" --user alice edit ACME-1005 --version "$v" --customer "Stale" --json
check "a stale edit after the copy conflicts (exit 3)" "$rc" 3
check_match "... with the current row" "$out" '"customer":"After Copy"'
max_seq=$(sqlite3 "$A" "SELECT max(seq) FROM audit")
check "the new audit row continues the seqs" \
	"$(q "$OWNER" "SELECT seq FROM audit WHERE detail LIKE '%After Copy%'")" \
	"$((max_seq + 1))"
max_id=$(sqlite3 "$A" "SELECT max(id) FROM invoices")
run inv "$U" --user alice create --customer "New After Copy" --total 1.00 --json
check "a create after the copy" "$rc" 0
check_match "... takes the next id" "$out" "\"id\":$((max_id + 1)),"
run inv "$U" --user carol create --customer "Wayne Ent." --total 12.34 \
	--currency USD --request-id copy-r1 --json
check "carol's retried create finds her invoice from before the copy" "$rc" 0
check_match "... as a repeat" "$out" '"repeat":true'
check "each org's feed head is its newest audit row" \
	"$(q "$OWNER" "SELECT string_agg(f.seq::text, ' ' ORDER BY f.org_id) FROM feed_heads f")" \
	"$(q "$OWNER" "SELECT string_agg(m::text, ' ' ORDER BY org_id) FROM (SELECT org_id, max(seq) m FROM audit GROUP BY org_id) x")"
run inv "$U" --user alice check
check "check still passes after the new writes" "$rc" 0


# A copy that fails midway (a name PostgreSQL refuses, after the orgs went
# in) writes nothing and leaves every trigger enabled.
cp "$A" "$TMPD/bad.db"
sqlite3 "$TMPD/bad.db" "UPDATE users SET name = 'dave smith' WHERE name = 'dave'"
su_sql postgres "CREATE DATABASE ${DB}_f OWNER $OWNER"
run "$INVED_BIN" copy --from "$TMPD/bad.db" \
	--to "postgresql:///${DB}_f?host=$PGHOST&port=$PGPORT&user=$OWNER"
check "a copy PostgreSQL refuses midway is invalid input (exit 2)" "$rc" 2
check "... and writes nothing" \
	"$(psql -X -q -A -t -U "$OWNER" -d "${DB}_f" -c "SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM users) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM feed_heads)")" \
	0
check "... with every trigger enabled" \
	"$(psql -X -q -A -t -U "$OWNER" -d "${DB}_f" -c "SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('invoices'::regclass, 'audit'::regclass) AND NOT tgisinternal AND tgenabled <> 'O'")" \
	0

# ---- PostgreSQL -> PostgreSQL -------------------------------------------
su_sql postgres "CREATE DATABASE ${DB}_b OWNER $OWNER"
U2="postgresql:///${DB}_b?host=$PGHOST&port=$PGPORT&user=$OWNER"
run "$INVED_BIN" copy --from "$U" --to "$U2" --json
check "copy PostgreSQL -> PostgreSQL" "$rc" 0
check_match "... says its check passed" "$out" '^\{"ok":true,'
# (the detail the same JSON: a copy writes it as the SQLite backend
# does, the triggers as jsonb's text)
check "... the audit the same, row for row" \
	"$(psql -X -q -A -t -U "$OWNER" -d "${DB}_b" -c "SELECT string_agg(seq || inved_time_text(at) || actor || action || to_version || detail::jsonb, '|' ORDER BY seq) FROM audit")" \
	"$(q "$OWNER" "SELECT string_agg(seq || inved_time_text(at) || actor || action || to_version || detail::jsonb, '|' ORDER BY seq) FROM audit")"
views "$U" >"$TMPD/pg.views"
views "$U2" >"$TMPD/pg2.views"
run diff "$TMPD/pg.views" "$TMPD/pg2.views"
check "... and every view" "$out" ""

# ---- a team's file (not a demo) to PostgreSQL -----------------------------
# The file's users become the members of the PostgreSQL database; each
# works as the login role of the same name, with row security.
T="$TMPD/team.db"
run inv "$T" init --org acme
check "a team's file" "$rc" 0
run inv "$T" create --customer "Team Customer" --total 10.00
check "... with an invoice" "$rc" 0
run inv "$T" member add alice --role admin
check "... and alice an admin" "$rc" 0
run inv "$T" member add bob
check "... and bob a member" "$rc" 0
su_sql postgres "CREATE DATABASE ${DB}_t OWNER $OWNER"
UT="postgresql:///${DB}_t?host=$PGHOST&port=$PGPORT"
run "$INVED_BIN" copy --from "$T" --to "$UT&user=$OWNER"
check "copy a team's file to PostgreSQL" "$rc" 0
run "$INVED_BIN" --db "$UT&user=bob" list --json
check "bob works in it as his own role" "$rc" 0
check_match "... and sees the team's invoice" "$out" '"customer":"Team Customer"'
run "$INVED_BIN" --db "$UT&user=carol" list --json
check "carol, no member, sees nothing (exit 5)" "$rc" 5
run "$INVED_BIN" --db "$UT&user=bob" edit ACME-1001 --version 1 --customer "By Bob" --json
check "bob's guarded edit" "$rc" 0
check "... audited as bob by the server" \
	"$(psql -X -q -A -t -U "$OWNER" -d "${DB}_t" -c "SELECT actor || ' ' || db_role FROM audit ORDER BY seq DESC LIMIT 1")" \
	"bob bob"

# The schema's owner sees every org and is never a member: a team whose
# users include the owner's login is refused.
sqlite3 "$T" "INSERT INTO users (name) VALUES ('$OWNER');
	INSERT INTO memberships (user_id, org_id, role)
	SELECT u.id, o.id, 'member' FROM users u, orgs o
	WHERE u.name = '$OWNER' AND o.name = 'acme'"
su_sql postgres "CREATE DATABASE ${DB}_o OWNER $OWNER"
run "$INVED_BIN" copy --from "$T" \
	--to "postgresql:///${DB}_o?host=$PGHOST&port=$PGPORT&user=$OWNER"
check "the owner's login among the team's users is refused (exit 5)" "$rc" 5
check_match "... saying why" "$out" "owns the schema.*nothing was written"
check "... and nothing was written" \
	"$(psql -X -q -A -t -U "$OWNER" -d "${DB}_o" -c "SELECT (SELECT count(*) FROM orgs) + (SELECT count(*) FROM users) + (SELECT count(*) FROM audit)")" \
	0

finish
