/*
 * proto-json.c - the AWS JSON 1.1 protocol (KMS): a JSON object POSTed with
 * X-Amz-Target: PREFIX.ACTION, a JSON object in reply.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws-int.h"
#include "buf.h"
#include "xmalloc.h"

enum rr_err
aws_json(struct aws_client *c, json_t **out, enum aws_service svc,
    const char *target_prefix, const char *action, const json_t *body)
{
	struct buf reply = BUF_INIT;
	struct aws_exchange x = {
		.svc = svc,
		.action = action,
		.method = "POST",
		.path = "/",
		.content_type = "application/x-amz-json-1.1",
	};
	json_error_t jerr;
	char *text = NULL, *target = NULL;
	enum rr_err e;

	*out = NULL;
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	if (text == NULL)
		text = xstrdup("{}");
	if (aws_dry_run_blocks(c, action)) {
		e = aws_dry_run_refuse(c, svc, action, text);
		goto out;
	}
	target = xasprintf("%s.%s", target_prefix, action);
	x.target = target;
	x.body = text;
	x.body_len = strlen(text);
	if ((e = aws_perform(c, &x, &reply)) != RR_OK)
		goto out;
	if ((*out = json_loadb(buf_str(&reply), reply.len, 0, &jerr)) == NULL ||
	    !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		e = rr_seterr(RR_ERR_AWS, "%s %s: reply is not a JSON object",
		    aws_svcs[svc].name, action);
	}
out:
	free(text);
	free(target);
	buf_release(&reply);
	return e;
}
