/* expand.c — standardisation and sparse one-hot expansion of the encoded
 * matrix for the linear models and the neural network (see expand.h). */
#include "models/expand.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

void mp_expand_free(struct mp_expand *e)
{
	size_t j;

	if (!e)
		return;
	for (j = 0; j < e->n_features && e->names; j++)
		free(e->names[j]);
	free(e->names);
	free(e->num_feature);
	free(e->mean);
	free(e->scale);
	free(e->cat_feature);
	free(e->levels);
	free(e->offset);
	memset(e, 0, sizeof(*e));
}

/* Allocates the per-kind arrays once the counts are known. */
static void expand_alloc(struct mp_expand *e)
{
	e->names = xcalloc(e->n_features ? e->n_features : 1, sizeof(char *));
	e->num_feature = xcalloc(e->n_num ? e->n_num : 1, sizeof(size_t));
	e->mean = xcalloc(e->n_num ? e->n_num : 1, sizeof(double));
	e->scale = xcalloc(e->n_num ? e->n_num : 1, sizeof(double));
	e->cat_feature = xcalloc(e->n_cat ? e->n_cat : 1, sizeof(size_t));
	e->levels = xcalloc(e->n_cat ? e->n_cat : 1, sizeof(uint32_t));
	e->offset = xcalloc(e->n_cat ? e->n_cat : 1, sizeof(uint32_t));
}

/* Adds a categorical feature's levels to the one-hot space. */
static int add_levels(struct mp_expand *e, size_t k, int levels, const char *name,
		      struct mp_error *err)
{
	/* a category always has at least its OTHER code */
	uint32_t l = levels > 0 ? (uint32_t)levels : 1;

	if (e->n_onehot + l > UINT32_MAX)
		return mp_error_set(err, MP_EX_DATAERR,
				    "feature '%s': too many category levels in all (%zu)", name,
				    e->n_onehot + l);
	e->levels[k] = l;
	e->offset[k] = (uint32_t)e->n_onehot;
	e->n_onehot += l;
	return 0;
}

int mp_expand_fit(struct mp_expand *e, const struct mp_dataset *d, struct mp_error *err)
{
	size_t j, i, n = d->n_rows, kn = 0, kc = 0;

	memset(e, 0, sizeof(*e));
	e->n_features = d->n_features;
	for (j = 0; j < d->n_features; j++) {
		if (d->features[j].kind == MP_FEATURE_CATEGORY)
			e->n_cat++;
		else
			e->n_num++;
	}
	expand_alloc(e);
	for (j = 0; j < d->n_features; j++) {
		const float *x = d->x + j * n;
		e->names[j] = xstrdup(d->features[j].name ? d->features[j].name : "");
		if (d->features[j].kind == MP_FEATURE_CATEGORY) {
			e->cat_feature[kc] = j;
			if (add_levels(e, kc, d->features[j].levels, e->names[j], err)) {
				mp_expand_free(e);
				return -1;
			}
			kc++;
			continue;
		}
		e->num_feature[kn] = j;
		if (n > 0) {
			/* A constant column must come out exactly 0, not (x - mean) / tiny:
			 * the float mean of n copies of x need not be x. */
			float lo = x[0], hi = x[0];
			double sum = 0, ss = 0, mean;
			for (i = 0; i < n; i++) {
				lo = x[i] < lo ? x[i] : lo;
				hi = x[i] > hi ? x[i] : hi;
				sum += x[i];
			}
			mean = sum / (double)n;
			for (i = 0; i < n; i++)
				ss += ((double)x[i] - mean) * ((double)x[i] - mean);
			if (lo == hi || !isfinite(mean) || !(ss > 0) || !isfinite(ss)) {
				e->mean[kn] = isfinite(lo) ? lo : 0; /* a float: exact in 9 digits */
				e->scale[kn] = 0;
			} else {
				e->mean[kn] = mp_expand_round15(mean);
				e->scale[kn] = mp_expand_round15(1 / sqrt(ss / (double)n));
				if (!isfinite(e->scale[kn]))
					e->scale[kn] = 0;
			}
		}
		kn++;
	}
	return 0;
}

void mp_expand_rows_double(const struct mp_expand *e, const struct mp_dataset *d, size_t begin,
			   size_t end, double *num, size_t ld, uint32_t *onehot)
{
	size_t k, i, rows = end - begin;

	/* column by column: the dataset is column-major */
	for (k = 0; k < e->n_num; k++) {
		const float *x = d->x + e->num_feature[k] * d->n_rows + begin;
		for (i = 0; i < rows; i++)
			num[i * ld + k] = mp_expand_number(e, k, x[i]);
	}
	for (k = 0; k < e->n_cat; k++) {
		const float *x = d->x + e->cat_feature[k] * d->n_rows + begin;
		for (i = 0; i < rows; i++)
			onehot[i * e->n_cat + k] = mp_expand_onehot(e, k, x[i]);
	}
}

void mp_expand_rows_float(const struct mp_expand *e, const struct mp_dataset *d, size_t begin,
			  size_t end, float *num, size_t ld, uint32_t *onehot)
{
	size_t k, i, rows = end - begin;

	for (k = 0; k < e->n_num; k++) {
		const float *x = d->x + e->num_feature[k] * d->n_rows + begin;
		for (i = 0; i < rows; i++)
			num[i * ld + k] = (float)mp_expand_number(e, k, x[i]);
	}
	for (k = 0; k < e->n_cat; k++) {
		const float *x = d->x + e->cat_feature[k] * d->n_rows + begin;
		for (i = 0; i < rows; i++)
			onehot[i * e->n_cat + k] = mp_expand_onehot(e, k, x[i]);
	}
}

double mp_expand_round15(double v)
{
	char buf[40];

	if (!isfinite(v) || v == 0)
		return v == 0 ? 0.0 : v;
	snprintf(buf, sizeof(buf), "%.15g", v);
	return strtod(buf, NULL);
}

/* The shortest decimal that reads back as the same float: a float printed
 * as a double needs 17 digits, as a float at most 9. */
static cJSON *float_number(double v)
{
	float f = (float)v;
	char buf[32];
	int p;

	for (p = 6; p < 9; p++) {
		snprintf(buf, sizeof(buf), "%.*g", p, (double)f);
		if ((float)strtod(buf, NULL) == f)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*g", p, (double)f);
	return cJSON_CreateNumber(f == 0 ? 0.0 : strtod(buf, NULL));
}

cJSON *mp_expand_number_array(const double *v, size_t n, int as_float)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, as_float ? float_number(v[i])
					: cJSON_CreateNumber(v[i] == 0 ? 0.0 : v[i]));
	return a;
}

cJSON *mp_expand_save(const struct mp_expand *e, const double *w_num, const double *w_cat,
		      size_t width, int as_float)
{
	cJSON *inputs = cJSON_CreateArray();
	size_t j, kn = 0, kc = 0, l;

	for (j = 0; j < e->n_features; j++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", e->names[j]);
		if (kn < e->n_num && e->num_feature[kn] == j) {
			cJSON_AddStringToObject(o, "kind", "number");
			mp_json_add_num(o, "mean", e->mean[kn]);
			mp_json_add_num(o, "scale", e->scale[kn]);
			cJSON_AddItemToObject(o, "weights", mp_expand_number_array(w_num + kn * width, width, as_float));
			kn++;
		} else {
			cJSON *rows = cJSON_CreateArray();
			cJSON_AddStringToObject(o, "kind", "category");
			cJSON_AddNumberToObject(o, "levels", e->levels[kc]);
			for (l = 0; l < e->levels[kc]; l++)
				cJSON_AddItemToArray(rows, mp_expand_number_array(w_cat + ((size_t)e->offset[kc] + l) * width,
								      width, as_float));
			cJSON_AddItemToObject(o, "weights", rows);
			kc++;
		}
		cJSON_AddItemToArray(inputs, o);
	}
	return inputs;
}

int mp_expand_json_numbers(const cJSON *arr, double *out, size_t n, const char *what,
			   struct mp_error *err)
{
	const cJSON *v;
	size_t i = 0;

	if (!cJSON_IsArray(arr) || (size_t)cJSON_GetArraySize(arr) != n)
		return mp_error_set(err, MP_EX_DATAERR, "%s: expected an array of %zu numbers", what, n);
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
			return mp_error_set(err, MP_EX_DATAERR, "%s: element %zu: expected a finite number",
					    what, i + 1);
		out[i++] = v->valuedouble;
	}
	return 0;
}

int mp_expand_load(struct mp_expand *e, const cJSON *inputs, const struct mp_model_shape *shape,
		   size_t width, double **w_num, double **w_cat, struct mp_error *err)
{
	const cJSON *o;
	size_t j, kn = 0, kc = 0;
	char what[300];

	memset(e, 0, sizeof(*e));
	*w_num = *w_cat = NULL;
	if (!cJSON_IsArray(inputs) || (size_t)cJSON_GetArraySize(inputs) != shape->n_features)
		return mp_error_set(err, MP_EX_DATAERR,
				    "member 'inputs': expected an array of %zu features", shape->n_features);
	e->n_features = shape->n_features;
	for (j = 0; j < shape->n_features; j++) {
		if (shape->features[j].kind == MP_FEATURE_CATEGORY)
			e->n_cat++;
		else
			e->n_num++;
	}
	expand_alloc(e);
	for (j = 0; j < e->n_features; j++)
		e->names[j] = xstrdup(shape->features[j].name ? shape->features[j].name : "");
	j = 0;
	cJSON_ArrayForEach(o, inputs) {
		const struct mp_feature *f = &shape->features[j];
		const char *name = mp_json_str(o, "name"), *kind = mp_json_str(o, "kind");
		int is_cat = f->kind == MP_FEATURE_CATEGORY;

		snprintf(what, sizeof(what), "input '%s'", e->names[j]);
		if (!name || strcmp(name, e->names[j]) || !kind ||
		    strcmp(kind, is_cat ? "category" : "number")) {
			mp_error_set(err, MP_EX_DATAERR,
				     "input %zu is %s '%s', but the model's feature %zu is %s '%s'", j + 1,
				     kind ? kind : "(no kind)", name ? name : "(no name)", j + 1,
				     is_cat ? "category" : "number", e->names[j]);
			goto fail;
		}
		if (is_cat) {
			double levels;
			if (mp_json_need_num(o, "levels", what, &levels, err))
				goto fail;
			if (levels != (f->levels > 0 ? f->levels : 1)) {
				mp_error_set(err, MP_EX_DATAERR, "%s: %g levels, but the feature has %d",
					     what, levels, f->levels);
				goto fail;
			}
			e->cat_feature[kc] = j;
			if (add_levels(e, kc, f->levels, e->names[j], err))
				goto fail;
			kc++;
		} else {
			e->num_feature[kn] = j;
			if (mp_json_need_num(o, "mean", what, &e->mean[kn], err) ||
			    mp_json_need_num(o, "scale", what, &e->scale[kn], err))
				goto fail;
			if (!isfinite(e->mean[kn]) || !isfinite(e->scale[kn])) {
				mp_error_set(err, MP_EX_DATAERR, "%s: mean and scale must be finite", what);
				goto fail;
			}
			kn++;
		}
		j++;
	}
	/* second pass for the weights, now that the one-hot offsets are known */
	*w_num = xcalloc(mp_mul_size(e->n_num ? e->n_num : 1, width ? width : 1), sizeof(double));
	*w_cat = xcalloc(mp_mul_size(e->n_onehot ? e->n_onehot : 1, width ? width : 1), sizeof(double));
	kn = kc = j = 0;
	cJSON_ArrayForEach(o, inputs) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(o, "weights");
		snprintf(what, sizeof(what), "input '%s': member 'weights'", e->names[j]);
		if (kc < e->n_cat && e->cat_feature[kc] == j) {
			const cJSON *row;
			size_t l = 0;
			if (!cJSON_IsArray(w) || (uint32_t)cJSON_GetArraySize(w) != e->levels[kc]) {
				mp_error_set(err, MP_EX_DATAERR, "%s: expected %u rows", what,
					     (unsigned)e->levels[kc]);
				goto fail;
			}
			cJSON_ArrayForEach(row, w) {
				if (mp_expand_json_numbers(row, *w_cat + ((size_t)e->offset[kc] + l) * width,
							   width, what, err))
					goto fail;
				l++;
			}
			kc++;
		} else {
			if (mp_expand_json_numbers(w, *w_num + kn * width, width, what, err))
				goto fail;
			kn++;
		}
		j++;
	}
	return 0;
fail:
	free(*w_num);
	free(*w_cat);
	*w_num = *w_cat = NULL;
	mp_expand_free(e);
	return -1;
}

void mp_expand_blas_single_thread(void)
{
	if (openblas_get_num_threads() != 1)
		openblas_set_num_threads(1);
}
