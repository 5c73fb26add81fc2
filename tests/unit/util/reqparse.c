/*
 * Unit tests for src/util/reqparse.c: percent-decoding, query parameters, path patterns and
 * file names — everything a request's URL carries before the API sees it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/reqparse.c"

static void
test_url_decode(void **state)
{
    char buf[32];
    assert_int_equal(reqparse_url_decode("a%20b+c", 7, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "a b c");
    assert_int_equal(reqparse_url_decode("%E4%BC%9A", 9, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "会");
    assert_int_equal(reqparse_url_decode("%zz", 3, buf, sizeof(buf)), -1);
    assert_int_equal(reqparse_url_decode("%4", 2, buf, sizeof(buf)), -1);
    assert_int_equal(reqparse_url_decode("abc%", 4, buf, sizeof(buf)), -1);
    assert_int_equal(reqparse_url_decode("%00x", 4, buf, sizeof(buf)), 2); /* NUL kept: callers reject it */
    assert_int_equal(reqparse_url_decode("abcdef", 6, buf, 6), -1);        /* does not fit with its NUL */
    assert_int_equal(reqparse_url_decode("abcde", 5, buf, 6), 5);
    assert_int_equal(reqparse_url_decode("", 0, buf, 1), 0);
    assert_int_equal(reqparse_url_decode("a", 1, buf, 0), -1);
}

static void
test_query(void **state)
{
    const char *q = "after=10&limit=5&q=%E4%BC%9A%E8%AD%B0&flag&bad=%FF&x=";
    char buf[16];
    size_t n = strlen(q);
    assert_int_equal(reqparse_query(q, n, "after", buf, sizeof(buf)), 2);
    assert_string_equal(buf, "10");
    assert_int_equal(reqparse_query(q, n, "q", buf, sizeof(buf)), 6);
    assert_string_equal(buf, "会議");
    assert_int_equal(reqparse_query(q, n, "flag", buf, sizeof(buf)), 0);
    assert_int_equal(reqparse_query(q, n, "x", buf, sizeof(buf)), 0);
    assert_int_equal(reqparse_query(q, n, "missing", buf, sizeof(buf)), -1);
    assert_int_equal(reqparse_query(q, n, "bad", buf, sizeof(buf)), -2); /* not UTF-8 */
    assert_int_equal(reqparse_query(q, n, "lim", buf, sizeof(buf)), -1); /* no prefix match */
    assert_int_equal(reqparse_query(q, n, "q", buf, 4), -2);             /* does not fit */
    assert_int_equal(reqparse_query("", 0, "a", buf, sizeof(buf)), -1);
    assert_int_equal(reqparse_query("a=1", 2, "a", buf, sizeof(buf)), 0); /* the length bounds the query */
}

static void
test_match(void **state)
{
    int64_t p[4];
    int n;
    assert_true(reqparse_match("/api/v1/rooms/{}/messages/{}", "/api/v1/rooms/12/messages/345", 29, p, 4, &n));
    assert_int_equal(n, 2);
    assert_int_equal(p[0], 12);
    assert_int_equal(p[1], 345);
    assert_false(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/0", 15, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/012", 17, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/", 14, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/1x", 16, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/9007199254740993", 30, p, 4, &n)); /* > 2^53 */
    assert_true(reqparse_match("/api/v1/rooms/{}", "/api/v1/rooms/9007199254740991", 30, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms", "/api/v1/rooms/", 14, p, 4, &n));
    assert_false(reqparse_match("/api/v1/rooms/{}/x", "/api/v1/rooms/1", 15, p, 4, &n));
    assert_false(reqparse_match("/{}/{}", "/1/2", 4, p, 1, &n)); /* more ids than room for them */
    assert_true(reqparse_match("/a", "/a", 2, p, 4, &n));
    assert_int_equal(n, 0);
}

static void
test_file_name(void **state)
{
    char *s;
#define CLEAN(in, want)                                                                                                            \
    do {                                                                                                                           \
        s = reqparse_file_name(in, sizeof(in) - 1, 255);                                                                           \
        assert_non_null(s);                                                                                                        \
        assert_string_equal(s, want);                                                                                              \
        free(s);                                                                                                                   \
    } while (0)
    CLEAN("資料.pdf", "資料.pdf");
    CLEAN("../../etc/passwd", "passwd");
    CLEAN("C:\\Users\\a\\報告書.docx", "報告書.docx");
    CLEAN("..hidden", "hidden");
    CLEAN(" name. ", "name");
    CLEAN("a\tb\nc\x7f"
          "d",
          "abcd");
    CLEAN("\"quoted\".txt", "quoted.txt");
    CLEAN("c1\xC2\x85x", "c1x");
    assert_null(reqparse_file_name("...", 3, 255));
    assert_null(reqparse_file_name("dir/", 4, 255));
    assert_null(reqparse_file_name("\xff", 1, 255));
    /* Cut at a character boundary: 会 is 3 bytes, so 4 bytes keep one. */
    s = reqparse_file_name("会議", 6, 4);
    assert_string_equal(s, "会");
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_file_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
