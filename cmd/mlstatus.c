/* mlstatus — the status store: show, set, complete, select. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch.h"
#include "jsonio.h"
#include "models/model.h"
#include "pipe.h"
#include "queue.h"
#include "remote_store.h"
#include "stage.h"
#include "status.h"
#include "status_ops.h"
#include "status_redis.h"
#include "status_view.h"
#include "util.h"

static const char usage[] =
	"usage: mlstatus [--redis URL] COMMAND [options] [MODEL_DIR...]\n"
	"\n"
	"Commands:\n"
	"  show [--json] [MODEL...]     the status of each model: a table, or model.json\n"
	"  set MODEL [--algorithm A] [--status S] [--progress N] [--error MSG]\n"
	"                               change the status of a model or one algorithm\n"
	"  complete [MODEL...]          end of a chain: mark each model complete (every\n"
	"                               algorithm finished, at least one succeeded) or\n"
	"                               failed, and select its best algorithm\n"
	"  select MODEL [ALGORITHM]     select an algorithm (default: the best by test\n"
	"                               AUC, accuracy or R²)\n"
	"\n"
	"With Redis (--redis URL or MLPIPE_REDIS_URL):\n"
	"  sync [MODEL...]              write each model.json to Redis again (after an\n"
	"                               outage); drops queue entries the model completed\n"
	"  list [--json]                every model of the env, with its queue state\n"
	"  watch [--json] [--count N] [--timeout S] [ID...]\n"
	"                               follow progress events: a line each, or a live\n"
	"                               table on a terminal\n"
	"  enqueue MODEL [--stage S] [--input SRC] [--max-retries N] [--id ID]\n"
	"          [--type T] [--test SRC] [--test-fraction F] [--seed N]\n"
	"          [--include COLS] [--exclude COLS] [--name NAME]\n"
	"                               queue a model for cron workers; stage prep (the\n"
	"                               default) needs --input and keeps mlprep's options\n"
	"  claim --stage S [--lease SECONDS] [--max N]\n"
	"                               claim up to N queued jobs (default 1, lease 300 s)\n"
	"                               and print a pipe line for each\n"
	"  renew                        renew the lease of each piped job, pass it on\n"
	"  release [--error MSG] [--force] [--stage S] [MODEL...]\n"
	"                               a piped (or named) job is done: remove it; with\n"
	"                               --error (or a failed line) count a failure and\n"
	"                               queue it again, or park it past --max-retries\n"
	"\n"
	"Models are directories, or pipe JSON lines read from standard input.\n"
	"  --redis URL    also keep the status in Redis (or MLPIPE_REDIS_URL):\n"
	"                 redis://[[user]:password@]host[:port][/db] or unix:/path[?db=N]\n"
	"  --env ENV      key prefix (or MLPIPE_ENV; default development)\n"
	"  --store URL    remote model store s3://bucket/prefix (or MLPIPE_STORE)\n"
	"  -h, --help     this text\n"
	"  -V, --version  the version\n"
	"\n"
	"Exit status: 0 ok (complete: every model complete; claim: also when nothing\n"
	"was claimable), 1 a model failed, 2 usage, 66 not a model directory, 69 Redis\n"
	"or S3 unavailable, 65 a malformed model.json, 70 internal error, 73 cannot\n"
	"create output, 74 I/O error, 75 a job is held by another worker.\n"
	"See mlstatus(1).\n";

static const char *const model_statuses[] = { "prepared", "training", "trained", "predicted",
					      "analyzed", "scored", "complete", "failed", NULL };
static const char *const algo_statuses[] = { "pending", "training", "trained", "complete",
					     "failed", NULL };

static const char *const model_json_only[] = { "model.json", NULL };

static int in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

static int cmd_show(struct mp_store *st, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	int c, json = 0, status = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j') {
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
		json = 1;
	}
	mp_error_clear(&err);
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		cJSON *model;
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			continue;
		}
		model = mp_stage_pull(st, item.model, item.json, model_json_only, &err)
				? NULL
				: mp_status_read(item.model, &err);
		if (!model) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
		} else if (json) {
			char *text = mp_json_print(model, 0);
			puts(text);
			free(text);
		} else {
			mp_status_print(stdout, item.model, model);
		}
		cJSON_Delete(model);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return status;
}

struct set_arg {
	const char *algorithm, *status, *error;
	double progress;
	int have_progress;
};

static int do_set(cJSON *model, void *arg, struct mp_error *err)
{
	struct set_arg *s = arg;
	cJSON *target = model;

	(void)err;
	if (s->algorithm)
		target = mp_status_algorithm(model, s->algorithm);
	if (s->status)
		mp_status_set(target, "status", s->status);
	if (s->error)
		mp_status_set(target, "error", *s->error ? s->error : NULL);
	if (s->have_progress)
		mp_json_set(target, "progress", cJSON_CreateNumber(s->progress));
	return 0;
}

/* Watchers see a hand-made change as they see a stage's. */
static void publish_set(struct mp_store *st, const char *dir, const struct set_arg *s)
{
	struct mp_error err;
	cJSON *model, *ev;

	if (!mp_store_has_redis(st))
		return;
	mp_error_clear(&err);
	model = mp_status_read(dir, &err);
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "model_id", model && mp_json_str(model, "id") ? mp_json_str(model, "id") : "");
	cJSON_AddStringToObject(ev, "stage", "set");
	if (s->algorithm)
		cJSON_AddStringToObject(ev, "algorithm", s->algorithm);
	if (s->status)
		cJSON_AddStringToObject(ev, "status", s->status);
	if (s->have_progress)
		cJSON_AddNumberToObject(ev, "progress", s->progress);
	if (s->error && *s->error)
		cJSON_AddStringToObject(ev, "error", s->error);
	mp_status_event(st, ev);
	cJSON_Delete(ev);
	cJSON_Delete(model);
}

static int cmd_set(struct mp_store *st, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "status", required_argument, NULL, 's' },
		{ "progress", required_argument, NULL, 'p' },
		{ "error", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct set_arg s = { NULL, NULL, NULL, 0, 0 };
	struct mp_error err;
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			s.algorithm = optarg;
			break;
		case 's':
			s.status = optarg;
			break;
		case 'p':
			s.progress = strtod(optarg, &end);
			if (*end || end == optarg || !(s.progress >= 0 && s.progress <= 100)) {
				fprintf(stderr, "mlstatus: --progress: expected a number from 0 to 100, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			s.have_progress = 1;
			break;
		case 'e':
			s.error = optarg;
			break;
		default:
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs("mlstatus: set: expected one MODEL_DIR\n", stderr);
		return MP_EX_USAGE;
	}
	if (s.algorithm && !mp_algorithm_find(s.algorithm)) {
		fprintf(stderr, "mlstatus: --algorithm: unknown algorithm '%s' (see mltrain --list)\n", s.algorithm);
		return MP_EX_USAGE;
	}
	if (s.status && !in_set(s.status, s.algorithm ? algo_statuses : model_statuses)) {
		fprintf(stderr, "mlstatus: --status: '%s' is not a %s status\n", s.status,
			s.algorithm ? "algorithm" : "model");
		return MP_EX_USAGE;
	}
	if (!s.status && !s.error && !s.have_progress) {
		fputs("mlstatus: set: nothing to set (--status, --progress or --error)\n", stderr);
		return MP_EX_USAGE;
	}
	mp_error_clear(&err);
	if (mp_stage_pull(st, argv[optind], NULL, model_json_only, &err) ||
	    mp_status_update(st, argv[optind], 0, do_set, &s, &err) ||
	    mp_stage_push(st, argv[optind], NULL, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	publish_set(st, argv[optind], &s);
	return mp_stage_store_finish("mlstatus", st, 0);
}

/* The end of a job that ran the chain: done when the model completed,
 * else a counted failure. Adds "job" to extra; returns an exit status. */
static int finish_job(struct mp_store *st, const cJSON *job, int complete, const char *why,
		      cJSON *extra)
{
	struct mp_error err;
	cJSON *j = cJSON_Duplicate(job, 1);
	int status = 0;

	mp_error_clear(&err);
	if (!mp_store_has_redis(st)) {
		cJSON_Delete(j);
		return 0;
	}
	if (complete) {
		int rc = mp_queue_done(mp_store_redis(st), job, 0, &err);
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
		}
		mp_json_set(j, "result", cJSON_CreateString(rc < 0 ? "kept" : "removed"));
	} else {
		const char *outcome;
		int errors;
		if (mp_queue_fail(mp_store_redis(st), job, why ? why : "failed", 0, &outcome, &errors, &err)) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			outcome = "kept";
		} else if (!strcmp(outcome, "parked")) {
			fprintf(stderr, "mlstatus: %s: failed %d times: parked as failed (mlstatus enqueue queues it again)\n",
				mp_json_str(job, "key"), errors);
		}
		mp_json_set(j, "result", cJSON_CreateString(outcome));
		mp_json_set(j, "errors", cJSON_CreateNumber(errors));
	}
	cJSON_AddItemToObject(extra, "job", j);
	return status;
}

static int cmd_complete(struct mp_store *st, int argc, char **argv)
{
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	int rc, status = 0;

	mp_error_clear(&err);
	if (mp_pipe_in_init(&in, argv + 1, argc - 1, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		double t0 = mp_now();
		int complete = 0, js;
		cJSON *model;
		const cJSON *job = item.json ? cJSON_GetObjectItemCaseSensitive(item.json, "job") : NULL;
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			continue;
		}
		/* a job another worker took over is theirs to complete */
		if (cJSON_IsObject(job)) {
			struct mp_lease *lease = mp_stage_hold("mlstatus", st, item.json, &err);
			struct mp_error lerr;
			if (!lease && err.code) {
				fprintf(stderr, "mlstatus: %s\n", err.msg);
				if (!status || status == MP_EX_MODEL_FAILED)
					status = err.code;
				mp_pipe_item_free(&item);
				continue;
			}
			mp_error_clear(&lerr);
			mp_lease_end(lease, &lerr);
		}
		if (mp_stage_pull(st, item.model, item.json, model_json_only, &err) ||
		    mp_status_complete(st, item.model, item.ok ? NULL : (item.error ? item.error : "failed upstream"),
				       &complete, &err) ||
		    mp_stage_push(st, item.model, item.json, &err)) {
			cJSON *extra = cJSON_CreateObject();
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = status ? status : err.code;
			/* the record could not be written: the job stays claimed
			 * and is retried when its lease runs out */
			if (cJSON_IsObject(job))
				cJSON_AddItemToObject(extra, "job", cJSON_Duplicate(job, 1));
			mp_pipe_emit("complete", item.model, NULL, 0, mp_now() - t0, err.msg, extra);
			mp_pipe_item_free(&item);
			continue;
		}
		model = mp_status_read(item.model, &err);
		{
			cJSON *extra = cJSON_CreateObject();
			const char *sel = model ? mp_json_str(model, "selected_algorithm") : NULL;
			const char *why = model ? mp_json_str(model, "error") : NULL;
			cJSON_AddStringToObject(extra, "status", complete ? "complete" : "failed");
			if (sel)
				cJSON_AddStringToObject(extra, "selected_algorithm", sel);
			if (cJSON_IsObject(job)) {
				js = finish_job(st, job, complete, why, extra);
				if (js && (!status || status == MP_EX_MODEL_FAILED))
					status = js;
			}
			mp_stage_event(st, model ? mp_json_str(model, "id") : NULL, "complete",
				       complete ? "complete" : "failed", complete ? NULL : (why ? why : "failed"));
			mp_pipe_emit("complete", item.model, model ? mp_json_str(model, "id") : NULL, complete,
				     mp_now() - t0, complete ? NULL : (why ? why : "failed"), extra);
		}
		if (!complete && !status)
			status = MP_EX_MODEL_FAILED;
		cJSON_Delete(model);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return mp_stage_store_finish("mlstatus", st, status);
}

struct select_arg {
	const char *algorithm;
};

static int do_select(cJSON *model, void *arg, struct mp_error *err)
{
	struct select_arg *s = arg;
	const char *name = s->algorithm;

	if (name) {
		cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms");
		cJSON *a = cJSON_GetObjectItemCaseSensitive(algos, name);
		const char *st = a ? mp_json_str(a, "status") : NULL;
		if (!st || (strcmp(st, "complete") && strcmp(st, "trained")))
			return mp_error_set(err, MP_EX_USAGE, "algorithm '%s' is not %s", name,
					    a ? "trained" : "in this model");
	} else {
		name = mp_status_best_algorithm(model);
		if (!name)
			return mp_error_set(err, MP_EX_DATAERR, "no trained algorithm to select");
	}
	mp_status_set(model, "selected_algorithm", name);
	return 0;
}

static int cmd_select(struct mp_store *st, int argc, char **argv)
{
	struct select_arg s = { NULL };
	struct mp_error err;

	if (argc < 2 || argc > 3) {
		fputs("mlstatus: select: expected MODEL_DIR [ALGORITHM]\n", stderr);
		return MP_EX_USAGE;
	}
	s.algorithm = argc == 3 ? argv[2] : NULL;
	mp_error_clear(&err);
	if (mp_stage_pull(st, argv[1], NULL, model_json_only, &err) ||
	    mp_status_update(st, argv[1], 0, do_select, &s, &err) ||
	    mp_stage_push(st, argv[1], NULL, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	return mp_stage_store_finish("mlstatus", st, 0);
}

/* ---- Redis, the work queue ---- */

static int need_redis(struct mp_store *st, const char *cmd)
{
	if (mp_store_has_redis(st))
		return 0;
	fprintf(stderr, "mlstatus: %s needs Redis (--redis URL or MLPIPE_REDIS_URL)\n", cmd);
	return MP_EX_USAGE;
}

/* When a complete model last completed (its history's time), or NULL. */
static const char *completed_at(const cJSON *model)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(model, "history"), *e;
	const char *last_complete = NULL;

	if (!mp_json_str(model, "status") || strcmp(mp_json_str(model, "status"), "complete"))
		return NULL;
	cJSON_ArrayForEach(e, h)
		if (mp_json_str(e, "stage") && !strcmp(mp_json_str(e, "stage"), "complete") &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "ok")))
			last_complete = mp_json_str(e, "finished");
	return last_complete;
}

/* Removes queue entries of a model that completed after they were
 * enqueued (the chain finished while Redis was away). */
static void drop_done_jobs(struct mp_store *st, const cJSON *model)
{
	const char *last_complete = completed_at(model), *id = mp_json_str(model, "id");
	cJSON *list;
	const cJSON *j;
	struct mp_error err;

	if (!id)
		return;
	mp_error_clear(&err);
	if (!last_complete || !(list = mp_queue_list(mp_store_redis(st), &err)))
		return;
	cJSON_ArrayForEach(j, list) {
		const char *when = mp_json_str(j, "enqueued_at");
		if (!mp_json_str(j, "_id") || strcmp(mp_json_str(j, "_id"), id) || !when ||
		    strcmp(when, last_complete) > 0)
			continue;
		if (mp_queue_done(mp_store_redis(st), j, 1, &err) > 0)
			fprintf(stderr, "mlstatus: %s: removed '%s' (the model completed at %s)\n",
				id, mp_json_str(j, "key"), last_complete);
	}
	cJSON_Delete(list);
}

/* A claimed job of a model (in a local directory) that completed after
 * the job was enqueued: its chain finished while Redis was away and no
 * one ran `mlstatus sync`. The job is removed rather than run again. */
static int already_done(struct mp_store *st, const cJSON *line)
{
	const cJSON *job = cJSON_GetObjectItemCaseSensitive(line, "job");
	const char *enqueued = mp_json_str(job, "enqueued_at"), *done;
	const char *dir = mp_json_str(line, "model");
	struct mp_error err;
	cJSON *model;
	char *path;
	int drop = 0;

	if (!enqueued || !dir || !*dir)
		return 0;
	path = mp_path_join(dir, "model.json");
	mp_error_clear(&err);
	model = mp_file_exists(path) ? mp_status_read(dir, &err) : NULL;
	free(path);
	/* strictly later: a job enqueued in the second the model completed
	 * may well be a new request */
	done = model ? completed_at(model) : NULL;
	if (done && strcmp(enqueued, done) < 0 && mp_queue_done(mp_store_redis(st), job, 0, &err) > 0) {
		fprintf(stderr, "mlstatus: %s: removed '%s' (the model completed at %s, after the job was enqueued)\n",
			mp_json_str(line, "id"), mp_json_str(job, "key"), done);
		drop = 1;
	}
	cJSON_Delete(model);
	return drop;
}

static int cmd_sync(struct mp_store *st, int argc, char **argv)
{
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	int rc, status;

	if ((status = need_redis(st, "sync")))
		return status;
	mp_error_clear(&err);
	if (mp_pipe_in_init(&in, argv + 1, argc - 1, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		cJSON *model;
		if (rc < 0 || mp_stage_pull(st, item.model, item.json, model_json_only, &err) ||
		    mp_status_sync(st, item.model, &err)) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			if (!status)
				status = err.code;
			if (rc > 0)
				mp_pipe_item_free(&item);
			continue;
		}
		model = mp_status_read(item.model, &err);
		if (model)
			drop_done_jobs(st, model);
		if (!item.json)
			printf("%s: %s\n", item.model, model ? mp_json_str(model, "status") : "?");
		else
			mp_pipe_pass(&item);
		cJSON_Delete(model);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return status;
}

static int cmd_list(struct mp_store *st, int argc, char **argv)
{
	static const struct option opts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct mp_error err;
	int c, json = 0, status;
	cJSON *models, *jobs;

	if ((status = need_redis(st, "list")))
		return status;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j') {
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
		json = 1;
	}
	mp_error_clear(&err);
	models = mp_view_models(mp_store_redis(st), &err);
	jobs = models ? mp_queue_list(mp_store_redis(st), &err) : NULL;
	if (!models || !jobs) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		cJSON_Delete(models);
		return err.code;
	}
	mp_view_list(stdout, models, jobs, json);
	cJSON_Delete(models);
	cJSON_Delete(jobs);
	return 0;
}

static int cmd_watch(struct mp_store *st, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_view_watch w;
	struct mp_error err;
	int c, status;
	char *end;

	if ((status = need_redis(st, "watch")))
		return status;
	memset(&w, 0, sizeof(w));
	w.table = isatty(1);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			w.table = 0;
			break;
		case 'n':
			w.count = strtol(optarg, &end, 10);
			if (*end || end == optarg || w.count < 1) {
				fprintf(stderr, "mlstatus: --count: expected a positive number, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		case 't':
			w.timeout = strtod(optarg, &end);
			if (*end || end == optarg || !(w.timeout > 0)) {
				fprintf(stderr, "mlstatus: --timeout: expected seconds, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		default:
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	w.ids = argv + optind;
	w.n_ids = argc - optind;
	mp_error_clear(&err);
	if (mp_view_watch(mp_store_redis(st), &w, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	return 0;
}

/* An absolute name for a model directory that may not exist yet. */
static char *absolute_dir(const char *dir)
{
	char *abs = realpath(dir, NULL), *cwd;

	if (abs)
		return abs;
	if (dir[0] == '/')
		return xstrdup(dir);
	cwd = getcwd(NULL, 0);
	abs = cwd ? xasprintf("%s/%s", cwd, dir) : xstrdup(dir);
	free(cwd);
	return abs;
}

static int has_userinfo(const char *url)
{
	const char *a = strstr(url, "://"), *end;

	if (!a)
		return 0;
	a += 3;
	end = a + strcspn(a, "/?#");
	return memchr(a, '@', (size_t)(end - a)) != NULL;
}

/* A URL whose query carries a credential (what mlprep would redact). */
static int carries_secret(const char *url)
{
	char *shown = mp_url_redact(url);
	int secret = !has_userinfo(url) && strcmp(shown, url) != 0;

	free(shown);
	return secret;
}

static int cmd_enqueue(struct mp_store *st, int argc, char **argv)
{
	enum { O_STAGE = 256, O_INPUT, O_RETRIES, O_ID, O_TYPE, O_TEST, O_FRACTION, O_SEED, O_INCLUDE,
	       O_EXCLUDE, O_NAME };
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, O_STAGE },
		{ "input", required_argument, NULL, O_INPUT },
		{ "max-retries", required_argument, NULL, O_RETRIES },
		{ "id", required_argument, NULL, O_ID },
		{ "type", required_argument, NULL, O_TYPE },
		{ "test", required_argument, NULL, O_TEST },
		{ "test-fraction", required_argument, NULL, O_FRACTION },
		{ "seed", required_argument, NULL, O_SEED },
		{ "include", required_argument, NULL, O_INCLUDE },
		{ "exclude", required_argument, NULL, O_EXCLUDE },
		{ "name", required_argument, NULL, O_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_job_spec spec;
	struct mp_error err;
	const char *stage = "prep", *dir;
	char *id = NULL, *model = NULL, *input_abs = NULL, *test_abs = NULL, *endp, previous[32] = "";
	cJSON *extra, *ev;
	int c, status;
	long v;
	double f;

	if ((status = need_redis(st, "enqueue")))
		return status;
	memset(&spec, 0, sizeof(spec));
	spec.max_retries = 3;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_STAGE:
			stage = optarg;
			break;
		case O_INPUT:
			spec.input = optarg;
			break;
		case O_RETRIES:
			v = strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || v < 0 || v > 1000) {
				fprintf(stderr, "mlstatus: --max-retries: expected a number from 0 to 1000, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			spec.max_retries = (int)v;
			break;
		case O_ID:
			if (!mp_model_id_valid(optarg)) {
				fprintf(stderr, "mlstatus: --id: expected " MP_MODEL_ID_RULE ", got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			spec.id = optarg;
			break;
		case O_TYPE:
			if (strcmp(optarg, "binary") && strcmp(optarg, "categorical") && strcmp(optarg, "regression")) {
				fprintf(stderr, "mlstatus: --type: expected binary, categorical or regression, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			spec.type = optarg;
			break;
		case O_TEST:
			spec.test = optarg;
			break;
		case O_FRACTION:
			f = strtod(optarg, &endp);
			if (*endp || endp == optarg || !(f > 0 && f < 1)) {
				fprintf(stderr, "mlstatus: --test-fraction: expected a number between 0 and 1, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			spec.test_fraction = optarg;
			break;
		case O_SEED: {
			uint64_t seed;
			if (mp_parse_seed(optarg, &seed)) {
				fprintf(stderr, "mlstatus: --seed: expected an integer from 0 to 2^53-1, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			spec.seed = optarg;
			break;
		}
		case O_INCLUDE:
			spec.include = optarg;
			break;
		case O_EXCLUDE:
			spec.exclude = optarg;
			break;
		case O_NAME:
			spec.name = optarg;
			break;
		default:
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs("mlstatus: enqueue: expected one MODEL_DIR\n", stderr);
		return MP_EX_USAGE;
	}
	dir = argv[optind];
	if (!mp_queue_for_stage(stage)) {
		fprintf(stderr, "mlstatus: --stage: expected prep, train, batch, analyze or score, got '%s'\n", stage);
		return MP_EX_USAGE;
	}
	if (!strcmp(stage, "prep") && !spec.input) {
		fputs("mlstatus: enqueue: stage prep needs --input SRC (the CSV mlprep reads)\n", stderr);
		return MP_EX_USAGE;
	}
	if (strcmp(stage, "prep") && (spec.input || spec.test || spec.type || spec.test_fraction ||
				      spec.seed || spec.include || spec.exclude || spec.name)) {
		fputs("mlstatus: enqueue: mlprep's options go with --stage prep only\n", stderr);
		return MP_EX_USAGE;
	}
	if ((spec.input && has_userinfo(spec.input)) || (spec.test && has_userinfo(spec.test))) {
		/* a queue is shared: workers authenticate through ~/.netrc */
		fputs("mlstatus: enqueue: a URL with user:password@ is not stored in the queue; give workers the credentials in ~/.netrc\n", stderr);
		return MP_EX_USAGE;
	}
	if ((spec.input && carries_secret(spec.input)) || (spec.test && carries_secret(spec.test))) {
		fputs("mlstatus: enqueue: a URL with a signature, token or password in its query is not stored in the queue; give workers their own credentials\n", stderr);
		return MP_EX_USAGE;
	}
	if ((spec.input && !strcmp(spec.input, "-")) || (spec.test && !strcmp(spec.test, "-"))) {
		fputs("mlstatus: enqueue: a worker has no standard input to read: give a file or URL\n", stderr);
		return MP_EX_USAGE;
	}
	/* a worker runs in another directory, maybe on another host: a local
	 * input is recorded by its absolute path, as the model directory is */
	if (spec.input && !strstr(spec.input, "://"))
		spec.input = input_abs = absolute_dir(spec.input);
	if (spec.test && !strstr(spec.test, "://"))
		spec.test = test_abs = absolute_dir(spec.test);
	mp_error_clear(&err);
	if (mp_store_remote(st)) {
		spec.store = mp_remote_url(mp_store_remote(st));
		model = xstrdup(dir);
	} else {
		model = absolute_dir(dir);
		if (strcmp(stage, "prep") && !mp_file_exists(dir)) {
			fprintf(stderr, "mlstatus: '%s' is not a model directory (no model.json)\n", dir);
			free(model);
			free(input_abs);
			free(test_abs);
			return MP_EX_NOINPUT;
		}
	}
	spec.model = model;
	if (!spec.id)
		spec.id = id = mp_stage_store_id(dir, NULL);
	if (!mp_model_id_valid(spec.id)) {
		fprintf(stderr, "mlstatus: enqueue: the model id '%s' (the directory's name) is not " MP_MODEL_ID_RULE "; give --id\n",
			spec.id);
		free(model);
		free(id);
		free(input_abs);
		free(test_abs);
		return MP_EX_USAGE;
	}
	if (mp_queue_enqueue(mp_store_redis(st), stage, &spec, previous, sizeof(previous), &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		free(model);
		free(id);
		free(input_abs);
		free(test_abs);
		return err.code;
	}
	/* the model's hash: model.json as it is, or "queued" for a new one */
	{
		char *path = mp_path_join(dir, "model.json");
		if (mp_file_exists(path)) {
			mp_status_sync(st, dir, &err);
		} else {
			char *key = xasprintf("%s_ml:%s", mp_redis_prefix(mp_store_redis(st)), spec.id);
			char when[32];
			struct redisReply *reply;
			mp_iso_time(when);
			reply = mp_redis_cmd(mp_store_redis(st), &err,
					     "HSET %s _id %s status queued stage %s model %s updated_at %s",
					     key, spec.id, stage, model, when);
			mp_redis_reply_free(reply);
			free(key);
		}
		free(path);
	}
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "model_id", spec.id);
	cJSON_AddStringToObject(ev, "stage", "enqueue");
	cJSON_AddStringToObject(ev, "status", "queued");
	cJSON_AddStringToObject(ev, "queue", mp_queue_for_stage(stage));
	mp_status_event(st, ev);
	cJSON_Delete(ev);
	extra = cJSON_CreateObject();
	cJSON_AddStringToObject(extra, "queue", mp_queue_for_stage(stage));
	if (previous[0]) {
		fprintf(stderr, "mlstatus: warning: model id '%s' already had a %s job in the %s queue: replaced it\n",
			spec.id, previous, mp_queue_for_stage(stage));
		cJSON_AddStringToObject(extra, "replaced", previous);
	}
	mp_pipe_emit("enqueue", dir, spec.id, 1, 0, NULL, extra);
	free(model);
	free(id);
	free(input_abs);
	free(test_abs);
	return mp_stage_store_finish("mlstatus", st, 0);
}

static int cmd_claim(struct mp_store *st, int argc, char **argv)
{
	enum { O_STAGE = 256, O_LEASE, O_MAX };
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, O_STAGE },
		{ "lease", required_argument, NULL, O_LEASE },
		{ "max", required_argument, NULL, O_MAX },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_error err;
	const char *stage = NULL;
	long lease = 300, max = 1;
	char *owner, *endp;
	cJSON *jobs, *parked;
	const cJSON *j;
	long printed = 0;
	int c, status;

	if ((status = need_redis(st, "claim")))
		return status;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_STAGE:
			stage = optarg;
			break;
		case O_LEASE:
			lease = strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || lease < 1 || lease > 7 * 86400) {
				fprintf(stderr, "mlstatus: --lease: expected seconds from 1 to 604800, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		case O_MAX:
			max = strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || max < 1 || max > 10000) {
				fprintf(stderr, "mlstatus: --max: expected a number from 1 to 10000, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		default:
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	if (!stage || optind != argc) {
		fputs("mlstatus: claim: expected --stage S (and no model)\n", stderr);
		return MP_EX_USAGE;
	}
	if (!mp_queue_for_stage(stage)) {
		fprintf(stderr, "mlstatus: --stage: expected prep, train, batch, analyze or score, got '%s'\n", stage);
		return MP_EX_USAGE;
	}
	mp_error_clear(&err);
	owner = mp_queue_owner_new();
	/* jobs already done are removed, not handed out: claim again for
	 * their places while the queue has more */
	for (;;) {
		int claimed, dropped = 0;
		if (mp_queue_claim(mp_store_redis(st), stage, owner, (int)lease, (int)(max - printed),
				   mp_store_remote(st) ? mp_remote_url(mp_store_remote(st)) : NULL, &jobs, &parked,
				   &err))
			status = err.code;
		cJSON_ArrayForEach(j, parked)
			fprintf(stderr, "mlstatus: %s: its worker's lease ran out once too often: parked as failed\n",
				j->valuestring);
		claimed = cJSON_GetArraySize(jobs);
		cJSON_ArrayForEach(j, jobs) {
			char *text;
			if (!mp_store_remote(st) && already_done(st, j)) {
				dropped++;
				continue;
			}
			text = mp_json_print(j, 0);
			puts(text);
			free(text);
			printed++;
		}
		if (status || !dropped || printed >= max || claimed == 0)
			break;
		cJSON_Delete(jobs);
		cJSON_Delete(parked);
	}
	fflush(stdout);
	if (status)
		fprintf(stderr, "mlstatus: %s\n", err.msg);
	cJSON_Delete(jobs);
	cJSON_Delete(parked);
	free(owner);
	return status;
}

static int cmd_renew(struct mp_store *st, int argc, char **argv)
{
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	int rc, status;

	if ((status = need_redis(st, "renew")))
		return status;
	mp_error_clear(&err);
	(void)argv;
	if (argc > 1) {
		fputs("mlstatus: renew: reads pipe lines on standard input (no MODEL)\n", stderr);
		return MP_EX_USAGE;
	}
	if (mp_pipe_in_init(&in, NULL, 0, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		const cJSON *job = item.json ? cJSON_GetObjectItemCaseSensitive(item.json, "job") : NULL;
		char holder[256];
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			continue;
		}
		if (cJSON_IsObject(job)) {
			rc = mp_queue_renew(mp_store_redis(st), job, "mlstatus renew", holder, sizeof(holder), &err);
			if (rc == 0) {
				mp_queue_not_ours(job, holder, "dropped", &err);
				fprintf(stderr, "mlstatus: %s\n", err.msg);
				status = status ? status : err.code;
				mp_pipe_item_free(&item);
				continue;
			}
			if (rc < 0) {
				fprintf(stderr, "mlstatus: %s\n", err.msg);
				status = status ? status : err.code;
			}
		}
		mp_pipe_pass(&item);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return status;
}

static int cmd_release(struct mp_store *st, int argc, char **argv)
{
	enum { O_ERROR = 256, O_FORCE, O_STAGE };
	static const struct option opts[] = {
		{ "error", required_argument, NULL, O_ERROR },
		{ "force", no_argument, NULL, O_FORCE },
		{ "stage", required_argument, NULL, O_STAGE },
		{ NULL, 0, NULL, 0 },
	};
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	const char *error = NULL, *stage = NULL;
	int c, rc, status, force = 0;

	if ((status = need_redis(st, "release")))
		return status;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_ERROR:
			error = optarg;
			break;
		case O_FORCE:
			force = 1;
			break;
		case O_STAGE:
			if (!mp_queue_for_stage(optarg)) {
				fprintf(stderr, "mlstatus: --stage: expected prep, train, batch, analyze or score, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			stage = optarg;
			break;
		default:
			fputs("Try 'mlstatus --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	mp_error_clear(&err);
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		cJSON *job = NULL, *extra;
		const char *why = error ? error : (!item.ok ? (item.error ? item.error : "failed upstream") : NULL);
		char *id = NULL;
		int by_name = !item.json;
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			continue;
		}
		if (item.json && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(item.json, "job"))) {
			job = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(item.json, "job"), 1);
		} else {
			id = mp_stage_store_id(item.model, item.json);
			job = mp_queue_find(mp_store_redis(st), id, stage, &err);
			if (!job) {
				if (err.code)
					fprintf(stderr, "mlstatus: %s\n", err.msg);
				else
					fprintf(stderr, "mlstatus: %s: no queued job%s%s\n", id, stage ? " for stage " : "",
						stage ? stage : "");
				status = status ? status : (err.code ? err.code : MP_EX_NOINPUT);
				free(id);
				mp_pipe_item_free(&item);
				continue;
			}
		}
		extra = cJSON_CreateObject();
		if (!why) {
			rc = mp_queue_done(mp_store_redis(st), job, force || by_name, &err);
			cJSON_AddStringToObject(extra, "job", rc > 0 ? "removed" : rc == 0 ? "gone" : "kept");
		} else {
			const char *outcome = "kept";
			int errors = 0;
			rc = mp_queue_fail(mp_store_redis(st), job, why, force || by_name, &outcome, &errors, &err);
			cJSON_AddStringToObject(extra, "job", rc ? "kept" : outcome);
			cJSON_AddNumberToObject(extra, "errors", errors);
		}
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = status ? status : err.code;
		}
		cJSON_AddStringToObject(extra, "key", mp_json_str(job, "key"));
		mp_pipe_emit("release", item.model, id ? id : (item.json ? mp_json_str(item.json, "id") : NULL),
			     rc >= 0, 0, rc < 0 ? err.msg : NULL, extra);
		cJSON_Delete(job);
		free(id);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return status;
}

static const struct command {
	const char *name;
	int (*fn)(struct mp_store *st, int argc, char **argv);
} commands[] = {
	{ "show", cmd_show },
	{ "set", cmd_set },
	{ "complete", cmd_complete },
	{ "select", cmd_select },
	{ "sync", cmd_sync },
	{ "list", cmd_list },
	{ "watch", cmd_watch },
	{ "enqueue", cmd_enqueue },
	{ "claim", cmd_claim },
	{ "renew", cmd_renew },
	{ "release", cmd_release },
};

int main(int argc, char **argv)
{
	const char *redis = NULL, *store = NULL;
	struct mp_store *st;
	struct mp_error err;
	size_t i;
	int argi = 1, status;

	mp_check_stdout_at_exit();

	while (argi < argc && argv[argi][0] == '-') {
		if (!strcmp(argv[argi], "-h") || !strcmp(argv[argi], "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(argv[argi], "-V") || !strcmp(argv[argi], "--version")) {
			printf("mlstatus (mlpipe) %s\n", MLPIPE_VERSION);
			return 0;
		} else if (!strcmp(argv[argi], "--redis") && argi + 1 < argc) {
			redis = argv[argi + 1];
			argi += 2;
		} else if (!strncmp(argv[argi], "--redis=", 8)) {
			redis = argv[argi] + 8;
			argi++;
		} else if (!strcmp(argv[argi], "--store") && argi + 1 < argc) {
			store = argv[argi + 1];
			argi += 2;
		} else if (!strncmp(argv[argi], "--store=", 8)) {
			store = argv[argi] + 8;
			argi++;
		} else if ((!strcmp(argv[argi], "--env") && argi + 1 < argc) || !strncmp(argv[argi], "--env=", 6)) {
			setenv("MLPIPE_ENV", argv[argi][5] == '=' ? argv[argi] + 6 : argv[argi + 1], 1);
			argi += argv[argi][5] == '=' ? 1 : 2;
		} else {
			fprintf(stderr, "mlstatus: unknown option '%s'\nTry 'mlstatus --help'.\n", argv[argi]);
			return MP_EX_USAGE;
		}
	}
	if (argi >= argc) {
		fputs(usage, stderr);
		return MP_EX_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[argi], commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		fprintf(stderr, "mlstatus: unknown command '%s'\nTry 'mlstatus --help'.\n", argv[argi]);
		return MP_EX_USAGE;
	}
	mp_error_clear(&err);
	st = mp_store_open_with(redis, store, &err);
	if (!st) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	status = commands[i].fn(st, argc - argi, argv + argi);
	mp_store_close(st);
	return status;
}
