/* schema.h — the datasource: column types, statistics and encoders
 * learned from the training rows, and the datasource.json file that
 * records them. Every stage that turns raw values into model inputs
 * (mlprep for the splits, mlbatch for new cases) goes through
 * mp_encode_value(), so training and scoring clean data the same way. */
#ifndef MP_SCHEMA_H
#define MP_SCHEMA_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "dataset.h"
#include "util.h"

enum mp_col_type { MP_COL_NUMBER, MP_COL_STRING, MP_COL_BOOLEAN, MP_COL_DATE };

const char *mp_col_type_name(enum mp_col_type t);
int mp_col_type_parse(const char *s, enum mp_col_type *t);

struct mp_col_stats {
	size_t count;    /* non-missing training values */
	size_t missing;  /* missing training values */
	size_t distinct; /* distinct non-missing training values */
	/* numbers and dates (dates as days since 1970-01-01) */
	double mean, sd, median, min, max, mode;
	/* strings and booleans: most frequent text (ties: first seen) */
	char *mode_text;
};

/* Codes 0..n_values-1 in order of first appearance in the training rows;
 * OTHER (blank, unseen) = n_values. Booleans: ["false","true"], OTHER 2. */
struct mp_encoder {
	size_t n_values;
	char **values;
	void *index; /* hash from value to code, built on demand */
};

struct mp_column {
	char *name;
	size_t position; /* 1-based column of the source file */
	enum mp_col_type type;
	int included;
	struct mp_col_stats stats;
	struct mp_encoder encoder;
};

struct mp_datasource {
	enum mp_task task;
	size_t n_columns;           /* predictors (historical_result excluded) */
	struct mp_column *columns;
	size_t n_features;          /* included columns, in column order */
	size_t *features;           /* indexes into columns */
	size_t target_position;     /* 1-based column of historical_result */
	int n_classes;              /* binary 2, categorical K, regression 0 */
	char **classes;             /* class names in code order */
	cJSON *json;                /* the whole file as read (split, rows, ...) */
};

struct mp_datasource *mp_datasource_load(const char *path, struct mp_error *err);
void mp_datasource_free(struct mp_datasource *ds);
cJSON *mp_datasource_to_json(const struct mp_datasource *ds);

/* Code of text in an encoder (OTHER when absent). */
size_t mp_encoder_code(struct mp_encoder *e, const char *text);

/* Value parsing shared by inference, encoding and scoring. */
/* Missing: empty, NA, N/A, null, NaN (any case, after trimming). */
int mp_is_missing(const char *s, size_t n);
/* Numbers: optional sign, digits with optional ',' thousands groups,
 * optional fraction and exponent, optional currency prefix ($ € £) and
 * '%' suffix (kept as written: "12%" is 12). Returns 0 and *out, or -1. */
int mp_parse_number(const char *s, size_t n, double *out);
/* true/false in any case. Returns 0/1, or -1 when neither. */
int mp_parse_boolean(const char *s, size_t n);
/* ISO 8601 date YYYY-MM-DD (optionally with THH:MM[:SS]) as days since
 * 1970-01-01. Returns 0 and *days, or -1. */
int mp_parse_date(const char *s, size_t n, double *days);

/* Encodes one raw cell of column c as its model input (missing numbers
 * become the training mean, unknown categories OTHER). Returns 0, or -1
 * with err when the text is not valid for the column's type (e.g. "abc"
 * in a number column); the message names the column. */
int mp_encode_value(struct mp_column *c, const char *text, size_t n, double *out,
		    struct mp_error *err);

#endif
