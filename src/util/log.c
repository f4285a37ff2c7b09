/* log.c - leveled text or JSON-lines logging to stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "log.h"

static enum log_level level = LOG_INFO;
static enum log_format format = LOG_FORMAT_TEXT;
static const char *object, *step, *resource;

static const char *const level_names[LOG_TRACE + 1] = {
	"error", "warn", "info", "debug", "trace",
};

void log_set_level(enum log_level l) { level = l; }
enum log_level log_get_level(void) { return level; }
void log_set_format(enum log_format f) { format = f; }
enum log_format log_get_format(void) { return format; }
void log_set_object(const char *name) { object = name; }

void
log_set_step(const char *s, const char *r)
{
	step = s;
	resource = r;
}

const char *
log_get_step(void)
{
	return step;
}

static void
put(json_t *o, const char *key, const char *val)
{
	if (val != NULL && *val != '\0')
		json_object_set_new(o, key, json_string(val));
}

void
log_json_record(FILE *f, enum log_level l, const char *msg, json_t *fields)
{
	char ts[40], frac[24];
	struct timespec now;
	struct tm tm;
	json_t *o;
	char *s;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(frac, sizeof(frac), ".%03ldZ", now.tv_nsec / 1000000);
	o = json_pack("{s:s+,s:s,s:s}", "time", ts, frac, "level",
	    level_names[l], "msg", msg);
	if (o == NULL)
		goto out;
	put(o, "object", object);
	put(o, "step", step);
	put(o, "resource", resource);
	if (fields != NULL)
		json_object_update(o, fields);
	if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
		fprintf(f, "%s\n", s);
		fflush(f);
		free(s);
	}
out:
	json_decref(o);
	json_decref(fields);
}

static void
vlog(enum log_level l, const char *func, const char *request_id,
    const char *fmt, va_list ap)
{
	char msg[4096], ts[32];
	struct timespec now;
	struct tm tm;

	if (l > level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (format == LOG_FORMAT_JSON) {
		json_t *fields = json_object();

		if (request_id != NULL && *request_id != '\0')
			json_object_set_new(fields, "request_id",
			    json_string(request_id));
		if (l >= LOG_DEBUG)
			json_object_set_new(fields, "func", json_string(func));
		log_json_record(stderr, l, msg, fields);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(stderr, "%s %-5s ", ts, level_names[l]);
	if (l >= LOG_DEBUG)
		fprintf(stderr, "%s: ", func);
	fputs(msg, stderr);
	if (request_id != NULL && *request_id != '\0')
		fprintf(stderr, " (RequestId %s)", request_id);
	fputc('\n', stderr);
}

void
log_msg(enum log_level l, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, func, NULL, fmt, ap);
	va_end(ap);
}

void
log_aws(enum log_level l, const char *func, const char *request_id,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(l, func, request_id, fmt, ap);
	va_end(ap);
}
