/* schema.c — datasource.json, encoders, and the one cleaning function
 * used for training data and new cases alike. */
#include "schema.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "strmap.h"

static const char *const col_type_names[] = { "number", "string", "boolean", "date" };

const char *mp_col_type_name(enum mp_col_type t)
{
	return (unsigned)t < 4 ? col_type_names[t] : "unknown";
}

int mp_col_type_parse(const char *s, enum mp_col_type *t)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, col_type_names[i])) {
			*t = (enum mp_col_type)i;
			return 0;
		}
	return -1;
}

static void encoder_free(struct mp_encoder *e)
{
	size_t i;

	for (i = 0; i < e->n_values; i++)
		free(e->values[i]);
	free(e->values);
	if (e->index) {
		mp_strmap_free(e->index);
		free(e->index);
	}
	memset(e, 0, sizeof(*e));
}

size_t mp_encoder_code(struct mp_encoder *e, const char *text)
{
	size_t *code;

	if (!e->index) {
		size_t i;
		e->index = xcalloc(1, sizeof(struct mp_strmap));
		for (i = 0; i < e->n_values; i++)
			mp_strmap_put(e->index, e->values[i], strlen(e->values[i]), i, NULL);
	}
	code = mp_strmap_get(e->index, text, strlen(text));
	return code ? *code : e->n_values;
}

void mp_datasource_free(struct mp_datasource *ds)
{
	size_t i;
	int k;

	if (!ds)
		return;
	for (i = 0; i < ds->n_columns; i++) {
		free(ds->columns[i].name);
		free(ds->columns[i].stats.mode_text);
		encoder_free(&ds->columns[i].encoder);
	}
	for (k = 0; k < ds->n_classes; k++)
		free(ds->classes[k]);
	free(ds->classes);
	free(ds->columns);
	free(ds->features);
	cJSON_Delete(ds->json);
	free(ds);
}

static int load_strings(const cJSON *arr, const char *what, char ***out, size_t *n,
			struct mp_error *err)
{
	const cJSON *v;
	size_t i = 0;

	*n = (size_t)cJSON_GetArraySize(arr);
	*out = xcalloc(*n ? *n : 1, sizeof(char *));
	cJSON_ArrayForEach(v, arr) {
		if (!cJSON_IsString(v))
			return mp_error_set(err, MP_EX_DATAERR, "%s: expected strings", what);
		(*out)[i++] = xstrdup(v->valuestring);
	}
	return 0;
}

static int load_column(struct mp_column *c, const cJSON *j, const char *what, struct mp_error *err)
{
	const cJSON *stats, *enc, *inc;
	const char *name, *type;
	double pos;

	name = mp_json_need_str(j, "name", what, err);
	if (!name)
		return -1;
	c->name = xstrdup(name);
	type = mp_json_need_str(j, "type", what, err);
	if (!type)
		return -1;
	if (mp_col_type_parse(type, &c->type))
		return mp_error_set(err, MP_EX_DATAERR, "%s: column '%s': unknown type '%s'", what,
				    name, type);
	if (mp_json_need_num(j, "position", what, &pos, err))
		return -1;
	c->position = (size_t)pos;
	inc = mp_json_need(j, "included", cJSON_True | cJSON_False, what, err);
	if (!inc)
		return -1;
	c->included = cJSON_IsTrue(inc);
	stats = cJSON_GetObjectItemCaseSensitive(j, "statistics");
	if (cJSON_IsObject(stats)) {
		const char *mode = mp_json_str(stats, "mode");
		c->stats.count = (size_t)mp_json_num(stats, "count", 0);
		c->stats.missing = (size_t)mp_json_num(stats, "missing", 0);
		c->stats.distinct = (size_t)mp_json_num(stats, "distinct", 0);
		c->stats.mean = mp_json_num(stats, "mean", NAN);
		c->stats.sd = mp_json_num(stats, "sd", NAN);
		c->stats.median = mp_json_num(stats, "median", NAN);
		c->stats.min = mp_json_num(stats, "min", NAN);
		c->stats.max = mp_json_num(stats, "max", NAN);
		c->stats.mode = mp_json_num(stats, "mode", NAN);
		if (mode)
			c->stats.mode_text = xstrdup(mode);
	}
	if (c->type == MP_COL_NUMBER || c->type == MP_COL_DATE) {
		if (c->included && !isfinite(c->stats.mean))
			return mp_error_set(err, MP_EX_DATAERR,
					    "%s: column '%s': statistics.mean missing", what, name);
		return 0;
	}
	enc = mp_json_need(j, "encoder", cJSON_Object, what, err);
	if (!enc)
		return -1;
	enc = mp_json_need(enc, "values", cJSON_Array, what, err);
	if (!enc)
		return -1;
	return load_strings(enc, what, &c->encoder.values, &c->encoder.n_values, err);
}

struct mp_datasource *mp_datasource_load(const char *path, struct mp_error *err)
{
	struct mp_datasource *ds = xcalloc(1, sizeof(*ds));
	const cJSON *cols, *c, *label;
	const char *type;
	size_t i = 0;
	double pos;

	ds->json = mp_json_load(path, err);
	if (!ds->json)
		goto fail;
	type = mp_json_need_str(ds->json, "model_type", path, err);
	if (!type)
		goto fail;
	if (mp_task_parse(type, &ds->task)) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': unknown model_type '%s'", path, type);
		goto fail;
	}
	cols = mp_json_need(ds->json, "columns", cJSON_Array, path, err);
	if (!cols)
		goto fail;
	ds->n_columns = (size_t)cJSON_GetArraySize(cols);
	ds->columns = xcalloc(ds->n_columns ? ds->n_columns : 1, sizeof(*ds->columns));
	ds->features = xcalloc(ds->n_columns ? ds->n_columns : 1, sizeof(size_t));
	cJSON_ArrayForEach(c, cols) {
		if (load_column(&ds->columns[i], c, path, err))
			goto fail;
		if (ds->columns[i].included)
			ds->features[ds->n_features++] = i;
		i++;
	}
	label = mp_json_need(ds->json, "label", cJSON_Object, path, err);
	if (!label || mp_json_need_num(label, "position", path, &pos, err))
		goto fail;
	ds->target_position = (size_t)pos;
	if (ds->task != MP_REGRESSION) {
		const cJSON *classes = mp_json_need(label, "classes", cJSON_Array, path, err);
		size_t n;
		if (!classes || load_strings(classes, path, &ds->classes, &n, err))
			goto fail;
		ds->n_classes = (int)n;
	}
	return ds;
fail:
	mp_datasource_free(ds);
	return NULL;
}

static cJSON *stats_json(const struct mp_column *c)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddNumberToObject(s, "count", (double)c->stats.count);
	cJSON_AddNumberToObject(s, "missing", (double)c->stats.missing);
	cJSON_AddNumberToObject(s, "distinct", (double)c->stats.distinct);
	if (c->type == MP_COL_NUMBER || c->type == MP_COL_DATE) {
		mp_json_add_num(s, "mean", c->stats.mean);
		mp_json_add_num(s, "sd", c->stats.sd);
		mp_json_add_num(s, "median", c->stats.median);
		mp_json_add_num(s, "mode", c->stats.mode);
		mp_json_add_num(s, "min", c->stats.min);
		mp_json_add_num(s, "max", c->stats.max);
	} else if (c->stats.mode_text) {
		cJSON_AddStringToObject(s, "mode", c->stats.mode_text);
	} else {
		cJSON_AddNullToObject(s, "mode");
	}
	return s;
}

cJSON *mp_datasource_to_json(const struct mp_datasource *ds)
{
	cJSON *j = cJSON_CreateObject(), *cols = cJSON_CreateArray();
	size_t i, k;

	cJSON_AddStringToObject(j, "format", "mlpipe/datasource/1");
	cJSON_AddStringToObject(j, "model_type", mp_task_name(ds->task));
	for (i = 0; i < ds->n_columns; i++) {
		const struct mp_column *c = &ds->columns[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddNumberToObject(o, "position", (double)c->position);
		cJSON_AddStringToObject(o, "type", mp_col_type_name(c->type));
		cJSON_AddBoolToObject(o, "included", c->included);
		cJSON_AddItemToObject(o, "statistics", stats_json(c));
		if (c->type == MP_COL_STRING || c->type == MP_COL_BOOLEAN) {
			cJSON *e = cJSON_CreateObject(), *vals = cJSON_CreateArray();
			for (k = 0; k < c->encoder.n_values; k++)
				cJSON_AddItemToArray(vals, cJSON_CreateString(c->encoder.values[k]));
			cJSON_AddItemToObject(e, "values", vals);
			cJSON_AddNumberToObject(e, "other_code", (double)c->encoder.n_values);
			cJSON_AddItemToObject(o, "encoder", e);
		} else {
			cJSON *t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "missing", "mean");
			mp_json_add_num(t, "fill", c->stats.mean);
			cJSON_AddItemToObject(o, "fill", t);
		}
		cJSON_AddItemToArray(cols, o);
	}
	cJSON_AddItemToObject(j, "columns", cols);
	return j;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

int mp_encode_value(struct mp_column *c, const char *text, size_t n, double *out,
		    struct mp_error *err)
{
	char shown[80];
	int b;

	trim(&text, &n);
	if (mp_is_missing(text, n)) {
		if (c->type == MP_COL_NUMBER || c->type == MP_COL_DATE)
			*out = c->stats.mean;
		else
			*out = (double)c->encoder.n_values;
		return 0;
	}
	switch (c->type) {
	case MP_COL_NUMBER:
		if (mp_parse_number(text, n, out))
			return mp_error_set(err, MP_EX_DATAERR, "column '%s': expected a number, got %s",
					    c->name, mp_quote_for_msg(shown, sizeof(shown), text, n));
		return 0;
	case MP_COL_DATE:
		if (mp_parse_date(text, n, out))
			return mp_error_set(err, MP_EX_DATAERR,
					    "column '%s': expected a date (YYYY-MM-DD), got %s", c->name,
					    mp_quote_for_msg(shown, sizeof(shown), text, n));
		return 0;
	case MP_COL_BOOLEAN:
		b = mp_parse_boolean(text, n);
		if (b < 0)
			return mp_error_set(err, MP_EX_DATAERR,
					    "column '%s': expected true or false, got %s", c->name,
					    mp_quote_for_msg(shown, sizeof(shown), text, n));
		*out = b;
		return 0;
	case MP_COL_STRING: {
		char small[256], *key = n < sizeof(small) ? small : xmalloc(n + 1);
		memcpy(key, text, n);
		key[n] = '\0';
		*out = (double)mp_encoder_code(&c->encoder, key);
		if (key != small)
			free(key);
		return 0;
	}
	}
	return mp_error_set(err, MP_EX_SOFTWARE, "internal: column '%s' has no type", c->name);
}
