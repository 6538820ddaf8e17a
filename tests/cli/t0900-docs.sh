#!/bin/sh
# Documentation matches the programs: every option in --help is in the man
# page, the parameter list of mltrain(1) is what `mltrain --list` prints,
# every program answers --help and --version.
. "$(dirname "$0")/lib.sh"

for prog in mlprep mltrain mlbatch mlanalyze mlscore mlstatus; do
	test_expect_success "$prog: --help, --version and a man page with every long option" '
		'"$prog"' --help >help &&
		test_grep "^usage: '"$prog"'" help &&
		'"$prog"' --version >version &&
		test_grep "^'"$prog"' (mlpipe) " version &&
		page="$top/man/'"$prog"'.1" &&
		test -f "$page" &&
		grep -o -e "--[a-z][a-z-]*" help | sort -u >options &&
		sed "s/\\\\-/-/g" "$page" >plain &&
		while read -r opt; do
			grep -q -F -e "$opt" plain ||
				{ echo "$opt is in --help but not in $page" >&2; exit 1; }
		done <options
	'
done

test_expect_success 'man/mltrain.1 lists the parameters mltrain --list prints' '
	cp "$top/man/mltrain.1" page &&
	"$top/scripts/gen-man-params" "$MLPIPE_BIN/mltrain" page &&
	test_cmp "$top/man/mltrain.1" page
'

test_expect_success 'every man page renders without warnings' '
	for page in "$top"/man/*.[157]; do
		LC_ALL=C MANWIDTH=80 man --warnings -l "$page" >/dev/null 2>warn || exit 1
		test ! -s warn || { cat warn >&2; exit 1; }
	done
'

test_done
