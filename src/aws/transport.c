/*
 * transport.c - one signed HTTP exchange over libcurl: the request signed
 * with SigV4 (sigv4.h), TLS verification on, http/https only, no
 * redirects, the reply body capped at the client's max_body, the request id
 * taken from the x-amzn-RequestId or x-amz-request-id header, the transfer
 * aborted once the interrupt flag is set.  Retries are retry.c's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "aws-int.h"
#include "buf.h"
#include "sigv4.h"
#include "xmalloc.h"

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct aws_reply *r = arg;

	if (buf_append(&r->body, p, size * n) != RR_OK) {
		r->overflow = 1;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct aws_reply *r = arg;
	size_t len = size * n, k, vlen;
	static const char *const names[] = {
		"x-amzn-requestid:",
		"x-amz-request-id:",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		k = strlen(names[i]);
		if (len <= k || strncasecmp(p, names[i], k) != 0)
			continue;
		p += k;
		len -= k;
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		vlen = len;
		while (vlen > 0 &&
		    (p[vlen - 1] == '\r' || p[vlen - 1] == '\n' ||
		        p[vlen - 1] == ' '))
			vlen--;
		if (vlen >= sizeof(r->request_id))
			vlen = sizeof(r->request_id) - 1;
		memcpy(r->request_id, p, vlen);
		r->request_id[vlen] = '\0';
	}
	return size * n;
}

/* Abort a transfer once the interrupt flag is set. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	return aws_interrupted(arg);
}

/* "host[:port]" of a base URL as curl will send it in Host. */
static char *
url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *r = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) ==
	        CURLUE_OK &&
	    port != NULL)
		r = xasprintf("%s:%s", host, port);
	else
		r = xstrdup(host);
out:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return r;
}

/* The path part of a base URL ("" for "http://h:1"), for a prefix. */
static char *
url_path(const char *url)
{
	const char *p = strstr(url, "://");

	p = p ? strchr(p + 3, '/') : NULL;
	return xstrdup(p ? p : "");
}

enum rr_err
aws_request_init(struct aws_request *rq, const struct aws_client *c,
    const struct aws_exchange *x)
{
	char *prefix;

	memset(rq, 0, sizeof(*rq));
	rq->x = *x;
	if ((rq->host = url_host(c->endpoint[x->svc])) == NULL)
		return rr_seterr(RR_ERR_USAGE, "invalid endpoint url '%s'",
		    c->endpoint[x->svc]);
	/* An endpoint URL with a path prefixes it to every request path. */
	prefix = url_path(c->endpoint[x->svc]);
	rq->path = xasprintf("%s%s", prefix, x->path);
	free(prefix);
	rq->x.path = rq->path;
	rq->url = xasprintf("%s%s%s%s", c->endpoint[x->svc], x->path,
	    x->query && *x->query ? "?" : "", x->query ? x->query : "");
	return RR_OK;
}

void
aws_request_release(struct aws_request *rq)
{
	if (rq == NULL)
		return;
	free(rq->host);
	free(rq->path);
	free(rq->url);
	memset(rq, 0, sizeof(*rq));
}

/* Append "name: value" to a curl header list. */
static struct curl_slist *
add_header(struct curl_slist *sl, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);

	sl = curl_slist_append(sl, line);
	free(line);
	return sl;
}

CURLcode
aws_http_send(struct aws_client *c, const struct aws_request *rq,
    struct aws_reply *r, enum rr_err *sign_err)
{
	const struct aws_exchange *x = &rq->x;
	struct sigv4_header hdr[3];
	struct sigv4_credentials cred;
	struct sigv4_scope scope;
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct curl_slist *sl = NULL;
	char amz[17];
	size_t nh = 0;
	CURLcode cc = CURLE_OK;
	CURL *h = c->curl;

	buf_reset(&r->body);
	r->status = 0;
	r->overflow = 0;
	r->request_id[0] = '\0';
	memset(&sig, 0, sizeof(sig));
	*sign_err = RR_OK;
	hdr[nh].name = "Host";
	hdr[nh++].value = rq->host;
	if (x->content_type != NULL) {
		hdr[nh].name = "Content-Type";
		hdr[nh++].value = x->content_type;
	}
	if (x->target != NULL) {
		hdr[nh].name = "X-Amz-Target";
		hdr[nh++].value = x->target;
	}
	sigv4_amz_date(amz, (long long)time(NULL));
	cred.access_key_id = c->cred.access_key_id;
	cred.secret_access_key = c->cred.secret_access_key;
	cred.session_token = c->cred.session_token;
	scope.region = c->signing_region[x->svc];
	scope.service = aws_svcs[x->svc].signing;
	scope.amz_date = amz;
	scope.normalize_path = 1;
	scope.sign_body = 0;
	req.method = x->method;
	req.path = x->path;
	req.query = x->query;
	req.headers = hdr;
	req.n_headers = nh;
	req.body = x->body;
	req.body_len = x->body_len;
	if ((*sign_err = sigv4_sign(&sig, &cred, &scope, &req)) != RR_OK)
		return CURLE_OK;

	for (size_t i = 0; i < nh; i++)
		sl = add_header(sl, hdr[i].name, hdr[i].value);
	sl = add_header(sl, "X-Amz-Date", amz);
	if (cred.session_token != NULL && *cred.session_token != '\0')
		sl = add_header(sl, "X-Amz-Security-Token", cred.session_token);
	sl = add_header(sl, "Authorization", sig.authorization);
	sl = curl_slist_append(sl, "Expect:");
	if (sl == NULL)
		abort();

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, rq->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, sl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (c->interrupt != NULL) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	}
	if (strcmp(x->method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)x->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, x->body ? x->body : "");
	} else if (strcmp(x->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, x->method);

	cc = curl_easy_perform(h);
	if (cc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(sl);
	sigv4_signed_release(&sig);
	return cc;
}

char *
aws_urlencode(const char *s)
{
	char *e, *r;

	if (*s == '\0')
		return xstrdup("");
	if ((e = curl_easy_escape(NULL, s, (int)strlen(s))) == NULL)
		abort();
	r = xstrdup(e);
	curl_free(e);
	return r;
}
