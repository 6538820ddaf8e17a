/* dataset.c — the encoded matrix: allocation, subsets, and loading
 * data/<split>.csv.zst with the column metadata of datasource.json. */
#include "dataset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvline.h"
#include "fileio.h"
#include "jsonio.h"
#include "schema.h"

static const char *const task_names[] = { "binary", "categorical", "regression" };

const char *mp_task_name(enum mp_task t)
{
	return (unsigned)t < 3 ? task_names[t] : "unknown";
}

int mp_task_parse(const char *s, enum mp_task *t)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, task_names[i])) {
			*t = (enum mp_task)i;
			return 0;
		}
	return -1;
}

struct mp_dataset *mp_dataset_new(enum mp_task task, size_t n_rows, size_t n_features,
				  int n_classes)
{
	struct mp_dataset *d = xcalloc(1, sizeof(*d));

	d->task = task;
	d->n_rows = n_rows;
	d->n_features = n_features;
	d->n_classes = n_classes;
	d->features = xcalloc(n_features ? n_features : 1, sizeof(*d->features));
	d->x = xcalloc(mp_mul_size(n_rows ? n_rows : 1, n_features ? n_features : 1), sizeof(float));
	d->y = xcalloc(n_rows ? n_rows : 1, sizeof(double));
	if (n_classes > 0)
		d->class_names = xcalloc((size_t)n_classes, sizeof(char *));
	return d;
}

void mp_dataset_free(struct mp_dataset *d)
{
	size_t j;
	int k;

	if (!d)
		return;
	for (j = 0; j < d->n_features; j++)
		free(d->features[j].name);
	for (k = 0; k < d->n_classes && d->class_names; k++)
		free(d->class_names[k]);
	free(d->class_names);
	free(d->features);
	free(d->x);
	free(d->y);
	free(d);
}

static void copy_meta(struct mp_dataset *to, const struct mp_dataset *from)
{
	size_t j;
	int k;

	for (j = 0; j < from->n_features; j++) {
		to->features[j] = from->features[j];
		to->features[j].name = xstrdup(from->features[j].name);
	}
	for (k = 0; k < from->n_classes && from->class_names; k++)
		to->class_names[k] = from->class_names[k] ? xstrdup(from->class_names[k]) : NULL;
}

struct mp_dataset *mp_dataset_subset(const struct mp_dataset *d, const size_t *idx, size_t n)
{
	struct mp_dataset *s = mp_dataset_new(d->task, n, d->n_features, d->n_classes);
	size_t i, j;

	copy_meta(s, d);
	for (j = 0; j < d->n_features; j++) {
		const float *src = d->x + j * d->n_rows;
		float *dst = s->x + j * n;
		for (i = 0; i < n; i++)
			dst[i] = src[idx[i]];
	}
	for (i = 0; i < n; i++)
		s->y[i] = d->y[idx[i]];
	return s;
}

/* Growable column-major storage while the row count is unknown. */
struct grow {
	size_t n_cols, rows, cap;
	float **cols;
	double *y;
};

static void grow_row(struct grow *g)
{
	size_t j;

	if (g->rows < g->cap)
		return;
	g->cap = g->cap ? g->cap * 2 : 4096;
	for (j = 0; j < g->n_cols; j++)
		g->cols[j] = xrealloc(g->cols[j], mp_mul_size(g->cap, sizeof(float)));
	g->y = xrealloc(g->y, mp_mul_size(g->cap, sizeof(double)));
}

struct mp_dataset *mp_dataset_load(const char *model_dir, const char *split, struct mp_error *err)
{
	char *ds_path = mp_path_join(model_dir, "datasource.json");
	char *rel = xasprintf("data/%s.csv.zst", split);
	char *path = mp_path_join(model_dir, rel);
	struct mp_datasource *ds = NULL;
	struct mp_linereader *lr = NULL;
	struct mp_dataset *d = NULL;
	struct grow g = { 0 };
	char **fields = NULL;
	size_t n_fields, cap_fields = 0, j, i;
	char *line;
	size_t len, line_no = 1;
	int rc = -1;

	free(rel);
	ds = mp_datasource_load(ds_path, err);
	if (!ds)
		goto out;
	lr = mp_linereader_open(path, err);
	if (!lr)
		goto out;
	g.n_cols = ds->n_features;
	g.cols = xcalloc(g.n_cols ? g.n_cols : 1, sizeof(float *));

	/* header: the included features in datasource order, then the label */
	if (mp_linereader_next(lr, &line, &len, err) <= 0) {
		if (!err->code)
			mp_error_set(err, MP_EX_DATAERR, "'%s': empty file, expected a header", path);
		goto out;
	}
	n_fields = mp_csvline_split(line, len, &fields, &cap_fields);
	if (n_fields != ds->n_features + 1) {
		mp_error_set(err, MP_EX_DATAERR,
			     "'%s' line 1: expected %zu columns (the features of datasource.json and historical_result), got %zu",
			     path, ds->n_features + 1, n_fields);
		goto out;
	}
	for (j = 0; j < ds->n_features; j++)
		if (strcmp(fields[j], ds->columns[ds->features[j]].name)) {
			mp_error_set(err, MP_EX_DATAERR,
				     "'%s' line 1, column %zu: expected '%s' (datasource.json), got '%s'",
				     path, j + 1, ds->columns[ds->features[j]].name, fields[j]);
			goto out;
		}
	if (strcmp(fields[n_fields - 1], "historical_result")) {
		mp_error_set(err, MP_EX_DATAERR, "'%s' line 1: last column must be historical_result",
			     path);
		goto out;
	}

	for (;;) {
		int r = mp_linereader_next(lr, &line, &len, err);
		const char *p, *end;
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		line_no++;
		grow_row(&g);
		p = line;
		end = line + len;
		for (j = 0; j <= g.n_cols; j++) {
			char *stop;
			double v;
			errno = 0;
			v = strtod(p, &stop);
			if (stop == p || (stop < end && *stop != ',') || (j == g.n_cols && stop != end) ||
			    (j < g.n_cols && stop == end) || !isfinite(v)) {
				mp_error_set(err, MP_EX_DATAERR,
					     "'%s' line %zu, column %zu: expected a finite number", path,
					     line_no, j + 1);
				goto out;
			}
			if (j < g.n_cols)
				g.cols[j][g.rows] = (float)v;
			else
				g.y[g.rows] = v;
			p = stop + 1;
		}
		g.rows++;
	}

	d = mp_dataset_new(ds->task, g.rows, g.n_cols, ds->n_classes);
	for (j = 0; j < g.n_cols; j++) {
		const struct mp_column *c = &ds->columns[ds->features[j]];
		struct mp_feature *f = &d->features[j];
		f->name = xstrdup(c->name);
		if (c->type == MP_COL_STRING || c->type == MP_COL_BOOLEAN) {
			f->kind = MP_FEATURE_CATEGORY;
			f->levels = (int)c->encoder.n_values + 1;
		} else {
			f->kind = MP_FEATURE_NUMBER;
			f->mean = c->stats.mean;
			f->sd = c->stats.sd;
		}
		if (g.rows)
			memcpy(d->x + j * g.rows, g.cols[j], g.rows * sizeof(float));
	}
	if (g.rows)
		memcpy(d->y, g.y, g.rows * sizeof(double));
	for (i = 0; i < (size_t)ds->n_classes; i++)
		d->class_names[i] = xstrdup(ds->classes[i]);
	rc = 0;
out:
	for (j = 0; j < g.n_cols; j++)
		free(g.cols[j]);
	free(g.cols);
	free(g.y);
	free(fields);
	mp_linereader_close(lr);
	mp_datasource_free(ds);
	free(ds_path);
	free(path);
	if (rc) {
		mp_dataset_free(d);
		return NULL;
	}
	return d;
}
