#!/bin/sh
# potcheck.sh MODE SOURCE_ROOT - the translation files keep up with the
# sources. Every string marked with _() or N_() in src/ is extracted
# afresh, with the keywords meson's i18n module uses, and then:
#   pot  every source file that marks strings is listed in
#        po/POTFILES.in, and every marked string is in po/inved.pot;
#   de   po/de.po is well-formed and translates every marked string
#        (no missing, untranslated or fuzzy entry).
# The fix in both cases: meson compile -C build inved-pot inved-update-po,
# then translate what po/de.po is missing.
set -eu
# xgettext reads the sources as UTF-8 only in a UTF-8 locale.
export LC_ALL=C.UTF-8
mode=$1
root=$2

for tool in xgettext msgcmp msgfmt; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed (Debian package gettext)"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/inved-potcheck-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$root"

find src -name '*.[ch]' | LC_ALL=C sort >"$tmp/sources"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ \
	--keyword=C_:1c,2 --keyword=NC_:1c,2 --flag=N_:1:pass-c-format \
	--add-location=file -f "$tmp/sources" -o "$tmp/fresh.pot" \
	2>"$tmp/xgettext.err" || { cat "$tmp/xgettext.err"; exit 1; }
if [ ! -s "$tmp/fresh.pot" ]; then
	echo "no marked strings found under src/: is the keyword list right?"
	exit 1
fi

fix="refresh with: meson compile -C build inved-pot inved-update-po"
case $mode in
pot)
	# Files that yield strings, against POTFILES.in (comments and blank
	# lines ignored).
	sed -n 's/^#: //p' "$tmp/fresh.pot" | tr ' ' '\n' | sed 's/:[0-9]*$//' |
		grep . | LC_ALL=C sort -u >"$tmp/marking"
	grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in | LC_ALL=C sort -u \
		>"$tmp/listed"
	if ! diff -u "$tmp/listed" "$tmp/marking" >"$tmp/diff"; then
		echo "po/POTFILES.in does not list exactly the files that mark"
		echo "strings (+ missing from it, - listed but marking none):"
		cat "$tmp/diff"
		exit 1
	fi
	if ! msgcmp --use-untranslated po/inved.pot "$tmp/fresh.pot" \
		>"$tmp/out" 2>&1; then
		cat "$tmp/out"
		echo "po/inved.pot lacks strings marked in the sources; $fix"
		exit 1
	fi
	echo "po/inved.pot holds all $(grep -c '^msgid ' "$tmp/fresh.pot") marked strings"
	;;
de)
	msgfmt --check --statistics -o /dev/null po/de.po
	if ! msgcmp po/de.po "$tmp/fresh.pot" >"$tmp/out" 2>&1; then
		cat "$tmp/out"
		echo "po/de.po misses translations; $fix, then translate them"
		exit 1
	fi
	if grep -q '^#, fuzzy' po/de.po; then
		grep -n -A2 '^#, fuzzy' po/de.po
		echo "po/de.po has fuzzy entries: review them and drop the flag"
		exit 1
	fi
	echo "po/de.po translates every marked string"
	;;
*)
	echo "usage: potcheck.sh pot|de SOURCE_ROOT"
	exit 2
	;;
esac
