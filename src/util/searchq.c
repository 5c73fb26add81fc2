/*
 * The search query parser (see searchq.h).
 */
#include "util/searchq.h"

#include "util/utf8.h"
#include "util/xmalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(ja, en)                                                                                                               \
    do {                                                                                                                           \
        *why_ja = ja;                                                                                                              \
        *why_en = en;                                                                                                              \
        goto fail;                                                                                                                 \
    } while (0)

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int
searchq_date(const char *s, size_t len, int64_t *ms)
{
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (size_t i = 0; i < len; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    /* By hand: s is a slice of the query, not NUL-terminated, so atoi() could read past it. */
    unsigned y = 0, m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0'),
             d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
    for (int i = 0; i < 4; i++)
        y = y * 10 + (unsigned)(s[i] - '0');
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return -1;
    *ms = (days_from_civil(y, m, d) * 86400 - 9 * 3600) * 1000;
    return 0;
}

/* Spaces between words: ASCII white space and the ideographic space U+3000. */
static size_t
space_at(const char *q, size_t len, size_t i)
{
    if (q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r')
        return 1;
    if (len - i >= 3 && (unsigned char)q[i] == 0xE3 && (unsigned char)q[i + 1] == 0x80 && (unsigned char)q[i + 2] == 0x80)
        return 3;
    return 0;
}

/* A double quote: ASCII " or the full-width ＂ (U+FF02) that Japanese input methods type. */
static size_t
quote_at(const char *q, size_t len, size_t i)
{
    if (q[i] == '"')
        return 1;
    if (len - i >= 3 && (unsigned char)q[i] == 0xEF && (unsigned char)q[i + 1] == 0xBC && (unsigned char)q[i + 2] == 0x82)
        return 3;
    return 0;
}

/* Returns the filter word's length when word starts with one (letters then ':'), else 0. */
static size_t
filter_prefix(const char *w, size_t n)
{
    size_t i = 0;
    while (i < n && ((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z')))
        i++;
    /* "https://…" is a word to look for, not a filter. */
    if (i == 0 || i >= n || w[i] != ':' || (i + 1 < n && w[i + 1] == '/'))
        return 0;
    return i;
}

static bool
word_is(const char *w, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(w, name, n) == 0;
}

int
searchq_parse(const char *q, size_t len, struct searchq *out, const char **why_ja, const char **why_en)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0, k;
    /* A NUL would cut a term short, and other controls have no business in a query. */
    if (utf8_has_controls(q, len, UTF8_ALLOW_TAB | UTF8_ALLOW_NEWLINE))
        FAIL("検索語に使えない文字があります", "the query holds invalid characters");
    if (utf8_count_codepoints(q, len) > SEARCHQ_MAX_CHARS)
        FAIL("検索語が長すぎます（256文字まで）", "the query is too long (at most 256 characters)");
    while (i < len) {
        if ((k = space_at(q, len, i)) != 0) {
            i += k;
            continue;
        }
        int negated = 0;
        if (q[i] == '-' && i + 1 < len && !space_at(q, len, i + 1)) {
            negated = 1;
            i++;
        }
        const char *w;
        size_t n;
        int phrase = 0;
        if ((k = quote_at(q, len, i)) != 0) {
            size_t j = i + k, e = 0;
            while (j < len && (e = quote_at(q, len, j)) == 0)
                j++;
            if (j >= len)
                FAIL("引用符（\"）が閉じていません", "unbalanced quotes: a \" is not closed");
            w = q + i + k;
            n = j - (i + k);
            i = j + e;
            phrase = 1;
        } else {
            size_t j = i;
            while (j < len && !space_at(q, len, j) && !quote_at(q, len, j))
                j++;
            w = q + i;
            n = j - i;
            i = j;
            size_t f = filter_prefix(w, n);
            if (f != 0 && !negated) {
                const char *v = w + f + 1;
                size_t vn = n - f - 1;
                if (vn == 0)
                    FAIL("絞り込み語に値がありません（例: from:suzuki）", "a filter word has no value (e.g. from:suzuki)");
                if (word_is(w, f, "from")) {
                    free(out->from);
                    out->from = xstrndup(v, vn);
                } else if (word_is(w, f, "in")) {
                    free(out->in);
                    out->in = xstrndup(v, vn);
                } else if (word_is(w, f, "before") || word_is(w, f, "after")) {
                    int64_t ms;
                    if (searchq_date(v, vn, &ms) != 0)
                        FAIL("日付は YYYY-MM-DD で指定してください", "a date filter must be a date as YYYY-MM-DD");
                    if (w[0] == 'b' || w[0] == 'B')
                        out->before_ms = ms;
                    else
                        out->after_ms = ms;
                } else if (word_is(w, f, "has")) {
                    if (!word_is(v, vn, "file"))
                        FAIL("has: に使えるのは file だけです", "has: takes only file");
                    out->has_file = 1;
                } else if (word_is(w, f, "tag")) {
                    static const char *const tags[][2] = {
                        {"question", "質問"}, {"opinion", "意見"}, {"answer", "回答"}, {"decision", "決定"}, {"action", "宿題"}};
                    out->tag = NULL;
                    for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
                        if (word_is(v, vn, tags[k][0]) || (vn == strlen(tags[k][1]) && !memcmp(v, tags[k][1], vn)))
                            out->tag = tags[k][0];
                    if (out->tag == NULL)
                        FAIL("tag: に使えるのは 質問・意見・回答・決定・宿題 です",
                             "tag: takes question, opinion, answer, decision or action");
                } else {
                    FAIL("知らない絞り込み語です（from: in: before: after: has: tag: が使えます）",
                         "unknown filter word (from:, in:, before:, after:, has: and tag: are known)");
                }
                continue;
            }
        }
        if (n == 0)
            continue;
        if (out->nterms == SEARCHQ_MAX_TERMS)
            FAIL("検索語が多すぎます（16語まで）", "too many words (at most 16)");
        struct searchq_term *t = &out->terms[out->nterms++];
        t->text = xstrndup(w, n);
        t->negated = negated;
        t->phrase = phrase;
    }
    if (out->nterms == 0 && !out->from && !out->in && !out->has_file && !out->after_ms && !out->before_ms && !out->tag)
        FAIL("検索語が空です", "the query is empty");
    /* Filters and exclusions narrow a search; they cannot be one (that would be a scan). */
    if (searchq_positive(out) == 0)
        FAIL("探す語を一つ以上入れてください", "the query needs at least one word to look for");
    return 0;
fail:
    searchq_free(out);
    return -1;
}

size_t
searchq_positive(const struct searchq *q)
{
    size_t n = 0;
    for (size_t i = 0; i < q->nterms; i++)
        n += !q->terms[i].negated;
    return n;
}

void
searchq_free(struct searchq *q)
{
    for (size_t i = 0; i < q->nterms; i++)
        free(q->terms[i].text);
    free(q->from);
    free(q->in);
    memset(q, 0, sizeof(*q));
}
