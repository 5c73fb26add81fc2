/*
 * libFuzzer target for src/util/utf8.c: arbitrary bytes as text.
 *
 * Cross-checks the functions against each other: the validator agrees with a decode loop,
 * every decoded code point re-encodes to the same bytes, the counts are consistent, and
 * every truncation of valid text is still valid text.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t off = 0, cps = 0, units = 0;
    bool valid = utf8_valid(s, size);

    while (off < size) {
        uint32_t cp;
        char enc[4];
        size_t n = utf8_decode(s + off, size - off, &cp);
        if (n == 0)
            break;
        assert(utf8_encode(cp, enc) == n && memcmp(enc, s + off, n) == 0);
        cps++;
        units += cp > 0xFFFF ? 2 : 1;
        off += n;
    }
    assert(valid == (off == size));
    (void)utf8_has_controls(s, size, 0);
    (void)utf8_has_controls(s, size, UTF8_ALLOW_TAB | UTF8_ALLOW_NEWLINE);
    if (!valid)
        return 0;
    assert(utf8_count_codepoints(s, size) == cps);
    assert(utf8_utf16_length(s, size) == units);
    for (size_t max = 0; max <= size; max += 1 + size / 16) {
        size_t t = utf8_truncate_bytes(s, size, max);
        assert(t <= max && utf8_valid(s, t) && max - t < 4);
        t = utf8_truncate_codepoints(s, size, max);
        assert(utf8_valid(s, t) && utf8_count_codepoints(s, t) == (max < cps ? max : cps));
    }
    return 0;
}
