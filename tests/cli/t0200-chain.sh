#!/bin/sh
# The whole chain, prep -> train -> batch -> analyze -> score -> complete, on
# the real datasets, with failures passed through to the end.
. "$(dirname "$0")/lib.sh"

# chain DATASET DIR [mltrain options]
chain() {
	data=$1 dir=$2
	shift 2
	mlprep -q "$DATA/$data.csv" -o "$dir" | mltrain -q "$@" | mlbatch -q | mlanalyze -q |
		mlscore -q | mlstatus complete
}

metric() { # metric DIR ALGO SPLIT NAME
	jq -r ".algorithms.$2.metrics.$3.$4" "$1/model.json"
}

test_expect_success 'credit-g: the chain exits 0 and the model is complete' '
	chain credit-g credit -a decision_tree >out &&
	test "$(jq -r .status out)" = complete &&
	test "$(jq -r .status credit/model.json)" = complete &&
	test "$(jq -r .selected_algorithm credit/model.json)" = decision_tree &&
	mlstatus show credit >table &&
	test_grep "decision_tree *complete" table
'

test_expect_success 'credit-g: every JSON file parses, every stage is in the history' '
	for f in credit/model.json credit/datasource.json credit/analysis/*.json credit/score/*.json; do
		jq -e . "$f" >/dev/null || exit 1
	done &&
	zstdcat credit/models/decision_tree.json.zst | jq -e .format >/dev/null &&
	test "$(jq -c "[.history[].stage]" credit/model.json)" = "[\"prep\",\"train\",\"batch\",\"analyze\",\"score\",\"complete\"]"
'

test_expect_success 'credit-g: predictions for both splits, one row per case' '
	test "$(zstdcat credit/predictions/decision_tree.test.csv.zst | head -1)" = "row,actual,prediction,score" &&
	test "$(zstdcat credit/predictions/decision_tree.test.csv.zst | wc -l)" = 301 &&
	test "$(zstdcat credit/predictions/decision_tree.train.csv.zst | wc -l)" = 701 &&
	# actual agrees with the encoded label of the same row
	zstdcat credit/data/test.csv.zst | sed 1d | awk -F, "{ print \$NF }" >labels &&
	zstdcat credit/predictions/decision_tree.test.csv.zst | sed 1d | cut -d, -f2 >actual &&
	test_cmp labels actual
'

test_expect_success 'credit-g: decision_tree test AUC >= 0.64; the analysis agrees with model.json' '
	auc=$(metric credit decision_tree test auc) &&
	check_ge "$auc" 0.64 &&
	test "$(jq -r .summary.auc credit/analysis/decision_tree.test.json)" = "$auc" &&
	test "$(jq -r .summary.rows credit/analysis/decision_tree.test.json)" = 300 &&
	test "$(jq -r .summary.rows credit/score/decision_tree.test.json)" = 300
'

test_expect_success 'credit-g: the analysis AUC equals an independent count over the predictions' '
	# Mann-Whitney with ties counted half, by awk over the prediction file
	zstdcat credit/predictions/decision_tree.test.csv.zst | sed 1d | cut -d, -f2,3 | sort -t, -k2,2g >pairs &&
	want=$(awk -F, "
		{ a[NR] = \$1; s[NR] = \$2 }
		END {
			i = 1; neg = 0; sum = 0; npos = 0
			while (i <= NR) {
				j = i; p = 0; q = 0
				while (j <= NR && s[j] == s[i]) { if (a[j] == 1) p++; else q++; j++ }
				sum += p * (neg + q / 2); neg += q; npos += p; i = j
			}
			printf \"%.12f\", sum / (npos * neg)
		}" pairs) &&
	check_near "$(metric credit decision_tree test auc)" "$want" 1e-9
'

test_expect_success 'breast_cancer and lending_club: decision_tree AUC >= 0.92 and >= 0.55' '
	chain breast_cancer bc -a decision_tree >/dev/null &&
	check_ge "$(metric bc decision_tree test auc)" 0.92 &&
	chain lending_club lc -a decision_tree >/dev/null &&
	check_ge "$(metric lc decision_tree test auc)" 0.55
'

test_expect_success 'iris and penguins: categorical chain, accuracy >= 0.90 and >= 0.95' '
	chain iris iris -a decision_tree >out &&
	test "$(jq -r .status out)" = complete &&
	check_ge "$(metric iris decision_tree test accuracy)" 0.90 &&
	zstdcat iris/predictions/decision_tree.test.csv.zst | head -1 >h &&
	test "$(cat h)" = "row,actual,prediction,p_setosa,p_versicolor,p_virginica" &&
	chain penguins penguins -a decision_tree >/dev/null &&
	check_ge "$(metric penguins decision_tree test accuracy)" 0.95
'

test_expect_success 'mlscore passes a categorical model through with a note' '
	mlscore iris >out &&
	test "$(jq -r .ok out)" = true &&
	test_grep "no score for a categorical model" out &&
	test ! -e iris/score
'

test_expect_success 'ames: regression chain, decision_tree R^2 >= 0.72' '
	chain ames ames -a decision_tree >/dev/null &&
	check_ge "$(metric ames decision_tree test r_squared)" 0.72 &&
	test "$(zstdcat ames/predictions/decision_tree.test.csv.zst | head -1)" = "row,actual,prediction"
'

test_expect_success 'every stage run twice gives byte-identical outputs' '
	cp -r credit again &&
	mltrain -q -a decision_tree again >/dev/null && mlbatch -q again >/dev/null &&
	mlanalyze -q again >/dev/null && mlscore -q again >/dev/null &&
	for f in models/decision_tree.json.zst predictions/decision_tree.train.csv.zst \
		 predictions/decision_tree.test.csv.zst analysis/decision_tree.test.json \
		 analysis/decision_tree.train.json score/decision_tree.test.json; do
		cmp credit/$f again/$f || exit 1
	done
'

test_expect_success 'a failure upstream is passed through to mlstatus complete' '
	printf "a,historical_result\n1,true\n2,maybe\n" >bad.csv &&
	# each later stage passes the line on and exits 1 (a model failed upstream)
	{ mlprep bad.csv -o badm --type binary 2>err | mltrain | mlbatch | mlanalyze | mlscore >piped; test $? = 1; } &&
	test "$(jq -r .ok piped)" = false &&
	test "$(jq -r .stage piped)" = prep &&
	test_grep "expected true or false" piped &&
	test_exit 1 mlstatus complete <piped >final &&
	test "$(jq -r .status final)" = failed &&
	test "$(jq -r .status badm/model.json)" = failed &&
	test_grep "expected true or false" badm/model.json
'

test_expect_success 'a stage before its input exists fails cleanly and marks the model failed' '
	mlprep -q "$DATA/iris.csv" -o early >/dev/null &&
	test_exit 65 mlbatch early >out 2>err &&
	test_grep "no trained algorithm" err &&
	test "$(jq -r .ok out)" = false &&
	test "$(jq -r .status early/model.json)" = failed
'

test_expect_success 'an algorithm whose analysis fails shows no earlier metrics' '
	cp -r iris iris-lost &&
	rm iris-lost/predictions/decision_tree.test.csv.zst &&
	test_exit 65 mlanalyze iris-lost >out 2>err &&
	test "$(jq -r .algorithms.decision_tree.status iris-lost/model.json)" = failed &&
	test "$(jq -r .algorithms.decision_tree.metrics iris-lost/model.json)" = null &&
	test_grep "cannot open" iris-lost/model.json
'

test_expect_success 'an algorithm whose model file is corrupt fails alone in mlbatch, without old metrics' '
	cp -r iris iris-corrupt &&
	echo junk | zstd -q -f -o iris-corrupt/models/decision_tree.json.zst &&
	mltrain -q -a linear iris-corrupt >/dev/null &&
	mlbatch iris-corrupt >out 2>err &&
	test_grep "decision_tree" err &&
	test "$(jq -r .algorithms.decision_tree.status iris-corrupt/model.json)" = failed &&
	test "$(jq -r .algorithms.decision_tree.metrics iris-corrupt/model.json)" = null &&
	test "$(jq -r .algorithms.linear.status iris-corrupt/model.json)" = trained
'

test_expect_success 'a stage run on a model mlprep failed on keeps that error (exit 1)' '
	printf "a,historical_result\n1,true\n2,true\n" >oneclass.csv &&
	test_exit 65 mlprep oneclass.csv -o oneclass >/dev/null 2>&1 &&
	jq -r .error oneclass/model.json >want &&
	test_exit 1 mltrain oneclass >out 2>err &&
	test "$(jq -r .ok out)" = false &&
	test_grep "mlprep failed on this model" err &&
	test_exit 1 mlstatus complete oneclass >out &&
	jq -r .error oneclass/model.json >got &&
	test_cmp want got &&
	test_grep "single class" out
'

test_expect_success 'mlstatus set: an unknown algorithm is a usage error, nothing written' '
	cp iris/model.json before.json &&
	test_exit 2 mlstatus set iris --algorithm nosuch --status failed 2>err &&
	test_grep "unknown algorithm .nosuch." err &&
	test_cmp before.json iris/model.json
'

test_expect_success 'not a model directory: exit 66' '
	mkdir empty &&
	test_exit 66 mltrain empty >out 2>err &&
	test_grep "not a model directory" err &&
	test_exit 66 mlstatus set empty --status complete 2>err &&
	test_exit 66 mlstatus select empty 2>err &&
	test_exit 66 mlstatus complete empty >out 2>err &&
	test_exit 66 mlstatus set /nonexistent/m --status complete 2>err &&
	test_grep "not a model directory" err &&
	test ! -e empty/.lock
'

test_expect_success 'mltrain: unknown algorithm or parameter is a usage error' '
	test_exit 2 mltrain -a nosuch credit 2>err &&
	test_grep "unknown algorithm .nosuch." err &&
	test_exit 2 mltrain -a decision_tree --set decision_tree.nosuch=1 credit 2>err &&
	test_grep "unknown parameter" err &&
	test_exit 2 mltrain -a decision_tree --set decision_tree.max_depth=x credit 2>err &&
	test_grep "expected a number" err
'

test_expect_success 'mltrain: every line of the configuration file is checked; so is MLPIPE_THREADS' '
	for line in "foo.trees = 3" "binaryy.linear.C = 3" "binary.foo.C = 2" \
		"regression.neural_network.hiddenn = 5" "categorical.linear.C = -5" \
		"binary.algorithms = linear,nosuch"; do
		printf "# defaults\nlinear.C = 2\n%s\n" "$line" >bad.conf &&
		test_exit 2 env MLPIPE_CONF=bad.conf mltrain -a linear credit >out 2>err || exit 1
		test_grep "^mltrain: .bad.conf. line 3: " err || exit 1
		test ! -s out || exit 1
	done &&
	printf "linear.C = 2\nbinary.linear.C = 3\nregression.algorithms = linear\n" >good.conf &&
	MLPIPE_CONF=good.conf mltrain -q -a linear credit >/dev/null &&
	test "$(jq -r .algorithms.linear.params.C credit/model.json)" = 3 &&
	test_exit 2 env MLPIPE_THREADS=abc mltrain -a linear credit 2>err &&
	test_grep "MLPIPE_THREADS: expected a number from 1 to 1024, got .abc." err &&
	test_exit 2 env MLPIPE_THREADS=0 mlbatch credit 2>err
'

test_expect_success 'mltrain --set changes the model' '
	cp -r credit shallow &&
	mltrain -q -a decision_tree --set decision_tree.max_depth=2 shallow >/dev/null &&
	test "$(jq -r .algorithms.decision_tree.params.max_depth shallow/model.json)" = 2 &&
	! cmp -s credit/models/decision_tree.json.zst shallow/models/decision_tree.json.zst
'

test_expect_success 'an algorithm a killed run left training is marked interrupted, not waited for' '
	mlprep -q "$DATA/iris.csv" -o stale >/dev/null &&
	mlstatus set stale --algorithm linear --status training --progress 40 &&
	mltrain -q -a decision_tree stale | mlbatch -q | mlanalyze -q | mlscore -q | mlstatus complete >out &&
	test "$(jq -r .status stale/model.json)" = complete &&
	test "$(jq -r .algorithms.linear.status stale/model.json)" = failed &&
	test_grep "training was interrupted" stale/model.json
'

test_done
