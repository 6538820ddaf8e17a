/* prep.h — mlprep's work: read a CSV, type its columns, split it, learn
 * statistics and encoders from the training rows, and write the encoded
 * and original splits plus datasource.json into a model directory.
 * Either every output is written or none is (each file atomically, all
 * only after the whole input has been read and checked). */
#ifndef MP_PREP_H
#define MP_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"
#include "util.h"

enum mp_split_rule {
	MP_SPLIT_POSITION, /* rows 1-7 of every 10 train, 8-10 test (REFERENCE §1.7) */
	MP_SPLIT_RANDOM,   /* --test-fraction F --seed S, stratified for classes */
	MP_SPLIT_FILE,     /* --test FILE */
};

struct mp_prep_options {
	const char *input;      /* path, "-" or URL */
	const char *test_input; /* MP_SPLIT_FILE */
	const char *out_dir;
	int have_task;
	enum mp_task task;
	enum mp_split_rule split;
	double test_fraction;
	uint64_t seed;
	char **include;
	size_t n_include;
	char **exclude;
	size_t n_exclude;
};

struct mp_prep_result {
	enum mp_task task;
	size_t rows, train_rows, test_rows, skipped_blank;
	size_t n_columns, n_features;
	int n_classes;
	char sha256[65];
	size_t bytes;
};

int mp_prep_run(const struct mp_prep_options *o, struct mp_prep_result *res,
		struct mp_error *err);

#endif
