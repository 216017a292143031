#!/bin/sh
# quick.sh - the benchmark at CI size: generate 20,000 invoices into a
# temporary file and run inved-bench --quick on it.  Fails when either
# program fails (a crash, a broken database, a lost update), never because
# a figure missed its target: timings on a shared CI machine mean little.
#
#   quick.sh GEN BENCH INVED BARE
set -eu

gen=$1
bench=$2
inved=$3
bare=$4

dir=$(mktemp -d "${TMPDIR:-/tmp}/inved-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

"$gen" --db "$dir/bench.db" --invoices 20000
"$bench" --db "$dir/bench.db" --quick --inved "$inved" --bare "$bare"
