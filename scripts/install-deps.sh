#!/bin/sh
# Installs the Debian 12 packages mlpipe builds and tests with, when they are
# missing. Runs apt-get as root (directly, or through sudo when available).
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh --bench  also the benchmark peers (xgboost,
#                                    liblinear-tools, python3-sklearn)
set -eu
packages="build-essential pkg-config libcsv-dev libcjson-dev libcurl4-openssl-dev
libhiredis-dev libopenblas-dev libzstd-dev zstd jq redis-server nodejs npm valgrind"
if [ "${1:-}" = --bench ]; then
	packages="$packages python3 python3-numpy python3-sklearn python3-xgboost xgboost liblinear-tools time"
fi
missing=""
for p in $packages; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing$missing"
if [ "$(id -u)" = 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run=sudo
else
	echo "install-deps: need root (or sudo) to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update
# shellcheck disable=SC2086
$run apt-get install -y --no-install-recommends $missing
