#!/bin/sh
# Installs the Debian 12 packages mlpipe builds and tests with, when they are
# missing. Runs apt-get as root (directly, or through sudo when available).
#   scripts/install-deps.sh          build and test dependencies (and s3rver
#                                    from npm, for the S3 tests)
#   scripts/install-deps.sh --bench  also the benchmark peers (xgboost,
#                                    liblinear-tools, python3-sklearn)
set -eu
packages="build-essential pkg-config libcsv-dev libcjson-dev libcurl4-openssl-dev
libhiredis-dev libopenblas-dev libzstd-dev zstd jq redis-server nodejs npm valgrind curl"
if [ "${1:-}" = --bench ]; then
	packages="$packages python3 python3-numpy python3-sklearn python3-xgboost xgboost liblinear-tools time"
fi
missing=""
for p in $packages; do
	case $p in
	# a nodejs that bundles npm (NodeSource) conflicts with Debian's npm
	nodejs) command -v node >/dev/null 2>&1 && continue ;;
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	esac
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
# the S3-compatible server the remote-store tests run (npm, not Debian)
s3rver_version=3.7.1
need_s3rver=""
command -v s3rver >/dev/null 2>&1 || need_s3rver=yes
if [ -z "$missing" ] && [ -z "$need_s3rver" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
if [ "$(id -u)" = 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run=sudo
else
	echo "install-deps: need root (or sudo) to install:$missing${need_s3rver:+ s3rver (npm)}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	$run apt-get update
	# shellcheck disable=SC2086
	$run apt-get install -y --no-install-recommends $missing
fi
if [ -n "$need_s3rver" ]; then
	echo "install-deps: installing s3rver@$s3rver_version (npm)"
	$run npm install -g --no-audit --no-fund "s3rver@$s3rver_version"
fi
