# services.sh — real servers for command-line tests, on free loopback
# ports, stopped when the script exits. Sourced after lib.sh:
#
#   . "$(dirname "$0")/services.sh"
#   need_services redis s3 http   # a missing program is a FAILED test
#   start_redis                   # REDIS_PORT, REDIS_URL, REDIS_DIR
#   start_s3                      # S3_PORT, MLPIPE_S3_ENDPOINT, AWS_* (s3rver)
#   start_http                    # HTTP_PORT, HTTP_URL, HTTP_ROOT (tests/cli/httpd.js)
#   track_pid PID                 # stop another server of the test at exit
#
# Nothing is skipped silently: when redis-server, node or s3rver is
# missing, need_services records one failing test that names what to
# install, and the script ends there.

# Servers are recorded in a file, not a variable: tests run in subshells,
# and a server one of them starts (restart_redis) must be stopped too.
# $$ is the script's pid in every subshell; the file lives outside $TRASH,
# which test_done removes before the exit trap runs.
services_file="${TMPDIR:-/tmp}/mlpipe-services.$$"
: >"$services_file"

track_pid() {
	echo "$1" >>"$services_file"
}

services_stop() {
	pids=$(cat "$services_file" 2>/dev/null)
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		# a server that ignores TERM for 5 s gets KILL
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	rm -f "$services_file"
}
trap services_stop EXIT
trap 'services_stop; exit 130' INT TERM

# a port nothing listens on (bash-free: ask node, else pick at random)
free_port() {
	if command -v node >/dev/null 2>&1; then
		node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
	else
		awk 'BEGIN { srand(); print 20000 + int(rand() * 40000) }'
	fi
}

s3rver_bin() {
	if command -v s3rver >/dev/null 2>&1; then
		command -v s3rver
	elif [ -x "$top/tests/node_modules/.bin/s3rver" ]; then
		echo "$top/tests/node_modules/.bin/s3rver"
	else
		return 1
	fi
}

need_services() {
	missing=""
	for s in "$@"; do
		case $s in
		redis)
			command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server (apt-get install redis-server)"
			command -v redis-cli >/dev/null 2>&1 || missing="$missing redis-cli (apt-get install redis-tools)"
			;;
		s3)
			command -v node >/dev/null 2>&1 || missing="$missing node (apt-get install nodejs)"
			s3rver_bin >/dev/null || missing="$missing s3rver (npm install -g s3rver@3.7.1, as .ci/run does)"
			;;
		http)
			command -v node >/dev/null 2>&1 || missing="$missing node (apt-get install nodejs)"
			;;
		esac
	done
	if [ -n "$missing" ]; then
		test_expect_success "the test services are installed" "
			echo 'missing:$missing' >&2
			false
		"
		test_done
		exit 1
	fi
}

# wait_for CMD...: retry for up to 10 s
wait_for() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] || return 1
		sleep 0.1
	done
}

# start_redis [extra redis-server options]
start_redis() {
	REDIS_DIR="$TRASH/.redis"
	mkdir -p "$REDIS_DIR"
	tries=0
	while :; do
		REDIS_PORT=$(free_port)
		redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
			--dir "$REDIS_DIR" --unixsocket "$REDIS_DIR/redis.sock" --unixsocketperm 700 \
			"$@" >"$REDIS_DIR/log" 2>&1 &
		REDIS_PID=$!
		if wait_for redis_cli ping && kill -0 "$REDIS_PID" 2>/dev/null; then
			break
		fi
		kill "$REDIS_PID" 2>/dev/null
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			echo "services: redis-server would not start:" >&2
			cat "$REDIS_DIR/log" >&2
			return 1
		fi
	done
	track_pid "$REDIS_PID"
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
	REDIS_ARGS="$*"
	export REDIS_PORT REDIS_URL
}

redis_cli() {
	redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ${REDIS_AUTH:+-a "$REDIS_AUTH" --no-auth-warning} "$@"
}

# stop_redis [save]: with save, the data is kept on disk for restart_redis
stop_redis() {
	[ "${1:-}" != save ] || redis_cli save >/dev/null
	redis_cli shutdown nosave >/dev/null 2>&1
	i=0
	while kill -0 "$REDIS_PID" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# restart_redis: the same port, loading what stop_redis save kept
restart_redis() {
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$REDIS_DIR" --unixsocket "$REDIS_DIR/redis.sock" --unixsocketperm 700 \
		$REDIS_ARGS >>"$REDIS_DIR/log" 2>&1 &
	REDIS_PID=$!
	track_pid "$REDIS_PID"
	wait_for redis_cli ping
}

# start_s3 BUCKET...: s3rver with its fixed account (S3RVER / S3RVER)
start_s3() {
	S3_DIR="$TRASH/.s3"
	mkdir -p "$S3_DIR"
	bin=$(s3rver_bin) || return 1
	buckets=""
	for b in "$@"; do
		buckets="$buckets --configure-bucket $b"
	done
	tries=0
	while :; do
		S3_PORT=$(free_port)
		# shellcheck disable=SC2086
		"$bin" -d "$S3_DIR" -a 127.0.0.1 -p "$S3_PORT" --silent $buckets >"$TRASH/.s3.log" 2>&1 &
		S3_PID=$!
		if wait_for curl -sf -o /dev/null "http://127.0.0.1:$S3_PORT/" && kill -0 "$S3_PID" 2>/dev/null; then
			break
		fi
		kill "$S3_PID" 2>/dev/null
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			echo "services: s3rver would not start:" >&2
			cat "$TRASH/.s3.log" >&2
			return 1
		fi
	done
	track_pid "$S3_PID"
	MLPIPE_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
	AWS_ACCESS_KEY_ID=S3RVER
	AWS_SECRET_ACCESS_KEY=S3RVER
	AWS_REGION=us-east-1
	export MLPIPE_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION
}

# s3_put BUCKET KEY FILE: an object uploaded without mlpipe (s3rver accepts
# anonymous writes)
s3_put() {
	curl -sf -o /dev/null -X PUT --data-binary "@$3" "$MLPIPE_S3_ENDPOINT/$1/$2"
}

# start_http: tests/cli/httpd.js serving $HTTP_ROOT with fault routes
start_http() {
	HTTP_ROOT="$TRASH/.www"
	mkdir -p "$HTTP_ROOT"
	tries=0
	while :; do
		HTTP_PORT=$(free_port)
		node "$top/tests/cli/httpd.js" "$HTTP_PORT" "$HTTP_ROOT" >"$TRASH/.http.log" 2>&1 &
		HTTP_PID=$!
		if wait_for curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/ping" && kill -0 "$HTTP_PID" 2>/dev/null; then
			break
		fi
		kill "$HTTP_PID" 2>/dev/null
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			echo "services: httpd.js would not start:" >&2
			cat "$TRASH/.http.log" >&2
			return 1
		fi
	done
	track_pid "$HTTP_PID"
	HTTP_URL="http://127.0.0.1:$HTTP_PORT"
	export HTTP_URL HTTP_ROOT
}
