/* mlscore — 300-850 scores and score-band analysis of each binary model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "pipe.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: mlscore [options] [MODEL_DIR...]\n"
	"\n"
	"For each binary model (given as directories, or read as pipe JSON lines from\n"
	"standard input), maps every prediction P(true) to a 300-850 score and writes the\n"
	"score-band analysis of each algorithm and split to score/<algo>.<split>.json.\n"
	"Categorical and regression models pass through with a note.\n"
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
	"job is held by another worker. See mlscore(1).\n";

enum { OPT_REDIS = 256, OPT_STORE };

static const struct option options[] = {
	{ "redis", required_argument, NULL, OPT_REDIS },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int score_stage(struct mp_stage *st, const char *dir, cJSON *out, void *arg,
		       struct mp_error *err)
{
	(void)arg;
	return mp_score_model(dir, st->store, out, err);
}

int main(int argc, char **argv)
{
	struct mp_stage st = { "mlscore", "score", "scored", NULL, 0 };
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
			printf("mlscore (mlpipe) %s\n", MLPIPE_VERSION);
			return 0;
		default:
			fputs("Try 'mlscore --help'.\n", stderr);
			return MP_EX_USAGE;
		}
	}
	if (mp_pipe_in_init(&in, argv + optind, argc - optind, &err)) {
		fprintf(stderr, "mlscore: %s\n", err.msg);
		return err.code;
	}
	st.store = mp_store_open_with(redis, store_url, &err);
	if (!st.store) {
		fprintf(stderr, "mlscore: %s\n", err.msg);
		return err.code;
	}
	status = mp_stage_run(&st, &in, score_stage, NULL);
	mp_pipe_in_free(&in);
	mp_store_close(st.store);
	return status;
}
