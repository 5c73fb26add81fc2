/*
 * Logging: one logfmt line per event on stderr (journald and logrotate take it from there).
 *
 * Never pass secrets, passwords, tokens or message text to these functions: log ids and
 * kinds instead. Thread-safe: each line is written with a single write(2).
 */
#ifndef KAIRAN_UTIL_LOG_H
#define KAIRAN_UTIL_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Sets the lowest level printed; the default is LOG_INFO. */
void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn", "error"; returns -1 on anything else. */
int log_parse_level(const char *s);

/* The request this thread works for now (0: none): log lines then carry req=ID, which the
 * answer's X-Request-Id header also names, so a city's support desk can find them. */
void log_set_request(unsigned long long id);
unsigned long long log_request(void);

/* printf-style; `event` is a short identifier such as "http.listen" printed as event=… */
void log_msg(enum log_level level, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(ev, ...) log_msg(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_msg(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_msg(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_msg(LOG_ERROR, ev, __VA_ARGS__)

#endif
