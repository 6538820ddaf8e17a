#!/bin/sh
# mlbatch --input: new cases scored with the model's own cleaning (the same
# function as training, REFERENCE §10.16), and explained.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: credit-g and iris models' '
	mlprep -q "$DATA/credit-g.csv" -o credit | mltrain -q | mlbatch -q | mlanalyze -q |
		mlscore -q | mlstatus complete >/dev/null &&
	mlprep -q "$DATA/iris.csv" -o iris | mltrain -q -a linear,random_forest | mlbatch -q |
		mlanalyze -q | mlscore -q | mlstatus complete >/dev/null
'

test_expect_success 'scoring the raw test rows gives exactly the split predictions, for every algorithm' '
	zstdcat credit/data/original.test.csv.zst >cases.csv &&
	for a in decision_tree random_forest neural_network linear gradient_boosting; do
		mlbatch -q -i cases.csv -a $a credit >scored.csv || exit 1
		test "$(head -1 scored.csv)" = "row,prediction,score" || exit 1
		cut -d, -f2,3 scored.csv | sed 1d >got &&
		zstdcat credit/predictions/$a.test.csv.zst | cut -d, -f3,4 | sed 1d >want &&
		test_cmp want got || exit 1
	done
'

test_expect_success 'categorical: class and probabilities match the split predictions' '
	zstdcat iris/data/original.test.csv.zst >iris-cases.csv &&
	mlbatch -q -i iris-cases.csv -a linear iris >scored.csv &&
	test "$(head -1 scored.csv)" = "row,prediction,p_setosa,p_versicolor,p_virginica" &&
	cut -d, -f2- scored.csv | sed 1d >got &&
	zstdcat iris/predictions/linear.test.csv.zst | cut -d, -f3- | sed 1d >want &&
	test_cmp want got
'

test_expect_success 'the default algorithm is the selected one' '
	sel=$(jq -r .selected_algorithm credit/model.json) &&
	mlbatch -q -i cases.csv credit >default.csv &&
	mlbatch -q -i cases.csv -a "$sel" credit >chosen.csv &&
	test_cmp chosen.csv default.csv
'

test_expect_success 'JSON lines in and out agree with CSV' '
	printf "{\"checking_status\":\"<0\",\"duration\":6,\"credit_history\":\"critical/other existing credit\",\"credit_amount\":\"1,169\",\"age\":67}\n" >one.jsonl &&
	mlbatch -q -i one.jsonl -a linear --format jsonl credit >one.out &&
	test "$(jq -r .row one.out)" = 1 &&
	p=$(jq -r .prediction one.out) &&
	check_ge "$p" 0 && check_ge 1 "$p" &&
	# the same case as CSV: columns not given are missing (training mean or OTHER)
	head -1 cases.csv >one.csv &&
	line="" && n=0 &&
	for col in $(head -1 cases.csv | tr , " "); do
		case $col in
		checking_status) v="<0" ;;
		duration) v=6 ;;
		credit_history) v="critical/other existing credit" ;;
		credit_amount) v="\"1,169\"" ;;
		age) v=67 ;;
		*) v="" ;;
		esac
		[ $n -eq 0 ] && line=$v || line="$line,$v"
		n=$((n + 1))
	done &&
	echo "$line" >>one.csv &&
	mlbatch -q -i one.csv -a linear credit >one-csv.out &&
	test "$(sed -n 2p one-csv.out | cut -d, -f2)" = "$p"
'

test_expect_success '--explain: an impact is the change when that feature is set to its training average' '
	head -2 cases.csv >first.csv &&
	mlbatch -q -i first.csv -a linear --explain --top 30 --format jsonl credit >explained &&
	base=$(jq -r .prediction explained) &&
	impact=$(jq -r ".explanation | (.positive + .negative)[] | select(.feature == \"duration\") | .impact" explained) &&
	mean=$(jq -r ".columns[] | select(.name == \"duration\") | .statistics.mean" credit/datasource.json) &&
	col=$(head -1 first.csv | tr , "\n" | grep -n "^duration\$" | cut -d: -f1) &&
	awk -F, -v c="$col" -v m="$mean" "BEGIN { OFS = \",\" } NR == 2 { \$c = m } { print }" first.csv >avg.csv &&
	alt=$(mlbatch -q -i avg.csv -a linear --format jsonl credit | jq -r .prediction) &&
	check_near "$impact" "$(awk -v b="$base" -v a="$alt" "BEGIN { printf \"%.17g\", b - a }")" 1e-6 &&
	mlbatch -q -i first.csv -a linear --explain credit >explained.csv &&
	test "$(head -1 explained.csv)" = "row,prediction,score,top_positive,top_negative"
'

test_expect_success 'bad cases: one line naming file, line and column; nothing written' '
	{ head -1 cases.csv; sed -n 2p cases.csv | awk -F, "BEGIN { OFS = \",\" } { \$2 = \"six\"; print }"; } >bad.csv &&
	test_exit 65 mlbatch -i bad.csv -o out.csv credit 2>err &&
	test_grep "^mlbatch: .bad.csv. line 2, column 2: column .duration.: expected a number, got .six.\$" err &&
	test ! -e out.csv &&
	cut -d, -f2- cases.csv >nodur.csv &&
	test_exit 65 mlbatch -i nodur.csv credit 2>err &&
	test_grep "line 1: no column .checking_status." err &&
	printf "not json\n" >bad.jsonl &&
	test_exit 65 mlbatch -i bad.jsonl credit 2>err &&
	test_grep "line 1: expected a JSON object" err &&
	test_exit 2 mlbatch -i cases.csv -a nosuch credit 2>err &&
	test_grep "algorithm .nosuch. is not trained" err &&
	test_exit 2 mlbatch -i cases.csv credit iris 2>err &&
	test_exit 2 mlbatch --explain credit 2>err &&
	test_exit 66 mlbatch -i nosuch.csv credit 2>err
'

test_expect_success '-o writes the file atomically and nothing to stdout' '
	mlbatch -q -i cases.csv -o scores.csv credit >stdout &&
	test ! -s stdout &&
	test "$(wc -l <scores.csv)" = 301
'

test_done
