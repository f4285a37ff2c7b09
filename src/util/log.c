/* log.c - leveled text or JSON-lines logging to stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "log.h"

static enum log_level level = LOG_INFO;
static enum log_format format = LOG_FORMAT_TEXT;
static const char *object;

static const char *const level_names[] = {
	"error", "warn", "info", "debug", "trace",
};

void log_set_level(enum log_level l) { level = l; }
enum log_level log_get_level(void) { return level; }
void log_set_format(enum log_format f) { format = f; }
void log_set_object(const char *name) { object = name; }

void
log_msg(enum log_level l, const char *func, const char *fmt, ...)
{
	char msg[4096], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (l > level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	if (format == LOG_FORMAT_JSON) {
		json_t *o;
		char *s;

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		o = json_pack("{s:s+,s:s,s:s}", "time", ts, "Z", "level",
		    level_names[l], "msg", msg);
		if (o == NULL)
			return;
		if (object)
			json_object_set_new(o, "object", json_string(object));
		if (l >= LOG_DEBUG)
			json_object_set_new(o, "func", json_string(func));
		if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
			fprintf(stderr, "%s\n", s);
			free(s);
		}
		json_decref(o);
		return;
	}
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	if (l >= LOG_DEBUG)
		fprintf(stderr, "%s %-5s %s: %s\n", ts, level_names[l], func,
		    msg);
	else
		fprintf(stderr, "%s %-5s %s\n", ts, level_names[l], msg);
}
