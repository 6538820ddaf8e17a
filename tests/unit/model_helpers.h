/* model_helpers.h — training and predicting one algorithm in unit tests. */
#ifndef MP_TEST_MODEL_HELPERS_H
#define MP_TEST_MODEL_HELPERS_H

#include <stdint.h>

#include "models/model.h"

/* What a training run reported through its progress callback. */
struct progress_log {
	int calls, backwards;
	double last;
};

/* Trains algo on d with its defaults plus "name=value" overrides
 * (NULL-terminated set), the seed and a pool of threads; progress goes to
 * log when it is not NULL. NULL with err set when a setting or the
 * training fails. */
struct mp_model *train_algorithm(const struct mp_algorithm *algo, const struct mp_dataset *d, int threads,
				 uint64_t seed, const char *const *set, struct progress_log *log,
				 struct mp_error *err);
/* Predicts every row of d (threads 0: without a pool); CHECKs that it
 * succeeds. The caller frees the result. */
double *predict_rows(const struct mp_model *m, const struct mp_dataset *d, int threads);

#endif
