/*
 * redact.c - make SQL text (or a server message quoting it) safe to log.
 *
 * A small scanner, not a parser: it walks words, punctuation and quoted
 * literals, and replaces the literals that hold a password by '<redacted>'
 * (see db.h for the list).  The output never contains a byte of a redacted
 * literal, even when the literal is unterminated.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "db.h"
#include "xmalloc.h"

#define REDACTED "'<redacted>'"

struct scan {
	struct buf out;
	int identified;	/* IDENTIFIED seen in this statement */
	int pending;	/* the next literal is a secret */
	int call_secret;	/* inside CALL rds_set_external_*(...) */
	int depth;	/* parenthesis depth inside that call */
	int argno;	/* 0-based argument index inside that call */
	int arg_redacted;	/* '<redacted>' emitted for this argument */
};

static int
word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static void
on_word(struct scan *s, const char *w, size_t n)
{
	if (word_is(w, n, "IDENTIFIED")) {
		s->identified = 1;
		s->pending = 0;
	} else if (word_is(w, n, "PASSWORD") ||
	    word_is(w, n, "MASTER_PASSWORD") ||
	    word_is(w, n, "SOURCE_PASSWORD"))
		s->pending = 1;
	else if (s->identified && (word_is(w, n, "BY") ||
	    word_is(w, n, "AS") || word_is(w, n, "USING") ||
	    word_is(w, n, "REPLACE")))
		s->pending = 1;
	else if (n >= 23 && (strncasecmp(w, "rds_set_external_master", 23) ==
	    0 || strncasecmp(w, "rds_set_external_source", 23) == 0)) {
		s->call_secret = 1;
		s->depth = 0;
		s->argno = 0;
		s->arg_redacted = 0;
		s->pending = 0;
	} else
		s->pending = 0;
}

/* Length of the quoted literal at p (quote char q), and whether closed. */
static size_t
literal_len(const char *p, char q, int *closed)
{
	size_t i = 1;

	*closed = 0;
	while (p[i] != '\0') {
		if (p[i] == '\\' && q != '`' && p[i + 1] != '\0') {
			i += 2;
			continue;
		}
		if (p[i] == q) {
			if (p[i + 1] == q) {
				i += 2;
				continue;
			}
			*closed = 1;
			return i + 1;
		}
		i++;
	}
	return i;
}

/* In the secret argument of the call: emit the marker once, skip text. */
static int
in_secret_arg(const struct scan *s)
{
	return s->call_secret && s->depth == 1 && s->argno == 3;
}

char *
db_redact_sql(const char *sql)
{
	struct scan s;
	const char *p = sql;

	memset(&s, 0, sizeof(s));
	buf_init(&s.out, 0);
	if (sql == NULL)
		return buf_detach(&s.out);
	while (*p != '\0') {
		if (*p == '\'' || *p == '"' || *p == '`') {
			int closed;
			size_t n = literal_len(p, *p, &closed);

			if (*p == '`') {
				on_word(&s, p + 1, closed ? n - 2 : n - 1);
				buf_append(&s.out, p, n);
			} else if (in_secret_arg(&s)) {
				if (!s.arg_redacted)
					buf_appends(&s.out, REDACTED);
				s.arg_redacted = 1;
			} else if (s.pending) {
				buf_appends(&s.out, REDACTED);
				s.pending = 0;
			} else
				buf_append(&s.out, p, n);
			if (!closed && (s.pending || in_secret_arg(&s)))
				break;
			p += n;
			continue;
		}
		if (isalnum((unsigned char)*p) || *p == '_' || *p == '$' ||
		    *p == '@') {
			const char *w = p;

			while (isalnum((unsigned char)*p) || *p == '_' ||
			    *p == '$' || *p == '@')
				p++;
			if (in_secret_arg(&s)) {
				if (!s.arg_redacted)
					buf_appends(&s.out, REDACTED);
				s.arg_redacted = 1;
				continue;
			}
			on_word(&s, w, (size_t)(p - w));
			buf_append(&s.out, w, (size_t)(p - w));
			continue;
		}
		if (s.call_secret) {
			if (*p == '(')
				s.depth++;
			else if (*p == ')' && --s.depth <= 0)
				s.call_secret = 0;
			else if (*p == ',' && s.depth == 1) {
				s.argno++;
				s.arg_redacted = 0;
			} else if (in_secret_arg(&s) && !isspace(
			    (unsigned char)*p)) {
				if (!s.arg_redacted)
					buf_appends(&s.out, REDACTED);
				s.arg_redacted = 1;
				p++;
				continue;
			}
		}
		if (*p == ';') {
			s.identified = 0;
			s.pending = 0;
			s.call_secret = 0;
		} else if (s.pending && *p != '=' && *p != '(' &&
		    !isspace((unsigned char)*p))
			s.pending = 0;
		buf_append(&s.out, p, 1);
		p++;
	}
	return buf_detach(&s.out);
}
