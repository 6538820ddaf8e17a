/* batch.c — predictions for the train and test splits. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "dataset.h"
#include "fileio.h"
#include "jsonio.h"
#include "models/model.h"
#include "predictions.h"
#include "threadpool.h"

static const char *const splits[] = { "train", "test" };

size_t mp_model_algorithms(const cJSON *model, const char *const *statuses, char ***names)
{
	const cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	size_t n = 0, k;

	*names = xcalloc((size_t)cJSON_GetArraySize(algos) + 1, sizeof(char *));
	cJSON_ArrayForEach(a, algos) {
		const char *s = mp_json_str(a, "status");
		for (k = 0; s && statuses[k]; k++)
			if (!strcmp(s, statuses[k])) {
				(*names)[n++] = xstrdup(a->string);
				break;
			}
	}
	return n;
}

/* The historical_result text of every row of data/original.<split>. */
static char **original_labels(const char *dir, const char *split, size_t expect,
			      struct mp_error *err)
{
	char *rel = xasprintf("data/original.%s.csv.zst", split);
	char *path = mp_path_join(dir, rel);
	struct mp_source src;
	struct mp_csv_reader *r = NULL;
	struct mp_csv_record rec;
	char **labels = NULL;
	size_t col = 0, n = 0, j;
	int rc;

	free(rel);
	if (mp_source_open_path(&src, path, err))
		goto fail_path;
	r = mp_csv_open(&src);
	rc = mp_csv_next(r, &rec, err);
	if (rc > 0) {
		for (j = 0; j < rec.n_fields; j++)
			if (!strcmp(rec.fields[j], "historical_result"))
				break;
		if (j == rec.n_fields)
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line 1: no historical_result column", path);
		col = j;
	} else if (rc == 0) {
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s': empty file", path);
	}
	labels = xcalloc(expect + 1, sizeof(char *));
	while (rc > 0 && (rc = mp_csv_next(r, &rec, err)) == 1) {
		if (n == expect || col >= rec.n_fields) {
			rc = mp_error_set(err, MP_EX_DATAERR, "'%s' line %zu: does not match data/%s.csv.zst",
					  path, rec.line, split);
			break;
		}
		labels[n++] = xstrdup(rec.fields[col]);
	}
	if (rc == 0 && n != expect)
		rc = mp_error_set(err, MP_EX_DATAERR, "'%s': %zu rows, data/%s.csv.zst has %zu", path, n,
				  split, expect);
	mp_csv_close(r);
	mp_source_close(&src);
	if (rc < 0)
		goto fail;
	free(path);
	return labels;
fail:
	for (j = 0; labels && j < n; j++)
		free(labels[j]);
	free(labels);
fail_path:
	free(path);
	return NULL;
}

static void free_labels(char **labels, size_t n)
{
	size_t i;

	for (i = 0; labels && i < n; i++)
		free(labels[i]);
	free(labels);
}

struct algo_result {
	const char *name;
	const char *error; /* NULL when both splits were predicted */
};

static int record(cJSON *model, void *arg, struct mp_error *err)
{
	struct algo_result *res = arg;
	size_t i, s;

	(void)err;
	for (i = 0; res[i].name; i++) {
		cJSON *a = mp_status_algorithm(model, res[i].name);
		cJSON *files = cJSON_GetObjectItemCaseSensitive(a, "files"), *pred;
		if (res[i].error) {
			mp_status_set(a, "status", "failed");
			mp_status_set(a, "error", res[i].error);
			/* metrics of earlier predictions must not stand beside it */
			mp_json_set(a, "metrics", cJSON_CreateNull());
			continue;
		}
		if (!cJSON_IsObject(files)) {
			files = cJSON_CreateObject();
			mp_json_set(a, "files", files);
		}
		pred = cJSON_CreateObject();
		for (s = 0; s < 2; s++) {
			char *rel = xasprintf("predictions/%s.%s.csv.zst", res[i].name, splits[s]);
			mp_json_set(pred, splits[s], cJSON_CreateString(rel));
			free(rel);
		}
		mp_json_set(files, "predictions", pred);
	}
	return 0;
}

int mp_batch_model(const char *dir, struct mp_store *store, int threads, cJSON *out,
		   struct mp_error *err)
{
	static const char *const trained[] = { "trained", "complete", NULL };
	cJSON *model = mp_status_read(dir, err), *summary;
	struct mp_dataset *data[2] = { NULL, NULL };
	char **labels[2] = { NULL, NULL };
	char **names = NULL, **messages = NULL;
	struct algo_result *res = NULL;
	struct mp_pool *pool = NULL;
	size_t n_algos = 0, i, s, n_ok = 0;
	int rc = -1;

	if (!model)
		return -1;
	n_algos = mp_model_algorithms(model, trained, &names);
	if (n_algos == 0) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': no trained algorithm (run mltrain first)", dir);
		goto out;
	}
	for (s = 0; s < 2; s++) {
		data[s] = mp_dataset_load(dir, splits[s], err);
		if (!data[s])
			goto out;
		if (data[s]->task == MP_CATEGORICAL) {
			labels[s] = original_labels(dir, splits[s], data[s]->n_rows, err);
			if (!labels[s])
				goto out;
		}
	}
	{
		char *pdir = mp_path_join(dir, "predictions");
		int mk = mp_mkdirs(pdir, err);
		free(pdir);
		if (mk)
			goto out;
	}
	pool = mp_pool_new(threads);
	res = xcalloc(n_algos + 1, sizeof(*res));
	messages = xcalloc(n_algos, sizeof(char *));
	summary = cJSON_CreateObject();
	for (i = 0; i < n_algos; i++) {
		char *rel = xasprintf("models/%s.json.zst", names[i]);
		char *path = mp_path_join(dir, rel);
		struct mp_error aerr;
		struct mp_model *m;

		mp_error_clear(&aerr);
		res[i].name = names[i];
		m = mp_model_load(path, &aerr);
		for (s = 0; m && s < 2; s++) {
			struct mp_predictions p;
			char *prel = xasprintf("predictions/%s.%s.csv.zst", names[i], splits[s]);
			char *ppath = mp_path_join(dir, prel);
			int outputs = mp_task_outputs(m->task, m->n_classes);
			memset(&p, 0, sizeof(p));
			p.task = m->task;
			p.n_classes = m->n_classes;
			p.class_names = m->class_names;
			p.n = data[s]->n_rows;
			p.actual = data[s]->y;
			p.values = xcalloc(mp_mul_size(p.n ? p.n : 1, (size_t)outputs), sizeof(double));
			if (mp_model_predict(m, data[s], pool, p.values, &aerr) ||
			    mp_predictions_write(ppath, &p, labels[s], &aerr)) {
				mp_error_prefix(&aerr, "%s split", splits[s]);
				free(p.values);
				free(prel);
				free(ppath);
				break;
			}
			free(p.values);
			free(prel);
			free(ppath);
		}
		if (aerr.code) {
			messages[i] = xstrdup(aerr.msg);
			res[i].error = messages[i];
			fprintf(stderr, "mlbatch: %s: %s: %s\n", dir, names[i], aerr.msg);
		} else {
			n_ok++;
		}
		cJSON_AddStringToObject(summary, names[i], aerr.code ? "failed" : "predicted");
		mp_model_free(m);
		free(rel);
		free(path);
	}
	cJSON_AddItemToObject(out, "algorithms", summary);
	if (mp_status_update(store, dir, 0, record, res, err))
		goto out;
	if (n_ok == 0) {
		mp_error_set(err, MP_EX_DATAERR, "no algorithm could predict (%s: %s)", names[0],
			     messages[0]);
		goto out;
	}
	rc = 0;
out:
	for (s = 0; s < 2; s++) {
		free_labels(labels[s], data[s] ? data[s]->n_rows : 0);
		mp_dataset_free(data[s]);
	}
	for (i = 0; messages && i < n_algos; i++)
		free(messages[i]);
	free(messages);
	free(res);
	mp_pool_free(pool);
	mp_free_list(names, n_algos);
	cJSON_Delete(model);
	return rc;
}
