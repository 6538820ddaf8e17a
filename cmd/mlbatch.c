/* mlbatch — batch-predict the train and test splits of each model, or
 * score new cases with one model. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "cases.h"
#include "pipe.h"
#include "stage.h"
#include "util.h"

static const char usage[] =
	"usage: mlbatch [options] [MODEL_DIR...]\n"
	"       mlbatch [options] --input CASES MODEL_DIR\n"
	"\n"
	"For each model (given as directories, or read as pipe JSON lines from standard\n"
	"input), every trained algorithm predicts the train and test splits into\n"
	"predictions/<algo>.<split>.csv.zst.\n"
	"\n"
	"With --input, scores new cases (CSV with the model's columns, or JSON lines of\n"
	"{column: value}) with one algorithm of MODEL_DIR, cleaned as the training rows\n"
	"were, and writes one row per case to standard output (or -o FILE).\n"
	"\n"
	"  -i, --input CASES       new cases to score (a file, or - for standard input)\n"
	"      --input-format F    csv or jsonl (default: jsonl for .jsonl/.ndjson, else csv)\n"
	"  -a, --algorithm A       the algorithm to use (default: the selected one, else\n"
	"                          the best trained)\n"
	"      --explain           add each case's top contributors (features whose\n"
	"                          training average would move the prediction most)\n"
	"      --top N             contributors per side with --explain (default 5)\n"
	"      --format F          output csv or jsonl (default csv)\n"
	"  -o, --output FILE       write the scores to FILE (atomically) instead of stdout\n"
	"  -j, --threads N         threads (default: MLPIPE_THREADS or all cores)\n"
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
	"job is held by another worker. See mlbatch(1).\n";

enum { OPT_REDIS = 256, OPT_STORE, OPT_INPUT_FORMAT, OPT_EXPLAIN, OPT_TOP, OPT_FORMAT };

static const struct option options[] = {
	{ "input", required_argument, NULL, 'i' },
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
	{ "algorithm", required_argument, NULL, 'a' },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
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

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int score_cases(struct mp_cases_options *co, int quiet)
{
	struct mp_error err;
	size_t n;

	mp_error_clear(&err);
	if (mp_cases_score(co, &n, &err)) {
		fprintf(stderr, "mlbatch: %s\n", err.msg);
		return err.code;
	}
	if (!quiet)
		fprintf(stderr, "mlbatch: %zu case%s scored\n", n, n == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	struct mp_stage st = { "mlbatch", "batch", "predicted", NULL, 0 };
	struct batch_args a = { 0 };
	struct mp_cases_options co = { NULL, NULL, -1, NULL, 0, 5, 0, NULL, 0 };
	struct mp_pipe_in in;
	struct mp_error err;
	const char *redis = NULL, *store_url = NULL;
	char *endp;
	int c, status;

	mp_check_stdout_at_exit();

	mp_error_clear(&err);
	while ((c = getopt_long(argc, argv, "i:a:o:j:qhV", options, NULL)) != -1) {
		switch (c) {
		case 'i':
			co.input = optarg;
			break;
		case OPT_INPUT_FORMAT:
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl")) {
				fprintf(stderr, "mlbatch: --input-format: expected csv or jsonl, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			co.input_jsonl = !strcmp(optarg, "jsonl");
			break;
		case 'a':
			co.algorithm = optarg;
			break;
		case OPT_EXPLAIN:
			co.explain = 1;
			break;
		case OPT_TOP:
			co.top = (int)strtol(optarg, &endp, 10);
			if (*endp || endp == optarg || co.top < 1 || co.top > 1000) {
				fprintf(stderr, "mlbatch: --top: expected a number from 1 to 1000, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl")) {
				fprintf(stderr, "mlbatch: --format: expected csv or jsonl, got '%s'\n", optarg);
				return MP_EX_USAGE;
			}
			co.output_jsonl = !strcmp(optarg, "jsonl");
			break;
		case 'o':
			co.output = optarg;
			break;
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
	a.threads = mp_threads_from(a.threads, &err);
	if (a.threads < 0) {
		fprintf(stderr, "mlbatch: %s\n", err.msg);
		return MP_EX_USAGE;
	}
	if (co.input) {
		if (optind != argc - 1) {
			fputs("mlbatch: --input needs exactly one MODEL_DIR\n", stderr);
			return MP_EX_USAGE;
		}
		co.model_dir = argv[optind];
		co.threads = a.threads;
		if (co.input_jsonl < 0)
			co.input_jsonl = has_suffix(co.input, ".jsonl") || has_suffix(co.input, ".ndjson");
		return score_cases(&co, st.quiet);
	}
	if (co.algorithm || co.explain || co.output || co.output_jsonl || co.input_jsonl >= 0) {
		fputs("mlbatch: --algorithm, --explain, --format, --output and --input-format go with --input\n", stderr);
		return MP_EX_USAGE;
	}
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
