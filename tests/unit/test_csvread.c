/* Unit tests: CSV records, line numbers and rejected input. */
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "test.h"

/* Parses text (fed in chunks of `chunk` bytes) and returns all records
 * joined as "f1|f2;f1|f2;" with each record's line as "@L", or the error. */
static char *parse(const char *text, size_t len, size_t chunk, struct mp_error *err)
{
	struct mp_source src;
	struct mp_csv_reader *r;
	struct mp_csv_record rec;
	struct mp_buf out = MP_BUF_INIT;
	int rc;
	size_t i;

	mp_error_clear(err);
	mp_source_open_buffer(&src, "t.csv", text, len, chunk);
	r = mp_csv_open(&src);
	while ((rc = mp_csv_next(r, &rec, err)) == 1) {
		mp_buf_addf(&out, "@%zu:", rec.line);
		for (i = 0; i < rec.n_fields; i++)
			mp_buf_addf(&out, "%s%s", i ? "|" : "", rec.fields[i]);
		mp_buf_addc(&out, ';');
	}
	mp_csv_close(r);
	mp_source_close(&src);
	if (rc < 0) {
		mp_buf_free(&out);
		return NULL;
	}
	if (!out.data)
		mp_buf_adds(&out, "");
	return out.data;
}

static void check_parse(const char *text, const char *expect)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };
	struct mp_error err;
	size_t c;

	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		char *got = parse(text, strlen(text), chunks[c], &err);
		CHECK_STR(got ? got : err.msg, expect);
		free(got);
	}
}

static void check_error(const char *text, size_t len, const char *expect)
{
	struct mp_error err;
	char *got = parse(text, len, 0, &err);

	CHECK(got == NULL);
	free(got);
	CHECK_CONTAINS(err.msg, expect);
	CHECK_INT(err.code, 65);
}

TEST(csv_plain_lf_and_crlf)
{
	check_parse("a,b\n1,2\n", "@1:a|b;@2:1|2;");
	check_parse("a,b\r\n1,2\r\n", "@1:a|b;@2:1|2;");
	check_parse("a,b\n1,2", "@1:a|b;@2:1|2;"); /* no final newline */
}

TEST(csv_quoted_fields)
{
	check_parse("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n", "@1:a|b;@2:x,y|say \"hi\";");
	/* a newline inside quotes: the record starts on line 2, the next on line 4 */
	check_parse("a,b\n\"two\nlines\",z\n3,4\n", "@1:a|b;@2:two\nlines|z;@4:3|4;");
	check_parse("a,b\n,\n", "@1:a|b;@2:|;");
}

TEST(csv_bom_and_blank_lines)
{
	check_parse("\xef\xbb\xbf" "a,b\n1,2\n", "@1:a|b;@2:1|2;");
	/* a blank line gives no record, and later line numbers stay true */
	check_parse("a,b\n\n1,2\n", "@1:a|b;@3:1|2;");
}

TEST(csv_unterminated_quote)
{
	check_error("a,b\n1,\"open\n2,3\n", 16,
		    "'t.csv' line 3: unterminated quoted field (the record starts on line 2)");
}

TEST(csv_quote_inside_unquoted_field)
{
	check_error("a,b\n1,ab\"c\n", 11, "'t.csv' line 2, column 2: malformed quoted field");
}

TEST(csv_nul_byte)
{
	check_error("a,b\n1,2\n3,x\0y\n", 14, "'t.csv' line 3, column 2: NUL byte");
}

TEST(csv_invalid_utf8)
{
	check_error("a,b\n1,\xff\n", 8, "'t.csv' line 2, column 2: invalid UTF-8");
	/* overlong encoding of '/' */
	check_error("a,b\n\xc0\xaf,1\n", 9, "'t.csv' line 2, column 1: invalid UTF-8");
}

TEST(utf8_validation)
{
	CHECK_INT(mp_utf8_invalid_at("caf\xc3\xa9", 5), 0);
	CHECK_INT(mp_utf8_invalid_at("\xe2\x82\xac", 3), 0);
	CHECK_INT(mp_utf8_invalid_at("\xf0\x9f\x98\x80", 4), 0);
	CHECK_INT(mp_utf8_invalid_at("ab\xc3", 3), 3);        /* truncated */
	CHECK_INT(mp_utf8_invalid_at("\xed\xa0\x80", 3), 1);  /* surrogate */
	CHECK_INT(mp_utf8_invalid_at("\xf4\x90\x80\x80", 4), 1); /* > U+10FFFF */
}
