#!/bin/sh
# The main job on the bundled example: German credit data (examples/credit.csv,
# 1000 loans, historical_result = bad credit risk). Runs the whole chain
# into a model directory (default examples/out/credit) on the file status
# store, prints AUC and KS of every algorithm on both splits, and the status.
#   examples/run-example.sh [MODEL_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin="${MLPIPE_BIN:-$here/../bin}"
PATH="$bin:$PATH"
model=${1:-$here/out/credit}
mkdir -p "$(dirname "$model")"

mlprep "$here/credit.csv" -o "$model" |
	mltrain |
	mlbatch |
	mlanalyze |
	mlscore |
	mlstatus complete >"$model.pipe.json" || true

echo
echo "AUC and KS of every algorithm (from $model/analysis/):"
printf '%-18s %-6s %8s %8s\n' algorithm split AUC KS
for f in "$model"/analysis/*.json; do
	[ -f "$f" ] || continue
	jq -r '[.algorithm, .split, (.summary.auc * 10000 | round / 10000), (.summary.ks * 10000 | round / 10000)] | @tsv' "$f"
done | while IFS="$(printf '\t')" read -r a s auc ks; do
	printf '%-18s %-6s %8s %8s\n' "$a" "$s" "$auc" "$ks"
done
echo
mlstatus show "$model"
status=$(jq -r .status "$model/model.json")
[ "$status" = complete ]
