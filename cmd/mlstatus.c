/* mlstatus — the status store: show, set, complete, select. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "jsonio.h"
#include "pipe.h"
#include "status.h"
#include "status_ops.h"
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
	"Models are directories, or pipe JSON lines read from standard input.\n"
	"  --redis URL    also keep the status in Redis (or MLPIPE_REDIS_URL)\n"
	"  -h, --help     this text\n"
	"  -V, --version  the version\n"
	"\n"
	"Exit status: 0 ok (complete: every model complete), 1 a model failed,\n"
	"2 usage, 66 not a model directory. See mlstatus(1).\n";

static const char *const model_statuses[] = { "prepared", "training", "trained", "predicted",
					      "analyzed", "scored", "complete", "failed", NULL };
static const char *const algo_statuses[] = { "pending", "training", "trained", "complete",
					     "failed", NULL };

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

	(void)st;
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
		model = mp_status_read(item.model, &err);
		if (!model) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
		} else if (json) {
			char *text = cJSON_PrintUnformatted(model);
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
			if (*end || end == optarg || s.progress < 0 || s.progress > 100) {
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
	if (mp_status_update(st, argv[optind], 0, do_set, &s, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	return 0;
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
		int complete = 0;
		cJSON *model;
		if (rc < 0) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			status = err.code;
			continue;
		}
		if (mp_status_complete(st, item.model, item.ok ? NULL : (item.error ? item.error : "failed upstream"),
				       &complete, &err)) {
			fprintf(stderr, "mlstatus: %s\n", err.msg);
			mp_pipe_emit("complete", item.model, NULL, 0, mp_now() - t0, err.msg, NULL);
			status = status ? status : err.code;
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
			mp_pipe_emit("complete", item.model, model ? mp_json_str(model, "id") : NULL, complete,
				     mp_now() - t0, complete ? NULL : (why ? why : "failed"), extra);
		}
		if (!complete && !status)
			status = MP_EX_MODEL_FAILED;
		cJSON_Delete(model);
		mp_pipe_item_free(&item);
	}
	mp_pipe_in_free(&in);
	return status;
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
	if (mp_status_update(st, argv[1], 0, do_select, &s, &err)) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	return 0;
}

static const struct command {
	const char *name;
	int (*fn)(struct mp_store *st, int argc, char **argv);
} commands[] = {
	{ "show", cmd_show },
	{ "set", cmd_set },
	{ "complete", cmd_complete },
	{ "select", cmd_select },
};

int main(int argc, char **argv)
{
	const char *redis = NULL;
	struct mp_store *st;
	struct mp_error err;
	size_t i;
	int argi = 1, status;

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
	st = mp_store_open(redis, &err);
	if (!st) {
		fprintf(stderr, "mlstatus: %s\n", err.msg);
		return err.code;
	}
	status = commands[i].fn(st, argc - argi, argv + argi);
	mp_store_close(st);
	return status;
}
