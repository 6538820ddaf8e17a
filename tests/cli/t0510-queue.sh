#!/bin/sh
# The work queue and mlpipe-cron against a real redis-server: atomic
# claims, leases renewed while a worker lives and claimed again when it
# dies, retries and parking, and cron ticks from two shells at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/services.sh"
need_services redis
start_redis || exit 1
MLPIPE_REDIS_URL=$REDIS_URL
CRON="$top/share/mlpipe/mlpipe-cron"
export MLPIPE_REDIS_URL CRON

field() { redis_cli hget "$1" "$2"; }

test_expect_success 'enqueue writes the job hash and the index' '
	mlstatus enqueue models/a --input "$DATA/credit-g.csv" --type binary --test-fraction 0.25 --seed 3 >out &&
	test "$(jq -r .queue out)" = preprocessing &&
	k=development_ml_preprocessing:a &&
	test "$(field $k _id)" = a &&
	test "$(field $k status)" = queued &&
	test "$(field $k numErrors)" = 0 &&
	test "$(field $k maxRetries)" = 3 &&
	test "$(field $k input)" = "$DATA/credit-g.csv" &&
	test "$(field $k type)" = binary &&
	test "$(field $k test_fraction)" = 0.25 &&
	test "$(field $k model)" = "$PWD/models/a" &&
	test "$(redis_cli zscore development_ml_preprocessing a)" != "" &&
	test "$(field development_ml:a status)" = queued
'

test_expect_success 'enqueue: a relative input is recorded by its absolute path; a replaced job is said' '
	mkdir -p sub && cp "$DATA/iris.csv" sub/iris.csv &&
	(cd sub && mlstatus enqueue ../models/rel --input iris.csv --test iris.csv >/dev/null) &&
	test "$(field development_ml_preprocessing:rel input)" = "$PWD/sub/iris.csv" &&
	test "$(field development_ml_preprocessing:rel test)" = "$PWD/sub/iris.csv" &&
	mlstatus enqueue other/rel --input "$DATA/iris.csv" >out 2>err &&
	test "$(jq -r .replaced out)" = queued &&
	test_grep "warning: model id .rel. already had a queued job in the preprocessing queue: replaced it" err &&
	test "$(field development_ml_preprocessing:rel model)" = "$PWD/other/rel" &&
	mlstatus release --force rel >/dev/null
'

test_expect_success 'enqueue: usage errors' '
	test_exit 2 mlstatus enqueue models/x 2>err && test_grep "needs --input" err &&
	test_exit 2 mlstatus enqueue models/x --stage nosuch 2>err &&
	test_exit 2 mlstatus enqueue models/x --input "http://u:pw@h/x.csv" 2>err &&
	test_grep "netrc" err && ! grep -q "pw@" err &&
	test_exit 66 mlstatus enqueue models/none --stage train 2>err &&
	test_exit 2 mlstatus enqueue models/x --input - 2>err && test_grep "no standard input" err &&
	test_exit 2 mlstatus enqueue models/x --input "http://h/x.csv?token=Sekr3t" 2>err &&
	test_grep "not stored in the queue" err && ! grep -q Sekr3t err &&
	test "$(redis_cli exists development_ml_preprocessing:x)" = 0 &&
	test_exit 2 mlstatus enqueue "models/with space" --input x.csv 2>err && test_grep "give --id" err &&
	test_exit 2 mlstatus enqueue models/x --id ../up --input x.csv 2>err &&
	test_exit 2 mlstatus enqueue models/x --input x.csv --seed 99999999999999999999 2>err &&
	test_exit 2 env -u MLPIPE_REDIS_URL mlstatus enqueue models/x --input y 2>err &&
	test_grep "needs Redis" err
'

test_expect_success 'claim: the job line carries the job; a claimed job is not claimed twice' '
	mlstatus claim --stage prep --lease 60 >c1 &&
	test "$(wc -l <c1)" = 1 &&
	test "$(jq -r .id c1)" = a &&
	test "$(jq -r .input c1)" = "$DATA/credit-g.csv" &&
	test "$(jq -r .job.key c1)" = development_ml_preprocessing:a &&
	owner=$(jq -r .job.owner c1) &&
	test "$(field development_ml_preprocessing:a owner)" = "$owner" &&
	test "$(field development_ml_preprocessing:a status)" = claimed &&
	mlstatus claim --stage prep >c2 && test ! -s c2 &&
	# the owner is protected: enqueue leaves a live job alone
	test_exit 75 mlstatus enqueue models/a --input x 2>err && test_grep "being worked on" err
'

test_expect_success 'renew extends only the owner'"'"'s lease; release removes the job' '
	before=$(field development_ml_preprocessing:a lease_until) &&
	sleep 1 &&
	mlstatus renew <c1 >r && test_cmp c1 r &&
	after=$(field development_ml_preprocessing:a lease_until) &&
	test "$after" -gt "$before" &&
	jq -c ".job.owner = \"someone:else\"" c1 >fake &&
	test_exit 75 mlstatus renew <fake >r2 2>err && test ! -s r2 &&
	test_grep "no longer ours (held by .*:[0-9]*:" err &&
	test_exit 75 mlstatus release <fake >rel 2>err &&
	test "$(field development_ml_preprocessing:a status)" = claimed &&
	mlstatus release <c1 >rel &&
	test "$(jq -r .job rel)" = removed &&
	test "$(redis_cli exists development_ml_preprocessing:a)" = 0 &&
	test "$(redis_cli zcard development_ml_preprocessing)" = 0 &&
	# the job is gone now: its old line names that, exit 66
	test_exit 66 mlstatus renew <c1 >r3 2>err && test ! -s r3 &&
	test_grep "job .development_ml_preprocessing:a. no longer exists" err
'

test_expect_success 'two concurrent claimers never get the same job' '
	i=0 &&
	while [ $i -lt 60 ]; do
		mlstatus enqueue m$i --input x.csv >/dev/null || exit 1
		i=$((i + 1))
	done &&
	claimer() {
		while mlstatus claim --stage prep --max 3 --lease 600 >>"$1.new" && [ -s "$1.new" ]; do
			cat "$1.new" >>"$1" && : >"$1.new"
		done
	} &&
	: >A && : >B &&
	{ claimer A & claimer B & wait; } &&
	jq -r .id A | sort >ida && jq -r .id B | sort >idb &&
	test -s ida && test -s idb &&
	cat ida idb | sort >all && sort -u all >uniq &&
	test "$(wc -l <all)" = 60 && test_cmp all uniq &&
	test -z "$(comm -12 ida idb)" &&
	test "$(jq -r .job.owner A | sort -u | wc -l)" -ge 1 &&
	for i in $(seq 0 59); do mlstatus release --force m$i >/dev/null || exit 1; done &&
	test "$(redis_cli zcard development_ml_preprocessing)" = 0
'

test_expect_success 'ACCEPTANCE: three models, mlpipe-cron from two shells at once: each completes exactly once' '
	for m in one two three; do
		mlstatus enqueue models/$m --input "$DATA/credit-g.csv" >/dev/null || exit 1
	done &&
	export MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" &&
	MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>cron1.log &
	MLPIPE_CRON_LOCK=$PWD/host2.lock "$CRON" 2>cron2.log &
	wait &&
	for m in one two three; do
		test "$(jq -r .status models/$m/model.json)" = complete || exit 1
		# exactly once: one prep and one complete in the history
		test "$(jq "[.history[] | select(.stage == \"prep\")] | length" models/$m/model.json)" = 1 || exit 1
		test "$(jq "[.history[] | select(.stage == \"complete\")] | length" models/$m/model.json)" = 1 || exit 1
		test "$(field development_ml:$m status)" = "$(jq -r .status models/$m/model.json)" || exit 1
		test "$(field development_ml:$m decision_tree.status)" = complete || exit 1
		test "$(redis_cli exists development_ml_preprocessing:$m)" = 0 || exit 1
	done &&
	cat cron1.log cron2.log >logs &&
	test "$(grep -c "claimed .* from the prep queue" logs)" = 3 &&
	test "$(grep -c ": complete$" logs)" = 3 &&
	grep -q "^20[0-9-]*T[0-9:]*Z mlpipe-cron\[[0-9]*\]: " cron1.log &&
	mlpipe_cron_rc=0 && "$CRON" 2>idle.log || mlpipe_cron_rc=$? &&
	test $mlpipe_cron_rc = 0 && test_grep "nothing to do" idle.log
'

test_expect_success 'mlpipe-cron: a held lock exits 75 at once' '
	flock host1.lock sleep 5 &
	holder=$!
	wait_for sh -c "! flock -n host1.lock true" &&
	test_exit 75 env MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>held.log &&
	test_grep "another tick holds" held.log &&
	kill $holder
'

test_expect_success 'ACCEPTANCE: kill -9 of a worker mid-training; after the lease the next tick completes it' '
	mlprep -q "$DATA/credit-g.csv" -o models/slow >/dev/null &&
	mlstatus enqueue models/slow --stage train >/dev/null &&
	test "$(field development_ml_train:slow status)" = queued &&
	mlstatus claim --stage train --lease 3 >job &&
	test "$(jq -r .id job)" = slow || exit 1
	mltrain -q -j 1 -a random_forest --set random_forest.trees=100000 <job >/dev/null 2>worker.err &
	worker=$!
	wait_for sh -c "test \"\$(redis-cli -p $REDIS_PORT hget development_ml:slow status)\" = training" &&
	# alive, the worker renews its lease past the 3 s it was given
	sleep 4 &&
	mlstatus claim --stage train >stolen && test ! -s stolen &&
	test "$(field development_ml_train:slow worker | cut -d" " -f1)" = mltrain &&
	kill -9 $worker && { wait $worker; true; } &&
	sleep 4 &&
	MLPIPE_CRON_TRAIN_OPTS="-a random_forest --set random_forest.trees=20" \
		MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>tick.log &&
	test_grep "claimed slow from the train queue" tick.log &&
	test "$(jq -r .status models/slow/model.json)" = complete &&
	test "$(jq -r .algorithms.random_forest.status models/slow/model.json)" = complete &&
	test "$(jq -r .algorithms.random_forest.params.trees models/slow/model.json)" = 20 &&
	test "$(field development_ml:slow status)" = complete &&
	test "$(redis_cli exists development_ml_train:slow)" = 0 &&
	grep "\"result\":\"removed\"" tick.log | grep -q "\"errors\":1"
'

test_expect_success 'a worker stopped past its lease: another took the job, so it drops its line (exit 75)' '
	mlprep -q "$DATA/credit-g.csv" -o models/paused >/dev/null &&
	mlstatus enqueue models/paused --stage train >/dev/null &&
	mlstatus claim --stage train --lease 2 >job &&
	mltrain -q -j 1 -a random_forest --set random_forest.trees=20000 <job >paused.out 2>paused.err &
	worker=$!
	wait_for sh -c "test \"\$(jq -r .algorithms.random_forest.status models/paused/model.json)\" = training" &&
	kill -STOP $worker &&
	sleep 3 &&
	mlstatus claim --stage train --lease 600 >taken && test "$(jq -r .id taken)" = paused &&
	kill -CONT $worker &&
	{ wait $worker; rc=$?; true; } &&
	test "$rc" = 75 &&
	test ! -s paused.out &&
	test_grep "job .development_ml_train:paused. is no longer ours (held by .*): dropped" paused.err &&
	test "$(field development_ml_train:paused owner)" = "$(jq -r .job.owner taken)" &&
	# a stale line that reaches mlstatus complete leaves the model alone
	cp models/paused/model.json before.json &&
	jq -c ".stage = \"score\"" job >stale &&
	test_exit 75 mlstatus complete <stale >out 2>err && test ! -s out &&
	test_grep "no longer ours" err &&
	test_cmp before.json models/paused/model.json &&
	mlstatus release <taken >/dev/null
'

test_expect_success 'a job whose chain completed while Redis was away is removed, not run again' '
	mlstatus enqueue models/offline --input "$DATA/iris.csv" >/dev/null &&
	sleep 1 &&
	mlstatus claim --stage prep --lease 2 >job &&
	{ MLPIPE_REDIS_URL=redis://127.0.0.1:1 sh -c "mlprep -q --jobs | mltrain -q -a decision_tree |
		mlbatch -q | mlanalyze -q | mlscore -q | mlstatus complete" <job >done 2>offline.err; test $? = 69; } &&
	test "$(jq -r .status models/offline/model.json)" = complete &&
	test "$(field development_ml_preprocessing:offline status)" = claimed &&
	sleep 3 &&
	mlstatus claim --stage prep >again 2>err &&
	test ! -s again &&
	test_grep "offline: removed .development_ml_preprocessing:offline. (the model completed at" err &&
	test "$(redis_cli exists development_ml_preprocessing:offline)" = 0 &&
	test "$(jq "[.history[] | select(.stage == \"prep\")] | length" models/offline/model.json)" = 1
'

test_expect_success 'failures keep their error and count; past --max-retries the job is parked, not deleted' '
	mlstatus enqueue models/broken --input "$PWD/no-such.csv" --max-retries 1 >/dev/null &&
	k=development_ml_preprocessing:broken &&
	{ MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>t1.log; test $? = 1; } &&
	test "$(field $k status)" = queued &&
	test "$(field $k numErrors)" = 1 &&
	field $k error >e1 && test_grep "no-such.csv" e1 &&
	test "$(jq -r .status models/broken/model.json)" = failed &&
	{ MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>t2.log; test $? = 1; } &&
	test "$(field $k status)" = failed &&
	test "$(field $k numErrors)" = 2 &&
	test_grep "parked as failed" t2.log &&
	MLPIPE_CRON_LOCK=$PWD/host1.lock "$CRON" 2>t3.log &&
	test_grep "nothing to do" t3.log &&
	test "$(redis_cli exists $k)" = 1 &&
	mlstatus list >table &&
	test_grep "^broken  *failed .*preprocessing  *failed  *2" table &&
	# enqueue again resets the count
	mlstatus enqueue models/broken --input "$DATA/iris.csv" >/dev/null &&
	test "$(field $k numErrors)" = 0 && test "$(field $k status)" = queued
'

test_expect_success 'a worker that dies too often: the lease expiry counts, then the job is parked' '
	mlstatus release --force broken >/dev/null &&
	mlstatus enqueue models/flaky --input "$DATA/iris.csv" --max-retries 0 >/dev/null &&
	mlstatus claim --stage prep --lease 1 >j && test -s j &&
	sleep 2 &&
	mlstatus claim --stage prep >again 2>err &&
	test ! -s again &&
	test_grep "flaky: its worker.s lease ran out once too often" err &&
	test "$(field development_ml_preprocessing:flaky status)" = failed &&
	field development_ml_preprocessing:flaky error >e && test_grep "expired" e &&
	test "$(field development_ml:flaky status)" = failed
'

test_expect_success 'release MODEL --error counts a failure by hand' '
	mlstatus enqueue models/hand --input "$DATA/iris.csv" >/dev/null &&
	mlstatus release --error "bad input file" models/hand >out &&
	test "$(jq -r .job out)" = requeued &&
	test "$(field development_ml_preprocessing:hand numErrors)" = 1 &&
	test "$(field development_ml_preprocessing:hand error)" = "bad input file" &&
	mlstatus release models/hand >out &&
	test "$(jq -r .job out)" = removed &&
	test_exit 66 mlstatus release models/hand 2>err && test_grep "no queued job" err
'

test_expect_success 'sync drops a job the model completed while Redis was away' '
	mlstatus enqueue models/away --input "$DATA/credit-g.csv" >/dev/null &&
	mlstatus claim --stage prep --lease 600 >j &&
	mlprep -q --jobs <j >p &&
	stop_redis save &&
	{ mltrain -q -a decision_tree <p | mlbatch -q | mlanalyze -q | mlscore -q | mlstatus complete >c 2>err; test $? = 69; } &&
	test "$(jq -r .status models/away/model.json)" = complete &&
	restart_redis &&
	test "$(field development_ml_preprocessing:away status)" = claimed &&
	mlstatus sync models/away >out 2>err &&
	test_grep "removed .development_ml_preprocessing:away." err &&
	test "$(redis_cli exists development_ml_preprocessing:away)" = 0 &&
	test "$(field development_ml:away status)" = complete
'

test_done
