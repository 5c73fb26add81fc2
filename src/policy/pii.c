/*
 * The personal-information guard's detector: number chains, check digits, and the words around them (see pii.h).
 *
 * The text is read once, code point by code point. A run of digits joined by single separators (spaces,
 * hyphens and their look-alikes) is a "chain"; each chain is judged as a whole (1234-5678-9012 is one
 * number), and a lone group in it is judged on its own only when spaces, not hyphens, set it apart,
 * because "2024 123456789012" is a year and a number while "03-1234-5678" is one phone number. A chain
 * glued to other digits by punctuation (1,234.5, 123456789012-01) or to Latin letters (AB123456789012)
 * is part of something else and never a hit at that end. Words are looked for only around numbers of a
 * shape that matters, in a window of characters read backwards and forwards from the number, so the
 * work per number is bounded by the window (about 0.3 s for a megabyte of nothing but 12-digit numbers
 * with the default window); only the URL state is carried along the way. Everything is on the stack.
 */
#include "policy/pii.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/utf8.h"

/* Room for the window plus the longest word (in code points), so a word that ends in the window fits. */
#define CONTEXT_CAP (PII_MAX_WINDOW + 32)
#define MAX_GROUPS 8
#define MAX_DIGITS 24

enum word_class {
    W_MY_NUMBER,
    W_SUPPRESS,
    W_RESIDENCE,
    W_PENSION,
    W_RESIDENT,
    W_DRIVER,
    W_CARD,
    W_COUNT,
};

/*
 * Words in folded form (see fold()): ASCII lower case, full-width ASCII as ASCII. An ASCII word must not
 * continue a Latin word on its left ("hotel" is not "tel"), nor on its right when whole is set.
 */
static const struct word {
    const char *text;
    enum word_class cls;
    bool whole;
} words[] = {
    {"マイナンバー", W_MY_NUMBER, false},
    {"ﾏｲﾅﾝﾊﾞｰ", W_MY_NUMBER, false},
    {"まいなんばー", W_MY_NUMBER, false},
    {"個人番号", W_MY_NUMBER, false}, /* also 個人番号カード */
    {"通知カード", W_MY_NUMBER, false},
    {"my number", W_MY_NUMBER, false},
    {"mynumber", W_MY_NUMBER, false},
    {"my-number", W_MY_NUMBER, false},
    /* Other meanings of a long number in a city's chat. */
    {"電話", W_SUPPRESS, false},
    {"tel", W_SUPPRESS, true},
    {"phone", W_SUPPRESS, false},
    {"fax", W_SUPPRESS, true},
    {"℡", W_SUPPRESS, false},
    {"☎", W_SUPPRESS, false},
    {"内線", W_SUPPRESS, false},
    {"携帯", W_SUPPRESS, false},
    {"〒", W_SUPPRESS, false},
    {"郵便番号", W_SUPPRESS, false},
    {"注文番号", W_SUPPRESS, false},
    {"発注番号", W_SUPPRESS, false},
    {"伝票番号", W_SUPPRESS, false},
    {"請求書番号", W_SUPPRESS, false},
    {"請求番号", W_SUPPRESS, false},
    {"法人番号", W_SUPPRESS, false},
    {"受付番号", W_SUPPRESS, false},
    {"問合せ番号", W_SUPPRESS, false},
    {"問い合わせ番号", W_SUPPRESS, false},
    {"追跡番号", W_SUPPRESS, false},
    {"管理番号", W_SUPPRESS, false},
    {"文書番号", W_SUPPRESS, false},
    {"契約番号", W_SUPPRESS, false},
    {"お客様番号", W_SUPPRESS, false},
    {"品番", W_SUPPRESS, false},
    {"型番", W_SUPPRESS, false},
    {"jan", W_SUPPRESS, true},
    {"isbn", W_SUPPRESS, true},
    /* The optional kinds' own words. */
    {"在留カード", W_RESIDENCE, false},
    {"在留番号", W_RESIDENCE, false},
    {"residence card", W_RESIDENCE, false},
    {"基礎年金", W_PENSION, false}, /* also 基礎年金番号 */
    {"年金番号", W_PENSION, false},
    {"年金手帳", W_PENSION, false},
    {"住民票コード", W_RESIDENT, false},
    {"住民票番号", W_RESIDENT, false},
    {"運転免許", W_DRIVER, false},
    {"免許証", W_DRIVER, false},
    {"免許番号", W_DRIVER, false},
    {"driver's license", W_DRIVER, false},
    {"driver license", W_DRIVER, false},
    {"driving licence", W_DRIVER, false},
    {"クレジット", W_CARD, false},
    {"クレカ", W_CARD, false},
    {"カード番号", W_CARD, false},
    {"credit card", W_CARD, false},
    {"card number", W_CARD, false},
    {"visa", W_CARD, true},
    {"mastercard", W_CARD, true},
    {"jcb", W_CARD, true},
    {"amex", W_CARD, true},
};

#define N_WORDS (sizeof(words) / sizeof(words[0]))

/* Decodes the code point at s[i]; an invalid byte reads as U+FFFD of length 1. */
static uint32_t
decode_at(const char *s, size_t len, size_t i, size_t *n)
{
    uint32_t cp = 0;
    size_t k = utf8_decode(s + i, len - i, &cp);

    if (k == 0) {
        *n = 1;
        return 0xFFFD;
    }
    *n = k;
    return cp;
}

/* Decodes the code point that ends at s[i] (i > 0) and sets *start to where it begins. */
static uint32_t
decode_before(const char *s, size_t len, size_t i, size_t *start)
{
    size_t j = i - 1, n;
    uint32_t cp;

    while (j > 0 && i - j < 4 && ((unsigned char)s[j] & 0xC0) == 0x80)
        j--;
    cp = decode_at(s, len, j, &n);
    if (j + n != i) {
        *start = i - 1;
        return 0xFFFD;
    }
    *start = j;
    return cp;
}

/* Full-width ASCII as ASCII, the ideographic space as a space, ASCII upper case as lower case. */
static uint32_t
fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E)
        cp -= 0xFEE0;
    else if (cp == 0x3000 || cp == 0x00A0)
        cp = ' ';
    if (cp >= 'A' && cp <= 'Z')
        cp += 'a' - 'A';
    return cp;
}

static bool
is_digit(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

static int
digit_value(uint32_t cp)
{
    return cp >= 0xFF10 ? (int)(cp - 0xFF10) : (int)(cp - '0');
}

static bool
is_latin(uint32_t cp)
{
    cp = fold(cp);
    return cp >= 'a' && cp <= 'z';
}

/*
 * Hyphens and what an IME or a word processor puts in their place: hyphen-minus (also full-width and
 * small), Unicode hyphens and dashes, the minus sign, and the long-vowel marks ー/ｰ that look the same
 * in many Japanese fonts. Wave dashes (〜 ～) are left out: in Japanese they mark a range (10:00～12:00).
 */
static bool
is_hyphen(uint32_t cp)
{
    switch (cp) {
    case '-':
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0x30FC:
    case 0xFE63:
    case 0xFF0D:
    case 0xFF70:
        return true;
    default:
        return false;
    }
}

static bool
is_space(uint32_t cp)
{
    return cp == ' ' || cp == 0x3000 || cp == 0x00A0;
}

/* What may join a number to more digits and make it part of a longer one (decimals, thousands, ids). */
static bool
is_joiner(uint32_t cp)
{
    cp = fold(cp);
    return is_hyphen(cp) || cp == '.' || cp == ',' || cp == '/' || cp == ':' || cp == '_' || cp == '+';
}

/* One group of digits in a chain, with where it sits. */
struct group {
    size_t byte_start, byte_end;
    size_t cp_start;                /* code points from the chain's start; all of a chain is in the BMP */
    size_t cp_len;                  /* digits in the group */
    bool space_before, space_after; /* set apart from its neighbours in the chain by whitespace */
    bool last;                      /* no separator and digit follow */
};

/*
 * Reads the group of digits at s[i], storing up to cap of them as ASCII in digits, and the separator
 * after it when a digit follows that. Returns where the next group starts (when !g->last). g->cp_start
 * and g->space_before are the caller's.
 */
static size_t
read_group(const char *s, size_t len, size_t i, struct group *g, char *digits, size_t cap)
{
    size_t n, n2, count = 0;
    uint32_t cp;

    g->byte_start = i;
    while (i < len && is_digit(cp = decode_at(s, len, i, &n))) {
        if (count < cap)
            digits[count] = (char)('0' + digit_value(cp));
        count++;
        i += n;
    }
    g->byte_end = i;
    g->cp_len = count;
    g->last = true;
    g->space_after = false;
    if (i < len) {
        cp = decode_at(s, len, i, &n);
        if ((is_space(cp) || is_hyphen(cp)) && i + n < len && is_digit(decode_at(s, len, i + n, &n2))) {
            g->last = false;
            g->space_after = is_space(cp);
            return i + n;
        }
    }
    return i;
}

/*
 * A chain: digit groups joined by single separators. Only the first MAX_GROUPS groups are kept, which
 * is enough for every whole-chain shape; scan_chain() walks longer chains again group by group.
 */
struct chain {
    struct group g[MAX_GROUPS];
    size_t n_groups; /* all of them, also beyond MAX_GROUPS */
    size_t n_digits;
    char digits[MAX_DIGITS]; /* ASCII, the first MAX_DIGITS */
    size_t byte_start, byte_end, cp_len;
    /* Glued to more digits by punctuation, or to Latin letters, on the left or the right. */
    bool attached_before, attached_after;
};

/* Reads the chain that starts with the digit at s[i]. */
static void
read_chain(const char *s, size_t len, size_t i, struct chain *c)
{
    struct group g = {0};
    size_t n, cps = 0;

    memset(c, 0, sizeof(*c));
    c->byte_start = i;
    for (;;) {
        char digits[MAX_DIGITS];
        bool space_before = g.space_after;
        size_t next = read_group(s, len, i, &g, digits, MAX_DIGITS);

        g.cp_start = cps;
        g.space_before = c->n_groups > 0 && space_before;
        for (size_t k = 0; k < g.cp_len && c->n_digits + k < MAX_DIGITS; k++)
            c->digits[c->n_digits + k] = digits[k];
        c->n_digits += g.cp_len;
        if (c->n_groups < MAX_GROUPS)
            c->g[c->n_groups] = g;
        c->n_groups++;
        cps += g.cp_len;
        if (g.last) {
            i = next;
            break;
        }
        cps++; /* the separator */
        i = next;
    }
    c->byte_end = i;
    c->cp_len = cps;

    if (c->byte_start > 0) {
        size_t p;
        uint32_t before = decode_before(s, len, c->byte_start, &p);
        if (is_latin(before))
            c->attached_before = true;
        else if (is_joiner(before) && p > 0) {
            size_t p2;
            if (is_digit(decode_before(s, len, p, &p2)))
                c->attached_before = true;
        }
    }
    if (i < len) {
        uint32_t after = decode_at(s, len, i, &n);
        size_t n2;
        if (is_latin(after) || (is_joiner(after) && i + n < len && is_digit(decode_at(s, len, i + n, &n2))))
            c->attached_after = true;
    }
}

/* Where each class of word was found around a span: nearest distance before (-1: none), any after. */
struct context {
    int before[W_COUNT];
    bool after[W_COUNT];
};

/* Matches word (folded UTF-8) against cps[at..n); returns its length in code points, or 0. */
static size_t
match_word(const uint32_t *cps, size_t n, size_t at, const struct word *w)
{
    const char *t = w->text;
    size_t tl = strlen(t), k = 0;

    while (tl > 0) {
        uint32_t wc;
        size_t step = utf8_decode(t, tl, &wc);
        if (step == 0 || at + k >= n || cps[at + k] != wc)
            return 0;
        t += step;
        tl -= step;
        k++;
    }
    if (w->whole) {
        if (at > 0 && cps[at - 1] >= 'a' && cps[at - 1] <= 'z')
            return 0;
        if (at + k < n && cps[at + k] >= 'a' && cps[at + k] <= 'z')
            return 0;
    }
    return k;
}

/*
 * Fills ctx for the span s[start..end). Before: the window's characters ending at start, read
 * backwards. After: those starting at end. A word counts when at most window characters lie between
 * it and the span; a word straddling the span's edge does not.
 */
static void
read_context(const char *s, size_t len, size_t start, size_t end, size_t window, struct context *ctx)
{
    uint32_t cps[CONTEXT_CAP];
    size_t n = 0, cap = window + 32 < CONTEXT_CAP ? window + 32 : CONTEXT_CAP, i;

    uint32_t first[N_WORDS]; /* each word's first character, to skip most positions cheaply */

    for (int c = 0; c < W_COUNT; c++) {
        ctx->before[c] = -1;
        ctx->after[c] = false;
    }
    for (size_t w = 0; w < N_WORDS; w++)
        if (utf8_decode(words[w].text, strlen(words[w].text), &first[w]) == 0)
            first[w] = 0;

    /* Backwards: cps[cap - n .. cap) hold the characters in text order. */
    i = start;
    while (i > 0 && n < cap) {
        size_t p;
        cps[cap - 1 - n] = fold(decode_before(s, len, i, &p));
        n++;
        i = p;
    }
    for (size_t w = 0; w < N_WORDS; w++) {
        const uint32_t *base = cps + (cap - n);
        for (size_t at = 0; at < n; at++) {
            size_t k, gap;
            if (base[at] != first[w] || (k = match_word(base, n, at, &words[w])) == 0)
                continue;
            gap = n - (at + k);
            if (gap <= window && (ctx->before[words[w].cls] < 0 || (int)gap < ctx->before[words[w].cls]))
                ctx->before[words[w].cls] = (int)gap;
        }
    }

    /* Forwards. */
    n = 0;
    i = end;
    while (i < len && n < cap) {
        size_t step;
        cps[n++] = fold(decode_at(s, len, i, &step));
        i += step;
    }
    for (size_t w = 0; w < N_WORDS; w++)
        for (size_t at = 0; at <= window && at < n; at++)
            if (cps[at] == first[w] && match_word(cps, n, at, &words[w]) > 0)
                ctx->after[words[w].cls] = true;
}

/* The nearest word before the span explains the number as something else. */
static bool
suppressed(const struct context *ctx)
{
    int d = ctx->before[W_SUPPRESS];

    if (d < 0)
        return false;
    for (int c = 0; c < W_COUNT; c++)
        if (c != W_SUPPRESS && ctx->before[c] >= 0 && ctx->before[c] <= d)
            return false;
    return true;
}

static bool
has_word(const struct context *ctx, enum word_class c)
{
    return ctx->before[c] >= 0 || ctx->after[c];
}

/*
 * The My Number check digit (番号法施行令 第8条, 総務省令 第85号 第5条): weights 6,5,4,3,2,7,6,5,4,3,2 on
 * the first eleven digits from the left; r = sum mod 11; the check digit is 0 when r <= 1, else 11 - r.
 */
static bool
my_number_valid(const char *d)
{
    static const int weight[11] = {6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int sum = 0, r;

    for (int i = 0; i < 11; i++)
        sum += (d[i] - '0') * weight[i];
    r = sum % 11;
    return d[11] - '0' == (r <= 1 ? 0 : 11 - r);
}

static bool
luhn_valid(const char *d, size_t n)
{
    int sum = 0;

    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

/* The scan's state: the text, the options, and where hits go. */
struct scan {
    const char *s;
    size_t len;
    unsigned kinds;
    size_t window;
    struct pii_hit *hits;
    size_t max, count;
};

static bool
enabled(const struct scan *sc, enum pii_kind kind)
{
    return (sc->kinds & PII_KIND_BIT(kind)) != 0;
}

static void
record(struct scan *sc, enum pii_kind kind, size_t byte_start, size_t byte_end, size_t u16_start, size_t u16_len)
{
    if (sc->count < sc->max)
        sc->hits[sc->count] = (struct pii_hit){kind, u16_start, u16_len, byte_start, byte_end - byte_start};
    sc->count++;
}

/*
 * Judges digits d[0..n) shaped as 12 digits or 4-4-4 (twelve), 10 or 4-6 (pension), 11 (resident code)
 * or 13-19 (card) in the span s[start..end). Returns the kind to report, or 0. The words are read only
 * for a shape that can become a hit.
 */
static enum pii_kind
judge(const struct scan *sc, const char *d, size_t n, bool twelve, bool pension, bool resident, bool card, size_t start, size_t end,
      bool in_url)
{
    struct context ctx;
    bool my_number = twelve && my_number_valid(d);

    if (!my_number && !(twelve && enabled(sc, PII_DRIVER_LICENSE)) && !(pension && enabled(sc, PII_BASIC_PENSION)) &&
        !(resident && enabled(sc, PII_RESIDENT_CODE)) && !(card && enabled(sc, PII_CREDIT_CARD) && luhn_valid(d, n)))
        return 0;
    if (in_url)
        return 0;
    read_context(sc->s, sc->len, start, end, sc->window, &ctx);
    if (suppressed(&ctx))
        return 0;
    if (my_number && has_word(&ctx, W_MY_NUMBER))
        return PII_MY_NUMBER;
    if (twelve && enabled(sc, PII_DRIVER_LICENSE) && has_word(&ctx, W_DRIVER))
        return PII_DRIVER_LICENSE;
    if (my_number)
        return PII_MY_NUMBER_UNCONFIRMED;
    if (pension && enabled(sc, PII_BASIC_PENSION) && has_word(&ctx, W_PENSION))
        return PII_BASIC_PENSION;
    if (resident && enabled(sc, PII_RESIDENT_CODE) && has_word(&ctx, W_RESIDENT))
        return PII_RESIDENT_CODE;
    if (card && enabled(sc, PII_CREDIT_CARD) && has_word(&ctx, W_CARD))
        return PII_CREDIT_CARD;
    return 0;
}

/* Judges a whole chain, then its space-separated groups one by one. u16 is the chain's UTF-16 offset. */
static void
scan_chain(struct scan *sc, const struct chain *c, size_t u16, bool in_url)
{
    const struct group *g = c->g;
    size_t ng = c->n_groups, i = c->byte_start, cps = 0;
    bool all_four = ng == 3 && g[0].cp_len == 4 && g[1].cp_len == 4 && g[2].cp_len == 4;
    bool twelve = (ng == 1 && c->n_digits == 12) || all_four;
    bool pension = (ng == 1 && c->n_digits == 10) || (ng == 2 && g[0].cp_len == 4 && g[1].cp_len == 6);
    bool resident = ng == 1 && c->n_digits == 11;
    bool card = c->n_digits >= 13 && c->n_digits <= 19 && ng <= MAX_GROUPS;
    struct group cur = {0};
    enum pii_kind kind;

    if (!c->attached_before && !c->attached_after) {
        kind = judge(sc, c->digits, c->n_digits, twelve, pension, resident, card, c->byte_start, c->byte_end, in_url);
        if (kind != 0) {
            record(sc, kind, c->byte_start, c->byte_end, u16, c->cp_len);
            return;
        }
    }
    if (ng < 2)
        return;
    /* Read again rather than kept: a list of numbers separated by spaces can be as long as the text. */
    for (size_t k = 0; k < ng; k++) {
        char digits[12];
        bool space_before = k > 0 && cur.space_after;
        size_t next = read_group(sc->s, sc->len, i, &cur, digits, sizeof(digits));
        size_t n = cur.cp_len;
        bool alone = (k == 0 || space_before) && (cur.last || cur.space_after);
        bool glued = (k == 0 && c->attached_before) || (cur.last && c->attached_after);

        if (alone && !glued && n >= 10 && n <= 12) {
            kind = judge(sc, digits, n, n == 12, n == 10, n == 11, false, cur.byte_start, cur.byte_end, k == 0 && in_url);
            if (kind != 0)
                record(sc, kind, cur.byte_start, cur.byte_end, u16 + cps, n);
        }
        cps += n + 1;
        if (cur.last)
            break;
        i = next;
    }
}

/* A 在留カード番号 at s[i]: two letters, eight digits, two letters, not inside a longer word. */
static bool
residence_card_at(const char *s, size_t len, size_t i, size_t *end, size_t *cps)
{
    size_t n;

    for (int k = 0; k < 12; k++) {
        uint32_t cp;
        if (i >= len)
            return false;
        cp = decode_at(s, len, i, &n);
        if ((k < 2 || k >= 10) ? !is_latin(cp) : !is_digit(cp))
            return false;
        i += n;
    }
    if (i < len) {
        uint32_t cp = decode_at(s, len, i, &n);
        if (is_latin(cp) || is_digit(cp))
            return false;
    }
    *end = i;
    *cps = 12;
    return true;
}

size_t
pii_scan(const char *utf8, size_t len, const struct pii_options *opt, struct pii_hit *hits, size_t max)
{
    struct scan sc = {utf8, len, 0, PII_DEFAULT_WINDOW, hits, hits != NULL ? max : 0, 0};
    size_t i = 0, u16 = 0, skip_until = 0;
    uint32_t prev = 0;
    bool in_url = false;

    if (utf8 == NULL)
        return 0;
    if (opt != NULL) {
        sc.kinds = opt->kinds & PII_OPTIONAL_KINDS;
        if (opt->window != 0)
            sc.window = opt->window < PII_MAX_WINDOW ? opt->window : PII_MAX_WINDOW;
    }
    while (i < len) {
        size_t n;
        uint32_t cp = decode_at(utf8, len, i, &n);

        /* A URL runs from http:// or https:// to the first character that cannot be in one unescaped. */
        if (cp <= 0x20 || cp >= 0x7F)
            in_url = false;
        else if (cp == '/' && ((i >= 6 && strncasecmp(utf8 + i - 6, "http:/", 6) == 0) ||
                               (i >= 7 && strncasecmp(utf8 + i - 7, "https:/", 7) == 0)))
            in_url = true;

        if (i >= skip_until) {
            if (is_digit(cp) && !is_digit(prev)) {
                struct chain c;
                read_chain(utf8, len, i, &c);
                scan_chain(&sc, &c, u16, in_url);
                skip_until = c.byte_end;
            } else if (enabled(&sc, PII_RESIDENCE_CARD) && is_latin(cp) && !is_latin(prev) && !is_digit(prev)) {
                size_t end, cps;
                struct context ctx;
                if (residence_card_at(utf8, len, i, &end, &cps) && !in_url) {
                    read_context(utf8, len, i, end, sc.window, &ctx);
                    if (!suppressed(&ctx) && has_word(&ctx, W_RESIDENCE))
                        record(&sc, PII_RESIDENCE_CARD, i, end, u16, cps);
                    skip_until = end;
                }
            }
        }
        u16 += cp >= 0x10000 ? 2 : 1;
        prev = cp;
        i += n;
    }
    return sc.count;
}

static const struct {
    const char *code, *ja, *en;
} kind_names[] = {
    [PII_MY_NUMBER] = {"my_number", "マイナンバー（個人番号）", "My Number (Individual Number)"},
    [PII_MY_NUMBER_UNCONFIRMED] = {"my_number_unconfirmed", "マイナンバー（個人番号）の可能性がある番号",
                                   "Possible My Number (Individual Number)"},
    [PII_RESIDENCE_CARD] = {"residence_card", "在留カード番号", "Residence card number"},
    [PII_BASIC_PENSION] = {"basic_pension_number", "基礎年金番号", "Basic pension number"},
    [PII_RESIDENT_CODE] = {"resident_record_code", "住民票コード", "Resident record code"},
    [PII_DRIVER_LICENSE] = {"driver_license", "運転免許証番号", "Driver's license number"},
    [PII_CREDIT_CARD] = {"credit_card", "クレジットカード番号", "Credit card number"},
};

static bool
known(enum pii_kind kind)
{
    return (int)kind >= PII_MY_NUMBER && (int)kind <= PII_KIND_MAX;
}

const char *
pii_kind_code(enum pii_kind kind)
{
    return known(kind) ? kind_names[kind].code : "unknown";
}

enum pii_kind
pii_kind_from_code(const char *code, size_t len)
{
    if (code == NULL)
        return 0;
    for (int k = PII_MY_NUMBER; k <= PII_KIND_MAX; k++)
        if (strlen(kind_names[k].code) == len && memcmp(kind_names[k].code, code, len) == 0)
            return (enum pii_kind)k;
    return 0;
}

const char *
pii_kind_name_ja(enum pii_kind kind)
{
    return known(kind) ? kind_names[kind].ja : "個人情報";
}

const char *
pii_kind_name_en(enum pii_kind kind)
{
    return known(kind) ? kind_names[kind].en : "Personal information";
}
