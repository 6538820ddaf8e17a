/* test.h — a small unit-test harness.
 *
 *   TEST(csv_quoted_newline) { ... CHECK(x == 1); CHECK_NEAR(auc, 0.796, 1e-12); }
 *
 * Tests register themselves (constructor attribute), so a new test file
 * needs no list to edit. Each CHECK failure prints file:line and the
 * expression; a test passes when none of its checks failed. Run
 * `bin/unit-tests [substring]` to run the tests whose name contains it. */
#ifndef MP_TEST_H
#define MP_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

struct mp_test {
	const char *name;
	void (*fn)(void);
	struct mp_test *next;
};

void mp_test_register(struct mp_test *t);
void mp_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Directory of the shared datasets/golden files (../shared relative to
 * the source tree, or $MLPIPE_SHARED). */
const char *mp_test_shared_dir(void);
/* A fresh scratch directory for this test (removed at exit unless the
 * test failed). */
const char *mp_test_tmpdir(void);

#define TEST(name)                                                                  \
	static void test_##name(void);                                              \
	static struct mp_test test_reg_##name = { #name, test_##name, NULL };       \
	__attribute__((constructor)) static void test_ctor_##name(void)             \
	{                                                                           \
		mp_test_register(&test_reg_##name);                                 \
	}                                                                           \
	static void test_##name(void)

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond))                                                        \
			mp_test_fail(__FILE__, __LINE__, "%s", #cond);              \
	} while (0)

#define CHECK_INT(a, b)                                                             \
	do {                                                                        \
		long long a_ = (long long)(a), b_ = (long long)(b);                 \
		if (a_ != b_)                                                       \
			mp_test_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", \
				     #a, a_, b_);                                   \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                       \
	do {                                                                        \
		double a_ = (double)(a), b_ = (double)(b);                          \
		if (!(fabs(a_ - b_) <= (tol)))                                      \
			mp_test_fail(__FILE__, __LINE__, "%s == %.17g, expected %.17g (tol %g)", \
				     #a, a_, b_, (double)(tol));                    \
	} while (0)

#define CHECK_STR(a, b)                                                             \
	do {                                                                        \
		const char *a_ = (a), *b_ = (b);                                    \
		if (!a_ || !b_ || strcmp(a_, b_))                                   \
			mp_test_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
				     #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");   \
	} while (0)

/* Substring check, e.g. on error messages. */
#define CHECK_CONTAINS(hay, needle)                                                 \
	do {                                                                        \
		const char *h_ = (hay), *n_ = (needle);                             \
		if (!h_ || !strstr(h_, n_))                                         \
			mp_test_fail(__FILE__, __LINE__, "%s == \"%s\", expected it to contain \"%s\"", \
				     #hay, h_ ? h_ : "(null)", n_);                 \
	} while (0)

#endif
