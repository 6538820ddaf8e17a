/* config.h — share/mlpipe/mlpipe.conf: the algorithms trained by default
 * for each model type and hyperparameter defaults.
 *
 *   # comment
 *   binary.algorithms = decision_tree,random_forest,linear
 *   gradient_boosting.rounds = 200            every model type
 *   regression.gradient_boosting.max_depth = 6   one model type
 *
 * Found at $MLPIPE_CONF, else <dir of the executable>/../share/mlpipe/,
 * else the installed share directory. */
#ifndef MP_CONFIG_H
#define MP_CONFIG_H

#include "dataset.h"
#include "params.h"
#include "util.h"

struct mp_config_entry {
	char *key, *value;
	size_t line;
};

struct mp_config {
	char *path; /* NULL when no file was found */
	struct mp_config_entry *entries;
	size_t n;
};

/* Loads the file (a missing file is no error: built-in defaults apply). */
int mp_config_load(struct mp_config *cfg, struct mp_error *err);
void mp_config_free(struct mp_config *cfg);
/* Value of key, or NULL. */
const char *mp_config_get(const struct mp_config *cfg, const char *key);
/* Applies "<algo>.<p>" then "<task>.<algo>.<p>" entries to params. */
int mp_config_apply(const struct mp_config *cfg, enum mp_task task, const char *algo,
		    struct mp_params *params, struct mp_error *err);

#endif
