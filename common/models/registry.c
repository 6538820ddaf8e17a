/* registry.c — the table of algorithms. One row per algorithm; the order
 * is the order mltrain reports them in. */
#include <string.h>

#include "models/model.h"

extern const struct mp_algorithm mp_decision_tree;
extern const struct mp_algorithm mp_gradient_boosting, mp_random_forest;
extern const struct mp_algorithm mp_linear, mp_neural_network;

const struct mp_algorithm *const mp_algorithms[] = {
	&mp_decision_tree,
	&mp_random_forest,
	&mp_neural_network,
	&mp_linear,
	&mp_gradient_boosting,
};

const size_t mp_algorithm_count = sizeof(mp_algorithms) / sizeof(mp_algorithms[0]);

const struct mp_algorithm *mp_algorithm_find(const char *name)
{
	size_t i;

	for (i = 0; i < mp_algorithm_count; i++)
		if (!strcmp(mp_algorithms[i]->name, name))
			return mp_algorithms[i];
	return NULL;
}
