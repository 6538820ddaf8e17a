/* mlprep — ingest a CSV of historical outcomes into a model directory:
 * types, split, statistics, encoders, encoded and original splits. */
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "fileio.h"
#include "jsonio.h"
#include "pipe.h"
#include "prep.h"
#include "queue.h"
#include "stage.h"
#include "status.h"
#include "util.h"

static const char usage[] =
	"usage: mlprep [options] INPUT -o DIR\n"
	"       mlstatus claim --stage prep | mlprep --jobs [options] | mltrain ...\n"
	"\n"
	"Reads INPUT (a CSV file, - for standard input, http(s):// or s3:// URL) whose\n"
	"column historical_result holds the known outcome, and writes the model\n"
	"directory DIR: model.json, datasource.json, data/*.csv.zst.\n"
	"\n"
	"  -o, --output DIR        model directory to write (created if needed)\n"
	"  -t, --type TYPE         binary, categorical or regression (default: inferred:\n"
	"                          only true/false -> binary, all numbers -> regression,\n"
	"                          else categorical)\n"
	"      --test FILE         take the test split from FILE (same columns)\n"
	"      --test-fraction F   random split, F of the rows in test (0 < F < 1),\n"
	"                          stratified by class for binary and categorical models\n"
	"      --seed N            seed of the random split (default 1)\n"
	"      --include COLS      use only these predictor columns (comma-separated)\n"
	"      --exclude COLS      leave these columns out (comma-separated)\n"
	"      --id ID             model id (default: the directory's name)\n"
	"      --name NAME         display name (default: the input file's name)\n"
	"      --redis URL         also keep the status in Redis (or MLPIPE_REDIS_URL)\n"
	"      --store URL         share the model through s3://bucket/prefix (or\n"
	"                          MLPIPE_STORE): fetch its files first, upload after\n"
	"      --jobs              read claimed jobs (pipe lines of mlstatus claim) on\n"
	"                          standard input: each names its input, directory\n"
	"                          and options; the lease is renewed while working\n"
	"  -q, --quiet             no messages on stderr except errors\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n"
	"\n"
	"Default split: data rows 1-7 of every 10 train, rows 8-10 test.\n"
	"Exit status: 0 ok, 1 (--jobs) a line failed upstream, 2 usage, 65 bad data,\n"
	"66 input missing, 69 service unavailable, 73 cannot create output, 74 I/O\n"
	"error, 75 the job is held by another worker. See mlprep(1).\n";

enum { OPT_TEST = 256, OPT_TEST_FRACTION, OPT_SEED, OPT_INCLUDE, OPT_EXCLUDE, OPT_ID, OPT_NAME,
       OPT_REDIS, OPT_STORE, OPT_JOBS };

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "type", required_argument, NULL, 't' },
	{ "test", required_argument, NULL, OPT_TEST },
	{ "test-fraction", required_argument, NULL, OPT_TEST_FRACTION },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "id", required_argument, NULL, OPT_ID },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "jobs", no_argument, NULL, OPT_JOBS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct record_arg {
	const struct mp_prep_options *o;
	const struct mp_prep_result *res;
	const char *id, *name;
	const char *error;
	double seconds;
};

/* A new prep starts the model's record afresh: earlier algorithms and
 * metrics describe other data. The history is kept. A failed prep changes
 * no output file, so over an earlier prepared model it records only the
 * failure: the rest still describes the files that are there. */
static int record(cJSON *model, void *arg, struct mp_error *err)
{
	struct record_arg *a = arg;
	cJSON *history, *input, *e;

	(void)err;
	if (a->error && mp_json_str(model, "type")) {
		mp_status_set(model, "status", "failed");
		mp_status_set(model, "stage", "prep");
		mp_status_set(model, "error", a->error);
		mp_status_history(model, "prep", 0, a->seconds, a->error);
		return 0;
	}
	history = cJSON_DetachItemFromObjectCaseSensitive(model, "history");
	while ((e = model->child) != NULL)
		cJSON_Delete(cJSON_DetachItemViaPointer(model, e));
	cJSON_AddStringToObject(model, "format", MP_STATUS_FORMAT);
	cJSON_AddStringToObject(model, "id", a->id);
	cJSON_AddStringToObject(model, "name", a->name);
	if (a->error)
		cJSON_AddNullToObject(model, "type");
	else
		cJSON_AddStringToObject(model, "type", mp_task_name(a->res->task));
	cJSON_AddNullToObject(model, "industry");
	cJSON_AddStringToObject(model, "status", a->error ? "failed" : "prepared");
	cJSON_AddStringToObject(model, "stage", "prep");
	if (a->error)
		cJSON_AddStringToObject(model, "error", a->error);
	else
		cJSON_AddNullToObject(model, "error");
	input = cJSON_CreateObject();
	cJSON_AddStringToObject(input, "source", a->o->input);
	if (!a->error) {
		cJSON_AddStringToObject(input, "sha256", a->res->sha256);
		cJSON_AddNumberToObject(input, "bytes", (double)a->res->bytes);
		cJSON_AddNumberToObject(input, "rows", (double)a->res->rows);
		cJSON_AddNumberToObject(input, "train_rows", (double)a->res->train_rows);
		cJSON_AddNumberToObject(input, "test_rows", (double)a->res->test_rows);
		cJSON_AddNumberToObject(input, "features", (double)a->res->n_features);
	}
	if (a->o->test_input)
		cJSON_AddStringToObject(input, "test_source", a->o->test_input);
	cJSON_AddItemToObject(model, "input", input);
	cJSON_AddItemToObject(model, "algorithms", cJSON_CreateObject());
	cJSON_AddNullToObject(model, "selected_algorithm");
	if (history)
		cJSON_AddItemToObject(model, "history", history);
	mp_status_history(model, "prep", !a->error, a->seconds, a->error);
	return 0;
}

static char *default_name(const char *input)
{
	char *copy = xstrdup(input), *base, *dot, *name;

	if (!strcmp(input, "-")) {
		free(copy);
		return xstrdup("stdin");
	}
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && dot != base)
		*dot = '\0';
	name = xstrdup(base);
	free(copy);
	return name;
}

static char *default_id(const char *dir)
{
	char *copy = xstrdup(dir), *id;
	size_t n = strlen(copy);

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	id = xstrdup(basename(copy));
	free(copy);
	return id;
}

/* Prepares one model: o->input into o->out_dir. line, for a job, is
 * its pipe line (its "job" member travels on) and lease its lease, ended
 * here: a job another worker took over meanwhile is theirs to record and
 * pass on. Returns the exit status. */
static int prep_one(struct mp_prep_options *o, const char *id_opt, const char *name_opt,
		    struct mp_store *store, int quiet, const cJSON *line, struct mp_lease *lease)
{
	struct mp_prep_result res;
	struct mp_error err, lost;
	char *id, *name;
	int status = 0, failed;
	double t0 = mp_now();

	memset(&res, 0, sizeof(res));
	mp_error_clear(&err);
	mp_error_clear(&lost);
	/* recorded and shown without credentials; still opens the real URL */
	o->input = mp_fetch_public_name(o->input);
	if (o->test_input)
		o->test_input = mp_fetch_public_name(o->test_input);
	id = id_opt ? xstrdup(id_opt) : default_id(o->out_dir);
	name = name_opt ? xstrdup(name_opt) : default_name(o->input);
	mp_stage_event(store, id, "prep", "started", NULL);
	failed = mp_mkdirs(o->out_dir, &err) || mp_prep_run(o, &res, &err);
	if (mp_lease_end(lease, &lost)) {
		fprintf(stderr, "mlprep: %s\n", lost.msg);
		status = lost.code;
	} else if (failed) {
		struct record_arg a = { o, &res, id, name, err.msg, mp_now() - t0 };
		struct mp_error err2;
		fprintf(stderr, "mlprep: %s\n", err.msg);
		status = err.code ? err.code : MP_EX_SOFTWARE;
		/* record the failure where the model would have been; when the
		 * directory could not be written to, that was the one error */
		mp_error_clear(&err2);
		if (mp_file_exists(o->out_dir) &&
		    (mp_status_update(store, o->out_dir, 1, record, &a, &err2) ||
		     mp_stage_push(store, o->out_dir, line, &err2)) &&
		    status != MP_EX_CANTCREAT)
			fprintf(stderr, "mlprep: %s\n", err2.msg);
		mp_stage_event(store, id, "prep", "failed", err.msg);
		mp_pipe_emit("prep", o->out_dir, id, 0, mp_now() - t0, err.msg, mp_stage_carry(line, NULL));
	} else {
		struct record_arg a = { o, &res, id, name, NULL, mp_now() - t0 };
		cJSON *extra = cJSON_CreateObject();
		if (mp_status_update(store, o->out_dir, 1, record, &a, &err) ||
		    mp_stage_push(store, o->out_dir, line, &err)) {
			fprintf(stderr, "mlprep: %s\n", err.msg);
			status = err.code;
			mp_pipe_emit("prep", o->out_dir, id, 0, mp_now() - t0, err.msg, mp_stage_carry(line, NULL));
			cJSON_Delete(extra);
		} else {
			cJSON_AddStringToObject(extra, "type", mp_task_name(res.task));
			cJSON_AddNumberToObject(extra, "rows", (double)res.rows);
			cJSON_AddNumberToObject(extra, "train_rows", (double)res.train_rows);
			cJSON_AddNumberToObject(extra, "test_rows", (double)res.test_rows);
			cJSON_AddNumberToObject(extra, "features", (double)res.n_features);
			if (!quiet)
				fprintf(stderr, "mlprep: %s: %s model, %zu rows (%zu train, %zu test), %zu of %zu columns used\n",
					o->out_dir, mp_task_name(res.task), res.rows, res.train_rows,
					res.test_rows, res.n_features, res.n_columns);
			mp_stage_event(store, id, "prep", "prepared", NULL);
			mp_pipe_emit("prep", o->out_dir, id, 1, mp_now() - t0, NULL, mp_stage_carry(line, extra));
		}
	}
	free(id);
	free(name);
	return status;
}

/* A job line's mlprep options over the command line's. */
static int job_options(const cJSON *line, const struct mp_prep_options *base,
		       struct mp_prep_options *o, struct mp_error *err)
{
	const char *v;
	char *end;

	*o = *base;
	o->include = NULL;
	o->n_include = 0;
	o->exclude = NULL;
	o->n_exclude = 0;
	o->input = mp_json_str(line, "input");
	o->out_dir = mp_json_str(line, "model");
	if (!o->input || !o->out_dir || !*o->out_dir)
		return mp_error_set(err, MP_EX_DATAERR, "a job line without \"input\" and \"model\" (was it claimed from the prep queue?)");
	if ((v = mp_json_str(line, "id")) && !mp_model_id_valid(v))
		return mp_error_set(err, MP_EX_DATAERR, "job: id '%s' is not " MP_MODEL_ID_RULE, v);
	if ((v = mp_json_str(line, "type"))) {
		if (mp_task_parse(v, &o->task))
			return mp_error_set(err, MP_EX_DATAERR, "job: type '%s' is not binary, categorical or regression", v);
		o->have_task = 1;
	}
	if ((v = mp_json_str(line, "test"))) {
		o->test_input = v;
		o->split = MP_SPLIT_FILE;
	} else if ((v = mp_json_str(line, "test_fraction"))) {
		o->test_fraction = strtod(v, &end);
		if (*end || !(o->test_fraction > 0 && o->test_fraction < 1))
			return mp_error_set(err, MP_EX_DATAERR, "job: test_fraction '%s' is not between 0 and 1", v);
		o->split = MP_SPLIT_RANDOM;
	}
	if ((v = mp_json_str(line, "seed")) && mp_parse_seed(v, &o->seed))
		return mp_error_set(err, MP_EX_DATAERR, "job: seed '%s' is not an integer from 0 to 2^53-1", v);
	if ((v = mp_json_str(line, "include")))
		o->n_include = mp_split_list(v, ',', &o->include);
	if ((v = mp_json_str(line, "exclude")))
		o->n_exclude = mp_split_list(v, ',', &o->exclude);
	return 0;
}

/* --jobs: one model per claimed job line. */
static int prep_jobs(const struct mp_prep_options *base, struct mp_store *store, int quiet)
{
	struct mp_pipe_in in;
	struct mp_pipe_item item;
	struct mp_error err;
	int rc, status = 0;

	mp_error_clear(&err);
	if (mp_pipe_in_init(&in, NULL, 0, &err)) {
		fprintf(stderr, "mlprep: %s\n", err.msg);
		return err.code;
	}
	while ((rc = mp_pipe_next(&in, &item, &err)) != 0) {
		struct mp_prep_options o;
		struct mp_lease *lease;
		int one;
		if (rc < 0) {
			fprintf(stderr, "mlprep: %s\n", err.msg);
			status = status ? status : err.code;
			continue;
		}
		if (!item.ok) {
			mp_pipe_pass(&item);
			status = status ? status : MP_EX_MODEL_FAILED;
			mp_pipe_item_free(&item);
			continue;
		}
		lease = mp_stage_hold("mlprep", store, item.json, &err);
		if (!lease && err.code) {
			fprintf(stderr, "mlprep: %s\n", err.msg);
			status = status ? status : err.code;
			mp_pipe_item_free(&item);
			continue;
		}
		if (job_options(item.json, base, &o, &err)) {
			struct mp_error lost;
			fprintf(stderr, "mlprep: %s\n", err.msg);
			one = err.code;
			mp_error_clear(&lost);
			if (mp_lease_end(lease, &lost)) {
				fprintf(stderr, "mlprep: %s\n", lost.msg);
				one = lost.code;
			} else {
				mp_pipe_emit("prep", item.model, mp_json_str(item.json, "id"), 0, 0, err.msg,
					     mp_stage_carry(item.json, NULL));
			}
		} else {
			one = prep_one(&o, mp_json_str(item.json, "id"), mp_json_str(item.json, "name"), store,
				       quiet, item.json, lease);
		}
		if (one && !status)
			status = one;
		mp_free_list(o.include, o.n_include);
		mp_free_list(o.exclude, o.n_exclude);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return mp_stage_store_finish("mlprep", store, status);
}

int main(int argc, char **argv)
{
	struct mp_prep_options o;
	struct mp_error err;
	struct mp_store *store = NULL;
	const char *redis = NULL, *store_url = NULL, *id_opt = NULL, *name_opt = NULL;
	char *endp;
	int c, quiet = 0, status = 0, have_fraction = 0, jobs = 0;

	mp_check_stdout_at_exit();

	memset(&o, 0, sizeof(o));
	mp_error_clear(&err);
	o.split = MP_SPLIT_POSITION;
	o.seed = 1;
	while ((c = getopt_long(argc, argv, "o:t:qhV", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 't':
			if (mp_task_parse(optarg, &o.task)) {
				fprintf(stderr, "mlprep: --type: expected binary, categorical or regression, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			o.have_task = 1;
			break;
		case OPT_TEST:
			o.test_input = optarg;
			break;
		case OPT_TEST_FRACTION:
			o.test_fraction = strtod(optarg, &endp);
			if (*endp || endp == optarg || !(o.test_fraction > 0 && o.test_fraction < 1)) {
				fprintf(stderr, "mlprep: --test-fraction: expected a number between 0 and 1, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			have_fraction = 1;
			break;
		case OPT_SEED:
			if (mp_parse_seed(optarg, &o.seed)) {
				fprintf(stderr, "mlprep: --seed: expected an integer from 0 to 2^53-1, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			break;
		case OPT_INCLUDE:
			if (!*optarg) {
				fputs("mlprep: --include: expected a comma-separated list of column names, got ''\n", stderr);
				status = MP_EX_USAGE;
				goto out;
			}
			mp_free_list(o.include, o.n_include);
			o.n_include = mp_split_list(optarg, ',', &o.include);
			break;
		case OPT_EXCLUDE:
			if (!*optarg) {
				fputs("mlprep: --exclude: expected a comma-separated list of column names, got ''\n", stderr);
				status = MP_EX_USAGE;
				goto out;
			}
			mp_free_list(o.exclude, o.n_exclude);
			o.n_exclude = mp_split_list(optarg, ',', &o.exclude);
			break;
		case OPT_ID:
			id_opt = optarg;
			break;
		case OPT_NAME:
			name_opt = optarg;
			break;
		case OPT_REDIS:
			redis = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case OPT_JOBS:
			jobs = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			goto out;
		case 'V':
			printf("mlprep (mlpipe) %s\n", MLPIPE_VERSION);
			goto out;
		default:
			fputs("Try 'mlprep --help'.\n", stderr);
			status = MP_EX_USAGE;
			goto out;
		}
	}
	if (jobs) {
		if (optind != argc || o.out_dir || o.test_input || have_fraction || id_opt || name_opt) {
			fputs("mlprep: --jobs takes the input, directory and split of each job from its line\n", stderr);
			status = MP_EX_USAGE;
			goto out;
		}
		store = mp_store_open_with(redis, store_url, &err);
		if (!store) {
			fprintf(stderr, "mlprep: %s\n", err.msg);
			status = err.code;
			goto out;
		}
		status = prep_jobs(&o, store, quiet);
		goto out;
	}
	if (optind != argc - 1 || !o.out_dir) {
		fprintf(stderr, "mlprep: %s\nTry 'mlprep --help'.\n",
			optind >= argc ? "no INPUT given" : optind < argc - 1 ? "more than one INPUT given"
									       : "no output directory (-o DIR)");
		status = MP_EX_USAGE;
		goto out;
	}
	if (o.test_input && have_fraction) {
		fputs("mlprep: --test and --test-fraction cannot be used together\n", stderr);
		status = MP_EX_USAGE;
		goto out;
	}
	o.input = argv[optind];
	if (o.test_input && !strcmp(o.input, "-") && !strcmp(o.test_input, "-")) {
		fputs("mlprep: INPUT and --test cannot both be standard input\n", stderr);
		status = MP_EX_USAGE;
		goto out;
	}
	if (id_opt && !mp_model_id_valid(id_opt)) {
		fprintf(stderr, "mlprep: --id: expected " MP_MODEL_ID_RULE ", got '%s'\n", id_opt);
		status = MP_EX_USAGE;
		goto out;
	}
	if (o.test_input)
		o.split = MP_SPLIT_FILE;
	else if (have_fraction)
		o.split = MP_SPLIT_RANDOM;
	store = mp_store_open_with(redis, store_url, &err);
	if (!store) {
		fprintf(stderr, "mlprep: %s\n", err.msg);
		mp_pipe_emit("prep", o.out_dir, id_opt, 0, 0, err.msg, NULL);
		status = err.code;
		goto out;
	}
	if (!id_opt && (mp_store_has_redis(store) || mp_store_remote(store))) {
		/* the id names Redis keys and store paths: the directory's
		 * name must be a valid one, or --id given */
		char *id = default_id(o.out_dir);
		int ok = mp_model_id_valid(id);
		if (!ok)
			fprintf(stderr, "mlprep: the model id '%s' (the directory's name) is not " MP_MODEL_ID_RULE "; give --id\n",
				id);
		free(id);
		if (!ok) {
			status = MP_EX_USAGE;
			goto out;
		}
	}
	status = prep_one(&o, id_opt, name_opt, store, quiet, NULL, NULL);
	status = mp_stage_store_finish("mlprep", store, status);
out:
	mp_store_close(store);
	mp_free_list(o.include, o.n_include);
	mp_free_list(o.exclude, o.n_exclude);
	return status;
}
