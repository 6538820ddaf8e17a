/* params.h — hyperparameters: each algorithm declares a table of specs
 * (name, type, range, default per model type); mltrain resolves values
 * from those defaults, then share/mlpipe/mlpipe.conf, then --set. */
#ifndef MP_PARAMS_H
#define MP_PARAMS_H

#include <stddef.h>

#include "dataset.h"
#include "util.h"

enum mp_param_type { MP_PARAM_INT, MP_PARAM_REAL };

struct mp_param_spec {
	const char *name;
	enum mp_param_type type;
	double min, max; /* inclusive range of valid values */
	double def[3];   /* default for MP_BINARY, MP_CATEGORICAL, MP_REGRESSION */
	const char *help;
};

/* Resolved values for one algorithm and model type. */
struct mp_params {
	const struct mp_param_spec *spec;
	size_t n;
	double *value; /* n entries, same order as spec */
};

void mp_params_init(struct mp_params *p, const struct mp_param_spec *spec, size_t n,
		    enum mp_task task);
void mp_params_free(struct mp_params *p);
/* Sets name to the text value; error if unknown, not a number, not an
 * integer for an INT, or out of range. */
int mp_params_set(struct mp_params *p, const char *algo, const char *name, const char *value,
		  struct mp_error *err);
/* Value by name; a name not in the spec is a programming error (abort). */
double mp_param(const struct mp_params *p, const char *name);
int mp_param_int(const struct mp_params *p, const char *name);

#endif
