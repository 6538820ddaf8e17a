/* predictions.h — predictions/<algo>.<split>.csv.zst, written by mlbatch
 * and read by mlanalyze and mlscore.
 *
 *   binary:       row,actual,prediction,score
 *                 actual 1 (true) / 0 (false); prediction = P(true);
 *                 score = the 300-850 score of P(true)
 *   categorical:  row,actual,prediction,p_<class>...
 *                 actual and prediction are class names (actual may be a
 *                 label the training rows never had); one probability per
 *                 class in class-code order
 *   regression:   row,actual,prediction
 * row counts the split's rows from 1. Numbers are written in the shortest
 * form that reads back exactly. */
#ifndef MP_PREDICTIONS_H
#define MP_PREDICTIONS_H

#include <stddef.h>

#include "dataset.h"
#include "util.h"

struct mp_predictions {
	enum mp_task task;
	int n_classes;
	char **class_names;  /* n_classes names (categorical) */
	size_t n;
	double *actual;      /* binary 0/1; categorical code (n_classes = unseen); regression value */
	double *values;      /* n * outputs: P(true) | class probabilities | value */
};

/* actual_text: for categorical models the original label of each row
 * (NULL: names from the codes). */
int mp_predictions_write(const char *path, const struct mp_predictions *p,
			 char *const *actual_text, struct mp_error *err);
int mp_predictions_read(const char *path, enum mp_task task, int n_classes,
			char *const *class_names, struct mp_predictions *out, struct mp_error *err);
void mp_predictions_free(struct mp_predictions *p);

#endif
