/* status_ops.h — what mlstatus does with a model's record: complete it
 * by the overall rule, choose the best algorithm, print it for people. */
#ifndef MP_STATUS_OPS_H
#define MP_STATUS_OPS_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "status.h"
#include "util.h"

/* The algorithm with the best test metric among the complete ones (binary
 * AUC, categorical accuracy, regression R²; ties: the first), or NULL. */
const char *mp_status_best_algorithm(const cJSON *model);

/* Applies the overall rule and records the result: trained algorithms
 * become complete, the best one is selected. upstream_error (from a
 * failed pipe line) marks the model failed with that message. Sets
 * *complete to 1 when the model ended complete. */
int mp_status_complete(struct mp_store *st, const char *dir, const char *upstream_error,
		       int *complete, struct mp_error *err);

/* Human-readable summary of a model (the `mlstatus show` table). */
void mp_status_print(FILE *fp, const char *dir, const cJSON *model);

#endif
