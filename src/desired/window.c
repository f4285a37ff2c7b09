/*
 * window.c - the cut-over window: "Sun 03:00-05:00, Sat 23:00-Mon 01:00
 * UTC" into minute-of-week ranges, and whether and when a time is in them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "desired-int.h"
#include "xmalloc.h"

#define WEEK_MINUTES (7 * 24 * 60)

static int
parse_day(const char **p)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(*p, days + 3 * i, 3) == 0) {
			*p += 3;
			return i;
		}
	return -1;
}

static int
parse_hhmm(const char **p)
{
	const char *s = *p;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	*p += 5;
	return ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 +
	    s[4] - '0';
}

/*
 * "Sun 03:00-05:00, Sat 23:00-Mon 01:00 UTC" (already checked against the
 * schema's pattern) into minute-of-week ranges; empty ranges are refused.
 */
enum rr_err
window_parse(const struct pctx *c, const struct dnode *v,
    struct desired_window *w)
{
	const char *p = v->text, *r;
	int d1, d2, m1, m2, start, end;
	char shown[80];
	enum rr_err rc = RR_ERR_PARSE;

	for (;;) {
		r = p;
		if ((d1 = parse_day(&p)) < 0 || *p++ != ' ' ||
		    (m1 = parse_hhmm(&p)) < 0 || *p++ != '-')
			goto bad;
		d2 = parse_day(&p);
		if (d2 >= 0 && *p++ != ' ')
			goto bad;
		if ((m2 = parse_hhmm(&p)) < 0 || m1 >= 24 * 60 || m2 > 24 * 60)
			goto bad;
		start = d1 * 24 * 60 + m1;
		if (d2 >= 0)
			end = (d2 * 24 * 60 + m2) % WEEK_MINUTES;
		else
			end = (d1 * 24 * 60 + m2 + (m2 < m1 ? 24 * 60 : 0)) %
			    WEEK_MINUTES;
		if (end == start) {
			char range[64];

			snprintf(range, sizeof(range), "%.*s", (int)(p - r), r);
			rc = ERR_AT(c, v,
			    "spec.cutover.window: range %s has no length (to "
			    "allow any time, leave the window out)",
			    show_value(range, shown, sizeof(shown)));
			goto out;
		}
		w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
		w->v[w->n].start = start;
		w->v[w->n].end = end;
		w->n++;
		if (*p != ',')
			break;
		for (p++; *p == ' '; p++)
			;
	}
	if (strcmp(p, " UTC") != 0)
		goto bad;
	return RR_OK;
bad:
	rc = ERR_AT(c, v, "spec.cutover.window: %s is not a weekly UTC window",
	    show_value(v->text, shown, sizeof(shown)));
out:
	free(w->v);
	w->v = NULL;
	w->n = 0;
	return rc;
}

static int
minute_of_week(time_t t, int *sec)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (sec != NULL)
		*sec = tm.tm_sec;
	return ((tm.tm_wday + 6) % 7) * 24 * 60 + tm.tm_hour * 60 + tm.tm_min;
}

static int
range_contains(const struct desired_range *r, int m)
{
	if (r->start < r->end)
		return m >= r->start && m < r->end;
	return m >= r->start || m < r->end;
}

int
desired_window_contains(const struct desired *d, time_t t)
{
	size_t i;
	int m;

	if (d->windows.n == 0)
		return 1;
	m = minute_of_week(t, NULL);
	for (i = 0; i < d->windows.n; i++)
		if (range_contains(&d->windows.v[i], m))
			return 1;
	return 0;
}

time_t
desired_window_next(const struct desired *d, time_t t)
{
	size_t i;
	int m, sec, delta, best = WEEK_MINUTES;

	if (desired_window_contains(d, t))
		return t;
	m = minute_of_week(t, &sec);
	for (i = 0; i < d->windows.n; i++) {
		delta =
		    (d->windows.v[i].start - m + WEEK_MINUTES) % WEEK_MINUTES;
		if (delta < best)
			best = delta;
	}
	return t - sec + (time_t)best * 60;
}
