/* dataset.h — the encoded training matrix every algorithm sees.
 *
 * mlprep writes data/{train,test}.csv.zst: one numeric column per included
 * predictor (numbers with missing values filled by the training mean,
 * categories and booleans as their encoder codes) and historical_result
 * last. dataset_load() reads one back, with the per-column metadata from
 * datasource.json, into column-major float storage (trees scan one feature
 * at a time; linear models and networks build their own expanded copy). */
#ifndef MP_DATASET_H
#define MP_DATASET_H

#include <stddef.h>

#include "util.h"

enum mp_task { MP_BINARY = 0, MP_CATEGORICAL = 1, MP_REGRESSION = 2 };
#define MP_TASK_BIT(t) (1u << (t))

const char *mp_task_name(enum mp_task t);
/* Returns 0 and sets *t, or -1 for an unknown name. */
int mp_task_parse(const char *s, enum mp_task *t);

enum mp_feature_kind {
	MP_FEATURE_NUMBER = 0,   /* continuous or integer value */
	MP_FEATURE_CATEGORY = 1, /* codes 0..levels-1; the last code is OTHER */
};

struct mp_feature {
	char *name;
	enum mp_feature_kind kind;
	int levels;  /* categories: codes incl. OTHER (K+1; booleans 3); numbers: 0 */
	double mean; /* training mean (numbers; the fill value), 0 for categories */
	double sd;   /* training standard deviation (population), 0 if constant */
};

struct mp_dataset {
	enum mp_task task;
	size_t n_rows, n_features;
	struct mp_feature *features; /* n_features entries */
	float *x;                    /* column-major: x[j * n_rows + i] */
	double *y;                   /* binary 0/1; categorical code (n_classes = unseen
	                                label); regression value */
	int n_classes;               /* binary 2, categorical K, regression 0 */
	char **class_names;          /* n_classes names (binary: "false","true") */
};

static inline float mp_x(const struct mp_dataset *d, size_t row, size_t feature)
{
	return d->x[feature * d->n_rows + row];
}

/* Outputs per row of predict(): K for categorical (probabilities in class
 * code order), else 1 (binary: P(true); regression: the value). */
static inline int mp_task_outputs(enum mp_task t, int n_classes)
{
	return t == MP_CATEGORICAL ? n_classes : 1;
}

/* Allocates an empty dataset of the given shape (x and y zeroed); feature
 * names are copied. */
struct mp_dataset *mp_dataset_new(enum mp_task task, size_t n_rows, size_t n_features,
				  int n_classes);
void mp_dataset_free(struct mp_dataset *d);
/* Rows [idx[0], idx[1], ...] as a new dataset (metadata copied). */
struct mp_dataset *mp_dataset_subset(const struct mp_dataset *d, const size_t *idx, size_t n);

/* Reads model_dir/data/<split>.csv.zst with the metadata of
 * model_dir/datasource.json. */
struct mp_dataset *mp_dataset_load(const char *model_dir, const char *split,
				   struct mp_error *err);

#endif
