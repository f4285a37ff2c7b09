/*
 * proto-restxml.c - the AWS REST-XML protocol (Route 53): the operation in
 * the method, path and query string, an optional XML body, an XML reply
 * (or none).
 */
#include <stdlib.h>

#include <libxml/tree.h>

#include "aws-int.h"
#include "buf.h"
#include "xmalloc.h"

enum rr_err
aws_rest_xml(struct aws_client *c, xmlDoc **out, enum aws_service svc,
    const char *action, const char *method, const char *path, const char *query,
    const char *body, size_t body_len)
{
	struct buf reply = BUF_INIT;
	struct aws_exchange x = {
		.svc = svc,
		.action = action,
		.method = method,
		.path = path,
		.query = query,
		.content_type = body ? "application/xml" : NULL,
		.body = body,
		.body_len = body_len,
	};
	enum rr_err e;

	*out = NULL;
	if (aws_dry_run_blocks(c, action)) {
		char *what =
		    xasprintf("%s %s%s%s %.*s", method, path, query ? "?" : "",
		        query ? query : "", (int)body_len, body ? body : "");

		e = aws_dry_run_refuse(c, svc, action, what);
		free(what);
		return e;
	}
	if ((e = aws_perform(c, &x, &reply)) != RR_OK)
		goto out;
	if (reply.len > 0)
		e = aws_xml_parse_reply(out, svc, action, &reply);
out:
	buf_release(&reply);
	return e;
}
