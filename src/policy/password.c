/*
 * Password rules: length, login reuse, common passwords, character classes (see password.h).
 *
 * Comparisons with the login and the common list happen on a folded copy: full-width ASCII
 * (what a Japanese IME produces when left on, ｐａｓｓｗｏｒｄ) becomes half-width and
 * upper case becomes lower case. Without that fold, switching the IME on would be a way
 * around every rule. Lengths and classes are judged on the password as typed.
 */
#include "policy/password.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "policy/password_common.h"
#include "util/utf8.h"

/*
 * Writes the folded form of valid UTF-8 s[0..len) to out (room for len + 1 bytes; folding
 * never lengthens) and returns its length.
 */
static size_t
fold(const char *s, size_t len, char *out)
{
    size_t i = 0, o = 0;

    while (i < len) {
        uint32_t cp = 0;
        size_t n = utf8_decode(s + i, len - i, &cp);
        if (n == 0) {
            /* Not reached for validated input; copy the byte so the fold stays total. */
            out[o++] = s[i++];
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp = cp - 0xFF01 + 0x21;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        if (cp < 0x80)
            out[o++] = (char)cp;
        else
            o += utf8_encode(cp, out + o);
        i += n;
    }
    out[o] = '\0';
    return o;
}

/* One character repeated (aaaaaaaaaa), or a run stepping by one (abcdefghij, 9876543210). */
static bool
is_plain_run(const char *s, size_t len)
{
    int step;

    if (len < 2)
        return true;
    step = (unsigned char)s[1] - (unsigned char)s[0];
    if (step < -1 || step > 1)
        return false;
    for (size_t i = 2; i < len; i++)
        if ((unsigned char)s[i] - (unsigned char)s[i - 1] != step)
            return false;
    return true;
}

static bool
is_common(const char *folded, size_t len)
{
    if (is_plain_run(folded, len))
        return true;
    for (size_t i = 0; i < policy__password_common_count; i++)
        if (strcmp(policy__password_common[i], folded) == 0)
            return true;
    return false;
}

static unsigned
count_classes(const char *s, size_t len)
{
    bool lower = false, upper = false, digit = false, symbol = false, other = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= '0' && c <= '9')
            digit = true;
        else if (c < 0x80)
            symbol = true;
        else
            other = true;
    }
    return (unsigned)lower + upper + digit + symbol + other;
}

enum policy_password_reason
policy_password_check(const char *login, const char *password, const struct policy_password_rules *rules)
{
    unsigned min_length = POLICY_PASSWORD_DEFAULT_MIN_LENGTH, min_classes = POLICY_PASSWORD_DEFAULT_MIN_CLASSES;
    char folded[POLICY_PASSWORD_MAX_BYTES + 1];
    size_t len = strlen(password), flen;

    if (rules != NULL && rules->min_length != 0)
        min_length = rules->min_length;
    if (rules != NULL && rules->min_classes != 0)
        min_classes = rules->min_classes;

    if (!utf8_valid(password, len))
        return POLICY_PASSWORD_INVALID_UTF8;
    if (len > POLICY_PASSWORD_MAX_BYTES)
        return POLICY_PASSWORD_TOO_LONG;
    if (utf8_count_codepoints(password, len) < min_length)
        return POLICY_PASSWORD_TOO_SHORT;
    flen = fold(password, len, folded);
    if (login != NULL && login[0] != '\0') {
        size_t llen = strlen(login);
        /* A login longer than any password cannot equal one; skip folding it. */
        if (llen <= POLICY_PASSWORD_MAX_BYTES) {
            char flogin[POLICY_PASSWORD_MAX_BYTES + 1];
            if (fold(login, llen, flogin) == flen && memcmp(flogin, folded, flen) == 0)
                return POLICY_PASSWORD_EQUALS_LOGIN;
        }
    }
    if (is_common(folded, flen))
        return POLICY_PASSWORD_COMMON;
    if (count_classes(password, len) < min_classes)
        return POLICY_PASSWORD_TOO_FEW_CLASSES;
    return POLICY_PASSWORD_OK;
}

const char *
policy_password_reason_code(enum policy_password_reason reason)
{
    switch (reason) {
    case POLICY_PASSWORD_OK:
        return "ok";
    case POLICY_PASSWORD_TOO_SHORT:
        return "too_short";
    case POLICY_PASSWORD_TOO_LONG:
        return "too_long";
    case POLICY_PASSWORD_EQUALS_LOGIN:
        return "equals_login";
    case POLICY_PASSWORD_COMMON:
        return "common";
    case POLICY_PASSWORD_TOO_FEW_CLASSES:
        return "too_few_classes";
    case POLICY_PASSWORD_INVALID_UTF8:
        return "invalid_utf8";
    }
    return "invalid";
}

const char *
policy_password_reason_ja(enum policy_password_reason reason)
{
    switch (reason) {
    case POLICY_PASSWORD_OK:
        return "このパスワードは使用できます。";
    case POLICY_PASSWORD_TOO_SHORT:
        return "パスワードが短すぎます。もっと長いパスワードにしてください。";
    case POLICY_PASSWORD_TOO_LONG:
        return "パスワードが長すぎます。";
    case POLICY_PASSWORD_EQUALS_LOGIN:
        return "ログインIDと同じパスワードは使用できません。";
    case POLICY_PASSWORD_COMMON:
        return "よく使われる推測されやすいパスワードです。別のパスワードにしてください。";
    case POLICY_PASSWORD_TOO_FEW_CLASSES:
        return "英大文字・英小文字・数字・記号などの文字の種類を増やしてください。";
    case POLICY_PASSWORD_INVALID_UTF8:
        return "パスワードに使用できない文字が含まれています。";
    }
    return "このパスワードは使用できません。";
}

const char *
policy_password_reason_en(enum policy_password_reason reason)
{
    switch (reason) {
    case POLICY_PASSWORD_OK:
        return "This password is acceptable.";
    case POLICY_PASSWORD_TOO_SHORT:
        return "The password is too short. Please choose a longer one.";
    case POLICY_PASSWORD_TOO_LONG:
        return "The password is too long.";
    case POLICY_PASSWORD_EQUALS_LOGIN:
        return "The password must not be the same as the login ID.";
    case POLICY_PASSWORD_COMMON:
        return "This password is too common and easy to guess. Please choose another.";
    case POLICY_PASSWORD_TOO_FEW_CLASSES:
        return "Please mix more kinds of characters (upper and lower case letters, digits, symbols).";
    case POLICY_PASSWORD_INVALID_UTF8:
        return "The password contains characters that cannot be used.";
    }
    return "This password cannot be used.";
}
