/* mltrain — train the algorithms of each model given or piped in. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "models/model.h"
#include "pipe.h"
#include "stage.h"
#include "train.h"
#include "util.h"

static const char usage[] =
	"usage: mltrain [options] [MODEL_DIR...]\n"
	"\n"
	"Trains every configured algorithm of each model (given as directories, or\n"
	"read as pipe JSON lines from standard input) and writes models/<algo>.json.zst.\n"
	"\n"
	"  -a, --algorithms LIST   algorithms to train (comma-separated; default: the\n"
	"                          model type's list in mlpipe.conf)\n"
	"  -s, --set A.P=V         set parameter P of algorithm A (repeatable)\n"
	"      --seed N            random seed (default 1)\n"
	"  -j, --threads N         threads (default: MLPIPE_THREADS or all cores)\n"
	"      --progress MODE     auto (bars when stderr is a terminal), none, json\n"
	"      --list              list the algorithms and their parameters\n"
	"      --redis URL         also keep the status in Redis (or MLPIPE_REDIS_URL)\n"
	"      --store URL         share the model through s3://bucket/prefix (or\n"
	"                          MLPIPE_STORE): fetch its files first, upload after\n"
	"  -q, --quiet             no messages on stderr except errors\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n"
	"\n"
	"Exit status: 0 all models trained, 1 a model had failed upstream, 2 usage,\n"
	"65 bad data, 66 missing input, 70 internal error,\n"
	"69 Redis or S3 unavailable, 73 cannot create output, 74 I/O error, 75 the\n"
	"job is held by another worker. See mltrain(1).\n";

enum { OPT_SEED = 256, OPT_PROGRESS, OPT_LIST, OPT_REDIS, OPT_STORE };

static const struct option options[] = {
	{ "algorithms", required_argument, NULL, 'a' },
	{ "set", required_argument, NULL, 's' },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "threads", required_argument, NULL, 'j' },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void list_algorithms(void)
{
	size_t i, k;
	int t;

	for (i = 0; i < mp_algorithm_count; i++) {
		const struct mp_algorithm *a = mp_algorithms[i];
		printf("%s (", a->name);
		for (t = 0, k = 0; t < 3; t++)
			if (a->tasks & MP_TASK_BIT(t))
				printf("%s%s", k++ ? ", " : "", mp_task_name((enum mp_task)t));
		printf(")\n");
		for (k = 0; k < a->n_params; k++) {
			const struct mp_param_spec *p = &a->params[k];
			char d0[32], d1[32], d2[32], lo[32], hi[32];
			printf("  %-22s %s; %s from %s to %s; default %s / %s / %s (binary / categorical / regression)\n",
			       p->name, p->help, p->type == MP_PARAM_INT ? "an integer" : "a number",
			       mp_fmt_double(lo, p->min), mp_fmt_double(hi, p->max), mp_fmt_double(d0, p->def[0]),
			       mp_fmt_double(d1, p->def[1]), mp_fmt_double(d2, p->def[2]));
		}
	}
}

static int train_stage(struct mp_stage *st, const char *dir, cJSON *out, void *arg,
		       struct mp_error *err)
{
	(void)st;
	return mp_train_model(dir, arg, out, err);
}

int main(int argc, char **argv)
{
	struct mp_train_options o;
	struct mp_config cfg;
	struct mp_error err;
	struct mp_pipe_in in;
	struct mp_stage st = { "mltrain", "train", "trained", NULL, 0 };
	const char *redis = NULL, *store_url = NULL;
	char *endp;
	int c, status = 0, have_cfg = 0, have_in = 0;

	mp_check_stdout_at_exit();

	memset(&o, 0, sizeof(o));
	mp_error_clear(&err);
	o.seed = 1;
	while ((c = getopt_long(argc, argv, "a:s:j:qhV", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			mp_free_list(o.algorithms, o.n_algorithms);
			o.n_algorithms = mp_split_list(optarg, ',', &o.algorithms);
			if (!o.n_algorithms) {
				fputs("mltrain: --algorithms: empty list\n", stderr);
				status = MP_EX_USAGE;
				goto out;
			}
			break;
		case 's':
			o.sets = xrealloc(o.sets, (o.n_sets + 1) * sizeof(char *));
			o.sets[o.n_sets++] = xstrdup(optarg);
			break;
		case OPT_SEED:
			if (mp_parse_seed(optarg, &o.seed)) {
				fprintf(stderr, "mltrain: --seed: expected an integer from 0 to 2^53-1, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			break;
		case 'j':
			o.threads = (int)strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || o.threads < 1 || o.threads > 1024) {
				fprintf(stderr, "mltrain: --threads: expected a number from 1 to 1024, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			break;
		case OPT_PROGRESS:
			if (!strcmp(optarg, "auto"))
				o.progress = MP_PROGRESS_AUTO;
			else if (!strcmp(optarg, "none"))
				o.progress = MP_PROGRESS_NONE;
			else if (!strcmp(optarg, "json"))
				o.progress = MP_PROGRESS_JSON;
			else {
				fprintf(stderr, "mltrain: --progress: expected auto, none or json, got '%s'\n", optarg);
				status = MP_EX_USAGE;
				goto out;
			}
			break;
		case OPT_LIST:
			list_algorithms();
			goto out;
		case OPT_REDIS:
			redis = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			goto out;
		case 'V':
			printf("mltrain (mlpipe) %s\n", MLPIPE_VERSION);
			goto out;
		default:
			fputs("Try 'mltrain --help'.\n", stderr);
			status = MP_EX_USAGE;
			goto out;
		}
	}
	if (mp_train_check_options(&o, &err))
		goto fail;
	if (mp_config_load(&cfg, &err))
		goto fail;
	have_cfg = 1;
	if (mp_train_check_config(&cfg, &err))
		goto fail;
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err))
		goto fail;
	have_in = 1;
	o.config = &cfg;
	st.quiet = o.quiet;
	st.store = o.store = mp_store_open_with(redis, store_url, &err);
	if (!st.store)
		goto fail;
	status = mp_stage_run(&st, &in, train_stage, &o);
	goto out;
fail:
	fprintf(stderr, "mltrain: %s\n", err.msg);
	status = err.code;
out:
	if (have_in)
		mp_pipe_in_free(&in);
	mp_store_close(st.store);
	if (have_cfg)
		mp_config_free(&cfg);
	mp_free_list(o.algorithms, o.n_algorithms);
	mp_free_list(o.sets, o.n_sets);
	return status;
}
