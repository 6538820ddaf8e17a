/* cases.c — new cases through a trained model (REFERENCE §9 with §10.16
 * fixed: one cleaning function for training and scoring). */
#include "cases.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "csvread.h"
#include "dataset.h"
#include "fileio.h"
#include "jsonio.h"
#include "metrics.h"
#include "models/model.h"
#include "schema.h"
#include "score.h"
#include "status.h"
#include "status_ops.h"
#include "threadpool.h"

/* Encoded cases, row-major while reading: n rows of n_features values. */
struct rows {
	size_t n, cap, width;
	double *v;
};

static double *rows_add(struct rows *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = xrealloc(r->v, mp_mul_size(r->cap, r->width * sizeof(double)));
	}
	return r->v + r->n++ * r->width;
}

static int encode_cell(struct mp_column *c, const char *name, size_t line, size_t col,
		       const char *text, size_t n, double *out, struct mp_error *err)
{
	if (mp_encode_value(c, text, n, out, err))
		return mp_error_prefix(err, "'%s' line %zu, column %zu", name, line, col);
	return 0;
}

static int read_csv_cases(struct mp_source *src, struct mp_datasource *ds, struct rows *r,
			  struct mp_error *err)
{
	struct mp_csv_reader *cr = mp_csv_open(src);
	struct mp_csv_record rec;
	size_t *col_of = xcalloc(ds->n_features ? ds->n_features : 1, sizeof(size_t));
	size_t n_cols = 0, k, j;
	int rc;

	rc = mp_csv_next(cr, &rec, err);
	if (rc == 0)
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s': empty file (expected a header line)", src->name);
	if (rc > 0) {
		n_cols = rec.n_fields;
		for (k = 0; k < ds->n_features && rc > 0; k++) {
			const char *want = ds->columns[ds->features[k]].name;
			for (j = 0; j < rec.n_fields; j++) {
				const char *h = rec.fields[j];
				size_t hn = rec.lens[j];
				while (hn && (*h == ' ' || *h == '\t'))
					h++, hn--;
				while (hn && (h[hn - 1] == ' ' || h[hn - 1] == '\t'))
					hn--;
				if (hn == strlen(want) && !memcmp(h, want, hn))
					break;
			}
			if (j == rec.n_fields)
				rc = mp_error_set(err, MP_EX_DATAERR,
						  "'%s' line 1: no column '%s' (the model uses it; an empty column is fine)",
						  src->name, want);
			col_of[k] = j;
		}
	}
	while (rc > 0 && (rc = mp_csv_next(cr, &rec, err)) == 1) {
		double *v;
		int blank = 1;
		if (rec.n_fields != n_cols) {
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu: expected %zu fields as in the header, got %zu",
					  src->name, rec.line, n_cols, rec.n_fields);
			break;
		}
		for (j = 0; j < rec.n_fields && blank; j++)
			blank = strspn(rec.fields[j], " \t") == rec.lens[j];
		if (blank)
			continue; /* as mlprep: a row of empty cells is no case */
		v = rows_add(r);
		for (k = 0; k < ds->n_features; k++)
			if (encode_cell(&ds->columns[ds->features[k]], src->name, rec.line, col_of[k] + 1,
					rec.fields[col_of[k]], rec.lens[col_of[k]], &v[k], err)) {
				rc = -1;
				break;
			}
	}
	mp_csv_close(cr);
	free(col_of);
	return rc < 0 ? -1 : 0;
}

static int read_jsonl_cases(struct mp_source *src, struct mp_datasource *ds, struct rows *r,
			    struct mp_error *err)
{
	struct mp_buf all = MP_BUF_INIT;
	char *line, *next;
	size_t line_no = 0, k;
	int rc = 0;

	if (mp_source_slurp(src, &all, err)) {
		mp_buf_free(&all);
		return -1;
	}
	for (line = all.data; line && *line && rc == 0; line = next) {
		cJSON *obj;
		double *v;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		obj = cJSON_Parse(line);
		if (!cJSON_IsObject(obj)) {
			cJSON_Delete(obj);
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu: expected a JSON object of column: value",
					  src->name, line_no);
			break;
		}
		v = rows_add(r);
		for (k = 0; k < ds->n_features && rc == 0; k++) {
			struct mp_column *c = &ds->columns[ds->features[k]];
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, c->name);
			char num[32];
			const char *text = "";
			if (cJSON_IsString(m))
				text = m->valuestring;
			else if (cJSON_IsNumber(m))
				text = mp_fmt_double(num, m->valuedouble);
			else if (cJSON_IsBool(m))
				text = cJSON_IsTrue(m) ? "true" : "false";
			else if (m && !cJSON_IsNull(m)) {
				rc = mp_error_set(err, MP_EX_DATAERR,
						  "'%s' line %zu: member '%s': expected a string, number, boolean or null",
						  src->name, line_no, c->name);
				break;
			}
			if (mp_encode_value(c, text, strlen(text), &v[k], err))
				rc = mp_error_prefix(err, "'%s' line %zu", src->name, line_no);
		}
		cJSON_Delete(obj);
	}
	mp_buf_free(&all);
	return rc;
}

static const char *choose_algorithm(const cJSON *model, const char *wanted, struct mp_error *err)
{
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms");
	const char *name = wanted ? wanted : mp_json_str(model, "selected_algorithm");
	const cJSON *a;
	const char *s;

	if (!name)
		name = mp_status_best_algorithm(model);
	if (!name) {
		mp_error_set(err, MP_EX_DATAERR, "the model has no trained algorithm (run mltrain first)");
		return NULL;
	}
	a = cJSON_GetObjectItemCaseSensitive(algos, name);
	s = a ? mp_json_str(a, "status") : NULL;
	if (!s || (strcmp(s, "trained") && strcmp(s, "complete"))) {
		mp_error_set(err, wanted ? MP_EX_USAGE : MP_EX_DATAERR, "algorithm '%s' is not trained in this model",
			     name);
		return NULL;
	}
	return name;
}

/* The value an explanation follows: P(true), the value, or the
 * probability of the class predicted for the case. */
static double tracked(const struct mp_model *m, const double *out, int cls)
{
	return m->task == MP_CATEGORICAL ? out[cls] : out[0];
}

struct contribution {
	size_t feature;
	double impact;
};

static int by_impact(const void *a, const void *b)
{
	const struct contribution *x = a, *y = b;
	if (x->impact != y->impact)
		return x->impact < y->impact ? 1 : -1;
	return x->feature < y->feature ? -1 : x->feature > y->feature;
}

static void write_case(struct mp_buf *b, const struct mp_cases_options *o, const struct mp_model *m,
		       size_t row, const double *out, const struct contribution *c, size_t n_c)
{
	int outputs = mp_task_outputs(m->task, m->n_classes), k, best = mp_argmax(out, outputs);
	char num[32];
	size_t i, shown;

	if (o->output_jsonl) {
		cJSON *j = cJSON_CreateObject();
		char *text;
		cJSON_AddNumberToObject(j, "row", (double)row);
		if (m->task == MP_CATEGORICAL) {
			cJSON *p = cJSON_CreateObject();
			cJSON_AddStringToObject(j, "prediction", m->class_names[best]);
			for (k = 0; k < outputs; k++)
				cJSON_AddNumberToObject(p, m->class_names[k], out[k]);
			cJSON_AddItemToObject(j, "probabilities", p);
		} else {
			cJSON_AddNumberToObject(j, "prediction", out[0]);
			if (m->task == MP_BINARY)
				cJSON_AddNumberToObject(j, "score", mp_score_from_probability(out[0]));
		}
		if (c) {
			cJSON *e = cJSON_CreateObject(), *pos = cJSON_CreateArray(), *neg = cJSON_CreateArray();
			for (i = 0, shown = 0; i < n_c && shown < (size_t)o->top; i++)
				if (c[i].impact > 0) {
					cJSON *x = cJSON_CreateObject();
					cJSON_AddStringToObject(x, "feature", m->features[c[i].feature].name);
					cJSON_AddNumberToObject(x, "impact", c[i].impact);
					cJSON_AddItemToArray(pos, x);
					shown++;
				}
			for (i = n_c, shown = 0; i-- > 0 && shown < (size_t)o->top;)
				if (c[i].impact < 0) {
					cJSON *x = cJSON_CreateObject();
					cJSON_AddStringToObject(x, "feature", m->features[c[i].feature].name);
					cJSON_AddNumberToObject(x, "impact", c[i].impact);
					cJSON_AddItemToArray(neg, x);
					shown++;
				}
			cJSON_AddItemToObject(e, "positive", pos);
			cJSON_AddItemToObject(e, "negative", neg);
			cJSON_AddItemToObject(j, "explanation", e);
		}
		text = mp_json_print(j, 0);
		mp_buf_adds(b, text);
		mp_buf_addc(b, '\n');
		free(text);
		cJSON_Delete(j);
		return;
	}
	mp_buf_addf(b, "%zu,", row);
	if (m->task == MP_CATEGORICAL) {
		mp_buf_add_csv_field(b, m->class_names[best], strlen(m->class_names[best]));
		for (k = 0; k < outputs; k++) {
			mp_buf_addc(b, ',');
			mp_buf_adds(b, mp_fmt_double(num, out[k]));
		}
	} else {
		mp_buf_adds(b, mp_fmt_double(num, out[0]));
		if (m->task == MP_BINARY)
			mp_buf_addf(b, ",%d", mp_score_from_probability(out[0]));
	}
	if (c) {
		struct mp_buf side = MP_BUF_INIT;
		for (i = 0, shown = 0; i < n_c && shown < (size_t)o->top; i++)
			if (c[i].impact > 0) {
				mp_buf_addf(&side, "%s%s:%s", shown ? ";" : "", m->features[c[i].feature].name,
					    mp_fmt_double(num, c[i].impact));
				shown++;
			}
		mp_buf_addc(b, ',');
		mp_buf_add_csv_field(b, side.data ? side.data : "", side.len);
		mp_buf_reset(&side);
		for (i = n_c, shown = 0; i-- > 0 && shown < (size_t)o->top;)
			if (c[i].impact < 0) {
				mp_buf_addf(&side, "%s%s:%s", shown ? ";" : "", m->features[c[i].feature].name,
					    mp_fmt_double(num, c[i].impact));
				shown++;
			}
		mp_buf_addc(b, ',');
		mp_buf_add_csv_field(b, side.data ? side.data : "", side.len);
		mp_buf_free(&side);
	}
	mp_buf_addc(b, '\n');
}

static void write_header(struct mp_buf *b, const struct mp_cases_options *o, const struct mp_model *m)
{
	int k;

	if (o->output_jsonl)
		return;
	mp_buf_adds(b, "row,prediction");
	if (m->task == MP_BINARY)
		mp_buf_adds(b, ",score");
	for (k = 0; m->task == MP_CATEGORICAL && k < m->n_classes; k++) {
		char *h = xasprintf("p_%s", m->class_names[k]);
		mp_buf_addc(b, ',');
		mp_buf_add_csv_field(b, h, strlen(h));
		free(h);
	}
	if (o->explain)
		mp_buf_adds(b, ",top_positive,top_negative");
	mp_buf_addc(b, '\n');
}

/* The "average" each feature is set to when explaining: the training mean
 * of a number, the code of a category's most frequent value (OTHER when
 * it had none). */
static double average_of(struct mp_column *c)
{
	if (c->type == MP_COL_NUMBER || c->type == MP_COL_DATE)
		return c->stats.mean;
	return c->stats.mode_text ? (double)mp_encoder_code(&c->encoder, c->stats.mode_text)
				  : (double)c->encoder.n_values;
}

int mp_cases_score(const struct mp_cases_options *o, size_t *n_cases, struct mp_error *err)
{
	char *ds_path = mp_path_join(o->model_dir, "datasource.json"), *model_path = NULL;
	struct mp_datasource *ds = NULL;
	struct mp_model *m = NULL;
	struct mp_dataset *d = NULL;
	struct mp_pool *pool = NULL;
	struct mp_source src;
	struct rows r = { 0, 0, 0, NULL };
	cJSON *status = NULL;
	double *out = NULL, *alt = NULL;
	struct contribution *contrib = NULL;
	struct mp_buf text = MP_BUF_INIT;
	const char *algo;
	int have_src = 0, rc = -1, outputs;
	size_t i, j;

	*n_cases = 0;
	status = mp_status_read(o->model_dir, err);
	if (!status)
		goto out;
	algo = choose_algorithm(status, o->algorithm, err);
	if (!algo)
		goto out;
	ds = mp_datasource_load(ds_path, err);
	if (!ds)
		goto out;
	{
		char *rel = xasprintf("models/%s.json.zst", algo);
		model_path = mp_path_join(o->model_dir, rel);
		free(rel);
	}
	m = mp_model_load(model_path, err);
	if (!m)
		goto out;
	if (mp_source_open(&src, o->input, err))
		goto out;
	have_src = 1;
	r.width = ds->n_features;
	if ((o->input_jsonl ? read_jsonl_cases : read_csv_cases)(&src, ds, &r, err))
		goto out;

	d = mp_dataset_new(m->task, r.n, ds->n_features, m->n_classes);
	for (j = 0; j < ds->n_features; j++) {
		d->features[j] = m->features[j];
		d->features[j].name = xstrdup(ds->columns[ds->features[j]].name);
		for (i = 0; i < r.n; i++)
			d->x[j * r.n + i] = (float)r.v[i * r.width + j];
	}
	for (i = 0; i < (size_t)m->n_classes; i++)
		d->class_names[i] = xstrdup(m->class_names[i]);
	outputs = mp_task_outputs(m->task, m->n_classes);
	out = xcalloc(mp_mul_size(r.n ? r.n : 1, (size_t)outputs), sizeof(double));
	pool = mp_pool_new(o->threads);
	if (r.n && mp_model_predict(m, d, pool, out, err))
		goto out;
	if (o->explain && r.n) {
		contrib = xcalloc(mp_mul_size(r.n, ds->n_features), sizeof(*contrib));
		alt = xcalloc(mp_mul_size(r.n, (size_t)outputs), sizeof(double));
		for (j = 0; j < ds->n_features; j++) {
			float *col = d->x + j * r.n, *saved = xmalloc(r.n * sizeof(float));
			float avg = (float)average_of(&ds->columns[ds->features[j]]);
			memcpy(saved, col, r.n * sizeof(float));
			for (i = 0; i < r.n; i++)
				col[i] = avg;
			rc = mp_model_predict(m, d, pool, alt, err);
			memcpy(col, saved, r.n * sizeof(float));
			free(saved);
			if (rc)
				goto out;
			rc = -1;
			for (i = 0; i < r.n; i++) {
				int cls = m->task == MP_CATEGORICAL ? mp_argmax(out + i * outputs, outputs) : 0;
				struct contribution *c = &contrib[i * ds->n_features + j];
				c->feature = j;
				c->impact = tracked(m, out + i * outputs, cls) - tracked(m, alt + i * outputs, cls);
			}
		}
		for (i = 0; i < r.n; i++)
			qsort(contrib + i * ds->n_features, ds->n_features, sizeof(*contrib), by_impact);
	}
	write_header(&text, o, m);
	for (i = 0; i < r.n; i++)
		write_case(&text, o, m, i + 1, out + i * outputs,
			   contrib ? contrib + i * ds->n_features : NULL, ds->n_features);
	if (o->output && strcmp(o->output, "-")) {
		if (mp_write_file(o->output, text.data ? text.data : "", text.len, err))
			goto out;
	} else if (text.len && fwrite(text.data, 1, text.len, stdout) != text.len) {
		mp_error_set(err, MP_EX_IOERR, "cannot write the scores to standard output");
		goto out;
	}
	fflush(stdout);
	*n_cases = r.n;
	rc = 0;
out:
	if (have_src)
		mp_source_close(&src);
	mp_buf_free(&text);
	free(contrib);
	free(alt);
	free(out);
	free(r.v);
	mp_pool_free(pool);
	mp_dataset_free(d);
	mp_model_free(m);
	mp_datasource_free(ds);
	cJSON_Delete(status);
	free(model_path);
	free(ds_path);
	return rc;
}
