/*
 * sigv4.h - AWS Signature Version 4, Authorization-header form.
 *
 * Follows the AWS General Reference "Signature Version 4 signing process"
 * (now the IAM User Guide, "Create a signed AWS API request").
 * tests/unit/test-sigv4.c checks it against botocore's signer on requests
 * shaped as ours (every clone), and against the official test suite
 * (aws-c-auth tests/aws-signing-test-suite/v4) when it is beside the repo.  src/aws/sigv4.c explains why we sign with
 * OpenSSL rather than libcurl's CURLOPT_AWS_SIGV4.
 *
 * The signer is pure: no clock, no I/O.  The caller gives the time as an
 * X-Amz-Date string and must send, besides its own headers, the ones the
 * signer adds to the signed set: X-Amz-Date, X-Amz-Security-Token (when a
 * session token is given) and X-Amz-Content-Sha256 (when sign_body is set).
 */
#ifndef RR_SIGV4_H
#define RR_SIGV4_H

#include <stddef.h>

#include "err.h"

struct sigv4_header {
	const char *name;	/* any case; repeated names are joined with ',' */
	const char *value;	/* trimmed and inner whitespace runs collapsed */
};

/* The request exactly as it goes on the wire. */
struct sigv4_request {
	const char *method;	/* "GET", "POST" */
	const char *path;	/* as sent, percent-encoded or raw; "" = "/" */
	const char *query;	/* as sent, without '?'; NULL or "" = none */
	const struct sigv4_header *headers; /* every header to sign; Host first */
	size_t n_headers;
	const void *body;	/* payload, may be NULL when body_len is 0 */
	size_t body_len;	/* bytes */
};

struct sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key;	/* never copied, never logged */
	const char *session_token;	/* NULL when none */
};

struct sigv4_scope {
	const char *region;	/* "us-east-1" */
	const char *service;	/* signing name: "rds", "kms", "route53", "sts" */
	const char *amz_date;	/* UTC "YYYYMMDDTHHMMSSZ" (16 characters) */
	int normalize_path;	/* remove dot segments and repeated slashes
				   (every service but S3) */
	int sign_body;		/* add and sign X-Amz-Content-Sha256 */
};

struct sigv4_signed {
	char *canonical_request;	/* task 1 of the signing process */
	char *string_to_sign;		/* task 2 */
	char signature[65];		/* task 3: lower-case hex HMAC-SHA256 */
	char payload_hash[65];		/* hex SHA-256 of the body */
	char *signed_headers;		/* "host;x-amz-date" */
	char *authorization;		/* value of the Authorization header */
};

/*
 * Sign req.  Fills *out (release with sigv4_signed_release).
 * RR_ERR_USAGE when the date, region, service or a header is malformed,
 * RR_ERR_CRYPTO when OpenSSL fails.
 */
enum rr_err sigv4_sign(struct sigv4_signed *out,
    const struct sigv4_credentials *cred, const struct sigv4_scope *scope,
    const struct sigv4_request *req);

/* Free what sigv4_sign allocated; accepts a zeroed struct. */
void sigv4_signed_release(struct sigv4_signed *s);

/* Format t (UTC seconds) as an X-Amz-Date: out must hold 17 bytes. */
void sigv4_amz_date(char out[17], long long t);

#endif
