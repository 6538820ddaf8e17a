/* mlanalyze — evaluate the predictions of each model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "pipe.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: mlanalyze [options] [MODEL_DIR...]\n"
	"\n"
	"For each model (given as directories, or read as pipe JSON lines from standard\n"
	"input), evaluates the train and test predictions of every algorithm into\n"
	"analysis/<algo>.<split>.json (AUC, KS, threshold sweep, confusion matrix, R²...)\n"
	"and records the summary metrics in model.json.\n"
	"\n"
	"      --redis URL         also keep the status in Redis (or MLPIPE_REDIS_URL)\n"
	"      --store URL         share the model through s3://bucket/prefix (or\n"
	"                          MLPIPE_STORE): fetch its files first, upload after\n"
	"  -q, --quiet             no messages on stderr except errors\n"
	"  -h, --help              this text\n"
	"  -V, --version           the version\n"
	"\n"
	"Exit status: 0 all models ok, 1 a model had failed upstream, 2 usage,\n"
	"65 bad data, 66 missing input,\n"
	"69 Redis or S3 unavailable, 73 cannot create output, 74 I/O error, 75 the\n"
	"job is held by another worker. See mlanalyze(1).\n";

enum { OPT_REDIS = 256, OPT_STORE };

static const struct option options[] = {
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int analyze_stage(struct mp_stage *st, const char *dir, cJSON *out, void *arg,
		       struct mp_error *err)
{
	(void)arg;
	return mp_analyze_model(dir, st->store, out, err);
}

int main(int argc, char **argv)
{
	struct mp_stage st = { "mlanalyze", "analyze", "analyzed", NULL, 0 };
	struct mp_pipe_in in;
	struct mp_error err;
	const char *redis = NULL, *store_url = NULL;
	int c, status;

	mp_check_stdout_at_exit();

	mp_error_clear(&err);
	while ((c = getopt_long(argc, argv, "qhV", options, NULL)) != -1) {
		switch (c) {
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
			printf("mlanalyze (mlpipe) %s\n", MLPIPE_VERSION);
			return 0;
		default:
			fputs("Try 'mlanalyze --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err)) {
		fprintf(stderr, "mlanalyze: %s\n", err.msg);
		return err.code;
	}
	st.store = mp_store_open_with(redis, store_url, &err);
	if (!st.store) {
		fprintf(stderr, "mlanalyze: %s\n", err.msg);
		return err.code;
	}
	status = mp_stage_run(&st, &in, analyze_stage, NULL);
	mp_pipe_in_free(&in);
	mp_store_close(st.store);
	return status;
}
