/*
 * Unit tests for src/util/utf8.c.
 *
 * Besides hand-picked cases from Table 3-7 of the Unicode Standard, the decoder is checked
 * exhaustively: every code point must round-trip through utf8_encode(), and every byte
 * string of up to three bytes must decode only if it is the encoding of the code point it
 * decodes to. Together these show the validator accepts exactly the well-formed sequences.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/utf8.c"

#define VALID(lit) assert_true(utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(utf8_valid(lit, sizeof(lit) - 1))

static void
test_valid_examples(void **state)
{
    assert_true(utf8_valid(NULL, 0));
    VALID("");
    VALID("hello, world");
    VALID("\0");               /* NUL is well-formed; utf8_has_controls() rejects it */
    VALID("\xC2\x80");         /* U+0080 */
    VALID("\xDF\xBF");         /* U+07FF */
    VALID("\xE0\xA0\x80");     /* U+0800 */
    VALID("\xED\x9F\xBF");     /* U+D7FF, just below the surrogates */
    VALID("\xEE\x80\x80");     /* U+E000, just above them */
    VALID("\xEF\xBF\xBF");     /* U+FFFF */
    VALID("\xF0\x90\x80\x80"); /* U+10000 */
    VALID("\xF4\x8F\xBF\xBF"); /* U+10FFFF */
    VALID("山田太郎、すずき。");
    VALID("𠮷野家");
}

static void
test_invalid_examples(void **state)
{
    INVALID("\x80"); /* lone continuation */
    INVALID("\xBF");
    INVALID("\xC0\x80");                 /* overlong NUL */
    INVALID("\xC1\xBF");                 /* overlong U+007F */
    INVALID("\xE0\x80\x80");             /* overlong */
    INVALID("\xE0\x9F\xBF");             /* overlong U+07FF */
    INVALID("\xED\xA0\x80");             /* U+D800 */
    INVALID("\xED\xBF\xBF");             /* U+DFFF */
    INVALID("\xED\xA0\x80\xED\xB0\x80"); /* CESU-8 surrogate pair */
    INVALID("\xF0\x80\x80\x80");         /* overlong */
    INVALID("\xF0\x8F\xBF\xBF");         /* overlong U+FFFF */
    INVALID("\xF4\x90\x80\x80");         /* U+110000 */
    INVALID("\xF5\x80\x80\x80");
    INVALID("\xF8\x88\x80\x80\x80");
    INVALID("\xFE");
    INVALID("\xFF");
    INVALID("\xE3\x81"); /* truncated あ */
    INVALID("abc\xE3");
    INVALID("\xE3\x41\x82"); /* ASCII where a continuation belongs */
    INVALID("\xC2\xC2\x80");
    INVALID("\xF0\x9F\x98"); /* truncated emoji */
    /* Shift_JIS for 山田 is not UTF-8. */
    INVALID("\x8E\x52\x93\x63");
}

static void
test_decode_encode(void **state)
{
    uint32_t cp = 12345;
    char buf[4];

    assert_int_equal(utf8_decode("", 0, &cp), 0);
    assert_int_equal(cp, 12345); /* untouched on failure */
    assert_int_equal(utf8_decode("\xE3\x81\x82", 3, &cp), 3);
    assert_int_equal(cp, 0x3042);
    assert_int_equal(utf8_decode("\xE3\x81\x82", 2, &cp), 0);
    assert_int_equal(utf8_decode("\xF0\xA0\xAE\xB7", 4, &cp), 4);
    assert_int_equal(cp, 0x20BB7);
    assert_int_equal(utf8_encode(0xD800, buf), 0);
    assert_int_equal(utf8_encode(0xDFFF, buf), 0);
    assert_int_equal(utf8_encode(0x110000, buf), 0);
    assert_int_equal(utf8_encode(0xFFFFFFFF, buf), 0);
}

/* Every code point encodes, decodes back and validates; surrogates do not encode. */
static void
test_exhaustive_roundtrip(void **state)
{
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        char buf[4];
        uint32_t back = 0;
        size_t n = utf8_encode(cp, buf);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            assert_int_equal(n, 0);
            continue;
        }
        assert_true(n >= 1 && n <= 4);
        assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        assert_int_equal(utf8_decode(buf, n, &back), n);
        assert_int_equal(back, cp);
        assert_true(utf8_valid(buf, n));
        assert_int_equal(utf8_count_codepoints(buf, n), 1);
        assert_int_equal(utf8_utf16_length(buf, n), cp >= 0x10000 ? 2 : 1);
    }
}

/* Accepts a byte string only when it is exactly the encoding of what it decodes to. */
static void
check_sequence(const unsigned char *b, size_t len)
{
    uint32_t cp;
    char enc[4];
    size_t n = utf8_decode((const char *)b, len, &cp);

    if (n == 0)
        return;
    assert_int_equal(utf8_encode(cp, enc), n);
    assert_memory_equal(enc, b, n);
}

static void
test_exhaustive_sequences(void **state)
{
    unsigned char b[4];
    static const unsigned char tails[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};

    for (unsigned i = 0; i < 256; i++) {
        b[0] = (unsigned char)i;
        check_sequence(b, 1);
        for (unsigned j = 0; j < 256; j++) {
            b[1] = (unsigned char)j;
            check_sequence(b, 2);
            for (unsigned k = 0; k < 256; k++) {
                b[2] = (unsigned char)k;
                check_sequence(b, 3);
            }
        }
    }
    /* Four bytes: every lead F0..FF with every second byte and boundary values after it. */
    for (unsigned i = 0xF0; i < 256; i++)
        for (unsigned j = 0; j < 256; j++)
            for (size_t k = 0; k < sizeof(tails); k++)
                for (size_t l = 0; l < sizeof(tails); l++) {
                    b[0] = (unsigned char)i;
                    b[1] = (unsigned char)j;
                    b[2] = tails[k];
                    b[3] = tails[l];
                    check_sequence(b, 4);
                }
}

static void
test_counts(void **state)
{
    const char *s = "aあ𠮷\n";

    assert_int_equal(utf8_count_codepoints(s, strlen(s)), 4);
    assert_int_equal(utf8_utf16_length(s, strlen(s)), 5); /* 𠮷 is a surrogate pair in JS */
    assert_int_equal(utf8_count_codepoints(NULL, 0), 0);
    assert_int_equal(utf8_utf16_length("", 0), 0);
}

static void
test_controls(void **state)
{
    assert_false(utf8_has_controls("普通の文", strlen("普通の文"), 0));
    assert_true(utf8_has_controls("a\0b", 3, UTF8_ALLOW_TAB | UTF8_ALLOW_NEWLINE));
    assert_true(utf8_has_controls("a\tb", 3, 0));
    assert_false(utf8_has_controls("a\tb", 3, UTF8_ALLOW_TAB));
    assert_true(utf8_has_controls("a\nb", 3, UTF8_ALLOW_TAB));
    assert_false(utf8_has_controls("a\nb", 3, UTF8_ALLOW_NEWLINE));
    assert_true(utf8_has_controls("a\r\nb", 4, UTF8_ALLOW_NEWLINE));
    assert_true(utf8_has_controls("\x1B[31m", 5, 0));
    assert_true(utf8_has_controls("a\x7F", 2, 0));
    assert_true(utf8_has_controls("a\xC2\x85", 3, 0)); /* NEL, a C1 control */
    assert_true(utf8_has_controls("\xC2\x9F", 2, 0));
    assert_false(utf8_has_controls("\xC2\xA0", 2, 0)); /* NBSP is not a control */
    assert_false(utf8_has_controls("\xC2", 1, 0));     /* invalid, but no control */
    assert_false(utf8_has_controls(NULL, 0, 0));
}

static void
test_truncate(void **state)
{
    const char *s = "あいう"; /* 9 bytes */
    const char *t = "a𠮷b";   /* 1 + 4 + 1 */

    assert_int_equal(utf8_truncate_bytes(s, 9, 100), 9);
    assert_int_equal(utf8_truncate_bytes(s, 9, 9), 9);
    assert_int_equal(utf8_truncate_bytes(s, 9, 8), 6);
    assert_int_equal(utf8_truncate_bytes(s, 9, 4), 3);
    assert_int_equal(utf8_truncate_bytes(s, 9, 3), 3);
    assert_int_equal(utf8_truncate_bytes(s, 9, 2), 0);
    assert_int_equal(utf8_truncate_bytes(s, 9, 0), 0);
    assert_int_equal(utf8_truncate_bytes(t, 6, 4), 1);
    assert_int_equal(utf8_truncate_bytes(t, 6, 5), 5);
    assert_int_equal(utf8_truncate_bytes(NULL, 0, 0), 0);

    assert_int_equal(utf8_truncate_codepoints(s, 9, 0), 0);
    assert_int_equal(utf8_truncate_codepoints(s, 9, 1), 3);
    assert_int_equal(utf8_truncate_codepoints(s, 9, 2), 6);
    assert_int_equal(utf8_truncate_codepoints(s, 9, 3), 9);
    assert_int_equal(utf8_truncate_codepoints(s, 9, 10), 9);
    assert_int_equal(utf8_truncate_codepoints(t, 6, 2), 5);
    /* Every cut is valid UTF-8. */
    for (size_t max = 0; max <= 6; max++)
        assert_true(utf8_valid(t, utf8_truncate_bytes(t, 6, max)));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_examples),
        cmocka_unit_test(test_invalid_examples),
        cmocka_unit_test(test_decode_encode),
        cmocka_unit_test(test_exhaustive_roundtrip),
        cmocka_unit_test(test_exhaustive_sequences),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_truncate),
    };
    return cmocka_run_group_tests_name("util/utf8", tests, NULL, NULL);
}
