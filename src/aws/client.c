/*
 * client.c - the AWS client (see aws.h): endpoints, signing, one libcurl
 * handle, standard-mode retries, dry run, call counters, and the Query,
 * JSON 1.1 and REST-XML protocols.
 *
 * Retries follow the AWS SDKs and Tools Reference Guide, "Retry behavior",
 * standard mode: at most max_attempts attempts; before each retry a token
 * cost (5, or 10 after a timeout) is taken from a 500-token retry quota and
 * the retry is not made when the quota cannot pay; a successful call gives
 * back what it took, or 1 token when it needed no retry.  The delay before
 * retry i (i = 1, 2, ...) is rand[0,1) * min(20 s, base * 2^(i-1)).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aws-int.h"
#include "buf.h"
#include "clock.h"
#include "log.h"
#include "sigv4.h"
#include "version.h"
#include "xmalloc.h"

#define DEFAULT_CONNECT_MS	10000L
#define DEFAULT_TIMEOUT_MS	60000L
#define DEFAULT_MAX_BODY	((size_t)16 * 1024 * 1024)
#define DEFAULT_ATTEMPTS	3
#define RETRY_BASE_MS		1000L
#define RETRY_CAP_MS		20000L
#define QUOTA_MAX		500u
#define RETRY_COST		5u
#define TIMEOUT_COST		10u
#define NO_RETRY_INCREMENT	1u

struct svcinfo {
	const char *name;	/* short name in messages and counters */
	const char *signing;	/* SigV4 service name */
	const char *envname;	/* AWS_ENDPOINT_URL_<envname> */
	const char *version;	/* Query API version */
};

static const struct svcinfo svcs[AWS_SVC__COUNT] = {
	[AWS_SVC_RDS] = { "rds", "rds", "RDS", "2014-10-31" },
	[AWS_SVC_KMS] = { "kms", "kms", "KMS", NULL },
	[AWS_SVC_ROUTE53] = { "route53", "route53", "ROUTE_53", NULL },
	[AWS_SVC_STS] = { "sts", "sts", "STS", "2011-06-15" },
};

struct aws_client {
	CURL *curl;
	char *region;
	struct aws_creds cred;
	char *endpoint[AWS_SVC__COUNT];
	char *signing_region[AWS_SVC__COUNT];
	int dry_run;
	const volatile int *interrupt;	/* stop when non-zero */
	long connect_timeout_ms, timeout_ms;
	size_t max_body;
	int max_attempts;
	long retry_base_ms;
	unsigned quota;
	struct aws_error last;
	struct aws_stats stats;
	struct aws_action_count *actions;
	size_t nactions;
	char user_agent[64];
};

/* One HTTP exchange as the protocols describe it. */
struct exchange {
	enum aws_service svc;
	const char *action;
	const char *method;		/* "GET" | "POST" */
	const char *path;		/* "/" or "/2013-04-01/..." */
	const char *query;		/* without '?', or NULL */
	const char *content_type;	/* NULL: no body */
	const char *target;		/* X-Amz-Target or NULL */
	const char *body;
	size_t body_len;
};

struct reply {
	long status;
	struct buf body;
	char request_id[128];
	int overflow;
};

/* Process-wide library setup, once. */
static void
global_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
}

int
aws_action_is_mutating(const char *action)
{
	return !(strncmp(action, "Describe", 8) == 0 ||
	    strncmp(action, "List", 4) == 0 || strncmp(action, "Get", 3) == 0);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static enum rr_err
resolve_endpoints(struct aws_client *c)
{
	const char *global = env("AWS_ENDPOINT_URL");
	int cn = strncmp(c->region, "cn-", 3) == 0;
	int gov = strncmp(c->region, "us-gov-", 7) == 0;
	const char *suffix = cn ? "amazonaws.com.cn" : "amazonaws.com";
	int i;

	for (i = 0; i < AWS_SVC__COUNT; i++) {
		char *var = xasprintf("AWS_ENDPOINT_URL_%s", svcs[i].envname);
		const char *url = env(var) ? env(var) : global;
		char *u;
		size_t n;

		free(var);
		if (url != NULL)
			u = xstrdup(url);
		else if (i == AWS_SVC_ROUTE53)
			u = xstrdup(cn ? "https://route53.amazonaws.com.cn" :
			    gov ? "https://route53.us-gov.amazonaws.com" :
			    "https://route53.amazonaws.com");
		else
			u = xasprintf("https://%s.%s.%s", svcs[i].name,
			    c->region, suffix);
		if (strncmp(u, "https://", 8) != 0 &&
		    strncmp(u, "http://", 7) != 0) {
			free(u);
			return rr_seterr(RR_ERR_USAGE, "endpoint url for %s "
			    "must start with https:// or http://",
			    svcs[i].name);
		}
		n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
		c->endpoint[i] = u;
		/* Route 53 is global: signed for its partition's region. */
		if (i == AWS_SVC_ROUTE53)
			c->signing_region[i] = xstrdup(cn ? "cn-northwest-1" :
			    gov ? "us-gov-west-1" : "us-east-1");
		else
			c->signing_region[i] = xstrdup(c->region);
	}
	return RR_OK;
}

enum rr_err
aws_client_new(struct aws_client **out, const struct aws_config *cfg)
{
	struct aws_client *c;
	const char *v;
	enum rr_err e;

	*out = NULL;
	global_init();
	c = xcalloc(1, sizeof(*c));
	if ((e = aws_region_resolve(&c->region, cfg->region,
	    cfg->profile)) != RR_OK)
		goto out;
	if ((e = aws_creds_load(&c->cred, cfg->profile)) != RR_OK)
		goto out;
	if ((e = resolve_endpoints(c)) != RR_OK)
		goto out;
	c->dry_run = cfg->dry_run != 0;
	c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ?
	    cfg->connect_timeout_ms : DEFAULT_CONNECT_MS;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	c->max_body = cfg->max_body > 0 ? cfg->max_body : DEFAULT_MAX_BODY;
	c->max_attempts = DEFAULT_ATTEMPTS;
	if ((v = env("AWS_MAX_ATTEMPTS")) != NULL) {
		long n = strtol(v, NULL, 10);

		if (n >= 1 && n <= 10)
			c->max_attempts = (int)n;
		else
			log_warn("ignoring AWS_MAX_ATTEMPTS '%s' (1..10)", v);
	}
	c->retry_base_ms = RETRY_BASE_MS;
	if ((v = env("RDSRECONCILE_RETRY_BASE_MS")) != NULL) {
		long n = strtol(v, NULL, 10);

		if (n >= 0 && n <= RETRY_CAP_MS)
			c->retry_base_ms = n;
		else
			log_warn("ignoring RDSRECONCILE_RETRY_BASE_MS '%s'", v);
	}
	c->quota = QUOTA_MAX;
	snprintf(c->user_agent, sizeof(c->user_agent), "rdsreconcile/%s",
	    RDSRECONCILE_VERSION);
	if ((c->curl = curl_easy_init()) == NULL) {
		e = rr_seterr(RR_ERR_HTTP, "cannot initialise libcurl");
		goto out;
	}
	log_debug("aws: region %s, credentials from %s, key %s, rds %s",
	    c->region, c->cred.source, c->cred.access_key_id,
	    c->endpoint[AWS_SVC_RDS]);
	*out = c;
	c = NULL;	/* transferred */
	e = RR_OK;
out:
	aws_client_free(c);
	return e;
}

void
aws_client_free(struct aws_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	aws_creds_release(&c->cred);
	for (i = 0; i < AWS_SVC__COUNT; i++) {
		free(c->endpoint[i]);
		free(c->signing_region[i]);
	}
	for (i = 0; i < c->nactions; i++)
		free((char *)c->actions[i].action);
	free(c->actions);
	free(c->region);
	free(c);
}

void
aws_client_set_dry_run(struct aws_client *c, int on)
{
	c->dry_run = on != 0;
}

void
aws_client_set_interrupt(struct aws_client *c, const volatile int *flag)
{
	c->interrupt = flag;
}

static int
interrupted(const struct aws_client *c)
{
	return c->interrupt != NULL && *c->interrupt != 0;
}

int
aws_client_dry_run(const struct aws_client *c)
{
	return c->dry_run;
}

const char *
aws_client_region(const struct aws_client *c)
{
	return c->region;
}

const char *
aws_client_endpoint(const struct aws_client *c, enum aws_service svc)
{
	return c->endpoint[svc];
}

const char *
aws_client_access_key_id(const struct aws_client *c)
{
	return c->cred.access_key_id;
}

const struct aws_error *
aws_client_last_error(const struct aws_client *c)
{
	return &c->last;
}

const char *
aws_client_error_code(const struct aws_client *c)
{
	return c->last.code;
}

void
aws_client_stats(const struct aws_client *c, struct aws_stats *out)
{
	*out = c->stats;
	out->retry_quota = c->quota;
}

size_t
aws_client_actions(const struct aws_client *c,
    const struct aws_action_count **out)
{
	*out = c->actions;
	return c->nactions;
}

void
aws_client_reset_stats(struct aws_client *c)
{
	size_t i;

	memset(&c->stats, 0, sizeof(c->stats));
	for (i = 0; i < c->nactions; i++)
		c->actions[i].calls = 0;
}

static void
count_call(struct aws_client *c, enum aws_service svc, const char *action)
{
	size_t i;
	int mut = aws_action_is_mutating(action);

	c->stats.calls++;
	if (mut)
		c->stats.mutating++;
	for (i = 0; i < c->nactions; i++)
		if (c->actions[i].service == svcs[svc].name &&
		    strcmp(c->actions[i].action, action) == 0)
			break;
	if (i == c->nactions) {
		c->actions = xreallocarray(c->actions, c->nactions + 1,
		    sizeof(*c->actions));
		c->actions[i].service = svcs[svc].name;
		c->actions[i].action = xstrdup(action);
		c->actions[i].calls = 0;
		c->actions[i].mutating = mut;
		c->nactions++;
	}
	c->actions[i].calls++;
}

/* --- transport ---------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;

	if (buf_append(&r->body, p, size * n) != RR_OK) {
		r->overflow = 1;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n, k, vlen;
	static const char *const names[] = {
		"x-amzn-requestid:", "x-amz-request-id:",
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
		while (vlen > 0 && (p[vlen - 1] == '\r' || p[vlen - 1] == '\n' ||
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
	return interrupted(arg);
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
	    CURLUE_OK && port != NULL)
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

static int
is_throttle(const char *code, long status)
{
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException",
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return status == 429 && *code == '\0';
}

static int
is_transient(const char *code, long status)
{
	static const char *const codes[] = {
		"RequestTimeout", "RequestTimeoutException", "InternalError",
		"InternalFailure", "ServiceUnavailable",
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return status == 500 || status == 502 || status == 503 ||
	    status == 504;
}

static int
is_auth_error(const char *code)
{
	static const char *const codes[] = {
		"InvalidClientTokenId", "SignatureDoesNotMatch",
		"ExpiredToken", "ExpiredTokenException",
		"UnrecognizedClientException", "InvalidSignatureException",
		"MissingAuthenticationToken", "MissingAuthenticationTokenException",
		"IncompleteSignature", "IncompleteSignatureException",
		"AuthFailure", "RequestExpired",
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int
curl_retryable(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static long
jitter_ms(long ceiling)
{
	uint32_t r = 0;

	if (ceiling <= 0)
		return 0;
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)rand();
	return (long)(((double)r / 4294967296.0) * (double)ceiling);
}

/* Sleep ms; 0 when the interrupt flag ended it early. */
static int
sleep_ms(const struct aws_client *c, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		if (interrupted(c))
			return 0;
	return !interrupted(c);
}

/* One signed attempt.  Returns the curl result; *r holds the reply. */
static CURLcode
attempt(struct aws_client *c, const struct exchange *x, const char *host,
    const char *url, struct reply *r, enum rr_err *sign_err)
{
	struct sigv4_header hdr[3];
	struct sigv4_credentials cred;
	struct sigv4_scope scope;
	struct sigv4_request req;
	struct sigv4_signed sig;
	struct curl_slist *sl = NULL;
	char amz[17], *line;
	size_t nh = 0;
	CURLcode cc = CURLE_OK;
	CURL *h = c->curl;

	memset(&sig, 0, sizeof(sig));
	*sign_err = RR_OK;
	hdr[nh].name = "Host";
	hdr[nh++].value = host;
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
	scope.service = svcs[x->svc].signing;
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

	for (size_t i = 0; i < nh; i++) {
		line = xasprintf("%s: %s", hdr[i].name, hdr[i].value);
		sl = curl_slist_append(sl, line);
		free(line);
	}
	line = xasprintf("X-Amz-Date: %s", amz);
	sl = curl_slist_append(sl, line);
	free(line);
	if (cred.session_token != NULL && *cred.session_token != '\0') {
		line = xasprintf("X-Amz-Security-Token: %s",
		    cred.session_token);
		sl = curl_slist_append(sl, line);
		free(line);
	}
	line = xasprintf("Authorization: %s", sig.authorization);
	sl = curl_slist_append(sl, line);
	free(line);
	sl = curl_slist_append(sl, "Expect:");
	if (sl == NULL)
		abort();

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
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
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    x->body ? x->body : "");
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

static enum rr_err
format_error(struct aws_client *c, const struct exchange *x, int attempts,
    enum rr_err code)
{
	const struct aws_error *a = &c->last;
	char tries[40] = "";

	if (attempts > 1)
		snprintf(tries, sizeof(tries), ", after %d attempts", attempts);
	if (a->http_status == 0)
		return rr_seterr(code, "%s %s: %s: %s%s%s%s",
		    svcs[x->svc].name, x->action, c->endpoint[x->svc],
		    a->message, *tries ? " (" : "", *tries ? tries + 2 : "",
		    *tries ? ")" : "");
	return rr_seterr(code, "%s %s: %s: %s (http %ld, request id %s%s)",
		    svcs[x->svc].name, x->action,
		    *a->code ? a->code : "UnknownError",
		    *a->message ? a->message : "no message", a->http_status,
		    *a->request_id ? a->request_id : "none", tries);
}

/*
 * Send x with retries.  On success the reply body is in *body (status
 * 2xx).  On failure the error is in c->last and rr_lasterr().
 */
static enum rr_err
perform(struct aws_client *c, const struct exchange *x0, struct buf *body)
{
	struct reply r;
	struct exchange xs = *x0, *x = &xs;
	char *host = NULL, *prefix = NULL, *url = NULL, *path = NULL;
	unsigned taken = 0;
	int n, throttled = 0;
	double t0;
	enum rr_err e = RR_OK, se;
	CURLcode cc;

	memset(&c->last, 0, sizeof(c->last));
	memset(&r, 0, sizeof(r));
	buf_init(&r.body, c->max_body);
	if ((host = url_host(c->endpoint[x->svc])) == NULL) {
		e = rr_seterr(RR_ERR_USAGE, "invalid endpoint url '%s'",
		    c->endpoint[x->svc]);
		goto out;
	}
	/* An endpoint URL with a path prefixes it to every request path. */
	prefix = url_path(c->endpoint[x->svc]);
	path = xasprintf("%s%s", prefix, x->path);
	x->path = path;
	url = xasprintf("%s%s%s%s", c->endpoint[x->svc], x0->path,
	    x->query && *x->query ? "?" : "", x->query ? x->query : "");
	count_call(c, x->svc, x->action);

	for (n = 1;; n++) {
		unsigned cost;
		int retry = 0, timeout = 0;
		long ceiling, delay;

		buf_reset(&r.body);
		r.status = 0;
		r.overflow = 0;
		r.request_id[0] = '\0';
		memset(&c->last, 0, sizeof(c->last));
		c->stats.attempts++;
		t0 = rr_monotonic();
		cc = attempt(c, x, host, url, &r, &se);
		if (se != RR_OK) {
			e = se;
			goto out;
		}
		if (cc == CURLE_ABORTED_BY_CALLBACK && interrupted(c)) {
			e = rr_seterr(RR_ERR_INTERRUPTED, "%s %s: interrupted",
			    svcs[x->svc].name, x->action);
			goto out;
		}
		if (r.overflow) {
			e = rr_seterr(RR_ERR_IO, "%s %s: reply larger than "
			    "%zu bytes", svcs[x->svc].name, x->action,
			    c->max_body);
			goto out;
		}
		if (cc != CURLE_OK) {
			snprintf(c->last.message, sizeof(c->last.message), "%s",
			    curl_easy_strerror(cc));
			retry = curl_retryable(cc);
			timeout = cc == CURLE_OPERATION_TIMEDOUT;
			log_debug("%s %s: attempt %d: %s", svcs[x->svc].name,
			    x->action, n, c->last.message);
		} else if (r.status >= 200 && r.status < 300) {
			/* A change to the world is worth its RequestId at
			 * info: what AWS support asks for. */
			enum log_level l = aws_action_is_mutating(x->action)
			    ? LOG_INFO
			    : LOG_DEBUG;

			log_aws(l, __func__, r.request_id,
			    "%s %s: http %ld in %.0f ms (attempt %d)",
			    svcs[x->svc].name, x->action, r.status,
			    (rr_monotonic() - t0) * 1e3, n);
			/* Give back what the retries took, or one token. */
			c->quota += taken ? taken : NO_RETRY_INCREMENT;
			if (c->quota > QUOTA_MAX)
				c->quota = QUOTA_MAX;
			*body = r.body;
			memset(&r.body, 0, sizeof(r.body));	/* transferred */
			e = RR_OK;
			goto out;
		} else {
			aws_error_parse(&c->last, r.status, r.body.data,
			    r.body.len, r.request_id[0] ? r.request_id : NULL);
			throttled = is_throttle(c->last.code, r.status);
			if (throttled)
				c->stats.throttled++;
			retry = throttled ||
			    is_transient(c->last.code, r.status);
			log_debug("%s %s: attempt %d: http %ld %s",
			    svcs[x->svc].name, x->action, n, r.status,
			    c->last.code);
		}
		cost = timeout ? TIMEOUT_COST : RETRY_COST;
		if (!retry || n >= c->max_attempts || c->quota < cost) {
			if (retry && n < c->max_attempts)
				log_debug("%s %s: retry quota exhausted (%u left)",
				    svcs[x->svc].name, x->action, c->quota);
			e = format_error(c, x, n, cc != CURLE_OK ? RR_ERR_HTTP :
			    throttled ? RR_ERR_THROTTLED :
			    is_auth_error(c->last.code) ? RR_ERR_CREDENTIALS :
			    RR_ERR_AWS);
			goto out;
		}
		c->quota -= cost;
		taken += cost;
		c->stats.retries++;
		ceiling = c->retry_base_ms << (n - 1);
		if (ceiling > RETRY_CAP_MS || ceiling < 0)
			ceiling = RETRY_CAP_MS;
		delay = jitter_ms(ceiling);
		log_debug("%s %s: retrying after %s (attempt %d of %d failed, "
		    "waiting %ld ms)", svcs[x->svc].name, x->action,
		    cc != CURLE_OK ? curl_easy_strerror(cc) : c->last.code[0] ?
		    c->last.code : "http error", n, c->max_attempts, delay);
		if (!sleep_ms(c, delay)) {
			e = rr_seterr(RR_ERR_INTERRUPTED, "%s %s: interrupted while "
			    "waiting to retry", svcs[x->svc].name, x->action);
			goto out;
		}
	}
out:
	buf_release(&r.body);
	free(host);
	free(prefix);
	free(path);
	free(url);
	return e;
}

/* --- dry run -------------------------------------------------------------- */

static int
secret_param(const char *name)
{
	return strstr(name, "Password") != NULL ||
	    strstr(name, "password") != NULL;
}

static enum rr_err
blocked(struct aws_client *c, enum aws_service svc, const char *action,
    const char *what)
{
	c->stats.dry_run_blocked++;
	memset(&c->last, 0, sizeof(c->last));
	log_info("dry run: would call %s %s%s%s", svcs[svc].name, action,
	    what && *what ? " " : "", what ? what : "");
	return rr_seterr(RR_ERR_DRY_RUN, "dry run: %s %s not sent",
	    svcs[svc].name, action);
}

/* --- protocols ------------------------------------------------------------ */

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

void
aws_params_add(struct aws_params *p, const char *name, const char *value)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].name = xstrdup(name);
	p->v[p->n].value = xstrdup(value ? value : "");
	p->n++;
}

void
aws_params_addf(struct aws_params *p, const char *value,
    const char *namefmt, ...)
{
	va_list ap;
	char *name;

	va_start(ap, namefmt);
	if (vasprintf(&name, namefmt, ap) < 0)
		abort();
	va_end(ap);
	aws_params_add(p, name, value);
	free(name);
}

void
aws_params_add_int(struct aws_params *p, const char *name, long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", v);
	aws_params_add(p, name, s);
}

void
aws_params_add_bool(struct aws_params *p, const char *name, int v)
{
	aws_params_add(p, name, v ? "true" : "false");
}

void
aws_params_release(struct aws_params *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static enum rr_err
parse_xml_reply(xmlDoc **out, enum aws_service svc, const char *action,
    const struct buf *b)
{
	*out = xmlReadMemory(buf_str(b), (int)b->len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (*out == NULL || xmlDocGetRootElement(*out) == NULL) {
		xmlFreeDoc(*out);
		*out = NULL;
		return rr_seterr(RR_ERR_AWS, "%s %s: reply is not XML",
		    svcs[svc].name, action);
	}
	return RR_OK;
}

enum rr_err
aws_query(struct aws_client *c, xmlDoc **out, enum aws_service svc,
    const char *action, const struct aws_params *p)
{
	struct buf form = BUF_INIT, reply = BUF_INIT, shown = BUF_INIT;
	struct exchange x;
	size_t i;
	enum rr_err e;

	*out = NULL;
	if ((e = buf_appendf(&form, "Action=%s&Version=%s", action,
	    svcs[svc].version)) != RR_OK)
		goto out;
	for (i = 0; p != NULL && i < p->n; i++) {
		char *k = aws_urlencode(p->v[i].name);
		char *v = aws_urlencode(p->v[i].value);

		e = buf_appendf(&form, "&%s=%s", k, v);
		free(k);
		free(v);
		if (e != RR_OK)
			goto out;
	}
	if (c->dry_run && aws_action_is_mutating(action)) {
		for (i = 0; p != NULL && i < p->n; i++)
			if ((e = buf_appendf(&shown, "%s%s=%s", i ? " " : "",
			    p->v[i].name, secret_param(p->v[i].name) ?
			    "(redacted)" : p->v[i].value)) != RR_OK)
				goto out;
		e = blocked(c, svc, action, buf_str(&shown));
		goto out;
	}
	memset(&x, 0, sizeof(x));
	x.svc = svc;
	x.action = action;
	x.method = "POST";
	x.path = "/";
	x.content_type = "application/x-www-form-urlencoded; charset=utf-8";
	x.body = buf_str(&form);
	x.body_len = form.len;
	if ((e = perform(c, &x, &reply)) != RR_OK)
		goto out;
	e = parse_xml_reply(out, svc, action, &reply);
out:
	/* The form may hold a password: wipe it. */
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.len);
	buf_release(&form);
	buf_release(&reply);
	buf_release(&shown);
	return e;
}

enum rr_err
aws_json(struct aws_client *c, json_t **out, enum aws_service svc,
    const char *target_prefix, const char *action, const json_t *body)
{
	struct buf reply = BUF_INIT;
	struct exchange x;
	json_error_t jerr;
	char *text = NULL, *target = NULL;
	enum rr_err e;

	*out = NULL;
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (text == NULL)
		text = xstrdup("{}");
	if (c->dry_run && aws_action_is_mutating(action)) {
		e = blocked(c, svc, action, text);
		goto out;
	}
	target = xasprintf("%s.%s", target_prefix, action);
	memset(&x, 0, sizeof(x));
	x.svc = svc;
	x.action = action;
	x.method = "POST";
	x.path = "/";
	x.content_type = "application/x-amz-json-1.1";
	x.target = target;
	x.body = text;
	x.body_len = strlen(text);
	if ((e = perform(c, &x, &reply)) != RR_OK)
		goto out;
	if ((*out = json_loadb(buf_str(&reply), reply.len, 0, &jerr)) == NULL ||
	    !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		e = rr_seterr(RR_ERR_AWS, "%s %s: reply is not a JSON object",
		    svcs[svc].name, action);
	}
out:
	free(text);
	free(target);
	buf_release(&reply);
	return e;
}

enum rr_err
aws_rest_xml(struct aws_client *c, xmlDoc **out, enum aws_service svc,
    const char *action, const char *method, const char *path,
    const char *query, const char *body, size_t body_len)
{
	struct buf reply = BUF_INIT;
	struct exchange x;
	enum rr_err e;

	*out = NULL;
	if (c->dry_run && aws_action_is_mutating(action)) {
		char *what = xasprintf("%s %s%s%s %.*s", method, path,
		    query ? "?" : "", query ? query : "", (int)body_len,
		    body ? body : "");

		e = blocked(c, svc, action, what);
		free(what);
		return e;
	}
	memset(&x, 0, sizeof(x));
	x.svc = svc;
	x.action = action;
	x.method = method;
	x.path = path;
	x.query = query;
	x.content_type = body ? "application/xml" : NULL;
	x.body = body;
	x.body_len = body_len;
	if ((e = perform(c, &x, &reply)) != RR_OK)
		goto out;
	if (reply.len > 0)
		e = parse_xml_reply(out, svc, action, &reply);
out:
	buf_release(&reply);
	return e;
}

enum rr_err
aws_not_found_if(struct aws_client *c, enum rr_err e, const char *code)
{
	char detail[1024];

	if (e == RR_ERR_AWS && strcmp(c->last.code, code) == 0) {
		snprintf(detail, sizeof(detail), "%s", rr_lasterr());
		return rr_seterr(RR_ERR_NOT_FOUND, "%s", detail);
	}
	return e;
}
