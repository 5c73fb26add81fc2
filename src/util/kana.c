/*
 * Kana and width folding for search keys (see kana.h).
 *
 * The fold runs in two passes over code points. The first maps everything into one script,
 * katakana, because half-width input is katakana and the voiced-mark compositions are
 * defined once there (ｶ+ﾞ, か+U+3099 and カ+U+3099 all meet at ガ). The second pass turns
 * katakana into hiragana while encoding, so the composition table is not needed twice.
 */
#include "util/kana.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/utf8.h"

/* U+FF61..U+FF9D (halfwidth punctuation and katakana) to their full-width forms. */
static const uint16_t halfwidth_kana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC,
    0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF,
    0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF,
    0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3,
};

#define MARK_VOICED 0x3099     /* COMBINING KATAKANA-HIRAGANA VOICED SOUND MARK */
#define MARK_SEMIVOICED 0x309A /* COMBINING KATAKANA-HIRAGANA SEMI-VOICED SOUND MARK */
#define SPACING_VOICED 0x309B  /* what a ﾞ with nothing to attach to becomes */
#define SPACING_SEMIVOICED 0x309C

static bool
is_space(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x3000 || cp == 0x00A0;
}

static bool
is_control(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/*
 * Maps one code point into the first pass's space: ASCII lower case, full-width katakana.
 * Marks from half-width input come back as the combining marks so one rule composes both.
 */
static uint32_t
fold_one(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp = cp - 0xFF01 + 0x21;
    if (cp >= 'A' && cp <= 'Z')
        return cp + ('a' - 'A');
    if (cp >= 0xFF61 && cp <= 0xFF9D)
        return halfwidth_kana[cp - 0xFF61];
    if (cp == 0xFF9E)
        return MARK_VOICED;
    if (cp == 0xFF9F)
        return MARK_SEMIVOICED;
    /* Hiragana ぁ..ゖ sit exactly 0x60 below katakana ァ..ヶ; ゝゞ pair with ヽヾ. */
    if (cp >= 0x3041 && cp <= 0x3096)
        return cp + 0x60;
    if (cp == 0x309D || cp == 0x309E)
        return cp + 0x60;
    return cp;
}

/* Returns the katakana that base + mark composes to, or 0 when they do not compose. */
static uint32_t
compose(uint32_t base, uint32_t mark)
{
    /* カ..ト and ハ..ホ: the voiced form is the next code point, the semi-voiced the one after. */
    static const uint16_t voiceable[] = {0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,
                                         0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB};

    if (mark == MARK_SEMIVOICED)
        return base >= 0x30CF && base <= 0x30DB && (base - 0x30CF) % 3 == 0 ? base + 2 : 0;
    for (size_t i = 0; i < sizeof(voiceable) / sizeof(voiceable[0]); i++)
        if (voiceable[i] == base)
            return base + 1;
    switch (base) {
    case 0x30A6: /* ウ → ヴ */
        return 0x30F4;
    case 0x30EF: /* ワ ヰ ヱ ヲ → ヷ ヸ ヹ ヺ */
    case 0x30F0:
    case 0x30F1:
    case 0x30F2:
        return base - 0x30EF + 0x30F7;
    case 0x30FD: /* ヽ → ヾ */
        return 0x30FE;
    default:
        return 0;
    }
}

/* Katakana to hiragana where hiragana has the letter (ァ..ヶ, ヽヾ). */
static uint32_t
to_hiragana(uint32_t cp)
{
    if ((cp >= 0x30A1 && cp <= 0x30F6) || cp == 0x30FD || cp == 0x30FE)
        return cp - 0x60;
    return cp;
}

int
kana_fold(const char *in, size_t len, char **out)
{
    uint32_t *cps = NULL;
    char *res = NULL;
    size_t n = 0, i = 0, o = 0;
    int rc;

    *out = NULL;
    if (!utf8_valid(in, len)) {
        rc = -EINVAL;
        goto fail;
    }
    /* The output never has more code points than the input has bytes, nor bytes than 4 per code point. */
    if (len > SIZE_MAX / 4 - 1 || (cps = malloc((len + 1) * sizeof(*cps))) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    while (i < len) {
        uint32_t cp = 0;
        i += utf8_decode(in + i, len - i, &cp);
        if (is_space(cp)) {
            /* Collapse runs and drop leading spaces; a trailing one is trimmed below. */
            if (n > 0 && cps[n - 1] != ' ')
                cps[n++] = ' ';
            continue;
        }
        if (is_control(cp))
            continue;
        cp = fold_one(cp);
        if (cp == MARK_VOICED || cp == MARK_SEMIVOICED) {
            uint32_t c = n > 0 ? compose(cps[n - 1], cp) : 0;
            if (c != 0) {
                cps[n - 1] = c;
                continue;
            }
            cp = cp == MARK_VOICED ? SPACING_VOICED : SPACING_SEMIVOICED;
        }
        cps[n++] = cp;
    }
    if (n > 0 && cps[n - 1] == ' ')
        n--;

    if ((res = malloc(n * 4 + 1)) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    for (size_t k = 0; k < n; k++)
        o += utf8_encode(to_hiragana(cps[k]), res + o);
    res[o] = '\0';
    *out = res;
    res = NULL;
    rc = 0;
fail:
    free(cps);
    free(res);
    return rc;
}

uint32_t
kana_fold_next(const char *s, size_t len, size_t *pos)
{
    uint32_t cp = 0, next = 0;
    size_t n;

    if (*pos >= len)
        return 0;
    if ((n = utf8_decode(s + *pos, len - *pos, &cp)) == 0) {
        (*pos)++;
        return 0;
    }
    *pos += n;
    cp = fold_one(cp);
    if (cp == MARK_VOICED || cp == MARK_SEMIVOICED)
        return cp == MARK_VOICED ? SPACING_VOICED : SPACING_SEMIVOICED;
    /* A mark belongs to the letter before it: look one code point ahead. */
    if ((n = utf8_decode(s + *pos, len - *pos, &next)) != 0) {
        uint32_t mark = fold_one(next);
        if (mark == MARK_VOICED || mark == MARK_SEMIVOICED) {
            uint32_t c = compose(cp, mark);
            if (c != 0) {
                cp = c;
                *pos += n;
            }
        }
    }
    return to_hiragana(cp);
}
