/* config.c — mlpipe.conf. */
#include "config.h"

#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

static char *find_config(void)
{
	const char *env = getenv("MLPIPE_CONF");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		/* bin/../share in the source tree and after install; the sanitizer
		 * build keeps its binaries one level deeper (build-asan/bin) */
		static const char *const rel[] = { "..", "../.." };
		char *dir;
		size_t i;
		exe[n] = '\0';
		dir = dirname(exe);
		for (i = 0; i < 2; i++) {
			char *path = xasprintf("%s/%s/share/mlpipe/mlpipe.conf", dir, rel[i]);
			if (mp_file_exists(path))
				return path;
			free(path);
		}
	}
#ifdef MLPIPE_SHAREDIR
	if (mp_file_exists(MLPIPE_SHAREDIR "/mlpipe.conf"))
		return xstrdup(MLPIPE_SHAREDIR "/mlpipe.conf");
#endif
	return NULL;
}

static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

int mp_config_load(struct mp_config *cfg, struct mp_error *err)
{
	struct mp_buf text = MP_BUF_INIT;
	char *p, *line;
	size_t line_no = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = find_config();
	if (!cfg->path)
		return 0;
	if (!getenv("MLPIPE_CONF") && !mp_file_exists(cfg->path))
		return 0;
	if (mp_read_file(cfg->path, &text, err)) {
		mp_buf_free(&text);
		return -1;
	}
	for (p = text.data; p && *p; p = line) {
		char *nl = strchr(p, '\n'), *eq, *hash;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		line = nl ? nl + 1 : NULL;
		line_no++;
		hash = memchr(p, '#', len);
		if (hash)
			len = (size_t)(hash - p);
		{
			char *content = trimmed(p, len);
			int empty = !*content;
			free(content);
			if (empty)
				continue;
		}
		eq = memchr(p, '=', len);
		if (!eq) {
			mp_error_set(err, MP_EX_USAGE, "'%s' line %zu: expected 'key = value'", cfg->path,
				     line_no);
			mp_buf_free(&text);
			return -1;
		}
		cfg->entries = xrealloc(cfg->entries, (cfg->n + 1) * sizeof(*cfg->entries));
		cfg->entries[cfg->n].key = trimmed(p, (size_t)(eq - p));
		cfg->entries[cfg->n].value = trimmed(eq + 1, len - (size_t)(eq - p) - 1);
		cfg->entries[cfg->n].line = line_no;
		cfg->n++;
	}
	mp_buf_free(&text);
	return 0;
}

void mp_config_free(struct mp_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

const char *mp_config_get(const struct mp_config *cfg, const char *key)
{
	size_t i;
	const char *v = NULL;

	for (i = 0; i < cfg->n; i++) /* the last one wins */
		if (!strcmp(cfg->entries[i].key, key))
			v = cfg->entries[i].value;
	return v;
}

static int apply_prefix(const struct mp_config *cfg, const char *prefix, const char *algo,
			struct mp_params *params, struct mp_error *err)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < cfg->n; i++) {
		const char *key = cfg->entries[i].key;
		if (strncmp(key, prefix, n) || strchr(key + n, '.'))
			continue;
		if (mp_params_set(params, algo, key + n, cfg->entries[i].value, err))
			return mp_error_prefix(err, "'%s' line %zu", cfg->path, cfg->entries[i].line);
	}
	return 0;
}

int mp_config_apply(const struct mp_config *cfg, enum mp_task task, const char *algo,
		    struct mp_params *params, struct mp_error *err)
{
	char *general = xasprintf("%s.", algo);
	char *specific = xasprintf("%s.%s.", mp_task_name(task), algo);
	int rc = apply_prefix(cfg, general, algo, params, err) ||
		 apply_prefix(cfg, specific, algo, params, err);

	free(general);
	free(specific);
	return rc ? -1 : 0;
}
