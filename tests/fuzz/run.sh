#!/bin/bash
# tests/fuzz/run.sh SECONDS [TARGET...] - build the libFuzzer targets with
# clang (AddressSanitizer and UndefinedBehaviorSanitizer on), then run each
# TARGET (default: all of money, cli, fields) for SECONDS, starting from the
# seeds in tests/fuzz/corpus/TARGET.  What the fuzzer adds to the corpus
# goes to a temporary directory that is removed afterwards, never into the
# source tree.  Exits 1 when any target finds a crash, a leak or a broken
# invariant; the input that did it is kept under BUILDDIR/fuzz-findings/.
#
# Environment: FUZZ_BUILDDIR (default build-fuzzclang at the top of the
# source tree), FUZZ_JOBS (ninja's -j, default 2), FUZZ_ARGS (more libFuzzer
# options, e.g. "-runs=1000000").
set -euo pipefail

usage() {
	echo "usage: $0 SECONDS [money|cli|fields]..." >&2
	exit 2
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in '' | *[!0-9]*) usage ;; esac
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(money cli fields)

root=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${FUZZ_BUILDDIR:-$root/build-fuzzclang}

if [ ! -f "$builddir/build.ninja" ]; then
	CC=clang meson setup "$builddir" "$root" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false
fi
ninja_targets=()
for t in "${targets[@]}"; do
	[ -d "$root/tests/fuzz/corpus/$t" ] || usage
	ninja_targets+=("tests/fuzz/fuzz_$t")
done
ninja -C "$builddir" -j "${FUZZ_JOBS:-2}" "${ninja_targets[@]}"

# On /dev/shm when there is one: the targets' databases sync every write.
base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && base=/dev/shm
work=$(mktemp -d "$base/inved-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp"
export TMPDIR="$work/tmp"

failed=0
for t in "${targets[@]}"; do
	mkdir -p "$work/$t/corpus"
	extra=()
	# the commands print their refusals; keep libFuzzer's own report
	[ "$t" = cli ] && extra+=(-close_fd_mask=2)
	set +e
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ASAN_OPTIONS=detect_leaks=1 \
	"$builddir/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=20 \
		-print_final_stats=1 -artifact_prefix="$work/$t/" \
		"${extra[@]}" ${FUZZ_ARGS:-} \
		"$work/$t/corpus" "$root/tests/fuzz/corpus/$t" \
		>"$work/$t/log" 2>&1
	rc=$?
	set -e
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
	if [ $rc -ne 0 ] || ls "$work/$t"/crash-* "$work/$t"/leak-* \
		"$work/$t"/timeout-* "$work/$t"/oom-* >/dev/null 2>&1; then
		failed=1
		mkdir -p "$builddir/fuzz-findings/$t"
		cp "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* \
			"$work/$t"/oom-* "$builddir/fuzz-findings/$t/" 2>/dev/null || true
		cp "$work/$t/log" "$builddir/fuzz-findings/$t/log"
		grep -v '^ *"' "$work/$t/log" | tail -n 40 >&2
		echo "fuzz_$t: FINDING after ${runs:-?} executions (exit $rc);" \
			"input and log in $builddir/fuzz-findings/$t/" >&2
	else
		echo "fuzz_$t: ${runs:-?} executions (at most ${secs}s), no finding"
	fi
done
exit $failed
