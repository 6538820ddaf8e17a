/* Unit tests: type inference, statistics, encoders and the split rules of
 * mlprep (common/prep.c), on small files whose answers are worked by hand. */
#include <stdlib.h>
#include <string.h>

#include "csvline.h"
#include "fileio.h"
#include "prep.h"
#include "schema.h"
#include "strmap.h"
#include "test.h"

static int counter;

/* Writes text to a fresh file and runs mlprep on it into a fresh directory. */
static char *prep_text(const char *text, struct mp_prep_options *o, struct mp_prep_result *res,
		       struct mp_error *err)
{
	char *csv = xasprintf("%s/in%d.csv", mp_test_tmpdir(), ++counter);
	char *dir = xasprintf("%s/m%d", mp_test_tmpdir(), counter);
	struct mp_error werr;

	mp_error_clear(err);
	if (mp_write_file(csv, text, strlen(text), &werr))
		mp_test_fail(__FILE__, __LINE__, "%s", werr.msg);
	mp_mkdirs(dir, &werr);
	o->input = csv;
	o->out_dir = dir;
	if (mp_prep_run(o, res, err)) {
		free(dir);
		dir = NULL;
	}
	free(csv);
	return dir;
}

static struct mp_datasource *load_ds(const char *dir)
{
	char *path = mp_path_join(dir, "datasource.json");
	struct mp_error err;
	struct mp_datasource *ds = mp_datasource_load(path, &err);

	if (!ds)
		mp_test_fail(__FILE__, __LINE__, "%s", err.msg);
	free(path);
	return ds;
}

/* Line `line` (1 = header) of data/<file>, or NULL. */
static char *line_of(const char *dir, const char *file, int line)
{
	char *path = mp_path_join(dir, file);
	struct mp_error err;
	struct mp_linereader *r = mp_linereader_open(path, &err);
	char *l, *out = NULL;
	size_t len;
	int n = 0;

	while (r && mp_linereader_next(r, &l, &len, &err) == 1)
		if (++n == line) {
			out = xstrdup(l);
			break;
		}
	mp_linereader_close(r);
	free(path);
	return out;
}

TEST(prep_infers_model_types)
{
	struct mp_prep_options o;
	struct mp_prep_result res;
	struct mp_error err;
	char *dir;

	memset(&o, 0, sizeof(o));
	dir = prep_text("x,historical_result\n1,TRUE\n2,false\n3,True\n", &o, &res, &err);
	CHECK(dir && res.task == MP_BINARY);
	free(dir);
	dir = prep_text("x,historical_result\n1,1.5\n2,-2\n3,3e2\n", &o, &res, &err);
	CHECK(dir && res.task == MP_REGRESSION);
	free(dir);
	/* numbers mixed with a boolean: neither binary nor regression; 3 labels */
	dir = prep_text("x,historical_result\n1,1\n2,true\n3,2\n", &o, &res, &err);
	CHECK(dir && res.task == MP_CATEGORICAL && res.n_classes == 3);
	free(dir);
	o.have_task = 1;
	o.task = MP_CATEGORICAL;
	dir = prep_text("x,historical_result\n1,1\n2,2\n3,3\n", &o, &res, &err);
	CHECK(dir && res.task == MP_CATEGORICAL && res.n_classes == 3);
	free(dir);
}

TEST(prep_column_types_statistics_and_encoders)
{
	struct mp_prep_options o;
	struct mp_prep_result res;
	struct mp_error err;
	struct mp_datasource *ds;
	char *dir, *l;

	memset(&o, 0, sizeof(o));
	/* 10 rows: the first 7 train. Training values of n: 4, -2, NA, 4, 10, 1, 4
	 * -> count 6, missing 1, mean 21/6 = 3.5, median (4+4)/2 = 4, mode 4, min -2,
	 * max 10, population sd = sqrt((3 * 0.5^2 + 5.5^2 + 6.5^2 + 2.5^2) / 6)
	 * = sqrt(79.5 / 6). */
	dir = prep_text("n,s,b,d,historical_result\n"
			"4,red,true,2020-01-01,false\n"
			"-2,blue,false,2020-01-03,true\n"
			"NA,red,,2020-01-02,false\n"
			"4,,TRUE,2020-01-01,true\n"
			"10,green,false,2020-01-05,false\n"
			"1,blue,true,2020-01-01,true\n"
			"4,blue,false,2020-01-01,false\n"
			"7,violet,true,2020-01-09,true\n"
			"8,red,false,2020-01-09,false\n"
			"9,red,true,2020-01-09,true\n", &o, &res, &err);
	CHECK(dir != NULL);
	if (!dir)
		return;
	CHECK_INT(res.train_rows, 7);
	CHECK_INT(res.test_rows, 3);
	ds = load_ds(dir);
	CHECK_INT(ds->n_columns, 4);
	CHECK_INT(ds->columns[0].type, MP_COL_NUMBER);
	CHECK_INT(ds->columns[1].type, MP_COL_STRING);
	CHECK_INT(ds->columns[2].type, MP_COL_BOOLEAN);
	CHECK_INT(ds->columns[3].type, MP_COL_DATE);
	CHECK_INT(ds->columns[0].stats.count, 6);
	CHECK_INT(ds->columns[0].stats.missing, 1);
	CHECK_NEAR(ds->columns[0].stats.mean, 3.5, 1e-15);
	CHECK_NEAR(ds->columns[0].stats.median, 4, 0);
	CHECK_NEAR(ds->columns[0].stats.mode, 4, 0);
	CHECK_NEAR(ds->columns[0].stats.min, -2, 0);
	CHECK_NEAR(ds->columns[0].stats.max, 10, 0);
	CHECK_NEAR(ds->columns[0].stats.sd, sqrt(79.5 / 6), 1e-15);
	CHECK_INT(ds->columns[0].stats.distinct, 4);
	/* s: training values red, blue, red, (blank), green, blue, blue: codes by
	 * first appearance red 0, blue 1, green 2; OTHER 3; mode blue (3 times) */
	CHECK_INT(ds->columns[1].encoder.n_values, 3);
	CHECK_STR(ds->columns[1].encoder.values[0], "red");
	CHECK_STR(ds->columns[1].encoder.values[2], "green");
	CHECK_STR(ds->columns[1].stats.mode_text, "blue");
	CHECK_INT(ds->columns[1].stats.missing, 1);
	CHECK_INT(ds->columns[2].encoder.n_values, 2);
	CHECK_STR(ds->columns[2].encoder.values[1], "true");
	/* dates: 2020-01-01 is day 18262 (date -d 2020-01-01 +%s / 86400) */
	CHECK_NEAR(ds->columns[3].stats.min, 18262, 0);
	/* encoded rows: row 3 has n missing -> mean 3.5, b blank -> OTHER 2;
	 * row 4 has s blank -> OTHER 3 and b TRUE -> 1 */
	l = line_of(dir, "data/train.csv.zst", 1);
	CHECK_STR(l, "n,s,b,d,historical_result");
	free(l);
	l = line_of(dir, "data/train.csv.zst", 4);
	CHECK_STR(l, "3.5,0,2,18263,0");
	free(l);
	l = line_of(dir, "data/train.csv.zst", 5);
	CHECK_STR(l, "4,3,1,18262,1");
	free(l);
	/* test row 1: "violet" never seen in training -> OTHER 3 */
	l = line_of(dir, "data/test.csv.zst", 2);
	CHECK_STR(l, "7,3,1,18270,1");
	free(l);
	mp_datasource_free(ds);
	free(dir);
}

TEST(prep_position_split_counts)
{
	struct mp_prep_options o;
	struct mp_prep_result res;
	struct mp_error err;
	struct mp_buf text = MP_BUF_INIT;
	char *dir;
	int i;

	/* N = 23: training rows = 7 * floor(23 / 10) + min(23 mod 10, 7) = 17 */
	memset(&o, 0, sizeof(o));
	mp_buf_adds(&text, "x,historical_result\n");
	for (i = 1; i <= 23; i++)
		mp_buf_addf(&text, "%d,%s\n", i, i % 2 ? "true" : "false");
	dir = prep_text(text.data, &o, &res, &err);
	CHECK(dir != NULL);
	CHECK_INT(res.train_rows, 17);
	CHECK_INT(res.test_rows, 6);
	if (dir) {
		char *l = line_of(dir, "data/original.test.csv.zst", 2);
		CHECK_STR(l, "8,false"); /* the 8th data row is the first test row */
		free(l);
		l = line_of(dir, "data/original.test.csv.zst", 5);
		CHECK_STR(l, "18,false");
		free(l);
	}
	free(dir);
	mp_buf_free(&text);
}

TEST(prep_random_split_is_stratified_and_seeded)
{
	struct mp_prep_options o;
	struct mp_prep_result res;
	struct mp_error err;
	struct mp_buf text = MP_BUF_INIT;
	struct mp_datasource *ds;
	char *a, *b, *c, *la, *lb, *lc;
	int i;

	/* 40 true, 60 false; a 0.25 test fraction -> 10 true and 15 false in test */
	mp_buf_adds(&text, "x,historical_result\n");
	for (i = 0; i < 100; i++)
		mp_buf_addf(&text, "%d,%s\n", i, i < 40 ? "true" : "false");
	memset(&o, 0, sizeof(o));
	o.split = MP_SPLIT_RANDOM;
	o.test_fraction = 0.25;
	o.seed = 11;
	a = prep_text(text.data, &o, &res, &err);
	CHECK(a && res.test_rows == 25);
	b = prep_text(text.data, &o, &res, &err);
	o.seed = 12;
	c = prep_text(text.data, &o, &res, &err);
	CHECK(a && b && c);
	if (a && b && c) {
		const cJSON *label;
		ds = load_ds(a);
		label = cJSON_GetObjectItemCaseSensitive(ds->json, "label");
		CHECK_INT(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(label, "test_counts"), 1)->valuedouble, 10);
		CHECK_INT(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(label, "test_counts"), 0)->valuedouble, 15);
		mp_datasource_free(ds);
		la = line_of(a, "data/original.test.csv.zst", 2);
		lb = line_of(b, "data/original.test.csv.zst", 2);
		lc = line_of(c, "data/original.test.csv.zst", 3);
		CHECK_STR(la, lb);
		CHECK(la && lc);
		free(la);
		free(lb);
		free(lc);
	}
	free(a);
	free(b);
	free(c);
	mp_buf_free(&text);
}

TEST(prep_rejects_with_line_and_column)
{
	struct mp_prep_options o;
	struct mp_prep_result res;
	struct mp_error err;
	char *dir;

	memset(&o, 0, sizeof(o));
	o.have_task = 1;
	o.task = MP_BINARY;
	dir = prep_text("x,historical_result\n1,true\n2,0\n", &o, &res, &err);
	CHECK(dir == NULL);
	CHECK_CONTAINS(err.msg, "line 3, column 2: historical_result: expected true or false (a binary model), got '0'");
	CHECK_INT(err.code, MP_EX_DATAERR);
	o.have_task = 0;
	dir = prep_text("x,y,historical_result\n1,,true\n2,,false\n", &o, &res, &err);
	CHECK(dir == NULL);
	CHECK_CONTAINS(err.msg, "line 1, column 2: column 'y' has no values");
}

TEST(encode_value_uses_the_shared_cleaning)
{
	struct mp_column c;
	struct mp_error err;
	char *values[] = { "a", "b" };
	double v;

	memset(&c, 0, sizeof(c));
	c.name = "amount";
	c.type = MP_COL_NUMBER;
	c.stats.mean = 12.5;
	CHECK(mp_encode_value(&c, " -1,000.5 ", 10, &v, &err) == 0 && v == -1000.5);
	CHECK(mp_encode_value(&c, "N/A", 3, &v, &err) == 0 && v == 12.5);
	CHECK(mp_encode_value(&c, "12,5k", 5, &v, &err) == -1);
	CHECK_STR(err.msg, "column 'amount': expected a number, got '12,5k'");
	c.type = MP_COL_STRING;
	c.encoder.n_values = 2;
	c.encoder.values = values;
	CHECK(mp_encode_value(&c, "b", 1, &v, &err) == 0 && v == 1);
	CHECK(mp_encode_value(&c, "zzz", 3, &v, &err) == 0 && v == 2);
	CHECK(mp_encode_value(&c, "", 0, &v, &err) == 0 && v == 2);
	c.encoder.values = NULL;
	c.encoder.n_values = 0;
	free(c.encoder.index ? (mp_strmap_free(c.encoder.index), c.encoder.index) : NULL);
}
