/*
 * Folded character bigrams for the search index (see searchtok.h).
 */
#include "util/searchtok.h"

#include "util/kana.h"
#include "util/utf8.h"

bool
search_is_word_char(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp <= 0xBF) /* C1 controls, Latin-1 punctuation and symbols */
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
    if (cp == 0xD7 || cp == 0xF7)
        return false;
    if (cp >= 0x2000 && cp <= 0x2BFF) /* general punctuation, arrows, maths, boxes, dingbats */
        return false;
    if (cp >= 0x3000 && cp <= 0x303F) /* CJK punctuation: 、。「」〜 …, but 々 〆 〇 are letters */
        return cp == 0x3005 || cp == 0x3006 || cp == 0x3007;
    if (cp == 0x309B || cp == 0x309C || cp == 0x30FB) /* spacing voiced marks, ・ */
        return false;
    if (cp >= 0xFE30 && cp <= 0xFE6F) /* CJK compatibility forms, small forms */
        return false;
    if (cp >= 0xFF00 && cp <= 0xFF65) /* what is left of full-width punctuation after folding */
        return (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
    if (cp >= 0xFFE0 && cp <= 0xFFFF) /* full-width signs ￥ ￠, specials */
        return false;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) /* emoji and pictographs */
        return false;
    if (cp >= 0xE000 && cp <= 0xF8FF) /* private use */
        return false;
    return true;
}

/* One folded character and the input bytes it came from. */
struct ch {
    uint32_t cp;
    size_t start, end;
};

static size_t
put(char *out, uint32_t a, uint32_t b)
{
    size_t n = utf8_encode(a, out);
    if (b)
        n += utf8_encode(b, out + n);
    return n;
}

int
search_tokenize(const char *text, size_t len, unsigned flags, searchtok_fn fn, void *arg)
{
    struct ch prev = {0, 0, 0}, cur;
    size_t pos = 0, runlen = 0;
    char tok[8];
    int rc;

    for (;;) {
        int end_of_text = pos >= len;
        cur.start = pos;
        cur.cp = end_of_text ? 0 : kana_fold_next(text, len, &pos);
        cur.end = pos;
        if (!end_of_text && search_is_word_char(cur.cp) && cur.cp != 0) {
            if (runlen > 0 && (rc = fn(arg, tok, put(tok, prev.cp, cur.cp), prev.start, cur.end)) != 0)
                return rc;
            prev = cur;
            runlen++;
            continue;
        }
        /* A run ended: its last character alone, so that every character starts a token. A
         * query's last run needs it only when the run is that one character (a prefix). */
        if (runlen > 0) {
            int last_run = (flags & SEARCHTOK_QUERY) && (end_of_text || search_word_chars(text + pos, len - pos) == 0);
            if ((!last_run || runlen == 1) && (rc = fn(arg, tok, put(tok, prev.cp, 0), prev.start, prev.end)) != 0)
                return rc;
        }
        runlen = 0;
        if (end_of_text)
            return 0;
    }
}

size_t
search_last_run_length(const char *text, size_t len)
{
    size_t pos = 0, run = 0, last = 0;
    while (pos < len) {
        uint32_t cp = kana_fold_next(text, len, &pos);
        if (cp != 0 && search_is_word_char(cp)) {
            run++;
            last = run;
        } else {
            run = 0;
        }
    }
    return last;
}

size_t
search_word_chars(const char *text, size_t len)
{
    size_t pos = 0, n = 0;
    while (pos < len) {
        uint32_t cp = kana_fold_next(text, len, &pos);
        n += cp != 0 && search_is_word_char(cp);
    }
    return n;
}
