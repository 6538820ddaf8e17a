/* jsonio.h — reading and writing JSON files (cJSON), and small accessors
 * that turn a missing or mistyped member into a clear error. */
#ifndef MP_JSONIO_H
#define MP_JSONIO_H

#include <cjson/cJSON.h>

#include "util.h"

/* Parses a file (".zst" decompressed); errors name the file and the byte
 * offset of a syntax error. */
cJSON *mp_json_load(const char *path, struct mp_error *err);
/* Writes atomically; pretty = indented for people (analysis, model.json),
 * else compact (model files). A final newline is always written. */
int mp_json_save(const char *path, const cJSON *json, int pretty, struct mp_error *err);
/* Prints JSON text (malloc'd, no final newline): numbers in the shortest
 * form that reads back as exactly the same double (cJSON's own printer
 * only checks that to within a relative epsilon), NaN and infinities as
 * null; pretty = two-space indentation, else one line. */
char *mp_json_print(const cJSON *json, int pretty);
/* Parses one line of text. */
cJSON *mp_json_parse(const char *text, struct mp_error *err);

/* Accessors: return the member, or NULL/fallback when it is missing or of
 * another type. */
const char *mp_json_str(const cJSON *obj, const char *key);
double mp_json_num(const cJSON *obj, const char *key, double fallback);
/* Required forms: set err ("'<file>': member 'key': expected a number")
 * when missing; `what` names the file or object for the message. */
int mp_json_need_num(const cJSON *obj, const char *key, const char *what, double *out,
		     struct mp_error *err);
const char *mp_json_need_str(const cJSON *obj, const char *key, const char *what,
			     struct mp_error *err);
const cJSON *mp_json_need(const cJSON *obj, const char *key, int type_mask, const char *what,
			  struct mp_error *err);

/* Adds a number, writing NaN/inf as null (JSON has no NaN). */
cJSON *mp_json_add_num(cJSON *obj, const char *key, double v);
/* Array of n doubles (NaN -> null). */
cJSON *mp_json_num_array(const double *v, size_t n);
/* Replaces (or adds) obj[key] = item. */
void mp_json_set(cJSON *obj, const char *key, cJSON *item);

#endif
