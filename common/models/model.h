/* model.h — the one interface every algorithm implements, and the table
 * of algorithms. Adding an algorithm = one new file in common/models/ plus
 * one row in registry.c.
 *
 * Contract for implementations:
 *  - train() must give bit-identical results for the same data, seed and
 *    parameters whatever the number of threads in ctx->pool (reduce in a
 *    fixed order; derive per-task random streams with mp_rng_derive()).
 *  - predict() writes, for rows [begin, end) of d, mp_task_outputs() values
 *    per row, row-major, into out[(i - begin) * outputs ...]: binary
 *    P(true) in [0,1]; categorical one probability per class code, summing
 *    to 1; regression the value. Never NaN. It may be called concurrently.
 *  - save() returns the algorithm's own JSON object (the "model" member of
 *    the model file; the envelope with format, task, features, params is
 *    written by model.c); load() reverses it. Numbers must survive a round
 *    trip exactly (cJSON prints 17 significant digits when needed).
 *  - Errors (a degenerate input the algorithm cannot handle) come back as
 *    NULL with err set, never as a crash or NaN. */
#ifndef MP_MODEL_H
#define MP_MODEL_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "dataset.h"
#include "params.h"
#include "threadpool.h"
#include "util.h"

struct mp_train_ctx {
	enum mp_task task;
	uint64_t seed;
	struct mp_pool *pool;          /* threads this algorithm may use */
	const struct mp_params *params;
	/* Progress in [0, 1]; thread-safe and cheap, call as often as useful. */
	void (*progress)(void *arg, double fraction);
	void *progress_arg;
	/* Object the algorithm fills with training facts worth keeping in
	 * model.json: e.g. "oob_auc", "rounds", "best_iteration",
	 * "gradient_norm", "epochs", "validation_loss". */
	cJSON *info;
};

/* What load() is told about the data the model was trained on. */
struct mp_model_shape {
	enum mp_task task;
	int n_classes;
	size_t n_features;
	const struct mp_feature *features;
};

struct mp_algorithm {
	const char *name;
	unsigned tasks; /* MP_TASK_BIT(...) of the model types it supports */
	const struct mp_param_spec *params;
	size_t n_params;
	void *(*train)(const struct mp_dataset *train, const struct mp_train_ctx *ctx,
		       struct mp_error *err);
	void (*predict)(const void *model, const struct mp_dataset *d, size_t begin, size_t end,
			double *out);
	cJSON *(*save)(const void *model);
	void *(*load)(const cJSON *json, const struct mp_model_shape *shape, struct mp_error *err);
	void (*free)(void *model);
};

extern const struct mp_algorithm *const mp_algorithms[];
extern const size_t mp_algorithm_count;
const struct mp_algorithm *mp_algorithm_find(const char *name);

/* A trained model with its envelope. */
struct mp_model {
	const struct mp_algorithm *algo;
	enum mp_task task;
	int n_classes;
	char **class_names;
	size_t n_features;
	struct mp_feature *features;
	struct mp_params params;
	cJSON *info;
	void *impl;
};

/* Trains algo on d; the returned model owns copies of the metadata. */
struct mp_model *mp_model_train(const struct mp_algorithm *algo, const struct mp_dataset *d,
				const struct mp_train_ctx *ctx, struct mp_error *err);
/* Predicts every row of d (which must have the model's features, by
 * name and order) into out (n_rows * outputs), using pool for threads. */
int mp_model_predict(const struct mp_model *m, const struct mp_dataset *d, struct mp_pool *pool,
		     double *out, struct mp_error *err);
int mp_model_save(const struct mp_model *m, const char *path, struct mp_error *err);
struct mp_model *mp_model_load(const char *path, struct mp_error *err);
void mp_model_free(struct mp_model *m);

#endif
