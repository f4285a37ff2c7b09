/*
 * log.h - leveled logging to stderr.
 *
 * Text by default ("12:00:01 info  message"), or one JSON object a line when
 * log_set_format(LOG_FORMAT_JSON): {"time": RFC 3339 UTC with milliseconds,
 * "level", "msg", and when known "object" (metadata.name), "step" (the
 * action name), "resource" (the instance, snapshot, group or record it is
 * about), "request_id" (the AWS RequestId of the call it reports), and at
 * debug level "func"}.  Callers must never pass a secret: SQL
 * that carries a password is redacted before it reaches here (see db.h).
 * log_debug adds the calling function's name.
 */
#ifndef RR_LOG_H
#define RR_LOG_H

#include <stdio.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void log_set_level(enum log_level l);
enum log_level log_get_level(void);
void log_set_format(enum log_format f);
enum log_format log_get_format(void);
/* The object (metadata.name) that following lines are about, or NULL. */
void log_set_object(const char *name);
/* The step (action name) and resource following lines are about; NULLs
 * clear.  The strings must outlive their use (they are not copied). */
void log_set_step(const char *step, const char *resource);
/* The step set last, or NULL outside a step. */
const char *log_get_step(void);

void log_msg(enum log_level l, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* log_msg about an AWS call, with its RequestId (NULL or "" if none). */
void log_aws(enum log_level l, const char *func, const char *request_id,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct json_t;
/*
 * One JSON record on f (stdout for step lines): the common fields above,
 * msg, and every member of fields (a jansson object, whose reference is
 * taken; NULL for none).  For --log-format json only.
 */
void log_json_record(FILE *f, enum log_level l, const char *msg,
    struct json_t *fields);

#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __func__, __VA_ARGS__)

#endif
