/* analyze.c — evaluation and score analyses of the prediction files. */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "batch.h"
#include "dataset.h"
#include "fileio.h"
#include "jsonio.h"
#include "predictions.h"
#include "schema.h"
#include "score.h"

static const char *const splits[] = { "train", "test" };

struct model_info {
	cJSON *model;
	char *id;
	enum mp_task task;
	struct mp_datasource *ds;
	char **names;       /* algorithms that have predictions */
	size_t n_names;
};

static void info_free(struct model_info *mi)
{
	cJSON_Delete(mi->model);
	free(mi->id);
	mp_datasource_free(mi->ds);
	mp_free_list(mi->names, mi->n_names);
}

static int info_load(const char *dir, struct model_info *mi, struct mp_error *err)
{
	static const char *const predicted[] = { "trained", "complete", NULL };
	const char *type;
	char *path;
	size_t i, k;

	memset(mi, 0, sizeof(*mi));
	mi->model = mp_status_read(dir, err);
	if (!mi->model)
		return -1;
	type = mp_json_str(mi->model, "type");
	if (!type || mp_task_parse(type, &mi->task))
		return mp_error_set(err, MP_EX_DATAERR, "'%s': model.json has no model type", dir);
	if (mp_json_str(mi->model, "id"))
		mi->id = xstrdup(mp_json_str(mi->model, "id"));
	path = mp_path_join(dir, "datasource.json");
	mi->ds = mp_datasource_load(path, err);
	free(path);
	if (!mi->ds)
		return -1;
	/* trained algorithms that mlbatch gave predictions */
	mi->n_names = mp_model_algorithms(mi->model, predicted, &mi->names);
	for (i = k = 0; i < mi->n_names; i++) {
		cJSON *a = mp_status_algorithm(mi->model, mi->names[i]);
		cJSON *files = cJSON_GetObjectItemCaseSensitive(a, "files");
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(files, "predictions")))
			mi->names[k++] = mi->names[i];
		else
			free(mi->names[i]);
	}
	mi->n_names = k;
	if (k == 0)
		return mp_error_set(err, MP_EX_DATAERR, "'%s': no predictions (run mlbatch first)", dir);
	return 0;
}

static int read_predictions(const char *dir, const struct model_info *mi, const char *algo,
			    const char *split, struct mp_predictions *p, struct mp_error *err)
{
	char *rel = xasprintf("predictions/%s.%s.csv.zst", algo, split);
	char *path = mp_path_join(dir, rel);
	int rc = mp_predictions_read(path, mi->task, mi->ds->n_classes, mi->ds->classes, p, err);

	free(rel);
	free(path);
	return rc;
}

static cJSON *envelope(const char *format, const struct model_info *mi, const char *algo,
		       const char *split, cJSON *body)
{
	cJSON *j = cJSON_CreateObject(), *e;

	cJSON_AddStringToObject(j, "format", format);
	cJSON_AddStringToObject(j, "model_id", mi->id ? mi->id : "");
	cJSON_AddStringToObject(j, "model_type", mp_task_name(mi->task));
	cJSON_AddStringToObject(j, "algorithm", algo);
	cJSON_AddStringToObject(j, "split", split);
	while ((e = body->child) != NULL) {
		cJSON_DetachItemViaPointer(body, e);
		cJSON_AddItemToObject(j, e->string, e);
	}
	cJSON_Delete(body);
	return j;
}

static cJSON *evaluate(const struct model_info *mi, const struct mp_predictions *p)
{
	if (mi->task == MP_BINARY)
		return mp_analysis_binary(p->actual, p->values, p->n);
	if (mi->task == MP_REGRESSION)
		return mp_analysis_regression(p->actual, p->values, p->n);
	{
		int *actual = xcalloc(p->n + 1, sizeof(int));
		cJSON *j;
		size_t i;
		for (i = 0; i < p->n; i++)
			actual[i] = (int)p->actual[i];
		j = mp_analysis_categorical(actual, p->values, p->n, p->n_classes, p->class_names);
		free(actual);
		return j;
	}
}

struct metrics_update {
	const struct model_info *mi;
	cJSON **summaries; /* n_names * 2, NULL where the analysis failed */
	char **errors;     /* n_names */
};

static int record_metrics(cJSON *model, void *arg, struct mp_error *err)
{
	struct metrics_update *u = arg;
	size_t i, s;

	(void)err;
	for (i = 0; i < u->mi->n_names; i++) {
		cJSON *a = mp_status_algorithm(model, u->mi->names[i]);
		cJSON *metrics = cJSON_CreateObject(), *files, *an;
		if (u->errors[i]) {
			mp_status_set(a, "status", "failed");
			mp_status_set(a, "error", u->errors[i]);
			/* earlier metrics describe predictions that are no longer
			 * analysed: never show them beside a failure */
			mp_json_set(a, "metrics", cJSON_CreateNull());
			cJSON_Delete(metrics);
			continue;
		}
		an = cJSON_CreateObject();
		for (s = 0; s < 2; s++) {
			char *rel = xasprintf("analysis/%s.%s.json", u->mi->names[i], splits[s]);
			cJSON_AddItemToObject(metrics, splits[s], cJSON_Duplicate(u->summaries[i * 2 + s], 1));
			cJSON_AddStringToObject(an, splits[s], rel);
			free(rel);
		}
		mp_json_set(a, "metrics", metrics);
		files = cJSON_GetObjectItemCaseSensitive(a, "files");
		if (!cJSON_IsObject(files)) {
			files = cJSON_CreateObject();
			mp_json_set(a, "files", files);
		}
		mp_json_set(files, "analysis", an);
	}
	return 0;
}

int mp_analyze_model(const char *dir, struct mp_store *store, cJSON *out, struct mp_error *err)
{
	struct model_info mi;
	struct metrics_update u = { &mi, NULL, NULL };
	cJSON *summary = NULL;
	char *adir = NULL;
	size_t i, s, n_ok = 0;
	int rc = -1;

	if (info_load(dir, &mi, err))
		goto out;
	adir = mp_path_join(dir, "analysis");
	if (mp_mkdirs(adir, err))
		goto out;
	u.summaries = xcalloc(mi.n_names * 2, sizeof(cJSON *));
	u.errors = xcalloc(mi.n_names, sizeof(char *));
	summary = cJSON_CreateObject();
	for (i = 0; i < mi.n_names; i++) {
		cJSON *per = cJSON_CreateObject();
		struct mp_error aerr;
		mp_error_clear(&aerr);
		for (s = 0; s < 2; s++) {
			struct mp_predictions p;
			cJSON *body, *file;
			char *rel, *path;
			if (read_predictions(dir, &mi, mi.names[i], splits[s], &p, &aerr))
				break;
			body = evaluate(&mi, &p);
			mp_predictions_free(&p);
			u.summaries[i * 2 + s] = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(body, "summary"), 1);
			file = envelope("mlpipe/analysis/1", &mi, mi.names[i], splits[s], body);
			rel = xasprintf("analysis/%s.%s.json", mi.names[i], splits[s]);
			path = mp_path_join(dir, rel);
			rc = mp_json_save(path, file, 1, &aerr);
			free(rel);
			free(path);
			cJSON_Delete(file);
			if (rc)
				break;
			cJSON_AddItemToObject(per, splits[s], cJSON_Duplicate(u.summaries[i * 2 + s], 1));
		}
		rc = -1;
		if (aerr.code) {
			u.errors[i] = xstrdup(aerr.msg);
			fprintf(stderr, "mlanalyze: %s: %s: %s\n", dir, mi.names[i], aerr.msg);
			cJSON_Delete(per);
			cJSON_AddStringToObject(summary, mi.names[i], "failed");
		} else {
			n_ok++;
			cJSON_AddItemToObject(summary, mi.names[i], per);
		}
	}
	cJSON_AddItemToObject(out, "metrics", summary);
	summary = NULL;
	if (mp_status_update(store, dir, 0, record_metrics, &u, err))
		goto out;
	if (n_ok == 0) {
		mp_error_set(err, MP_EX_DATAERR, "no algorithm could be analysed (%s: %s)", mi.names[0],
			     u.errors[0]);
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(summary);
	for (i = 0; u.summaries && i < mi.n_names * 2; i++)
		cJSON_Delete(u.summaries[i]);
	for (i = 0; u.errors && i < mi.n_names; i++)
		free(u.errors[i]);
	free(u.summaries);
	free(u.errors);
	free(adir);
	info_free(&mi);
	return rc;
}

struct score_update {
	const struct model_info *mi;
	char **errors;
};

static int record_scores(cJSON *model, void *arg, struct mp_error *err)
{
	struct score_update *u = arg;
	size_t i, s;

	(void)err;
	for (i = 0; i < u->mi->n_names; i++) {
		cJSON *a = mp_status_algorithm(model, u->mi->names[i]), *files, *sc;
		if (u->errors[i]) {
			mp_status_set(a, "status", "failed");
			mp_status_set(a, "error", u->errors[i]);
			continue;
		}
		sc = cJSON_CreateObject();
		for (s = 0; s < 2; s++) {
			char *rel = xasprintf("score/%s.%s.json", u->mi->names[i], splits[s]);
			cJSON_AddStringToObject(sc, splits[s], rel);
			free(rel);
		}
		files = cJSON_GetObjectItemCaseSensitive(a, "files");
		if (!cJSON_IsObject(files)) {
			files = cJSON_CreateObject();
			mp_json_set(a, "files", files);
		}
		mp_json_set(files, "score", sc);
	}
	return 0;
}

int mp_score_model(const char *dir, struct mp_store *store, cJSON *out, struct mp_error *err)
{
	struct model_info mi;
	struct score_update u = { &mi, NULL };
	char *sdir = NULL;
	size_t i, s, n_ok = 0;
	int rc = -1;

	if (info_load(dir, &mi, err))
		goto out;
	if (mi.task != MP_BINARY) {
		char *note = xasprintf("no score for a %s model: the 300-850 score maps P(true) of binary models",
				       mp_task_name(mi.task));
		cJSON_AddStringToObject(out, "note", note);
		free(note);
		rc = 0;
		goto out;
	}
	sdir = mp_path_join(dir, "score");
	if (mp_mkdirs(sdir, err))
		goto out;
	u.errors = xcalloc(mi.n_names, sizeof(char *));
	for (i = 0; i < mi.n_names; i++) {
		struct mp_error aerr;
		mp_error_clear(&aerr);
		for (s = 0; s < 2; s++) {
			struct mp_predictions p;
			cJSON *file;
			char *rel, *path;
			if (read_predictions(dir, &mi, mi.names[i], splits[s], &p, &aerr))
				break;
			file = envelope("mlpipe/score/1", &mi, mi.names[i], splits[s],
					mp_score_analysis(p.actual, p.values, p.n));
			mp_predictions_free(&p);
			rel = xasprintf("score/%s.%s.json", mi.names[i], splits[s]);
			path = mp_path_join(dir, rel);
			rc = mp_json_save(path, file, 1, &aerr);
			free(rel);
			free(path);
			cJSON_Delete(file);
			if (rc)
				break;
		}
		rc = -1;
		if (aerr.code) {
			u.errors[i] = xstrdup(aerr.msg);
			fprintf(stderr, "mlscore: %s: %s: %s\n", dir, mi.names[i], aerr.msg);
		} else {
			n_ok++;
		}
	}
	if (mp_status_update(store, dir, 0, record_scores, &u, err))
		goto out;
	if (n_ok == 0) {
		mp_error_set(err, MP_EX_DATAERR, "no algorithm could be scored (%s: %s)", mi.names[0],
			     u.errors[0]);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; u.errors && i < mi.n_names; i++)
		free(u.errors[i]);
	free(u.errors);
	free(sdir);
	info_free(&mi);
	return rc;
}
