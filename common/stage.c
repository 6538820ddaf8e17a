/* stage.c — the loop shared by mltrain, mlbatch, mlanalyze and mlscore. */
#include "stage.h"

#include <stdlib.h>
#include <string.h>

#include "jsonio.h"

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

static void publish(struct mp_stage *st, const char *id, const char *status, const char *error)
{
	cJSON *ev;

	if (!mp_store_has_redis(st->store))
		return;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "model_id", id ? id : "");
	cJSON_AddStringToObject(ev, "stage", st->name);
	cJSON_AddStringToObject(ev, "status", status);
	if (error)
		cJSON_AddStringToObject(ev, "error", error);
	mp_status_event(st->store, ev);
	cJSON_Delete(ev);
}

int mp_stage_run(struct mp_stage *st, struct mp_pipe_in *in, mp_stage_fn fn, void *arg)
{
	struct mp_pipe_item item;
	struct mp_error err;
	int status = 0, rc;

	for (;;) {
		double t0;
		char *id;
		cJSON *out;

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
		id = mp_stage_model_id(item.model);
		out = cJSON_CreateObject();
		if (!id) {
			/* not a model directory: nothing to record the failure in */
			cJSON *j = mp_status_read(item.model, &err);
			cJSON_Delete(j);
			rc = -1;
		} else {
			publish(st, id, "started", NULL);
			rc = fn(st, item.model, out, arg, &err);
		}
		if (rc) {
			if (!err.code)
				mp_error_set(&err, MP_EX_SOFTWARE, "failed without a message");
			mp_stage_error(st, err.msg);
			if (id)
				mp_stage_mark_failed(st, item.model, err.msg, mp_now() - t0);
			publish(st, id, "failed", err.msg);
			cJSON_Delete(out);
			mp_pipe_emit(st->name, item.model, id, 0, mp_now() - t0, err.msg, NULL);
			if (!status || status == MP_EX_MODEL_FAILED)
				status = err.code;
		} else {
			struct outcome o = { st, NULL, mp_now() - t0 };
			if (mp_status_update(st->store, item.model, 0, record, &o, &err)) {
				mp_stage_error(st, err.msg);
				cJSON_Delete(out);
				mp_pipe_emit(st->name, item.model, id, 0, mp_now() - t0, err.msg, NULL);
				if (!status || status == MP_EX_MODEL_FAILED)
					status = err.code;
			} else {
				publish(st, id, st->done, NULL);
				mp_pipe_emit(st->name, item.model, id, 1, mp_now() - t0, NULL, out);
			}
		}
		free(id);
		mp_pipe_item_free(&item);
	}
	return status;
}
