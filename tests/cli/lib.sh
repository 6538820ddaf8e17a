# lib.sh — helpers for command-line tests (in the manner of git's t/test-lib.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   test_expect_success 'mlprep writes model.json' '
#       mlprep "$DATA/iris.csv" -o m >out &&
#       test -f m/model.json
#   '
#   test_done
#
# Each test runs in its own subshell inside a scratch directory ($TRASH)
# shared by the script. Helpers: test_must_fail CMD (non-zero, not a crash),
# test_exit N CMD (exact exit status), test_cmp EXPECTED ACTUAL,
# test_grep PATTERN FILE, json_get FILE JQ-FILTER.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${MLPIPE_BIN:=$top/bin}"
. "$top/tests/find-shared.sh"
DATA="$MLPIPE_SHARED/data"
GOLDEN="$MLPIPE_SHARED/golden"
PATH="$MLPIPE_BIN:$PATH"
export PATH DATA GOLDEN MLPIPE_SHARED
unset MLPIPE_REDIS_URL MLPIPE_STORE MLPIPE_THREADS
test_name=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-$test_name.XXXXXX")
test_count=0
test_failures=0

say() { printf '%s\n' "$*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	desc=$1
	body=$2
	if (cd "$TRASH" && eval "$body") >"$TRASH/.out" 2>&1; then
		[ -z "${MLPIPE_TEST_VERBOSE:-}" ] || say "ok $test_count - $test_name: $desc"
	else
		test_failures=$((test_failures + 1))
		say "not ok $test_count - $test_name: $desc"
		sed 's/^/    | /' "$TRASH/.out" | tail -n 30
	fi
}

# Exit status must be non-zero and not a signal/crash (>= 128) or sanitizer abort.
test_must_fail() {
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "expected failure, got success: $*" >&2
		return 1
	elif [ $rc -ge 128 ]; then
		echo "crashed (status $rc): $*" >&2
		return 1
	fi
	return 0
}

# test_exit N CMD...: the exact exit status N.
test_exit() {
	want=$1
	shift
	"$@"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "expected exit status $want, got $rc: $*" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	cmp "$1" "$2" || { diff -u "$1" "$2" | head -40 >&2; return 1; }
}

test_grep() {
	grep -q -e "$1" "$2" || { echo "no '$1' in $2:" >&2; head -20 "$2" >&2; return 1; }
}

# json_get FILE FILTER: jq -r output, fails when jq fails or prints null.
json_get() {
	v=$(jq -r "$2" "$1") || return 1
	[ "$v" != null ] || { echo "$2 is null in $1" >&2; return 1; }
	printf '%s\n' "$v"
}

# check_ge VALUE MIN: numeric VALUE >= MIN.
check_ge() {
	awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }' ||
		{ echo "$1 < $2" >&2; return 1; }
}

# check_near VALUE EXPECTED TOL
check_near() {
	awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN { d = v - e; if (d < 0) d = -d; exit !(d <= t) }' ||
		{ echo "$1 is not within $3 of $2" >&2; return 1; }
}

test_done() {
	if [ -n "${MLPIPE_TEST_RESULT:-}" ]; then
		echo "$((test_count - test_failures)) $test_failures" >"$MLPIPE_TEST_RESULT"
	fi
	say "$test_name: $((test_count - test_failures)) passed, $test_failures failed"
	if [ "$test_failures" -eq 0 ]; then
		rm -rf "$TRASH"
	else
		say "  scratch kept in $TRASH"
	fi
	[ "$test_failures" -eq 0 ]
}
