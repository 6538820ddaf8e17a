#!/bin/sh
# Remote inputs and the remote model store, against a real S3-compatible
# server (s3rver) and a node HTTP server with fault routes: s3:// and
# http(s):// input equal to the local file, streaming, retries, resume,
# timeouts, 404/403, credentials kept out of everything, and models shared
# between two working directories ("hosts") through S3 and Redis.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/services.sh"
need_services s3 http redis
start_s3 data models || exit 1
start_http || exit 1
# a secret that must never show up anywhere (s3rver checks the key id only)
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI-K7MDENG-SECRET-$$
AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE-TOKEN-$$
MLPIPE_HTTP_RETRIES=2
export AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN MLPIPE_HTTP_RETRIES

s3_put data credit-g.csv "$DATA/credit-g.csv" &&
s3_put data dir/iris.csv "$DATA/iris.csv" &&
cp "$DATA/credit-g.csv" "$DATA/iris.csv" "$HTTP_ROOT/" || exit 1

# same_prep A B: the same datasource.json (but for the source's name) and data files
same_prep() {
	jq -S "del(.source.name)" "$1/datasource.json" >"$1.ds" &&
	jq -S "del(.source.name)" "$2/datasource.json" >"$2.ds" &&
	test_cmp "$1.ds" "$2.ds" &&
	for f in train test original.train original.test; do
		cmp "$1/data/$f.csv.zst" "$2/data/$f.csv.zst" || return 1
	done
}

no_secret() { # no_secret FILE_OR_DIR...: none of the credentials in them
	! grep -r -F -e "$AWS_SECRET_ACCESS_KEY" -e "$AWS_SESSION_TOKEN" -e "$AWS_ACCESS_KEY_ID" "$@"
}

test_expect_success 'ACCEPTANCE: mlprep s3://bucket/credit-g.csv equals the local file' '
	mlprep "$DATA/credit-g.csv" -o local >local.out 2>local.err &&
	mlprep s3://data/credit-g.csv -o s3m >out 2>err &&
	same_prep local s3m &&
	test "$(jq -r .source.name s3m/datasource.json)" = s3://data/credit-g.csv &&
	test "$(jq -r .input.source s3m/model.json)" = s3://data/credit-g.csv &&
	test "$(jq -r .input.sha256 s3m/model.json)" = "$(jq -r .input.sha256 local/model.json)" &&
	test "$(jq -r .rows out)" = 1000 &&
	no_secret out err s3m
'

test_expect_success 's3:// keys with a directory; --test from S3 too' '
	mlprep -q s3://data/dir/iris.csv -o s3iris --test s3://data/dir/iris.csv >out &&
	test "$(jq -r .type out)" = categorical &&
	test "$(jq -r .rows.test s3iris/datasource.json)" = 150
'

test_expect_success 's3:// missing object: exit 66, not found' '
	test_exit 66 mlprep s3://data/nosuch.csv -o miss >out 2>err &&
	test_grep "mlprep: .s3://data/nosuch.csv.: not found (HTTP 404, NoSuchKey" err &&
	test "$(jq -r .ok out)" = false &&
	test_exit 66 mlprep s3://nobucket/x.csv -o miss 2>err &&
	test_grep "not found (HTTP 404, NoSuchBucket" err &&
	no_secret out err miss
'

test_expect_success 's3:// unknown access key: exit 66, access denied, no key in the message' '
	test_exit 66 env AWS_ACCESS_KEY_ID=AKIAWRONGKEY0000TEST mlprep s3://data/credit-g.csv -o denied >out 2>err &&
	test_grep "access denied (HTTP 403, InvalidAccessKeyId" err &&
	! grep -q AKIAWRONGKEY0000TEST err out denied/model.json &&
	no_secret out err denied
'

test_expect_success 'http:// input equals the local file; the server saw one request' '
	mlprep -q "$HTTP_URL/file/credit-g.csv" -o web >out &&
	same_prep local web &&
	test "$(grep -c "GET /file/credit-g.csv" "$TRASH/.http-requests")" = 1
'

test_expect_success 'streaming: a bad row in the first half fails while the server holds the rest' '
	awk "NR == 40 { print \"1,2,3\"; next } { print }" "$DATA/credit-g.csv" >"$HTTP_ROOT/bad.csv" &&
	start=$(date +%s) &&
	test_exit 65 mlprep "$HTTP_URL/stall/bad.csv" -o streamed 2>err &&
	test $(( $(date +%s) - start )) -lt 20 &&
	test_grep "line 40: expected 21 fields as in the header, got 3" err
'

test_expect_success '5xx is retried: the third attempt succeeds' '
	mlprep -q "$HTTP_URL/flaky/2/iris.csv" -o flaky >out &&
	test "$(jq -r .ok out)" = true &&
	test "$(grep -c "GET /flaky/2/iris.csv" "$TRASH/.http-requests")" = 3
'

test_expect_success 'a server that keeps failing: exit 69 after the retries' '
	test_exit 69 mlprep "$HTTP_URL/broken" -o broken 2>err &&
	test_grep "server error (HTTP 500)" err &&
	test_grep "after 3 attempts" err &&
	test "$(grep -c "GET /broken" "$TRASH/.http-requests")" = 3
'

test_expect_success 'a cut connection resumes with Range from the byte it reached' '
	mlprep -q "$HTTP_URL/drop/credit-g.csv" -o resumed >out &&
	same_prep local resumed &&
	grep "GET /drop/credit-g.csv" "$TRASH/.http-requests" >reqs &&
	test "$(wc -l <reqs)" = 2 &&
	test_grep "range=bytes=[1-9][0-9]*-" reqs
'

test_expect_success 'a stalled server times out: exit 69' '
	test_exit 69 env MLPIPE_HTTP_TIMEOUT=2 mlprep "$HTTP_URL/stall/iris.csv" -o stalled 2>err &&
	test_grep "timed out (no data for 2 s)" err
'

test_expect_success 'bad MLPIPE_HTTP_TIMEOUT or MLPIPE_HTTP_RETRIES: exit 2, no request made' '
	test_exit 2 env MLPIPE_HTTP_TIMEOUT=abc mlprep "$HTTP_URL/iris.csv" -o badt 2>err &&
	test_grep "MLPIPE_HTTP_TIMEOUT: expected a whole number from 1 to 86400, got .abc." err &&
	test_exit 2 env MLPIPE_HTTP_RETRIES=-5 mlprep "$HTTP_URL/iris.csv" -o badr 2>err &&
	test_grep "MLPIPE_HTTP_RETRIES: expected a whole number from 0 to 100" err
'

test_expect_success 'connection refused: exit 69; 404 and 403 over HTTP: exit 66' '
	port=$(free_port) &&
	test_exit 69 mlprep "http://127.0.0.1:$port/x.csv" -o refused 2>err &&
	test_grep "after 3 attempts" err &&
	test_exit 66 mlprep "$HTTP_URL/missing" -o m404 2>err && test_grep "not found (HTTP 404)" err &&
	test_exit 66 mlprep "$HTTP_URL/forbidden" -o m403 2>err && test_grep "access denied (HTTP 403)" err
'

test_expect_success 'user:password@ in a URL: never in output, messages or files' '
	pw=hunter2-$$ &&
	cp "$DATA/iris.csv" "$HTTP_ROOT/iris2.csv" &&
	mlprep "http://bob:$pw@127.0.0.1:${HTTP_URL##*:}/auth/bob/pw-in-path/iris2.csv" -o basic2 >out 2>err;
	# the password is wrong for that route: 401 names the URL without it
	test_grep "access denied (HTTP 401)" err &&
	test_grep "http://127.0.0.1:${HTTP_URL##*:}/auth/bob/pw-in-path/iris2.csv" err &&
	mlprep -q "http://carol:$pw@127.0.0.1:${HTTP_URL##*:}/file/iris2.csv" -o basic3 >out3 2>err3 &&
	test "$(jq -r .input.source basic3/model.json)" = "http://127.0.0.1:${HTTP_URL##*:}/file/iris2.csv" &&
	test "$(jq -r .source.name basic3/datasource.json)" = "http://127.0.0.1:${HTTP_URL##*:}/file/iris2.csv" &&
	! grep -r -F -e "$pw" out err out3 err3 basic2 basic3
'

test_expect_success 'remote model store: prep and train here, the rest in another directory' '
	mkdir hostA hostB hostC &&
	(cd hostA && mlprep -q --store s3://models/p "$DATA/credit-g.csv" -o loans |
		mltrain -q -a decision_tree --store s3://models/p >../a.out 2>../a.err) &&
	test ! -e hostB/loans &&
	(cd hostB && MLPIPE_STORE=s3://models/p mlbatch -q loans | MLPIPE_STORE=s3://models/p mlanalyze -q |
		MLPIPE_STORE=s3://models/p mlscore -q | mlstatus --store s3://models/p complete >../b.out 2>../b.err) &&
	test "$(jq -r .status b.out)" = complete &&
	# hostB fetched what hostA wrote; what hostB wrote is in the store
	cmp hostA/loans/models/decision_tree.json.zst hostB/loans/models/decision_tree.json.zst &&
	curl -sf "$MLPIPE_S3_ENDPOINT/models?list-type=2&prefix=p/loans/" >listing &&
	for f in model.json datasource.json data/train.csv.zst models/decision_tree.json.zst \
		 predictions/decision_tree.test.csv.zst analysis/decision_tree.test.json score/decision_tree.test.json; do
		grep -q "<Key>p/loans/$f</Key>" listing || { echo "no $f in the store" >&2; exit 1; }
	done &&
	! grep -q "\.lock\|mlpipe-remote" listing &&
	curl -sf "$MLPIPE_S3_ENDPOINT/models/p/loans/model.json" >remote.json &&
	test "$(jq -r .status remote.json)" = complete &&
	# a third directory sees the record through the store
	(cd hostC && mlstatus --store s3://models/p show --json loans >../c.json) &&
	test "$(jq -r .selected_algorithm c.json)" = decision_tree &&
	# a second run uploads nothing it did not change
	(cd hostB && MLPIPE_STORE=s3://models/p mlstatus show loans >/dev/null) &&
	no_secret a.out a.err b.out b.err hostA hostB hostC remote.json
'

test_expect_success 'store unreachable: the stage fails with 69 and says so' '
	port=$(free_port) &&
	(cd hostB && test_exit 69 env MLPIPE_S3_ENDPOINT=http://127.0.0.1:$port MLPIPE_HTTP_RETRIES=0 \
		mlbatch --store s3://models/p loans >../u.out 2>../u.err) &&
	test_grep "mlbatch: .s3://models/p/loans/.: Failed to connect to 127.0.0.1 port $port" u.err &&
	test "$(jq -r .ok u.out)" = false
'

test_expect_success 'Redis and S3 together: enqueue here, a cron worker in another directory does it' '
	start_redis &&
	export MLPIPE_REDIS_URL=$REDIS_URL &&
	s3_put data loans2.csv "$DATA/credit-g.csv" &&
	mkdir front worker &&
	(cd front && mlstatus --store s3://models/q enqueue loans2 --input s3://data/loans2.csv >../e.out) &&
	(cd worker && MLPIPE_STORE=s3://models/q MLPIPE_CRON_TRAIN_OPTS="-a decision_tree" \
		MLPIPE_CRON_LOCK=$TRASH/w.lock "$top/share/mlpipe/mlpipe-cron" 2>../cron.log) &&
	test_grep "loans2: complete" cron.log &&
	test "$(redis-cli -p $REDIS_PORT hget development_ml:loans2 status)" = complete &&
	test "$(redis-cli -p $REDIS_PORT hget development_ml:loans2 model)" = "s3://models/q/loans2/" &&
	test "$(redis-cli -p $REDIS_PORT exists development_ml_preprocessing:loans2)" = 0 &&
	(cd front && mlstatus --store s3://models/q show --json loans2 >../f.json) &&
	test "$(jq -r .status f.json)" = complete &&
	no_secret cron.log e.out f.json worker front &&
	! redis-cli -p $REDIS_PORT --scan | xargs -n 1 redis-cli -p $REDIS_PORT dump 2>/dev/null | grep -a -q -F -e "$AWS_SECRET_ACCESS_KEY"
'

test_done
