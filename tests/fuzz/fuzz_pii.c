/*
 * libFuzzer target for src/policy/pii.c: arbitrary bytes as a message scanned by the personal-information guard.
 *
 * Checks that hits come in text order without overlapping, inside the text, starting and ending on a
 * digit (or a letter, for a residence card), that the UTF-16 positions agree with the byte positions
 * for valid UTF-8 (clients highlight by the former, the server hashes by the latter), that a short
 * hits array gets a prefix of the same answer, and that the scan is deterministic.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/pii.h"
#include "util/utf8.h"

#define HITS_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
is_edge(unsigned char c)
{
    /* The last byte of a digit (ASCII, or full-width ０-９ = EF BC 90..99) or of a letter. */
    return (c >= '0' && c <= '9') || (c >= 0x90 && c <= 0x99) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= 0xA1 && c <= 0xBA) || (c >= 0x81 && c <= 0x9A);
}

/* Field by field: the struct's padding is not part of the answer. */
static int
same_hits(const struct pii_hit *a, const struct pii_hit *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].kind != b[i].kind || a[i].utf16_offset != b[i].utf16_offset || a[i].utf16_length != b[i].utf16_length ||
            a[i].byte_offset != b[i].byte_offset || a[i].byte_length != b[i].byte_length)
            return 0;
    return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    /* The first byte picks the options, so every kind gets fuzzed. */
    struct pii_options opt = {.kinds = size > 0 && (data[0] & 1) ? PII_OPTIONAL_KINDS : 0,
                              .window = size > 0 ? (unsigned)(data[0] >> 1) * 2 : 0};
    struct pii_hit hits[HITS_MAX], again[HITS_MAX], few[2];
    size_t n = pii_scan(in, size, &opt, hits, HITS_MAX), shown = n < HITS_MAX ? n : HITS_MAX;
    bool valid = utf8_valid(in, size);

    assert(n <= size);
    for (size_t i = 0; i < shown; i++) {
        const struct pii_hit *h = &hits[i];
        assert(h->kind >= PII_MY_NUMBER && h->kind <= PII_KIND_MAX);
        assert(h->byte_length > 0 && h->byte_offset + h->byte_length <= size);
        assert(h->utf16_length > 0 && h->utf16_length <= h->byte_length);
        if (i > 0)
            assert(hits[i - 1].byte_offset + hits[i - 1].byte_length <= h->byte_offset &&
                   hits[i - 1].utf16_offset + hits[i - 1].utf16_length <= h->utf16_offset);
        assert(is_edge(data[h->byte_offset + h->byte_length - 1]));
        if (valid) {
            assert(h->utf16_offset == utf8_utf16_length(in, h->byte_offset));
            assert(h->utf16_length == utf8_utf16_length(in + h->byte_offset, h->byte_length));
        }
    }
    assert(pii_scan(in, size, &opt, again, HITS_MAX) == n);
    assert(same_hits(hits, again, shown));
    assert(pii_scan(in, size, &opt, few, 2) == n);
    assert(same_hits(hits, few, n < 2 ? n : 2));
    assert(pii_scan(in, size, &opt, NULL, 0) == n);
    return 0;
}
