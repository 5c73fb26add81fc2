/*
 * Unit tests for src/policy/password.c and the list in password_common.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy/password.c"

#define CHECK(login, pw, want) assert_int_equal(policy_password_check(login, pw, NULL), want)

static void
test_length(void **state)
{
    char long_pw[POLICY_PASSWORD_MAX_BYTES + 2];

    CHECK("taro", "", POLICY_PASSWORD_TOO_SHORT);
    CHECK("taro", "Xk3#pQ9!z", POLICY_PASSWORD_TOO_SHORT); /* 9 */
    CHECK("taro", "Xk3#pQ9!zw", POLICY_PASSWORD_OK);       /* 10 */
    /* Length is counted in characters, not bytes: 9 kana are 27 bytes and still too short. */
    CHECK("taro", "はるのうららのすみ", POLICY_PASSWORD_TOO_SHORT);
    CHECK("taro", "はるのうららのすみだ", POLICY_PASSWORD_OK);
    CHECK("taro", "correct horse battery staple", POLICY_PASSWORD_OK);

    memset(long_pw, 'q', sizeof(long_pw));
    long_pw[0] = 'Z';
    long_pw[POLICY_PASSWORD_MAX_BYTES] = '\0';
    CHECK("taro", long_pw, POLICY_PASSWORD_OK); /* exactly 256 bytes */
    long_pw[POLICY_PASSWORD_MAX_BYTES] = 'q';
    long_pw[POLICY_PASSWORD_MAX_BYTES + 1] = '\0';
    CHECK("taro", long_pw, POLICY_PASSWORD_TOO_LONG);
}

static void
test_invalid_utf8(void **state)
{
    CHECK("taro", "abcdefghij\xFF", POLICY_PASSWORD_INVALID_UTF8);
    CHECK("taro", "\xE3\x81", POLICY_PASSWORD_INVALID_UTF8); /* before too_short */
    CHECK("taro", "abcdefghijk\xED\xA0\x80", POLICY_PASSWORD_INVALID_UTF8);
}

static void
test_login(void **state)
{
    CHECK("yamada.taro01", "yamada.taro01", POLICY_PASSWORD_EQUALS_LOGIN);
    CHECK("yamada.taro01", "YAMADA.Taro01", POLICY_PASSWORD_EQUALS_LOGIN);
    CHECK("YAMADA.TARO01", "yamada.taro01", POLICY_PASSWORD_EQUALS_LOGIN);
    /* An IME left in full-width mode does not get around the rule. */
    CHECK("yamada.taro01", "ｙａｍａｄａ．ｔａｒｏ０１", POLICY_PASSWORD_EQUALS_LOGIN);
    /* Containing the login is allowed. */
    CHECK("yamada", "yamada-loves-biwako", POLICY_PASSWORD_OK);
    CHECK("yamada.taro01", "yamada.taro01!", POLICY_PASSWORD_OK);
    CHECK(NULL, "yamada.taro01", POLICY_PASSWORD_OK);
    CHECK("", "yamada.taro01", POLICY_PASSWORD_OK);
    /* A short password equal to the login is reported as too short first. */
    CHECK("taro", "taro", POLICY_PASSWORD_TOO_SHORT);
}

static void
test_common(void **state)
{
    CHECK("taro", "password12", POLICY_PASSWORD_COMMON);
    CHECK("taro", "PassWord12", POLICY_PASSWORD_COMMON);
    CHECK("taro", "ｐａｓｓｗｏｒｄ１２", POLICY_PASSWORD_COMMON);
    CHECK("taro", "P@ssw0rd2024", POLICY_PASSWORD_OK); /* not on the list: length carries it */
    CHECK("taro", "password2024", POLICY_PASSWORD_COMMON);
    CHECK("taro", "1234567890", POLICY_PASSWORD_COMMON);
    CHECK("taro", "qwertyuiop", POLICY_PASSWORD_COMMON);
    CHECK("taro", "kusatsushi", POLICY_PASSWORD_COMMON);
    CHECK("taro", "yamadatarou", POLICY_PASSWORD_COMMON);
    CHECK("taro", "1qaz2wsx3edc", POLICY_PASSWORD_COMMON);
    /* Repeats and plain runs, whether or not they are listed. */
    CHECK("taro", "aaaaaaaaaaaa", POLICY_PASSWORD_COMMON);
    CHECK("taro", "ZZZZZZZZZZZZZZZ", POLICY_PASSWORD_COMMON);
    CHECK("taro", "abcdefghijklm", POLICY_PASSWORD_COMMON);
    CHECK("taro", "zyxwvutsrqpo", POLICY_PASSWORD_COMMON);
    CHECK("taro", "3456789012", POLICY_PASSWORD_OK);           /* wraps around: not a plain run */
    CHECK("taro", "ああああああああああ", POLICY_PASSWORD_OK); /* byte runs only look at ASCII bytes */

    /* With a lower minimum, shorter listed passwords are caught as common. */
    {
        struct policy_password_rules r = {.min_length = 6};
        assert_int_equal(policy_password_check("taro", "qwerty", &r), POLICY_PASSWORD_COMMON);
        assert_int_equal(policy_password_check("taro", "SAKURA", &r), POLICY_PASSWORD_COMMON);
        assert_int_equal(policy_password_check("taro", "12345678", &r), POLICY_PASSWORD_COMMON);
        assert_int_equal(policy_password_check("taro", "p@ssw0rd", &r), POLICY_PASSWORD_COMMON);
        assert_int_equal(policy_password_check("taro", "biwa-ko!", &r), POLICY_PASSWORD_OK);
    }
}

/* The list itself: lower case ASCII, no duplicates, each refused by the check. */
static void
test_common_list(void **state)
{
    struct policy_password_rules r = {.min_length = 1};

    assert_true(policy__password_common_count >= 300);
    for (size_t i = 0; i < policy__password_common_count; i++) {
        const char *p = policy__password_common[i];
        for (const char *c = p; *c; c++) {
            assert_true((unsigned char)*c > 0x20 && (unsigned char)*c < 0x7F);
            assert_false(*c >= 'A' && *c <= 'Z');
        }
        for (size_t j = i + 1; j < policy__password_common_count; j++)
            assert_string_not_equal(p, policy__password_common[j]);
        assert_int_equal(policy_password_check(NULL, p, &r), POLICY_PASSWORD_COMMON);
    }
}

static void
test_classes(void **state)
{
    struct policy_password_rules r = {.min_classes = 3};

    assert_int_equal(policy_password_check("taro", "correcthorsebattery", &r), POLICY_PASSWORD_TOO_FEW_CLASSES);
    assert_int_equal(policy_password_check("taro", "Correcthorsebattery", &r), POLICY_PASSWORD_TOO_FEW_CLASSES);
    assert_int_equal(policy_password_check("taro", "Correcthorsebattery9", &r), POLICY_PASSWORD_OK);
    assert_int_equal(policy_password_check("taro", "correct horse 9", &r), POLICY_PASSWORD_OK); /* space is a symbol */
    assert_int_equal(policy_password_check("taro", "びわこのほとりでcafe", &r), POLICY_PASSWORD_TOO_FEW_CLASSES);
    assert_int_equal(policy_password_check("taro", "びわこのほとりでcafe1", &r), POLICY_PASSWORD_OK);
    r.min_classes = 5;
    assert_int_equal(policy_password_check("taro", "Aa1!あxxxxxx", &r), POLICY_PASSWORD_OK);
    assert_int_equal(policy_password_check("taro", "Aa1!xxxxxxx", &r), POLICY_PASSWORD_TOO_FEW_CLASSES);
    /* Defaults apply for zero members and for NULL rules. */
    r.min_length = 0;
    r.min_classes = 0;
    assert_int_equal(policy_password_check("taro", "onlylowercase", &r), POLICY_PASSWORD_OK);
    assert_int_equal(policy_password_check("taro", "short", &r), POLICY_PASSWORD_TOO_SHORT);
}

static void
test_messages(void **state)
{
    for (int i = POLICY_PASSWORD_OK; i <= POLICY_PASSWORD_INVALID_UTF8; i++) {
        assert_non_null(policy_password_reason_ja(i));
        assert_non_null(policy_password_reason_en(i));
        assert_string_not_equal(policy_password_reason_code(i), "invalid");
        for (int j = i + 1; j <= POLICY_PASSWORD_INVALID_UTF8; j++)
            assert_string_not_equal(policy_password_reason_code(i), policy_password_reason_code(j));
    }
    assert_string_equal(policy_password_reason_code(POLICY_PASSWORD_TOO_SHORT), "too_short");
    assert_string_equal(policy_password_reason_code(POLICY_PASSWORD_EQUALS_LOGIN), "equals_login");
    assert_string_equal(policy_password_reason_code(POLICY_PASSWORD_TOO_FEW_CLASSES), "too_few_classes");
    assert_string_equal(policy_password_reason_code(99), "invalid");
    assert_non_null(policy_password_reason_ja(99));
    assert_non_null(policy_password_reason_en(99));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length),   cmocka_unit_test(test_invalid_utf8), cmocka_unit_test(test_login),
        cmocka_unit_test(test_common),   cmocka_unit_test(test_common_list),  cmocka_unit_test(test_classes),
        cmocka_unit_test(test_messages),
    };
    return cmocka_run_group_tests_name("policy/password", tests, NULL, NULL);
}
