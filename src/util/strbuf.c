/* The growing text buffer (see strbuf.h). */
#include "util/strbuf.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
sb_add(struct sb *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void
sb_str(struct sb *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

void
sb_fmt(struct sb *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        sb_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}
