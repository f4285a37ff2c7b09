/*
 * file.c - the "field: value" text of key and sealed files.  Whole-file
 * reads and atomic writes are fileio.h's; only public bytes pass through
 * them (sealed text, public keys): the private key is read by key.c into
 * secret memory.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "secret-int.h"

/* ---- "field: value" text ---- */

enum rr_err
stext_parse(struct sfield *fields, size_t n, const char *text, size_t len,
    const char *version, const char *kind, const char *what)
{
	const char *line, *end = text + len, *nl, *colon, *v;
	size_t vlen, i, klen, verlen = strlen(version);
	size_t prefix = strlen(version) - 1;	/* "rdsreconcile-KIND-v" */
	int lineno = 1;

	for (i = 0; i < n; i++)
		fields[i].v = NULL;
	nl = memchr(text, '\n', len);
	if (nl == NULL || (size_t)(nl - text) != verlen ||
	    memcmp(text, version, verlen) != 0) {
		/* Same family, other version: say so rather than "garbage". */
		if (len > prefix && memcmp(text, version, prefix) == 0 &&
		    nl != NULL && nl - text < 32)
			return rr_seterr(RR_ERR_PARSE, "%s '%s' has version "
			    "'%.*s'; this rdsreconcile reads '%s'", kind, what,
			    (int)(nl - text), text, version);
		return rr_seterr(RR_ERR_PARSE, "%s '%s' does not start with "
		    "'%s'", kind, what, version);
	}
	for (line = nl + 1; line < end; line = nl + 1) {
		lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			return rr_seterr(RR_ERR_PARSE, "%s '%s' is truncated: "
			    "line %d has no end", kind, what, lineno);
		if (nl == line || *line == '#')
			continue;
		colon = memchr(line, ':', (size_t)(nl - line));
		if (colon == NULL || colon + 1 == nl || colon[1] != ' ')
			return rr_seterr(RR_ERR_PARSE, "%s '%s': line %d is not "
			    "'field: value'", kind, what, lineno);
		klen = (size_t)(colon - line);
		v = colon + 2;
		vlen = (size_t)(nl - v);
		for (i = 0; i < n; i++)
			if (strlen(fields[i].key) == klen &&
			    memcmp(fields[i].key, line, klen) == 0)
				break;
		if (i == n) {
			/* Quote it only if it looks like a field name: in a
			 * private key, a mangled line could be key material. */
			if (klen <= 40 && strspn(line,
			    "abcdefghijklmnopqrstuvwxyz-") >= klen)
				return rr_seterr(RR_ERR_PARSE, "%s '%s': unknown "
				    "field '%.*s' on line %d", kind, what,
				    (int)klen, line, lineno);
			return rr_seterr(RR_ERR_PARSE, "%s '%s': unknown field "
			    "on line %d", kind, what, lineno);
		}
		if (fields[i].v != NULL)
			return rr_seterr(RR_ERR_PARSE, "%s '%s': field '%s' "
			    "given twice", kind, what, fields[i].key);
		fields[i].v = v;
		fields[i].vlen = vlen;
	}
	for (i = 0; i < n; i++)
		if (fields[i].v == NULL)
			return rr_seterr(RR_ERR_PARSE, "%s '%s' has no '%s:' "
			    "line", kind, what, fields[i].key);
	return RR_OK;
}

enum rr_err
sfield_base64(unsigned char *out, size_t n, const struct sfield *f,
    const char *kind, const char *what)
{
	const char *endp;
	size_t got;

	if (sodium_base642bin(out, n, f->v, f->vlen, NULL, &got, &endp,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || endp != f->v + f->vlen)
		return rr_seterr(RR_ERR_PARSE, "%s '%s': '%s' is not valid "
		    "base64 of %zu bytes", kind, what, f->key, n);
	if (got != n)
		return rr_seterr(RR_ERR_PARSE, "%s '%s': '%s' holds %zu bytes, "
		    "not %zu", kind, what, f->key, got, n);
	return RR_OK;
}
