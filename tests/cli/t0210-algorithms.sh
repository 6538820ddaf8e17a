#!/bin/sh
# All five algorithms on the real datasets: the test-split metrics the
# algorithms must reach (reference values measured with scikit-learn 1.2 and
# xgboost 1.7 on the same default split and encoding), identical files from
# identical runs, and awkward columns that must train without NaN or crash.
. "$(dirname "$0")/lib.sh"

ALL=decision_tree,random_forest,neural_network,linear,gradient_boosting

# chain DATASET DIR [mltrain options]
chain() {
	data=$1 dir=$2
	shift 2
	mlprep -q "$DATA/$data.csv" -o "$dir" | mltrain -q -j 2 "$@" | mlbatch -q |
		mlanalyze -q | mlscore -q | mlstatus complete
}

metric() { # metric DIR ALGO NAME: the test-split metric from model.json
	jq -r ".algorithms.$2.metrics.test.$3" "$1/model.json"
}

no_nan() { # no_nan DIR: no NaN or infinity in any prediction or model file
	for f in "$1"/predictions/*.csv.zst "$1"/models/*.json.zst; do
		! zstdcat "$f" | grep -q -i -w -e nan -e "-\{0,1\}inf\(inity\)\{0,1\}" ||
			{ echo "NaN or infinity in $f" >&2; return 1; }
	done
}

test_expect_success 'credit-g: every algorithm complete; AUC of RF 0.74, GB 0.75, linear 0.77, NN 0.74' '
	chain credit-g credit -a $ALL >out &&
	test "$(jq -r .status out)" = complete &&
	test "$(jq -r "[.algorithms[].status] | unique | join(\",\")" credit/model.json)" = complete &&
	check_ge "$(metric credit random_forest auc)" 0.74 &&
	check_ge "$(metric credit gradient_boosting auc)" 0.75 &&
	check_ge "$(metric credit linear auc)" 0.77 &&
	check_ge "$(metric credit neural_network auc)" 0.74
'

test_expect_success 'lending_club: AUC of RF 0.67, GB 0.68, linear 0.71, NN 0.66' '
	chain lending_club lc -a $ALL >/dev/null &&
	check_ge "$(metric lc random_forest auc)" 0.67 &&
	check_ge "$(metric lc gradient_boosting auc)" 0.68 &&
	check_ge "$(metric lc linear auc)" 0.71 &&
	check_ge "$(metric lc neural_network auc)" 0.66
'

test_expect_success 'iris: accuracy >= 0.91 for every algorithm but decision_tree' '
	chain iris iris -a $ALL >/dev/null &&
	for a in random_forest neural_network linear gradient_boosting; do
		check_ge "$(metric iris $a accuracy)" 0.91 || exit 1
	done
'

test_expect_success 'penguins: accuracy >= 0.98 for random_forest, gradient_boosting, linear' '
	chain penguins penguins -a $ALL >/dev/null &&
	for a in random_forest gradient_boosting linear; do
		check_ge "$(metric penguins $a accuracy)" 0.98 || exit 1
	done
'

test_expect_success 'ames: R^2 of RF 0.87, GB 0.89, linear 0.80, NN 0.80' '
	chain ames ames -a $ALL >/dev/null &&
	check_ge "$(metric ames random_forest r_squared)" 0.87 &&
	check_ge "$(metric ames gradient_boosting r_squared)" 0.89 &&
	check_ge "$(metric ames linear r_squared)" 0.80 &&
	check_ge "$(metric ames neural_network r_squared)" 0.80
'

test_expect_success 'the random forest reports its out-of-bag metric; linear its gradient norm' '
	check_ge "$(jq -r .algorithms.random_forest.info.oob_auc credit/model.json)" 0.7 &&
	jq -e ".algorithms.linear.info | .converged and .gradient_norm > 0" credit/model.json >/dev/null
'

test_expect_success 'the same seed and threads give identical models and predictions, every algorithm' '
	for j in 2 1; do
		rm -rf again && mkdir again && cp -r credit/datasource.json credit/data again/ &&
		cp credit/model.json again/ &&
		mltrain -q -j $j -a $ALL again >/dev/null && mlbatch -q again >/dev/null &&
		for f in credit/models/*.json.zst credit/predictions/*.csv.zst; do
			cmp "$f" "again/${f#credit/}" || exit 1
		done || exit 1
	done
'

test_expect_success 'a different seed gives a different forest' '
	rm -rf seeded && mkdir seeded && cp -r credit/model.json credit/datasource.json credit/data seeded/ &&
	mltrain -q -a random_forest --seed 2 seeded >/dev/null &&
	! cmp -s credit/models/random_forest.json.zst seeded/models/random_forest.json.zst
'

# 12,000 rows: a constant column, a column with one value (row 1, in the
# training split), a category seen once, 10,000 categories, a one-row test file.
awk 'BEGIN {
	srand(3)
	print "const,lonely,once,many,x,z,historical_result"
	for (i = 1; i <= 12000; i++) {
		x = rand() * 10
		print "5," (i == 1 ? "7.5" : "") "," (i == 5 ? "solo" : (i % 2 ? "a" : "b")) \
			",c" (i % 10000) "," x "," (rand() < 0.5 ? "u" : "v") "," (x + rand() * 4 > 7 ? "true" : "false")
	}
}' >"$TRASH/edge.csv"
printf 'const,lonely,once,many,x,z,historical_result\n5,,a,c17,3.2,u,true\n' >"$TRASH/one.csv"

test_expect_success 'awkward columns and a one-row test split: binary, every algorithm, no NaN' '
	mlprep -q edge.csv --test one.csv -o eb | mltrain -q -j 2 -a $ALL --set neural_network.epochs=20 |
		mlbatch -q | mlanalyze -q | mlscore -q | mlstatus complete >out &&
	test "$(jq -r .status out)" = complete &&
	test "$(jq -r "[.algorithms[].status] | unique | join(\",\")" eb/model.json)" = complete &&
	test "$(jq -r ".columns[] | select(.name == \"many\") | .encoder.values | length" eb/datasource.json)" = 10000 &&
	no_nan eb &&
	# one test row: no AUC, so the lowest test log loss selects
	test "$(jq -r ".algorithms[].metrics.test.auc" eb/model.json | sort -u)" = null &&
	best=$(jq -r "[.algorithms | to_entries[] | {k: .key, v: .value.metrics.test.log_loss}] | min_by(.v) | .k" eb/model.json) &&
	test "$(jq -r .selected_algorithm eb/model.json)" = "$best"
'

test_expect_success 'awkward columns: categorical and regression targets, no NaN' '
	awk -F, "BEGIN { OFS = \",\" } NR == 1 { print; next } { \$7 = \$5 < 3 ? \"low\" : \$5 < 6 ? \"mid\" : \"high\"; print }" edge.csv >edgec.csv &&
	awk -F, "BEGIN { OFS = \",\" } NR == 1 { print; next } { \$7 = \$5 * 2 + (\$6 == \"u\"); print }" edge.csv >edger.csv &&
	printf "const,lonely,once,many,x,z,historical_result\n5,,a,c17,3.2,u,mid\n" >onec.csv &&
	printf "const,lonely,once,many,x,z,historical_result\n5,,a,c17,3.2,u,7.4\n" >oner.csv &&
	for t in c r; do
		mlprep -q edge$t.csv --test one$t.csv -o e$t | mltrain -q -j 2 -a $ALL --set neural_network.epochs=20 |
			mlbatch -q | mlanalyze -q | mlscore -q | mlstatus complete >out &&
		test "$(jq -r "[.algorithms[].status] | unique | join(\",\")" e$t/model.json)" = complete &&
		no_nan e$t || exit 1
	done &&
	test "$(jq -r .type ec/model.json)" = categorical &&
	test "$(jq -r .type er/model.json)" = regression
'

test_done
