/* model.c — the model file envelope and the calls around an algorithm:
 * train, predict in parallel blocks, save, load. */
#include "models/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

#define MODEL_FORMAT "mlpipe/model/1"

static void copy_features(struct mp_model *m, const struct mp_feature *f, size_t n)
{
	size_t j;

	m->n_features = n;
	m->features = xcalloc(n ? n : 1, sizeof(*m->features));
	for (j = 0; j < n; j++) {
		m->features[j] = f[j];
		m->features[j].name = xstrdup(f[j].name);
	}
}

struct mp_model *mp_model_train(const struct mp_algorithm *algo, const struct mp_dataset *d,
				const struct mp_train_ctx *ctx, struct mp_error *err)
{
	struct mp_model *m;
	void *impl;
	int k;

	if (!(algo->tasks & MP_TASK_BIT(d->task))) {
		mp_error_set(err, MP_EX_USAGE, "%s does not support %s models", algo->name,
			     mp_task_name(d->task));
		return NULL;
	}
	if (d->n_rows == 0) {
		mp_error_set(err, MP_EX_DATAERR, "no training rows");
		return NULL;
	}
	impl = algo->train(d, ctx, err);
	if (!impl)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->algo = algo;
	m->task = d->task;
	m->n_classes = d->n_classes;
	if (d->n_classes > 0) {
		m->class_names = xcalloc((size_t)d->n_classes, sizeof(char *));
		for (k = 0; k < d->n_classes; k++)
			m->class_names[k] = xstrdup(d->class_names && d->class_names[k]
							    ? d->class_names[k] : "");
	}
	copy_features(m, d->features, d->n_features);
	mp_params_init(&m->params, algo->params, algo->n_params, d->task);
	memcpy(m->params.value, ctx->params->value, algo->n_params * sizeof(double));
	m->info = ctx->info ? cJSON_Duplicate(ctx->info, 1) : cJSON_CreateObject();
	m->impl = impl;
	return m;
}

struct predict_job {
	const struct mp_model *m;
	const struct mp_dataset *d;
	double *out;
	size_t block;
	int outputs;
};

static void predict_block(void *arg, size_t task, int thread)
{
	struct predict_job *j = arg;
	size_t begin = task * j->block;
	size_t end = begin + j->block < j->d->n_rows ? begin + j->block : j->d->n_rows;

	(void)thread;
	j->m->algo->predict(j->m->impl, j->d, begin, end, j->out + begin * (size_t)j->outputs);
}

int mp_model_predict(const struct mp_model *m, const struct mp_dataset *d, struct mp_pool *pool,
		     double *out, struct mp_error *err)
{
	struct predict_job job = { m, d, out, 4096, mp_task_outputs(m->task, m->n_classes) };
	size_t j, i, n;

	if (d->n_features != m->n_features)
		return mp_error_set(err, MP_EX_DATAERR,
				    "the model has %zu features, the data %zu", m->n_features,
				    d->n_features);
	for (j = 0; j < d->n_features; j++)
		if (strcmp(d->features[j].name, m->features[j].name))
			return mp_error_set(err, MP_EX_DATAERR,
					    "feature %zu is '%s' in the data but '%s' in the model",
					    j + 1, d->features[j].name, m->features[j].name);
	n = (d->n_rows + job.block - 1) / job.block;
	mp_pool_run(pool, n, predict_block, &job);
	for (i = 0; i < d->n_rows * (size_t)job.outputs; i++)
		if (!isfinite(out[i]))
			return mp_error_set(err, MP_EX_SOFTWARE, "%s predicted a non-finite value for row %zu",
					    m->algo->name, i / (size_t)job.outputs + 1);
	return 0;
}

int mp_model_save(const struct mp_model *m, const char *path, struct mp_error *err)
{
	cJSON *j = cJSON_CreateObject(), *feats = cJSON_CreateArray(), *params = cJSON_CreateObject();
	cJSON *body;
	size_t i;
	int k, rc;

	cJSON_AddStringToObject(j, "format", MODEL_FORMAT);
	cJSON_AddStringToObject(j, "algorithm", m->algo->name);
	cJSON_AddStringToObject(j, "model_type", mp_task_name(m->task));
	if (m->n_classes > 0) {
		cJSON *cl = cJSON_CreateArray();
		for (k = 0; k < m->n_classes; k++)
			cJSON_AddItemToArray(cl, cJSON_CreateString(m->class_names[k]));
		cJSON_AddItemToObject(j, "classes", cl);
	}
	for (i = 0; i < m->n_features; i++) {
		const struct mp_feature *f = &m->features[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", f->name);
		cJSON_AddStringToObject(o, "kind", f->kind == MP_FEATURE_CATEGORY ? "category" : "number");
		if (f->kind == MP_FEATURE_CATEGORY)
			cJSON_AddNumberToObject(o, "levels", f->levels);
		else {
			mp_json_add_num(o, "mean", f->mean);
			mp_json_add_num(o, "sd", f->sd);
		}
		cJSON_AddItemToArray(feats, o);
	}
	cJSON_AddItemToObject(j, "features", feats);
	for (i = 0; i < m->params.n; i++)
		cJSON_AddNumberToObject(params, m->params.spec[i].name, m->params.value[i]);
	cJSON_AddItemToObject(j, "params", params);
	cJSON_AddItemToObject(j, "info", cJSON_Duplicate(m->info, 1));
	body = m->algo->save(m->impl);
	if (!body) {
		cJSON_Delete(j);
		return mp_error_set(err, MP_EX_SOFTWARE, "%s: cannot serialise the model", m->algo->name);
	}
	cJSON_AddItemToObject(j, "model", body);
	rc = mp_json_save(path, j, 0, err);
	cJSON_Delete(j);
	return rc;
}

struct mp_model *mp_model_load(const char *path, struct mp_error *err)
{
	cJSON *j = mp_json_load(path, err);
	struct mp_model *m = NULL;
	const cJSON *feats, *f, *params, *body, *cl;
	const char *s;
	struct mp_model_shape shape;
	size_t i = 0;

	if (!j)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	s = mp_json_str(j, "format");
	if (!s || strcmp(s, MODEL_FORMAT)) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': not an %s file (format '%s')", path,
			     MODEL_FORMAT, s ? s : "missing");
		goto fail;
	}
	s = mp_json_need_str(j, "algorithm", path, err);
	if (!s)
		goto fail;
	m->algo = mp_algorithm_find(s);
	if (!m->algo) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': unknown algorithm '%s'", path, s);
		goto fail;
	}
	s = mp_json_need_str(j, "model_type", path, err);
	if (!s)
		goto fail;
	if (mp_task_parse(s, &m->task)) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': unknown model_type '%s'", path, s);
		goto fail;
	}
	cl = cJSON_GetObjectItemCaseSensitive(j, "classes");
	if (m->task != MP_REGRESSION) {
		const cJSON *c;
		int k = 0;
		if (!cJSON_IsArray(cl) || cJSON_GetArraySize(cl) < 2) {
			mp_error_set(err, MP_EX_DATAERR, "'%s': member 'classes': expected an array of at least 2",
				     path);
			goto fail;
		}
		m->n_classes = cJSON_GetArraySize(cl);
		m->class_names = xcalloc((size_t)m->n_classes, sizeof(char *));
		cJSON_ArrayForEach(c, cl)
			m->class_names[k++] = xstrdup(cJSON_IsString(c) ? c->valuestring : "");
	}
	feats = mp_json_need(j, "features", cJSON_Array, path, err);
	if (!feats)
		goto fail;
	m->n_features = (size_t)cJSON_GetArraySize(feats);
	m->features = xcalloc(m->n_features ? m->n_features : 1, sizeof(*m->features));
	cJSON_ArrayForEach(f, feats) {
		const char *name = mp_json_need_str(f, "name", path, err);
		const char *kind = mp_json_need_str(f, "kind", path, err);
		if (!name || !kind)
			goto fail;
		m->features[i].name = xstrdup(name);
		m->features[i].kind = strcmp(kind, "category") ? MP_FEATURE_NUMBER : MP_FEATURE_CATEGORY;
		m->features[i].levels = (int)mp_json_num(f, "levels", 0);
		m->features[i].mean = mp_json_num(f, "mean", 0);
		m->features[i].sd = mp_json_num(f, "sd", 0);
		i++;
	}
	mp_params_init(&m->params, m->algo->params, m->algo->n_params, m->task);
	params = cJSON_GetObjectItemCaseSensitive(j, "params");
	for (i = 0; i < m->params.n; i++)
		m->params.value[i] = mp_json_num(params, m->params.spec[i].name, m->params.value[i]);
	m->info = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j, "info"), 1);
	if (!m->info)
		m->info = cJSON_CreateObject();
	body = mp_json_need(j, "model", cJSON_Object, path, err);
	if (!body)
		goto fail;
	shape.task = m->task;
	shape.n_classes = m->n_classes;
	shape.n_features = m->n_features;
	shape.features = m->features;
	m->impl = m->algo->load(body, &shape, err);
	if (!m->impl) {
		mp_error_prefix(err, "'%s'", path);
		goto fail;
	}
	cJSON_Delete(j);
	return m;
fail:
	cJSON_Delete(j);
	mp_model_free(m);
	return NULL;
}

void mp_model_free(struct mp_model *m)
{
	size_t j;
	int k;

	if (!m)
		return;
	if (m->impl)
		m->algo->free(m->impl);
	for (j = 0; j < m->n_features; j++)
		free(m->features[j].name);
	free(m->features);
	for (k = 0; k < m->n_classes; k++)
		free(m->class_names[k]);
	free(m->class_names);
	mp_params_free(&m->params);
	cJSON_Delete(m->info);
	free(m);
}
