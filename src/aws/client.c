/*
 * client.c - the AWS client object (see aws.h): its settings, endpoints and
 * credentials, dry run, the interrupt flag and the call counters.
 *
 * A call goes from a protocol (proto-query.c, proto-json.c,
 * proto-restxml.c) through the retry policy (retry.c) to the HTTP
 * transport (transport.c); aws-int.h declares what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "aws-int.h"
#include "log.h"
#include "version.h"
#include "xmalloc.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_MAX_BODY   ((size_t)16 * 1024 * 1024)

const struct aws_svcinfo aws_svcs[AWS_SVC__COUNT] = {
	[AWS_SVC_RDS] = { "rds", "rds", "RDS", "2014-10-31" },
	[AWS_SVC_KMS] = { "kms", "kms", "KMS", NULL },
	[AWS_SVC_ROUTE53] = { "route53", "route53", "ROUTE_53", NULL },
	[AWS_SVC_STS] = { "sts", "sts", "STS", "2011-06-15" },
	[AWS_SVC_EC2] = { "ec2", "ec2", "EC2", "2016-11-15" },
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

enum rr_err
aws_client_new(struct aws_client **out, const struct aws_config *cfg)
{
	struct aws_client *c;
	enum rr_err e;

	*out = NULL;
	global_init();
	c = xcalloc(1, sizeof(*c));
	if ((e = aws_region_resolve(&c->region, cfg->region,
	    cfg->profile)) != RR_OK)
		goto out;
	if ((e = aws_creds_load(&c->cred, cfg->profile)) != RR_OK)
		goto out;
	if ((e = aws_endpoints_resolve(c->endpoint, c->signing_region,
	         c->region)) != RR_OK)
		goto out;
	c->dry_run = cfg->dry_run != 0;
	c->connect_timeout_ms = cfg->connect_timeout_ms > 0 ?
	    cfg->connect_timeout_ms : DEFAULT_CONNECT_MS;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
	c->max_body = cfg->max_body > 0 ? cfg->max_body : DEFAULT_MAX_BODY;
	aws_retry_init(c);
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

int
aws_interrupted(const struct aws_client *c)
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

void
aws_count_call(struct aws_client *c, enum aws_service svc, const char *action)
{
	size_t i;
	int mut = aws_action_is_mutating(action);

	c->stats.calls++;
	if (mut)
		c->stats.mutating++;
	for (i = 0; i < c->nactions; i++)
		if (c->actions[i].service == aws_svcs[svc].name &&
		    strcmp(c->actions[i].action, action) == 0)
			break;
	if (i == c->nactions) {
		c->actions = xreallocarray(c->actions, c->nactions + 1,
		    sizeof(*c->actions));
		c->actions[i].service = aws_svcs[svc].name;
		c->actions[i].action = xstrdup(action);
		c->actions[i].calls = 0;
		c->actions[i].mutating = mut;
		c->nactions++;
	}
	c->actions[i].calls++;
}

int
aws_dry_run_blocks(const struct aws_client *c, const char *action)
{
	return c->dry_run && aws_action_is_mutating(action);
}

enum rr_err
aws_dry_run_refuse(struct aws_client *c, enum aws_service svc,
    const char *action, const char *what)
{
	c->stats.dry_run_blocked++;
	memset(&c->last, 0, sizeof(c->last));
	log_info("dry run: would call %s %s%s%s", aws_svcs[svc].name, action,
	    what && *what ? " " : "", what ? what : "");
	return rr_seterr(RR_ERR_DRY_RUN, "dry run: %s %s not sent",
	    aws_svcs[svc].name, action);
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
