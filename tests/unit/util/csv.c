/*
 * Unit tests for src/util/csv.c: encodings Excel produces, RFC 4180 records, limits, headers.
 *
 * The CP932 samples were produced with `iconv -f UTF-8 -t CP932` and are embedded as hex so
 * the test does not depend on this file's own encoding surviving an editor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/csv.c"

/* Runs csv_to_utf8() and expects success with the given result and encoding. */
static void
check_decode(const char *in, size_t len, const char *want, const char *want_enc)
{
    char *out = NULL;
    size_t outlen = 0;
    const char *enc = NULL;

    assert_int_equal(csv_to_utf8(in, len, &out, &outlen, &enc), 0);
    assert_non_null(out);
    assert_int_equal(outlen, strlen(want));
    assert_string_equal(out, want);
    assert_string_equal(enc, want_enc);
    free(out);
}

static void
check_decode_fails(const char *in, size_t len, size_t want_off)
{
    char *out = (char *)1;
    size_t outlen = 12345;

    assert_int_equal(csv_to_utf8(in, len, &out, &outlen, NULL), -EILSEQ);
    assert_null(out);
    assert_int_equal(outlen, want_off);
}

static void
test_to_utf8_utf8(void **state)
{
    check_decode("", 0, "", "UTF-8");
    check_decode("\xEF\xBB\xBF", 3, "", "UTF-8 (BOM)");
    check_decode("\xEF\xBB\xBF職員番号,氏名\r\n", strlen("\xEF\xBB\xBF職員番号,氏名\r\n"), "職員番号,氏名\r\n", "UTF-8 (BOM)");
    check_decode("a,b\n1,2\n", 8, "a,b\n1,2\n", "UTF-8");
    check_decode("職員番号,氏名", strlen("職員番号,氏名"), "職員番号,氏名", "UTF-8");
    /* Only a leading BOM is removed. */
    check_decode("a\xEF\xBB\xBF", 4, "a\xEF\xBB\xBF", "UTF-8");
}

static void
test_to_utf8_cp932(void **state)
{
    /* 山田太郎 */
    check_decode("\x8e\x52\x93\x63\x91\xbe\x98\x59", 8, "山田太郎", "CP932");
    /* 職員番号,氏名,ふりがな */
    check_decode("\x90\x45\x88\xf5\x94\xd4\x8d\x86\x2c\x8e\x81\x96\xbc\x2c\x82\xd3\x82\xe8\x82\xaa\x82\xc8", 22,
                 "職員番号,氏名,ふりがな", "CP932");
    /* ｽｽﾞｷ: half-width katakana, one byte each */
    check_decode("\xbd\xbd\xde\xb7", 4, "ｽｽﾞｷ", "CP932");
    /* 表: the second byte is 0x5C, the ASCII backslash */
    check_decode("\x95\x5c,1", 4, "表,1", "CP932");
    /* 0x8160 is FULLWIDTH TILDE in CP932 (Shift_JIS would say WAVE DASH) */
    check_decode("\x81\x60", 2, "～", "CP932");
    /* ①髙﨑: NEC and IBM extensions that only CP932 has */
    check_decode("\x87\x40\xfb\xfc\xfa\xb1", 6, "①髙﨑", "CP932");
    /* A whole staff list line with CRLF */
    check_decode("0123,\x8e\x52\x93\x63\x91\xbe\x98\x59\r\n", 15, "0123,山田太郎\r\n", "CP932");
}

static void
test_to_utf8_errors(void **state)
{
    check_decode_fails("\x80", 1, 0);         /* not CP932 either */
    check_decode_fails("ab\x81\x20", 4, 2);   /* lead byte with an invalid trail */
    check_decode_fails("\x8e\x52\x93", 3, 2); /* a lead byte cut off by the end */
    check_decode_fails("\x8e\x52\xfd", 3, 2);
    check_decode_fails("\xEF\xBB\xBF"
                       "ab\x8e\x52",
                       7, 5); /* a BOM promises UTF-8 */
    check_decode_fails("\xEF\xBB\xBF\xE3\x81", 5, 3);
}

static void
test_line_at(void **state)
{
    const char *s = "a\nb\r\nc\rd";

    assert_int_equal(csv_line_at(s, 8, 0), 1);
    assert_int_equal(csv_line_at(s, 8, 2), 2);
    assert_int_equal(csv_line_at(s, 8, 4), 2); /* between CR and LF */
    assert_int_equal(csv_line_at(s, 8, 5), 3);
    assert_int_equal(csv_line_at(s, 8, 7), 4);
    assert_int_equal(csv_line_at(s, 8, 100), 4);
}

static struct csv_reader reader; /* about 66 KiB: keep it off the test's stack */
static struct csv_field fields[CSV_MAX_FIELDS];

/* Reads the next record and expects rc, the line and (for rc 1) the '|'-joined fields. */
static void
expect(int want_rc, size_t want_line, const char *want_joined)
{
    size_t nf = 99, line = 0;
    int rc = csv_reader_next(&reader, fields, &nf, &line);
    char joined[8192] = "";
    size_t o = 0;

    assert_int_equal(rc, want_rc);
    if (rc == 0)
        return;
    assert_int_equal(line, want_line);
    if (rc < 0) {
        assert_int_equal(nf, 0);
        return;
    }
    for (size_t i = 0; i < nf; i++) {
        assert_int_equal(strlen(fields[i].ptr), fields[i].len); /* NUL-terminated */
        o += (size_t)snprintf(joined + o, sizeof(joined) - o, "%s%s", i ? "|" : "", fields[i].ptr);
    }
    assert_string_equal(joined, want_joined);
}

static void
start(const char *s)
{
    csv_reader_init(&reader, s, strlen(s));
}

static void
test_reader_basic(void **state)
{
    start("a,b,c\n1,2,3\n");
    expect(1, 1, "a|b|c");
    expect(1, 2, "1|2|3");
    expect(0, 0, NULL);
    expect(0, 0, NULL); /* stays at the end */

    start("a,b\r\n1,2"); /* CRLF, no trailing newline */
    expect(1, 1, "a|b");
    expect(1, 2, "1|2");
    expect(0, 0, NULL);

    start("a\rb\r"); /* old Mac line ends */
    expect(1, 1, "a");
    expect(1, 2, "b");
    expect(0, 0, NULL);

    start("");
    expect(0, 0, NULL);
    start("\n\r\n\n");
    expect(0, 0, NULL);
}

static void
test_reader_blank_and_ragged(void **state)
{
    start("\n\na,b\n\r\n1\n1,2,3,4\n,,\n\n");
    expect(1, 3, "a|b");
    expect(1, 5, "1");
    expect(1, 6, "1|2|3|4");
    expect(1, 7, "||");
    expect(0, 0, NULL);

    {
        size_t nf, line;
        start(",");
        assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
        assert_int_equal(nf, 2);
        assert_int_equal(fields[0].len, 0);
        assert_int_equal(fields[1].len, 0);
    }
}

static void
test_reader_quotes(void **state)
{
    start("\"a,b\",\"say \"\"hi\"\"\",\"\",\"\"\"\"\n");
    expect(1, 1, "a,b|say \"hi\"||\"");
    start("ab\"c,d\n"); /* a quote inside an unquoted field is text, as in Excel */
    expect(1, 1, "ab\"c|d");
    start("\"multi\nline\r\ncell\",x\nnext,row\n");
    expect(1, 1, "multi\nline\r\ncell|x");
    expect(1, 4, "next|row");
    start("\"a\"\r\n\"b\"");
    expect(1, 1, "a");
    expect(1, 2, "b");
    start("\"\n\n\n\"\nz");
    expect(1, 1, "\n\n\n");
    expect(1, 5, "z");
    start("職員番号,\"山田, 太郎\"\n");
    expect(1, 1, "職員番号|山田, 太郎");
}

static void
test_reader_quote_errors(void **state)
{
    start("\"ab\"c,d\nok,1\n");
    expect(CSV_E_TEXT_AFTER_QUOTE, 1, NULL);
    expect(1, 2, "ok|1");

    start("a,\"b\" ,c\nok\n"); /* even a space after the closing quote */
    expect(CSV_E_TEXT_AFTER_QUOTE, 1, NULL);
    expect(1, 2, "ok");

    start("ok\n\"never closed,\nx,y\n");
    expect(1, 1, "ok");
    expect(CSV_E_UNTERMINATED_QUOTE, 2, NULL);
    expect(0, 0, NULL);

    {
        static const char nul[] = "a,b\0c\nok\n";
        csv_reader_init(&reader, nul, sizeof(nul) - 1);
        expect(CSV_E_NUL, 1, NULL);
        expect(1, 2, "ok");
    }
}

static void
test_reader_field_limits(void **state)
{
    static char buf[3 * CSV_MAX_FIELDS * 2 + 64];
    size_t o = 0, nf, line;

    /* Exactly 64 fields, then 65, then a normal record. */
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        o += (size_t)sprintf(buf + o, "%s%d", i ? "," : "", i % 10);
    o += (size_t)sprintf(buf + o, "\n");
    for (int i = 0; i <= CSV_MAX_FIELDS; i++)
        o += (size_t)sprintf(buf + o, "%s%d", i ? "," : "", i % 10);
    o += (size_t)sprintf(buf + o, "\nlast\n");
    csv_reader_init(&reader, buf, o);
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(nf, CSV_MAX_FIELDS);
    assert_string_equal(fields[63].ptr, "3");
    expect(CSV_E_TOO_MANY_FIELDS, 2, NULL);
    expect(1, 3, "last");

    /* A 65th field that is empty still counts. */
    o = 0;
    for (int i = 0; i < CSV_MAX_FIELDS; i++)
        o += (size_t)sprintf(buf + o, "x,");
    csv_reader_init(&reader, buf, o);
    expect(CSV_E_TOO_MANY_FIELDS, 1, NULL);
    expect(0, 0, NULL);
}

static void
test_reader_length_limits(void **state)
{
    size_t cap = 2 * CSV_MAX_RECORD + 100, o = 0, nf, line;
    char *buf = malloc(cap);

    assert_non_null(buf);
    /* A field of exactly CSV_MAX_FIELD_LEN bytes, quoted, then one byte longer. */
    buf[o++] = '"';
    memset(buf + o, 'x', CSV_MAX_FIELD_LEN);
    o += CSV_MAX_FIELD_LEN;
    memcpy(buf + o, "\"\n", 2);
    o += 2;
    memset(buf + o, 'y', CSV_MAX_FIELD_LEN + 1);
    o += CSV_MAX_FIELD_LEN + 1;
    memcpy(buf + o, "\nnext\n", 6);
    o += 6;
    csv_reader_init(&reader, buf, o);
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(nf, 1);
    assert_int_equal(fields[0].len, CSV_MAX_FIELD_LEN);
    expect(CSV_E_FIELD_TOO_LONG, 2, NULL);
    expect(1, 3, "next");

    /* Doubled quotes count once toward the field limit: 4096 quotes as 8192 bytes is fine. */
    o = 0;
    buf[o++] = '"';
    memset(buf + o, '"', 2 * CSV_MAX_FIELD_LEN);
    o += 2 * CSV_MAX_FIELD_LEN;
    buf[o++] = '"';
    csv_reader_init(&reader, buf, o);
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(fields[0].len, CSV_MAX_FIELD_LEN);
    assert_int_equal(fields[0].ptr[CSV_MAX_FIELD_LEN - 1], '"');

    /* A record longer than 64 KiB made of legal fields, inside quotes with newlines. */
    o = 0;
    for (int i = 0; i < 40; i++) {
        buf[o++] = '"';
        memset(buf + o, '\n', 2000);
        o += 2000;
        buf[o++] = '"';
        buf[o++] = ',';
    }
    memcpy(buf + o, "end\nafter\n", 10);
    o += 10;
    csv_reader_init(&reader, buf, o);
    expect(CSV_E_RECORD_TOO_LONG, 1, NULL);
    expect(1, 1 + 40 * 2000 + 1, "after");
    expect(0, 0, NULL);

    /* Exactly CSV_MAX_RECORD bytes is still one record. */
    o = 0;
    for (int i = 0; i < 15; i++) {
        memset(buf + o, 'z', 4095);
        o += 4095;
        buf[o++] = ',';
    }
    memset(buf + o, 'z', CSV_MAX_RECORD - o);
    o = CSV_MAX_RECORD;
    csv_reader_init(&reader, buf, o);
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(nf, 16);
    assert_int_equal(fields[15].len, CSV_MAX_FIELD_LEN);
    buf[o++] = 'z';
    csv_reader_init(&reader, buf, o);
    expect(CSV_E_RECORD_TOO_LONG, 1, NULL);
    free(buf);
}

static void
test_errors_have_messages(void **state)
{
    static const int errs[] = {CSV_E_TOO_MANY_FIELDS,    CSV_E_FIELD_TOO_LONG,   CSV_E_RECORD_TOO_LONG,
                               CSV_E_UNTERMINATED_QUOTE, CSV_E_TEXT_AFTER_QUOTE, CSV_E_NUL,
                               CSV_E_DUPLICATE_COLUMN};

    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        assert_non_null(csv_error_ja(errs[i]));
        assert_non_null(csv_error_en(errs[i]));
    }
    assert_null(csv_error_ja(0));
    assert_null(csv_error_en(-1));
}

static void
test_header_lookup(void **state)
{
#define LOOKUP(s) csv_header_lookup(s, strlen(s))
    assert_int_equal(LOOKUP("職員番号"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("職員コード"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("ログインID"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("ログインid"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("LOGIN"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("氏名"), CSV_COL_NAME);
    assert_int_equal(LOOKUP("名前"), CSV_COL_NAME);
    assert_int_equal(LOOKUP("Name"), CSV_COL_NAME);
    assert_int_equal(LOOKUP("ふりがな"), CSV_COL_KANA);
    assert_int_equal(LOOKUP("フリガナ"), CSV_COL_KANA);
    assert_int_equal(LOOKUP("氏名カナ"), CSV_COL_KANA);
    assert_int_equal(LOOKUP("よみ"), CSV_COL_KANA);
    assert_int_equal(LOOKUP("kana"), CSV_COL_KANA);
    assert_int_equal(LOOKUP("所属"), CSV_COL_DEPT);
    assert_int_equal(LOOKUP("所属名"), CSV_COL_DEPT);
    assert_int_equal(LOOKUP("課名"), CSV_COL_DEPT);
    assert_int_equal(LOOKUP("department"), CSV_COL_DEPT);
    assert_int_equal(LOOKUP("所属コード"), CSV_COL_DEPT_CODE);
    assert_int_equal(LOOKUP("役職"), CSV_COL_TITLE);
    assert_int_equal(LOOKUP("Title"), CSV_COL_TITLE);
    assert_int_equal(LOOKUP("内線"), CSV_COL_EXTENSION);
    assert_int_equal(LOOKUP("内線番号"), CSV_COL_EXTENSION);
    assert_int_equal(LOOKUP("extension"), CSV_COL_EXTENSION);
    assert_int_equal(LOOKUP("勤務先電話"), CSV_COL_WORK_PHONE);
    assert_int_equal(LOOKUP("電話番号"), CSV_COL_WORK_PHONE);
    assert_int_equal(LOOKUP("WORK_PHONE"), CSV_COL_WORK_PHONE);
    assert_int_equal(LOOKUP("雇用区分"), CSV_COL_EMPLOYMENT);
    assert_int_equal(LOOKUP("employment"), CSV_COL_EMPLOYMENT);
    assert_int_equal(LOOKUP("メールアドレス"), CSV_COL_EMAIL);
    assert_int_equal(LOOKUP("表示順"), CSV_COL_ORDER);
    assert_int_equal(LOOKUP("在籍"), CSV_COL_ACTIVE);
    /* Spaces around the name, full-width ones too, and a stray BOM. */
    assert_int_equal(LOOKUP("  氏名\t"), CSV_COL_NAME);
    assert_int_equal(LOOKUP("　氏名　　"), CSV_COL_NAME);
    assert_int_equal(LOOKUP("\xEF\xBB\xBF職員番号"), CSV_COL_LOGIN);
    assert_int_equal(LOOKUP("\xEF\xBB\xBF 　login "), CSV_COL_LOGIN);
    /* Not matches. */
    assert_int_equal(LOOKUP("氏 名"), -1);
    assert_int_equal(LOOKUP("氏名2"), -1);
    assert_int_equal(LOOKUP("備考"), -1);
    assert_int_equal(LOOKUP(""), -1);
    assert_int_equal(LOOKUP("　"), -1);
    assert_int_equal(LOOKUP("log"), -1);
    assert_int_equal(csv_header_lookup("loginx", 5), CSV_COL_LOGIN);
#undef LOOKUP
    for (int c = 0; c < CSV_COL_COUNT; c++)
        assert_non_null(csv_column_name(c));
    assert_string_equal(csv_column_name(CSV_COL_LOGIN), "職員番号");
    assert_string_equal(csv_column_name(CSV_COL_KANA), "ふりがな");
    assert_null(csv_column_name(CSV_COL_COUNT));
}

static void
test_header_index(void **state)
{
    int idx[CSV_COL_COUNT];
    size_t nf, line, dup = 99;

    start("\xEF\xBB\xBF職員番号,氏名,フリガナ,備考,課名,内線番号\r\n");
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(csv_header_index(fields, nf, idx, &dup), 5);
    assert_int_equal(idx[CSV_COL_LOGIN], 0);
    assert_int_equal(idx[CSV_COL_NAME], 1);
    assert_int_equal(idx[CSV_COL_KANA], 2);
    assert_int_equal(idx[CSV_COL_DEPT], 4);
    assert_int_equal(idx[CSV_COL_EXTENSION], 5);
    assert_int_equal(idx[CSV_COL_TITLE], -1);
    assert_int_equal(dup, 99);

    start("氏名,名前\n");
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(csv_header_index(fields, nf, idx, &dup), CSV_E_DUPLICATE_COLUMN);
    assert_int_equal(dup, 1);
    assert_int_equal(csv_header_index(fields, nf, idx, NULL), CSV_E_DUPLICATE_COLUMN);

    assert_int_equal(csv_header_index(fields, 0, idx, NULL), 0);
    for (int c = 0; c < CSV_COL_COUNT; c++)
        assert_int_equal(idx[c], -1);
}

/* The whole path an importer takes: CP932 bytes in, fields and line numbers out. */
static void
test_cp932_import(void **state)
{
    /* 職員番号,氏名\r\n0123,山田太郎\r\n"0456","山田\r\n太郎"\r\n */
    static const char file[] = "\x90\x45\x88\xf5\x94\xd4\x8d\x86,\x8e\x81\x96\xbc\r\n"
                               "0123,\x8e\x52\x93\x63\x91\xbe\x98\x59\r\n"
                               "\"0456\",\"\x8e\x52\x93\x63\r\n\x91\xbe\x98\x59\"\r\n";
    char *utf8 = NULL;
    size_t len = 0;
    const char *enc = NULL;
    int idx[CSV_COL_COUNT];
    size_t nf, line;

    assert_int_equal(csv_to_utf8(file, sizeof(file) - 1, &utf8, &len, &enc), 0);
    assert_string_equal(enc, "CP932");
    csv_reader_init(&reader, utf8, len);
    assert_int_equal(csv_reader_next(&reader, fields, &nf, &line), 1);
    assert_int_equal(csv_header_index(fields, nf, idx, NULL), 2);
    expect(1, 2, "0123|山田太郎");
    expect(1, 3, "0456|山田\r\n太郎");
    expect(0, 0, NULL);
    free(utf8);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_to_utf8_utf8),         cmocka_unit_test(test_to_utf8_cp932),
        cmocka_unit_test(test_to_utf8_errors),       cmocka_unit_test(test_line_at),
        cmocka_unit_test(test_reader_basic),         cmocka_unit_test(test_reader_blank_and_ragged),
        cmocka_unit_test(test_reader_quotes),        cmocka_unit_test(test_reader_quote_errors),
        cmocka_unit_test(test_reader_field_limits),  cmocka_unit_test(test_reader_length_limits),
        cmocka_unit_test(test_errors_have_messages), cmocka_unit_test(test_header_lookup),
        cmocka_unit_test(test_header_index),         cmocka_unit_test(test_cp932_import),
    };
    return cmocka_run_group_tests_name("util/csv", tests, NULL, NULL);
}
