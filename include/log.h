/*
 * log.h - leveled logging to stderr.
 *
 * Text by default ("12:00:01 info  message"), or one JSON object a line when
 * log_set_format(LOG_FORMAT_JSON).  Callers must never pass a secret: SQL
 * that carries a password is redacted before it reaches here (see db.h).
 * log_debug adds the calling function's name.
 */
#ifndef RR_LOG_H
#define RR_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void log_set_level(enum log_level l);
enum log_level log_get_level(void);
void log_set_format(enum log_format f);
/* The object (metadata.name) that following lines are about, or NULL. */
void log_set_object(const char *name);

void log_msg(enum log_level l, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __func__, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __func__, __VA_ARGS__)

#endif
