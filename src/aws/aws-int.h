/*
 * aws-int.h - what the files of src/aws share; not a public interface.
 *
 * A call flows: service wrapper (rds.c, kms.c, route53.c, sts.c) ->
 * protocol (proto-query.c, proto-json.c, proto-restxml.c) -> retry policy
 * (retry.c) -> HTTP transport (transport.c, signed with sigv4.c).  The
 * client object (client.c) holds the settings and counters they use;
 * config.c resolves credentials, region and endpoints; error.c and xml.c
 * read replies.
 */
#ifndef RR_AWS_INT_H
#define RR_AWS_INT_H

#include <stddef.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "aws.h"
#include "buf.h"

/* --- the client object (client.c) ---------------------------------------- */

/* What differs between the services besides their protocol. */
struct aws_svcinfo {
	const char *name;    /* short name in messages and counters */
	const char *signing; /* SigV4 service name */
	const char *envname; /* AWS_ENDPOINT_URL_<envname> */
	const char *version; /* Query API version, NULL for others */
};

/* Indexed by enum aws_service. */
extern const struct aws_svcinfo aws_svcs[AWS_SVC__COUNT];

/* Static credentials (config.c); the secret is wiped on release. */
struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL when none */
	char *source;		/* "environment", "profile 'x' in /path" */
};

struct aws_client {
	CURL *curl; /* one easy handle: connections reused */
	char *region;
	struct aws_creds cred;
	char *endpoint[AWS_SVC__COUNT]; /* base URL, no trailing '/' */
	char *signing_region[AWS_SVC__COUNT];
	int dry_run;
	const volatile int *interrupt; /* stop when non-zero */
	long connect_timeout_ms, timeout_ms;
	size_t max_body;       /* reply body cap, bytes */
	int max_attempts;      /* retry.c */
	long retry_base_ms;    /* retry.c */
	unsigned quota;        /* retry tokens left (retry.c) */
	struct aws_error last; /* the last call's error */
	struct aws_stats stats;
	struct aws_action_count *actions;
	size_t nactions;
	char user_agent[64]; /* rdsreconcile/VERSION */
};

/* 1 once the flag of aws_client_set_interrupt is set. */
int aws_interrupted(const struct aws_client *c);
/* Count one API call (not attempt) of action in c's stats and actions. */
void
aws_count_call(struct aws_client *c, enum aws_service svc, const char *action);
/* 1 when dry run is on and action mutates: the call must not be sent. */
int aws_dry_run_blocks(const struct aws_client *c, const char *action);
/*
 * Log "dry run: would call SVC ACTION WHAT" (WHAT: the request as shown,
 * secrets masked, or NULL), count it, and return RR_ERR_DRY_RUN.
 */
enum rr_err aws_dry_run_refuse(struct aws_client *c, enum aws_service svc,
    const char *action, const char *what);
/*
 * Map the last API error to RR_ERR_NOT_FOUND when its code is code (the
 * detail message is kept); otherwise return e unchanged.
 */
enum rr_err
aws_not_found_if(struct aws_client *c, enum rr_err e, const char *code);

/* --- configuration (config.c) --------------------------------------------- */

/* getenv(name), but NULL when the variable is set to "". */
const char *aws_env(const char *name);
/* The credential chain of aws.h; RR_ERR_CREDENTIALS when nothing found. */
enum rr_err aws_creds_load(struct aws_creds *out, const char *profile);
void aws_creds_release(struct aws_creds *c);
/* The region chain of aws.h; RR_ERR_USAGE when none is set anywhere. */
enum rr_err aws_region_resolve(char **out, const char *explicit_region,
    const char *profile);
/* The profile name in use: profile, else AWS_PROFILE, else "default". */
const char *aws_profile_name(const char *profile);
/*
 * The endpoint chain of aws.h for region: endpoint[svc] (base URL without
 * trailing '/') and signing_region[svc], indexed by enum aws_service, each
 * to free().  RR_ERR_USAGE when a URL does not start with http(s)://.
 */
enum rr_err aws_endpoints_resolve(char **endpoint, char **signing_region,
    const char *region);

/* --- one HTTP exchange (transport.c) -------------------------------------- */

/* A request as a protocol describes it. */
struct aws_exchange {
	enum aws_service svc;
	const char *action;
	const char *method;       /* "GET" | "POST" */
	const char *path;         /* "/" or "/2013-04-01/..." */
	const char *query;        /* without '?', or NULL */
	const char *content_type; /* NULL: no body */
	const char *target;       /* X-Amz-Target or NULL */
	const char *body;
	size_t body_len; /* bytes */
};

/* A request bound to the client's endpoint, ready to send again. */
struct aws_request {
	struct aws_exchange x; /* path prefixed with the endpoint's path */
	char *host;            /* "host[:port]" for the Host header */
	char *url;             /* endpoint + path + "?query" */
	char *path;            /* owns x.path */
};

/* One attempt's reply. */
struct aws_reply {
	long status;          /* HTTP status, 0 when none */
	struct buf body;      /* capped at the client's max_body */
	char request_id[128]; /* x-amzn-RequestId / x-amz-request-id */
	int overflow;         /* 1 when the body passed the cap */
};

/* Bind x to c's endpoint; RR_ERR_USAGE for an endpoint URL without host. */
enum rr_err aws_request_init(struct aws_request *rq, const struct aws_client *c,
    const struct aws_exchange *x);
/* Accepts NULL and a request whose init failed. */
void aws_request_release(struct aws_request *rq);
/*
 * Sign rq (SigV4, now) and send it once, the reply in *r (reset first).
 * Returns the curl result; *sign_err is set (and nothing sent) when the
 * request could not be signed.
 */
CURLcode aws_http_send(struct aws_client *c, const struct aws_request *rq,
    struct aws_reply *r, enum rr_err *sign_err);

/* --- retries (retry.c) ---------------------------------------------------- */

/* Set c's attempts, backoff base and quota (AWS_MAX_ATTEMPTS and
 * RDSRECONCILE_RETRY_BASE_MS; a bad value is warned about and ignored). */
void aws_retry_init(struct aws_client *c);
/*
 * Count the call and send x, retrying as aws.h describes.  On success the
 * 2xx reply body is in *body (buf_release).  On failure the error is in
 * c->last and rr_lasterr(): RR_ERR_HTTP, RR_ERR_AWS, RR_ERR_THROTTLED,
 * RR_ERR_CREDENTIALS, RR_ERR_IO (reply over the cap), RR_ERR_INTERRUPTED,
 * RR_ERR_USAGE (bad endpoint URL) or what signing failed with (sigv4.h).
 */
enum rr_err aws_perform(struct aws_client *c, const struct aws_exchange *x,
    struct buf *body);

/* --- protocols (proto-query.c, proto-json.c, proto-restxml.c) ------------- */

/* Query API parameters, in the order added. */
struct aws_param {
	char *name;	/* "VpcSecurityGroupIds.VpcSecurityGroupId.1" */
	char *value;
};

struct aws_params {
	struct aws_param *v;
	size_t n;
};

void aws_params_add(struct aws_params *p, const char *name,
    const char *value);
/* Name built by printf: aws_params_addf(p, "sg-1", "X.Y.%zu", i). */
void aws_params_addf(struct aws_params *p, const char *value,
    const char *namefmt, ...) __attribute__((format(printf, 3, 4)));
void aws_params_add_int(struct aws_params *p, const char *name, long v);
void aws_params_add_bool(struct aws_params *p, const char *name, int v);
void aws_params_release(struct aws_params *p);

/*
 * RDS/STS Query protocol: POST form Action=..&Version=..&params; the XML
 * reply document in *out (xmlFreeDoc).
 */
enum rr_err aws_query(struct aws_client *c, xmlDoc **out,
    enum aws_service svc, const char *action, const struct aws_params *p);

/*
 * JSON 1.1 (KMS): POST with X-Amz-Target: PREFIX.ACTION; body is borrowed;
 * the reply object in *out (json_decref).
 */
enum rr_err aws_json(struct aws_client *c, json_t **out,
    enum aws_service svc, const char *target_prefix, const char *action,
    const json_t *body);

/*
 * REST-XML (Route 53): METHOD path?query with an optional XML body; the
 * reply document in *out (xmlFreeDoc), NULL when the reply had no body.
 */
enum rr_err aws_rest_xml(struct aws_client *c, xmlDoc **out,
    enum aws_service svc, const char *action, const char *method,
    const char *path, const char *query, const char *body, size_t body_len);

/* Percent-encode a string for a URL query or path segment (transport.c). */
char *aws_urlencode(const char *s);

/* --- replies (xml.c, error.c) --------------------------------------------- */

/* Parse XML without network access or messages; NULL when not well-formed. */
xmlDoc *aws_xml_read(const char *data, size_t len);
/* Parse a reply body as XML into *out (xmlFreeDoc); RR_ERR_AWS if it is not. */
enum rr_err aws_xml_parse_reply(xmlDoc **out, enum aws_service svc,
    const char *action, const struct buf *b);
/* Element helpers that match on local names (namespaces ignored). */
xmlNode *aws_xml_child(const xmlNode *n, const char *name);
xmlNode *aws_xml_next(const xmlNode *n, const char *name);
/* Depth-first first descendant named name (n itself included). */
xmlNode *aws_xml_find(const xmlNode *n, const char *name);
/* Text of the child element name, xstrdup'ed; NULL when absent. */
char *aws_xml_text(const xmlNode *n, const char *name);
/* Text of the child into a fixed buffer ("" when absent). */
void aws_xml_copy(char *dst, size_t size, const xmlNode *n,
    const char *name);
long aws_xml_long(const xmlNode *n, const char *name, long dflt);
/* "true" -> 1, "false" -> 0, absent -> dflt. */
int aws_xml_bool(const xmlNode *n, const char *name, int dflt);

#endif
