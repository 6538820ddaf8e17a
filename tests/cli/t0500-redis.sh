#!/bin/sh
# The Redis status backend against a real redis-server: the mirror of
# model.json, progress events, the outage rule (exit 69, nothing lost,
# `mlstatus sync` repairs), passwords kept out of every message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/services.sh"
need_services redis
start_redis || exit 1
MLPIPE_REDIS_URL=$REDIS_URL
export MLPIPE_REDIS_URL

chain() { # chain DATASET DIR
	mlprep -q "$DATA/$1.csv" -o "$2" | mltrain -q -a decision_tree | mlbatch -q | mlanalyze -q |
		mlscore -q | mlstatus complete
}

# hash_is_model DIR ID: the hash <env>_ml:ID holds model.json's status fields
hash_is_model() {
	env=${MLPIPE_ENV:-development}
	for f in status stage type name selected_algorithm; do
		want=$(jq -r ".$f // empty" "$1/model.json")
		got=$(redis_cli hget "${env}_ml:$2" "$f")
		[ "$want" = "$got" ] || { echo "$f: model.json '$want', Redis '$got'" >&2; return 1; }
	done
	for a in $(jq -r '.algorithms | keys[]' "$1/model.json"); do
		for f in status progress; do
			want=$(jq -r ".algorithms.$a.$f // empty" "$1/model.json")
			got=$(redis_cli hget "${env}_ml:$2" "$a.$f")
			[ "$want" = "$got" ] || { echo "$a.$f: model.json '$want', Redis '$got'" >&2; return 1; }
		done
	done
	want=$(jq -r '.error // empty' "$1/model.json")
	test "$(redis_cli hget "${env}_ml:$2" error)" = "$want" ||
		{ echo "error differs" >&2; return 1; }
	test "$(redis_cli hget "${env}_ml:$2" model)" = "$(cd "$1" && pwd -P)" ||
		{ echo "model field is not the directory" >&2; return 1; }
}

test_expect_success 'every stage mirrors model.json to <env>_ml:<id>' '
	mlprep -q "$DATA/credit-g.csv" -o credit >p &&
	hash_is_model credit credit &&
	test "$(redis_cli hget development_ml:credit status)" = prepared &&
	mltrain -q -a decision_tree <p >t && hash_is_model credit credit &&
	test "$(redis_cli hget development_ml:credit decision_tree.status)" = trained &&
	mlbatch -q <t >b && hash_is_model credit credit &&
	mlanalyze -q <b >a && hash_is_model credit credit &&
	mlscore -q <a >s && hash_is_model credit credit &&
	mlstatus complete <s >c && hash_is_model credit credit &&
	test "$(redis_cli hget development_ml:credit status)" = complete &&
	test "$(redis_cli hget development_ml:credit progress)" = 100 &&
	test "$(redis_cli hget development_ml:credit _id)" = credit &&
	test "$(redis_cli hget development_ml:credit input)" = "$DATA/credit-g.csv"
'

test_expect_success 'a failed model: status and error the same in Redis' '
	printf "a,historical_result\n1,true\n2,maybe\n" >bad.csv &&
	{ mlprep bad.csv -o badm --type binary 2>err | mlstatus complete >out; test $? = 1; } &&
	hash_is_model badm badm &&
	test "$(redis_cli hget development_ml:badm status)" = failed &&
	redis_cli hget development_ml:badm error >e && test_grep "expected true or false" e
'

test_expect_success 'MLPIPE_ENV and --env choose the key prefix' '
	MLPIPE_ENV=staging mlprep -q "$DATA/iris.csv" -o iris >/dev/null &&
	test "$(redis_cli hget staging_ml:iris status)" = prepared &&
	test "$(redis_cli exists development_ml:iris)" = 0 &&
	mlstatus --env qa sync iris >out &&
	test "$(redis_cli hget qa_ml:iris type)" = categorical &&
	test_exit 2 env MLPIPE_ENV="bad env" mlprep -q "$DATA/iris.csv" -o x 2>err &&
	test_grep "MLPIPE_ENV" err
'

test_expect_success 'progress and stage events are published on <env>_ml_progress' '
	mlstatus watch --json --timeout 60 >events 2>watch.err &
	watcher=$! &&
	wait_for sh -c "test \"\$(redis-cli -p $REDIS_PORT pubsub numsub development_ml_progress | tail -1)\" = 1" &&
	chain breast_cancer bc >out &&
	# the last event (mlscore done) is in before we stop the watcher
	wait_for grep -q "\"stage\":\"score\",\"status\":\"scored\"" events &&
	kill $watcher && wait $watcher 2>/dev/null
	# one JSON object per line, the original names beside ours
	jq -e -s "length > 8 and all(.model_id == \"bc\" and ._id == \"bc\" and .env == \"development\" and (.time | length) == 20)" events >/dev/null &&
	jq -e -s "any(.stage == \"train\" and .algorithm == \"decision_tree\" and .provider == \"decision_tree\" and .progress == 100 and .status == \"trained\")" events >/dev/null &&
	jq -e -s "any(.stage == \"prep\" and .status == \"prepared\")" events >/dev/null &&
	for s in prep train batch analyze score; do
		jq -e -s "any(.stage == \"$s\" and .status == \"started\")" events >/dev/null || exit 1
	done &&
	jq -e -s "any(.stage == \"batch\" and .status == \"predicted\")" events >/dev/null &&
	jq -e -s "any(.stage == \"complete\" and .status == \"complete\")" events >/dev/null
'

test_expect_success 'mlstatus set publishes its change too' '
	mlstatus watch --json --count 1 bc >setev &
	watcher=$! &&
	wait_for sh -c "test \"\$(redis-cli -p $REDIS_PORT pubsub numsub development_ml_progress | tail -1)\" = 1" &&
	mlstatus set bc --algorithm decision_tree --progress 40 --status training &&
	wait $watcher &&
	jq -e "._id == \"bc\" and .stage == \"set\" and .algorithm == \"decision_tree\" and .status == \"training\" and .progress == 40" setev >/dev/null &&
	mlstatus set bc --algorithm decision_tree --progress 100 --status complete
'

test_expect_success 'watch --count stops after N events; watch ID filters' '
	mlstatus watch --json --count 2 bc2 >two &
	watcher=$! &&
	wait_for sh -c "test \"\$(redis-cli -p $REDIS_PORT pubsub numsub development_ml_progress | tail -1)\" = 1" &&
	chain iris iris >/dev/null &&
	chain breast_cancer bc2 >/dev/null &&
	wait $watcher &&
	test "$(wc -l <two)" = 2 &&
	jq -e -s "all(.model_id == \"bc2\")" two >/dev/null
'

test_expect_success 'mlstatus list shows every model of the env' '
	mlstatus list >table &&
	test_grep "^credit  *complete  *complete  *100%" table &&
	test_grep "^badm  *failed" table &&
	mlstatus list --json >lines &&
	test "$(jq -r "select(.id == \"credit\") | .algorithms.decision_tree.status" lines)" = complete &&
	test "$(jq -r "select(.id == \"credit\") | [.progress, .algorithms.decision_tree.progress, (.algorithms.decision_tree.seconds | type)] | @csv" lines)" = "100,100,\"number\"" &&
	test "$(jq -r "select(.id == \"iris\") | .status" lines)" = complete
'

test_expect_success 'with Redis, a directory name that is no valid model id needs --id' '
	test_exit 2 mlprep -q "$DATA/iris.csv" -o "c d" 2>err &&
	test_grep "give --id" err && test ! -e "c d" &&
	mlprep -q "$DATA/iris.csv" -o "c d" --id c-d >/dev/null &&
	test "$(redis_cli hget development_ml:c-d status)" = prepared
'

test_expect_success 'watch on a server that never answers: exit 69, not a silent wait' '
	port=$(free_port) || exit 1
	cat >silent.py <<-EOF
	import socket, sys, time
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind(("127.0.0.1", int(sys.argv[1])))
	s.listen(8)
	held = []
	end = time.time() + 30
	s.settimeout(1)
	while time.time() < end:
	    try:
	        held.append(s.accept()[0])
	    except socket.timeout:
	        pass
	EOF
	python3 silent.py $port &
	silent=$!
	wait_for sh -c "ss -ltn | grep -q 127.0.0.1:$port" &&
	test_exit 69 env MLPIPE_REDIS_URL=redis://127.0.0.1:$port mlstatus watch --timeout 15 2>err
	rc=$?
	kill $silent 2>/dev/null; wait $silent 2>/dev/null
	test $rc = 0 && test_grep "did not answer within 5 seconds" err
'

test_expect_success 'a Redis URL without a host is a usage error, never a default server' '
	for url in redis:// redis://:pw@ redis:///0; do
		test_exit 2 env MLPIPE_REDIS_URL=$url mlstatus list 2>err || exit 1
		test_grep "Redis URL: no host" err || exit 1
		! grep -q pw err || exit 1
	done
'

test_expect_success 'unix: socket URLs work too' '
	MLPIPE_REDIS_URL="unix:$REDIS_DIR/redis.sock?db=1" mlprep -q "$DATA/iris.csv" -o sock >/dev/null &&
	test "$(redis_cli -n 1 hget development_ml:sock status)" = prepared &&
	test "$(redis_cli -n 0 exists development_ml:sock)" = 0
'

test_expect_success 'Redis unreachable from the start: the work is done, exit 69, it says so' '
	port=$(free_port) &&
	test_exit 69 env MLPIPE_REDIS_URL=redis://127.0.0.1:$port mlprep "$DATA/iris.csv" -o down >out 2>err &&
	test "$(jq -r .status down/model.json)" = prepared &&
	test "$(jq -r .ok out)" = true &&
	test_grep "cannot connect to Redis at 127.0.0.1:$port" err &&
	test_grep "mlstatus sync down" err
'

test_expect_success 'Redis stopped mid-chain: exit 69, nothing lost, sync repairs the hash' '
	mlprep -q "$DATA/credit-g.csv" -o mid >p &&
	test "$(redis_cli hget development_ml:mid status)" = prepared &&
	stop_redis save &&
	{ mltrain -q -a decision_tree <p 2>train.err; echo $? >train.rc; } | mlbatch -q 2>batch.err |
		mlanalyze -q 2>/dev/null | mlscore -q 2>/dev/null | { mlstatus complete 2>complete.err; echo $? >complete.rc; } >c &&
	test "$(cat train.rc)" = 69 && test "$(cat complete.rc)" = 69 &&
	test_grep "Redis is behind" train.err &&
	test_grep "mlstatus sync mid" complete.err &&
	# the file store has the whole result
	test "$(jq -r .status mid/model.json)" = complete &&
	test "$(jq -r .ok c)" = true &&
	test -f mid/score/decision_tree.test.json &&
	restart_redis &&
	test "$(redis_cli hget development_ml:mid status)" = prepared &&
	mlstatus sync mid >out &&
	hash_is_model mid mid &&
	test "$(redis_cli hget development_ml:mid status)" = complete
'

test_expect_success 'Redis killed while mltrain trains: the model still completes, sync repairs' '
	mlprep -q "$DATA/credit-g.csv" -o during >p || exit 1
	{ mltrain -q -j 1 -a decision_tree,random_forest --set random_forest.trees=5000 <p 2>train.err; echo $? >train.rc; } >t &
	wait_for sh -c "test \"\$(redis-cli -p $REDIS_PORT hget development_ml:during status)\" = training" &&
	stop_redis save &&
	wait &&
	test "$(cat train.rc)" = 69 &&
	test "$(jq -r .algorithms.random_forest.status during/model.json)" = trained &&
	{ mlbatch -q <t | mlanalyze -q | mlscore -q | mlstatus complete >c 2>/dev/null; test $? = 69; } &&
	test "$(jq -r .status during/model.json)" = complete &&
	restart_redis &&
	test "$(redis_cli hget development_ml:during status)" = training &&
	mlstatus sync during >/dev/null &&
	hash_is_model during during
'

test_expect_success 'sync without Redis reachable: exit 69' '
	port=$(free_port) &&
	test_exit 69 mlstatus --redis redis://127.0.0.1:$port sync mid 2>err &&
	test_grep "cannot connect to Redis" err
'

test_expect_success 'a malformed Redis URL is a usage error' '
	test_exit 2 mlstatus --redis "http://x" list 2>err &&
	test_grep "expected redis://" err &&
	test_exit 2 env MLPIPE_REDIS_URL=redis://host:99999 mltrain credit 2>err
'

test_expect_success 'a Redis password never appears in output, messages or model.json' '
	pw=Pw-$$-d0n7-l34k
	port=$(free_port)
	redis-server --port $port --bind 127.0.0.1 --save "" --appendonly no --requirepass "$pw" \
		--dir "$REDIS_DIR" >redis2.log 2>&1 &
	pid=$!
	track_pid $pid
	wait_for redis-cli -p $port -a "$pw" --no-auth-warning ping &&
	MLPIPE_REDIS_URL="redis://:$pw@127.0.0.1:$port" mlprep "$DATA/iris.csv" -o auth >out 2>err &&
	test "$(redis-cli -p $port -a "$pw" --no-auth-warning hget development_ml:auth status)" = prepared &&
	# a wrong password: the work is done, the message names host:port only
	{ MLPIPE_REDIS_URL="redis://:wrong-$pw@127.0.0.1:$port" mltrain -q -a decision_tree auth >out2 2>err2; echo $? >rc; } &&
	test "$(cat rc)" = 69 &&
	test_grep "Redis at 127.0.0.1:$port: authentication failed" err2 &&
	MLPIPE_REDIS_URL="redis://:$pw@127.0.0.1:$port" mlstatus list >list 2>err3 &&
	kill $pid &&
	! grep -r -F -e "$pw" out err out2 err2 list err3 auth
'

test_done
