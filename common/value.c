/* value.c — what a raw cell means: missing, number, boolean, date.
 * One set of rules for training and scoring (REFERENCE.md §10.1, §10.16):
 * signs and exponents are kept, "$1,234.50" is 1234.5, "N/A" is missing. */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int ieq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !strncasecmp(s, word, n);
}

int mp_is_missing(const char *s, size_t n)
{
	trim(&s, &n);
	return n == 0 || ieq(s, n, "na") || ieq(s, n, "n/a") || ieq(s, n, "null") ||
	       ieq(s, n, "nan");
}

int mp_parse_boolean(const char *s, size_t n)
{
	trim(&s, &n);
	if (ieq(s, n, "true"))
		return 1;
	if (ieq(s, n, "false"))
		return 0;
	return -1;
}

int mp_parse_number(const char *s, size_t n, double *out)
{
	char buf[128];
	size_t o = 0, i = 0, int_digits = 0, group = 0;
	int negative = 0, signed_ = 0, grouped = 0, digits = 0;
	char *end;
	double v;

	trim(&s, &n);
	if (n == 0 || n >= sizeof(buf) - 1)
		return -1;
	if (s[i] == '+' || s[i] == '-') {
		negative = s[i++] == '-';
		signed_ = 1;
	}
	/* currency prefix: $, or the UTF-8 euro and pound signs; "-$5" and "$-5" */
	if (i < n && s[i] == '$')
		i++;
	else if (i + 2 < n && !memcmp(s + i, "\xe2\x82\xac", 3))
		i += 3;
	else if (i + 1 < n && !memcmp(s + i, "\xc2\xa3", 2))
		i += 2;
	if (!signed_ && i > 0 && i < n && (s[i] == '+' || s[i] == '-'))
		negative = s[i++] == '-';
	if (negative)
		buf[o++] = '-';
	/* integer part, with optional comma groups of three digits */
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i])) {
			buf[o++] = s[i];
			int_digits++;
			group++;
			digits = 1;
		} else if (s[i] == ',') {
			if (int_digits == 0 || (grouped && group != 3) || (!grouped && group > 3))
				return -1;
			grouped = 1;
			group = 0;
		} else {
			break;
		}
	}
	if (grouped && group != 3)
		return -1;
	if (i < n && s[i] == '.') {
		buf[o++] = s[i++];
		for (; i < n && isdigit((unsigned char)s[i]); i++) {
			buf[o++] = s[i];
			digits = 1;
		}
	}
	if (!digits)
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		buf[o++] = s[i++];
		if (i < n && (s[i] == '+' || s[i] == '-'))
			buf[o++] = s[i++];
		if (i >= n || !isdigit((unsigned char)s[i]))
			return -1;
		for (; i < n && isdigit((unsigned char)s[i]); i++)
			buf[o++] = s[i];
	}
	if (i < n && s[i] == '%')
		i++;
	if (i != n)
		return -1;
	buf[o] = '\0';
	v = strtod(buf, &end);
	/* every algorithm computes in 32-bit floats: a larger magnitude
	 * would train on infinities */
	if (*end || !isfinite(v) || fabs(v) > FLT_MAX)
		return -1;
	*out = v == 0 ? 0.0 : v;
	return 0;
}

static long days_from_civil(long y, unsigned m, unsigned d)
{
	/* Howard Hinnant's algorithm: proleptic Gregorian days since 1970-01-01 */
	long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits_at(const char *s, size_t n, size_t at, size_t count, unsigned *v)
{
	size_t i;

	*v = 0;
	if (at + count > n)
		return -1;
	for (i = 0; i < count; i++) {
		if (!isdigit((unsigned char)s[at + i]))
			return -1;
		*v = *v * 10 + (unsigned)(s[at + i] - '0');
	}
	return 0;
}

int mp_parse_date(const char *s, size_t n, double *days)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, m, d, hh = 0, mm = 0, ss = 0;
	double frac = 0;

	trim(&s, &n);
	if (n < 10 || digits_at(s, n, 0, 4, &y) || s[4] != '-' || digits_at(s, n, 5, 2, &m) ||
	    s[7] != '-' || digits_at(s, n, 8, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	if (n > 10) {
		if ((s[10] != 'T' && s[10] != ' ') || digits_at(s, n, 11, 2, &hh) || n < 16 ||
		    s[13] != ':' || digits_at(s, n, 14, 2, &mm))
			return -1;
		if (n > 16) {
			if (n != 19 || s[16] != ':' || digits_at(s, n, 17, 2, &ss))
				return -1;
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return -1;
		frac = (hh * 3600.0 + mm * 60.0 + ss) / 86400.0;
	}
	*days = (double)days_from_civil((long)y, m, d) + frac;
	return 0;
}
