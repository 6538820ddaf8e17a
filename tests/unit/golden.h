/* golden.h — reading the scikit-learn golden files (shared/golden/) in the
 * metric, analysis and score tests: the CSVs with plain stdio (so the
 * expected values never pass through the code under test) and
 * expected.json. A missing or malformed file fails the test. */
#ifndef MP_TEST_GOLDEN_H
#define MP_TEST_GOLDEN_H

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonio.h"
#include "test.h"

/* Cells of a simple CSV (no quoting: the golden files need none); row 0
 * is the header. */
struct golden_csv {
	size_t rows, cols; /* rows excludes the header */
	char **cells;      /* (rows + 1) * cols, pointing into text */
	char *text;
};

static inline const char *golden_cell(const struct golden_csv *c, size_t row, size_t col)
{
	return c->cells[(row + 1) * c->cols + col];
}

static inline double golden_num(const struct golden_csv *c, size_t row, size_t col)
{
	return strtod(golden_cell(c, row, col), NULL);
}

static inline void golden_csv_free(struct golden_csv *c)
{
	free(c->cells);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

/* Loads shared/golden/<name>; returns 0, or -1 after failing the test. */
static inline int golden_csv_load(const char *name, struct golden_csv *c)
{
	char path[4096];
	FILE *f;
	long size;
	size_t cap = 0, n = 0, cols = 0, line_cols = 0;
	char *p, *field;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/golden/%s", mp_test_shared_dir(), name);
	f = fopen(path, "rb");
	if (!f) {
		mp_test_fail(__FILE__, __LINE__, "cannot open %s", path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	c->text = malloc((size_t)size + 1);
	if (!c->text || fread(c->text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		mp_test_fail(__FILE__, __LINE__, "cannot read %s", path);
		free(c->text);
		c->text = NULL;
		return -1;
	}
	fclose(f);
	c->text[size] = '\0';
	for (p = field = c->text;; p++) {
		if (*p != ',' && *p != '\n' && *p != '\0' && *p != '\r')
			continue;
		if (*p == '\0' && p == field && line_cols == 0)
			break; /* final newline */
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			c->cells = realloc(c->cells, cap * sizeof(char *));
		}
		c->cells[n++] = field;
		line_cols++;
		if (*p == '\r')
			*p++ = '\0';
		if (*p == '\n' || *p == '\0') {
			if (!cols)
				cols = line_cols;
			if (line_cols != cols) {
				mp_test_fail(__FILE__, __LINE__, "%s: %zu fields, expected %zu",
					     path, line_cols, cols);
				golden_csv_free(c);
				return -1;
			}
			line_cols = 0;
		}
		if (*p == '\0')
			break;
		*p = '\0';
		field = p + 1;
	}
	c->cols = cols;
	c->rows = cols ? n / cols - 1 : 0;
	return 0;
}

/* shared/golden/expected.json, or NULL after failing the test. */
static inline cJSON *golden_expected(void)
{
	char path[4096];
	struct mp_error err = { 0, "" };
	cJSON *j;

	snprintf(path, sizeof(path), "%s/golden/expected.json", mp_test_shared_dir());
	j = mp_json_load(path, &err);
	if (!j)
		mp_test_fail(__FILE__, __LINE__, "%s", err.msg);
	return j;
}

/* expected.json value at section.key (a number), or NaN after failing. */
static inline double golden_value(const cJSON *exp, const char *section, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(exp, section);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);

	if (!cJSON_IsNumber(v)) {
		mp_test_fail(__FILE__, __LINE__, "expected.json: no number %s.%s", section, key);
		return NAN;
	}
	return v->valuedouble;
}

/* Number member of a JSON object (NaN if missing or null). */
static inline double json_num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* 1 when obj[key] exists and is null. */
static inline int json_is_null(const cJSON *obj, const char *key)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(obj, key));
}

#endif
