/* status_view.c — `mlstatus list` and `mlstatus watch`. */
#include "status_view.h"

#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "jsonio.h"

cJSON *mp_view_models(struct mp_redis *r, struct mp_error *err)
{
	cJSON *out = cJSON_CreateArray();
	char *pattern = xasprintf("%s_ml:*", mp_redis_prefix(r));
	char cursor[32] = "0";

	do {
		redisReply *reply = mp_redis_cmd(r, err, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
		size_t k;
		if (!reply)
			goto fail;
		snprintf(cursor, sizeof(cursor), "%s", reply->element[0]->str);
		for (k = 0; k < reply->element[1]->elements; k++) {
			const char *key = reply->element[1]->element[k]->str;
			redisReply *h = mp_redis_cmd(r, err, "HGETALL %s", key);
			cJSON *o;
			size_t i;
			if (!h) {
				mp_redis_reply_free(reply);
				goto fail;
			}
			o = cJSON_CreateObject();
			for (i = 0; i + 1 < h->elements; i += 2)
				cJSON_AddStringToObject(o, h->element[i]->str, h->element[i + 1]->str);
			if (!mp_json_str(o, "_id"))
				cJSON_AddStringToObject(o, "_id", strchr(key, ':') + 1);
			cJSON_AddItemToArray(out, o);
			mp_redis_reply_free(h);
		}
		mp_redis_reply_free(reply);
	} while (strcmp(cursor, "0"));
	free(pattern);
	return out;
fail:
	free(pattern);
	cJSON_Delete(out);
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	const char *p = mp_json_str(x, "_id"), *q = mp_json_str(y, "_id");
	return strcmp(p ? p : "", q ? q : "");
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* A hash field as JSON: Redis keeps strings; the fields that hold numbers
 * (progress, seconds) become numbers again. */
static void add_hash_field(cJSON *obj, const char *name, const char *value)
{
	char *end;
	double v;

	if (!strcmp(name, "progress") || !strcmp(name, "seconds")) {
		v = strtod(value, &end);
		if (*value && !*end) {
			cJSON_AddNumberToObject(obj, name, v);
			return;
		}
	}
	cJSON_AddStringToObject(obj, name, value);
}

/* The model's entry: the hash's fields in a nested form. */
static cJSON *model_entry(const cJSON *m, const cJSON *jobs, const char *id)
{
	cJSON *e = cJSON_CreateObject(), *algos = cJSON_CreateObject(), *js = cJSON_CreateArray();
	const cJSON *f, *j;

	cJSON_AddStringToObject(e, "id", id);
	cJSON_ArrayForEach(f, m) {
		const char *dot = strrchr(f->string, '.');
		if (!strcmp(f->string, "_id"))
			continue;
		if (dot) {
			char *algo = xstrndup(f->string, (size_t)(dot - f->string));
			cJSON *a = cJSON_GetObjectItemCaseSensitive(algos, algo);
			if (!a) {
				a = cJSON_CreateObject();
				cJSON_AddItemToObject(algos, algo, a);
			}
			add_hash_field(a, dot + 1, f->valuestring);
			free(algo);
		} else {
			add_hash_field(e, f->string, f->valuestring);
		}
	}
	cJSON_AddItemToObject(e, "algorithms", algos);
	cJSON_ArrayForEach(j, jobs) {
		cJSON *o;
		if (!mp_json_str(j, "_id") || strcmp(mp_json_str(j, "_id"), id))
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "queue", or_dash(mp_json_str(j, "queue")));
		cJSON_AddStringToObject(o, "status", or_dash(mp_json_str(j, "status")));
		cJSON_AddStringToObject(o, "owner", mp_json_str(j, "owner") ? mp_json_str(j, "owner") : "");
		cJSON_AddNumberToObject(o, "numErrors", atoi(mp_json_str(j, "numErrors") ? mp_json_str(j, "numErrors") : "0"));
		if (mp_json_str(j, "error"))
			cJSON_AddStringToObject(o, "error", mp_json_str(j, "error"));
		cJSON_AddItemToArray(js, o);
	}
	cJSON_AddItemToObject(e, "jobs", js);
	return e;
}

void mp_view_list(FILE *fp, const cJSON *models, const cJSON *jobs, int json)
{
	size_t n = 0, i;
	const cJSON *m, *j;
	const cJSON **rows;
	cJSON *orphans = cJSON_CreateArray();

	/* jobs whose model has no hash yet still get a row */
	cJSON_ArrayForEach(j, jobs) {
		const char *id = mp_json_str(j, "_id");
		int found = 0;
		cJSON_ArrayForEach(m, models)
			if (id && mp_json_str(m, "_id") && !strcmp(id, mp_json_str(m, "_id")))
				found = 1;
		cJSON_ArrayForEach(m, orphans)
			if (id && !strcmp(id, mp_json_str(m, "_id")))
				found = 1;
		if (!found && id) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "_id", id);
			cJSON_AddStringToObject(o, "status", "queued");
			cJSON_AddItemToArray(orphans, o);
		}
	}
	rows = xcalloc((size_t)(cJSON_GetArraySize(models) + cJSON_GetArraySize(orphans)) + 1, sizeof(*rows));
	cJSON_ArrayForEach(m, models)
		rows[n++] = m;
	cJSON_ArrayForEach(m, orphans)
		rows[n++] = m;
	qsort(rows, n, sizeof(*rows), cmp_id);
	if (!json)
		fprintf(fp, "%-20s %-10s %-9s %8s  %-14s %-8s %6s  %s\n", "MODEL", "STATUS", "STAGE", "PROGRESS",
			"QUEUE", "JOB", "ERRORS", "UPDATED");
	for (i = 0; i < n; i++) {
		const char *id = mp_json_str(rows[i], "_id");
		cJSON *e = model_entry(rows[i], jobs, id);
		if (json) {
			char *text = mp_json_print(e, 0);
			fprintf(fp, "%s\n", text);
			free(text);
		} else {
			const cJSON *js = cJSON_GetObjectItemCaseSensitive(e, "jobs"), *k;
			double progress = mp_json_num(e, "progress", -1);
			char pbuf[16];
			if (progress >= 0)
				snprintf(pbuf, sizeof(pbuf), "%.0f%%", progress);
			else
				snprintf(pbuf, sizeof(pbuf), "-");
			fprintf(fp, "%-20s %-10s %-9s %8s  ", id, or_dash(mp_json_str(e, "status")),
				or_dash(mp_json_str(e, "stage")), pbuf);
			if (!cJSON_GetArraySize(js))
				fprintf(fp, "%-14s %-8s %6s  %s\n", "-", "-", "-", or_dash(mp_json_str(e, "updated_at")));
			cJSON_ArrayForEach(k, js) {
				if (k != js->child)
					fprintf(fp, "%-20s %-10s %-9s %8s  ", "", "", "", "");
				fprintf(fp, "%-14s %-8s %6d  %s\n", mp_json_str(k, "queue"), mp_json_str(k, "status"),
					(int)mp_json_num(k, "numErrors", 0), or_dash(mp_json_str(e, "updated_at")));
				if (mp_json_str(k, "error"))
					fprintf(fp, "%-20s   job error: %s\n", "", mp_json_str(k, "error"));
			}
			if (mp_json_str(e, "error"))
				fprintf(fp, "%-20s   error: %s\n", "", mp_json_str(e, "error"));
		}
		cJSON_Delete(e);
	}
	free(rows);
	cJSON_Delete(orphans);
}

/* ---- watch ---- */

struct watch_state {
	const struct mp_view_watch *w;
	long seen;
	cJSON *rows; /* "model/algorithm-or-stage" -> last event */
	const char *channel;
};

static void draw(struct watch_state *s)
{
	const cJSON *r;

	fputs("\033[H\033[J", stdout);
	printf("%-20s %-18s %-10s %-10s %s\n", "MODEL", "ALGORITHM/STAGE", "STATUS", "PROGRESS", "");
	cJSON_ArrayForEach(r, s->rows) {
		double p = mp_json_num(r, "progress", -1);
		const char *what = mp_json_str(r, "algorithm") ? mp_json_str(r, "algorithm") : mp_json_str(r, "stage");
		char bar[21];
		int i, fill = p < 0 ? 0 : (int)(p / 5 + 0.5);
		for (i = 0; i < 20; i++)
			bar[i] = i < fill ? '#' : '.';
		bar[20] = '\0';
		printf("%-20s %-18s %-10s ", or_dash(mp_json_str(r, "model_id")), or_dash(what),
		       or_dash(mp_json_str(r, "status")));
		if (p >= 0)
			printf("[%s] %3.0f%%\n", bar, p);
		else
			printf("\n");
		if (mp_json_str(r, "error"))
			printf("%-20s   error: %s\n", "", mp_json_str(r, "error"));
	}
	printf("\n%ld events on %s\n", s->seen, s->channel);
	fflush(stdout);
}

static int on_event(const char *msg, size_t n, void *arg)
{
	struct watch_state *s = arg;
	cJSON *ev = cJSON_ParseWithLength(msg, n);
	const char *id = ev ? mp_json_str(ev, "model_id") : NULL;
	int i;

	if (s->w->n_ids) {
		for (i = 0; i < s->w->n_ids; i++)
			if (id && !strcmp(id, s->w->ids[i]))
				break;
		if (i == s->w->n_ids) {
			cJSON_Delete(ev);
			return 0;
		}
	}
	s->seen++;
	if (!s->w->table || !ev) {
		fwrite(msg, 1, n, stdout);
		fputc('\n', stdout);
		fflush(stdout);
	} else {
		const char *what = mp_json_str(ev, "algorithm") ? mp_json_str(ev, "algorithm") : mp_json_str(ev, "stage");
		char *key = xasprintf("%s/%s", or_dash(id), or_dash(what));
		if (cJSON_HasObjectItem(s->rows, key))
			cJSON_ReplaceItemInObjectCaseSensitive(s->rows, key, cJSON_Duplicate(ev, 1));
		else
			cJSON_AddItemToObject(s->rows, key, cJSON_Duplicate(ev, 1));
		free(key);
		draw(s);
	}
	cJSON_Delete(ev);
	return s->w->count && s->seen >= s->w->count;
}

static void on_ready(void *arg)
{
	struct watch_state *s = arg;

	if (s->w->table)
		draw(s);
}

int mp_view_watch(struct mp_redis *r, const struct mp_view_watch *w, struct mp_error *err)
{
	struct watch_state s;
	char *channel = xasprintf("%s_ml_progress", mp_redis_prefix(r));
	int rc;

	s.w = w;
	s.seen = 0;
	s.rows = cJSON_CreateObject();
	s.channel = channel;
	rc = mp_redis_subscribe(r, channel, on_event, &s, on_ready, w->timeout, err);
	cJSON_Delete(s.rows);
	free(channel);
	return rc < 0 ? -1 : 0;
}
