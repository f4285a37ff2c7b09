/*
 * proto-query.c - the AWS Query protocol (RDS, STS): the action, the API
 * version and the parameters form-encoded in a POST body, an XML reply.
 * Parameter lists follow botocore's query serializer (see rds.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "aws-int.h"
#include "buf.h"
#include "xmalloc.h"

void
aws_params_add(struct aws_params *p, const char *name, const char *value)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n].name = xstrdup(name);
	p->v[p->n].value = xstrdup(value ? value : "");
	p->n++;
}

void
aws_params_addf(struct aws_params *p, const char *value, const char *namefmt,
    ...)
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

static int
secret_param(const char *name)
{
	return strstr(name, "Password") != NULL ||
	    strstr(name, "password") != NULL;
}

enum rr_err
aws_query(struct aws_client *c, xmlDoc **out, enum aws_service svc,
    const char *action, const struct aws_params *p)
{
	struct buf form = BUF_INIT, reply = BUF_INIT, shown = BUF_INIT;
	struct aws_exchange x = {
		.svc = svc,
		.action = action,
		.method = "POST",
		.path = "/",
		.content_type =
		    "application/x-www-form-urlencoded; charset=utf-8",
	};
	size_t i;
	enum rr_err e;

	*out = NULL;
	if ((e = buf_appendf(&form, "Action=%s&Version=%s", action,
	         aws_svcs[svc].version)) != RR_OK)
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
	if (aws_dry_run_blocks(c, action)) {
		for (i = 0; p != NULL && i < p->n; i++)
			if ((e = buf_appendf(&shown, "%s%s=%s", i ? " " : "",
			         p->v[i].name,
			         secret_param(p->v[i].name) ? "(redacted)"
			                                    : p->v[i].value)) !=
			    RR_OK)
				goto out;
		e = aws_dry_run_refuse(c, svc, action, buf_str(&shown));
		goto out;
	}
	x.body = buf_str(&form);
	x.body_len = form.len;
	if ((e = aws_perform(c, &x, &reply)) != RR_OK)
		goto out;
	e = aws_xml_parse_reply(out, svc, action, &reply);
out:
	/* The form may hold a password: wipe it. */
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.len);
	buf_release(&form);
	buf_release(&reply);
	buf_release(&shown);
	return e;
}
