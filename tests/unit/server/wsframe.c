/*
 * Unit tests for src/server/wsframe.c: every parse error, frames split at every byte,
 * batched frames, the three length encodings, masking, and the close-frame helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "server/wsframe.c"

#define MAX 1048576 /* max_payload used unless a test is about the limit */

enum lenform { LEN_AUTO, LEN_16, LEN_64 };

/*
 * Builds a client frame into out (room for 14 + len bytes) as a browser would, masked
 * with key, and returns its size. form forces a longer length encoding than needed.
 */
static size_t
build(uint8_t *out, int b0, const uint8_t *payload, size_t len, const uint8_t key[4], enum lenform form)
{
    size_t h = 0;

    out[h++] = (uint8_t)b0;
    if (len <= 125 && form == LEN_AUTO) {
        out[h++] = 0x80 | (uint8_t)len;
    } else if (len <= 0xFFFF && form != LEN_64) {
        out[h++] = 0x80 | 126;
        out[h++] = (uint8_t)(len >> 8);
        out[h++] = (uint8_t)len;
    } else {
        out[h++] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            out[h++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    }
    memcpy(out + h, key, 4);
    h += 4;
    for (size_t i = 0; i < len; i++)
        out[h + i] = payload[i] ^ key[i % 4];
    return h + len;
}

static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* RFC 6455 §5.7: "A single-frame masked text message" containing "Hello". */
static void
test_rfc_example(void **state)
{
    uint8_t buf[] = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
    struct wsframe f;

    assert_int_equal(wsframe_parse(buf, sizeof(buf), MAX, &f), sizeof(buf));
    assert_true(f.fin);
    assert_int_equal(f.opcode, WSFRAME_OP_TEXT);
    assert_int_equal(f.payload_len, 5);
    assert_ptr_equal(f.payload, buf + 6); /* in place, no copy */
    assert_memory_equal(f.payload, "Hello", 5);
}

static void
test_errors(void **state)
{
    uint8_t buf[32];
    struct wsframe f;

    /* RSV1, RSV2, RSV3: reported from the first byte alone. */
    for (int rsv = 0x10; rsv <= 0x40; rsv <<= 1) {
        buf[0] = 0x81 | rsv;
        assert_int_equal(wsframe_parse(buf, 1, MAX, &f), WSFRAME_E_RSV);
    }
    /* Reserved opcodes. */
    for (int op = 0; op < 16; op++) {
        buf[0] = 0x80 | op;
        buf[1] = 0x80;
        memcpy(buf + 2, key, 4);
        ssize_t rc = wsframe_parse(buf, 6, MAX, &f);
        if ((op >= 3 && op <= 7) || op >= 0xB)
            assert_int_equal(rc, WSFRAME_E_OPCODE);
        else
            assert_int_equal(rc, 6);
    }
    /* Unmasked client frame, even an empty one. */
    buf[0] = 0x81;
    buf[1] = 0x00;
    assert_int_equal(wsframe_parse(buf, 2, MAX, &f), WSFRAME_E_UNMASKED);
    /* Fragmented control frames: close, ping and pong without FIN. */
    for (int op = 8; op <= 10; op++) {
        buf[0] = (uint8_t)op;
        assert_int_equal(wsframe_parse(buf, 1, MAX, &f), WSFRAME_E_CONTROL_FRAGMENTED);
    }
    /* Control frames over 125 bytes, whatever the length encoding. */
    buf[0] = 0x89;
    buf[1] = 0x80 | 126;
    assert_int_equal(wsframe_parse(buf, 2, MAX, &f), WSFRAME_E_CONTROL_TOO_LONG);
    buf[1] = 0x80 | 127;
    assert_int_equal(wsframe_parse(buf, 2, MAX, &f), WSFRAME_E_CONTROL_TOO_LONG);
    buf[0] = 0x88;
    assert_int_equal(wsframe_parse(buf, 2, MAX, &f), WSFRAME_E_CONTROL_TOO_LONG);
    /* A 64-bit length with its top bit set. */
    buf[0] = 0x82;
    buf[1] = 0x80 | 127;
    memset(buf + 2, 0, 8);
    buf[2] = 0x80;
    assert_int_equal(wsframe_parse(buf, 10, MAX, &f), WSFRAME_E_LENGTH);
    memset(buf + 2, 0xFF, 8);
    assert_int_equal(wsframe_parse(buf, 10, SIZE_MAX, &f), WSFRAME_E_LENGTH);
}

static void
test_too_big(void **state)
{
    uint8_t buf[32];
    struct wsframe f;

    /* Refused from the header alone, before any payload has arrived. */
    buf[0] = 0x81;
    buf[1] = 0x80 | 126;
    buf[2] = 0x10;
    buf[3] = 0x01; /* 4097 */
    assert_int_equal(wsframe_parse(buf, 4, 4096, &f), WSFRAME_E_TOO_BIG);
    assert_int_equal(wsframe_parse(buf, 4, 4097, &f), 0);
    buf[1] = 0x80 | 10;
    assert_int_equal(wsframe_parse(buf, 2, 9, &f), WSFRAME_E_TOO_BIG);
    assert_int_equal(wsframe_parse(buf, 2, 10, &f), 0);
    buf[1] = 0x80 | 127;
    memset(buf + 2, 0, 8);
    buf[5] = 0x01; /* 2^32 */
    assert_int_equal(wsframe_parse(buf, 10, 4096, &f), WSFRAME_E_TOO_BIG);
    /* A huge max_payload is clamped so the return value cannot overflow. */
    buf[2] = 0x7F;
    assert_int_equal(wsframe_parse(buf, 10, SIZE_MAX, &f), 0);
    assert_int_equal(wsframe_close_status(WSFRAME_E_TOO_BIG), 1009);
    assert_int_equal(wsframe_close_status(WSFRAME_E_RSV), 1002);
    assert_int_equal(wsframe_close_status(WSFRAME_E_UNMASKED), 1002);
    assert_int_equal(wsframe_close_status(WSFRAME_E_CLOSE_UTF8), 1007);
}

/*
 * Parses a frame offered one prefix at a time: every prefix must need more and leave the
 * bytes untouched, and the whole frame must parse to the payload.
 */
static void
check_all_splits(int b0, size_t len, enum lenform form)
{
    uint8_t *payload = malloc(len + 1), *frame = malloc(len + 14), *copy = malloc(len + 14);
    struct wsframe f;
    size_t n;

    assert_non_null(payload);
    assert_non_null(frame);
    assert_non_null(copy);
    for (size_t i = 0; i < len; i++)
        payload[i] = (uint8_t)(i * 7 + 3);
    n = build(frame, b0, payload, len, key, form);
    memcpy(copy, frame, n);
    for (size_t cut = 0; cut < n; cut++) {
        /* Past the header every prefix behaves alike; sample them for large frames. */
        if (len > 300 && cut > 20 && cut < n - 20 && cut % 997 != 0)
            continue;
        assert_int_equal(wsframe_parse(frame, cut, MAX, &f), 0);
        assert_memory_equal(frame, copy, n);
    }
    assert_int_equal(wsframe_parse(frame, n, MAX, &f), n);
    assert_int_equal(f.fin, (b0 & 0x80) != 0);
    assert_int_equal(f.opcode, b0 & 0x0F);
    assert_int_equal(f.payload_len, len);
    if (len > 0)
        assert_memory_equal(f.payload, payload, len);
    free(payload);
    free(frame);
    free(copy);
}

static void
test_split_points(void **state)
{
    check_all_splits(0x81, 0, LEN_AUTO);
    check_all_splits(0x81, 5, LEN_AUTO);
    check_all_splits(0x82, 125, LEN_AUTO);
    check_all_splits(0x82, 126, LEN_AUTO); /* smallest 16-bit length */
    check_all_splits(0x81, 1000, LEN_AUTO);
    check_all_splits(0x82, 65535, LEN_AUTO); /* largest 16-bit length */
    check_all_splits(0x82, 65536, LEN_AUTO); /* smallest 64-bit length */
    check_all_splits(0x82, 70000, LEN_AUTO);
    check_all_splits(0x89, 125, LEN_AUTO); /* ping at the control limit */
    check_all_splits(0x8A, 0, LEN_AUTO);
    check_all_splits(0x88, 2, LEN_AUTO);
    /* Non-minimal encodings are accepted. */
    check_all_splits(0x81, 5, LEN_16);
    check_all_splits(0x81, 5, LEN_64);
    check_all_splits(0x81, 300, LEN_64);
}

static void
test_masks(void **state)
{
    static const uint8_t keys[][4] = {{0, 0, 0, 0}, {0xFF, 0xFF, 0xFF, 0xFF}, {1, 2, 3, 4}, {0x80, 0, 0x7F, 0xAA}};
    uint8_t payload[13], frame[32];
    struct wsframe f;

    memcpy(payload, "Kairan 回覧", 13);
    for (size_t k = 0; k < 4; k++) {
        /* Every payload length 0..13 checks that key byte i % 4 pairs with payload byte i. */
        for (size_t len = 0; len <= 13; len++) {
            size_t n = build(frame, 0x81, payload, len, keys[k], LEN_AUTO);
            assert_int_equal(wsframe_parse(frame, n, MAX, &f), n);
            assert_int_equal(f.payload_len, len);
            if (len > 0)
                assert_memory_equal(f.payload, payload, len);
        }
    }
}

static void
test_batched_and_fragmented(void **state)
{
    uint8_t buf[256];
    struct wsframe f;
    size_t a, b, c, d, off = 0;
    ssize_t rc;

    /* A fragmented text message with a ping between its fragments (§5.4), in one read. */
    a = build(buf, 0x01, (const uint8_t *)"Hel", 3, key, LEN_AUTO);
    b = build(buf + a, 0x89, (const uint8_t *)"p", 1, key, LEN_AUTO);
    c = build(buf + a + b, 0x00, (const uint8_t *)"lo ", 3, key, LEN_AUTO);
    d = build(buf + a + b + c, 0x80, (const uint8_t *)"world", 5, key, LEN_AUTO);

    rc = wsframe_parse(buf + off, a + b + c + d - off, MAX, &f);
    assert_int_equal(rc, a);
    assert_false(f.fin);
    assert_int_equal(f.opcode, WSFRAME_OP_TEXT);
    assert_memory_equal(f.payload, "Hel", 3);
    off += (size_t)rc;
    rc = wsframe_parse(buf + off, a + b + c + d - off, MAX, &f);
    assert_int_equal(rc, b);
    assert_true(f.fin);
    assert_int_equal(f.opcode, WSFRAME_OP_PING);
    off += (size_t)rc;
    rc = wsframe_parse(buf + off, a + b + c + d - off, MAX, &f);
    assert_int_equal(rc, c);
    assert_false(f.fin);
    assert_int_equal(f.opcode, WSFRAME_OP_CONTINUATION);
    assert_memory_equal(f.payload, "lo ", 3);
    off += (size_t)rc;
    /* The last frame arrives one byte short, then whole. */
    assert_int_equal(wsframe_parse(buf + off, d - 1, MAX, &f), 0);
    rc = wsframe_parse(buf + off, d, MAX, &f);
    assert_int_equal(rc, d);
    assert_true(f.fin);
    assert_int_equal(f.opcode, WSFRAME_OP_CONTINUATION);
    assert_memory_equal(f.payload, "world", 5);
    assert_int_equal(wsframe_parse(buf, 0, MAX, &f), 0);
}

static void
test_header(void **state)
{
    static const uint64_t lens[] = {0, 1, 125, 126, 127, 65535, 65536, 0xFFFFFFFFull, 0x100000000ull};
    uint8_t h[10];

    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        uint64_t len = lens[i], got = 0;
        size_t n = wsframe_header(h, WSFRAME_OP_TEXT, len);
        assert_int_equal(h[0], 0x81);     /* FIN, text */
        assert_int_equal(h[1] & 0x80, 0); /* servers never mask */
        if (len <= 125) {
            assert_int_equal(n, 2);
            got = h[1];
        } else if (len <= 65535) {
            assert_int_equal(n, 4);
            assert_int_equal(h[1], 126);
            got = (uint64_t)h[2] << 8 | h[3];
        } else {
            assert_int_equal(n, 10);
            assert_int_equal(h[1], 127);
            for (int k = 0; k < 8; k++)
                got = got << 8 | h[2 + k];
        }
        assert_int_equal(got, len);
    }
    assert_int_equal(wsframe_header(h, WSFRAME_OP_CLOSE, 2), 2);
    assert_int_equal(h[0], 0x88);
    wsframe_header(h, WSFRAME_OP_PONG, 0);
    assert_int_equal(h[0], 0x8A);
    wsframe_header(h, WSFRAME_OP_BINARY, 0);
    assert_int_equal(h[0], 0x82);
}

static void
test_close_payload(void **state)
{
    uint8_t p[WSFRAME_MAX_CONTROL_PAYLOAD];
    char reason[200];
    uint16_t code = 0;
    const char *r = NULL;
    size_t rlen = 0, n;

    assert_int_equal(wsframe_close_payload(p, 0, "ignored", 7), 0);
    n = wsframe_close_payload(p, 1000, NULL, 0);
    assert_int_equal(n, 2);
    assert_int_equal(p[0], 0x03);
    assert_int_equal(p[1], 0xE8);
    n = wsframe_close_payload(p, 1009, "too big", 7);
    assert_int_equal(n, 9);
    assert_int_equal(wsframe_parse_close(p, n, &code, &r, &rlen), 0);
    assert_int_equal(code, 1009);
    assert_int_equal(rlen, 7);
    assert_memory_equal(r, "too big", 7);

    /* A long Japanese reason is cut to fit 125 bytes without splitting a character. */
    reason[0] = 'a';
    for (int i = 0; i < 50; i++)
        memcpy(reason + 1 + 3 * i, "閉", 3);
    n = wsframe_close_payload(p, 1001, reason, 151);
    assert_int_equal(n, 2 + 1 + 40 * 3);
    assert_true(n <= WSFRAME_MAX_CONTROL_PAYLOAD);
    assert_int_equal(wsframe_parse_close(p, n, &code, &r, &rlen), 0);
    assert_int_equal(code, 1001);
    n = wsframe_close_payload(p, 1001, reason + 1, 150);
    assert_int_equal(n, 2 + 41 * 3);
}

static void
test_parse_close(void **state)
{
    static const uint16_t valid[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010,
                                     1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999};
    static const uint16_t invalid[] = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535};
    uint8_t p[8] = {0};
    uint16_t code = 0;
    const char *r = NULL;
    size_t rlen = 99;

    assert_int_equal(wsframe_parse_close(p, 0, &code, &r, &rlen), 0);
    assert_int_equal(code, WSFRAME_CLOSE_NO_STATUS);
    assert_int_equal(rlen, 0);
    assert_non_null(r);
    p[0] = 0x03;
    assert_int_equal(wsframe_parse_close(p, 1, &code, &r, &rlen), WSFRAME_E_CLOSE_PAYLOAD);
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        p[0] = (uint8_t)(valid[i] >> 8);
        p[1] = (uint8_t)valid[i];
        assert_true(wsframe_close_code_valid(valid[i]));
        assert_int_equal(wsframe_parse_close(p, 2, &code, &r, &rlen), 0);
        assert_int_equal(code, valid[i]);
    }
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        p[0] = (uint8_t)(invalid[i] >> 8);
        p[1] = (uint8_t)invalid[i];
        assert_false(wsframe_close_code_valid(invalid[i]));
        assert_int_equal(wsframe_parse_close(p, 2, &code, &r, &rlen), WSFRAME_E_CLOSE_PAYLOAD);
    }
    p[0] = 0x03;
    p[1] = 0xE8;
    memcpy(p + 2, "\xCE\xBA\xE1\xBD\xB9", 5); /* "κό", valid */
    assert_int_equal(wsframe_parse_close(p, 7, &code, &r, &rlen), 0);
    assert_int_equal(rlen, 5);
    assert_ptr_equal(r, (const char *)p + 2);
    memcpy(p + 2, "\xCE\xBA\xED\xA0\x80", 5); /* a surrogate */
    assert_int_equal(wsframe_parse_close(p, 7, &code, &r, &rlen), WSFRAME_E_CLOSE_UTF8);
    assert_int_equal(wsframe_parse_close(p, 4, &code, &r, &rlen), 0);
    assert_int_equal(wsframe_parse_close(p, 3, &code, &r, &rlen), WSFRAME_E_CLOSE_UTF8); /* a cut character */
}

static void
test_strerror(void **state)
{
    for (int e = WSFRAME_E_RSV; e >= WSFRAME_E_CLOSE_UTF8; e--)
        assert_string_not_equal(wsframe_strerror(e), "unknown error");
    assert_string_equal(wsframe_strerror(0), "unknown error");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_example),  cmocka_unit_test(test_errors),        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_split_points), cmocka_unit_test(test_masks),         cmocka_unit_test(test_batched_and_fragmented),
        cmocka_unit_test(test_header),       cmocka_unit_test(test_close_payload), cmocka_unit_test(test_parse_close),
        cmocka_unit_test(test_strerror),
    };
    return cmocka_run_group_tests_name("server/wsframe", tests, NULL, NULL);
}
