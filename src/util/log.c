/*
 * Logging to stderr in logfmt.
 *
 * Lines are assembled in a stack buffer and written with one write(2), so lines from the loop,
 * writer and job threads never interleave mid-line.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;

void
log_set_level(enum log_level level)
{
    min_level = level;
}

int
log_parse_level(const char *s)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static __thread unsigned long long current_request;

void
log_set_request(unsigned long long id)
{
    current_request = id;
}

unsigned long long
log_request(void)
{
    return current_request;
}

void
log_msg(enum log_level level, const char *event, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char line[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s event=%s ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, names[level], event);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    if (current_request) {
        int k = snprintf(line + n, sizeof(line) - n, "req=%llu ", current_request);
        if (k > 0 && (size_t)(n + k) < sizeof(line))
            n += k;
    }
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + ((size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2);
    line[len++] = '\n';
    ssize_t w = write(2, line, len);
    (void)w;
}
