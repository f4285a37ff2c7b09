/*
 * error.c - parse AWS error replies (see aws_error_parse in aws.h).
 *
 * Query and REST-XML (RDS, STS, Route 53):
 *   <ErrorResponse><Error><Type/><Code/><Message/></Error>
 *   <RequestId/></ErrorResponse>
 * JSON 1.1 (KMS): {"__type": "[namespace#]Code", "message": "..."}, the
 * request id in the x-amzn-RequestId header.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <libxml/tree.h>

#include "aws-int.h"

static void
copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* A short printable excerpt of an unparsable body. */
static void
excerpt(char *dst, size_t size, const char *body, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < size && o < 200; i++) {
		unsigned char ch = (unsigned char)body[i];

		dst[o++] = isprint(ch) ? (char)ch : ' ';
	}
	dst[o] = '\0';
}

static int
parse_xml(struct aws_error *out, const char *body, size_t len)
{
	xmlDoc *doc;
	xmlNode *root, *err;
	int found = 0;

	if ((doc = aws_xml_read(body, len)) == NULL)
		return 0;
	root = xmlDocGetRootElement(doc);
	if ((err = aws_xml_find(root, "Error")) == NULL)
		err = root;
	if (aws_xml_child(err, "Code") != NULL) {
		aws_xml_copy(out->code, sizeof(out->code), err, "Code");
		aws_xml_copy(out->message, sizeof(out->message), err,
		    "Message");
		found = 1;
	}
	/* RequestId is a sibling of Error (RequestID in some services). */
	if (aws_xml_child(root, "RequestId") != NULL)
		aws_xml_copy(out->request_id, sizeof(out->request_id), root,
		    "RequestId");
	else if (aws_xml_child(root, "RequestID") != NULL)
		aws_xml_copy(out->request_id, sizeof(out->request_id), root,
		    "RequestID");
	else if (aws_xml_child(err, "RequestId") != NULL)
		aws_xml_copy(out->request_id, sizeof(out->request_id), err,
		    "RequestId");
	xmlFreeDoc(doc);
	return found;
}

static int
parse_json(struct aws_error *out, const char *body, size_t len)
{
	json_t *j;
	json_error_t jerr;
	const char *type, *msg, *p;
	size_t n;
	int found = 0;

	if ((j = json_loadb(body, len, 0, &jerr)) == NULL)
		return 0;
	if (!json_is_object(j))
		goto out;
	if ((type = json_string_value(json_object_get(j, "__type"))) == NULL &&
	    (type = json_string_value(json_object_get(j, "code"))) == NULL)
		type = json_string_value(json_object_get(j, "Code"));
	if ((msg = json_string_value(json_object_get(j, "message"))) == NULL)
		msg = json_string_value(json_object_get(j, "Message"));
	if (type != NULL) {
		/* "com.amazonaws.kms#NotFoundException:http://..." */
		if ((p = strrchr(type, '#')) != NULL)
			type = p + 1;
		n = strcspn(type, ":");
		copy(out->code, sizeof(out->code), type, n);
		found = 1;
	}
	if (msg != NULL)
		copy(out->message, sizeof(out->message), msg, strlen(msg));
out:
	json_decref(j);
	return found;
}

void
aws_error_parse(struct aws_error *out, long http_status, const char *body,
    size_t len, const char *request_id_header)
{
	size_t i = 0;
	int found = 0;

	memset(out, 0, sizeof(*out));
	out->http_status = http_status;
	if (request_id_header != NULL)
		copy(out->request_id, sizeof(out->request_id),
		    request_id_header, strlen(request_id_header));
	if (body == NULL)
		len = 0;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i < len && body[i] == '<')
		found = parse_xml(out, body, len);
	else if (i < len && body[i] == '{')
		found = parse_json(out, body, len);
	if (!found && len > 0 && out->message[0] == '\0')
		excerpt(out->message, sizeof(out->message), body + i, len - i);
}
