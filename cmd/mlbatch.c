/* mlbatch — batch-predict the train and test splits of each model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "pipe.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: mlbatch [options] [MODEL_DIR...]\n"
	"\n"
	"For each model (given as directories, or read as pipe JSON lines from standard\n"
	"input), every trained algorithm predicts the train and test splits into\n"
	"predictions/<algo>.<split>.csv.zst.\n"
	"\n"
	"  -j, --threads N         threads (default: MLPIPE_THREADS or all cores)\n"
	"      --redis URL         also keep the status in Redis (or MLPIPE_REDIS_URL)\n"
	"      --store URL         share the model through s3://bucket/prefix (or\n"
	"                          MLPIPE_STORE): fetch its files first, upload after\n"
	"  -q, --quiet             no messages on stderr except errors\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n"
	"\n"
	"Exit status: 0 all models ok, 1 a model had failed upstream, 2 usage,\n"
	"65 bad data, 66 missing input. See mlbatch(1).\n";

enum { OPT_REDIS = 256, OPT_STORE };

static const struct option options[] = {
	{ "threads", required_argument, NULL, 'j' },
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct batch_args {
	int threads;
};

static int batch_stage(struct mp_stage *st, const char *dir, cJSON *out, void *arg,
		       struct mp_error *err)
{
	struct batch_args *a = arg;
	return mp_batch_model(dir, st->store, a->threads, out, err);
}

int main(int argc, char **argv)
{
	struct mp_stage st = { "mlbatch", "batch", "predicted", NULL, 0 };
	struct batch_args a = { 0 };
	struct mp_pipe_in in;
	struct mp_error err;
	const char *redis = NULL, *store_url = NULL;
	char *endp;
	int c, status;

	mp_error_clear(&err);
	while ((c = getopt_long(argc, argv, "j:qhV", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			a.threads = (int)strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || a.threads < 1 || a.threads > 1024) {
				fprintf(stderr, "mlbatch: --threads: expected a number from 1 to 1024, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		case OPT_REDIS:
			redis = optarg;
			break;
		case OPT_STORE:
			store_url = optarg;
			break;
		case 'q':
			st.quiet = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("mlbatch (mlpipe) %s\n", MLPIPE_VERSION);
			return 0;
		default:
			fputs("Try 'mlbatch --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	a.threads = mp_threads_from(a.threads);
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err)) {
		fprintf(stderr, "mlbatch: %s\n", err.msg);
		return err.code;
	}
	st.store = mp_store_open_with(redis, store_url, &err);
	if (!st.store) {
		fprintf(stderr, "mlbatch: %s\n", err.msg);
		return err.code;
	}
	status = mp_stage_run(&st, &in, batch_stage, &a);
	mp_pipe_in_free(&in);
	mp_store_close(st.store);
	return status;
}
