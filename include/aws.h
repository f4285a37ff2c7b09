/*
 * aws.h - the AWS client: configuration, credentials, transport, retries,
 * dry run and call counting, shared by rds.h, kms.h, route53.h and sts.h.
 *
 * Configuration follows the AWS SDKs and Tools Reference Guide ("Standardized
 * credential providers", "Service-specific endpoints", "Retry behavior"):
 *
 *  credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
 *               else the profile (aws_config.profile, AWS_PROFILE, "default")
 *               in AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials, section
 *               [NAME]) and then AWS_CONFIG_FILE (~/.aws/config, section
 *               [profile NAME], or [default]): aws_access_key_id,
 *               aws_secret_access_key, aws_session_token.  Only static keys:
 *               no SSO, assume-role, credential_process or instance metadata.
 *  region       aws_config.region (spec.region), else AWS_REGION, else
 *               AWS_DEFAULT_REGION, else "region" of the profile in the
 *               config file.
 *  endpoints    AWS_ENDPOINT_URL_RDS, _KMS, _ROUTE_53, _STS, else
 *               AWS_ENDPOINT_URL, else https://rds.REGION.amazonaws.com,
 *               https://kms.REGION.amazonaws.com, https://route53.amazonaws.com
 *               (signed for us-east-1), https://sts.REGION.amazonaws.com.
 *  retries      "standard" mode: AWS_MAX_ATTEMPTS attempts (default 3, 1..10),
 *               full-jitter exponential backoff, delay = rand[0,1) *
 *               min(20 s, base * 2^(attempt-1)), base 1 s, overridable with
 *               RDSRECONCILE_RETRY_BASE_MS (milliseconds, for tests); retried:
 *               throttling codes, HTTP 500/502/503/504, transient codes and
 *               transport errors; a retry quota of 500 tokens (cost 5, 10 for
 *               a timeout, refunded on success).
 *
 * Transport: one libcurl easy handle per client (connections are reused),
 * TLS peer and host verification always on, http/https only, no redirects,
 * response bodies capped (aws_config.max_body), User-Agent
 * rdsreconcile/VERSION.  Requests are signed with sigv4.h.
 *
 * Errors of every call in rds.h, kms.h, route53.h and sts.h, besides those
 * each function names; the detail is in rr_lasterr():
 *   RR_ERR_AWS          the service answered an error, or a reply that is
 *                       not XML/JSON.  The detail reads "rds
 *                       DescribeDBInstances: DBInstanceNotFound: DBInstance x
 *                       not found (http 404, request id 4f2c...)"; the parsed
 *                       error stays readable with aws_client_last_error()
 *                       until the next call, so callers can branch on it
 *   RR_ERR_THROTTLED    throttling outlived the retries
 *   RR_ERR_CREDENTIALS  credentials refused (InvalidClientTokenId,
 *                       SignatureDoesNotMatch, ExpiredToken, ...)
 *   RR_ERR_HTTP         transport failure (resolve, connect, TLS, timeout)
 *   RR_ERR_IO           a reply body over aws_config.max_body bytes
 *   RR_ERR_INTERRUPTED  the flag of aws_client_set_interrupt was set
 *   RR_ERR_USAGE        an endpoint URL without a host, or a request that
 *                       cannot be signed (RR_ERR_CRYPTO when OpenSSL fails)
 *   RR_ERR_DRY_RUN      mutating calls only: dry run is on, nothing was sent
 * The secret key never appears in a log line or message and is wiped when
 * the client is freed.
 *
 * Dry run: with the flag set, every mutating action (any action whose name
 * does not start with Describe, List or Get) is logged (action and
 * parameters, passwords masked) and returns RR_ERR_DRY_RUN without a byte
 * sent.
 */
#ifndef RR_AWS_H
#define RR_AWS_H

#include <stddef.h>

#include "err.h"

enum aws_service {
	AWS_SVC_RDS,     /* RDS Query API 2014-10-31 */
	AWS_SVC_KMS,     /* KMS JSON 1.1 (TrentService) */
	AWS_SVC_ROUTE53, /* Route 53 REST-XML 2013-04-01 */
	AWS_SVC_STS,     /* STS Query API 2011-06-15 */
	AWS_SVC_EC2,     /* EC2 Query API 2016-11-15 */
	AWS_SVC__COUNT
};

struct aws_config {
	const char *region;	/* spec.region, or NULL for the chain above */
	const char *profile;	/* NULL: AWS_PROFILE, else "default" */
	int dry_run;		/* block mutating actions */
	long connect_timeout_ms; /* TCP+TLS connect, ms; 0 = 10000 */
	long timeout_ms;	/* one whole attempt, ms; 0 = 60000 */
	size_t max_body;	/* reply body cap, bytes; 0 = 16 MiB */
};

/* An API error as the service returned it (or a transport failure). */
struct aws_error {
	long http_status;	/* HTTP status; 0 when no reply came */
	char code[128];		/* "DBInstanceNotFound", "" when none */
	char message[512];	/* service text, or the transport error */
	char request_id[128];	/* body RequestId or x-amzn-RequestId */
};

/* Counters since the client was created (or aws_client_reset_stats). */
struct aws_stats {
	unsigned long calls;		/* API calls sent (not attempts) */
	unsigned long mutating;		/* of those, mutating actions */
	unsigned long attempts;		/* HTTP requests, retries included */
	unsigned long retries;		/* attempts after the first */
	unsigned long throttled;	/* attempts answered with throttling */
	unsigned long dry_run_blocked;	/* mutations refused by dry run */
	unsigned retry_quota;		/* retry tokens left, 0..500 */
};

/* One row per action called: "rds" "DescribeDBInstances" 12 0. */
struct aws_action_count {
	const char *service;	/* "rds", "kms", "route53", "sts" */
	const char *action;	/* API operation name */
	unsigned long calls;	/* sent (dry-run blocked ones excluded) */
	int mutating;		/* 1 when not Describe*, List*, Get* */
};

struct aws_client;

/*
 * Resolve credentials, region and endpoints (the chains above) and set up
 * the transport; cfg is read, not kept.  *out is the new client, NULL on
 * failure.  RR_ERR_CREDENTIALS when no credentials are found, RR_ERR_USAGE
 * when no region is or an endpoint URL is not http(s), RR_ERR_HTTP when
 * libcurl cannot be initialised.
 */
enum rr_err aws_client_new(struct aws_client **out,
    const struct aws_config *cfg) __attribute__((warn_unused_result));
/* Close connections and wipe the credentials; accepts NULL. */
void aws_client_free(struct aws_client *c);

/* Dry run on (1) or off (0) for the following calls. */
void aws_client_set_dry_run(struct aws_client *c, int on);
/*
 * Watch *flag (e.g. the SIGINT/SIGTERM flag rr_interrupted): once it is
 * non-zero, a transfer in flight is aborted and no retry is waited for; the
 * call returns RR_ERR_INTERRUPTED.  NULL stops watching.
 */
void aws_client_set_interrupt(struct aws_client *c, const volatile int *flag);
/* 1 when dry run is on, else 0. */
int aws_client_dry_run(const struct aws_client *c);
/* The resolved region ("eu-west-1"), owned by c. */
const char *aws_client_region(const struct aws_client *c);
/* The resolved endpoint base URL of svc, without trailing '/', owned by c. */
const char *aws_client_endpoint(const struct aws_client *c,
    enum aws_service svc);
/* The access key id in use (not secret), for messages; owned by c. */
const char *aws_client_access_key_id(const struct aws_client *c);

/* The error of the last call, owned by c; zeroed (code "") after a success
 * and after a call refused by dry run. */
const struct aws_error *aws_client_last_error(const struct aws_client *c);
/* Shorthand for aws_client_last_error(c)->code: "" when none. */
const char *aws_client_error_code(const struct aws_client *c);

/* Copy the counters (struct aws_stats) into *out. */
void aws_client_stats(const struct aws_client *c, struct aws_stats *out);
/*
 * Per-action counters: returns how many rows *out points to, in the order
 * first called; *out stays owned by c, valid until the next call.
 */
size_t aws_client_actions(const struct aws_client *c,
    const struct aws_action_count **out);
/* Zero the counters and each action's calls; the retry quota is kept. */
void aws_client_reset_stats(struct aws_client *c);

/* 1 unless the operation name (e.g. "CreateDBSnapshot") starts with
 * Describe, List or Get; 0 for those. */
int aws_action_is_mutating(const char *action);

/*
 * Parse an error reply body of len bytes (the XML ErrorResponse/Error of
 * the Query and REST-XML protocols, or the JSON {"__type", "message"} of
 * JSON 1.1; Smithy "AWS query protocol", "AWS restXml protocol", "AWS JSON
 * 1.1 protocol", error responses) with its HTTP status into *out.
 * request_id_header is the x-amzn-RequestId header or NULL; a RequestId in
 * the body wins.  Never fails: an unparsable body leaves code "" and keeps
 * a short printable excerpt (at most 200 bytes) as the message.
 */
void aws_error_parse(struct aws_error *out, long http_status,
    const char *body, size_t len, const char *request_id_header);

#endif
