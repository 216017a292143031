#!/bin/sh
# quick.sh - the benchmark at CI size.  Fails when a program fails (a
# crash, a broken database, a lost update), never because a figure missed
# its target: timings on a shared CI machine mean little.
#
#   quick.sh GEN BENCH INVED BARE
#
# Four steps, so each path of the two programs runs:
#   1. the generator with --check (integrity and totals against a recount)
#      and without the yardstick tables;
#   2. every figure at --quick size on that file, which makes the runner
#      build the yardstick tables itself;
#   3. the race alone on a file the runner has to make with the generator;
#   4. --compare of the binary against itself, one run each, one figure.
set -eu

gen=$1
bench=$2
inved=$3
bare=$4

dir=$(mktemp -d "${TMPDIR:-/tmp}/inved-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

"$gen" --db "$dir/bench.db" --invoices 20000 --check --no-yardstick
"$bench" --db "$dir/bench.db" --quick --inved "$inved" --bare "$bare"
"$bench" --db "$dir/made.db" --invoices 5000 --quick --only 8 --gen "$gen"
"$bench" --compare "$inved" "$inved" --runs 1 --db "$dir/bench.db" --quick \
	--only 1 --bare "$bare"
