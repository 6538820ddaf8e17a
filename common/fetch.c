/* fetch.c — streaming HTTP(S) and S3 sources over the curl multi
 * interface: read() runs the transfer only until the write callback has
 * produced bytes, so the parser works while the download goes on. */
#include "fetch.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "s3.h"

int mp_fetch_is_remote(const char *spec)
{
	return !strncmp(spec, "http://", 7) || !strncmp(spec, "https://", 8) ||
	       !strncmp(spec, "s3://", 5);
}

/* ---- redaction ---- */

static int secret_param(const char *name, size_t n)
{
	static const char *const names[] = { "x-amz-signature", "x-amz-credential",
					     "x-amz-security-token", "signature", "awsaccesskeyid",
					     "token", "access_token", "password", "sig", NULL };
	size_t i;

	for (i = 0; names[i]; i++)
		if (strlen(names[i]) == n && !strncasecmp(name, names[i], n))
			return 1;
	return 0;
}

char *mp_url_redact(const char *url)
{
	const char *scheme_end = strstr(url, "://"), *auth, *path, *at, *q;
	struct mp_buf b = MP_BUF_INIT;

	if (!scheme_end)
		return xstrdup(url);
	auth = scheme_end + 3;
	path = auth + strcspn(auth, "/?#");
	/* user:password@host: keep the host only */
	at = NULL;
	for (q = auth; q < path; q++)
		if (*q == '@')
			at = q;
	mp_buf_add(&b, url, (size_t)(auth - url));
	mp_buf_add(&b, at ? at + 1 : auth, (size_t)(path - (at ? at + 1 : auth)));
	q = strchr(path, '?');
	if (!q) {
		mp_buf_adds(&b, path);
		return b.data;
	}
	mp_buf_add(&b, path, (size_t)(q - path + 1));
	q++;
	while (*q && *q != '#') {
		size_t len = strcspn(q, "&#"), name_len = strcspn(q, "=&#");
		if (name_len < len && secret_param(q, name_len)) {
			mp_buf_add(&b, q, name_len + 1);
			mp_buf_adds(&b, "REDACTED");
		} else {
			mp_buf_add(&b, q, len);
		}
		q += len;
		if (*q == '&') {
			mp_buf_addc(&b, '&');
			q++;
		}
	}
	mp_buf_adds(&b, q);
	return b.data;
}

/* redacted name -> real URL, for inputs whose URL carries credentials */
static struct alias {
	char *name, *url;
} *aliases;
static size_t n_aliases;
static pthread_mutex_t alias_lock = PTHREAD_MUTEX_INITIALIZER;

const char *mp_fetch_public_name(const char *spec)
{
	char *name;
	size_t i;

	if (!mp_fetch_is_remote(spec))
		return spec;
	name = mp_url_redact(spec);
	if (!strcmp(name, spec)) {
		free(name);
		return spec;
	}
	pthread_mutex_lock(&alias_lock);
	for (i = 0; i < n_aliases; i++)
		if (!strcmp(aliases[i].name, name))
			break;
	if (i == n_aliases) {
		aliases = xrealloc(aliases, (n_aliases + 1) * sizeof(*aliases));
		aliases[n_aliases].name = name;
		aliases[n_aliases].url = xstrdup(spec);
		n_aliases++;
	} else {
		free(aliases[i].url);
		aliases[i].url = xstrdup(spec);
		free(name);
	}
	name = aliases[i].name;
	pthread_mutex_unlock(&alias_lock);
	return name;
}

static char *real_url(const char *spec)
{
	char *url = NULL;
	size_t i;

	pthread_mutex_lock(&alias_lock);
	for (i = 0; i < n_aliases; i++)
		if (!strcmp(aliases[i].name, spec))
			url = xstrdup(aliases[i].url);
	pthread_mutex_unlock(&alias_lock);
	return url ? url : xstrdup(spec);
}

/* ---- shared HTTP helpers ---- */

static int env_long(const char *name, long def, long min, long max, long *out, struct mp_error *err)
{
	const char *v = getenv(name);
	char *end;
	long x;

	*out = def;
	if (!v || !*v)
		return 0;
	x = strtol(v, &end, 10);
	if (*end || end == v || x < min || x > max)
		return mp_error_set(err, MP_EX_USAGE, "%s: expected a whole number from %ld to %ld, got '%s'", name,
				    min, max, v);
	*out = x;
	return 0;
}

int mp_http_opts_init(struct mp_http_opts *o, struct mp_error *err)
{
	long retries;

	if (env_long("MLPIPE_HTTP_TIMEOUT", 30, 1, 86400, &o->stall_timeout, err) ||
	    env_long("MLPIPE_HTTP_RETRIES", 3, 0, 100, &retries, err))
		return -1;
	o->connect_timeout = o->stall_timeout < 10 ? o->stall_timeout : 10;
	o->retries = (int)retries;
	return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void *mp_http_easy(const char *url, const struct mp_http_opts *o, int follow)
{
	CURL *c;

	pthread_once(&curl_once, curl_init);
	c = curl_easy_init();
	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, o->stall_timeout);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mlpipe/" MLPIPE_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	if (follow) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	}
	return c;
}

int mp_http_retryable(int code)
{
	switch (code) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0; /* timeouts included: a stalled server gets no second wait */
	}
}

void mp_http_backoff(int attempt)
{
	double s = 0.25;
	struct timespec ts;
	int i;

	for (i = 1; i < attempt && s < 4; i++)
		s *= 2;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* The text of <tag>...</tag> in an XML error document, or NULL. */
static char *xml_text(const char *body, size_t n, const char *tag)
{
	char open[64], close[64];
	const char *a, *b;
	char *copy = xstrndup(body, n), *out = NULL;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	a = strstr(copy, open);
	if (a) {
		a += strlen(open);
		b = strstr(a, close);
		if (b && b - a < 300)
			out = xstrndup(a, (size_t)(b - a));
	}
	free(copy);
	return out;
}

int mp_http_status_error(long status, const char *body, size_t n, const char *what,
			 struct mp_error *err)
{
	char *code = body ? xml_text(body, n, "Code") : NULL;
	char *message = body ? xml_text(body, n, "Message") : NULL;
	char detail[512] = "";
	int rc;

	if (code)
		snprintf(detail, sizeof(detail), ", %s%s%s", code, message ? ": " : "", message ? message : "");
	if (status == 404)
		rc = mp_error_set(err, MP_EX_NOINPUT, "'%s': not found (HTTP 404%s)", what, detail);
	else if (status == 401 || status == 403)
		rc = mp_error_set(err, MP_EX_NOINPUT, "'%s': access denied (HTTP %ld%s)", what, status, detail);
	else if (status >= 500)
		rc = mp_error_set(err, MP_EX_UNAVAILABLE, "'%s': server error (HTTP %ld%s)", what, status, detail);
	else
		rc = mp_error_set(err, MP_EX_NOINPUT, "'%s': cannot read (HTTP %ld%s)", what, status, detail);
	free(code);
	free(message);
	return rc;
}

int mp_http_curl_error(int code, const char *errbuf, const char *what, int attempts,
		       const struct mp_http_opts *o, struct mp_error *err)
{
	char tries[64] = "";

	if (attempts > 1)
		snprintf(tries, sizeof(tries), " (after %d attempts)", attempts);
	if (code == CURLE_OPERATION_TIMEDOUT)
		return mp_error_set(err, MP_EX_UNAVAILABLE, "'%s': timed out (no data for %ld s)%s", what,
				    o->stall_timeout, tries);
	return mp_error_set(err, MP_EX_UNAVAILABLE, "'%s': %s%s", what,
			    errbuf && *errbuf ? errbuf : curl_easy_strerror((CURLcode)code), tries);
}

/* ---- the streaming source ---- */

struct http_source {
	CURLM *multi;
	CURL *easy;
	char *url;            /* the real URL: never shown */
	const char *display;  /* = the source's name */
	int is_s3;
	struct mp_s3 s3;
	char *bucket, *key;
	struct curl_slist *headers;
	struct mp_http_opts opts;
	struct mp_buf buf;    /* received, not yet read */
	size_t pos;
	unsigned long long delivered; /* handed to the reader */
	unsigned long long skip;      /* a resumed attempt answered 200: bytes to drop */
	int attempt;
	int done;
	CURLcode result;
	struct mp_buf errbody;
	char *etag;
	int ranges;           /* the server said Accept-Ranges: bytes */
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_source *h = arg;
	size_t len = size * n;

	if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after a redirect): forget the last one's */
		free(h->etag);
		h->etag = NULL;
		h->ranges = 0;
	} else if (len > 5 && !strncasecmp(p, "ETag:", 5)) {
		const char *v = p + 5;
		size_t m = len - 5;
		while (m && isspace((unsigned char)*v))
			v++, m--;
		while (m && isspace((unsigned char)v[m - 1]))
			m--;
		free(h->etag);
		h->etag = xstrndup(v, m);
	} else if (len > 14 && !strncasecmp(p, "Accept-Ranges:", 14)) {
		h->ranges = strstr(p, "bytes") != NULL;
	}
	return len;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct http_source *h = arg;
	size_t len = size * n;
	long status = 0;

	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status >= 300) {
		if (h->errbody.len < 16384)
			mp_buf_add(&h->errbody, p, len);
		return len;
	}
	if (h->delivered > 0 && status == 200 && h->skip == (unsigned long long)-1)
		h->skip = h->delivered; /* the server ignored the Range: drop what we have */
	else if (h->skip == (unsigned long long)-1)
		h->skip = 0;
	if (h->skip) {
		size_t drop = h->skip < len ? (size_t)h->skip : len;
		p += drop;
		len -= drop;
		h->skip -= drop;
	}
	mp_buf_add(&h->buf, p, len);
	return size * n;
}

static void end_attempt(struct http_source *h)
{
	if (h->easy) {
		curl_multi_remove_handle(h->multi, h->easy);
		curl_easy_cleanup(h->easy);
		h->easy = NULL;
	}
	curl_slist_free_all(h->headers);
	h->headers = NULL;
}

static int start_attempt(struct http_source *h, struct mp_error *err)
{
	char range[64];
	char *if_match = NULL;
	const char *extra[3] = { NULL, NULL, NULL };
	int k = 0;

	end_attempt(h);
	h->attempt++;
	h->done = 0;
	h->skip = (unsigned long long)-1;
	mp_buf_reset(&h->errbody);
	mp_buf_reset(&h->buf);
	h->pos = 0;
	if (h->delivered > 0) {
		snprintf(range, sizeof(range), "Range: bytes=%llu-", h->delivered);
		extra[k++] = range;
		if (h->etag) {
			if_match = xasprintf("If-Match: %s", h->etag);
			extra[k++] = if_match;
		}
	}
	if (h->is_s3) {
		char *url = mp_s3_http_url(&h->s3, h->bucket, h->key, NULL, NULL);
		h->easy = mp_http_easy(url, &h->opts, 0);
		free(url);
		h->headers = mp_s3_headers(&h->s3, "GET", h->bucket, h->key, NULL, "UNSIGNED-PAYLOAD", extra);
	} else {
		h->easy = mp_http_easy(h->url, &h->opts, 1);
		for (k = 0; extra[k]; k++)
			h->headers = curl_slist_append(h->headers, extra[k]);
	}
	free(if_match);
	if (!h->easy)
		return mp_error_set(err, MP_EX_SOFTWARE, "cannot start a transfer (curl)");
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->easy, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->easy, CURLOPT_ACCEPT_ENCODING, ""); /* gzip on the wire if offered */
	curl_multi_add_handle(h->multi, h->easy);
	return 0;
}

/* After a finished attempt: 1 = end of data, 0 = retrying, -1 = error. */
static int finish_attempt(struct http_source *h, struct mp_error *err)
{
	long status = 0;
	int can_retry;

	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	if (h->result == CURLE_OK && status >= 200 && status < 300)
		return 1;
	/* a resumed transfer is only sound on the same object */
	can_retry = h->attempt <= h->opts.retries && (h->delivered == 0 || h->ranges || h->etag);
	if (h->result == CURLE_OK) {
		if (status >= 500 && can_retry)
			goto retry;
		if (status == 412 && h->delivered > 0)
			return mp_error_set(err, MP_EX_UNAVAILABLE,
					    "'%s': the object changed while it was being read", h->display);
		mp_http_status_error(status, h->errbody.data, h->errbody.len, h->display, err);
		if (h->is_s3)
			mp_s3_scrub(&h->s3, err->msg);
		if (status >= 500 && h->attempt > 1)
			mp_error_prefix(err, "after %d attempts", h->attempt);
		return -1;
	}
	if (mp_http_retryable(h->result) && can_retry)
		goto retry;
	mp_http_curl_error(h->result, h->errbuf, h->display, h->attempt, &h->opts, err);
	if (h->is_s3)
		mp_s3_scrub(&h->s3, err->msg);
	return -1;
retry:
	mp_http_backoff(h->attempt);
	return start_attempt(h, err) ? -1 : 0;
}

/* Runs the transfer until bytes are waiting: 1 = bytes, 0 = end, -1 = error. */
static int pump(struct http_source *h, struct mp_error *err)
{
	for (;;) {
		int running = 0, left;
		CURLMsg *msg;

		if (h->pos < h->buf.len)
			return 1;
		if (!h->easy)
			return 0; /* ended earlier */
		if (h->done) {
			int rc = finish_attempt(h, err);
			if (rc < 0)
				return -1;
			if (rc > 0) {
				end_attempt(h);
				return 0;
			}
			continue;
		}
		if (curl_multi_perform(h->multi, &running) != CURLM_OK)
			return mp_error_set(err, MP_EX_SOFTWARE, "'%s': transfer failed (curl multi)",
					    h->display);
		while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE) {
				h->done = 1;
				h->result = msg->data.result;
			}
		if (!h->done && h->buf.len == 0)
			curl_multi_poll(h->multi, NULL, 0, 1000, NULL);
	}
}

static ssize_t http_read(struct mp_source *s, void *out, size_t n, struct mp_error *err)
{
	struct http_source *h = s->impl;
	size_t take;
	int rc = pump(h, err);

	if (rc <= 0)
		return rc;
	take = h->buf.len - h->pos;
	if (take > n)
		take = n;
	memcpy(out, h->buf.data + h->pos, take);
	h->pos += take;
	h->delivered += take;
	if (h->pos == h->buf.len) {
		h->buf.len = 0;
		h->pos = 0;
	}
	return (ssize_t)take;
}

static void http_close(struct mp_source *s)
{
	struct http_source *h = s->impl;

	end_attempt(h);
	curl_multi_cleanup(h->multi);
	mp_s3_free(&h->s3);
	free(h->bucket);
	free(h->key);
	free(h->url);
	free(h->etag);
	mp_buf_free(&h->buf);
	mp_buf_free(&h->errbody);
	free(h);
}

int mp_fetch_open(struct mp_source *s, const char *spec, struct mp_error *err)
{
	struct http_source *h = xcalloc(1, sizeof(*h));

	memset(s, 0, sizeof(*s));
	pthread_once(&curl_once, curl_init);
	h->url = real_url(spec);
	s->name = mp_url_redact(h->url);
	h->display = s->name;
	if (mp_http_opts_init(&h->opts, err))
		goto fail;
	if (!strncmp(h->url, "s3://", 5)) {
		h->is_s3 = 1;
		if (mp_s3_split(h->url, &h->bucket, &h->key, err) || mp_s3_init(&h->s3, err))
			goto fail;
		if (!*h->key) {
			mp_error_set(err, MP_EX_USAGE, "'%s': no object key after the bucket", s->name);
			goto fail;
		}
	}
	h->multi = curl_multi_init();
	if (!h->multi) {
		mp_error_set(err, MP_EX_SOFTWARE, "cannot start a transfer (curl)");
		goto fail;
	}
	s->read = http_read;
	s->close = http_close;
	s->impl = h;
	/* wait for the answer's first bytes: a 404 is an error of opening */
	if (start_attempt(h, err) || pump(h, err) < 0) {
		http_close(s);
		free(s->name);
		s->name = NULL;
		return -1;
	}
	return 0;
fail:
	if (h->multi)
		curl_multi_cleanup(h->multi);
	mp_s3_free(&h->s3);
	free(h->bucket);
	free(h->key);
	free(h->url);
	free(h);
	free(s->name);
	s->name = NULL;
	return -1;
}
