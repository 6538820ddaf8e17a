#!/bin/sh
# Runs the unit tests and every command-line test script; ends with
# "N passed, N failed" over all of them. Exit 0 only when nothing failed.
#   tests/run-tests.sh            everything
#   tests/run-tests.sh t1         only command-line scripts whose name contains t1
# MLPIPE_BIN   directory of the binaries under test (default: bin/)
# MLPIPE_SHARED   the shared data directory (default: ../shared)
top=$(cd "$(dirname "$0")/.." && pwd)
: "${MLPIPE_BIN:=$top/bin}"
export MLPIPE_BIN
. "$top/tests/find-shared.sh"
export MLPIPE_SHARED
filter=${1:-}
passed=0
failed=0
failed_names=""

if [ -z "$filter" ] || [ "$filter" = unit ]; then
	out=$(cd "$top" && "$MLPIPE_BIN/unit-tests" 2>&1)
	printf '%s\n' "$out" | grep -v '^unit:' | sed 's/^/  /'
	line=$(printf '%s\n' "$out" | grep '^unit:' | tail -n 1)
	if [ -n "$line" ]; then
		p=$(printf '%s\n' "$line" | sed 's/unit: \([0-9]*\) passed, \([0-9]*\) failed/\1/')
		f=$(printf '%s\n' "$line" | sed 's/unit: \([0-9]*\) passed, \([0-9]*\) failed/\2/')
	else
		p=0; f=1 # the unit runner crashed before reporting
	fi
	echo "unit tests: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -eq 0 ] || failed_names="$failed_names unit"
fi

for t in "$top"/tests/cli/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	case $name in *"$filter"*) ;; *) continue ;; esac
	result=$(mktemp)
	MLPIPE_TEST_RESULT=$result sh "$t" </dev/null
	if [ -s "$result" ]; then
		read -r p f <"$result"
	else
		p=0; f=1
		echo "$name: did not finish"
	fi
	rm -f "$result"
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -eq 0 ] || failed_names="$failed_names $name"
done

[ -z "$failed_names" ] || echo "failed in:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
