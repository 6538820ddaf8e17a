/* prep.c — from a user's CSV to an encoded, split, described model
 * directory. Order of work: read and check every row (nothing is written
 * yet), decide the model type and column types, split, learn statistics
 * and encoders from the training rows only, then write the files. */
#include "prep.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "fileio.h"
#include "jsonio.h"
#include "rng.h"
#include "schema.h"
#include "strmap.h"

#define TARGET "historical_result"

/* All rows of one CSV file, fields stored back to back. */
struct table {
	const char *name;      /* as messages call it */
	size_t n_cols;
	char **header;
	struct mp_buf text;    /* every field, NUL-terminated */
	size_t *row_start;     /* offset of a row's first field in text */
	uint32_t *field_off;   /* n_rows * n_cols offsets relative to row_start */
	size_t *line;          /* line each row starts on */
	size_t n_rows, cap_rows;
	size_t skipped_blank;
	size_t bytes;
	char sha256[65];
	size_t *col_map;       /* test file: its column for each main column */
};

static const char *cell(const struct table *t, size_t row, size_t col)
{
	size_t c = t->col_map ? t->col_map[col] : col;
	return t->text.data + t->row_start[row] + t->field_off[row * t->n_cols + c];
}

static void table_free(struct table *t)
{
	size_t j;

	for (j = 0; j < t->n_cols; j++)
		free(t->header[j]);
	free(t->header);
	mp_buf_free(&t->text);
	free(t->row_start);
	free(t->field_off);
	free(t->line);
	free(t->col_map);
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int read_header(struct table *t, const struct mp_csv_record *rec, struct mp_error *err)
{
	size_t j, k;

	t->n_cols = rec->n_fields;
	t->header = xcalloc(t->n_cols, sizeof(char *));
	for (j = 0; j < t->n_cols; j++) {
		const char *s = rec->fields[j];
		size_t n = rec->lens[j];
		trim(&s, &n);
		if (n == 0)
			return mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu, column %zu: empty column name",
					    t->name, rec->line, j + 1);
		t->header[j] = xstrndup(s, n);
		for (k = 0; k < j; k++)
			if (!strcasecmp(t->header[k], t->header[j]))
				return mp_error_set(err, MP_EX_DATAERR,
						    "'%s' line %zu, column %zu: duplicate column name '%s' (column %zu is '%s'; names must differ in more than case)",
						    t->name, rec->line, j + 1, t->header[j], k + 1,
						    t->header[k]);
	}
	return 0;
}

static int all_blank(const struct mp_csv_record *rec)
{
	size_t j;

	for (j = 0; j < rec->n_fields; j++) {
		const char *s = rec->fields[j];
		size_t n = rec->lens[j];
		trim(&s, &n);
		if (n)
			return 0;
	}
	return 1;
}

static void add_row(struct table *t, const struct mp_csv_record *rec)
{
	size_t j, start = t->text.len;

	if (t->n_rows == t->cap_rows) {
		t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 1024;
		t->row_start = xrealloc(t->row_start, t->cap_rows * sizeof(size_t));
		t->line = xrealloc(t->line, t->cap_rows * sizeof(size_t));
		t->field_off = xrealloc(t->field_off, mp_mul_size(t->cap_rows * sizeof(uint32_t), t->n_cols));
	}
	t->row_start[t->n_rows] = start;
	t->line[t->n_rows] = rec->line;
	for (j = 0; j < t->n_cols; j++) {
		const char *s = rec->fields[j];
		size_t n = rec->lens[j];
		trim(&s, &n);
		t->field_off[t->n_rows * t->n_cols + j] = (uint32_t)(t->text.len - start);
		mp_buf_add(&t->text, s, n);
		mp_buf_addc(&t->text, '\0');
	}
	t->n_rows++;
}

static int read_table(struct table *t, const char *spec, struct mp_error *err)
{
	struct mp_source src;
	struct mp_csv_reader *r;
	struct mp_csv_record rec;
	int rc;

	if (mp_source_open(&src, spec, err))
		return -1;
	t->name = spec;
	r = mp_csv_open(&src);
	rc = mp_csv_next(r, &rec, err);
	if (rc == 0)
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s': empty file (expected a header line)", spec);
	if (rc > 0)
		rc = read_header(t, &rec, err);
	while (rc >= 0 && (rc = mp_csv_next(r, &rec, err)) == 1) {
		if (rec.n_fields == 1 && rec.lens[0] == 0) {
			t->skipped_blank++; /* an empty line, or one holding only spaces */
			continue;
		}
		if (rec.n_fields != t->n_cols) {
			rc = mp_error_set(err, MP_EX_DATAERR,
					  "'%s' line %zu: expected %zu fields as in the header, got %zu",
					  spec, rec.line, t->n_cols, rec.n_fields);
			break;
		}
		if (all_blank(&rec)) {
			t->skipped_blank++;
			continue;
		}
		add_row(t, &rec);
	}
	if (rc == 0 && t->n_rows == 0)
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line 2: no data rows after the header", spec);
	t->bytes = mp_csv_bytes(r);
	mp_csv_sha256(r, t->sha256);
	mp_csv_close(r);
	mp_source_close(&src);
	return rc < 0 ? -1 : 0;
}

/* A reference to one data row: which table, which row. */
struct rowref {
	const struct table *t;
	size_t row;
};

struct prep {
	const struct mp_prep_options *o;
	struct table main, test;
	size_t target;                 /* column index of historical_result */
	enum mp_task task;
	struct mp_datasource ds;       /* columns (predictors) being built */
	size_t *col_of;                /* ds column i -> table column */
	struct rowref *train, *testrows;
	size_t n_train, n_test;
	struct mp_strmap class_index;  /* categorical label -> code */
	double *y_train, *y_test;
	size_t unseen_test_labels;
};

static int bad_target(const struct prep *p, const struct rowref *r, const char *expected,
		      struct mp_error *err)
{
	char shown[96];
	const char *v = cell(r->t, r->row, p->target);

	return mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu, column %zu: %s: expected %s, got %s",
			    r->t->name, r->t->line[r->row],
			    (r->t->col_map ? r->t->col_map[p->target] : p->target) + 1, TARGET,
			    expected, *v ? mp_quote_for_msg(shown, sizeof(shown), v, strlen(v))
					 : "an empty value");
}

static int for_each_row(struct prep *p, int (*fn)(struct prep *, const struct rowref *, void *),
			void *arg)
{
	size_t i;
	struct rowref r;

	for (i = 0; i < p->main.n_rows; i++) {
		r.t = &p->main;
		r.row = i;
		if (fn(p, &r, arg))
			return -1;
	}
	for (i = 0; i < p->test.n_rows; i++) {
		r.t = &p->test;
		r.row = i;
		if (fn(p, &r, arg))
			return -1;
	}
	return 0;
}

struct target_scan {
	int all_bool, all_num;
	struct rowref bad_bool, bad_num; /* first row that is not boolean / numeric */
};

static int scan_target(struct prep *p, const struct rowref *r, void *arg)
{
	struct target_scan *s = arg;
	const char *v = cell(r->t, r->row, p->target);
	size_t n = strlen(v);
	double d;

	(void)p;
	if (mp_is_missing(v, n))
		return 0; /* reported by check_missing_target */
	if (s->all_bool && mp_parse_boolean(v, n) < 0) {
		s->all_bool = 0;
		s->bad_bool = *r;
	}
	if (s->all_num && mp_parse_number(v, n, &d)) {
		s->all_num = 0;
		s->bad_num = *r;
	}
	return 0;
}

static int check_missing_target(struct prep *p, const struct rowref *r, void *arg)
{
	struct mp_error *err = arg;
	const char *v = cell(r->t, r->row, p->target);

	if (mp_is_missing(v, strlen(v)))
		return bad_target(p, r, "a value (every row needs a target)", err);
	return 0;
}

static int decide_task(struct prep *p, struct mp_error *err)
{
	struct target_scan s = { 1, 1, { NULL, 0 }, { NULL, 0 } };

	if (for_each_row(p, check_missing_target, err))
		return -1;
	for_each_row(p, scan_target, &s);
	if (p->o->have_task) {
		p->task = p->o->task;
		if (p->task == MP_BINARY && !s.all_bool)
			return bad_target(p, &s.bad_bool, "true or false (a binary model)", err);
		if (p->task == MP_REGRESSION && !s.all_num)
			return bad_target(p, &s.bad_num, "a number (a regression model)", err);
	} else {
		p->task = s.all_bool ? MP_BINARY : s.all_num ? MP_REGRESSION : MP_CATEGORICAL;
	}
	return 0;
}

static int in_list(char **list, size_t n, const char *name)
{
	size_t i;

	/* names are unique regardless of case (see the header check) */
	for (i = 0; i < n; i++)
		if (!strcasecmp(list[i], name))
			return 1;
	return 0;
}

static int check_names(const struct prep *p, char **list, size_t n, const char *option,
		       struct mp_error *err)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (!strcasecmp(list[i], TARGET))
			return mp_error_set(err, MP_EX_USAGE, "%s: %s is the target, not a predictor",
					    option, TARGET);
		for (j = 0; j < p->main.n_cols; j++)
			if (!strcasecmp(p->main.header[j], list[i]))
				break;
		if (j == p->main.n_cols)
			return mp_error_set(err, MP_EX_USAGE, "%s: no column '%s' in '%s'", option,
					    list[i], p->main.name);
	}
	return 0;
}

static int find_columns(struct prep *p, struct mp_error *err)
{
	const struct mp_prep_options *o = p->o;
	size_t j, i = 0;

	for (j = 0; j < p->main.n_cols; j++)
		if (!strcmp(p->main.header[j], TARGET))
			break;
	if (j == p->main.n_cols)
		return mp_error_set(err, MP_EX_DATAERR,
				    "'%s' line 1: no '%s' column (the column of known outcomes is required)",
				    p->main.name, TARGET);
	p->target = j;
	if (check_names(p, o->include, o->n_include, "--include", err) ||
	    check_names(p, o->exclude, o->n_exclude, "--exclude", err))
		return -1;
	if (p->main.n_cols < 2)
		return mp_error_set(err, MP_EX_DATAERR, "'%s' line 1: no predictor columns besides %s",
				    p->main.name, TARGET);
	p->ds.n_columns = p->main.n_cols - 1;
	p->ds.columns = xcalloc(p->ds.n_columns, sizeof(struct mp_column));
	p->col_of = xcalloc(p->ds.n_columns, sizeof(size_t));
	for (j = 0; j < p->main.n_cols; j++) {
		struct mp_column *c;
		if (j == p->target)
			continue;
		c = &p->ds.columns[i];
		c->name = xstrdup(p->main.header[j]);
		c->position = j + 1;
		c->included = (o->n_include == 0 || in_list(o->include, o->n_include, c->name)) &&
			      !in_list(o->exclude, o->n_exclude, c->name);
		p->col_of[i++] = j;
	}
	return 0;
}

static int map_test_columns(struct prep *p, struct mp_error *err)
{
	struct table *t = &p->test;
	size_t j, k;

	t->col_map = xcalloc(p->main.n_cols, sizeof(size_t));
	for (j = 0; j < p->main.n_cols; j++) {
		for (k = 0; k < t->n_cols; k++)
			if (!strcmp(t->header[k], p->main.header[j]))
				break;
		if (k == t->n_cols)
			return mp_error_set(err, MP_EX_DATAERR, "'%s' line 1: no column '%s' (it is in '%s')",
					    t->name, p->main.header[j], p->main.name);
		t->col_map[j] = k;
	}
	if (t->n_cols != p->main.n_cols) {
		for (k = 0; k < t->n_cols; k++) {
			for (j = 0; j < p->main.n_cols; j++)
				if (!strcmp(t->header[k], p->main.header[j]))
					break;
			if (j == p->main.n_cols)
				return mp_error_set(err, MP_EX_DATAERR,
						    "'%s' line 1, column %zu: column '%s' is not in '%s'",
						    t->name, k + 1, t->header[k], p->main.name);
		}
	}
	return 0;
}

/* ---- split ---- */

static int label_class(struct prep *p, const struct rowref *r)
{
	const char *v = cell(r->t, r->row, p->target);
	size_t *code;

	if (p->task == MP_BINARY)
		return mp_parse_boolean(v, strlen(v));
	code = mp_strmap_get(&p->class_index, v, strlen(v));
	return code ? (int)*code : -1;
}

static void split_rows(struct prep *p)
{
	const struct mp_prep_options *o = p->o;
	size_t n = p->main.n_rows, i;
	unsigned char *is_test = xcalloc(n, 1);

	if (o->split == MP_SPLIT_POSITION) {
		for (i = 0; i < n; i++)
			is_test[i] = i % 10 > 6;
	} else if (o->split == MP_SPLIT_RANDOM) {
		struct mp_rng rng;
		struct mp_strmap groups;
		size_t *order = xmalloc(n * sizeof(size_t)), n_groups, g;
		size_t *group_of = xmalloc(n * sizeof(size_t));

		mp_rng_seed(&rng, o->seed);
		mp_strmap_init(&groups);
		/* stratify by the target text for classes; one group for regression */
		for (i = 0; i < n; i++) {
			const char *v = p->task == MP_REGRESSION ? "" : cell(&p->main, i, p->target);
			char norm[8];
			if (p->task == MP_BINARY) {
				strcpy(norm, mp_parse_boolean(v, strlen(v)) ? "true" : "false");
				v = norm;
			}
			group_of[i] = *mp_strmap_put(&groups, v, strlen(v), groups.count, NULL);
		}
		n_groups = groups.count;
		for (g = 0; g < n_groups; g++) {
			size_t m = 0, take, k;
			for (i = 0; i < n; i++)
				if (group_of[i] == g)
					order[m++] = i;
			mp_rng_shuffle(&rng, order, m);
			take = (size_t)floor(o->test_fraction * (double)m + 0.5);
			if (take >= m && m > 0)
				take = m - 1; /* keep every class in the training rows */
			for (k = 0; k < take; k++)
				is_test[order[k]] = 1;
		}
		mp_strmap_free(&groups);
		free(order);
		free(group_of);
	}
	p->train = xcalloc(n ? n : 1, sizeof(struct rowref));
	p->testrows = xcalloc(n + p->test.n_rows + 1, sizeof(struct rowref));
	for (i = 0; i < n; i++) {
		struct rowref r = { &p->main, i };
		if (is_test[i])
			p->testrows[p->n_test++] = r;
		else
			p->train[p->n_train++] = r;
	}
	for (i = 0; i < p->test.n_rows; i++) {
		struct rowref r = { &p->test, i };
		p->testrows[p->n_test++] = r;
	}
	free(is_test);
}

/* ---- labels ---- */

static int build_labels(struct prep *p, struct mp_error *err)
{
	size_t i;
	int k;

	p->y_train = xcalloc(p->n_train + 1, sizeof(double));
	p->y_test = xcalloc(p->n_test + 1, sizeof(double));
	if (p->task == MP_REGRESSION) {
		for (i = 0; i < p->n_train; i++) {
			const char *v = cell(p->train[i].t, p->train[i].row, p->target);
			mp_parse_number(v, strlen(v), &p->y_train[i]);
		}
		for (i = 0; i < p->n_test; i++) {
			const char *v = cell(p->testrows[i].t, p->testrows[i].row, p->target);
			mp_parse_number(v, strlen(v), &p->y_test[i]);
		}
		return 0;
	}
	if (p->task == MP_BINARY) {
		p->ds.n_classes = 2;
		p->ds.classes = xcalloc(2, sizeof(char *));
		p->ds.classes[0] = xstrdup("false");
		p->ds.classes[1] = xstrdup("true");
	} else {
		for (i = 0; i < p->n_train; i++) {
			const char *v = cell(p->train[i].t, p->train[i].row, p->target);
			int added;
			mp_strmap_put(&p->class_index, v, strlen(v), p->class_index.count, &added);
			if (added) {
				p->ds.classes = xrealloc(p->ds.classes, (size_t)(p->ds.n_classes + 1) * sizeof(char *));
				p->ds.classes[p->ds.n_classes++] = xstrdup(v);
			}
		}
	}
	for (i = 0; i < p->n_train; i++)
		p->y_train[i] = label_class(p, &p->train[i]);
	{
		size_t *count = xcalloc((size_t)(p->ds.n_classes > 0 ? p->ds.n_classes : 1), sizeof(size_t));
		int present = 0, only = 0;
		for (i = 0; i < p->n_train; i++)
			count[(int)p->y_train[i]]++;
		for (k = 0; k < p->ds.n_classes; k++)
			if (count[k]) {
				present++;
				only = k;
			}
		free(count);
		if (p->n_train == 0)
			return mp_error_set(err, MP_EX_DATAERR, "'%s': the split leaves no training rows",
					    p->main.name);
		if (present < 2)
			return mp_error_set(err, MP_EX_DATAERR,
					    "'%s': %s has a single class ('%s') in the training rows; a model needs at least two",
					    p->main.name, TARGET, p->ds.classes[only]);
	}
	for (i = 0; i < p->n_test; i++) {
		int c = label_class(p, &p->testrows[i]);
		if (c < 0) {
			c = p->ds.n_classes; /* a label the training rows never showed */
			p->unseen_test_labels++;
		}
		p->y_test[i] = c;
	}
	return 0;
}

/* ---- column types and statistics ---- */

static int infer_type(struct prep *p, size_t ci, struct mp_error *err)
{
	struct mp_column *c = &p->ds.columns[ci];
	size_t col = p->col_of[ci], present = 0;
	int all_bool = 1, all_num = 1, all_date = 1;
	size_t pass, i;

	for (pass = 0; pass < 2; pass++) {
		const struct table *t = pass ? &p->test : &p->main;
		for (i = 0; i < t->n_rows; i++) {
			const char *v = cell(t, i, col);
			size_t n = strlen(v);
			double d;
			if (mp_is_missing(v, n))
				continue;
			present++;
			if (all_bool && mp_parse_boolean(v, n) < 0)
				all_bool = 0;
			if (all_num && mp_parse_number(v, n, &d))
				all_num = 0;
			if (all_date && mp_parse_date(v, n, &d))
				all_date = 0;
			if (!all_bool && !all_num && !all_date)
				break;
		}
	}
	if (present == 0) {
		if (!c->included) {
			c->type = MP_COL_STRING;
			return 0;
		}
		return mp_error_set(err, MP_EX_DATAERR,
				    "'%s' line 1, column %zu: column '%s' has no values (every row is missing); leave it out with --exclude '%s'",
				    p->main.name, c->position, c->name, c->name);
	}
	c->type = all_bool ? MP_COL_BOOLEAN : all_num ? MP_COL_NUMBER : all_date ? MP_COL_DATE
						     : MP_COL_STRING;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int numeric_stats(struct prep *p, size_t ci, struct mp_error *err)
{
	struct mp_column *c = &p->ds.columns[ci];
	size_t col = p->col_of[ci], n = 0, i, best_run = 0, run;
	double *v = xmalloc((p->n_train + 1) * sizeof(double));
	long double sum = 0, ss = 0;
	double mean;

	for (i = 0; i < p->n_train; i++) {
		const char *s = cell(p->train[i].t, p->train[i].row, col);
		size_t len = strlen(s);
		double d;
		if (mp_is_missing(s, len)) {
			c->stats.missing++;
			continue;
		}
		if (c->type == MP_COL_DATE)
			mp_parse_date(s, len, &d);
		else
			mp_parse_number(s, len, &d);
		v[n++] = d;
	}
	c->stats.count = n;
	if (n == 0) {
		free(v);
		if (!c->included) {
			c->stats.mean = c->stats.sd = c->stats.median = c->stats.mode = NAN;
			c->stats.min = c->stats.max = NAN;
			return 0;
		}
		return mp_error_set(err, MP_EX_DATAERR,
				    "'%s' line 1, column %zu: column '%s' has no values in the training rows; leave it out with --exclude '%s'",
				    p->main.name, c->position, c->name, c->name);
	}
	for (i = 0; i < n; i++)
		sum += v[i];
	mean = (double)(sum / n);
	for (i = 0; i < n; i++)
		ss += ((long double)v[i] - mean) * ((long double)v[i] - mean);
	qsort(v, n, sizeof(double), cmp_double);
	c->stats.mean = mean;
	c->stats.sd = sqrt((double)(ss / n));
	c->stats.min = v[0];
	c->stats.max = v[n - 1];
	c->stats.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	/* mode: the longest run of equal values; ties go to the smallest value */
	c->stats.distinct = 0;
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && v[i + run] == v[i]; run++)
			;
		c->stats.distinct++;
		if (run > best_run) {
			best_run = run;
			c->stats.mode = v[i];
		}
	}
	free(v);
	return 0;
}

static void category_stats(struct prep *p, size_t ci)
{
	struct mp_column *c = &p->ds.columns[ci];
	size_t col = p->col_of[ci], i, best = 0, best_code = 0;
	struct mp_strmap codes;
	size_t *counts = NULL, cap = 0;

	mp_strmap_init(&codes);
	if (c->type == MP_COL_BOOLEAN) {
		c->encoder.n_values = 2;
		c->encoder.values = xcalloc(2, sizeof(char *));
		c->encoder.values[0] = xstrdup("false");
		c->encoder.values[1] = xstrdup("true");
		mp_strmap_put(&codes, "false", 5, 0, NULL);
		mp_strmap_put(&codes, "true", 4, 1, NULL);
	}
	for (i = 0; i < p->n_train; i++) {
		const char *s = cell(p->train[i].t, p->train[i].row, col);
		size_t len = strlen(s), code;
		int added;
		if (mp_is_missing(s, len)) {
			c->stats.missing++;
			continue;
		}
		c->stats.count++;
		if (c->type == MP_COL_BOOLEAN) {
			code = (size_t)mp_parse_boolean(s, len);
		} else {
			code = *mp_strmap_put(&codes, s, len, codes.count, &added);
			if (added) {
				c->encoder.values = xrealloc(c->encoder.values,
							     (c->encoder.n_values + 1) * sizeof(char *));
				c->encoder.values[c->encoder.n_values++] = xstrndup(s, len);
			}
		}
		if (code >= cap) {
			size_t old = cap;
			cap = (code + 1) * 2;
			counts = xrealloc(counts, cap * sizeof(size_t));
			memset(counts + old, 0, (cap - old) * sizeof(size_t));
		}
		counts[code]++;
	}
	for (i = 0; i < c->encoder.n_values; i++) {
		size_t n = i < cap ? counts[i] : 0;
		if (n)
			c->stats.distinct++;
		if (n > best) { /* ties: the first seen (lowest code) */
			best = n;
			best_code = i;
		}
	}
	if (best)
		c->stats.mode_text = xstrdup(c->encoder.values[best_code]);
	free(counts);
	mp_strmap_free(&codes);
}

/* ---- output ---- */

/* A plain decimal reads back as exactly the number it shows, so the
 * encoded file can carry the user's own text. */
static int plain_decimal(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0' && p - s < 18;
}

static int write_encoded(struct prep *p, const char *path, const struct rowref *rows, size_t n,
			 const double *y, struct mp_error *err)
{
	struct mp_outfile f;
	struct mp_buf line = MP_BUF_INIT;
	size_t i, k;
	char num[32];

	if (mp_out_open(&f, path, err))
		return -1;
	for (k = 0; k < p->ds.n_features; k++) {
		const char *name = p->ds.columns[p->ds.features[k]].name;
		mp_buf_add_csv_field(&line, name, strlen(name));
		mp_buf_addc(&line, ',');
	}
	mp_buf_adds(&line, TARGET "\n");
	mp_out_write(&f, line.data, line.len);
	for (i = 0; i < n; i++) {
		mp_buf_reset(&line);
		for (k = 0; k < p->ds.n_features; k++) {
			struct mp_column *c = &p->ds.columns[p->ds.features[k]];
			const char *s = cell(rows[i].t, rows[i].row, p->col_of[p->ds.features[k]]);
			double v;
			if (c->type == MP_COL_NUMBER && plain_decimal(s) && (s[0] != '-' || strcmp(s, "-0"))) {
				mp_buf_adds(&line, s);
			} else {
				if (mp_encode_value(c, s, strlen(s), &v, err)) {
					mp_error_prefix(err, "'%s' line %zu", rows[i].t->name,
							rows[i].t->line[rows[i].row]);
					mp_buf_free(&line);
					mp_out_abort(&f);
					return -1;
				}
				mp_buf_adds(&line, mp_fmt_double(num, v));
			}
			mp_buf_addc(&line, ',');
		}
		mp_buf_adds(&line, mp_fmt_double(num, y[i]));
		mp_buf_addc(&line, '\n');
		mp_out_write(&f, line.data, line.len);
	}
	mp_buf_free(&line);
	return mp_out_commit(&f, err);
}

static int write_original(struct prep *p, const char *path, const struct rowref *rows, size_t n,
			  struct mp_error *err)
{
	struct mp_outfile f;
	struct mp_buf line = MP_BUF_INIT;
	size_t i, j;

	if (mp_out_open(&f, path, err))
		return -1;
	for (j = 0; j < p->main.n_cols; j++) {
		if (j)
			mp_buf_addc(&line, ',');
		mp_buf_add_csv_field(&line, p->main.header[j], strlen(p->main.header[j]));
	}
	mp_buf_addc(&line, '\n');
	mp_out_write(&f, line.data, line.len);
	for (i = 0; i < n; i++) {
		mp_buf_reset(&line);
		for (j = 0; j < p->main.n_cols; j++) {
			const char *s = cell(rows[i].t, rows[i].row, j);
			if (j)
				mp_buf_addc(&line, ',');
			mp_buf_add_csv_field(&line, s, strlen(s));
		}
		mp_buf_addc(&line, '\n');
		mp_out_write(&f, line.data, line.len);
	}
	mp_buf_free(&line);
	return mp_out_commit(&f, err);
}

static cJSON *split_json(const struct prep *p)
{
	cJSON *s = cJSON_CreateObject();
	const struct mp_prep_options *o = p->o;

	switch (o->split) {
	case MP_SPLIT_POSITION:
		cJSON_AddStringToObject(s, "rule", "position");
		cJSON_AddStringToObject(s, "description",
					"data rows 1-7 of every 10 train, rows 8-10 test");
		break;
	case MP_SPLIT_RANDOM:
		cJSON_AddStringToObject(s, "rule", "random");
		cJSON_AddNumberToObject(s, "test_fraction", o->test_fraction);
		cJSON_AddNumberToObject(s, "seed", (double)o->seed);
		cJSON_AddBoolToObject(s, "stratified", p->task != MP_REGRESSION);
		break;
	case MP_SPLIT_FILE:
		cJSON_AddStringToObject(s, "rule", "file");
		cJSON_AddStringToObject(s, "test", o->test_input);
		break;
	}
	return s;
}

static cJSON *label_json(const struct prep *p)
{
	cJSON *l = cJSON_CreateObject();
	size_t i;
	int k;

	cJSON_AddStringToObject(l, "name", TARGET);
	cJSON_AddNumberToObject(l, "position", (double)(p->target + 1));
	cJSON_AddStringToObject(l, "type", mp_task_name(p->task));
	if (p->task == MP_REGRESSION) {
		double lo = INFINITY, hi = -INFINITY;
		long double sum = 0;
		for (i = 0; i < p->n_train; i++) {
			sum += p->y_train[i];
			lo = fmin(lo, p->y_train[i]);
			hi = fmax(hi, p->y_train[i]);
		}
		mp_json_add_num(l, "train_mean", (double)(sum / (p->n_train ? p->n_train : 1)));
		mp_json_add_num(l, "train_min", lo);
		mp_json_add_num(l, "train_max", hi);
		return l;
	}
	{
		cJSON *cl = cJSON_CreateArray(), *tr = cJSON_CreateArray(), *te = cJSON_CreateArray();
		size_t *ct = xcalloc((size_t)p->ds.n_classes + 1, sizeof(size_t));
		size_t *cs = xcalloc((size_t)p->ds.n_classes + 1, sizeof(size_t));
		for (i = 0; i < p->n_train; i++)
			ct[(size_t)p->y_train[i]]++;
		for (i = 0; i < p->n_test; i++)
			cs[(size_t)p->y_test[i]]++;
		for (k = 0; k < p->ds.n_classes; k++) {
			cJSON_AddItemToArray(cl, cJSON_CreateString(p->ds.classes[k]));
			cJSON_AddItemToArray(tr, cJSON_CreateNumber((double)ct[k]));
			cJSON_AddItemToArray(te, cJSON_CreateNumber((double)cs[k]));
		}
		cJSON_AddItemToObject(l, "classes", cl);
		cJSON_AddItemToObject(l, "train_counts", tr);
		cJSON_AddItemToObject(l, "test_counts", te);
		cJSON_AddNumberToObject(l, "unseen_test_labels", (double)p->unseen_test_labels);
		cJSON_AddNumberToObject(l, "unseen_label_code", p->ds.n_classes);
		free(ct);
		free(cs);
	}
	return l;
}

static int write_outputs(struct prep *p, struct mp_error *err)
{
	const char *dir = p->o->out_dir;
	char *data_dir = mp_path_join(dir, "data");
	char *paths[5];
	cJSON *j, *src, *rows;
	int rc = -1;
	size_t i;

	paths[0] = mp_path_join(dir, "data/train.csv.zst");
	paths[1] = mp_path_join(dir, "data/test.csv.zst");
	paths[2] = mp_path_join(dir, "data/original.train.csv.zst");
	paths[3] = mp_path_join(dir, "data/original.test.csv.zst");
	paths[4] = mp_path_join(dir, "datasource.json");
	if (mp_mkdirs(data_dir, err) ||
	    write_encoded(p, paths[0], p->train, p->n_train, p->y_train, err) ||
	    write_encoded(p, paths[1], p->testrows, p->n_test, p->y_test, err) ||
	    write_original(p, paths[2], p->train, p->n_train, err) ||
	    write_original(p, paths[3], p->testrows, p->n_test, err))
		goto out;

	j = mp_datasource_to_json(&p->ds);
	src = cJSON_CreateObject();
	cJSON_AddStringToObject(src, "name", p->o->input);
	cJSON_AddStringToObject(src, "sha256", p->main.sha256);
	cJSON_AddNumberToObject(src, "bytes", (double)p->main.bytes);
	if (p->o->test_input) {
		cJSON *ts = cJSON_CreateObject();
		cJSON_AddStringToObject(ts, "name", p->o->test_input);
		cJSON_AddStringToObject(ts, "sha256", p->test.sha256);
		cJSON_AddNumberToObject(ts, "bytes", (double)p->test.bytes);
		cJSON_AddItemToObject(src, "test", ts);
	}
	cJSON_AddItemToObject(j, "source", src);
	rows = cJSON_CreateObject();
	cJSON_AddNumberToObject(rows, "total", (double)(p->n_train + p->n_test));
	cJSON_AddNumberToObject(rows, "train", (double)p->n_train);
	cJSON_AddNumberToObject(rows, "test", (double)p->n_test);
	cJSON_AddNumberToObject(rows, "skipped_blank",
				(double)(p->main.skipped_blank + p->test.skipped_blank));
	cJSON_AddItemToObject(j, "rows", rows);
	cJSON_AddItemToObject(j, "split", split_json(p));
	cJSON_AddItemToObject(j, "label", label_json(p));
	rc = mp_json_save(paths[4], j, 1, err);
	cJSON_Delete(j);
out:
	for (i = 0; i < 5; i++)
		free(paths[i]);
	free(data_dir);
	return rc;
}

int mp_prep_run(const struct mp_prep_options *o, struct mp_prep_result *res,
		struct mp_error *err)
{
	struct prep p;
	size_t i;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	p.o = o;
	mp_strmap_init(&p.class_index);
	if (read_table(&p.main, o->input, err))
		goto out;
	if (o->split == MP_SPLIT_FILE && read_table(&p.test, o->test_input, err))
		goto out;
	if (find_columns(&p, err))
		goto out;
	if (o->split == MP_SPLIT_FILE && map_test_columns(&p, err))
		goto out;
	if (decide_task(&p, err))
		goto out;
	split_rows(&p);
	if (build_labels(&p, err))
		goto out;
	p.ds.task = p.task;
	p.ds.features = xcalloc(p.ds.n_columns, sizeof(size_t));
	for (i = 0; i < p.ds.n_columns; i++) {
		struct mp_column *c = &p.ds.columns[i];
		if (infer_type(&p, i, err))
			goto out;
		if (c->type == MP_COL_NUMBER || c->type == MP_COL_DATE) {
			if (numeric_stats(&p, i, err))
				goto out;
		} else {
			category_stats(&p, i);
		}
		if (c->included)
			p.ds.features[p.ds.n_features++] = i;
	}
	if (p.ds.n_features == 0) {
		mp_error_set(err, MP_EX_USAGE, "no predictor columns left to use (check --include and --exclude)");
		goto out;
	}
	if (write_outputs(&p, err))
		goto out;
	res->task = p.task;
	res->rows = p.n_train + p.n_test;
	res->train_rows = p.n_train;
	res->test_rows = p.n_test;
	res->skipped_blank = p.main.skipped_blank + p.test.skipped_blank;
	res->n_columns = p.ds.n_columns;
	res->n_features = p.ds.n_features;
	res->n_classes = p.ds.n_classes;
	res->bytes = p.main.bytes;
	memcpy(res->sha256, p.main.sha256, sizeof(res->sha256));
	rc = 0;
out:
	table_free(&p.main);
	table_free(&p.test);
	free(p.col_of);
	free(p.train);
	free(p.testrows);
	free(p.y_train);
	free(p.y_test);
	mp_strmap_free(&p.class_index);
	p.ds.json = NULL;
	{
		/* the datasource owns columns, features and classes */
		struct mp_datasource *ds = xmalloc(sizeof(*ds));
		*ds = p.ds;
		mp_datasource_free(ds);
	}
	return rc;
}
