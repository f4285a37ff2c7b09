/*
 * aws-int.h - what the service wrappers (rds.c, kms.c, route53.c, sts.c)
 * share with client.c: the three wire protocols and reply helpers.
 * Not a public interface.
 */
#ifndef RR_AWS_INT_H
#define RR_AWS_INT_H

#include <stddef.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "aws.h"

/* Static credentials (config.c); the secret is wiped on release. */
struct aws_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL when none */
	char *source;		/* "environment", "profile 'x' in /path" */
};

/* The credential chain of aws.h; RR_ERR_CREDENTIALS when nothing found. */
enum rr_err aws_creds_load(struct aws_creds *out, const char *profile);
void aws_creds_release(struct aws_creds *c);
/* The region chain of aws.h; RR_ERR_USAGE when none is set anywhere. */
enum rr_err aws_region_resolve(char **out, const char *explicit_region,
    const char *profile);
/* The profile name in use: profile, else AWS_PROFILE, else "default". */
const char *aws_profile_name(const char *profile);

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

/* Percent-encode a string for a URL query or path segment (curl). */
char *aws_urlencode(const char *s);

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

/*
 * Map the last API error to RR_ERR_NOT_FOUND when its code is code (the
 * detail message is kept); otherwise return e unchanged.
 */
enum rr_err aws_not_found_if(struct aws_client *c, enum rr_err e,
    const char *code);

#endif
