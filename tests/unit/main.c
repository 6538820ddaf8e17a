/* main.c — runs the registered unit tests; prints one line per failure and
 * a final "unit: N passed, N failed". */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <limits.h>

#include "test.h"

static struct mp_test *head, **tail = &head;
static int current_failed;
static char tmpdir[PATH_MAX];
static int keep_tmp;

void mp_test_register(struct mp_test *t)
{
	*tail = t;
	tail = &t->next;
}

void mp_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failed = 1;
}

const char *mp_test_shared_dir(void)
{
	const char *e = getenv("MLPIPE_SHARED");
	return e && *e ? e : "../shared";
}

const char *mp_test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/mlpipe-unit.XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(70);
		}
	}
	return tmpdir;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;
	struct mp_test *t;

	for (t = head; t; t = t->next) {
		if (filter && !strstr(t->name, filter))
			continue;
		current_failed = 0;
		t->fn();
		if (current_failed) {
			fprintf(stderr, "FAIL %s\n", t->name);
			failed++;
			keep_tmp = 1;
		} else {
			if (getenv("MLPIPE_TEST_VERBOSE"))
				fprintf(stderr, "ok   %s\n", t->name);
			passed++;
		}
	}
	if (tmpdir[0] && !keep_tmp) {
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: could not remove %s\n", tmpdir);
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
