# lib.sh - what the PostgreSQL schema tests share (sourced, bash).
#
# pg_setup makes a database of its own on the run's cluster (see there), or
# on a cluster started for this test alone, and
# loads the schema into it as a role that is not a superuser (a superuser
# skips row security, so a test run as one would prove nothing).  Then:
#   org acme:   alice admin, bob member, erin member
#   org globex: carol admin, dave member
# each user a login role of its own, every statement of a test run as one
# of them through psql.  Roles are shared by the databases of a cluster;
# the memberships are the database's own.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${INVED_PG_SCHEMA:=$here/../../data/schema-pg.sql}"
PSQL=psql
TESTS_FAILED=0

# pg_setup NAME [bare]: bare stops after the cluster and the roles (no
# database), for a program that makes its own.
pg_setup() {
	local name=$1 uri
	command -v psql >/dev/null 2>&1 || {
		echo "SKIP: psql (the PostgreSQL client) is not installed" >&2
		exit 77
	}
	# The run's cluster: INVED_PG_URI (cluster.sh run), else the one the
	# run's first test started (INVED_PG_CLUSTER_FILE), else one of our own.
	if [ -z "${INVED_PG_URI:-}" ] && [ -n "${INVED_PG_CLUSTER_FILE:-}" ] &&
	   [ -s "$INVED_PG_CLUSTER_FILE" ]; then
		uri=$(cat "$INVED_PG_CLUSTER_FILE")
		if psql -X -q -d "$uri" -c 'SELECT 1' >/dev/null 2>&1; then
			INVED_PG_URI=$uri
		fi
	fi
	if [ -z "${INVED_PG_URI:-}" ]; then
		uri=$("$here/cluster.sh" start) || exit $?
		# shellcheck disable=SC2064
		trap "'$here/cluster.sh' stop '$uri'; "'rm -rf "${TMPD:-}"' EXIT
		eval "$("$here/cluster.sh" env "$uri")"
		echo "# on a cluster of this test's own: $uri"
	else
		echo "# on the run's cluster: $INVED_PG_URI"
		eval "$("$here/cluster.sh" env "$INVED_PG_URI")"
		trap 'rm -rf "${TMPD:-}"' EXIT
	fi
	# a test that is killed still stops its cluster
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	export PGHOST PGPORT
	unset PGUSER PGDATABASE
	TMPD=$(mktemp -d)
	DB="t_${name}_$$"
	OWNER="own_${name}_$$"
	su_sql postgres "CREATE ROLE $OWNER LOGIN"
	local r
	for r in alice bob carol dave erin; do
		su_sql postgres "DO \$\$ BEGIN CREATE ROLE $r LOGIN;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
			END \$\$"
	done
	[ "${2:-}" = bare ] && return 0
	su_sql postgres "CREATE DATABASE $DB OWNER $OWNER"
	$PSQL -X -q -v ON_ERROR_STOP=1 -U "$OWNER" -d "$DB" -1 \
		-f "$INVED_PG_SCHEMA" >/dev/null
	q "$OWNER" "
		INSERT INTO orgs (name, prefix) VALUES ('acme', 'ACME-'),
			('globex', 'GLOBEX-');
		INSERT INTO users (name) VALUES ('alice'), ('bob'), ('carol'),
			('dave'), ('erin');
		INSERT INTO memberships (user_id, org_id, role)
		SELECT u.id, o.id, r.role FROM (VALUES
			('alice', 'acme', 'admin'), ('bob', 'acme', 'member'),
			('erin', 'acme', 'member'),
			('carol', 'globex', 'admin'), ('dave', 'globex', 'member'))
			AS r(u, o, role)
		JOIN users u ON u.name = r.u JOIN orgs o ON o.name = r.o;
		INSERT INTO invoices (org_id, number, customer, total_minor,
		                      currency)
		SELECT o.id, v.n, v.c, v.t, 'EUR' FROM (VALUES
			('acme', 'ACME-1001', 'Initech', 125000),
			('acme', 'ACME-1002', 'Umbrella', 5000),
			('acme', 'ACME-1003', 'Hooli', 700),
			('globex', 'GLOBEX-1001', 'Wayne', 990000)) AS v(o, n, c, t)
		JOIN orgs o ON o.name = v.o ORDER BY v.n;" >/dev/null
	# the superuser's conveniences, for reading what a role cannot
	ACME=$(q "$OWNER" "SELECT id FROM orgs WHERE name = 'acme'")
	GLOBEX=$(q "$OWNER" "SELECT id FROM orgs WHERE name = 'globex'")
}

# Run sql as the cluster's superuser in the database postgres.
su_sql() {
	$PSQL -X -q -A -t -v ON_ERROR_STOP=1 -U "$1" -d postgres -c "$2" >/dev/null
}

# q ROLE SQL: run SQL as ROLE in the test's database; print the result
# (unaligned, tuples only).  Fails (the test's set -e) on an error.
q() {
	$PSQL -X -q -A -t -v ON_ERROR_STOP=1 -U "$1" -d "$DB" -c "$2"
}

# q_err ROLE SQL: run SQL expecting it to fail; print the error text, or
# "UNEXPECTED SUCCESS" (which no check_match accepts) when it succeeds.
q_err() {
	local out
	if out=$($PSQL -X -q -A -t -v ON_ERROR_STOP=1 -U "$1" -d "$DB" \
		-c "$2" 2>&1); then
		echo "UNEXPECTED SUCCESS: $out"
		return 0
	fi
	echo "$out"
}

# The superuser's view of the database (row security does not apply).
sq() { q postgres "$1"; }

check() { # check NAME GOT WANT
	if [ "$2" == "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: got [$2], want [$3]"
		TESTS_FAILED=$((TESTS_FAILED + 1))
	fi
}

check_match() { # check_match NAME TEXT REGEX
	if [[ $2 =~ $3 ]]; then
		echo "ok - $1"
	else
		echo "not ok - $1: [$2] does not match /$3/"
		TESTS_FAILED=$((TESTS_FAILED + 1))
	fi
}

# The totals as kept and as recounted must agree, for every org.
totals_agree() {
	local kept counted
	kept=$(sq "SELECT org_id, state, currency, count, total_minor FROM totals
	           WHERE count <> 0 OR total_minor <> 0 ORDER BY 1, 2, 3")
	counted=$(sq "SELECT org_id, inved_state(archived_at, deleted_at) s,
	                     currency, count(*), sum(total_minor)
	              FROM invoices GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
	check "totals equal a recount" "$kept" "$counted"
}

finish() {
	if [ "$TESTS_FAILED" -ne 0 ]; then
		echo "$TESTS_FAILED check(s) failed"
		exit 1
	fi
	echo "all checks passed"
}

# A psql session held open across steps (for the concurrency tests):
#   session_open NAME ROLE      start it
#   session_run NAME SQL        send SQL, wait until psql has run it, and
#                               print what it printed
#   session_send NAME SQL       send SQL without waiting
#   session_close NAME
# Output is read back to a marker line, never after a sleep.
session_open() {
	local name=$1 role=$2
	mkfifo "$TMPD/$name.in"
	$PSQL -X -q -A -t -U "$role" -d "$DB" <"$TMPD/$name.in" \
		>"$TMPD/$name.out" 2>&1 &
	eval "SESSION_PID_$name=$!"
	# hold the fifo open for writing on a descriptor of this shell
	eval "exec {SESSION_FD_$name}>\"\$TMPD/\$name.in\""
	echo 0 >"$TMPD/$name.n"
}

session_send() {
	local fd
	eval "fd=\$SESSION_FD_$1"
	printf '%s\n' "$2" >&"$fd"
}

session_run() {
	local name=$1 n fd i
	# the count lives in a file: session_run often runs in $(...)
	n=$(($(cat "$TMPD/$name.n") + 1))
	echo "$n" >"$TMPD/$name.n"
	eval "fd=\$SESSION_FD_$name"
	printf '%s\n\\echo @@mark %s\n' "$2" "$n" >&"$fd"
	for i in $(seq 1 6000); do
		if grep -q "^@@mark $n\$" "$TMPD/$name.out"; then
			awk -v n="$n" 'BEGIN { on = (n == 1) }
				$0 == "@@mark " (n - 1) { on = 1; next }
				$0 == "@@mark " n { exit }
				on { print }' "$TMPD/$name.out"
			return 0
		fi
		sleep 0.05
	done
	echo "session $name did not answer: $(cat "$TMPD/$name.out")" >&2
	return 1
}

session_close() {
	local fd pid
	eval "fd=\$SESSION_FD_$1; pid=\$SESSION_PID_$1"
	# \q: a later session's psql holds this fifo open too (inherited)
	printf '\\q\n' >&"$fd"
	eval "exec $fd>&-"
	wait "$pid" || true
}
