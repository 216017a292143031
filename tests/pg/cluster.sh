#!/bin/bash
# cluster.sh - a throwaway PostgreSQL cluster for the tests.
#
#   cluster.sh start        make and start a cluster in a new temporary
#                           directory; print its URI (first line of output)
#   cluster.sh stop URI|DIR stop it and remove its directory
#   cluster.sh env URI|DIR  print shell assignments for it (PGHOST, PGPORT,
#                           PGUSER, PGDATABASE, INVED_PG_URI)
#   cluster.sh run CMD...   start, run CMD with INVED_PG_URI (and PG*) set,
#                           stop; exit with CMD's status
#   cluster.sh shared-start FILE
#   cluster.sh shared-stop FILE
#                           the cluster of one `meson test` run: started by
#                           its first test, its URI kept in FILE for the
#                           tests in between, stopped by its last test
#                           (tests/pg/meson.build); a cluster left in FILE
#                           by an interrupted run is stopped first
#
# The cluster listens on a unix socket in its own short directory and on no
# TCP port, trusts local connections (it lives as long as a test run, and
# only its owner can reach the socket directory), and has the superuser
# "postgres" and an empty database "inved".  initdb refuses to run as root,
# so as root the server runs as the unprivileged user postgres (or nobody).
# fsync is off unless INVED_PG_FSYNC=on (the benchmark's cluster).
#
# Exit 77 (the test runner's "skipped") with the reason on stderr when the
# server binaries are missing or no unprivileged user is there to run them:
# a machine without PostgreSQL skips these tests, it never passes them.
set -euo pipefail

SKIP=77
PORT=5432
SUPERUSER=postgres

die() { echo "cluster.sh: $*" >&2; exit 1; }
skip() { echo "cluster.sh: SKIP: $*" >&2; exit "$SKIP"; }

# The directory of initdb/pg_ctl: $INVED_PG_BINDIR when set (and nothing
# else then), pg_config's, then PATH, then Debian's versioned directories.
find_bindir() {
	local d
	if [ -n "${INVED_PG_BINDIR:-}" ]; then
		[ -x "$INVED_PG_BINDIR/initdb" ] && [ -x "$INVED_PG_BINDIR/pg_ctl" ] ||
			return 1
		echo "$INVED_PG_BINDIR"; return 0
	fi
	if command -v pg_config >/dev/null 2>&1; then
		d=$(pg_config --bindir 2>/dev/null || true)
		if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"; return 0
		fi
	fi
	if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
	then
		dirname "$(command -v initdb)"; return 0
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
			echo "$d"; return 0
		fi
	done
	return 1
}

# Who runs the server: ourselves, or as root an unprivileged account.
server_user() {
	if [ "$(id -u)" != 0 ]; then
		return 0
	fi
	local u
	for u in postgres nobody; do
		if id -u "$u" >/dev/null 2>&1; then
			echo "$u"; return 0
		fi
	done
	return 1
}

as_server() {
	local u=$1; shift
	if [ -n "$u" ]; then
		runuser -u "$u" -- "$@"
	else
		"$@"
	fi
}

# The directory named by a URI (host=DIR) or given as is.
dir_of() {
	local a=$1
	case $a in
	postgres://*|postgresql://*)
		a=${a#*host=}
		a=${a%%&*}
		;;
	esac
	[ -n "$a" ] && [ -f "$a/data/PG_VERSION" ] || die "no cluster at '$1'"
	echo "$a"
}

uri_of() {
	echo "postgresql:///inved?host=$1&port=$PORT&user=$SUPERUSER"
}

cmd_start() {
	local bindir user dir
	bindir=$(find_bindir) || skip "PostgreSQL server binaries (initdb, pg_ctl) not found; install the postgresql package"
	if [ "$(id -u)" = 0 ]; then
		command -v runuser >/dev/null 2>&1 || skip "running as root without runuser; initdb refuses root"
		user=$(server_user) || skip "running as root with no unprivileged user (postgres, nobody) to run initdb"
	else
		user=
	fi
	# A short path: a unix socket's path is limited to about 100 bytes.
	dir=$(mktemp -d /tmp/ivpg.XXXXXX)
	chmod 700 "$dir"
	if [ -n "$user" ]; then
		chown "$user" "$dir"
	fi
	if ! as_server "$user" "$bindir/initdb" -D "$dir/data" -U "$SUPERUSER" \
		-A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1
	then
		cat "$dir/initdb.log" >&2
		rm -rf "$dir"
		die "initdb failed"
	fi
	# fsync off: the cluster lives for one test run (INVED_PG_FSYNC=on
	# for a benchmark whose commits should cost what they do on disk).
	if ! as_server "$user" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
		-w -t 120 -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $PORT -c fsync=${INVED_PG_FSYNC:-off} -c max_connections=100" \
		start >/dev/null
	then
		cat "$dir/server.log" >&2 || true
		rm -rf "$dir"
		die "the server did not start"
	fi
	echo "$bindir" >"$dir/bindir"
	echo "$user" >"$dir/user"
	if ! "$bindir/psql" -X -q -h "$dir" -p "$PORT" -U "$SUPERUSER" \
		-d postgres -c 'CREATE DATABASE inved' >/dev/null
	then
		cmd_stop "$dir"
		die "could not create the database inved"
	fi
	uri_of "$dir"
}

cmd_stop() {
	local dir bindir user
	dir=$(dir_of "$1")
	bindir=$(cat "$dir/bindir")
	user=$(cat "$dir/user")
	as_server "$user" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop \
		>/dev/null 2>&1 || true
	rm -rf "$dir"
}

cmd_env() {
	local dir
	dir=$(dir_of "$1")
	printf 'PGHOST=%q\nPGPORT=%q\nPGUSER=%q\nPGDATABASE=inved\nINVED_PG_URI=%q\nINVED_PG_BINDIR=%q\n' \
		"$dir" "$PORT" "$SUPERUSER" "$(uri_of "$dir")" "$(cat "$dir/bindir")"
	echo 'export PGHOST PGPORT PGUSER PGDATABASE INVED_PG_URI INVED_PG_BINDIR'
}

cmd_run() {
	local uri rc
	uri=$(cmd_start)
	# shellcheck disable=SC2064
	trap "'$0' stop '$uri'" EXIT
	trap 'exit 130' INT TERM
	eval "$(cmd_env "$uri")"
	set +e
	"$@"
	rc=$?
	set -e
	exit "$rc"
}

cmd_shared_start() {
	local file=$1 uri
	cmd_shared_stop "$file"
	uri=$(cmd_start) || exit $?
	echo "$uri" >"$file"
	echo "$uri"
}

cmd_shared_stop() {
	local file=$1 uri
	[ -f "$file" ] || return 0
	uri=$(cat "$file")
	rm -f "$file"
	if [ -n "$uri" ] && dir_of "$uri" >/dev/null 2>&1; then
		cmd_stop "$uri"
		echo "stopped $uri"
	fi
}

case ${1:-} in
shared-start) [ $# = 2 ] || die "usage: cluster.sh shared-start FILE"
	cmd_shared_start "$2" ;;
shared-stop) [ $# = 2 ] || die "usage: cluster.sh shared-stop FILE"
	cmd_shared_stop "$2" ;;
start) cmd_start ;;
stop) [ $# = 2 ] || die "usage: cluster.sh stop URI|DIR"; cmd_stop "$2" ;;
env) [ $# = 2 ] || die "usage: cluster.sh env URI|DIR"; cmd_env "$2" ;;
run) shift; [ $# -ge 1 ] || die "usage: cluster.sh run CMD..."; cmd_run "$@" ;;
*) echo "usage: cluster.sh start | stop URI|DIR | env URI|DIR | run CMD..." \
	"| shared-start FILE | shared-stop FILE" >&2
   exit 2 ;;
esac
