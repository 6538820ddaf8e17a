/* stage.c — the loop shared by mltrain, mlbatch, mlanalyze and mlscore. */
#include "stage.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"
#include "queue.h"
#include "remote_store.h"
#include "status_redis.h"

void mp_stage_error(const struct mp_stage *st, const char *msg)
{
	fprintf(stderr, "%s: %s\n", st->prog, msg);
}

char *mp_stage_model_id(const char *dir)
{
	struct mp_error err;
	cJSON *j = mp_status_read(dir, &err);
	char *id = NULL;

	if (j && mp_json_str(j, "id"))
		id = xstrdup(mp_json_str(j, "id"));
	cJSON_Delete(j);
	return id;
}

struct outcome {
	const struct mp_stage *st;
	const char *error;
	double seconds;
};

static int record(cJSON *model, void *arg, struct mp_error *err)
{
	struct outcome *o = arg;

	(void)err;
	mp_status_set(model, "status", o->error ? "failed" : o->st->done);
	mp_status_set(model, "stage", o->st->name);
	mp_status_set(model, "error", o->error);
	mp_status_history(model, o->st->name, !o->error, o->seconds, o->error);
	return 0;
}

void mp_stage_mark_failed(struct mp_stage *st, const char *dir, const char *error, double seconds)
{
	struct outcome o = { st, error, seconds };
	struct mp_error err;

	mp_error_clear(&err);
	if (mp_status_update(st->store, dir, 0, record, &o, &err))
		fprintf(stderr, "%s: cannot record the failure in '%s': %s\n", st->prog, dir, err.msg);
}

void mp_stage_event(struct mp_store *store, const char *id, const char *stage, const char *status,
		    const char *error)
{
	cJSON *ev;

	if (!mp_store_has_redis(store))
		return;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "model_id", id ? id : "");
	cJSON_AddStringToObject(ev, "stage", stage);
	cJSON_AddStringToObject(ev, "status", status);
	if (error)
		cJSON_AddStringToObject(ev, "error", error);
	mp_status_event(store, ev);
	cJSON_Delete(ev);
}

static void publish(struct mp_stage *st, const char *id, const char *status, const char *error)
{
	mp_stage_event(st->store, id, st->name, status, error);
}

/* ---- Redis, the work queue and the remote store around each model ---- */

char *mp_stage_store_id(const char *dir, const cJSON *line)
{
	const char *id = line ? mp_json_str(line, "id") : NULL;
	char *copy, *base;
	size_t n;

	if (id && *id)
		return xstrdup(id);
	base = mp_stage_model_id(dir);
	if (base)
		return base;
	copy = xstrdup(dir);
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = xstrdup(basename(copy));
	free(copy);
	return base;
}

int mp_stage_pull(struct mp_store *store, const char *dir, const cJSON *line,
		  const char *const *only, struct mp_error *err)
{
	struct mp_remote *r = mp_store_remote(store);
	char *id;
	int rc;

	if (!r)
		return 0;
	id = mp_stage_store_id(dir, line);
	rc = mp_remote_pull(r, dir, id, only, NULL, err);
	free(id);
	return rc;
}

int mp_stage_push(struct mp_store *store, const char *dir, const cJSON *line, struct mp_error *err)
{
	struct mp_remote *r = mp_store_remote(store);
	char *id;
	int rc;

	if (!r)
		return 0;
	id = mp_stage_store_id(dir, line);
	rc = mp_remote_push(r, dir, id, NULL, err);
	free(id);
	return rc;
}

struct mp_lease *mp_stage_hold(const char *prog, struct mp_store *store, const cJSON *line,
			       struct mp_error *err)
{
	const cJSON *job = line ? cJSON_GetObjectItemCaseSensitive(line, "job") : NULL;
	char host[256] = "", *worker;
	struct mp_lease *l;

	mp_error_clear(err);
	if (!cJSON_IsObject(job) || !mp_store_has_redis(store))
		return NULL;
	gethostname(host, sizeof(host) - 1);
	worker = xasprintf("%s %s:%d", prog, host, (int)getpid());
	l = mp_lease_begin(mp_store_redis(store), job, worker, err);
	free(worker);
	return l;
}

cJSON *mp_stage_carry(const cJSON *line, cJSON *out)
{
	const cJSON *job = line ? cJSON_GetObjectItemCaseSensitive(line, "job") : NULL;

	if (!out)
		out = cJSON_CreateObject();
	if (cJSON_IsObject(job) && !cJSON_HasObjectItem(out, "job"))
		cJSON_AddItemToObject(out, "job", cJSON_Duplicate(job, 1));
	return out;
}

int mp_stage_store_finish(const char *prog, struct mp_store *store, int status)
{
	char *const *dirs;
	size_t n, i;

	if (!mp_store_behind(store))
		return status;
	n = mp_store_unsynced(store, &dirs);
	fprintf(stderr, "%s: warning: Redis is behind (%s); model.json holds every result", prog,
		mp_store_behind_reason(store));
	if (n) {
		fputs("; when Redis is back, run: mlstatus sync", stderr);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", dirs[i]);
	}
	fputc('\n', stderr);
	return status == 0 || status == MP_EX_MODEL_FAILED ? MP_EX_UNAVAILABLE : status;
}

/* On the failure path: the failed status must reach the store too. */
static void push(struct mp_stage *st, const char *dir, const cJSON *line, int *status)
{
	struct mp_error err;

	mp_error_clear(&err);
	if (mp_stage_push(st->store, dir, line, &err)) {
		mp_stage_error(st, err.msg);
		if (!*status || *status == MP_EX_MODEL_FAILED)
			*status = err.code;
	}
}

/* The error of a model mlprep failed on (status failed, no model type):
 * a later stage has nothing to work on. NULL for any other model. */
static char *failed_prep(const char *dir)
{
	struct mp_error err;
	cJSON *model;
	char *error = NULL;

	mp_error_clear(&err);
	model = mp_status_read(dir, &err);
	if (model && !mp_json_str(model, "type") && mp_json_str(model, "status") &&
	    !strcmp(mp_json_str(model, "status"), "failed"))
		error = xstrdup(mp_json_str(model, "error") ? mp_json_str(model, "error") : "mlprep failed");
	cJSON_Delete(model);
	return error;
}

int mp_stage_run(struct mp_stage *st, struct mp_pipe_in *in, mp_stage_fn fn, void *arg)
{
	struct mp_pipe_item item;
	struct mp_error err;
	int status = 0, rc;

	for (;;) {
		double t0;
		char *id, *prep_error;
		cJSON *out;
		struct mp_lease *lease;

		mp_error_clear(&err);
		rc = mp_pipe_next(in, &item, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			mp_stage_error(st, err.msg);
			if (!status)
				status = err.code;
			continue;
		}
		if (!item.ok) {
			mp_pipe_pass(&item);
			if (!status)
				status = MP_EX_MODEL_FAILED;
			mp_pipe_item_free(&item);
			continue;
		}
		t0 = mp_now();
		lease = mp_stage_hold(st->prog, st->store, item.json, &err);
		if (!lease && err.code) {
			/* another worker has this job now: its line is not ours to pass on */
			mp_stage_error(st, err.msg);
			if (!status || status == MP_EX_MODEL_FAILED)
				status = err.code;
			mp_pipe_item_free(&item);
			continue;
		}
		if (mp_stage_pull(st->store, item.model, item.json, NULL, &err))
			id = NULL;
		else
			id = mp_stage_model_id(item.model);
		out = cJSON_CreateObject();
		if (id && (prep_error = failed_prep(item.model)) != NULL) {
			/* mlprep failed on it: nothing to work on, and its error
			 * stays the model's; passed on as failed upstream */
			struct mp_error lerr;
			mp_error_clear(&lerr);
			if (mp_lease_end(lease, &lerr))
				mp_stage_error(st, lerr.msg);
			else
				mp_pipe_emit(st->name, item.model, id, 0, 0, prep_error, mp_stage_carry(item.json, NULL));
			fprintf(stderr, "%s: %s: mlprep failed on this model: %s\n", st->prog, item.model, prep_error);
			if (!status)
				status = lerr.code ? lerr.code : MP_EX_MODEL_FAILED;
			free(prep_error);
			cJSON_Delete(out);
			free(id);
			mp_pipe_item_free(&item);
			continue;
		}
		if (!id) {
			/* not a model directory: nothing to record the failure in */
			if (!err.code) {
				cJSON *j = mp_status_read(item.model, &err);
				cJSON_Delete(j);
			}
			rc = -1;
		} else {
			publish(st, id, "started", NULL);
			rc = fn(st, item.model, out, arg, &err);
		}
		/* a job another worker took over while this one worked (it was
		 * stopped past its lease) is theirs to record and pass on */
		if (mp_lease_end(lease, &err)) {
			mp_stage_error(st, err.msg);
			if (!status || status == MP_EX_MODEL_FAILED)
				status = err.code;
			cJSON_Delete(out);
			free(id);
			mp_pipe_item_free(&item);
			continue;
		}
		if (rc) {
			if (!err.code)
				mp_error_set(&err, MP_EX_SOFTWARE, "failed without a message");
			mp_stage_error(st, err.msg);
			if (id)
				mp_stage_mark_failed(st, item.model, err.msg, mp_now() - t0);
			push(st, item.model, item.json, &status);
			publish(st, id, "failed", err.msg);
			cJSON_Delete(out);
			mp_pipe_emit(st->name, item.model, id, 0, mp_now() - t0, err.msg,
				     mp_stage_carry(item.json, NULL));
			if (!status || status == MP_EX_MODEL_FAILED)
				status = err.code;
		} else {
			struct outcome o = { st, NULL, mp_now() - t0 };
			if (mp_status_update(st->store, item.model, 0, record, &o, &err) ||
			    mp_stage_push(st->store, item.model, item.json, &err)) {
				mp_stage_error(st, err.msg);
				cJSON_Delete(out);
				mp_pipe_emit(st->name, item.model, id, 0, mp_now() - t0, err.msg,
					     mp_stage_carry(item.json, NULL));
				if (!status || status == MP_EX_MODEL_FAILED)
					status = err.code;
			} else {
				publish(st, id, st->done, NULL);
				mp_pipe_emit(st->name, item.model, id, 1, mp_now() - t0, NULL,
					     mp_stage_carry(item.json, out));
			}
		}
		free(id);
		mp_pipe_item_free(&item);
	}
	return mp_stage_store_finish(st->prog, st->store, status);
}
