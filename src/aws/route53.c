/*
 * route53.c - Route 53 REST-XML calls (see route53.h).  Request bodies are
 * built with libxml2 so that names and values are escaped by it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "aws-int.h"
#include "route53.h"
#include "xmalloc.h"

#define R53_NS		"https://route53.amazonaws.com/doc/2013-04-01/"
#define R53_API		"/2013-04-01"

static const char *
strip_prefix(const char *id, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(id, prefix, n) == 0 ? id + n : id;
}

/* Lower case, \ooo escapes decoded, no trailing dot. */
static char *
dns_canon(const char *s)
{
	char *o = xmalloc(strlen(s) + 1), *p = o;
	size_t n;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*p++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 4;
			continue;
		}
		*p++ = (char)tolower((unsigned char)*s++);
	}
	*p = '\0';
	n = strlen(o);
	if (n > 0 && o[n - 1] == '.')
		o[n - 1] = '\0';
	return o;
}

static enum rr_err
zone_error(struct aws_client *c, enum rr_err e, const char *zone)
{
	char detail[1024];

	if (e == RR_ERR_AWS &&
	    strcmp(aws_client_error_code(c), "NoSuchHostedZone") == 0) {
		snprintf(detail, sizeof(detail), "%s", rr_lasterr());
		return rr_seterr(RR_ERR_NOT_FOUND, "route53 hosted zone '%s' "
		    "not found: %s", zone, detail);
	}
	return e;
}

void
route53_record_release(struct route53_record *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->type);
	strvec_clear(&r->values);
	free(r->alias_dns_name);
	memset(r, 0, sizeof(*r));
}

enum rr_err
route53_get_record(struct aws_client *c, struct route53_record *out,
    const char *zone_id, const char *name, const char *type)
{
	struct route53_record r;
	const char *zone = strip_prefix(zone_id, "/hostedzone/");
	char *path = NULL, *query = NULL, *ename = NULL, *etype = NULL;
	char *want = NULL, *got = NULL;
	xmlDoc *doc = NULL;
	xmlNode *set, *rr;
	enum rr_err e;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	ename = aws_urlencode(name);
	path = xasprintf(R53_API "/hostedzone/%s/rrset", zone);
	if (type != NULL) {
		etype = aws_urlencode(type);
		query = xasprintf("name=%s&type=%s&maxitems=1", ename, etype);
	} else
		query = xasprintf("name=%s&maxitems=1", ename);
	e = aws_rest_xml(c, &doc, AWS_SVC_ROUTE53, "ListResourceRecordSets",
	    "GET", path, query, NULL, 0);
	if ((e = zone_error(c, e, zone)) != RR_OK)
		goto out;
	set = aws_xml_find(xmlDocGetRootElement(doc), "ResourceRecordSet");
	if (set != NULL) {
		r.name = aws_xml_text(set, "Name");
		r.type = aws_xml_text(set, "Type");
	}
	want = dns_canon(name);
	got = dns_canon(r.name ? r.name : "");
	if (set == NULL || r.type == NULL || strcmp(want, got) != 0 ||
	    (type != NULL && strcasecmp(r.type, type) != 0)) {
		e = rr_seterr(RR_ERR_NOT_FOUND,
		    "route53 record '%s'%s%s not found in hosted zone '%s'",
		    name, type ? " " : "", type ? type : "", zone);
		goto out;
	}
	r.ttl = aws_xml_long(set, "TTL", -1);
	for (rr = aws_xml_child(aws_xml_child(set, "ResourceRecords"),
	    "ResourceRecord"); rr != NULL;
	    rr = aws_xml_next(rr, "ResourceRecord")) {
		char *v = aws_xml_text(rr, "Value");

		if (v == NULL)
			continue;
		strvec_push(&r.values, v);
		free(v);
	}
	r.alias_dns_name = aws_xml_text(aws_xml_child(set, "AliasTarget"),
	    "DNSName");
	*out = r;
	memset(&r, 0, sizeof(r));	/* transferred */
out:
	route53_record_release(&r);
	xmlFreeDoc(doc);
	free(path);
	free(query);
	free(ename);
	free(etype);
	free(want);
	free(got);
	return e;
}

/* The ChangeResourceRecordSetsRequest body for one UPSERT. */
static char *
upsert_body(size_t *len, const char *name, const char *type, long ttl,
    const char *value, const char *comment)
{
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root, *batch, *ch, *set, *rrs, *rr;
	xmlNs *ns;
	xmlChar *mem = NULL;
	char ttls[32], *s;
	int n = 0;

	root = xmlNewNode(NULL, BAD_CAST "ChangeResourceRecordSetsRequest");
	ns = xmlNewNs(root, BAD_CAST R53_NS, NULL);
	xmlSetNs(root, ns);
	xmlDocSetRootElement(doc, root);
	batch = xmlNewChild(root, ns, BAD_CAST "ChangeBatch", NULL);
	if (comment != NULL)
		xmlNewTextChild(batch, ns, BAD_CAST "Comment", BAD_CAST comment);
	ch = xmlNewChild(xmlNewChild(batch, ns, BAD_CAST "Changes", NULL), ns,
	    BAD_CAST "Change", NULL);
	xmlNewTextChild(ch, ns, BAD_CAST "Action", BAD_CAST "UPSERT");
	set = xmlNewChild(ch, ns, BAD_CAST "ResourceRecordSet", NULL);
	xmlNewTextChild(set, ns, BAD_CAST "Name", BAD_CAST name);
	xmlNewTextChild(set, ns, BAD_CAST "Type", BAD_CAST type);
	snprintf(ttls, sizeof(ttls), "%ld", ttl);
	xmlNewTextChild(set, ns, BAD_CAST "TTL", BAD_CAST ttls);
	rrs = xmlNewChild(set, ns, BAD_CAST "ResourceRecords", NULL);
	rr = xmlNewChild(rrs, ns, BAD_CAST "ResourceRecord", NULL);
	xmlNewTextChild(rr, ns, BAD_CAST "Value", BAD_CAST value);
	xmlDocDumpMemoryEnc(doc, &mem, &n, "UTF-8");
	if (mem == NULL || n < 0)
		abort();
	s = xstrndup((const char *)mem, (size_t)n);
	*len = (size_t)n;
	xmlFree(mem);
	xmlFreeDoc(doc);
	return s;
}

/* "/change/C123" -> "C123" */
static char *
change_id_of(const xmlNode *info)
{
	char *id = aws_xml_text(info, "Id"), *r;

	if (id == NULL)
		return NULL;
	r = xstrdup(strip_prefix(id, "/change/"));
	free(id);
	return r;
}

enum rr_err
route53_upsert_record(struct aws_client *c, char **change_id,
    const char *zone_id, const char *name, const char *type, long ttl,
    const char *value, const char *comment)
{
	const char *zone = strip_prefix(zone_id, "/hostedzone/");
	char *path = NULL, *body = NULL, *id = NULL;
	size_t len = 0;
	xmlDoc *doc = NULL;
	enum rr_err e;

	*change_id = NULL;
	path = xasprintf(R53_API "/hostedzone/%s/rrset/", zone);
	body = upsert_body(&len, name, type, ttl, value, comment);
	e = aws_rest_xml(c, &doc, AWS_SVC_ROUTE53, "ChangeResourceRecordSets",
	    "POST", path, NULL, body, len);
	if ((e = zone_error(c, e, zone)) != RR_OK)
		goto out;
	id = change_id_of(aws_xml_find(xmlDocGetRootElement(doc),
	    "ChangeInfo"));
	if (id == NULL) {
		e = rr_seterr(RR_ERR_AWS, "route53 ChangeResourceRecordSets: "
		    "reply has no ChangeInfo/Id");
		goto out;
	}
	*change_id = id;
	id = NULL;	/* transferred */
out:
	free(id);
	free(path);
	free(body);
	xmlFreeDoc(doc);
	return e;
}

enum rr_err
route53_get_change(struct aws_client *c, char **status,
    const char *change_id)
{
	char *path = NULL, *st = NULL;
	xmlDoc *doc = NULL;
	enum rr_err e;

	*status = NULL;
	path = xasprintf(R53_API "/change/%s",
	    strip_prefix(change_id, "/change/"));
	e = aws_rest_xml(c, &doc, AWS_SVC_ROUTE53, "GetChange", "GET", path,
	    NULL, NULL, 0);
	if ((e = aws_not_found_if(c, e, "NoSuchChange")) != RR_OK)
		goto out;
	st = aws_xml_text(aws_xml_find(xmlDocGetRootElement(doc),
	    "ChangeInfo"), "Status");
	if (st == NULL) {
		e = rr_seterr(RR_ERR_AWS, "route53 GetChange: reply has no "
		    "ChangeInfo/Status");
		goto out;
	}
	*status = st;
	st = NULL;	/* transferred */
out:
	free(st);
	free(path);
	xmlFreeDoc(doc);
	return e;
}
