/* strvec.c - a growable array of owned strings (see strvec.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strvec.h"
#include "xmalloc.h"

void
strvec_init(struct strvec *sv)
{
	sv->v = NULL;
	sv->n = 0;
	sv->alloc = 0;
}

/* Take s (allocated) into sv, keeping v NULL-terminated. */
static const char *
push_owned(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->alloc) {
		sv->alloc = sv->alloc ? 2 * sv->alloc : 8;
		sv->v = xreallocarray(sv->v, sv->alloc, sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return s;
}

const char *
strvec_push(struct strvec *sv, const char *s)
{
	return push_owned(sv, xstrdup(s));
}

const char *
strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort(); /* out of memory */
	va_end(ap);
	return push_owned(sv, s);
}

void
strvec_clear(struct strvec *sv)
{
	size_t i;

	if (sv == NULL)
		return;
	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	strvec_init(sv);
}
