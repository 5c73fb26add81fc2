/*
 * A growing, always NUL-terminated text buffer: for documents built piece by piece (exports,
 * minutes, Word XML, CSV). The caller frees p.
 */
#ifndef KAIRAN_UTIL_STRBUF_H
#define KAIRAN_UTIL_STRBUF_H

#include <stddef.h>

struct sb {
    char *p;
    size_t n, cap;
};

void sb_add(struct sb *b, const char *s, size_t n);
void sb_str(struct sb *b, const char *s);
/* printf into the buffer; one call writes at most 1 KiB. */
void sb_fmt(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
