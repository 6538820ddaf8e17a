/* status_view.h — what `mlstatus list` and `mlstatus watch` show: the
 * env's model hashes with their queue entries, and the live progress
 * events (a JSON line each, or a redrawn table with bars on a terminal). */
#ifndef MP_STATUS_VIEW_H
#define MP_STATUS_VIEW_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "status_redis.h"
#include "util.h"

/* Every <env>_ml:<id> hash: an array of objects of its fields. */
cJSON *mp_view_models(struct mp_redis *r, struct mp_error *err);
/* A table (or, with json, one JSON object per model and line) of the
 * models and jobs (from mp_queue_list). */
void mp_view_list(FILE *fp, const cJSON *models, const cJSON *jobs, int json);

struct mp_view_watch {
	int table;       /* live table instead of lines */
	long count;      /* stop after this many events (0 = never) */
	double timeout;  /* stop after this many seconds (0 = never) */
	char **ids;      /* only these models (n_ids 0 = all) */
	int n_ids;
};

/* Follows <env>_ml_progress on stdout until count or timeout; fails with
 * MP_EX_UNAVAILABLE when the connection is lost. */
int mp_view_watch(struct mp_redis *r, const struct mp_view_watch *w, struct mp_error *err);

#endif
