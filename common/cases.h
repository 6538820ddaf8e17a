/* cases.h — scoring new cases: raw rows (CSV, or JSON lines of
 * {column: value}) cleaned exactly as the training rows were (the same
 * mp_encode_value: numbers parsed the same way, missing numbers become the
 * training mean, unseen categories OTHER), predicted by one algorithm of a
 * trained model, and optionally explained: for each feature, how much the
 * prediction moves when that feature is set to its training average (mean
 * for numbers, most frequent value for categories). Every case is read and
 * checked before anything is written. */
#ifndef MP_CASES_H
#define MP_CASES_H

#include <stddef.h>

#include "util.h"

struct mp_cases_options {
	const char *model_dir;
	const char *input;      /* path or "-" */
	int input_jsonl;        /* JSON lines input (else CSV) */
	const char *algorithm;  /* NULL: the selected algorithm, else the best trained */
	int explain;            /* add the top contributors */
	int top;                /* contributors per side */
	int output_jsonl;       /* JSON lines output (else CSV) */
	const char *output;     /* NULL or "-": standard output, else a file (written atomically) */
	int threads;
};

/* Scores every case; *n_cases receives their number. */
int mp_cases_score(const struct mp_cases_options *o, size_t *n_cases, struct mp_error *err);

#endif
