/*
 * Strict UTF-8 validation, decoding and measuring (see utf8.h).
 *
 * The validator is a plain byte loop rather than a table-driven DFA: it is short enough to
 * check against Table 3-7 of the Unicode Standard by eye, and text in Kairan is small
 * (messages are capped in kilobytes), so clarity wins over the last cycle. Runs of ASCII,
 * the common case for protocol JSON, take the one-comparison path.
 */
#include "util/utf8.h"

/* True for a continuation byte 10xxxxxx. */
static inline bool
is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t
utf8_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c, lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t v;

    if (len == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /*
     * Table 3-7: the second byte's range depends on the lead byte. E0 excludes overlongs
     * below U+0800, ED excludes surrogates, F0 excludes overlongs below U+10000 and F4
     * stops at U+10FFFF. C0, C1 and F5..FF never appear.
     */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (len < need + 1)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i <= need; i++) {
        if (!is_cont(s[i]))
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return need + 1;
}

bool
utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    uint32_t cp;

    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

size_t
utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp <= 0x10FFFF) {
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
    }
    return 0;
}

size_t
utf8_count_codepoints(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        if (!is_cont((unsigned char)s[i]))
            n++;
    return n;
}

size_t
utf8_utf16_length(const char *s, size_t len)
{
    size_t n = 0;

    /* Code points above U+FFFF (4-byte sequences) need a surrogate pair: two units. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_cont(c))
            n += c >= 0xF0 ? 2 : 1;
    }
    return n;
}

bool
utf8_has_controls(const char *str, size_t len, unsigned flags)
{
    const unsigned char *s = (const unsigned char *)str;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c < 0x20) {
            if (c == '\t' && (flags & UTF8_ALLOW_TAB))
                continue;
            if (c == '\n' && (flags & UTF8_ALLOW_NEWLINE))
                continue;
            return true;
        }
        if (c == 0x7F)
            return true;
        /* C1 controls U+0080..U+009F are C2 80..C2 9F; C2 is always a lead byte. */
        if (c == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F)
            return true;
    }
    return false;
}

size_t
utf8_truncate_bytes(const char *s, size_t len, size_t max_bytes)
{
    size_t n;

    if (len <= max_bytes)
        return len;
    /* s[max_bytes] begins the first dropped byte; back up while it is a continuation. */
    n = max_bytes;
    while (n > 0 && is_cont((unsigned char)s[n]))
        n--;
    return n;
}

size_t
utf8_truncate_codepoints(const char *s, size_t len, size_t max_codepoints)
{
    size_t seen = 0;

    for (size_t i = 0; i < len; i++) {
        if (!is_cont((unsigned char)s[i])) {
            if (seen == max_codepoints)
                return i;
            seen++;
        }
    }
    return len;
}
