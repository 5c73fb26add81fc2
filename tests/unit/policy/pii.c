/*
 * Unit tests for src/policy/pii.c: My Number and the optional identifiers, their context words and positions.
 *
 * No real number appears here: every My Number is eleven digits of our own with the check digit
 * computed by make_my_number(), independently of the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy/pii.c"

/* Writes eleven digits plus their check digit, computed as the ordinance states it, to out[13]. */
static void
make_my_number(const char *eleven, char *out)
{
    int sum = 0, r;

    for (int n = 1; n <= 11; n++) {
        /* The ordinance numbers digits from the right, check digit excluded: q_n = n + 1 for n <= 6, n - 5 after. */
        int p = eleven[11 - n] - '0';
        int q = n <= 6 ? n + 1 : n - 5;
        sum += p * q;
    }
    r = sum % 11;
    memcpy(out, eleven, 11);
    out[11] = (char)('0' + (r <= 1 ? 0 : 11 - r));
    out[12] = '\0';
}

/* The same number with a wrong check digit. */
static void
make_invalid(const char *eleven, char *out)
{
    make_my_number(eleven, out);
    out[11] = (char)('0' + (out[11] - '0' + 1) % 10);
}

static size_t
scan_opt(const char *text, const struct pii_options *opt, struct pii_hit *hits, size_t max)
{
    return pii_scan(text, strlen(text), opt, hits, max);
}

/* Scans text (My Number only) and expects exactly one hit of kind, or none when kind is 0. */
static void
expect_kind(const char *text, enum pii_kind kind)
{
    struct pii_hit hits[4];
    size_t n = scan_opt(text, NULL, hits, 4);

    if (kind == 0 && n != 0)
        fail_msg("\"%s\": want no hit, got %zu (%s)", text, n, pii_kind_code(hits[0].kind));
    if (kind != 0 && (n != 1 || hits[0].kind != kind))
        fail_msg("\"%s\": want one %s, got %zu (%s)", text, pii_kind_code(kind), n, n > 0 ? pii_kind_code(hits[0].kind) : "-");
}

/* Builds printf-style text into a static buffer, for numbers made at run time. */
static const char *
fmt(const char *format, ...)
{
    static char buf[512];
    va_list ap;

    va_start(ap, format);
    vsnprintf(buf, sizeof(buf), format, ap);
    va_end(ap);
    return buf;
}

static void
test_check_digit(void **state)
{
    char mn[13];

    /* The example printed in many guides. */
    assert_true(my_number_valid("123456789018"));
    assert_false(my_number_valid("123456789012"));
    /* The check digit is 0 when the remainder is 0 or 1. */
    for (int i = 0; i < 1000; i++) {
        char eleven[12];
        snprintf(eleven, sizeof(eleven), "%011d", i * 9973 + 12345);
        make_my_number(eleven, mn);
        assert_true(my_number_valid(mn));
        make_invalid(eleven, mn);
        assert_false(my_number_valid(mn));
    }
    make_my_number("00000000000", mn);
    assert_string_equal(mn, "000000000000");
}

static void
test_my_number_plain(void **state)
{
    char mn[13], bad[13];
    struct pii_hit hits[4];

    make_my_number("20250401123", mn);
    make_invalid("20250401123", bad);
    assert_int_equal(scan_opt(fmt("マイナンバーは%sです", mn), NULL, hits, 4), 1);
    assert_int_equal(hits[0].kind, PII_MY_NUMBER);
    assert_int_equal(hits[0].utf16_offset, 7);
    assert_int_equal(hits[0].utf16_length, 12);
    assert_int_equal(hits[0].byte_offset, 21);
    assert_int_equal(hits[0].byte_length, 12);

    expect_kind(mn, PII_MY_NUMBER_UNCONFIRMED);
    expect_kind(fmt("番号は%sです", mn), PII_MY_NUMBER_UNCONFIRMED);
    /* An invalid check digit is never a My Number, keyword or not. */
    expect_kind(bad, 0);
    expect_kind(fmt("マイナンバー %s", bad), 0);
    expect_kind(fmt("個人番号：%s", bad), 0);
    expect_kind("", 0);
    assert_int_equal(pii_scan(NULL, 0, NULL, NULL, 0), 0);
}

static void
test_separators_and_width(void **state)
{
    char mn[13];
    const char *seps[] = {" ", "　", "-", "‐", "‑", "‒", "–", "—", "―", "−", "ー", "ｰ", "－", "﹣"};
    struct pii_hit hits[4];

    make_my_number("31415926535", mn);
    for (size_t i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
        const char *s = seps[i];
        const char *text = fmt("個人番号 %.4s%s%.4s%s%.4s。", mn, s, mn + 4, s, mn + 8);
        assert_int_equal(scan_opt(text, NULL, hits, 4), 1);
        assert_int_equal(hits[0].kind, PII_MY_NUMBER);
        assert_int_equal(hits[0].utf16_offset, 5);
        assert_int_equal(hits[0].utf16_length, 14);
        assert_int_equal(hits[0].byte_length, 12 + 2 * strlen(s));
        expect_kind(fmt("%.4s%s%.4s%s%.4s", mn, s, mn + 4, s, mn + 8), PII_MY_NUMBER_UNCONFIRMED);
    }
    /* Mixed separators are still one number; other groupings are not a My Number. */
    expect_kind(fmt("マイナンバー %.4s %.4s-%.4s", mn, mn + 4, mn + 8), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー %.3s %.4s %.5s", mn, mn + 3, mn + 7), 0);
    expect_kind(fmt("マイナンバー %.6s-%.6s", mn, mn + 6), 0);
    expect_kind(fmt("マイナンバー %.4s  %.4s  %.4s", mn, mn + 4, mn + 8), 0); /* two spaces: three numbers */
    /* Wave dashes mark ranges in Japanese, not groupings. */
    expect_kind(fmt("マイナンバー %.4s～%.4s～%.4s", mn, mn + 4, mn + 8), 0);

    /* Full-width digits, as an IME left in full-width mode types them. */
    {
        char wide[64] = "";
        for (int i = 0; i < 12; i++) {
            char d[4] = {(char)0xEF, (char)0xBC, (char)(0x90 + mn[i] - '0'), 0};
            strcat(wide, d);
        }
        assert_int_equal(scan_opt(fmt("マイナンバー：%s", wide), NULL, hits, 4), 1);
        assert_int_equal(hits[0].kind, PII_MY_NUMBER);
        assert_int_equal(hits[0].utf16_offset, 7);
        assert_int_equal(hits[0].utf16_length, 12);
        assert_int_equal(hits[0].byte_length, 36);
        /* Half and full width mixed, with a full-width hyphen. */
        expect_kind(fmt("マイナンバー %.12s－%.4s－%.12s", wide, mn + 4, wide + 24), PII_MY_NUMBER);
    }
}

static void
test_boundaries(void **state)
{
    char mn[13];

    make_my_number("27182818284", mn);
    /* Thirteen digits, or more digits glued by punctuation, are a different number. */
    expect_kind(fmt("マイナンバー 1%s", mn), 0);
    expect_kind(fmt("マイナンバー %s7", mn), 0);
    expect_kind(fmt("マイナンバー %s.5", mn), 0);
    expect_kind(fmt("マイナンバー %s-01", mn), 0);
    expect_kind(fmt("マイナンバー 3,%s", mn), 0);
    expect_kind(fmt("マイナンバー 2024/%s", mn), 0);
    expect_kind(fmt("マイナンバー AB%s", mn), 0);
    expect_kind(fmt("マイナンバー %sX", mn), 0);
    expect_kind(fmt("マイナンバー %.4s %.4s %.4s 1234", mn, mn + 4, mn + 8), 0); /* 4-4-4-4 */
    expect_kind(fmt("マイナンバー 12 %.4s %.4s %.4s", mn, mn + 4, mn + 8), 0);
    /* Punctuation that ends a sentence is not a joiner. */
    expect_kind(fmt("マイナンバー %s.", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー(%s)", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー「%s」", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー %s-", mn), PII_MY_NUMBER);
    /* A space sets a 12-digit number apart from a neighbour; a hyphen does not. */
    expect_kind(fmt("令和7年 2025 %s マイナンバー", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー %s 3枚", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバー 2025-%s", mn), 0);
    /* Embedded in Japanese without spaces. */
    expect_kind(fmt("申請者の個人番号%sを確認しました", mn), PII_MY_NUMBER);
    expect_kind(fmt("確認しました%sです", mn), PII_MY_NUMBER_UNCONFIRMED);
}

static void
test_keywords(void **state)
{
    char mn[13];

    make_my_number("16180339887", mn);
    expect_kind(fmt("マイナンバーカードの番号 %s", mn), PII_MY_NUMBER);
    expect_kind(fmt("個人番号カード %s", mn), PII_MY_NUMBER);
    expect_kind(fmt("通知カードに %s とあります", mn), PII_MY_NUMBER);
    expect_kind(fmt("My Number: %s", mn), PII_MY_NUMBER);
    expect_kind(fmt("MYNUMBER=%s", mn), PII_MY_NUMBER);
    expect_kind(fmt("mynumber %s", mn), PII_MY_NUMBER);
    expect_kind(fmt("ｍｙ　ｎｕｍｂｅｒ %s", mn), PII_MY_NUMBER);
    expect_kind(fmt("ﾏｲﾅﾝﾊﾞｰ %s", mn), PII_MY_NUMBER);
    /* After the number, too. */
    expect_kind(fmt("%s（マイナンバー）", mn), PII_MY_NUMBER);
    expect_kind(fmt("%s は山田さんの個人番号です", mn), PII_MY_NUMBER);
    /* Within 20 characters, not beyond. */
    expect_kind(fmt("マイナンバー12345678901234567890%s", mn), 0); /* glued digits: not a candidate */
    expect_kind(fmt("マイナンバーあいうえおかきくけこさしすせそたちつてと%s", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバーあいうえおかきくけこさしすせそたちつてとな%s", mn), PII_MY_NUMBER_UNCONFIRMED);
    expect_kind(fmt("%sあいうえおかきくけこさしすせそたちつてとマイナンバー", mn), PII_MY_NUMBER);
    expect_kind(fmt("%sあいうえおかきくけこさしすせそたちつてとなマイナンバー", mn), PII_MY_NUMBER_UNCONFIRMED);
    /* Across a line break: a label on the line before still counts. */
    expect_kind(fmt("マイナンバー:\n%.4s %.4s %.4s", mn, mn + 4, mn + 8), PII_MY_NUMBER);
    /* A smaller window from the options. */
    {
        struct pii_options opt = {.window = 3};
        struct pii_hit hits[2];
        assert_int_equal(scan_opt(fmt("マイナンバーは、%s", mn), &opt, hits, 2), 1);
        assert_int_equal(hits[0].kind, PII_MY_NUMBER);
        assert_int_equal(scan_opt(fmt("マイナンバーはこちら、%s", mn), &opt, hits, 2), 1);
        assert_int_equal(hits[0].kind, PII_MY_NUMBER_UNCONFIRMED);
    }
}

static void
test_suppression(void **state)
{
    char mn[13];

    make_my_number("14142135623", mn);
    expect_kind(fmt("電話 %s", mn), 0);
    expect_kind(fmt("電話番号：%s", mn), 0);
    expect_kind(fmt("TEL:%s", mn), 0);
    expect_kind(fmt("Tel %.4s-%.4s-%.4s", mn, mn + 4, mn + 8), 0);
    expect_kind(fmt("tel.%s", mn), 0);
    expect_kind(fmt("ＴＥＬ　%s", mn), 0);
    expect_kind(fmt("FAX %s", mn), 0);
    expect_kind(fmt("℡%s", mn), 0);
    expect_kind(fmt("〒%s", mn), 0);
    expect_kind(fmt("注文番号 %s", mn), 0);
    expect_kind(fmt("伝票番号は%sです", mn), 0);
    expect_kind(fmt("請求書番号 %s", mn), 0);
    expect_kind(fmt("法人番号 %s", mn), 0);
    expect_kind(fmt("https://example.lg.jp/docs/%s", mn), 0);
    expect_kind(fmt("http://example.jp/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w?id=%s", mn), 0);
    expect_kind(fmt("HTTPS://EXAMPLE.JP/%s 個人番号", mn), 0);
    /* A URL ends at a space; a number after it is judged on its own. */
    expect_kind(fmt("https://example.jp/ %s", mn), PII_MY_NUMBER_UNCONFIRMED);
    /* "tel" inside a word is not a telephone. */
    expect_kind(fmt("Hotel %s", mn), PII_MY_NUMBER_UNCONFIRMED);
    /* Too far away to explain the number. */
    expect_kind(fmt("電話あいうえおかきくけこさしすせそたちつてとな%s", mn), PII_MY_NUMBER_UNCONFIRMED);
    /* The nearest word wins: a keyword closer than the suppressor blocks, a suppressor closer than it silences. */
    expect_kind(fmt("電話で聞いたマイナンバーは%s", mn), PII_MY_NUMBER);
    expect_kind(fmt("マイナンバーの件、電話 %s", mn), 0);
    expect_kind(fmt("注文番号 %s（マイナンバーではない）", mn), 0);
}

static void
test_public_numbers(void **state)
{
    struct pii_options all = {.kinds = PII_OPTIONAL_KINDS};
    struct pii_hit hits[4];

    /* 法人番号 (13 digits) and 地方公共団体コード (6) are public: never a hit, whatever the words. */
    assert_int_equal(scan_opt("法人番号 8000020252018", &all, hits, 4), 0);
    assert_int_equal(scan_opt("マイナンバー 8000020252018", &all, hits, 4), 0);
    assert_int_equal(scan_opt("個人番号 8000020252018", &all, hits, 4), 0);
    assert_int_equal(scan_opt("地方公共団体コード 252018", &all, hits, 4), 0);
    assert_int_equal(scan_opt("団体コード252018 草津市 個人番号", &all, hits, 4), 0);
}

static void
test_utf16_offsets(void **state)
{
    char mn[13];
    struct pii_hit hits[4];
    const char *text;

    make_my_number("57721566490", mn);
    /* An emoji is two UTF-16 code units (a surrogate pair) and four bytes. */
    text = fmt("😀マイナンバー %s", mn);
    assert_int_equal(scan_opt(text, NULL, hits, 4), 1);
    assert_int_equal(hits[0].utf16_offset, 9);
    assert_int_equal(hits[0].byte_offset, 4 + 18 + 1);
    assert_int_equal(memcmp(text + hits[0].byte_offset, mn, 12), 0);
    /* Kanji before it, and 𠮷 (U+20BB7) outside the BMP. */
    text = fmt("滋賀県草津市の個人番号%s", mn);
    assert_int_equal(scan_opt(text, NULL, hits, 4), 1);
    assert_int_equal(hits[0].utf16_offset, 11);
    text = fmt("𠮷野家の𠮷田さん👨‍👩‍👧 個人番号 %.4s %.4s %.4s", mn, mn + 4, mn + 8);
    assert_int_equal(scan_opt(text, NULL, hits, 4), 1);
    /* 𠮷(2)野家の(3)𠮷(2)田さん(3), the family emoji: three pairs and two joiners (8), space, 個人番号, space. */
    assert_int_equal(hits[0].utf16_offset, 2 + 3 + 2 + 3 + 8 + 1 + 4 + 1);
    assert_int_equal(hits[0].utf16_length, 14);
    assert_int_equal(hits[0].byte_offset, strlen(text) - 14);
    /* An invalid byte counts as one character (U+FFFD). */
    text = fmt("\xFF\xFE個人番号%s", mn);
    assert_int_equal(scan_opt(text, NULL, hits, 4), 1);
    assert_int_equal(hits[0].utf16_offset, 6);
    assert_int_equal(hits[0].byte_offset, 14);
}

static void
test_several_hits(void **state)
{
    char a[13], b[13];
    struct pii_hit hits[4];
    const char *text;

    make_my_number("11111111111", a);
    make_my_number("22222222222", b);
    text = fmt("個人番号 %s と %s、電話 %s", a, b, b);
    assert_int_equal(scan_opt(text, NULL, hits, 4), 2);
    assert_int_equal(hits[0].kind, PII_MY_NUMBER);
    assert_int_equal(hits[0].utf16_offset, 5);
    assert_int_equal(hits[1].kind, PII_MY_NUMBER); /* the keyword is within 20 characters of both */
    assert_int_equal(hits[1].utf16_offset, 5 + 12 + 3);
    /* More hits than room: the count tells, only max are written. */
    memset(hits, 0, sizeof(hits));
    assert_int_equal(scan_opt(text, NULL, hits, 1), 2);
    assert_int_equal(hits[1].kind, 0);
    assert_int_equal(scan_opt(text, NULL, NULL, 0), 2);

    /* A long list separated by spaces: every number is judged, the keyword reaches the first ones. */
    {
        char list[400] = "個人番号一覧:";
        struct pii_hit many[12];
        for (int i = 0; i < 12; i++) {
            char eleven[12], mn[13];
            snprintf(eleven, sizeof(eleven), "%011d", 31 * i + 7);
            make_my_number(eleven, mn);
            strcat(list, " ");
            strcat(list, mn);
        }
        assert_int_equal(scan_opt(list, NULL, many, 12), 12);
        assert_int_equal(many[0].kind, PII_MY_NUMBER);
        assert_int_equal(many[0].utf16_offset, 8);
        assert_int_equal(many[1].kind, PII_MY_NUMBER);
        assert_int_equal(many[2].kind, PII_MY_NUMBER_UNCONFIRMED);
        assert_int_equal(many[11].kind, PII_MY_NUMBER_UNCONFIRMED);
        assert_int_equal(many[11].utf16_offset, 8 + 11 * 13);
    }
}

static void
test_optional_kinds(void **state)
{
    struct pii_options none = {0}, all = {.kinds = PII_OPTIONAL_KINDS};
    struct pii_hit hits[4];
    char mn[13], bad[13];

    make_my_number("98765432109", mn);
    make_invalid("98765432109", bad);
#define EXPECT(text, opt, want)                                                                                                    \
    do {                                                                                                                           \
        size_t n_ = scan_opt(text, opt, hits, 4);                                                                                  \
        if ((want) == 0 ? n_ != 0 : (n_ != 1 || hits[0].kind != (want)))                                                           \
            fail_msg("\"%s\": want %s, got %zu (%s)", text, pii_kind_code(want), n_, n_ ? pii_kind_code(hits[0].kind) : "-");      \
    } while (0)

    /* 在留カード番号: two letters, eight digits, two letters, with its keyword. */
    EXPECT("在留カード番号 AB12345678CD", &all, PII_RESIDENCE_CARD);
    assert_int_equal(hits[0].utf16_offset, 8);
    assert_int_equal(hits[0].utf16_length, 12);
    EXPECT("在留カード：ａｂ１２３４５６７８ｃｄ", &all, PII_RESIDENCE_CARD);
    EXPECT("在留カード番号 AB12345678CD", &none, 0);
    EXPECT("品番 AB12345678CD", &all, 0);
    EXPECT("在留カード番号 XAB12345678CD", &all, 0);
    EXPECT("在留カード番号 AB12345678CDE", &all, 0);
    EXPECT("在留カード番号 AB1234567CD", &all, 0);
    /* 基礎年金番号: 4-6 or ten digits. */
    EXPECT("基礎年金番号 1234-567890", &all, PII_BASIC_PENSION);
    assert_int_equal(hits[0].utf16_length, 11);
    EXPECT("年金手帳の番号は1234567890です", &all, PII_BASIC_PENSION);
    EXPECT("基礎年金番号 1234-567890", &none, 0);
    EXPECT("基礎年金番号 123-4567890", &all, 0);
    EXPECT("受付 1234-567890", &all, 0);
    /* 住民票コード: eleven digits. */
    EXPECT("住民票コード 12345678901", &all, PII_RESIDENT_CODE);
    EXPECT("住民票コード 12345678901", &none, 0);
    EXPECT("整理番号 12345678901", &all, 0);
    /* 運転免許証番号: twelve digits; its keyword names a twelve-digit number that passes the My Number check. */
    EXPECT(fmt("運転免許証番号 %s", bad), &all, PII_DRIVER_LICENSE);
    EXPECT(fmt("運転免許証番号 %s", mn), &all, PII_DRIVER_LICENSE);
    EXPECT(fmt("運転免許証番号 %s", bad), &none, 0);
    EXPECT(fmt("運転免許証番号 %s", mn), &none, PII_MY_NUMBER_UNCONFIRMED);
    EXPECT(fmt("運転免許証とマイナンバー %s", mn), &all, PII_MY_NUMBER);
    /* Credit cards: Luhn and a keyword. */
    EXPECT("クレジットカード 4111 1111 1111 1111", &all, PII_CREDIT_CARD);
    assert_int_equal(hits[0].utf16_length, 19);
    EXPECT("VISA 4111-1111-1111-1111 期限 12/30", &all, PII_CREDIT_CARD);
    EXPECT("カード番号 378282246310005", &all, PII_CREDIT_CARD);
    EXPECT("クレジットカード 4111 1111 1111 1112", &all, 0);
    EXPECT("4111 1111 1111 1111", &all, 0);
    EXPECT("クレジットカード 4111 1111 1111 1111", &none, 0);
    /* Unknown bits in kinds are ignored. */
    {
        struct pii_options odd = {.kinds = ~0u};
        EXPECT("クレジットカード 4111 1111 1111 1111", &odd, PII_CREDIT_CARD);
    }
#undef EXPECT
}

static void
test_names(void **state)
{
    for (int k = PII_MY_NUMBER; k <= PII_KIND_MAX; k++) {
        const char *code = pii_kind_code(k);
        assert_string_not_equal(code, "unknown");
        assert_int_equal(pii_kind_from_code(code, strlen(code)), k);
        assert_non_null(pii_kind_name_ja(k));
        assert_non_null(pii_kind_name_en(k));
        for (int j = k + 1; j <= PII_KIND_MAX; j++)
            assert_string_not_equal(code, pii_kind_code(j));
    }
    assert_string_equal(pii_kind_code(PII_MY_NUMBER), "my_number");
    assert_string_equal(pii_kind_code(PII_CREDIT_CARD), "credit_card");
    assert_string_equal(pii_kind_name_ja(PII_RESIDENCE_CARD), "在留カード番号");
    assert_string_equal(pii_kind_code(0), "unknown");
    assert_string_equal(pii_kind_code(99), "unknown");
    assert_string_equal(pii_kind_name_ja(99), "個人情報");
    assert_string_equal(pii_kind_name_en(0), "Personal information");
    assert_int_equal(pii_kind_from_code("credit_cards", 12), 0);
    assert_int_equal(pii_kind_from_code("credit_card", 10), 0);
    assert_int_equal(pii_kind_from_code(NULL, 0), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit),    cmocka_unit_test(test_my_number_plain), cmocka_unit_test(test_separators_and_width),
        cmocka_unit_test(test_boundaries),     cmocka_unit_test(test_keywords),        cmocka_unit_test(test_suppression),
        cmocka_unit_test(test_public_numbers), cmocka_unit_test(test_utf16_offsets),   cmocka_unit_test(test_several_hits),
        cmocka_unit_test(test_optional_kinds), cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("policy/pii", tests, NULL, NULL);
}
