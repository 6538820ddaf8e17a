#!/usr/bin/env bash
# run-bench.sh — mlpipe's algorithms side by side with their peers
# (xgboost hist, scikit-learn, LIBLINEAR) on the same train/test files.
#
#   tests/bench/run-bench.sh [--sizes 100000,1000000] [--algorithms LIST]
#       [--repeat 3] [--threads 2,1] [--no-wait] [--out DIR] [--seed 1]
#       [--max-load 0.2] [--wait-timeout 900] [--run-limit 900]
#       [--retries 2] [--retry-below 120]
#       [--keep] [--fresh] [--no-install] [--prepare-only] [--table-only]
#
# For each size: gen_synth.py writes the CSV (fixed seed), mlprep splits and
# encodes it once (7-of-10 split), and the peers get mlprep's encoded
# matrices. Both kept in OUT/cache, keyed by size and seed (--fresh redoes
# them, e.g. after a change to mlprep's encoding). Then for every algorithm x thread count, mlpipe
# and the peer run in turn, `--repeat` times each; before every timed run
# the script waits until the machine's other processes use less than
# --max-load cores, and a run that other processes disturbed (they used more
# than --max-load cores while it ran) is done again, up to --retries times,
# when it is shorter than --retry-below seconds. Every run leaves OUT/runs/SIZE/ALGO/TOOL-jN-rK.json;
# bench_table.py turns them into the table (stdout, OUT/bench.csv,
# OUT/bench.md). See tests/bench/README.md for what each column means.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3   # Debian's python: numpy, scikit-learn, xgboost
shared=${MLPIPE_SHARED:-$repo/../shared}

sizes=100000,1000000
algorithms=gradient_boosting,random_forest,linear,neural_network,decision_tree
repeat=3
threads_list=2,1
wait_quiet=1
out=$here/out
seed=1
max_load=0.2
wait_timeout=900
run_limit=900
retries=2
retry_below=120
keep=0
install=1
table_only=0
prepare_only=0
fresh=0

# ---- the hyperparameters, one place for both sides --------------------------
GB_ROUNDS=100 GB_DEPTH=6 GB_LR=0.1 GB_BINS=255 GB_LAMBDA=1 GB_MIN_CHILD_WEIGHT=1
RF_TREES=100 RF_MIN_LEAF=5 RF_MAX_DEPTH=0          # 0 = unlimited
LIN_C=1 LIN_TOL=0.0001
NN_HIDDEN=100 NN_BATCH=200 NN_EPOCHS=10 NN_LR=0.001 NN_ALPHA=0.0001
DT_MAX_DEPTH=10 DT_MIN_LEAF=5

usage() {
	sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift ;;
	--algorithms) algorithms=$2; shift ;;
	--repeat) repeat=$2; shift ;;
	--threads) threads_list=$2; shift ;;
	--no-wait) wait_quiet=0 ;;
	--out) out=$2; shift ;;
	--seed) seed=$2; shift ;;
	--max-load) max_load=$2; shift ;;
	--wait-timeout) wait_timeout=$2; shift ;;
	--run-limit) run_limit=$2; shift ;;
	--retries) retries=$2; shift ;;
	--retry-below) retry_below=$2; shift ;;
	--keep) keep=1 ;;
	--no-install) install=0 ;;
	--table-only) table_only=1 ;;
	--prepare-only) prepare_only=1 ;;
	--fresh) fresh=1 ;;
	-h|--help) usage ;;
	*) echo "run-bench: unknown option '$1'" >&2; usage ;;
	esac
	shift
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

say() { echo "run-bench: $*" >&2; }
die() { say "$*"; exit 1; }

table() {
	"$PY" "$here/bench_table.py" --out "$out" --sizes "$sizes" --algorithms "$algorithms" \
		--threads "$threads_list"
}
if [ "$table_only" = 1 ]; then
	table
	exit
fi

# ---- peers and tools -----------------------------------------------------
peer_packages="python3 python3-numpy python3-sklearn python3-xgboost xgboost liblinear-tools time zstd jq"
missing=""
for p in $peer_packages; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	[ "$install" = 1 ] || die "missing Debian packages:$missing (scripts/install-deps.sh --bench)"
	say "installing the peers:$missing"
	"$repo/scripts/install-deps.sh" --bench >&2 || die "could not install:$missing (scripts/install-deps.sh --bench)"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package time) is missing"
command -v zstd >/dev/null || die "zstd is missing"
command -v jq >/dev/null || die "jq is missing"
command -v liblinear-train >/dev/null || die "liblinear-train (liblinear-tools) is missing"
"$PY" -c 'import numpy, sklearn, xgboost' 2>/dev/null ||
	die "$PY cannot import numpy, sklearn and xgboost (python3-sklearn, python3-xgboost)"
[ -f "$shared/data/gen_synth.py" ] || die "'$shared/data/gen_synth.py' not found (set MLPIPE_SHARED)"

# A snapshot of the stages, so a rebuild during a long run cannot mix versions.
bindir=$out/bin
mkdir -p "$bindir"
for s in mlprep mltrain mlbatch mlanalyze; do
	[ -x "$repo/bin/$s" ] || die "'$repo/bin/$s' missing: run make"
	cp "$repo/bin/$s" "$bindir/$s.tmp" && mv "$bindir/$s.tmp" "$bindir/$s"
done
export MLPIPE_CONF=$repo/share/mlpipe/mlpipe.conf
mlpipe_rev=$(cd "$repo" && git describe --always --dirty 2>/dev/null || echo unknown)
mltrain_sha=$(sha256sum "$bindir/mltrain" | cut -c1-12)
available=$("$bindir/mltrain" --list | awk '/^[a-z_]+ \(/ { print $1 }' | tr '\n' ' ')

# ---- machine load --------------------------------------------------------
hz=$(getconf CLK_TCK)

# Cores busy over about one second: busy jiffies (user, nice, system, irq,
# softirq, steal) of /proc/stat, divided by the elapsed time and HZ.
cpu_load() {
	local b0 b1 t0 t1
	b0=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
	t0=$(date +%s.%N)
	sleep 1
	b1=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)
	t1=$(date +%s.%N)
	awk -v b0="$b0" -v b1="$b1" -v t0="$t0" -v t1="$t1" -v hz="$hz" \
		'BEGIN { printf "%.3f\n", (b1 - b0) / hz / (t1 - t0) }'
}

busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

# Cores the other processes used while a run went on: all busy time between
# the two /proc/stat readings less the run's own user + system time (from
# /usr/bin/time -v), over the wall time.  other_load TIMEFILE B0 B1 T0 T1
other_load() {
	awk -v b0="$2" -v b1="$3" -v t0="$4" -v t1="$5" -v hz="$hz" -F': ' '
		/User time \(seconds\)/ { own += $2 } /System time \(seconds\)/ { own += $2 }
		END { o = ((b1 - b0) / hz - own) / (t1 - t0); printf "%.3f\n", (o > 0 ? o : 0) }' "$1"
}

# Whether run attempt A (wall W seconds, other processes' load L) should be
# done again.  disturbed A W L
disturbed() {
	[ "$wait_quiet" = 1 ] && [ "$1" -le "$retries" ] &&
		awk -v w="$2" -v l="$3" -v m="$max_load" -v lim="$retry_below" 'BEGIN { exit !(l >= m && w < lim) }'
}

# Sets LOAD (the last sample), WAITED (seconds) and LOAD_TIMEOUT (0/1).
# After one timeout the following runs wait at most a minute, until the
# machine is seen quiet again: a machine that never calms down costs one
# long wait, not one per run.
busy_streak=0
wait_for_quiet() {
	local start now limit=$wait_timeout
	start=$(date +%s)
	LOAD_TIMEOUT=0
	LOAD=$(cpu_load)
	[ "$busy_streak" = 0 ] || limit=60
	if [ "$wait_quiet" = 1 ]; then
		while awk -v l="$LOAD" -v m="$max_load" 'BEGIN { exit !(l >= m) }'; do
			now=$(date +%s)
			if [ $((now - start)) -ge "$limit" ]; then
				LOAD_TIMEOUT=1
				busy_streak=1
				say "LOAD STILL $LOAD cores after ${limit}s: measuring anyway (marked in the table)"
				break
			fi
			LOAD=$(cpu_load)
		done
		[ "$LOAD_TIMEOUT" = 1 ] || busy_streak=0
	fi
	WAITED=$(($(date +%s) - start))
}

# ---- data ----------------------------------------------------------------
# Sets PREP (the mlprep model directory) and CACHE (the peers' matrices).
prepare() {
	local n=$1 dir=$out/cache/synth-$n-seed$seed csv stamp want
	csv=$dir/synth.csv
	PREP=$dir/model
	CACHE=$dir/peer
	want="rows $n seed $seed gen_synth $(sha256sum "$shared/data/gen_synth.py" | cut -c1-16)"
	[ "$fresh" = 0 ] || rm -f "$dir/csv.done" "$dir/prep.done"
	mkdir -p "$dir"
	if [ ! -s "$csv" ] || [ ! -f "$dir/csv.done" ]; then
		say "generating $n rows (seed $seed)"
		"$PY" "$shared/data/gen_synth.py" "$n" "$csv.tmp" --seed "$seed"
		mv "$csv.tmp" "$csv"
		touch "$dir/csv.done"
		rm -f "$dir/prep.done"
	fi
	stamp=$(cat "$dir/prep.done" 2>/dev/null || true)
	if [ "$stamp" != "$want" ]; then
		say "mlprep $n rows"
		rm -rf "$PREP" "$CACHE"
		"$bindir/mlprep" -q "$csv" -o "$PREP" >/dev/null </dev/null
		say "converting the encoded matrices for the peers"
		"$PY" "$here/peer_common.py" prepare "$PREP" "$CACHE"
		echo "$want" >"$dir/prep.done"
	fi
}

# ---- one timed run ------------------------------------------------------
# Peak RSS (MB) and wall seconds from /usr/bin/time -v output.
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"; }

mlpipe_sets() {
	case $1 in
	gradient_boosting)
		echo "rounds=$GB_ROUNDS max_depth=$GB_DEPTH max_leaves=0 learning_rate=$GB_LR" \
			"max_bins=$GB_BINS lambda=$GB_LAMBDA min_child_weight=$GB_MIN_CHILD_WEIGHT" \
			"subsample=1 colsample=1 early_stopping_rounds=0 validation_fraction=0" ;;
	random_forest)
		echo "trees=$RF_TREES max_features=0 max_depth=$RF_MAX_DEPTH" \
			"min_samples_leaf=$RF_MIN_LEAF min_samples_split=2 max_bins=255" ;;
	linear) echo "C=$LIN_C tol=$LIN_TOL max_iter=1000" ;;
	neural_network)
		echo "hidden=$NN_HIDDEN layers=1 batch_size=$NN_BATCH epochs=$NN_EPOCHS" \
			"learning_rate=$NN_LR alpha=$NN_ALPHA validation_fraction=0 patience=$NN_EPOCHS" ;;
	decision_tree) echo "max_depth=$DT_MAX_DEPTH min_samples_leaf=$DT_MIN_LEAF" ;;
	esac
}

peer_command() {  # ALGO THREADS -> the driver's command line (without --auc)
	case $1 in
	gradient_boosting)
		echo "$here/peer_xgboost.py $CACHE --threads $2 --rounds $GB_ROUNDS --max-depth $GB_DEPTH" \
			"--learning-rate $GB_LR --max-bin $GB_BINS --lambda $GB_LAMBDA" \
			"--min-child-weight $GB_MIN_CHILD_WEIGHT" ;;
	random_forest)
		echo "$here/peer_sklearn.py random_forest $CACHE --threads $2 --trees $RF_TREES" \
			"--min-samples-leaf $RF_MIN_LEAF --max-depth $RF_MAX_DEPTH" ;;
	linear) echo "$here/peer_liblinear.py $CACHE --C $LIN_C --tol $LIN_TOL" ;;
	neural_network)
		echo "$here/peer_sklearn.py neural_network $CACHE --threads $2 --hidden $NN_HIDDEN" \
			"--batch $NN_BATCH --epochs $NN_EPOCHS --learning-rate $NN_LR --alpha $NN_ALPHA" ;;
	decision_tree)
		echo "$here/peer_sklearn.py decision_tree $CACHE --max-depth $DT_MAX_DEPTH" \
			"--min-samples-leaf $DT_MIN_LEAF" ;;
	esac
}

peer_name() {
	case $1 in
	gradient_boosting) echo "xgboost hist" ;;
	linear) echo "liblinear -s 0" ;;
	random_forest) echo "sklearn RandomForestClassifier" ;;
	neural_network) echo "sklearn MLPClassifier" ;;
	decision_tree) echo "sklearn DecisionTreeClassifier" ;;
	esac
}

# Peers that use one thread whatever they are given.
single_threaded_peer() { [ "$1" = linear ] || [ "$1" = decision_tree ]; }

result_file() { echo "$out/runs/$1/$2/$3-j$4-r$5.json"; }  # SIZE ALGO TOOL THREADS REP

# Of the attempts of one run (files RES.a1, RES.a2, ...), keeps the one other
# processes disturbed least (the last one if it failed) as RES.
pick_attempt() {
	local res=$1 auc=$2 err=$3
	jq -s --argjson auc "$auc" --arg err "$err" '
		(if .[-1].ok then (map(select(.ok)) | min_by(.load_during)) else .[-1] end) as $r |
		$r + {attempts: length, auc: (if $auc == null then $r.auc else $auc end),
		      error: (if $err == "" then $r.error else $err end),
		      ok: ($r.ok and $err == "")}' "$res".a* >"$res.tmp"
	mv "$res.tmp" "$res"
	rm -f "$res".a*
}

# run_mlpipe ALGO SIZE THREADS REP
run_mlpipe() {
	local algo=$1 n=$2 j=$3 r=$4 res work tf sets args=() s start end rc=0 auc=null err=""
	local attempt b0 during wall
	res=$(result_file "$n" "$algo" mlpipe "$j" "$r")
	work=$out/work/$n-$algo-mlpipe-j$j
	tf=$out/work/time.txt
	rm -rf "$work"
	mkdir -p "$work/data" "$(dirname "$res")"
	rm -f "$res".a*
	ln "$PREP"/data/* "$work/data/"
	cp "$PREP/model.json" "$PREP/datasource.json" "$work/"
	sets=$(mlpipe_sets "$algo")
	for s in $sets; do args+=(--set "$algo.$s"); done
	attempt=0
	while :; do
		attempt=$((attempt + 1))
		rc=0
		wait_for_quiet
		say "$n $algo mlpipe -j $j run $r (load $LOAD)"
		b0=$(busy_jiffies)
		start=$(date +%s.%N)
		/usr/bin/time -v -o "$tf" "$bindir/mltrain" -q --progress=none --seed 1 -j "$j" -a "$algo" \
			"${args[@]}" "$work" >/dev/null 2>"$work/stderr" </dev/null || rc=$?
		end=$(date +%s.%N)
		during=$(other_load "$tf" "$b0" "$(busy_jiffies)" "$start" "$end")
		wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
		[ "$rc" = 0 ] || err=$(head -c 400 "$work/stderr")
		jq -n --arg algo "$algo" --argjson size "$n" --argjson threads "$j" --argjson rep "$r" \
			--argjson load "$LOAD" --argjson waited "$WAITED" --argjson load_timeout "$LOAD_TIMEOUT" \
			--argjson during "$during" --argjson wall "$wall" \
			--argjson rss "$(rss_mb "$tf")" --argjson rc "$rc" --arg err "$err" \
			--arg rev "$mlpipe_rev" --arg sha "$mltrain_sha" \
			--arg sets "$sets" --slurpfile model "$work/model.json" '
			($model[0].algorithms[$algo] // {}) as $a |
			{tool: "mlpipe", algorithm: $algo, size: $size, threads: $threads, rep: $rep,
			 ok: ($rc == 0 and ($a.status // "") == "trained"), error: $err,
			 train_seconds: $a.seconds, wall_seconds: $wall, rss_mb: $rss, auc: null,
			 epochs: ($a.info.epochs // null), info: ($a.info // null), params: ($a.params // null),
			 set: $sets, load: $load, waited: $waited, load_timeout: ($load_timeout == 1),
			 load_during: $during, mlpipe: $rev, mltrain_sha256: $sha}' >"$res.a$attempt"
		[ "$rc" = 0 ] && disturbed "$attempt" "$wall" "$during" || break
		say "disturbed: other processes used $during cores during the run; again"
	done
	if [ "$rc" != 0 ]; then
		say "mltrain failed ($rc): $err"
	elif [ "$r" = 1 ]; then
		# test AUC from mlpipe's own stages (the model is the same for every attempt)
		if "$bindir/mlbatch" -q -j "$j" "$work" >/dev/null </dev/null &&
			"$bindir/mlanalyze" -q "$work" >/dev/null </dev/null; then
			auc=$(jq '.summary.auc' "$work/analysis/$algo.test.json")
		else
			err="mlbatch/mlanalyze failed"
		fi
	fi
	pick_attempt "$res" "$auc" "$err"
	[ "$rc" = 0 ] || return 1
}

# run_peer ALGO SIZE THREADS REP
run_peer() {
	local algo=$1 n=$2 j=$3 r=$4 res tf cmd json start end rc=0 auc_flag="" err=""
	local attempt b0 during wall
	local envs=(OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$j" OPENBLAS_NUM_THREADS="$j"
		MKL_NUM_THREADS="$j" PYTHONDONTWRITEBYTECODE=1)
	res=$(result_file "$n" "$algo" peer "$j" "$r")
	tf=$out/work/time.txt
	mkdir -p "$(dirname "$res")" "$out/work"
	rm -f "$res".a*
	[ "$r" = 1 ] && auc_flag=--auc
	cmd=$(peer_command "$algo" "$j")
	attempt=0
	while :; do
		attempt=$((attempt + 1))
		rc=0
		wait_for_quiet
		say "$n $algo $(peer_name "$algo") threads $j run $r (load $LOAD)"
		b0=$(busy_jiffies)
		start=$(date +%s.%N)
		# shellcheck disable=SC2086
		json=$(env "${envs[@]}" /usr/bin/time -v -o "$tf" "$PY" $cmd $auc_flag 2>"$out/work/peer.stderr" </dev/null) || rc=$?
		end=$(date +%s.%N)
		during=$(other_load "$tf" "$b0" "$(busy_jiffies)" "$start" "$end")
		wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
		if [ "$rc" != 0 ] || [ -z "$json" ]; then
			err=$(tail -c 400 "$out/work/peer.stderr")
			say "peer failed ($rc): $err"
			json='{}'
			[ "$rc" != 0 ] || rc=1
		fi
		jq -n --arg algo "$algo" --argjson size "$n" --argjson threads "$j" --argjson rep "$r" \
			--argjson load "$LOAD" --argjson waited "$WAITED" --argjson load_timeout "$LOAD_TIMEOUT" \
			--argjson during "$during" --argjson wall "$wall" \
			--argjson rss "$(rss_mb "$tf")" --argjson rc "$rc" --arg err "$err" \
			--arg peer "$(peer_name "$algo")" --arg cmd "$cmd" --argjson p "$json" '
			{tool: "peer", peer: $peer, algorithm: $algo, size: $size, threads: $threads, rep: $rep,
			 ok: ($rc == 0), error: $err, train_seconds: $p.fit_seconds, wall_seconds: $wall,
			 rss_mb: $rss, auc: ($p.auc // null), epochs: ($p.epochs // null), info: $p,
			 command: $cmd, load: $load, waited: $waited, load_timeout: ($load_timeout == 1),
			 load_during: $during}' >"$res.a$attempt"
		[ "$rc" = 0 ] && disturbed "$attempt" "$wall" "$during" || break
		say "disturbed: other processes used $during cores during the run; again"
	done
	pick_attempt "$res" null ""
	[ "$rc" = 0 ] || return 1
}

# liblinear-train itself, once per size: its peak RSS and wall time
# (parsing the text file included) for the table's notes.
run_liblinear_cli() {
	local n=$1 res tf start end rc=0
	res=$out/runs/$n/linear/liblinear-train.json
	tf=$out/work/time.txt
	mkdir -p "$(dirname "$res")" "$out/work"
	[ "$keep" = 1 ] && [ -f "$res" ] && return 0
	local eps
	eps=$(jq -r --argjson tol "$LIN_TOL" \
		'$tol * .train_rows / ([([.train_positive, .train_rows - .train_positive] | min), 1] | max)' \
		"$CACHE/meta.json")
	wait_for_quiet
	say "$n linear liblinear-train -s 0 -c $LIN_C -B 1 -e $eps (load $LOAD)"
	start=$(date +%s.%N)
	/usr/bin/time -v -o "$tf" liblinear-train -q -s 0 -c "$LIN_C" -B 1 -e "$eps" \
		"$CACHE/train.libsvm" "$out/work/liblinear.model" >/dev/null 2>&1 </dev/null || rc=$?
	end=$(date +%s.%N)
	jq -n --argjson size "$n" --argjson rc "$rc" --argjson load "$LOAD" \
		--argjson wall "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
		--argjson rss "$(rss_mb "$tf")" \
		--arg cmd "liblinear-train -q -s 0 -c $LIN_C -B 1 -e $eps train.libsvm" \
		'{tool: "liblinear-train", size: $size, ok: ($rc == 0), wall_seconds: $wall,
		  rss_mb: $rss, command: $cmd, load: $load}' >"$res"
}

# ---- the benchmark ---------------------------------------------------------
IFS=, read -r -a size_arr <<<"$sizes"
IFS=, read -r -a algo_arr <<<"$algorithms"
IFS=, read -r -a thread_arr <<<"$threads_list"

# what the Python peers' RSS holds before any data: the interpreter and the imports
mkdir -p "$out/work"
/usr/bin/time -v -o "$out/work/time.txt" "$PY" -c \
	'import numpy, sklearn.ensemble, sklearn.neural_network, sklearn.tree, sklearn.metrics, xgboost' ||
	die "$PY cannot import the peers"
python_rss=$(rss_mb "$out/work/time.txt")

jq -n --arg rev "$mlpipe_rev" --arg sha "$mltrain_sha" --arg available "$available" \
	--arg host "$(uname -n)" --arg cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson cores "$(nproc)" --argjson repeat "$repeat" --argjson max_load "$max_load" \
	--argjson wait "$wait_quiet" --argjson wait_timeout "$wait_timeout" --argjson seed "$seed" \
	--arg started "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson python_rss "$python_rss" \
	--arg xgb "$("$PY" -c 'import xgboost; print(xgboost.__version__)')" \
	--arg skl "$("$PY" -c 'import sklearn; print(sklearn.__version__)')" \
	--arg ll "$(dpkg-query -W -f='${Version}' liblinear4 2>/dev/null || echo unknown)" \
	'{mlpipe: $rev, mltrain_sha256: $sha, available: $available, host: $host, cpu: $cpu,
	  cores: $cores, repeat: $repeat, max_load: $max_load, wait: ($wait == 1),
	  wait_timeout: $wait_timeout, seed: $seed, started: $started, python_import_rss_mb: $python_rss,
	  versions: {xgboost: $xgb, sklearn: $skl, liblinear: $ll}}' >"$out/settings.json"

say "mlpipe $mlpipe_rev (mltrain $mltrain_sha); algorithms available: $available"
for n in "${size_arr[@]}"; do
	prepare "$n"
	[ "$prepare_only" = 0 ] || continue
	for algo in "${algo_arr[@]}"; do
		case " $available " in
		*" $algo "*) have_mlpipe=1 ;;
		*) have_mlpipe=0; say "$algo: not in mltrain --list yet; peer only" ;;
		esac
		if [ "$keep" = 0 ]; then
			rm -f "$out/runs/$n/$algo/"*.json
		fi
		[ "$algo" = linear ] && run_liblinear_cli "$n"
		first_j=1
		for j in "${thread_arr[@]}"; do
			mlpipe_reps=$repeat peer_reps=$repeat peer_j=$j
			if single_threaded_peer "$algo"; then
				# one thread whatever it is given: measured once, filed under -j 1
				peer_j=1
				[ "$first_j" = 1 ] || peer_reps=0
			fi
			first_j=0
			for r in $(seq 1 "$repeat"); do
				if [ "$have_mlpipe" = 1 ] && [ "$r" -le "$mlpipe_reps" ]; then
					f=$(result_file "$n" "$algo" mlpipe "$j" "$r")
					if [ "$keep" = 0 ] || [ ! -f "$f" ]; then
						if ! run_mlpipe "$algo" "$n" "$j" "$r"; then
							mlpipe_reps=0
						elif [ "$r" = 1 ] && jq -e --argjson lim "$run_limit" '.wall_seconds > $lim' "$f" >/dev/null; then
							mlpipe_reps=1
							say "mlpipe $algo took over ${run_limit}s: one run only"
						fi
					fi
				fi
				if [ "$r" -le "$peer_reps" ]; then
					f=$(result_file "$n" "$algo" peer "$peer_j" "$r")
					if [ "$keep" = 0 ] || [ ! -f "$f" ]; then
						if ! run_peer "$algo" "$n" "$peer_j" "$r"; then
							peer_reps=0
						elif [ "$r" = 1 ] && jq -e --argjson lim "$run_limit" '.wall_seconds > $lim' "$f" >/dev/null; then
							peer_reps=1
							say "$(peer_name "$algo") took over ${run_limit}s: one run only"
						fi
					fi
				fi
			done
		done
		table >/dev/null || true   # keep OUT/bench.* current as rows complete
	done
done
rm -rf "$out/work"
table
