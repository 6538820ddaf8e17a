/* expand.h — the input layer shared by the linear models and the neural
 * network: numeric features standardised with the training mean and
 * standard deviation, categorical features one-hot expanded.
 *
 * The one-hot block is never materialised. Each row of a categorical
 * feature has exactly one active level, so an expanded row is a short
 * dense vector of standardised numbers plus one active one-hot column per
 * categorical feature; a model's weights for the one-hot block are a table
 * looked up (and, for gradients, scattered into) by that column. A feature
 * with 10,000 levels costs 10,000 weight rows, never n x 10,000 cells.
 *
 * Column order of the expanded space, used for weight tables:
 * the numeric features (in feature order) first, then the one-hot columns
 * of each categorical feature (in feature order, level by level). */
#ifndef MP_EXPAND_H
#define MP_EXPAND_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "dataset.h"
#include "models/model.h"
#include "util.h"

struct mp_expand {
	size_t n_features;     /* raw features */
	char **names;          /* n_features copies, for the model file */
	size_t n_num;          /* numeric features */
	size_t n_cat;          /* categorical features */
	size_t n_onehot;       /* one-hot columns: the sum of the levels */
	size_t *num_feature;   /* n_num: raw index of each numeric feature */
	double *mean;          /* n_num: training mean */
	double *scale;         /* n_num: 1 / training sd; 0 for a constant column,
	                          which then contributes exactly 0 (never 0/0) */
	size_t *cat_feature;   /* n_cat: raw index of each categorical feature */
	uint32_t *levels;      /* n_cat: codes incl. OTHER */
	uint32_t *offset;      /* n_cat: first one-hot column of each */
};

/* Learns the standardisation from the training matrix itself (two-pass
 * mean and population sd in double precision). */
int mp_expand_fit(struct mp_expand *e, const struct mp_dataset *d, struct mp_error *err);
void mp_expand_free(struct mp_expand *e);

/* The standardised value of numeric feature k; a non-finite input counts
 * as the mean (contributes 0) so a model never turns bad data into NaN. */
static inline double mp_expand_number(const struct mp_expand *e, size_t k, float x)
{
	double z = ((double)x - e->mean[k]) * e->scale[k];
	return isfinite(z) ? z : 0.0;
}

/* The active one-hot column of categorical feature k for code x; a code
 * out of range (or not a number) is OTHER, the last level. */
static inline uint32_t mp_expand_onehot(const struct mp_expand *e, size_t k, float x)
{
	uint32_t last = e->levels[k] - 1;
	uint32_t level = x >= 0 && x < (float)e->levels[k] ? (uint32_t)x : last;

	return e->offset[k] + (level > last ? last : level);
}

/* Rows [begin, end) of d, row-major: numbers into num[(i - begin) * ld + k]
 * (ld >= n_num; the extra columns are left alone) and one-hot columns into
 * onehot[(i - begin) * n_cat + k]. */
void mp_expand_rows_double(const struct mp_expand *e, const struct mp_dataset *d, size_t begin,
			   size_t end, double *num, size_t ld, uint32_t *onehot);
void mp_expand_rows_float(const struct mp_expand *e, const struct mp_dataset *d, size_t begin,
			  size_t end, float *num, size_t ld, uint32_t *onehot);

/* The "inputs" array of a model file: one object per feature, in feature
 * order, with its standardisation ("mean", "scale") or "levels", and the
 * feature's rows of a weight table of `width` columns: a number gets
 * "weights": [width], a category "weights": [[width] per level].
 * w_num is n_num x width, w_cat n_onehot x width (row-major).
 * as_float writes each value in the fewest digits that read back as the
 * same float (networks keep float weights). */
cJSON *mp_expand_save(const struct mp_expand *e, const double *w_num, const double *w_cat,
		      size_t width, int as_float);
/* Reverses mp_expand_save(), checking names, kinds and levels against the
 * model's features; allocates *w_num and *w_cat. */
int mp_expand_load(struct mp_expand *e, const cJSON *inputs, const struct mp_model_shape *shape,
		   size_t width, double **w_num, double **w_cat, struct mp_error *err);

/* A JSON array of n numbers; as_float as for mp_expand_save(). */
cJSON *mp_expand_number_array(const double *v, size_t n, int as_float);

/* v rounded to 15 significant digits. cJSON (1.7.15) writes a number with
 * "%1.15g" whenever that reads back within DBL_EPSILON of it, so a double
 * with more digits does not survive a model file exactly; every double a
 * model keeps goes through this first, and then it does. */
double mp_expand_round15(double v);

/* Reads a JSON array of exactly n finite numbers into out; `what` names it
 * in the error message. */
int mp_expand_json_numbers(const cJSON *arr, double *out, size_t n, const char *what,
			   struct mp_error *err);

/* OpenBLAS's own threads would change the order of floating-point sums
 * with the thread count and fight our pool for the cores: the models do
 * their own blocking and call BLAS single-threaded. (This is a process
 * setting of OpenBLAS; nothing else in mlpipe relies on BLAS threads.) */
void mp_expand_blas_single_thread(void);

#endif
