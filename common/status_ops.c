/* status_ops.c — completing, selecting and showing a model. */
#include "status_ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

/* The metrics that choose the best algorithm, in order: the main one, then a
 * loss for when the main one is undefined on every algorithm (AUC and R^2
 * need two classes or two distinct values in the test split). */
struct selection_metric {
	const char *name;
	int higher_is_better;
};

static const struct selection_metric *selection_metrics(const char *type)
{
	static const struct selection_metric binary[] = { { "auc", 1 }, { "log_loss", 0 }, { NULL, 0 } };
	static const struct selection_metric categorical[] = { { "accuracy", 1 }, { "log_loss", 0 }, { NULL, 0 } };
	static const struct selection_metric regression[] = { { "r_squared", 1 }, { "rmse", 0 }, { NULL, 0 } };

	if (type && !strcmp(type, "regression"))
		return regression;
	if (type && !strcmp(type, "categorical"))
		return categorical;
	return binary;
}

static double test_metric(const cJSON *algo, const char *metric)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(algo, "metrics");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "test");
	return mp_json_num(t, metric, NAN);
}

static int is_trained(const cJSON *algo)
{
	const char *s = mp_json_str(algo, "status");
	return s && (!strcmp(s, "complete") || !strcmp(s, "trained"));
}

const char *mp_status_best_algorithm(const cJSON *model)
{
	const struct selection_metric *m = selection_metrics(mp_json_str(model, "type"));
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	const char *first = NULL;

	for (; m->name; m++) {
		const char *best = NULL;
		double best_v = -INFINITY;

		cJSON_ArrayForEach(a, algos) {
			double v;
			if (!is_trained(a))
				continue;
			if (!first)
				first = a->string;
			v = test_metric(a, m->name);
			if (!isfinite(v))
				continue;
			if (!m->higher_is_better)
				v = -v;
			if (!best || v > best_v) {
				best = a->string;
				best_v = v;
			}
		}
		if (best)
			return best;
	}
	return first; /* nothing analysed: the first trained algorithm */
}

struct complete_arg {
	const char *upstream_error;
	int complete;
};

static int do_complete(cJSON *model, void *arg, struct mp_error *err)
{
	struct complete_arg *c = arg;
	char why[900];
	const char *overall;
	cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	const char *best;

	(void)err;
	/* a model mlprep failed on keeps that error */
	if (!c->upstream_error && !mp_json_str(model, "type") && mp_json_str(model, "status") &&
	    !strcmp(mp_json_str(model, "status"), "failed") && mp_json_str(model, "error")) {
		char *prep_error = xstrdup(mp_json_str(model, "error"));
		mp_status_set(model, "stage", "complete");
		mp_status_history(model, "complete", 0, 0, prep_error);
		free(prep_error);
		c->complete = 0;
		return 0;
	}
	if (c->upstream_error) {
		mp_status_set(model, "status", "failed");
		mp_status_set(model, "error", c->upstream_error);
		mp_status_history(model, "complete", 0, 0, c->upstream_error);
		c->complete = 0;
		return 0;
	}
	overall = mp_status_overall(model, why, sizeof(why));
	cJSON_ArrayForEach(a, algos) {
		const char *s = mp_json_str(a, "status");
		if (s && !strcmp(s, "trained"))
			mp_status_set(a, "status", "complete");
	}
	best = mp_status_best_algorithm(model);
	mp_status_set(model, "selected_algorithm", best);
	mp_status_set(model, "status", overall);
	mp_status_set(model, "stage", "complete");
	c->complete = !strcmp(overall, "complete");
	/* a complete model may still list failed algorithms: say which */
	mp_status_set(model, "error", why[0] ? why : NULL);
	mp_status_history(model, "complete", c->complete, 0, c->complete ? NULL : why);
	return 0;
}

int mp_status_complete(struct mp_store *st, const char *dir, const char *upstream_error,
		       int *complete, struct mp_error *err)
{
	struct complete_arg c = { upstream_error, 0 };
	int rc = mp_status_update(st, dir, 0, do_complete, &c, err);

	*complete = c.complete;
	return rc;
}

static void metric_cell(FILE *fp, const cJSON *algo, const char *split, const char *metric)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(algo, "metrics");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, split);
	double v = mp_json_num(t, metric, NAN);

	if (isfinite(v))
		fprintf(fp, "  %9.4f", v);
	else
		fprintf(fp, "  %9s", "-");
}

void mp_status_print(FILE *fp, const char *dir, const cJSON *model)
{
	const char *type = mp_json_str(model, "type");
	const char *m1, *m2, *l1, *l2;
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	const char *err = mp_json_str(model, "error");

	if (type && !strcmp(type, "regression"))
		m1 = "r_squared", m2 = "rmse", l1 = "R2", l2 = "RMSE";
	else if (type && !strcmp(type, "categorical"))
		m1 = "accuracy", m2 = "macro_f1", l1 = "accuracy", l2 = "macro F1";
	else
		m1 = "auc", m2 = "ks", l1 = "AUC", l2 = "KS";
	fprintf(fp, "model %s (%s, %s): %s", mp_json_str(model, "id") ? mp_json_str(model, "id") : "?",
		dir, type ? type : "no type", mp_json_str(model, "status") ? mp_json_str(model, "status") : "?");
	if (mp_json_str(model, "selected_algorithm"))
		fprintf(fp, ", selected %s", mp_json_str(model, "selected_algorithm"));
	fputc('\n', fp);
	if (err)
		fprintf(fp, "  error: %s\n", err);
	if (!cJSON_GetArraySize(algos))
		return;
	fprintf(fp, "  %-18s %-9s %8s %8s  %9s  %9s  %9s  %9s\n", "algorithm", "status", "progress",
		"seconds", "train", "test", "train", "test");
	fprintf(fp, "  %-18s %-9s %8s %8s  %9s  %9s  %9s  %9s\n", "", "", "", "", l1, l1, l2, l2);
	cJSON_ArrayForEach(a, algos) {
		double secs = mp_json_num(a, "seconds", NAN);
		fprintf(fp, "  %-18s %-9s %7.0f%% ", a->string,
			mp_json_str(a, "status") ? mp_json_str(a, "status") : "?",
			mp_json_num(a, "progress", 0));
		if (isfinite(secs))
			fprintf(fp, "%8.2f", secs);
		else
			fprintf(fp, "%8s", "-");
		metric_cell(fp, a, "train", m1);
		metric_cell(fp, a, "test", m1);
		metric_cell(fp, a, "train", m2);
		metric_cell(fp, a, "test", m2);
		fputc('\n', fp);
		if (mp_json_str(a, "error"))
			fprintf(fp, "    error: %s\n", mp_json_str(a, "error"));
	}
}
