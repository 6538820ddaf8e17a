/* Unit tests: AWS Signature V4 against AWS's published examples, URI
 * encoding, URL redaction, Redis URL parsing (passwords kept out of
 * messages). */
#include <stdlib.h>

#include "fetch.h"
#include "s3.h"
#include "status_redis.h"
#include "test.h"

#define EXAMPLE_KEY "AKIAIOSFODNN7EXAMPLE"
#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* "Example: GET Object" of the S3 SigV4 documentation (header-based auth,
 * single chunk): the first 10 bytes of examplebucket/test.txt. */
TEST(sigv4_aws_example_get_object)
{
	static const char *const names[] = { "range", "x-amz-content-sha256", "x-amz-date" };
	static const char *const values[] = { "bytes=0-9", EMPTY_SHA256, "20130524T000000Z" };
	struct mp_sigv4 r;
	struct mp_buf auth = MP_BUF_INIT, canon = MP_BUF_INIT, sts = MP_BUF_INIT;
	char sig[65];

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.host = "examplebucket.s3.amazonaws.com";
	r.path = "/test.txt";
	r.query = "";
	r.names = names;
	r.values = values;
	r.n_headers = 3;
	r.payload_hash = EMPTY_SHA256;
	r.amz_date = "20130524T000000Z";
	r.region = "us-east-1";
	r.service = "s3";
	r.access_key = EXAMPLE_KEY;
	r.secret_key = EXAMPLE_SECRET;
	mp_sigv4_sign(&r, sig, &auth, &canon, &sts);
	CHECK_STR(canon.data, "GET\n/test.txt\n\n"
			      "host:examplebucket.s3.amazonaws.com\n"
			      "range:bytes=0-9\n"
			      "x-amz-content-sha256:" EMPTY_SHA256 "\n"
			      "x-amz-date:20130524T000000Z\n\n"
			      "host;range;x-amz-content-sha256;x-amz-date\n" EMPTY_SHA256);
	CHECK_STR(sts.data, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
			    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	CHECK_STR(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	CHECK_STR(auth.data, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
			     "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
			     "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	mp_buf_free(&auth);
	mp_buf_free(&canon);
	mp_buf_free(&sts);
}

/* "Example: GET Bucket (List Objects)": a canonical query string. */
TEST(sigv4_aws_example_list_objects)
{
	static const char *const names[] = { "x-amz-content-sha256", "x-amz-date" };
	static const char *const values[] = { EMPTY_SHA256, "20130524T000000Z" };
	struct mp_sigv4 r;
	char sig[65];

	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.host = "examplebucket.s3.amazonaws.com";
	r.path = "/";
	r.query = "max-keys=2&prefix=J";
	r.names = names;
	r.values = values;
	r.n_headers = 2;
	r.payload_hash = EMPTY_SHA256;
	r.amz_date = "20130524T000000Z";
	r.region = "us-east-1";
	r.service = "s3";
	r.access_key = EXAMPLE_KEY;
	r.secret_key = EXAMPLE_SECRET;
	mp_sigv4_sign(&r, sig, NULL, NULL, NULL);
	CHECK_STR(sig, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(uri_encode_for_sigv4)
{
	struct mp_buf b = MP_BUF_INIT;

	mp_uri_encode(&b, "data/a b+c~_.-$x", 16, 1);
	CHECK_STR(b.data, "data/a%20b%2Bc~_.-%24x");
	mp_buf_reset(&b);
	mp_uri_encode(&b, "a/b", 3, 0);
	CHECK_STR(b.data, "a%2Fb");
	mp_buf_free(&b);
}

TEST(s3_urls_path_style_and_aws)
{
	struct mp_s3 s3;
	struct mp_error err;
	char *bucket, *key, *url, *host;

	CHECK_INT(mp_s3_split("s3://bkt/dir/file name.csv", &bucket, &key, &err), 0);
	CHECK_STR(bucket, "bkt");
	CHECK_STR(key, "dir/file name.csv");
	memset(&s3, 0, sizeof(s3));
	s3.region = "eu-west-1";
	url = mp_s3_http_url(&s3, bucket, key, NULL, &host);
	CHECK_STR(url, "https://bkt.s3.eu-west-1.amazonaws.com/dir/file%20name.csv");
	CHECK_STR(host, "bkt.s3.eu-west-1.amazonaws.com");
	free(url);
	free(host);
	s3.endpoint = "http://127.0.0.1:4568";
	url = mp_s3_http_url(&s3, bucket, key, "list-type=2", &host);
	CHECK_STR(url, "http://127.0.0.1:4568/bkt/dir/file%20name.csv?list-type=2");
	CHECK_STR(host, "127.0.0.1:4568");
	free(url);
	free(host);
	free(bucket);
	free(key);
	CHECK_INT(mp_s3_split("s3:///key", &bucket, &key, &err), -1);
	CHECK_INT(err.code, MP_EX_USAGE);
}

TEST(s3_scrub_removes_keys)
{
	struct mp_s3 s3;
	char msg[256] = "denied for AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY!";

	memset(&s3, 0, sizeof(s3));
	s3.access_key = EXAMPLE_KEY;
	s3.secret_key = EXAMPLE_SECRET;
	mp_s3_scrub(&s3, msg);
	CHECK_STR(msg, "denied for REDACTED with REDACTED!");
}

TEST(url_redaction)
{
	char *r;

	r = mp_url_redact("https://alice:pa55@example.com:8443/data/x.csv?a=1");
	CHECK_STR(r, "https://example.com:8443/data/x.csv?a=1");
	free(r);
	r = mp_url_redact("https://b.s3.amazonaws.com/k.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F2013&X-Amz-Signature=abcdef&x=y");
	CHECK_STR(r, "https://b.s3.amazonaws.com/k.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=y");
	free(r);
	r = mp_url_redact("s3://bucket/key.csv");
	CHECK_STR(r, "s3://bucket/key.csv");
	free(r);
	r = mp_url_redact("http://user@host/p@q");
	CHECK_STR(r, "http://host/p@q");
	free(r);
	/* the public name opens the real URL */
	CHECK_STR(mp_fetch_public_name("http://u:secret@h/x.csv"), "http://h/x.csv");
	CHECK_STR(mp_fetch_public_name("local.csv"), "local.csv");
}

TEST(redis_url_parsing)
{
	struct mp_redis_url u;
	struct mp_error err;

	CHECK_INT(mp_redis_url_parse("redis://:s%40cret@10.0.0.5:6380/2", &u, &err), 0);
	CHECK_STR(u.host, "10.0.0.5");
	CHECK_INT(u.port, 6380);
	CHECK_INT(u.db, 2);
	CHECK_STR(u.password, "s@cret");
	CHECK(u.user == NULL);
	CHECK_STR(u.where, "10.0.0.5:6380/2");
	mp_redis_url_free(&u);
	CHECK_INT(mp_redis_url_parse("redis://worker:pw@host", &u, &err), 0);
	CHECK_STR(u.user, "worker");
	CHECK_STR(u.password, "pw");
	CHECK_INT(u.port, 6379);
	CHECK_STR(u.where, "host:6379");
	mp_redis_url_free(&u);
	CHECK_INT(mp_redis_url_parse("unix:/run/redis.sock?db=3", &u, &err), 0);
	CHECK_STR(u.socket, "/run/redis.sock");
	CHECK_INT(u.db, 3);
	CHECK_STR(u.where, "unix:/run/redis.sock?db=3");
	mp_redis_url_free(&u);
	CHECK_INT(mp_redis_url_parse("unix:///tmp/r.sock", &u, &err), 0);
	CHECK_STR(u.socket, "/tmp/r.sock");
	mp_redis_url_free(&u);
	CHECK_INT(mp_redis_url_parse("redis://:topsecret@host:notaport", &u, &err), -1);
	CHECK_INT(err.code, MP_EX_USAGE);
	CHECK(strstr(err.msg, "topsecret") == NULL);
	CHECK_INT(mp_redis_url_parse("http://host", &u, &err), -1);
	CHECK_INT(mp_redis_url_parse("rediss://host", &u, &err), -1);
	CHECK_CONTAINS(err.msg, "TLS");
}
