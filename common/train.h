/* train.h — mltrain's work: train the selected algorithms of one model
 * concurrently, each isolated from the others' failures, with progress in
 * model.json (and on a terminal), and save each trained model. */
#ifndef MP_TRAIN_H
#define MP_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "status.h"
#include "util.h"

enum mp_progress_mode { MP_PROGRESS_AUTO, MP_PROGRESS_NONE, MP_PROGRESS_JSON };

struct mp_train_options {
	char **algorithms;  /* NULL: the model type's default list from the config */
	size_t n_algorithms;
	char **sets;        /* "algorithm.parameter=value" */
	size_t n_sets;
	uint64_t seed;
	int threads;
	enum mp_progress_mode progress;
	int quiet;
	const struct mp_config *config;
	struct mp_store *store;
};

/* Checks names in --algorithms and --set before any model is touched. */
int mp_train_check_options(const struct mp_train_options *o, struct mp_error *err);
/* Checks every line of the configuration file: TYPE.algorithms lists known
 * algorithms, ALGORITHM.PARAMETER and TYPE.ALGORITHM.PARAMETER name known
 * parameters with valid values. MP_EX_USAGE naming the file and line. */
int mp_train_check_config(const struct mp_config *cfg, struct mp_error *err);
/* Trains one model directory; adds {"algorithms": {name: status}} to out.
 * Fails only when no algorithm could be trained. */
int mp_train_model(const char *dir, const struct mp_train_options *o, cJSON *out,
		   struct mp_error *err);

#endif
