#!/bin/sh
# mlpipe-cron against a real redis-server: a chain cut short by kill -9 is
# not taken for a complete one, bad settings and an unusable lock file or
# Redis stop the tick at once with one timestamped line and a documented
# exit status, the programs are found beside an installation with cron's
# PATH, and the stages' messages are logged with timestamps.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/services.sh"
need_services redis
start_redis || exit 1
MLPIPE_REDIS_URL=$REDIS_URL
CRON="$top/share/mlpipe/mlpipe-cron"
# a lock of this script's own, never the host's default one
MLPIPE_CRON_LOCK=$TRASH/cron.lock
export MLPIPE_REDIS_URL CRON MLPIPE_CRON_LOCK
unset MLPIPE_CRON_DIR MLPIPE_CRON_LEASE MLPIPE_CRON_MAX MLPIPE_CRON_STAGES MLPIPE_CRON_TRAIN_OPTS

field() { redis_cli hget "$1" "$2"; }

# stamped FILE: FILE has lines, and every one is a timestamped log line
stamped() {
	test -s "$1" || { echo "$1 is empty" >&2; return 1; }
	if grep -v -e '^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z mlpipe-cron\[[0-9]*\]: ' "$1" >&2; then
		echo "^ lines of $1 without a timestamp" >&2
		return 1
	fi
}

# one_line FILE: exactly one line, timestamped
one_line() {
	stamped "$1" && test "$(wc -l <"$1")" = 1 || { echo "expected one line in $1:" >&2; cat "$1" >&2; return 1; }
}

# lease_over KEY: the lease of the job hash KEY has run out (by Redis's clock)
lease_over() {
	until_ms=$(field "$1" lease_until) &&
		now_ms=$(redis_cli time | awk 'NR == 1 { s = $1 } NR == 2 { printf "%.0f\n", s * 1000 + int($1 / 1000) }') &&
		[ -n "$until_ms" ] && [ "$now_ms" -gt "$until_ms" ]
}

test_expect_success 'kill -9 of mltrain in a tick: "ended without a result", exit 70, the queue waits for the next tick' '
	for m in k1 k2; do
		mlstatus enqueue models/$m --input "$DATA/credit-g.csv" >/dev/null || exit 1
	done &&
	# a training that takes minutes unless killed; timeout(1) stops the
	# whole tick should the kill never come
	MLPIPE_CRON_LEASE=2 MLPIPE_CRON_MAX=5 \
	MLPIPE_CRON_TRAIN_OPTS="-j 1 -a random_forest --set random_forest.trees=100000" \
		timeout 120 "$CRON" 2>kill.log &
	tick=$!
	victim= && pid= && i=0 &&
	while [ -z "$pid" ] && [ $i -lt 300 ]; do
		for m in k1 k2; do
			# model.json says training and the lease is held by mltrain
			# ("mltrain HOST:PID"): that process is the one to kill
			[ "$(jq -r .status models/$m/model.json 2>/dev/null)" = training ] || continue
			w=$(field development_ml_preprocessing:$m worker)
			case $w in
			"mltrain "*) victim=$m && pid=${w##*:} ;;
			esac
		done
		[ -n "$pid" ] || { sleep 0.1; i=$((i + 1)); }
	done &&
	test -n "$pid" && test "$(cat /proc/$pid/comm)" = mltrain &&
	kill -9 "$pid" &&
	{ wait $tick; rc=$?; true; } &&
	test "$rc" = 70 &&
	other=k1 && { [ $victim != k1 ] || other=k2; } &&
	stamped kill.log &&
	test_grep "claimed $victim from the prep queue" kill.log &&
	test_grep "]: $victim: the chain ended without a result (a stage was killed or crashed); the job is claimed again when its lease runs out$" kill.log &&
	test "$(grep -c "without a result" kill.log)" = 1 &&
	test_grep "leaving the rest of the prep queue to the next tick" kill.log &&
	! grep -q ": complete$" kill.log &&
	! grep -q "claimed $other" kill.log &&
	# the killed job stays claimed; the rest of the queue is untouched
	test "$(field development_ml_preprocessing:$victim status)" = claimed &&
	test "$(field development_ml_preprocessing:$other status)" = queued &&
	test "$(jq -r .status models/$victim/model.json)" = training &&
	# once its lease has run out, the next tick runs the killed job again
	wait_for lease_over development_ml_preprocessing:$victim &&
	MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" "$CRON" 2>next.log &&
	stamped next.log &&
	test_grep "claimed $victim from the prep queue" next.log &&
	test_grep "]: $victim: complete$" next.log &&
	test_grep "]: $other: complete$" next.log &&
	test "$(jq -r .status models/$victim/model.json)" = complete &&
	test "$(jq -r .status models/$other/model.json)" = complete &&
	test "$(redis_cli exists development_ml_preprocessing:$victim)" = 0 &&
	grep "\"id\":\"$victim\"" next.log | grep "\"result\":\"removed\"" | grep -q "\"errors\":1"
'

test_expect_success 'a lock file that cannot be created: exit 73, one timestamped line' '
	test_exit 73 env MLPIPE_CRON_LOCK=/nonexistent/dir/lock "$CRON" 2>lock.log &&
	one_line lock.log &&
	test_grep "]: cannot create the lock file /nonexistent/dir/lock: .* (set MLPIPE_CRON_LOCK)$" lock.log &&
	mkdir lockdir &&
	test_exit 73 env MLPIPE_CRON_LOCK=$PWD/lockdir "$CRON" 2>lock2.log &&
	one_line lock2.log && test_grep "cannot create the lock file $PWD/lockdir" lock2.log
'

test_expect_success 'cron'"'"'s PATH: the programs are found in the bin directory of the installation' '
	! env PATH=/usr/bin:/bin sh -c "command -v mlstatus" >/dev/null &&
	# the layout of make install PREFIX=$PWD/inst
	mkdir -p inst/bin inst/share/mlpipe &&
	cp "$CRON" inst/share/mlpipe/ &&
	for p in mlprep mltrain mlbatch mlanalyze mlscore mlstatus; do
		ln -s "$MLPIPE_BIN/$p" inst/bin/$p || exit 1
	done &&
	mlstatus enqueue models/inst --input "$DATA/iris.csv" >/dev/null &&
	env -u MLPIPE_BIN PATH=/usr/bin:/bin MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" \
		"$PWD/inst/share/mlpipe/mlpipe-cron" 2>inst.log &&
	stamped inst.log && test_grep "]: inst: complete$" inst.log &&
	test "$(jq -r .status models/inst/model.json)" = complete &&
	# a relative path, and a symbolic link from another directory
	mkdir -p elsewhere && ln -s "$PWD/inst/share/mlpipe/mlpipe-cron" elsewhere/mlpipe-cron &&
	env -u MLPIPE_BIN PATH=/usr/bin:/bin inst/share/mlpipe/mlpipe-cron 2>rel.log &&
	one_line rel.log && test_grep "nothing to do" rel.log &&
	(cd elsewhere && env -u MLPIPE_BIN PATH=/usr/bin:/bin ./mlpipe-cron) 2>link.log &&
	one_line link.log && test_grep "nothing to do" link.log &&
	# nowhere to be found: exit 2, saying where it looked
	mkdir -p bare/share/mlpipe && cp "$CRON" bare/share/mlpipe/ &&
	test_exit 2 env -u MLPIPE_BIN PATH=/usr/bin:/bin bare/share/mlpipe/mlpipe-cron 2>bare.log &&
	one_line bare.log &&
	test_grep "]: mlstatus not found in PATH or .*/bare/share/mlpipe/../../bin (set MLPIPE_BIN)$" bare.log &&
	# MLPIPE_BIN still comes first
	env MLPIPE_BIN="$PWD/inst/bin" PATH=/usr/bin:/bin bare/share/mlpipe/mlpipe-cron 2>mb.log &&
	one_line mb.log && test_grep "nothing to do" mb.log
'

test_expect_success 'bad settings: exit 2 with a line naming the setting, before anything is claimed' '
	mlstatus enqueue models/idle --input "$DATA/iris.csv" >/dev/null &&
	for v in abc 0 -5 604801 1.5 " " 99999999999; do
		test_exit 2 env MLPIPE_CRON_LEASE="$v" "$CRON" 2>bad.log || exit 1
		one_line bad.log &&
		test_grep "]: MLPIPE_CRON_LEASE=.$v.: expected a positive integer, the lease in seconds (1 to 604800)$" bad.log || exit 1
	done &&
	for v in -1 0 x 1x 1234567890; do
		test_exit 2 env MLPIPE_CRON_MAX="$v" "$CRON" 2>bad.log || exit 1
		one_line bad.log &&
		test_grep "]: MLPIPE_CRON_MAX=.$v.: expected a positive integer, the most jobs per tick (1 to 999999999)$" bad.log || exit 1
	done &&
	test_exit 2 env MLPIPE_CRON_STAGES="prep trian score" "$CRON" 2>bad.log &&
	one_line bad.log &&
	test_grep "]: MLPIPE_CRON_STAGES: unknown stage .trian.: expected prep, train, batch, analyze or score$" bad.log &&
	test_exit 2 env MLPIPE_CRON_STAGES="*" "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "unknown stage .\*." bad.log &&
	test_exit 2 env MLPIPE_CRON_STAGES=" " "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "MLPIPE_CRON_STAGES names no stage" bad.log &&
	test_exit 2 "$CRON" extra 2>bad.log &&
	one_line bad.log && test_grep "no arguments expected" bad.log &&
	test_exit 2 env -u MLPIPE_REDIS_URL "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "MLPIPE_REDIS_URL is not set" bad.log &&
	test_exit 2 env MLPIPE_CRON_TRAIN_OPTS="--bogus" "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "mltrain refuses its settings (MLPIPE_CRON_TRAIN_OPTS, its configuration file or the environment): unrecognized option" bad.log &&
	test_exit 2 env MLPIPE_CRON_TRAIN_OPTS="--set linear.C=-1" "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "linear.C.: -1 is outside" bad.log &&
	test_exit 2 env MLPIPE_HTTP_TIMEOUT=abc "$CRON" 2>bad.log &&
	one_line bad.log && test_grep "MLPIPE_HTTP_TIMEOUT=.abc.: expected a whole number" bad.log &&
	# nothing was claimed; leading zeros are fine
	test "$(field development_ml_preprocessing:idle status)" = queued &&
	MLPIPE_CRON_LEASE=0060 MLPIPE_CRON_MAX=01 MLPIPE_CRON_STAGES="train prep" \
		MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" "$CRON" 2>ok.log &&
	stamped ok.log && test_grep "]: idle: complete$" ok.log &&
	grep "\"id\":\"idle\"" ok.log | grep -q "\"lease\":60"
'

test_expect_success 'Redis unreachable: the tick stops at the first claim, one line, exit 69' '
	mlstatus enqueue models/later --input "$DATA/iris.csv" >/dev/null &&
	port=$(free_port) &&
	test_exit 69 env MLPIPE_REDIS_URL=redis://127.0.0.1:$port "$CRON" 2>down.log &&
	one_line down.log &&
	test_grep "]: claiming from the prep queue: Redis unreachable (cannot connect to Redis at 127.0.0.1:$port: .*); stopping the tick (exit 69)$" down.log &&
	test "$(field development_ml_preprocessing:later status)" = queued
'

test_expect_success 'a Redis URL the programs refuse: the tick stops before claiming, one line, exit 2' '
	test_exit 2 env MLPIPE_REDIS_URL=foo://bar "$CRON" 2>url.log &&
	one_line url.log &&
	test_grep "]: mltrain refuses its settings (.*): Redis URL: expected .*$" url.log &&
	test "$(field development_ml_preprocessing:later status)" = queued &&
	mlstatus release --force later >/dev/null
'

test_expect_success 'the stages'"'"' messages are logged with a timestamp; the exit status is kept' '
	mlstatus enqueue models/e1bad --input "$PWD/no-such.csv" --max-retries 0 >/dev/null &&
	mlstatus enqueue models/e2fine --input "$DATA/iris.csv" --stage prep >/dev/null &&
	{ MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" "$CRON" 2>msg.log; rc=$?; true; } &&
	test "$rc" = 1 &&
	stamped msg.log &&
	test_grep "]: mlprep: .*no-such.csv" msg.log &&
	test_grep "]: e1bad: failed (see its model.json)$" msg.log &&
	test_grep "]: leaving the rest of the prep queue to the next tick$" msg.log &&
	! grep -q "without a result" msg.log &&
	test "$(jq -r .status models/e1bad/model.json)" = failed &&
	# the failed job was first (enqueued first): e2fine waits for the next tick
	test "$(field development_ml_preprocessing:e2fine status)" = queued &&
	MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" "$CRON" 2>msg2.log &&
	stamped msg2.log && test_grep "]: e2fine: complete$" msg2.log
'

test_expect_success 'the --help text and mlpipe-cron(1) document the exit statuses and the program search' '
	"$CRON" --help >help &&
	test_grep "^mlpipe-cron — one tick" help &&
	sed "s/\\\\-/-/g" "$top/man/mlpipe-cron.1" >page &&
	for f in help page; do
		for s in 69 70 73 75; do grep -q "\\b$s\\b" $f || { echo "no exit $s in $f" >&2; exit 1; }; done
		test_grep "without a result" $f &&
		test_grep "604800" $f &&
		test_grep "share/mlpipe" $f || exit 1
	done &&
	test_grep "\.\./\.\./bin" help && test_grep "\.\./\.\./bin" page
'

test_done
