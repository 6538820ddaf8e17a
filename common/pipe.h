/* pipe.h — the pipe protocol between stages: one JSON object per model
 * per line on stdout,
 *   {"model":"models/loans","id":"loans","stage":"train","ok":true,"seconds":1.92,...}
 * A stage given model directories as arguments works on those; given
 * none while stdin is not a terminal, it reads these lines. A line with
 * "ok":false is passed through untouched. */
#ifndef MP_PIPE_H
#define MP_PIPE_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "util.h"

struct mp_pipe_item {
	char *model;  /* model directory */
	int ok;
	char *error;  /* upstream failure message */
	cJSON *json;  /* the whole line (NULL for a command-line argument) */
};

struct mp_pipe_in {
	char **args;
	int n_args, next_arg;
	int from_stdin;
	FILE *fp;
	size_t line_no;
	char *line;
	size_t cap;
};

/* args: the model directories given on the command line (may be empty). */
int mp_pipe_in_init(struct mp_pipe_in *in, char **args, int n_args, struct mp_error *err);
/* 1 = item, 0 = end, -1 = a malformed line (err says which). */
int mp_pipe_next(struct mp_pipe_in *in, struct mp_pipe_item *item, struct mp_error *err);
void mp_pipe_item_free(struct mp_pipe_item *item);
void mp_pipe_in_free(struct mp_pipe_in *in);

/* Writes one line and flushes. extra (consumed, may be NULL) adds members. */
void mp_pipe_emit(const char *stage, const char *model, const char *id, int ok, double seconds,
		  const char *error, cJSON *extra);
/* Writes an upstream line unchanged. */
void mp_pipe_pass(const struct mp_pipe_item *item);

#endif
