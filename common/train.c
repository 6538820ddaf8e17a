/* train.c — the training driver. Up to `threads` algorithms train at the
 * same time; each gets a thread pool of `threads` workers for its own
 * loops (so the last one running still uses every core). Algorithms give
 * identical results for any thread count, so the schedule never changes
 * a model file. The calling thread watches progress and writes it to
 * model.json while the workers train. */
#include "train.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "fileio.h"
#include "jsonio.h"
#include "models/model.h"
#include "threadpool.h"

struct job {
	const struct mp_algorithm *algo;
	struct mp_params params;
	_Atomic int progress_permille;
	_Atomic int state; /* 0 pending, 1 running, 2 done */
	int failed;
	struct mp_error err;
	double seconds;
	cJSON *info;
};

struct driver {
	const struct mp_train_options *o;
	const char *dir;
	const struct mp_dataset *train;
	struct job *jobs;
	size_t n_jobs;
	_Atomic size_t next;
	pthread_mutex_t lock; /* serialises model.json updates from workers */
	pthread_cond_t job_done; /* signalled under lock as each job ends */
	int threads;
};

static void on_progress(void *arg, double fraction)
{
	struct job *j = arg;
	int pm = (int)(fraction * 1000);

	if (pm < 0)
		pm = 0;
	if (pm > 999)
		pm = 999; /* 100% is reported when the model is saved */
	if (pm > atomic_load(&j->progress_permille))
		atomic_store(&j->progress_permille, pm);
}

static int parse_set(const char *s, char **algo, char **param, const char **value)
{
	const char *dot = strchr(s, '.'), *eq = strchr(s, '=');

	if (!dot || !eq || dot > eq || dot == s || eq == dot + 1)
		return -1;
	*algo = xstrndup(s, (size_t)(dot - s));
	*param = xstrndup(dot + 1, (size_t)(eq - dot - 1));
	*value = eq + 1;
	return 0;
}

int mp_train_check_options(const struct mp_train_options *o, struct mp_error *err)
{
	size_t i;

	if (mp_threads_from(o->threads, err) < 0)
		return -1;

	for (i = 0; i < o->n_algorithms; i++)
		if (!mp_algorithm_find(o->algorithms[i]))
			return mp_error_set(err, MP_EX_USAGE, "--algorithms: unknown algorithm '%s'",
					    o->algorithms[i]);
	for (i = 0; i < o->n_sets; i++) {
		char *algo, *param;
		const char *value;
		const struct mp_algorithm *a;
		struct mp_params p;
		int rc;
		if (parse_set(o->sets[i], &algo, &param, &value))
			return mp_error_set(err, MP_EX_USAGE,
					    "--set: expected algorithm.parameter=value, got '%s'",
					    o->sets[i]);
		a = mp_algorithm_find(algo);
		if (!a) {
			mp_error_set(err, MP_EX_USAGE, "--set: unknown algorithm '%s'", algo);
			free(algo);
			free(param);
			return -1;
		}
		mp_params_init(&p, a->params, a->n_params, MP_BINARY);
		rc = mp_params_set(&p, algo, param, value, err);
		mp_params_free(&p);
		free(algo);
		free(param);
		if (rc)
			return mp_error_prefix(err, "--set");
	}
	return 0;
}

static int check_config_entry(const struct mp_config_entry *e, struct mp_error *err)
{
	char **part = NULL;
	size_t n = mp_split_list(e->key, '.', &part), i;
	enum mp_task task = MP_BINARY;
	int have_task = n >= 2 && !mp_task_parse(part[0], &task), rc = -1;
	const struct mp_algorithm *a;

	if (n == 2 && have_task && !strcmp(part[1], "algorithms")) {
		char **names = NULL;
		size_t k = mp_split_list(e->value, ',', &names);
		rc = 0;
		if (k == 0)
			rc = mp_error_set(err, MP_EX_USAGE, "%s: expected a comma-separated list of algorithms", e->key);
		for (i = 0; i < k && !rc; i++)
			if (!(a = mp_algorithm_find(names[i])))
				rc = mp_error_set(err, MP_EX_USAGE, "%s: unknown algorithm '%s'", e->key, names[i]);
			else if (!(a->tasks & MP_TASK_BIT(task)))
				rc = mp_error_set(err, MP_EX_USAGE, "%s: %s cannot train %s models", e->key, names[i],
						  part[0]);
		mp_free_list(names, k);
	} else if ((n == 2 && !have_task) || (n == 3 && have_task)) {
		const char *algo = part[n - 2], *param = part[n - 1];
		if (!(a = mp_algorithm_find(algo))) {
			rc = mp_error_set(err, MP_EX_USAGE, "'%s': unknown algorithm '%s'", e->key, algo);
		} else {
			struct mp_params p;
			mp_params_init(&p, a->params, a->n_params, task);
			rc = mp_params_set(&p, algo, param, e->value, err);
			mp_params_free(&p);
		}
	} else {
		rc = mp_error_set(err, MP_EX_USAGE,
				  "unknown setting '%s' (expected TYPE.algorithms, ALGORITHM.PARAMETER or TYPE.ALGORITHM.PARAMETER, TYPE one of binary, categorical, regression)",
				  e->key);
	}
	mp_free_list(part, n);
	return rc;
}

int mp_train_check_config(const struct mp_config *cfg, struct mp_error *err)
{
	size_t i;

	for (i = 0; i < cfg->n; i++)
		if (check_config_entry(&cfg->entries[i], err))
			return mp_error_prefix(err, "'%s' line %zu", cfg->path, cfg->entries[i].line);
	return 0;
}

static int resolve_params(const struct mp_train_options *o, enum mp_task task, struct job *j,
			  struct mp_error *err)
{
	size_t i;

	mp_params_init(&j->params, j->algo->params, j->algo->n_params, task);
	if (o->config && mp_config_apply(o->config, task, j->algo->name, &j->params, err))
		return -1;
	for (i = 0; i < o->n_sets; i++) {
		char *algo, *param;
		const char *value;
		int rc = 0;
		if (parse_set(o->sets[i], &algo, &param, &value))
			continue; /* rejected earlier by mp_train_check_options */
		if (!strcmp(algo, j->algo->name))
			rc = mp_params_set(&j->params, algo, param, value, err);
		free(algo);
		free(param);
		if (rc)
			return mp_error_prefix(err, "--set");
	}
	return 0;
}

/* ---- recording in model.json ---- */

struct algo_update {
	struct driver *d;
	struct job *job;    /* NULL: update the progress of every running job */
};

static void set_params(cJSON *a, const struct job *j)
{
	cJSON *p = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < j->params.n; i++)
		cJSON_AddNumberToObject(p, j->params.spec[i].name, j->params.value[i]);
	mp_json_set(a, "params", p);
}

/* An algorithm an earlier run left pending or training, and that this run
 * does not train, was interrupted (the process died): say so, so the model
 * can end complete or failed instead of waiting for it forever. */
static void mark_interrupted(cJSON *model, const struct driver *d)
{
	cJSON *algos = cJSON_GetObjectItemCaseSensitive(model, "algorithms"), *a;
	size_t i;

	cJSON_ArrayForEach(a, algos) {
		const char *s = mp_json_str(a, "status");
		if (!s || (strcmp(s, "training") && strcmp(s, "pending")))
			continue;
		for (i = 0; i < d->n_jobs; i++)
			if (!strcmp(d->jobs[i].algo->name, a->string))
				break;
		if (i < d->n_jobs)
			continue;
		mp_status_set(a, "status", "failed");
		mp_status_set(a, "error", "training was interrupted: the run that started it ended before it finished");
	}
}

static int write_progress(cJSON *model, void *arg, struct mp_error *err)
{
	struct algo_update *u = arg;
	size_t i;

	(void)err;
	for (i = 0; i < u->d->n_jobs; i++) {
		struct job *j = &u->d->jobs[i];
		cJSON *a = mp_status_algorithm(model, j->algo->name);
		int state = atomic_load(&j->state);
		if (u->job && u->job != j)
			continue;
		if (state == 2) {
			mp_status_set(a, "status", j->failed ? "failed" : "trained");
			mp_json_set(a, "progress", cJSON_CreateNumber(100));
			mp_status_set(a, "error", j->failed ? j->err.msg : NULL);
			mp_json_set(a, "seconds", cJSON_CreateNumber((double)(long)(j->seconds * 1000 + 0.5) / 1000));
			if (!j->failed) {
				char *rel = xasprintf("models/%s.json.zst", j->algo->name);
				cJSON *files = cJSON_CreateObject();
				cJSON_AddStringToObject(files, "model", rel);
				mp_json_set(a, "files", files);
				mp_json_set(a, "info", cJSON_Duplicate(j->info, 1));
				mp_json_set(a, "metrics", cJSON_CreateObject());
				free(rel);
			}
		} else {
			mp_status_set(a, "status", state == 1 ? "training" : "pending");
			mp_json_set(a, "progress",
				    cJSON_CreateNumber(atomic_load(&j->progress_permille) / 10));
			mp_status_set(a, "error", NULL);
			if (state == 0) {
				set_params(a, j);
				cJSON_DeleteItemFromObjectCaseSensitive(a, "files");
				cJSON_DeleteItemFromObjectCaseSensitive(a, "info");
				cJSON_DeleteItemFromObjectCaseSensitive(a, "metrics");
				cJSON_DeleteItemFromObjectCaseSensitive(a, "seconds");
			}
		}
	}
	if (!u->job) {
		mp_status_set(model, "status", "training");
		mark_interrupted(model, u->d);
	}
	return 0;
}

static void record(struct driver *d, struct job *job)
{
	struct algo_update u = { d, job };
	struct mp_error err;

	mp_error_clear(&err);
	pthread_mutex_lock(&d->lock);
	if (mp_status_update(d->o->store, d->dir, 0, write_progress, &u, &err) && !d->o->quiet)
		fprintf(stderr, "mltrain: %s\n", err.msg);
	pthread_mutex_unlock(&d->lock);
}

static void publish(struct driver *d, const char *id, const struct job *j)
{
	cJSON *ev;

	if (!mp_store_has_redis(d->o->store))
		return;
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "model_id", id ? id : "");
	cJSON_AddStringToObject(ev, "stage", "train");
	cJSON_AddStringToObject(ev, "algorithm", j->algo->name);
	cJSON_AddNumberToObject(ev, "progress", atomic_load(&j->state) == 2 ? 100
					      : atomic_load(&j->progress_permille) / 10);
	cJSON_AddStringToObject(ev, "status", atomic_load(&j->state) == 2
						     ? (j->failed ? "failed" : "trained")
						     : "training");
	if (j->failed)
		cJSON_AddStringToObject(ev, "error", j->err.msg);
	mp_status_event(d->o->store, ev);
	cJSON_Delete(ev);
}

/* ---- the workers ---- */

static void train_one(struct driver *d, struct job *j)
{
	struct mp_train_ctx ctx;
	struct mp_pool *pool = mp_pool_new(d->threads);
	struct mp_model *m;
	double t0 = mp_now();

	memset(&ctx, 0, sizeof(ctx));
	ctx.task = d->train->task;
	ctx.seed = d->o->seed;
	ctx.pool = pool;
	ctx.params = &j->params;
	ctx.progress = on_progress;
	ctx.progress_arg = j;
	ctx.info = cJSON_CreateObject();
	m = mp_model_train(j->algo, d->train, &ctx, &j->err);
	if (m) {
		char *rel = xasprintf("models/%s.json.zst", j->algo->name);
		char *path = mp_path_join(d->dir, rel);
		if (mp_model_save(m, path, &j->err))
			j->failed = 1;
		free(rel);
		free(path);
		j->info = cJSON_Duplicate(m->info, 1);
		mp_model_free(m);
	} else {
		size_t n = strlen(j->algo->name);
		j->failed = 1;
		if (!j->err.code)
			mp_error_set(&j->err, MP_EX_SOFTWARE, "training failed without a message");
		/* the algorithm's name goes before the message where it is shown */
		if (!strncmp(j->err.msg, j->algo->name, n) && !strncmp(j->err.msg + n, ": ", 2))
			memmove(j->err.msg, j->err.msg + n + 2, strlen(j->err.msg + n + 2) + 1);
	}
	cJSON_Delete(ctx.info);
	mp_pool_free(pool);
	j->seconds = mp_now() - t0;
	atomic_store(&j->state, 2);
}

static void *worker(void *arg)
{
	struct driver *d = arg;
	size_t i;

	while ((i = atomic_fetch_add(&d->next, 1)) < d->n_jobs) {
		atomic_store(&d->jobs[i].state, 1);
		train_one(d, &d->jobs[i]);
		record(d, &d->jobs[i]);
		pthread_mutex_lock(&d->lock);
		pthread_cond_signal(&d->job_done);
		pthread_mutex_unlock(&d->lock);
	}
	return NULL;
}

/* ---- progress display ---- */

static void show_progress(struct driver *d, int final)
{
	size_t i;

	if (d->o->progress == MP_PROGRESS_JSON) {
		for (i = 0; i < d->n_jobs; i++) {
			struct job *j = &d->jobs[i];
			int state = atomic_load(&j->state);
			fprintf(stderr, "{\"algorithm\":\"%s\",\"progress\":%d,\"status\":\"%s\"}\n",
				j->algo->name, state == 2 ? 100 : atomic_load(&j->progress_permille) / 10,
				state == 2 ? (j->failed ? "failed" : "trained")
					   : state == 1 ? "training" : "pending");
		}
		return;
	}
	{
		struct winsize ws;
		size_t width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
		struct mp_buf line = MP_BUF_INIT;
		int pass;

		/* one line that fits the terminal, rewritten in place: the full
		 * names, else their initials (dt, rf, nn, gb), else cut short */
		for (pass = 0; pass < 2; pass++) {
			line.len = 0;
			for (i = 0; i < d->n_jobs; i++) {
				struct job *j = &d->jobs[i];
				int state = atomic_load(&j->state);
				char shortname[16] = "";
				const char *name = j->algo->name, *p;
				if (pass == 1 && strchr(name, '_')) {
					size_t k = 0;
					shortname[k++] = name[0];
					for (p = name; (p = strchr(p, '_')) != NULL && k < sizeof(shortname) - 1; p++)
						shortname[k++] = p[1];
					shortname[k] = '\0';
					name = shortname;
				}
				if (state == 2)
					mp_buf_addf(&line, "%s %s  ", name, j->failed ? "FAILED" : "done");
				else
					mp_buf_addf(&line, "%s %3d%%  ", name, atomic_load(&j->progress_permille) / 10);
			}
			if (line.len < width)
				break;
		}
		if (line.len >= width)
			line.len = width - 1;
		fprintf(stderr, "\r%.*s\033[K", (int)line.len, line.data ? line.data : "");
		mp_buf_free(&line);
	}
	if (final)
		fputc('\n', stderr);
}

int mp_train_model(const char *dir, const struct mp_train_options *o, cJSON *out,
		   struct mp_error *err)
{
	struct driver d;
	cJSON *model, *summary;
	const char *type;
	char **names = NULL, *id = NULL;
	size_t n_names = 0, i, n_ok = 0;
	pthread_t *tids = NULL;
	size_t n_threads;
	enum mp_task task;
	int show, rc = -1, last_pm_sum = -1;
	double last_write;

	memset(&d, 0, sizeof(d));
	model = mp_status_read(dir, err);
	if (!model)
		return -1;
	type = mp_json_str(model, "type");
	if (mp_json_str(model, "id"))
		id = xstrdup(mp_json_str(model, "id"));
	if (!type || mp_task_parse(type, &task)) {
		mp_error_set(err, MP_EX_DATAERR, "'%s': model.json has no model type (was mlprep run?)", dir);
		goto out;
	}
	/* which algorithms */
	if (o->algorithms) {
		names = o->algorithms;
		n_names = o->n_algorithms;
	} else {
		char *key = xasprintf("%s.algorithms", type);
		const char *list = o->config ? mp_config_get(o->config, key) : NULL;
		free(key);
		if (list) {
			n_names = mp_split_list(list, ',', &names);
		} else {
			names = xcalloc(mp_algorithm_count, sizeof(char *));
			for (i = 0; i < mp_algorithm_count; i++)
				if (mp_algorithms[i]->tasks & MP_TASK_BIT(task))
					names[n_names++] = xstrdup(mp_algorithms[i]->name);
		}
	}
	if (n_names == 0) {
		mp_error_set(err, MP_EX_USAGE, "no algorithms to train");
		goto out;
	}
	d.o = o;
	d.dir = dir;
	d.threads = mp_threads_from(o->threads, err);
	if (d.threads < 0)
		goto out;
	d.jobs = xcalloc(n_names, sizeof(*d.jobs));
	pthread_mutex_init(&d.lock, NULL);
	pthread_cond_init(&d.job_done, NULL);
	for (i = 0; i < n_names; i++) {
		struct job *j = &d.jobs[d.n_jobs];
		size_t k;
		j->algo = mp_algorithm_find(names[i]);
		if (!j->algo) {
			mp_error_set(err, MP_EX_USAGE, "unknown algorithm '%s'%s", names[i],
				     o->algorithms ? "" : " (in the configuration)");
			goto out;
		}
		for (k = 0; k < d.n_jobs; k++)
			if (d.jobs[k].algo == j->algo)
				break;
		if (k < d.n_jobs)
			continue; /* listed twice */
		if (!(j->algo->tasks & MP_TASK_BIT(task))) {
			mp_error_set(err, MP_EX_USAGE, "%s cannot train %s models", j->algo->name, type);
			goto out;
		}
		if (resolve_params(o, task, j, err))
			goto out;
		d.n_jobs++;
	}
	d.train = mp_dataset_load(dir, "train", err);
	if (!d.train)
		goto out;
	{
		char *models_dir = mp_path_join(dir, "models");
		int mk = mp_mkdirs(models_dir, err);
		free(models_dir);
		if (mk)
			goto out;
	}
	record(&d, NULL);

	show = !o->quiet && (o->progress == MP_PROGRESS_JSON ||
			     (o->progress == MP_PROGRESS_AUTO && isatty(2)));
	n_threads = (size_t)d.threads < d.n_jobs ? (size_t)d.threads : d.n_jobs;
	tids = xcalloc(n_threads, sizeof(*tids));
	for (i = 0; i < n_threads; i++)
		pthread_create(&tids[i], NULL, worker, &d);
	last_write = mp_now();
	for (;;) {
		size_t done = 0;
		int pm_sum = 0;
		struct timespec until;
		for (i = 0; i < d.n_jobs; i++) {
			done += atomic_load(&d.jobs[i].state) == 2;
			pm_sum += atomic_load(&d.jobs[i].progress_permille);
		}
		if (done == d.n_jobs)
			break;
		if (show && o->progress != MP_PROGRESS_JSON)
			show_progress(&d, 0);
		/* model.json and events at most every two seconds, and only on change */
		if (mp_now() - last_write >= 2 && pm_sum != last_pm_sum) {
			for (i = 0; i < d.n_jobs; i++)
				if (atomic_load(&d.jobs[i].state) == 1) {
					record(&d, &d.jobs[i]);
					publish(&d, id, &d.jobs[i]);
					if (show && o->progress == MP_PROGRESS_JSON)
						show_progress(&d, 0);
				}
			last_write = mp_now();
			last_pm_sum = pm_sum;
		}
		/* the display every 0.2 s; the end of the last job at once */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&d.lock);
		for (done = 0, i = 0; i < d.n_jobs; i++)
			done += atomic_load(&d.jobs[i].state) == 2;
		if (done < d.n_jobs)
			pthread_cond_timedwait(&d.job_done, &d.lock, &until);
		pthread_mutex_unlock(&d.lock);
	}
	for (i = 0; i < n_threads; i++)
		pthread_join(tids[i], NULL);
	if (show)
		show_progress(&d, 1);

	summary = cJSON_CreateObject();
	for (i = 0; i < d.n_jobs; i++) {
		struct job *j = &d.jobs[i];
		publish(&d, id, j);
		cJSON_AddStringToObject(summary, j->algo->name, j->failed ? "failed" : "trained");
		if (j->failed) {
			if (!o->quiet)
				fprintf(stderr, "mltrain: %s: %s: %s\n", dir, j->algo->name, j->err.msg);
		} else {
			n_ok++;
		}
	}
	cJSON_AddItemToObject(out, "algorithms", summary);
	if (n_ok == 0) {
		/* the first failure explains it; all are in model.json */
		mp_error_set(err, d.jobs[0].err.code ? d.jobs[0].err.code : MP_EX_SOFTWARE,
			     "every algorithm failed (%s: %s)", d.jobs[0].algo->name, d.jobs[0].err.msg);
		goto out;
	}
	rc = 0;
out:
	free(tids);
	for (i = 0; i < d.n_jobs; i++) {
		mp_params_free(&d.jobs[i].params);
		cJSON_Delete(d.jobs[i].info);
	}
	if (d.jobs) {
		pthread_mutex_destroy(&d.lock);
		pthread_cond_destroy(&d.job_done);
	}
	free(d.jobs);
	mp_dataset_free((struct mp_dataset *)d.train);
	if (names && names != o->algorithms)
		mp_free_list(names, n_names);
	cJSON_Delete(model);
	free(id);
	return rc;
}
