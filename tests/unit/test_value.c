/* Unit tests: what a raw cell means (REFERENCE.md §10.1 defects fixed). */
#include "schema.h"
#include "test.h"

static double num(const char *s)
{
	double v = -12345.678;
	if (mp_parse_number(s, strlen(s), &v))
		return NAN;
	return v;
}

TEST(number_parsing_keeps_signs_and_exponents)
{
	CHECK_NEAR(num("-5"), -5, 0);
	CHECK_NEAR(num("+5"), 5, 0);
	CHECK_NEAR(num("1.5e-3"), 0.0015, 1e-18);
	CHECK_NEAR(num("2E+2"), 200, 0);
	CHECK_NEAR(num(" 42 "), 42, 0);
	CHECK_NEAR(num(".5"), 0.5, 0);
	CHECK_NEAR(num("5."), 5, 0);
	CHECK_NEAR(num("$1,234.50"), 1234.5, 0);
	CHECK_NEAR(num("-$1,234"), -1234, 0);
	CHECK_NEAR(num("$-3"), -3, 0);
	CHECK_NEAR(num("1,234,567"), 1234567, 0);
	CHECK_NEAR(num("12%"), 12, 0);
	CHECK_NEAR(num("\xe2\x82\xac" "7"), 7, 0);
}

TEST(number_parsing_rejects)
{
	CHECK(isnan(num("12,5k")));
	CHECK(isnan(num("1,5")));      /* not a thousands group */
	CHECK(isnan(num("1,2345")));
	CHECK(isnan(num("1.2.3")));
	CHECK(isnan(num("2019-01-05")));
	CHECK(isnan(num("01/05/2019")));
	CHECK(isnan(num("0x1A")));
	CHECK(isnan(num("inf")));
	/* beyond the 32-bit float range the algorithms compute in */
	CHECK(isnan(num("1e300")));
	CHECK(isnan(num("-3.5e38")));
	CHECK_NEAR(num("3.4e38"), 3.4e38, 0);
	CHECK(isnan(num("1e")));
	CHECK(isnan(num("--1")));
	CHECK(isnan(num("")));
	CHECK(isnan(num("abc")));
	CHECK(isnan(num("1 2")));
}

TEST(missing_and_boolean)
{
	CHECK(mp_is_missing("", 0));
	CHECK(mp_is_missing("  ", 2));
	CHECK(mp_is_missing("NA", 2));
	CHECK(mp_is_missing("n/a", 3));
	CHECK(mp_is_missing("NULL", 4));
	CHECK(mp_is_missing("NaN", 3));
	CHECK(!mp_is_missing("0", 1));
	CHECK(!mp_is_missing("nab", 3));
	CHECK(!mp_is_missing("none", 4)); /* a real category in credit-g */
	CHECK_INT(mp_parse_boolean("TRUE", 4), 1);
	CHECK_INT(mp_parse_boolean(" false", 6), 0);
	CHECK_INT(mp_parse_boolean("yes", 3), -1);
	CHECK_INT(mp_parse_boolean("1", 1), -1);
}

TEST(date_parsing)
{
	double d;
	CHECK(mp_parse_date("1970-01-01", 10, &d) == 0 && d == 0);
	CHECK(mp_parse_date("2000-03-01", 10, &d) == 0 && d == 11017); /* date -d 2000-03-01 +%s / 86400 */
	CHECK(mp_parse_date("2019-01-05T12:00", 16, &d) == 0 && d == 17901.5);
	CHECK(mp_parse_date("2019-02-29", 10, &d) == -1);
	CHECK(mp_parse_date("2000-02-29", 10, &d) == 0);
	CHECK(mp_parse_date("2019-13-01", 10, &d) == -1);
	CHECK(mp_parse_date("20190105", 8, &d) == -1);
}
