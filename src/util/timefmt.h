/*
 * Time: milliseconds since the epoch inside Kairan, RFC 3339 in Japan time at the edges.
 */
#ifndef KAIRAN_UTIL_TIMEFMT_H
#define KAIRAN_UTIL_TIMEFMT_H

#include <stdint.h>

#define TIME_DAY_MS (24LL * 3600 * 1000)

/* Wall-clock milliseconds since 1970-01-01 UTC. */
int64_t time_now_ms(void);
/* Monotonic milliseconds, for timeouts; nanoseconds, for measuring. */
int64_t time_mono_ms(void);
uint64_t time_mono_ns(void);
/* Formats `ms` as 2026-11-24T14:05:00+09:00 into out (at least 32 bytes); returns out. */
char *time_format_jst(int64_t ms, char *out);
/* Parses an RFC 3339 date-time with Z or ±hh:mm; returns 0 and sets *ms, or -1. */
int time_parse(const char *s, int64_t *ms);

#endif
