/* jsonio.c — JSON files through cJSON. */
#include "jsonio.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

cJSON *mp_json_parse(const char *text, struct mp_error *err)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(text, &end, 0);

	if (!j) {
		const char *at = cJSON_GetErrorPtr();
		mp_error_set(err, MP_EX_DATAERR, "invalid JSON at byte %ld",
			     at ? (long)(at - text) : 0L);
		return NULL;
	}
	return j;
}

cJSON *mp_json_load(const char *path, struct mp_error *err)
{
	struct mp_buf b = MP_BUF_INIT;
	cJSON *j;

	if (mp_read_file(path, &b, err)) {
		mp_buf_free(&b);
		return NULL;
	}
	j = mp_json_parse(b.data, err);
	if (!j)
		mp_error_prefix(err, "'%s'", path);
	mp_buf_free(&b);
	return j;
}

static void print_string(struct mp_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	mp_buf_addc(b, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"': mp_buf_adds(b, "\\\""); break;
		case '\\': mp_buf_adds(b, "\\\\"); break;
		case '\n': mp_buf_adds(b, "\\n"); break;
		case '\r': mp_buf_adds(b, "\\r"); break;
		case '\t': mp_buf_adds(b, "\\t"); break;
		case '\b': mp_buf_adds(b, "\\b"); break;
		case '\f': mp_buf_adds(b, "\\f"); break;
		default:
			if (*p < 0x20) {
				char u[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };
				mp_buf_adds(b, u);
			} else {
				mp_buf_addc(b, (char)*p);
			}
		}
	}
	mp_buf_addc(b, '"');
}

static void indent(struct mp_buf *b, int depth)
{
	mp_buf_addc(b, '\n');
	while (depth-- > 0)
		mp_buf_adds(b, "  ");
}

static void print_value(struct mp_buf *b, const cJSON *j, int pretty, int depth)
{
	const cJSON *c;
	char num[32];

	if (cJSON_IsNumber(j)) {
		mp_buf_adds(b, isfinite(j->valuedouble) ? mp_fmt_double(num, j->valuedouble) : "null");
	} else if (cJSON_IsString(j)) {
		print_string(b, j->valuestring ? j->valuestring : "");
	} else if (cJSON_IsTrue(j)) {
		mp_buf_adds(b, "true");
	} else if (cJSON_IsFalse(j)) {
		mp_buf_adds(b, "false");
	} else if (cJSON_IsRaw(j)) {
		mp_buf_adds(b, j->valuestring ? j->valuestring : "null");
	} else if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
		int object = cJSON_IsObject(j);
		/* short arrays of scalars stay on one line even when pretty */
		int flat = !object && cJSON_GetArraySize(j) <= 1;
		mp_buf_addc(b, object ? '{' : '[');
		for (c = j->child; c; c = c->next) {
			if (c != j->child)
				mp_buf_addc(b, ',');
			if (pretty && !flat)
				indent(b, depth + 1);
			if (object) {
				print_string(b, c->string ? c->string : "");
				mp_buf_adds(b, pretty ? ": " : ":");
			}
			print_value(b, c, pretty, depth + 1);
		}
		if (pretty && !flat && j->child)
			indent(b, depth);
		mp_buf_addc(b, object ? '}' : ']');
	} else {
		mp_buf_adds(b, "null");
	}
}

char *mp_json_print(const cJSON *json, int pretty)
{
	struct mp_buf b = MP_BUF_INIT;

	print_value(&b, json, pretty, 0);
	return b.data;
}

int mp_json_save(const char *path, const cJSON *json, int pretty, struct mp_error *err)
{
	char *text = mp_json_print(json, pretty);
	struct mp_outfile f;
	int rc;

	if (!text)
		return mp_error_set(err, MP_EX_SOFTWARE, "cannot format JSON for '%s'", path);
	if (mp_out_open(&f, path, err)) {
		free(text);
		return -1;
	}
	mp_out_puts(&f, text);
	mp_out_puts(&f, "\n");
	rc = mp_out_commit(&f, err);
	free(text);
	return rc;
}

const char *mp_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double mp_json_num(const cJSON *obj, const char *key, double fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

static const char *type_name(int mask)
{
	if (mask == cJSON_Number)
		return "a number";
	if (mask == cJSON_String)
		return "a string";
	if (mask == cJSON_Array)
		return "an array";
	if (mask == cJSON_Object)
		return "an object";
	if (mask == (cJSON_True | cJSON_False))
		return "true or false";
	return "a value";
}

const cJSON *mp_json_need(const cJSON *obj, const char *key, int type_mask, const char *what,
			  struct mp_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v || !(v->type & type_mask)) {
		mp_error_set(err, MP_EX_DATAERR, "%s: member '%s': expected %s", what, key,
			     type_name(type_mask));
		return NULL;
	}
	return v;
}

int mp_json_need_num(const cJSON *obj, const char *key, const char *what, double *out,
		     struct mp_error *err)
{
	const cJSON *v = mp_json_need(obj, key, cJSON_Number, what, err);

	if (!v)
		return -1;
	*out = v->valuedouble;
	return 0;
}

const char *mp_json_need_str(const cJSON *obj, const char *key, const char *what,
			     struct mp_error *err)
{
	const cJSON *v = mp_json_need(obj, key, cJSON_String, what, err);
	return v ? v->valuestring : NULL;
}

cJSON *mp_json_add_num(cJSON *obj, const char *key, double v)
{
	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddNumberToObject(obj, key, v == 0 ? 0.0 : v);
}

cJSON *mp_json_num_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a, isfinite(v[i]) ? cJSON_CreateNumber(v[i] == 0 ? 0.0 : v[i])
						       : cJSON_CreateNull());
	return a;
}

void mp_json_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}
