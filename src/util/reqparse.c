/*
 * URL and file-name parsing (see reqparse.h).
 *
 * Ids are limited to 2^53 so that every id we accept survives a JavaScript client, whose
 * numbers are doubles.
 */
#include "util/reqparse.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
reqparse_url_decode(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    if (size == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int h = hexval(s[i + 1]), l = hexval(s[i + 2]);
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (o + 1 >= size)
            return -1;
        buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return (int)o;
}

int
reqparse_query(const char *q, size_t len, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    const char *end = q + len;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *e = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(e - q));
        const char *ke = eq ? eq : e;
        if ((size_t)(ke - q) == nl && memcmp(q, name, nl) == 0) {
            if (eq == NULL) {
                if (size == 0)
                    return -2;
                buf[0] = '\0';
                return 0;
            }
            int n = reqparse_url_decode(eq + 1, (size_t)(e - eq - 1), buf, size);
            return n < 0 || !utf8_valid(buf, (size_t)n) ? -2 : n;
        }
        q = e + 1;
    }
    return -1;
}

int
reqparse_match(const char *pattern, const char *path, size_t len, int64_t *params, int max, int *nparams)
{
    const char *p = pattern, *s = path, *end = path + len;
    *nparams = 0;
    while (*p && s < end) {
        if (p[0] == '{' && p[1] == '}') {
            int64_t v = 0;
            const char *d = s;
            while (s < end && *s >= '0' && *s <= '9') {
                v = v * 10 + (*s - '0');
                if (v >= (INT64_C(1) << 53)) /* also stops the growth long before int64 overflows */
                    return 0;
                s++;
            }
            if (s == d || v == 0 || *d == '0' || *nparams >= max)
                return 0;
            params[(*nparams)++] = v;
            p += 2;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    return *p == '\0' && s == end;
}

char *
reqparse_file_name(const char *raw, size_t len, size_t max_bytes)
{
    if (!utf8_valid(raw, len))
        return NULL;
    const char *base = raw;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '/' || raw[i] == '\\')
            base = raw + i + 1;
    len -= (size_t)(base - raw);
    char *out = xmalloc(len + 1), *o = out;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)base[i];
        if (ch < 0x20 || ch == 0x7f || ch == '"')
            continue;
        /* C1 controls are encoded as C2 80..9F. */
        if (ch == 0xc2 && i + 1 < len && (unsigned char)base[i + 1] >= 0x80 && (unsigned char)base[i + 1] <= 0x9f) {
            i++;
            continue;
        }
        *o++ = (char)ch;
    }
    *o = '\0';
    char *p = out;
    while (*p == '.' || *p == ' ')
        p++;
    size_t n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '.'))
        n--;
    n = utf8_truncate_bytes(p, n, max_bytes);
    if (n == 0) {
        free(out);
        return NULL;
    }
    memmove(out, p, n);
    out[n] = '\0';
    return out;
}
