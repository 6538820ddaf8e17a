#!/bin/sh
# mlprep: real datasets, the split rules, statistics and encoders.
. "$(dirname "$0")/lib.sh"

test_expect_success 'credit-g: binary, 700/300 split, 20 features' '
	mlprep "$DATA/credit-g.csv" -o credit >out 2>err &&
	test "$(jq -r .ok out)" = true &&
	test "$(jq -r .type out)" = binary &&
	test "$(jq -r .train_rows out)" = 700 &&
	test "$(jq -r .test_rows out)" = 300 &&
	test "$(jq -r .features out)" = 20 &&
	test "$(jq -r .status credit/model.json)" = prepared &&
	test "$(jq -r .id credit/model.json)" = credit
'

test_expect_success 'encoded train file: header, then numbers, historical_result last' '
	zstdcat credit/data/train.csv.zst | head -1 >header &&
	test "$(cut -d, -f1 header)" = checking_status &&
	test "$(tr , "\n" <header | tail -1)" = historical_result &&
	test "$(zstdcat credit/data/train.csv.zst | wc -l)" = 701 &&
	test "$(zstdcat credit/data/test.csv.zst | wc -l)" = 301 &&
	zstdcat credit/data/train.csv.zst | sed 1d | grep -v "^[-0-9.,e]*\$" >bad || true &&
	test ! -s bad
'

test_expect_success 'default split: rows 1-7 of every 10 train, 8-10 test (REFERENCE 1.7)' '
	# row 8 of the data (line 9 of the file) is the first test row
	sed -n 9p "$DATA/credit-g.csv" >want &&
	zstdcat credit/data/original.test.csv.zst | sed -n 2p >got &&
	test_cmp want got &&
	sed -n 2,8p "$DATA/credit-g.csv" >want &&
	zstdcat credit/data/original.train.csv.zst | sed -n 2,8p >got &&
	test_cmp want got
'

test_expect_success 'statistics come from the training rows only' '
	# mean of duration over the 700 training rows, computed independently with awk
	want=$(awk -F, "NR > 1 && (NR - 2) % 10 <= 6 { s += \$2; n++ } END { printf \"%.10f\", s / n }" "$DATA/credit-g.csv") &&
	got=$(jq -r ".columns[] | select(.name == \"duration\") | .statistics.mean" credit/datasource.json) &&
	check_near "$got" "$want" 1e-9 &&
	test "$(jq -r ".columns[] | select(.name == \"duration\") | .statistics.min" credit/datasource.json)" = 4 &&
	test "$(jq -r ".columns[] | select(.name == \"duration\") | .statistics.count" credit/datasource.json)" = 700
'

test_expect_success 'encoders: codes by first appearance, OTHER = K' '
	test "$(jq -c ".columns[] | select(.name == \"other_parties\") | .encoder" credit/datasource.json)" = \
		"{\"values\":[\"none\",\"guarantor\",\"co applicant\"],\"other_code\":3}" &&
	# the first training row has checking_status "<0": code 0
	test "$(zstdcat credit/data/train.csv.zst | sed -n 2p | cut -d, -f1)" = 0
'

test_expect_success 'categorical and regression are inferred' '
	mlprep "$DATA/iris.csv" -o iris >out &&
	test "$(jq -r .type out)" = categorical &&
	test "$(jq -c .label.classes iris/datasource.json)" = "[\"setosa\",\"versicolor\",\"virginica\"]" &&
	mlprep "$DATA/ames.csv" -o ames >out &&
	test "$(jq -r .type out)" = regression &&
	mlprep "$DATA/penguins.csv" -o penguins >out &&
	test "$(jq -r .type out)" = categorical
'

test_expect_success 'penguins: missing numbers are filled with the training mean, missing text is OTHER' '
	# row 4 of penguins (Adelie, Torgersen) has every measurement missing
	sed -n 5p "$DATA/penguins.csv" | grep -q "^Adelie,Torgersen,,,,,\$" &&
	mean=$(jq -r ".columns[] | select(.name == \"bill_length_mm\") | .statistics.mean" penguins/datasource.json) &&
	other=$(jq -r ".columns[] | select(.name == \"sex\") | .encoder.other_code" penguins/datasource.json) &&
	line=$(zstdcat penguins/data/train.csv.zst | sed -n 5p) &&
	check_near "$(echo "$line" | cut -d, -f2)" "$mean" 1e-9 &&
	test "$(echo "$line" | cut -d, -f6)" = "$other" &&
	test "$(jq -r ".columns[] | select(.name == \"bill_length_mm\") | .statistics.missing" penguins/datasource.json)" -ge 1
'

test_expect_success 'running mlprep twice gives byte-identical outputs' '
	mlprep -q "$DATA/credit-g.csv" -o again >/dev/null &&
	for f in datasource.json data/train.csv.zst data/test.csv.zst data/original.train.csv.zst data/original.test.csv.zst; do
		cmp credit/$f again/$f || exit 1
	done
'

test_expect_success '--test-fraction: stratified random split, reproducible by seed' '
	mlprep -q "$DATA/credit-g.csv" -o r1 --test-fraction 0.25 --seed 7 >/dev/null &&
	mlprep -q "$DATA/credit-g.csv" -o r2 --test-fraction 0.25 --seed 7 >/dev/null &&
	cmp r1/data/test.csv.zst r2/data/test.csv.zst &&
	test "$(jq -r .rows.test r1/datasource.json)" = 250 &&
	# stratified: 300 bad of 1000 -> 75 bad of 250 test rows
	test "$(jq -r ".label.test_counts[1]" r1/datasource.json)" = 75 &&
	mlprep -q "$DATA/credit-g.csv" -o r3 --test-fraction 0.25 --seed 8 >/dev/null &&
	! cmp -s r1/data/test.csv.zst r3/data/test.csv.zst
'

test_expect_success '--test FILE: the test split from another file, columns matched by name' '
	head -601 "$DATA/credit-g.csv" >train.csv &&
	{ head -1 "$DATA/credit-g.csv"; tail -400 "$DATA/credit-g.csv"; } >test.csv &&
	mlprep -q train.csv --test test.csv -o tf >out &&
	test "$(jq -r .train_rows out)" = 600 &&
	test "$(jq -r .test_rows out)" = 400 &&
	test "$(jq -r .split.rule tf/datasource.json)" = file
'

test_expect_success '--include / --exclude choose the predictors' '
	mlprep -q "$DATA/credit-g.csv" -o inc --include duration,age >out &&
	test "$(jq -r .features out)" = 2 &&
	test "$(zstdcat inc/data/train.csv.zst | head -1)" = "duration,age,historical_result" &&
	mlprep -q "$DATA/credit-g.csv" -o exc --exclude duration,age >out &&
	test "$(jq -r .features out)" = 18 &&
	test_exit 2 mlprep -q "$DATA/credit-g.csv" -o badinc --include nosuch 2>err &&
	test_grep "no column .nosuch." err
'

test_expect_success 'reading from standard input' '
	mlprep -q - -o stdin <"$DATA/iris.csv" >out &&
	test "$(jq -r .rows out)" = 150 &&
	cmp stdin/data/train.csv.zst iris/data/train.csv.zst
'

test_expect_success 'quoted fields, CRLF line ends and a BOM' '
	printf "\357\273\277name,amount,historical_result\r\n\"Smith, J\",\"1,200\",true\r\n\"say \"\"hi\"\"\",-5,false\r\n\"two\nlines\",1.5e-3,true\r\nplain,\$3,false\r\n" >quoted.csv &&
	mlprep -q quoted.csv -o quoted >out &&
	test "$(jq -r ".columns[0].name" quoted/datasource.json)" = name &&
	test "$(jq -r ".columns[1].type" quoted/datasource.json)" = number &&
	test "$(jq -c ".columns[0].encoder.values" quoted/datasource.json)" = "[\"Smith, J\",\"say \\\"hi\\\"\",\"two\\nlines\",\"plain\"]" &&
	zstdcat quoted/data/train.csv.zst | cut -d, -f2 | sed 1d >amounts &&
	printf "1200\n-5\n0.0015\n3\n" >want &&
	test_cmp want amounts
'

test_expect_success 'numbers keep their sign and exponent; N/A, NA and null are missing' '
	printf "x,y,historical_result\n-5,a,1\n1.5e-3,N/A,2\nNA,b,3\nnull,NULL,4\n\$1,234.50,c,5\n" >vals.csv &&
	printf "x,y,historical_result\n-5,a,1\n1.5e-3,N/A,2\nNA,b,3\nnull,NULL,4\n\"\$1,234.50\",c,5\n" >vals.csv &&
	mlprep -q vals.csv -o vals --test-fraction 0.2 --seed 1 >/dev/null &&
	mlprep -q vals.csv -o vals >/dev/null &&
	test "$(jq -r .model_type vals/datasource.json)" = regression &&
	test "$(jq -r ".columns[0].type" vals/datasource.json)" = number &&
	test "$(jq -r ".columns[0].statistics.missing" vals/datasource.json)" = 2 &&
	test "$(jq -r ".columns[0].statistics.min" vals/datasource.json)" = -5 &&
	test "$(jq -r ".columns[0].statistics.max" vals/datasource.json)" = 1234.5 &&
	test "$(jq -c ".columns[1].encoder.values" vals/datasource.json)" = "[\"a\",\"b\",\"c\"]"
'

test_done
