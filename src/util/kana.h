/*
 * Search-key folding for Japanese names: すずき, スズキ, ｽｽﾞｷ and ＳＵＺＵＫＩ/suzuki match.
 *
 * The result is only ever a key to compare or index, never text to show: store names as
 * typed and fold both the stored reading and the query with kana_fold() (JAPAN-NOTES.md,
 * "Japanese search"). It is deliberately narrower than NFKC: it leaves kanji, ㈱ and other
 * compatibility characters alone and touches only width, ASCII case, kana script and spaces.
 */
#ifndef KAIRAN_UTIL_KANA_H
#define KAIRAN_UTIL_KANA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Folds UTF-8 in[0..len) into a search key:
 *   - full-width ASCII (U+FF01..U+FF5E) becomes ASCII, then A-Z becomes a-z;
 *   - half-width katakana becomes full-width, and a following ﾞ/ﾟ (or a combining
 *     U+3099/U+309A) is composed into the voiced kana (ｶﾞ → ガ, ﾊﾟ → パ, ｳﾞ → ヴ);
 *   - katakana becomes hiragana where hiragana has the letter (ヷ..ヺ stay katakana);
 *   - U+3000, U+00A0 and ASCII whitespace become a space; runs of spaces collapse into
 *     one, and leading and trailing spaces are dropped; other control characters vanish.
 * On success returns 0 and stores in *out a malloc'd NUL-terminated string that the
 * caller frees. Returns -EINVAL when in is not valid UTF-8 and -ENOMEM when allocation
 * fails; *out is then NULL. in may be NULL when len is 0.
 */
int kana_fold(const char *in, size_t len, char **out);

/*
 * The same fold one code point at a time, for tokenizers that must know where each folded
 * character came from. Decodes the code point at s[*pos], composes a following voiced or
 * semi-voiced mark into it (ｶﾞ → が) and advances *pos past what it used. Spaces and
 * controls come back unchanged (the caller decides what separates words). Returns the
 * folded code point, or 0 at the end of s or on an invalid byte (then *pos moves one byte).
 */
uint32_t kana_fold_next(const char *s, size_t len, size_t *pos);

#endif
