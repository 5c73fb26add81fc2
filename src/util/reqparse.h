/*
 * Pure parsing of what a request's URL carries: percent-decoding, query parameters, path
 * patterns with numeric ids, and uploaded file names. No I/O; fuzzed (tests/fuzz/fuzz_reqparse.c).
 */
#ifndef KAIRAN_UTIL_REQPARSE_H
#define KAIRAN_UTIL_REQPARSE_H

#include <stddef.h>
#include <stdint.h>

/* Decodes %XX and '+' from s[0..n) into buf (NUL-terminated). Returns the decoded length
 * (which may contain NUL bytes), or -1 on a bad escape or when it does not fit in size. */
int reqparse_url_decode(const char *s, size_t n, char *buf, size_t size);
/*
 * Finds `name` in the query string q[0..len) ("a=1&b=2") and decodes its value into buf.
 * Returns its length, -1 if absent, -2 if it cannot be decoded, does not fit, or is not UTF-8.
 */
int reqparse_query(const char *q, size_t len, const char *name, char *buf, size_t size);
/*
 * Matches path[0..len) against pattern, where "{}" stands for a positive decimal id below
 * 2^53 without a leading zero. Fills params (at most max) and *nparams. Returns 1 on a match.
 */
int reqparse_match(const char *pattern, const char *path, size_t len, int64_t *params, int max, int *nparams);
/*
 * Makes a client's file name safe to store and offer back: the last path component, without
 * control characters (C0, DEL, C1) or '"', leading dots and spaces, trailing dots and spaces,
 * at most max_bytes cut at a character boundary. Returns a malloc'd string (caller frees), or
 * NULL when the input is not UTF-8 or nothing remains.
 */
char *reqparse_file_name(const char *raw, size_t len, size_t max_bytes);

#endif
