/* test_expand.c — the input expansion of the linear models and networks:
 * standardisation, sparse one-hot columns, the "inputs" file section. */
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "models/expand.h"
#include "rng.h"
#include "test.h"

/* x: 1 2 3 4 5 6 (number); c: codes of 3 levels; k: constant 0.1;
 * big: a 10,000-level category. */
static struct mp_dataset *mixed_dataset(void)
{
	static const float x[6] = { 1, 2, 3, 4, 5, 6 }, c[6] = { 0, 1, 2, 1, 0, 2 };
	struct mp_dataset *d = mp_dataset_new(MP_BINARY, 6, 4, 2);
	size_t i;

	d->features[0].name = xstrdup("x");
	d->features[1].name = xstrdup("c");
	d->features[1].kind = MP_FEATURE_CATEGORY;
	d->features[1].levels = 3;
	d->features[2].name = xstrdup("k");
	d->features[3].name = xstrdup("big");
	d->features[3].kind = MP_FEATURE_CATEGORY;
	d->features[3].levels = 10000;
	for (i = 0; i < 6; i++) {
		d->x[i] = x[i];
		d->x[6 + i] = c[i];
		d->x[12 + i] = 0.1f;
		d->x[18 + i] = (float)(i * 1999);
	}
	return d;
}

TEST(expand_standardises_with_training_statistics)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mixed_dataset();
	struct mp_expand e;

	CHECK(mp_expand_fit(&e, d, &err) == 0);
	CHECK_INT(e.n_num, 2);
	CHECK_INT(e.n_cat, 2);
	CHECK_INT(e.num_feature[0], 0);
	CHECK_INT(e.num_feature[1], 2);
	/* mean 3.5, population sd sqrt(35/12) */
	CHECK_NEAR(e.mean[0], 3.5, 0);
	CHECK_NEAR(e.scale[0], 1 / sqrt(35.0 / 12), 1e-15);
	CHECK_NEAR(mp_expand_number(&e, 0, 6), 2.5 / sqrt(35.0 / 12), 1e-14);
	/* a constant column: exactly 0 whatever comes later, never 0/0 */
	CHECK(e.scale[1] == 0);
	CHECK(e.mean[1] == (double)0.1f);
	CHECK(mp_expand_number(&e, 1, 0.1f) == 0);
	CHECK(mp_expand_number(&e, 1, 123.0f) == 0);
	/* not a number counts as the mean */
	CHECK(mp_expand_number(&e, 0, NAN) == 0);
	CHECK(mp_expand_number(&e, 0, INFINITY) == 0);
	mp_expand_free(&e);
	mp_dataset_free(d);
}

TEST(expand_one_hot_is_sparse)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mixed_dataset();
	struct mp_expand e;

	CHECK(mp_expand_fit(&e, d, &err) == 0);
	/* 3 + 10,000 one-hot columns, described by offsets, not stored */
	CHECK_INT(e.n_onehot, 10003);
	CHECK_INT(e.offset[0], 0);
	CHECK_INT(e.offset[1], 3);
	CHECK_INT(e.levels[1], 10000);
	CHECK_INT(mp_expand_onehot(&e, 0, 2), 2);
	CHECK_INT(mp_expand_onehot(&e, 1, 9998), 3 + 9998);
	/* unseen, negative, not a number: OTHER, the last level */
	CHECK_INT(mp_expand_onehot(&e, 0, 3), 2);
	CHECK_INT(mp_expand_onehot(&e, 0, -1), 2);
	CHECK_INT(mp_expand_onehot(&e, 0, NAN), 2);
	CHECK_INT(mp_expand_onehot(&e, 1, 1e9f), 3 + 9999);
	mp_expand_free(&e);
	mp_dataset_free(d);
}

TEST(expand_rows_row_major)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mixed_dataset();
	struct mp_expand e;
	double num[4 * 3];
	float numf[4 * 2];
	uint32_t oh[4 * 2];
	size_t i;

	CHECK(mp_expand_fit(&e, d, &err) == 0);
	for (i = 0; i < 12; i++)
		num[i] = -7;
	/* rows 2..5 into a stride of 3: the third column is left alone */
	mp_expand_rows_double(&e, d, 2, 6, num, 3, oh);
	for (i = 0; i < 4; i++) {
		CHECK_NEAR(num[i * 3], ((double)(i + 3) - 3.5) * e.scale[0], 1e-15);
		CHECK(num[i * 3 + 1] == 0);
		CHECK(num[i * 3 + 2] == -7);
		CHECK_INT(oh[i * 2], (uint32_t)d->x[6 + 2 + i]);
		CHECK_INT(oh[i * 2 + 1], 3 + (uint32_t)(2 + i) * 1999);
	}
	mp_expand_rows_float(&e, d, 2, 6, numf, 2, oh);
	for (i = 0; i < 4; i++)
		CHECK(numf[i * 2] == (float)num[i * 3]);
	mp_expand_free(&e);
	mp_dataset_free(d);
}

TEST(expand_round15_survives_cjson)
{
	struct mp_rng r;
	int i, bad = 0, bad_raw = 0;

	mp_rng_seed(&r, 3);
	for (i = 0; i < 20000; i++) {
		double v = (mp_rng_uniform(&r) - 0.5) * pow(10, (double)mp_rng_below(&r, 40) - 20);
		double q = mp_expand_round15(v);
		cJSON *a = cJSON_CreateNumber(q), *b = cJSON_CreateNumber(v);
		char *ta = cJSON_PrintUnformatted(a), *tb = cJSON_PrintUnformatted(b);
		bad += strtod(ta, NULL) != q;
		bad_raw += strtod(tb, NULL) != v;
		CHECK(fabs(q - v) <= 1e-14 * fabs(v));
		free(ta);
		free(tb);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	CHECK_INT(bad, 0);
	/* why it exists: about one double in ten does not come back as itself */
	CHECK(bad_raw > 1000);
	CHECK(mp_expand_round15(0.1 + 0.2) == 0.3);
}

TEST(expand_float_numbers_in_fewest_digits)
{
	double v[4] = { 0.1f, -1.0f / 3.0f, 1e-30f, 0 };
	cJSON *a = mp_expand_number_array(v, 4, 1);
	char *text = cJSON_PrintUnformatted(a);
	cJSON *back = cJSON_Parse(text);
	int i;

	CHECK_STR(text, "[0.1,-0.33333334,1e-30,0]");
	for (i = 0; i < 4; i++)
		CHECK((float)cJSON_GetArrayItem(back, i)->valuedouble == (float)v[i]);
	free(text);
	cJSON_Delete(a);
	cJSON_Delete(back);
}

TEST(expand_inputs_round_trip)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mixed_dataset();
	struct mp_model_shape shape = { MP_BINARY, 2, 4, d->features };
	struct mp_expand e, back;
	double *w_num = xcalloc(2 * 2, sizeof(double)), *w_cat = xcalloc(10003 * 2, sizeof(double));
	double *b_num, *b_cat;
	cJSON *inputs, *parsed;
	char *text;
	size_t i;

	CHECK(mp_expand_fit(&e, d, &err) == 0);
	for (i = 0; i < 4; i++)
		w_num[i] = mp_expand_round15(1.0 / (double)(i + 3));
	for (i = 0; i < 20006; i++)
		w_cat[i] = (double)i * 0.25;
	inputs = mp_expand_save(&e, w_num, w_cat, 2, 0);
	text = cJSON_PrintUnformatted(inputs);
	parsed = cJSON_Parse(text);
	CHECK(mp_expand_load(&back, parsed, &shape, 2, &b_num, &b_cat, &err) == 0);
	CHECK(memcmp(b_num, w_num, 4 * sizeof(double)) == 0);
	CHECK(memcmp(b_cat, w_cat, 20006 * sizeof(double)) == 0);
	CHECK(back.mean[0] == e.mean[0]);
	CHECK(back.scale[0] == e.scale[0]);
	CHECK_INT(back.offset[1], 3);
	CHECK_STR(mp_json_str(cJSON_GetArrayItem(parsed, 1), "kind"), "category");
	mp_expand_free(&back);
	free(b_num);
	free(b_cat);

	/* a feature of another kind, or other levels, is refused */
	d->features[2].kind = MP_FEATURE_CATEGORY;
	d->features[2].levels = 2;
	CHECK(mp_expand_load(&back, parsed, &shape, 2, &b_num, &b_cat, &err) != 0);
	CHECK_CONTAINS(err.msg, "input 3 is number 'k'");
	d->features[2].kind = MP_FEATURE_NUMBER;
	d->features[1].levels = 4;
	CHECK(mp_expand_load(&back, parsed, &shape, 2, &b_num, &b_cat, &err) != 0);
	CHECK_CONTAINS(err.msg, "levels");
	d->features[1].levels = 3;
	/* a width that does not match the rows */
	CHECK(mp_expand_load(&back, parsed, &shape, 3, &b_num, &b_cat, &err) != 0);
	CHECK_CONTAINS(err.msg, "weights");
	shape.n_features = 3;
	CHECK(mp_expand_load(&back, parsed, &shape, 2, &b_num, &b_cat, &err) != 0);
	CHECK_CONTAINS(err.msg, "3 features");

	free(text);
	cJSON_Delete(inputs);
	cJSON_Delete(parsed);
	free(w_num);
	free(w_cat);
	mp_expand_free(&e);
	mp_dataset_free(d);
}

TEST(expand_empty_and_single_row)
{
	struct mp_error err = { 0, "" };
	struct mp_dataset *d = mp_dataset_new(MP_REGRESSION, 1, 2, 0);
	struct mp_expand e;

	d->features[0].name = xstrdup("a");
	d->features[1].name = xstrdup("b");
	d->features[1].kind = MP_FEATURE_CATEGORY;
	d->features[1].levels = 0; /* no level recorded: still has OTHER */
	d->x[0] = 42;
	d->x[1] = 0;
	CHECK(mp_expand_fit(&e, d, &err) == 0);
	CHECK(e.scale[0] == 0);
	CHECK(e.mean[0] == 42);
	CHECK_INT(e.levels[0], 1);
	CHECK_INT(mp_expand_onehot(&e, 0, 5), 0);
	mp_expand_free(&e);
	mp_dataset_free(d);
}
