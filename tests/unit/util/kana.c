/*
 * Unit tests for src/util/kana.c: the search-key fold must make すずき, スズキ, ｽｽﾞｷ meet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/kana.c"

/* Folds in[0..len) and compares with want; the result is freed here. */
static void
check_len(const char *in, size_t len, const char *want)
{
    char *out = (char *)1;

    assert_int_equal(kana_fold(in, len, &out), 0);
    assert_non_null(out);
    assert_string_equal(out, want);
    /* Folding is idempotent: a folded key folds to itself. */
    {
        char *again = NULL;
        assert_int_equal(kana_fold(out, strlen(out), &again), 0);
        assert_string_equal(again, out);
        free(again);
    }
    free(out);
}

#define CHECK(in, want) check_len(in, strlen(in), want)

static void
test_suzuki_matches(void **state)
{
    CHECK("すずき", "すずき");
    CHECK("スズキ", "すずき");
    CHECK("ｽｽﾞｷ", "すずき");
    CHECK("ス\xE3\x82\x99\xE3\x82\xB9\xE3\x82\x99キ", "ずずき"); /* combining U+3099 */
    CHECK("す\xE3\x82\x99き", "ずき");
    CHECK("ＳＵＺＵＫＩ", "suzuki");
    CHECK("Suzuki", "suzuki");
}

static void
test_halfwidth_table(void **state)
{
    CHECK("ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ",
          "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんぁぃぅぇぉゃゅょっー");
    CHECK("ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽ");
    CHECK("｡｢｣､･", "。「」、・");
    CHECK("ｳﾞｧｲｵﾘﾝ", "ゔぁいおりん");
    CHECK("ﾜﾞ", "ヷ"); /* no hiragana for it: stays katakana */
    CHECK("ｦﾞ", "ヺ");
}

static void
test_katakana_to_hiragana(void **state)
{
    CHECK(
        "ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポ"
        "マミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶ",
        "ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽ"
        "まみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖ");
    CHECK("ヽヾ", "ゝゞ");
    CHECK("ヷヸヹヺ", "ヷヸヹヺ");
    CHECK("ー・", "ー・");
    CHECK("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう");
}

static void
test_marks_without_base(void **state)
{
    CHECK("ﾞ", "゛");
    CHECK("ﾟ", "゜");
    CHECK("ｱﾞ", "あ゛");  /* ア has no voiced form */
    CHECK("ｶﾟ", "か゜");  /* nor a semi-voiced one */
    CHECK("ｶﾞﾞ", "が゛"); /* a mark composes once */
    CHECK("aﾞ", "a゛");
    CHECK("ﾊﾟﾟ", "ぱ゜");
}

static void
test_width_case_space(void **state)
{
    CHECK("ＡＢＣ　ｄｅｆ　１２３！？", "abc def 123!?");
    CHECK("  Yamada\t\t Taro　\n", "yamada taro");
    CHECK("\xC2\xA0x\xC2\xA0", "x");
    CHECK("山田　太郎", "山田 太郎");
    CHECK("㈱髙橋", "㈱髙橋"); /* not NFKC: kanji and compatibility characters stay */
    CHECK("Ａ－Ｚ", "a-z");
    CHECK("", "");
    CHECK("   ", "");
    CHECK("　", "");
}

static void
test_controls_dropped(void **state)
{
    check_len("a\0b", 3, "ab");
    CHECK("a\x01\x7F"
          "b",
          "ab");
    CHECK("a\xC2\x85"
          "b",
          "ab");
    check_len(NULL, 0, "");
}

static void
test_invalid_utf8(void **state)
{
    char *out = (char *)1;

    assert_int_equal(kana_fold("\xBD\xBD\xDE\xB7", 4, &out), -EINVAL); /* CP932 ｽｽﾞｷ */
    assert_null(out);
    assert_int_equal(kana_fold("\xED\xA0\x80", 3, &out), -EINVAL);
    assert_null(out);
}

static void
test_compose_table(void **state)
{
    /* Every base that takes ゛ goes to the next code point, except the irregular ones. */
    assert_int_equal(compose(0x30AB, MARK_VOICED), 0x30AC);
    assert_int_equal(compose(0x30C4, MARK_VOICED), 0x30C5);
    assert_int_equal(compose(0x30C3, MARK_VOICED), 0); /* small ッ */
    assert_int_equal(compose(0x30CA, MARK_VOICED), 0); /* ナ */
    assert_int_equal(compose(0x30CF, MARK_SEMIVOICED), 0x30D1);
    assert_int_equal(compose(0x30DB, MARK_SEMIVOICED), 0x30DD);
    assert_int_equal(compose(0x30D0, MARK_SEMIVOICED), 0);
    assert_int_equal(compose(0x30AB, MARK_SEMIVOICED), 0);
    assert_int_equal(compose(0x30A6, MARK_VOICED), 0x30F4);
    assert_int_equal(compose(0x30FD, MARK_VOICED), 0x30FE);
    assert_int_equal(compose('a', MARK_VOICED), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suzuki_matches),       cmocka_unit_test(test_halfwidth_table),
        cmocka_unit_test(test_katakana_to_hiragana), cmocka_unit_test(test_marks_without_base),
        cmocka_unit_test(test_width_case_space),     cmocka_unit_test(test_controls_dropped),
        cmocka_unit_test(test_invalid_utf8),         cmocka_unit_test(test_compose_table),
    };
    return cmocka_run_group_tests_name("util/kana", tests, NULL, NULL);
}
