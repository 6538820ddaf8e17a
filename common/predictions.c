/* predictions.c — the prediction files. */
#include "predictions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "fileio.h"
#include "metrics.h"
#include "score.h"

int mp_predictions_write(const char *path, const struct mp_predictions *p,
			 char *const *actual_text, struct mp_error *err)
{
	struct mp_outfile f;
	struct mp_buf line = MP_BUF_INIT;
	int outputs = mp_task_outputs(p->task, p->n_classes), k;
	size_t i;
	char num[32];

	if (mp_out_open(&f, path, err))
		return -1;
	if (p->task == MP_BINARY) {
		mp_buf_adds(&line, "row,actual,prediction,score\n");
	} else if (p->task == MP_REGRESSION) {
		mp_buf_adds(&line, "row,actual,prediction\n");
	} else {
		mp_buf_adds(&line, "row,actual,prediction");
		for (k = 0; k < p->n_classes; k++) {
			char *h = xasprintf("p_%s", p->class_names[k]);
			mp_buf_addc(&line, ',');
			mp_buf_add_csv_field(&line, h, strlen(h));
			free(h);
		}
		mp_buf_addc(&line, '\n');
	}
	mp_out_write(&f, line.data, line.len);
	for (i = 0; i < p->n; i++) {
		const double *v = p->values + i * (size_t)outputs;
		mp_buf_reset(&line);
		mp_buf_addf(&line, "%zu,", i + 1);
		if (p->task == MP_BINARY) {
			mp_buf_addf(&line, "%d,%s,%d\n", p->actual[i] != 0, mp_fmt_double(num, v[0]),
				    mp_score_from_probability(v[0]));
		} else if (p->task == MP_REGRESSION) {
			mp_buf_adds(&line, mp_fmt_double(num, p->actual[i]));
			mp_buf_addc(&line, ',');
			mp_buf_adds(&line, mp_fmt_double(num, v[0]));
			mp_buf_addc(&line, '\n');
		} else {
			int a = (int)p->actual[i], best = mp_argmax(v, p->n_classes);
			const char *at = actual_text ? actual_text[i]
				       : a >= 0 && a < p->n_classes ? p->class_names[a] : "";
			mp_buf_add_csv_field(&line, at, strlen(at));
			mp_buf_addc(&line, ',');
			mp_buf_add_csv_field(&line, p->class_names[best], strlen(p->class_names[best]));
			for (k = 0; k < p->n_classes; k++) {
				mp_buf_addc(&line, ',');
				mp_buf_adds(&line, mp_fmt_double(num, v[k]));
			}
			mp_buf_addc(&line, '\n');
		}
		mp_out_write(&f, line.data, line.len);
	}
	mp_buf_free(&line);
	return mp_out_commit(&f, err);
}

static int parse_num(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end == s || *end != '\0';
}

int mp_predictions_read(const char *path, enum mp_task task, int n_classes,
			char *const *class_names, struct mp_predictions *out, struct mp_error *err)
{
	struct mp_source src;
	struct mp_csv_reader *r;
	struct mp_csv_record rec;
	int outputs = mp_task_outputs(task, n_classes), k, rc;
	size_t want = task == MP_BINARY ? 4 : task == MP_REGRESSION ? 3 : 3 + (size_t)n_classes;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->task = task;
	out->n_classes = n_classes;
	if (mp_source_open_path(&src, path, err))
		return -1;
	r = mp_csv_open(&src);
	rc = mp_csv_next(r, &rec, err);
	if (rc == 0)
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s': empty file", path);
	else if (rc > 0 && (rec.n_fields != want || strcmp(rec.fields[0], "row") ||
			    strcmp(rec.fields[1], "actual") || strcmp(rec.fields[2], "prediction")))
		rc = mp_error_set(err, MP_EX_DATAERR,
				  "'%s' line 1: expected the header of a %s prediction file (%zu columns)",
				  path, mp_task_name(task), want);
	while (rc >= 0 && (rc = mp_csv_next(r, &rec, err)) == 1) {
		double *v;
		if (rec.n_fields != want) {
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu: expected %zu fields, got %zu",
					  path, rec.line, want, rec.n_fields);
			break;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 1024;
			out->actual = xrealloc(out->actual, cap * sizeof(double));
			out->values = xrealloc(out->values, mp_mul_size(cap, (size_t)outputs * sizeof(double)));
		}
		v = out->values + out->n * (size_t)outputs;
		if (task == MP_CATEGORICAL) {
			out->actual[out->n] = n_classes;
			for (k = 0; k < n_classes; k++)
				if (!strcmp(rec.fields[1], class_names[k]))
					out->actual[out->n] = k;
			for (k = 0; k < n_classes; k++)
				if (parse_num(rec.fields[3 + k], &v[k]))
					break;
			if (k < n_classes) {
				rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu, column %d: expected a probability",
						  path, rec.line, 4 + k);
				break;
			}
		} else if (parse_num(rec.fields[1], &out->actual[out->n]) ||
			   parse_num(rec.fields[2], &v[0])) {
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu: expected numbers", path,
					  rec.line);
			break;
		}
		out->n++;
	}
	mp_csv_close(r);
	mp_source_close(&src);
	if (rc < 0) {
		mp_predictions_free(out);
		return -1;
	}
	if (task == MP_CATEGORICAL) {
		out->class_names = xcalloc((size_t)n_classes, sizeof(char *));
		for (k = 0; k < n_classes; k++)
			out->class_names[k] = xstrdup(class_names[k]);
	}
	return 0;
}

void mp_predictions_free(struct mp_predictions *p)
{
	int k;

	if (p->class_names)
		for (k = 0; k < p->n_classes; k++)
			free(p->class_names[k]);
	free(p->class_names);
	free(p->actual);
	free(p->values);
	memset(p, 0, sizeof(*p));
}
