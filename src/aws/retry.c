/*
 * retry.c - the retry policy: which failures are retried, how long to wait,
 * and the retry quota; the error a call ends with when retries stop.
 *
 * Retries follow the AWS SDKs and Tools Reference Guide, "Retry behavior",
 * standard mode: at most max_attempts attempts; before each retry a token
 * cost (5, or 10 after a timeout) is taken from a 500-token retry quota and
 * the retry is not made when the quota cannot pay; a successful call gives
 * back what it took, or 1 token when it needed no retry.  The delay before
 * retry i (i = 1, 2, ...) is rand[0,1) * min(20 s, base * 2^(i-1)).
 * Retried: throttling codes, HTTP 500/502/503/504, transient codes and
 * transport errors (connect, timeout, send, receive).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "aws-int.h"
#include "buf.h"
#include "clock.h"
#include "crashpoint.h"
#include "log.h"

#define DEFAULT_ATTEMPTS   3
#define RETRY_BASE_MS      1000L
#define RETRY_CAP_MS       20000L
#define QUOTA_MAX          500u
#define RETRY_COST         5u
#define TIMEOUT_COST       10u
#define NO_RETRY_INCREMENT 1u

void
aws_retry_init(struct aws_client *c)
{
	const char *v;

	c->max_attempts = DEFAULT_ATTEMPTS;
	if ((v = aws_env("AWS_MAX_ATTEMPTS")) != NULL) {
		long n = strtol(v, NULL, 10);

		if (n >= 1 && n <= 10)
			c->max_attempts = (int)n;
		else
			log_warn("ignoring AWS_MAX_ATTEMPTS '%s' (1..10)", v);
	}
	c->retry_base_ms = RETRY_BASE_MS;
	if ((v = aws_env("RDSRECONCILE_RETRY_BASE_MS")) != NULL) {
		long n = strtol(v, NULL, 10);

		if (n >= 0 && n <= RETRY_CAP_MS)
			c->retry_base_ms = n;
		else
			log_warn("ignoring RDSRECONCILE_RETRY_BASE_MS '%s'", v);
	}
	c->quota = QUOTA_MAX;
}

/* Codes retried as throttling; HTTP 429 without a code is too. */
static const char *const throttle_codes[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException",
	"RequestLimitExceeded",
	"BandwidthLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"PriorRequestNotComplete",
	"EC2ThrottledException",
	NULL,
};

/* Codes retried as transient; HTTP 500, 502, 503 and 504 are too. */
static const char *const transient_codes[] = {
	"RequestTimeout",
	"RequestTimeoutException",
	"InternalError",
	"InternalFailure",
	"ServiceUnavailable",
	NULL,
};

/* Codes that end a call with RR_ERR_CREDENTIALS. */
static const char *const auth_codes[] = {
	"InvalidClientTokenId",
	"SignatureDoesNotMatch",
	"ExpiredToken",
	"ExpiredTokenException",
	"UnrecognizedClientException",
	"InvalidSignatureException",
	"MissingAuthenticationToken",
	"MissingAuthenticationTokenException",
	"IncompleteSignature",
	"IncompleteSignatureException",
	"AuthFailure",
	"RequestExpired",
	NULL,
};

static int
listed(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

static int
is_throttle(const char *code, long status)
{
	return listed(code, throttle_codes) || (status == 429 && *code == '\0');
}

static int
is_transient(const char *code, long status)
{
	return listed(code, transient_codes) || status == 500 ||
	    status == 502 || status == 503 || status == 504;
}

static int
is_auth_error(const char *code)
{
	return listed(code, auth_codes);
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
	case CURLE_HTTP2_STREAM: return 1;
	default: return 0;
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
		if (aws_interrupted(c))
			return 0;
	return !aws_interrupted(c);
}

/* The error of a call that is not retried again. */
static enum rr_err
final_code(CURLcode cc, int throttled, const char *code)
{
	if (cc != CURLE_OK)
		return RR_ERR_HTTP;
	if (throttled)
		return RR_ERR_THROTTLED;
	if (is_auth_error(code))
		return RR_ERR_CREDENTIALS;
	return RR_ERR_AWS;
}

static enum rr_err
format_error(struct aws_client *c, const struct aws_exchange *x, int attempts,
    enum rr_err code)
{
	const struct aws_error *a = &c->last;
	char tries[40] = "";

	if (attempts > 1)
		snprintf(tries, sizeof(tries), ", after %d attempts", attempts);
	if (a->http_status == 0)
		return rr_seterr(code, "%s %s: %s: %s%s%s%s",
		    aws_svcs[x->svc].name, x->action, c->endpoint[x->svc],
		    a->message, *tries ? " (" : "", *tries ? tries + 2 : "",
		    *tries ? ")" : "");
	return rr_seterr(code, "%s %s: %s: %s (http %ld, request id %s%s)",
	    aws_svcs[x->svc].name, x->action,
	    *a->code ? a->code : "UnknownError",
	    *a->message ? a->message : "no message", a->http_status,
	    *a->request_id ? a->request_id : "none", tries);
}

enum rr_err
aws_perform(struct aws_client *c, const struct aws_exchange *x,
    struct buf *body)
{
	struct aws_reply r;
	struct aws_request rq;
	unsigned taken = 0;
	int n, throttled = 0;
	double t0;
	enum rr_err e = RR_OK, se;
	CURLcode cc;

	memset(&c->last, 0, sizeof(c->last));
	memset(&r, 0, sizeof(r));
	buf_init(&r.body, c->max_body);
	if ((e = aws_request_init(&rq, c, x)) != RR_OK)
		goto out;
	aws_count_call(c, x->svc, x->action);
	if (aws_action_is_mutating(x->action))
		crash_point_step("aws:%s:before", x->action);

	for (n = 1;; n++) {
		unsigned cost;
		int retry = 0, timeout = 0;
		long ceiling, delay;
		const char *why;

		memset(&c->last, 0, sizeof(c->last));
		c->stats.attempts++;
		t0 = rr_monotonic();
		cc = aws_http_send(c, &rq, &r, &se);
		if (se != RR_OK) {
			e = se;
			goto out;
		}
		if (cc == CURLE_ABORTED_BY_CALLBACK && aws_interrupted(c)) {
			e = rr_seterr(RR_ERR_INTERRUPTED, "%s %s: interrupted",
			    aws_svcs[x->svc].name, x->action);
			goto out;
		}
		if (r.overflow) {
			e = rr_seterr(RR_ERR_IO,
			    "%s %s: reply larger than %zu bytes",
			    aws_svcs[x->svc].name, x->action, c->max_body);
			goto out;
		}
		if (cc != CURLE_OK) {
			snprintf(c->last.message, sizeof(c->last.message), "%s",
			    curl_easy_strerror(cc));
			retry = curl_retryable(cc);
			timeout = cc == CURLE_OPERATION_TIMEDOUT;
			log_debug("%s %s: attempt %d: %s",
			    aws_svcs[x->svc].name, x->action, n,
			    c->last.message);
		} else if (r.status >= 200 && r.status < 300) {
			/* A change to the world is worth its RequestId at
			 * info: what AWS support asks for. */
			enum log_level l = aws_action_is_mutating(x->action)
			    ? LOG_INFO
			    : LOG_DEBUG;

			log_aws(l, __func__, r.request_id,
			    "%s %s: http %ld in %.0f ms (attempt %d)",
			    aws_svcs[x->svc].name, x->action, r.status,
			    (rr_monotonic() - t0) * 1e3, n);
			/* Give back what the retries took, or one token. */
			c->quota += taken ? taken : NO_RETRY_INCREMENT;
			if (c->quota > QUOTA_MAX)
				c->quota = QUOTA_MAX;
			*body = r.body;
			memset(&r.body, 0, sizeof(r.body)); /* transferred */
			e = RR_OK;
			if (aws_action_is_mutating(x->action))
				crash_point_step("aws:%s:after", x->action);
			goto out;
		} else {
			aws_error_parse(&c->last, r.status, r.body.data,
			    r.body.len, r.request_id[0] ? r.request_id : NULL);
			throttled = is_throttle(c->last.code, r.status);
			if (throttled)
				c->stats.throttled++;
			retry =
			    throttled || is_transient(c->last.code, r.status);
			log_debug("%s %s: attempt %d: http %ld %s",
			    aws_svcs[x->svc].name, x->action, n, r.status,
			    c->last.code);
		}
		cost = timeout ? TIMEOUT_COST : RETRY_COST;
		if (!retry || n >= c->max_attempts || c->quota < cost) {
			if (retry && n < c->max_attempts)
				log_debug(
				    "%s %s: retry quota exhausted (%u left)",
				    aws_svcs[x->svc].name, x->action, c->quota);
			e = format_error(c, x, n,
			    final_code(cc, throttled, c->last.code));
			goto out;
		}
		c->quota -= cost;
		taken += cost;
		c->stats.retries++;
		ceiling = c->retry_base_ms << (n - 1);
		if (ceiling > RETRY_CAP_MS || ceiling < 0)
			ceiling = RETRY_CAP_MS;
		delay = jitter_ms(ceiling);
		if (cc != CURLE_OK)
			why = curl_easy_strerror(cc);
		else
			why = c->last.code[0] ? c->last.code : "http error";
		log_debug("%s %s: retrying after %s (attempt %d of %d failed, "
		          "waiting %ld ms)",
		    aws_svcs[x->svc].name, x->action, why, n, c->max_attempts,
		    delay);
		if (!sleep_ms(c, delay)) {
			e = rr_seterr(RR_ERR_INTERRUPTED,
			    "%s %s: interrupted while waiting to retry",
			    aws_svcs[x->svc].name, x->action);
			goto out;
		}
	}
out:
	buf_release(&r.body);
	aws_request_release(&rq);
	return e;
}
