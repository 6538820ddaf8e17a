/* pipe.c — reading and writing pipe JSON lines. */
#include "pipe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonio.h"

int mp_pipe_in_init(struct mp_pipe_in *in, char **args, int n_args, struct mp_error *err)
{
	memset(in, 0, sizeof(*in));
	in->args = args;
	in->n_args = n_args;
	if (n_args == 0) {
		if (isatty(0))
			return mp_error_set(err, MP_EX_USAGE,
					    "no model given (name a model directory, or pipe in another stage's output)");
		in->from_stdin = 1;
		in->fp = stdin;
	}
	return 0;
}

int mp_pipe_next(struct mp_pipe_in *in, struct mp_pipe_item *item, struct mp_error *err)
{
	memset(item, 0, sizeof(*item));
	if (!in->from_stdin) {
		if (in->next_arg >= in->n_args)
			return 0;
		item->model = xstrdup(in->args[in->next_arg++]);
		item->ok = 1;
		return 1;
	}
	for (;;) {
		ssize_t n = getline(&in->line, &in->cap, in->fp);
		const char *model;
		cJSON *j, *ok;
		if (n < 0)
			return 0;
		in->line_no++;
		while (n > 0 && (in->line[n - 1] == '\n' || in->line[n - 1] == '\r'))
			in->line[--n] = '\0';
		if (n == 0)
			continue;
		j = cJSON_Parse(in->line);
		model = j ? mp_json_str(j, "model") : NULL;
		if (!j || !model) {
			cJSON_Delete(j);
			return mp_error_set(err, MP_EX_DATAERR,
					    "<stdin> line %zu: expected a pipe JSON line with a \"model\" member",
					    in->line_no);
		}
		ok = cJSON_GetObjectItemCaseSensitive(j, "ok");
		item->model = xstrdup(model);
		item->ok = !cJSON_IsFalse(ok);
		if (mp_json_str(j, "error"))
			item->error = xstrdup(mp_json_str(j, "error"));
		item->json = j;
		return 1;
	}
}

void mp_pipe_item_free(struct mp_pipe_item *item)
{
	free(item->model);
	free(item->error);
	cJSON_Delete(item->json);
	memset(item, 0, sizeof(*item));
}

void mp_pipe_in_free(struct mp_pipe_in *in)
{
	free(in->line);
	in->line = NULL;
}

void mp_pipe_emit(const char *stage, const char *model, const char *id, int ok, double seconds,
		  const char *error, cJSON *extra)
{
	cJSON *j = cJSON_CreateObject(), *e;
	char *text;

	cJSON_AddStringToObject(j, "model", model);
	if (id)
		cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "stage", stage);
	cJSON_AddBoolToObject(j, "ok", ok);
	cJSON_AddNumberToObject(j, "seconds", floor(seconds * 1000 + 0.5) / 1000);
	if (error)
		cJSON_AddStringToObject(j, "error", error);
	if (extra) {
		while ((e = extra->child) != NULL) {
			cJSON_DetachItemViaPointer(extra, e);
			cJSON_AddItemToObject(j, e->string, e);
		}
		cJSON_Delete(extra);
	}
	text = mp_json_print(j, 0);
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	free(text);
	cJSON_Delete(j);
}

void mp_pipe_pass(const struct mp_pipe_item *item)
{
	if (item->json) {
		char *text = mp_json_print(item->json, 0);
		fputs(text, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		free(text);
	}
}
