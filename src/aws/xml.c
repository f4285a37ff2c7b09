/*
 * xml.c - small libxml2 tree walks for AWS replies (see aws-int.h).
 *
 * AWS XML replies put every element in the service namespace; matching on
 * local names keeps the wrappers short and works for RDS, STS and Route 53.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "aws-int.h"
#include "buf.h"
#include "xmalloc.h"

static int
is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The first element named name among c and its next siblings. */
static xmlNode *
first_named(xmlNode *c, const char *name)
{
	for (; c != NULL; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

xmlNode *
aws_xml_child(const xmlNode *n, const char *name)
{
	return n != NULL ? first_named(n->children, name) : NULL;
}

xmlNode *
aws_xml_next(const xmlNode *n, const char *name)
{
	return n != NULL ? first_named(n->next, name) : NULL;
}

xmlNode *
aws_xml_find(const xmlNode *n, const char *name)
{
	xmlNode *c, *f;

	if (n == NULL)
		return NULL;
	if (is(n, name))
		return (xmlNode *)n;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if ((f = aws_xml_find(c, name)) != NULL)
			return f;
	}
	return NULL;
}

char *
aws_xml_text(const xmlNode *n, const char *name)
{
	xmlNode *c = aws_xml_child(n, name);
	xmlChar *t;
	char *s;

	if (c == NULL)
		return NULL;
	t = xmlNodeGetContent(c);
	s = xstrdup(t ? (const char *)t : "");
	xmlFree(t);
	return s;
}

void
aws_xml_copy(char *dst, size_t size, const xmlNode *n, const char *name)
{
	char *s = aws_xml_text(n, name);

	if (size == 0)
		return;
	snprintf(dst, size, "%s", s ? s : "");
	free(s);
}

long
aws_xml_long(const xmlNode *n, const char *name, long dflt)
{
	char *s = aws_xml_text(n, name), *end;
	long v = dflt;

	if (s != NULL && *s != '\0') {
		v = strtol(s, &end, 10);
		if (*end != '\0')
			v = dflt;
	}
	free(s);
	return v;
}

int
aws_xml_bool(const xmlNode *n, const char *name, int dflt)
{
	char *s = aws_xml_text(n, name);
	int v = dflt;

	if (s != NULL && strcmp(s, "true") == 0)
		v = 1;
	else if (s != NULL && strcmp(s, "false") == 0)
		v = 0;
	free(s);
	return v;
}

xmlDoc *
aws_xml_read(const char *data, size_t len)
{
	return xmlReadMemory(data, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

enum rr_err
aws_xml_parse_reply(xmlDoc **out, enum aws_service svc, const char *action,
    const struct buf *b)
{
	*out = aws_xml_read(buf_str(b), b->len);
	if (*out == NULL || xmlDocGetRootElement(*out) == NULL) {
		xmlFreeDoc(*out);
		*out = NULL;
		return rr_seterr(RR_ERR_AWS, "%s %s: reply is not XML",
		    aws_svcs[svc].name, action);
	}
	return RR_OK;
}
