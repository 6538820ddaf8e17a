/* s3.c — SigV4 signing and blocking object operations. */
#include "s3.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetch.h"
#include "sha256.h"

static char *env_dup(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? xstrdup(v) : NULL;
}

int mp_s3_init(struct mp_s3 *s3, struct mp_error *err)
{
	char *ep;
	size_t n;

	memset(s3, 0, sizeof(*s3));
	s3->region = env_dup("AWS_REGION");
	if (!s3->region)
		s3->region = env_dup("AWS_DEFAULT_REGION");
	if (!s3->region)
		s3->region = xstrdup("us-east-1");
	s3->access_key = env_dup("AWS_ACCESS_KEY_ID");
	s3->secret_key = env_dup("AWS_SECRET_ACCESS_KEY");
	s3->session_token = env_dup("AWS_SESSION_TOKEN");
	if (!s3->access_key != !s3->secret_key) {
		mp_s3_free(s3);
		return mp_error_set(err, MP_EX_USAGE,
				    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: one is not set");
	}
	ep = env_dup("MLPIPE_S3_ENDPOINT");
	if (ep) {
		if (strncmp(ep, "http://", 7) && strncmp(ep, "https://", 8)) {
			free(ep);
			mp_s3_free(s3);
			return mp_error_set(err, MP_EX_USAGE,
					    "MLPIPE_S3_ENDPOINT: expected http://host[:port] or https://host[:port]");
		}
		n = strlen(ep);
		while (n > 0 && ep[n - 1] == '/')
			ep[--n] = '\0';
		s3->endpoint = ep;
	}
	return 0;
}

void mp_s3_free(struct mp_s3 *s3)
{
	free(s3->endpoint);
	free(s3->region);
	free(s3->access_key);
	free(s3->secret_key);
	free(s3->session_token);
	memset(s3, 0, sizeof(*s3));
}

int mp_s3_split(const char *url, char **bucket, char **key, struct mp_error *err)
{
	const char *b, *slash;

	if (strncmp(url, "s3://", 5))
		return mp_error_set(err, MP_EX_USAGE, "expected s3://bucket/key, got '%s'", url);
	b = url + 5;
	slash = strchr(b, '/');
	if (slash == b || !*b)
		return mp_error_set(err, MP_EX_USAGE, "'%s': no bucket name after s3://", url);
	*bucket = slash ? xstrndup(b, (size_t)(slash - b)) : xstrdup(b);
	*key = xstrdup(slash ? slash + 1 : "");
	return 0;
}

void mp_uri_encode(struct mp_buf *out, const char *s, size_t n, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
			mp_buf_addc(out, (char)c);
		} else {
			mp_buf_addc(out, '%');
			mp_buf_addc(out, hex[c >> 4]);
			mp_buf_addc(out, hex[c & 15]);
		}
	}
}

/* host and encoded path of an object */
static void locate(const struct mp_s3 *s3, const char *bucket, const char *key, char **scheme_host,
		   char **host, struct mp_buf *path)
{
	mp_buf_reset(path);
	if (s3->endpoint) {
		const char *h = strstr(s3->endpoint, "://") + 3;
		*scheme_host = xstrdup(s3->endpoint);
		*host = xstrdup(h);
		mp_buf_addc(path, '/');
		mp_uri_encode(path, bucket, strlen(bucket), 0);
		mp_buf_addc(path, '/');
	} else {
		*host = xasprintf("%s.s3.%s.amazonaws.com", bucket, s3->region);
		*scheme_host = xasprintf("https://%s", *host);
		mp_buf_addc(path, '/');
	}
	mp_uri_encode(path, key, strlen(key), 1);
}

char *mp_s3_http_url(const struct mp_s3 *s3, const char *bucket, const char *key,
		     const char *query, char **host)
{
	struct mp_buf path = MP_BUF_INIT;
	char *sh, *h, *url;

	locate(s3, bucket, key, &sh, &h, &path);
	url = query && *query ? xasprintf("%s%s?%s", sh, path.data, query)
			      : xasprintf("%s%s", sh, path.data);
	free(sh);
	if (host)
		*host = h;
	else
		free(h);
	mp_buf_free(&path);
	return url;
}

/* ---- SigV4 ---- */

static void hex_sha256(const void *p, size_t n, char out[65])
{
	unsigned char d[32];

	mp_sha256(p, n, d);
	mp_hex(d, 32, out);
}

struct hdr {
	const char *name, *value;
};

static int cmp_hdr(const void *a, const void *b)
{
	return strcmp(((const struct hdr *)a)->name, ((const struct hdr *)b)->name);
}

void mp_sigv4_sign(const struct mp_sigv4 *r, char signature[65], struct mp_buf *authorization,
		   struct mp_buf *canonical_out, struct mp_buf *sts_out)
{
	struct mp_buf canon = MP_BUF_INIT, sts = MP_BUF_INIT, signed_names = MP_BUF_INIT;
	struct hdr *h = xcalloc(r->n_headers + 1, sizeof(*h));
	size_t i, n = 0;
	char date[9], hash[65], *scope, *secret;
	unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];

	h[n].name = "host";
	h[n++].value = r->host;
	for (i = 0; i < r->n_headers; i++) {
		h[n].name = r->names[i];
		h[n++].value = r->values[i];
	}
	qsort(h, n, sizeof(*h), cmp_hdr);
	mp_buf_addf(&canon, "%s\n%s\n%s\n", r->method, r->path, r->query ? r->query : "");
	for (i = 0; i < n; i++) {
		/* values trimmed; inner runs of spaces would be folded too,
		 * but none of ours have any */
		const char *v = h[i].value;
		size_t len = strlen(v);
		while (len && (*v == ' ' || *v == '\t'))
			v++, len--;
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
			len--;
		mp_buf_addf(&canon, "%s:%.*s\n", h[i].name, (int)len, v);
		mp_buf_addf(&signed_names, "%s%s", i ? ";" : "", h[i].name);
	}
	mp_buf_addf(&canon, "\n%s\n%s", signed_names.data, r->payload_hash);

	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	scope = xasprintf("%s/%s/%s/aws4_request", date, r->region, r->service);
	hex_sha256(canon.data, canon.len, hash);
	mp_buf_addf(&sts, "AWS4-HMAC-SHA256\n%s\n%s\n%s", r->amz_date, scope, hash);

	secret = xasprintf("AWS4%s", r->secret_key);
	mp_hmac_sha256(secret, strlen(secret), date, 8, k1);
	mp_hmac_sha256(k1, 32, r->region, strlen(r->region), k2);
	mp_hmac_sha256(k2, 32, r->service, strlen(r->service), k3);
	mp_hmac_sha256(k3, 32, "aws4_request", 12, k4);
	mp_hmac_sha256(k4, 32, sts.data, sts.len, sig);
	mp_hex(sig, 32, signature);
	if (authorization) {
		mp_buf_reset(authorization);
		mp_buf_addf(authorization, "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s",
			    r->access_key, scope, signed_names.data, signature);
	}
	if (canonical_out) {
		mp_buf_reset(canonical_out);
		mp_buf_add(canonical_out, canon.data, canon.len);
	}
	if (sts_out) {
		mp_buf_reset(sts_out);
		mp_buf_add(sts_out, sts.data, sts.len);
	}
	memset(secret, 0, strlen(secret));
	free(secret);
	free(scope);
	free(h);
	mp_buf_free(&canon);
	mp_buf_free(&sts);
	mp_buf_free(&signed_names);
}

static char *lower(const char *s, size_t n)
{
	char *out = xstrndup(s, n), *p;

	for (p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

struct curl_slist *mp_s3_headers(const struct mp_s3 *s3, const char *method, const char *bucket,
				 const char *key, const char *query, const char *payload_hash,
				 const char *const *extra)
{
	struct curl_slist *list = NULL;
	struct mp_buf path = MP_BUF_INIT, auth = MP_BUF_INIT;
	char *sh, *host, amz_date[17], signature[65], *line;
	const char *names[8], *values[8];
	char *owned[8];
	size_t n = 0, n_owned = 0, i;
	time_t now = time(NULL);
	struct tm tm;

	locate(s3, bucket, key, &sh, &host, &path);
	gmtime_r(&now, &tm);
	strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
	line = xasprintf("Host: %s", host);
	list = curl_slist_append(list, line);
	free(line);
	line = xasprintf("x-amz-date: %s", amz_date);
	list = curl_slist_append(list, line);
	free(line);
	line = xasprintf("x-amz-content-sha256: %s", payload_hash);
	list = curl_slist_append(list, line);
	free(line);
	names[n] = "x-amz-date";
	values[n++] = amz_date;
	names[n] = "x-amz-content-sha256";
	values[n++] = payload_hash;
	if (s3->session_token) {
		line = xasprintf("x-amz-security-token: %s", s3->session_token);
		list = curl_slist_append(list, line);
		free(line);
		names[n] = "x-amz-security-token";
		values[n++] = s3->session_token;
	}
	for (i = 0; extra && extra[i] && n < 8; i++) {
		const char *colon = strchr(extra[i], ':');
		if (!colon)
			continue;
		list = curl_slist_append(list, extra[i]);
		owned[n_owned] = lower(extra[i], (size_t)(colon - extra[i]));
		names[n] = owned[n_owned++];
		values[n++] = colon + 1;
	}
	if (s3->access_key) {
		struct mp_sigv4 r;
		memset(&r, 0, sizeof(r));
		r.method = method;
		r.host = host;
		r.path = path.data;
		r.query = query ? query : "";
		r.names = names;
		r.values = values;
		r.n_headers = n;
		r.payload_hash = payload_hash;
		r.amz_date = amz_date;
		r.region = s3->region;
		r.service = "s3";
		r.access_key = s3->access_key;
		r.secret_key = s3->secret_key;
		mp_sigv4_sign(&r, signature, &auth, NULL, NULL);
		line = xasprintf("Authorization: %s", auth.data);
		list = curl_slist_append(list, line);
		memset(line, 0, strlen(line));
		free(line);
	}
	for (i = 0; i < n_owned; i++)
		free(owned[i]);
	free(sh);
	free(host);
	mp_buf_free(&path);
	mp_buf_free(&auth);
	return list;
}

/* Replaces each occurrence of secret (at least 8 characters, so the
 * message never grows) with "REDACTED". */
static void scrub_one(char *msg, const char *secret)
{
	size_t n = strlen(secret);
	char *p;

	if (!strcmp(secret, "REDACTED"))
		return;
	while ((p = strstr(msg, secret)) != NULL) {
		memcpy(p, "REDACTED", 8);
		memmove(p + 8, p + n, strlen(p + n) + 1);
	}
}

void mp_s3_scrub(const struct mp_s3 *s3, char *msg)
{
	/* keys shorter than "REDACTED" are not real keys: left alone */
	if (s3->secret_key && strlen(s3->secret_key) >= 8)
		scrub_one(msg, s3->secret_key);
	if (s3->access_key && strlen(s3->access_key) >= 8)
		scrub_one(msg, s3->access_key);
	if (s3->session_token && strlen(s3->session_token) >= 8)
		scrub_one(msg, s3->session_token);
}

/* ---- blocking requests ---- */

struct body {
	struct mp_buf data;  /* answer (errors, listings) */
	FILE *fp;            /* or the file being downloaded */
	CURL *easy;
	int write_failed;
	char *etag;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	long status = 0;

	curl_easy_getinfo(b->easy, CURLINFO_RESPONSE_CODE, &status);
	if (b->fp && status >= 200 && status < 300) {
		if (fwrite(p, size, n, b->fp) != n) {
			b->write_failed = 1;
			return 0;
		}
		return size * n;
	}
	if (b->data.len < (1u << 26))
		mp_buf_add(&b->data, p, size * n);
	return size * n;
}

static size_t on_head(char *p, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n;

	if (len > 5 && !strncasecmp(p, "ETag:", 5)) {
		const char *v = p + 5;
		size_t m = len - 5;
		while (m && (*v == ' ' || *v == '"'))
			v++, m--;
		while (m && (v[m - 1] == '\r' || v[m - 1] == '\n' || v[m - 1] == ' ' || v[m - 1] == '"'))
			m--;
		free(b->etag);
		b->etag = xstrndup(v, m);
	}
	return len;
}

/* One request with retries. For GET to a file, fp_open gives a fresh
 * FILE for each attempt. Sets b->data to the answer. */
static int request(const struct mp_s3 *s3, const char *method, const char *bucket, const char *key,
		   const char *query, const char *upload_path, const char *payload_hash,
		   FILE *(*fp_open)(void *), void *fp_arg, struct body *b, const char *what,
		   struct mp_error *err)
{
	struct mp_http_opts o;
	int attempt;

	if (mp_http_opts_init(&o, err))
		return -1;
	for (attempt = 1;; attempt++) {
		char *url = mp_s3_http_url(s3, bucket, key, query, NULL);
		struct curl_slist *headers = mp_s3_headers(s3, method, bucket, key, query, payload_hash, NULL);
		CURL *c = mp_http_easy(url, &o, 0);
		char errbuf[CURL_ERROR_SIZE] = "";
		FILE *up = NULL;
		CURLcode res;
		long status = 0;
		int retry = 0;

		free(url);
		if (!c) {
			curl_slist_free_all(headers);
			return mp_error_set(err, MP_EX_SOFTWARE, "cannot start a transfer (curl)");
		}
		mp_buf_reset(&b->data);
		b->easy = c;
		b->write_failed = 0;
		b->fp = fp_open ? fp_open(fp_arg) : NULL;
		if (fp_open && !b->fp) {
			curl_easy_cleanup(c);
			curl_slist_free_all(headers);
			return mp_error_set(err, MP_EX_CANTCREAT, "cannot write a temporary file for '%s': %s",
					    what, strerror(errno));
		}
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_head);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, b);
		if (upload_path) {
			struct stat sb;
			up = fopen(upload_path, "rb");
			if (!up || fstat(fileno(up), &sb)) {
				int e = errno;
				if (up)
					fclose(up);
				curl_easy_cleanup(c);
				curl_slist_free_all(headers);
				return mp_error_set(err, MP_EX_NOINPUT, "cannot open '%s': %s", upload_path, strerror(e));
			}
			curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(c, CURLOPT_READDATA, up);
			curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)sb.st_size);
		} else if (strcmp(method, "GET")) {
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		}
		res = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_cleanup(c);
		curl_slist_free_all(headers);
		if (up)
			fclose(up);
		if (b->fp && fflush(b->fp))
			b->write_failed = 1;
		if (b->write_failed)
			return mp_error_set(err, MP_EX_IOERR, "cannot write the download of '%s': %s", what,
					    strerror(errno));
		if (res == CURLE_OK && status >= 200 && status < 300)
			return 0;
		if (res == CURLE_OK)
			retry = status >= 500 && attempt <= o.retries;
		else
			retry = mp_http_retryable(res) && attempt <= o.retries;
		if (retry) {
			mp_http_backoff(attempt);
			continue;
		}
		if (res == CURLE_OK) {
			mp_http_status_error(status, b->data.data, b->data.len, what, err);
			if (status >= 500 && attempt > 1)
				mp_error_prefix(err, "after %d attempts", attempt);
		} else {
			mp_http_curl_error(res, errbuf, what, attempt, &o, err);
		}
		mp_s3_scrub(s3, err->msg);
		return -1;
	}
}

struct tmpfile {
	char *tmp;
	FILE *fp;
};

static FILE *open_tmp(void *arg)
{
	struct tmpfile *t = arg;

	if (t->fp)
		fclose(t->fp);
	t->fp = fopen(t->tmp, "wb");
	return t->fp;
}

int mp_s3_get_file(const struct mp_s3 *s3, const char *bucket, const char *key, const char *path,
		   char **etag, struct mp_error *err)
{
	struct body b;
	struct tmpfile t;
	char *what = xasprintf("s3://%s/%s", bucket, key);
	const char *slash = strrchr(path, '/');
	int rc;

	memset(&b, 0, sizeof(b));
	t.fp = NULL;
	t.tmp = slash ? xasprintf("%.*s/.%s.s3get.%d", (int)(slash - path), path, slash + 1, (int)getpid())
		      : xasprintf(".%s.s3get.%d", path, (int)getpid());
	rc = request(s3, "GET", bucket, key, NULL, NULL, "UNSIGNED-PAYLOAD", open_tmp, &t, &b, what, err);
	if (t.fp) {
		if (rc == 0 && (fsync(fileno(t.fp)) || ferror(t.fp)))
			rc = mp_error_set(err, MP_EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
		if (fclose(t.fp) && rc == 0)
			rc = mp_error_set(err, MP_EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	}
	if (rc == 0 && rename(t.tmp, path))
		rc = mp_error_set(err, MP_EX_CANTCREAT, "cannot create '%s': %s", path, strerror(errno));
	if (rc)
		unlink(t.tmp);
	if (rc == 0 && etag) {
		*etag = b.etag;
		b.etag = NULL;
	}
	free(b.etag);
	mp_buf_free(&b.data);
	free(t.tmp);
	free(what);
	return rc;
}

static int file_sha256(const char *path, char hex[65], struct mp_error *err)
{
	struct mp_sha256 s;
	unsigned char buf[65536], d[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mp_error_set(err, MP_EX_NOINPUT, "cannot open '%s': %s", path, strerror(errno));
	mp_sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		mp_sha256_update(&s, buf, (size_t)n);
	close(fd);
	if (n < 0)
		return mp_error_set(err, MP_EX_IOERR, "cannot read '%s': %s", path, strerror(errno));
	mp_sha256_final(&s, d);
	mp_hex(d, 32, hex);
	return 0;
}

int mp_s3_put_file(const struct mp_s3 *s3, const char *bucket, const char *key, const char *path,
		   char **etag, struct mp_error *err)
{
	struct body b;
	char hash[65], *what;
	int rc;

	if (file_sha256(path, hash, err))
		return -1;
	memset(&b, 0, sizeof(b));
	what = xasprintf("s3://%s/%s", bucket, key);
	rc = request(s3, "PUT", bucket, key, NULL, path, hash, NULL, NULL, &b, what, err);
	if (rc == 0 && etag) {
		*etag = b.etag;
		b.etag = NULL;
	}
	free(b.etag);
	mp_buf_free(&b.data);
	free(what);
	return rc;
}

/* XML text with the five predefined entities decoded. */
static char *xml_decode(const char *s, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' } };
	char *out = xmalloc(n + 1), *o = out;
	size_t i, k;

	for (i = 0; i < n;) {
		if (s[i] == '&') {
			for (k = 0; k < 5; k++) {
				size_t len = strlen(ents[k].ent);
				if (i + len <= n && !strncmp(s + i, ents[k].ent, len)) {
					*o++ = ents[k].c;
					i += len;
					break;
				}
			}
			if (k < 5)
				continue;
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return out;
}

static char *xml_get(const char *from, const char *to, const char *tag)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = strstr(from, open);
	if (!a || (to && a >= to))
		return NULL;
	a += strlen(open);
	b = strstr(a, close);
	if (!b || (to && b > to))
		return NULL;
	return xml_decode(a, (size_t)(b - a));
}

int mp_s3_list(const struct mp_s3 *s3, const char *bucket, const char *prefix,
	       struct mp_s3_object **objs, size_t *n, struct mp_error *err)
{
	char *token = NULL, *what = xasprintf("s3://%s/%s", bucket, prefix);
	size_t cap = 0;
	int rc = 0;

	*objs = NULL;
	*n = 0;
	for (;;) {
		struct mp_buf q = MP_BUF_INIT;
		struct body b;
		const char *p;
		char *truncated;
		/* canonical order: continuation-token, list-type, prefix */
		if (token) {
			mp_buf_adds(&q, "continuation-token=");
			mp_uri_encode(&q, token, strlen(token), 0);
			mp_buf_addc(&q, '&');
		}
		mp_buf_adds(&q, "list-type=2&prefix=");
		mp_uri_encode(&q, prefix, strlen(prefix), 0);
		memset(&b, 0, sizeof(b));
		rc = request(s3, "GET", bucket, "", q.data, NULL, "UNSIGNED-PAYLOAD", NULL, NULL, &b, what, err);
		mp_buf_free(&q);
		free(token);
		token = NULL;
		if (rc) {
			free(b.etag);
			mp_buf_free(&b.data);
			break;
		}
		for (p = b.data.data ? strstr(b.data.data, "<Contents>") : NULL; p;
		     p = strstr(p + 1, "<Contents>")) {
			const char *end = strstr(p, "</Contents>");
			char *k, *e, *sz;
			if (!end)
				break;
			k = xml_get(p, end, "Key");
			e = xml_get(p, end, "ETag");
			sz = xml_get(p, end, "Size");
			if (k) {
				struct mp_s3_object *o;
				if (*n == cap) {
					cap = cap ? cap * 2 : 16;
					*objs = xrealloc(*objs, cap * sizeof(**objs));
				}
				o = &(*objs)[(*n)++];
				o->key = k;
				o->size = sz ? atoll(sz) : -1;
				o->etag = NULL;
				if (e) {
					size_t len = strlen(e);
					char *v = e;
					if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
						v[len - 1] = '\0';
						v++;
					}
					o->etag = xstrdup(v);
				}
			}
			free(e);
			free(sz);
		}
		truncated = b.data.data ? xml_get(b.data.data, NULL, "IsTruncated") : NULL;
		if (truncated && !strcmp(truncated, "true"))
			token = xml_get(b.data.data, NULL, "NextContinuationToken");
		free(truncated);
		free(b.etag);
		mp_buf_free(&b.data);
		if (!token)
			break;
	}
	free(what);
	if (rc) {
		mp_s3_objects_free(*objs, *n);
		*objs = NULL;
		*n = 0;
	}
	return rc;
}

void mp_s3_objects_free(struct mp_s3_object *objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(objs[i].key);
		free(objs[i].etag);
	}
	free(objs);
}
