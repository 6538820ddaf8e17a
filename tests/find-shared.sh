# Sourced: sets MLPIPE_SHARED to the shared data directory (datasets and
# golden values), looking at $MLPIPE_SHARED, then ../shared beside the
# source tree, then /work/shared.
if [ -z "${MLPIPE_SHARED:-}" ] || [ ! -d "$MLPIPE_SHARED/data" ]; then
	for d in "$top/../shared" /work/shared; do
		if [ -d "$d/data" ]; then
			MLPIPE_SHARED=$(cd "$d" && pwd)
			break
		fi
	done
fi
if [ -z "${MLPIPE_SHARED:-}" ] || [ ! -d "$MLPIPE_SHARED/data" ]; then
	echo "error: shared data directory not found (set MLPIPE_SHARED)" >&2
	exit 1
fi
