#!/bin/sh
# manlint.sh PAGE - the manual page formats without a single groff
# warning (-ww turns all of them on). Skipped, saying so, without groff.
set -eu
page=$1
if ! command -v groff >/dev/null 2>&1; then
	echo "SKIP: groff is not installed, so $page cannot be checked"
	exit 77
fi
out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	echo "$page: groff warns (see above)"
	exit 1
fi
echo "$page formats without warnings"
