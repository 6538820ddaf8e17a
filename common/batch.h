/* batch.h — mlbatch's work on the splits: every trained algorithm of a
 * model predicts its train and test rows into predictions/. */
#ifndef MP_BATCH_H
#define MP_BATCH_H

#include <cjson/cJSON.h>

#include "status.h"
#include "util.h"

int mp_batch_model(const char *dir, struct mp_store *store, int threads, cJSON *out,
		   struct mp_error *err);

/* Names of the algorithms of model.json whose status is one of the given
 * (NULL-terminated) statuses, in model.json order. */
size_t mp_model_algorithms(const cJSON *model, const char *const *statuses, char ***names);

#endif
