#!/bin/sh
# mlprep: every bad input gives a one-line error naming file and line (and
# column where there is one), exit status 65, model.json marked failed with
# that message, and no output file under a final name.
. "$(dirname "$0")/lib.sh"

# expect_bad NAME EXPECTED-MESSAGE [mlprep options]: runs mlprep on NAME.csv
expect_bad() {
	name=$1 msg=$2
	shift 2
	test_exit 65 mlprep "$name.csv" -o "m-$name" "$@" >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^mlprep: $msg" err &&
	test "$(jq -r .ok out)" = false &&
	test "$(jq -r .status "m-$name/model.json")" = failed &&
	jq -r .error "m-$name/model.json" >recorded &&
	test "mlprep: $(cat recorded)" = "$(cat err)" &&
	test ! -e "m-$name/datasource.json" &&
	test ! -e "m-$name/data/train.csv.zst" &&
	test -z "$(find "m-$name" -name ".*.tmp.*")"
}

test_expect_success 'empty file' '
	: >empty.csv &&
	expect_bad empty "'"'"'empty.csv'"'"': empty file (expected a header line)"
'

test_expect_success 'header only' '
	echo "a,b,historical_result" >header.csv &&
	expect_bad header "'"'"'header.csv'"'"' line 2: no data rows after the header"
'

test_expect_success 'no historical_result column' '
	printf "a,b,outcome\n1,2,true\n" >notarget.csv &&
	expect_bad notarget "'"'"'notarget.csv'"'"' line 1: no '"'"'historical_result'"'"' column"
'

test_expect_success 'duplicate column names (after trimming, any case)' '
	printf "age,income, Age ,historical_result\n1,2,3,true\n" >dup.csv &&
	expect_bad dup "'"'"'dup.csv'"'"' line 1, column 3: duplicate column name '"'"'Age'"'"'"
'

test_expect_success 'a row with too many fields' '
	printf "a,b,historical_result\n1,2,true\n1,2,3,false\n" >many.csv &&
	expect_bad many "'"'"'many.csv'"'"' line 3: expected 3 fields as in the header, got 4"
'

test_expect_success 'a row with too few fields' '
	printf "a,b,historical_result\n1,2,true\n1,false\n" >few.csv &&
	expect_bad few "'"'"'few.csv'"'"' line 3: expected 3 fields as in the header, got 2"
'

test_expect_success 'an unterminated quote' '
	printf "a,b,historical_result\n1,2,true\n1,\"open,false\n3,4,true\n" >quote.csv &&
	expect_bad quote "'"'"'quote.csv'"'"' line 4: unterminated quoted field (the record starts on line 3)"
'

test_expect_success 'invalid UTF-8' '
	printf "a,b,historical_result\n1,2,true\n1,caf\351,false\n" >latin1.csv &&
	expect_bad latin1 "'"'"'latin1.csv'"'"' line 3, column 2: invalid UTF-8"
'

test_expect_success 'a NUL byte' '
	printf "a,b,historical_result\n1,2,true\n1,x\000y,false\n" >nul.csv &&
	expect_bad nul "'"'"'nul.csv'"'"' line 3, column 2: NUL byte in the data"
'

test_expect_success 'a binary target other than true/false' '
	printf "a,b,historical_result\n1,2,true\n3,4,yes\n5,6,false\n" >yes.csv &&
	expect_bad yes "'"'"'yes.csv'"'"' line 3, column 3: historical_result: expected true or false (a binary model), got '"'"'yes'"'"'" --type binary
'

test_expect_success 'a missing target value' '
	printf "a,b,historical_result\n1,2,true\n3,4,\n5,6,false\n" >blank.csv &&
	expect_bad blank "'"'"'blank.csv'"'"' line 3, column 3: historical_result: expected a value"
'

test_expect_success 'a single class' '
	printf "a,b,historical_result\n1,2,false\n3,4,false\n5,6,false\n" >single.csv &&
	expect_bad single "'"'"'single.csv'"'"': historical_result has a single class ('"'"'false'"'"') in the training rows"
'

test_expect_success 'a column that is all missing' '
	printf "a,b,historical_result\n1,,true\n3,NA,false\n5,,true\n" >allmissing.csv &&
	expect_bad allmissing "'"'"'allmissing.csv'"'"' line 1, column 2: column '"'"'b'"'"' has no values" &&
	# leaving it out makes the file usable
	mlprep -q allmissing.csv -o ok --exclude b >out &&
	test "$(jq -r .ok out)" = true
'

test_expect_success 'a regression target that is not a number' '
	printf "a,historical_result\n1,2.5\n2,abc\n3,4\n" >reg.csv &&
	expect_bad reg "'"'"'reg.csv'"'"' line 3, column 2: historical_result: expected a number (a regression model), got '"'"'abc'"'"'" --type regression
'

test_expect_success 'a missing input file: exit 66' '
	test_exit 66 mlprep nosuch.csv -o m-missing >out 2>err &&
	test_grep "^mlprep: cannot open '"'"'nosuch.csv'"'"': No such file or directory" err &&
	test "$(jq -r .status m-missing/model.json)" = failed
'

test_expect_success 'an output directory that cannot be created: exit 73' '
	echo x >afile &&
	test_exit 73 mlprep "$DATA/iris.csv" -o afile/m >out 2>err &&
	test_grep "^mlprep: cannot create directory" err
'

test_expect_success 'usage errors: exit 2' '
	test_exit 2 mlprep 2>err &&
	test_exit 2 mlprep "$DATA/iris.csv" 2>err &&
	test_grep "no output directory" err &&
	test_exit 2 mlprep "$DATA/iris.csv" -o x --type nonsense 2>err &&
	test_exit 2 mlprep "$DATA/iris.csv" -o x --test-fraction 1.5 2>err &&
	test_exit 2 mlprep --bogus 2>err
'

test_expect_success 'a failed rerun leaves the earlier good outputs and the input untouched' '
	cp "$DATA/iris.csv" iris.csv &&
	sum=$(sha256sum iris.csv) &&
	mlprep -q iris.csv -o rerun >/dev/null &&
	cp rerun/data/train.csv.zst before.zst &&
	test_exit 65 mlprep nul.csv -o rerun >/dev/null 2>&1 &&
	cmp before.zst rerun/data/train.csv.zst &&
	test "$(jq -r .status rerun/model.json)" = failed &&
	test "$(sha256sum iris.csv)" = "$sum" &&
	# model.json still describes the files that are there; only the failure is new
	test "$(jq -r .type rerun/model.json)" = categorical &&
	test "$(jq -r .name rerun/model.json)" = iris &&
	test "$(jq -r .input.rows rerun/model.json)" = 150 &&
	test_grep "NUL byte" rerun/model.json &&
	test "$(jq -c "[.history[] | [.stage, .ok]]" rerun/model.json)" = "[[\"prep\",true],[\"prep\",false]]"
'

test_expect_success 'an output path that is a file: one line, exit 73' '
	echo x >plainfile &&
	test_exit 73 mlprep "$DATA/iris.csv" -o plainfile >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	test_grep "^mlprep: cannot create directory .plainfile.: not a directory" err &&
	test "$(cat plainfile)" = x
'

test_expect_success 'option values out of range are usage errors' '
	test_exit 2 mlprep - --test - -o x <"$DATA/iris.csv" 2>err &&
	test_grep "cannot both be standard input" err &&
	test_exit 2 mlprep "$DATA/iris.csv" -o x --seed 9007199254740992 2>err &&
	test_grep "expected an integer from 0 to 2^53-1" err &&
	mlprep -q "$DATA/iris.csv" -o seedmax --seed 9007199254740991 --test-fraction 0.3 >/dev/null &&
	grep -q "\"seed\": *9007199254740991\b" seedmax/datasource.json &&
	for id in "" ../x a/b .hidden "with space"; do
		test_exit 2 mlprep "$DATA/iris.csv" -o x --id "$id" 2>err || exit 1
		test_grep "^mlprep: --id: expected" err || exit 1
	done &&
	test_exit 2 mlprep "$DATA/iris.csv" -o x --include "" 2>err &&
	test_grep "expected a comma-separated list" err &&
	test ! -e x
'

test_expect_success '--include and --exclude match names regardless of case' '
	mlprep -q "$DATA/credit-g.csv" -o cased --include AGE,Duration >/dev/null &&
	test "$(jq -r "[.columns[] | select(.included) | .name] | join(\",\")" cased/datasource.json)" = "duration,age"
'

test_expect_success 'a write error on standard output: exit 74' '
	test_exit 74 mlprep -q "$DATA/iris.csv" -o full >/dev/full 2>err &&
	test_grep "write error on standard output" err &&
	test_exit 74 mlstatus show full >/dev/full 2>err &&
	test_exit 74 mlprep --help >/dev/full 2>err &&
	# a reader that is gone: exit 74 too, not death by SIGPIPE (141)
	{ mlprep -q "$DATA/credit-g.csv" -o gone 2>gone.err; echo $? >gone.rc; } | (exec 0<&-; sleep 1) &&
	test "$(cat gone.rc)" = 74 &&
	test_grep "write error on standard output" gone.err
'

test_done
