/*
 * strvec.h - a growable array of strings that it owns, after git's strvec.h.
 *
 * The one type for lists of names, hosts, tags and environment entries, in
 * place of a char ** and a count grown by hand for each list.
 *
 * Shape: v[0..n) are the strings, in the order they were pushed, each a
 * copy allocated by the vector and owned by it.  v is NULL while nothing
 * has been pushed; after the first push v[n] is NULL too, so v can go to
 * execve() and the like as it is.  alloc counts the slots of v (then
 * n + 1 <= alloc).  A zeroed struct ({ NULL, 0, 0 }, memset, strvec_init)
 * is an empty vector; strvec_clear() makes one empty again and frees
 * everything it held.
 *
 * A borrowed view: { array, n } (alloc 0) lets code hand an array of its
 * own to a function that reads a const struct strvec *.  Such a vector owns
 * nothing and is not NULL-terminated: never push to it or clear it.
 *
 * Out of memory aborts (xmalloc.h).
 */
#ifndef RR_STRVEC_H
#define RR_STRVEC_H

#include <stddef.h>

struct strvec {
	char **v;     /* the strings, NULL-terminated; NULL when never grown */
	size_t n;     /* strings in v */
	size_t alloc; /* slots allocated in v; 0 for a view */
};

void strvec_init(struct strvec *sv);

/* Append a copy of s; returns the copy, owned by sv. */
const char *strvec_push(struct strvec *sv, const char *s);

/* Append a string made by printf; returns it, owned by sv. */
const char *strvec_pushf(struct strvec *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free the strings and the array; sv is empty and may be reused.  NULL is
 * fine. */
void strvec_clear(struct strvec *sv);

#endif
