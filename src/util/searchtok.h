/*
 * Search tokens for Japanese and mixed text: folded, overlapping character bigrams.
 *
 * Japanese has no spaces between words, so a word index cannot find 会議 inside
 * 「来週の会議資料を共有します」. Instead the text is cut into runs of word characters
 * (punctuation, symbols and spaces separate runs), each character is folded as kana_fold()
 * folds it (width, case, katakana → hiragana, ｶﾞ → が), and every run yields its overlapping
 * bigrams followed by its last character alone:
 *
 *     会議資料 → 会議 議資 資料 料        ABC → ab bc c        の → の
 *
 * Every character of a run thus starts exactly one token, so a one-character query is a
 * prefix query and a query of n ≥ 2 characters is the phrase of its n-1 bigrams. Query text
 * is tokenized the same way except that the last run gives only its bigrams (or its single
 * character, to be matched as a prefix): see search_tokenize().
 *
 * Pure: no I/O, no allocation. Invalid UTF-8 bytes separate runs.
 */
#ifndef KAIRAN_UTIL_SEARCHTOK_H
#define KAIRAN_UTIL_SEARCHTOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tokenize as a query: the last run gives no trailing single character (unless it is one). */
#define SEARCHTOK_QUERY 0x1

/*
 * Called for each token: tok[0..toklen) is the folded token (UTF-8, at most 8 bytes, not
 * NUL-terminated); [start, end) are the bytes of the input it came from. A non-zero return
 * stops the tokenizer, which returns that value.
 */
typedef int (*searchtok_fn)(void *arg, const char *tok, size_t toklen, size_t start, size_t end);

/* Tokenizes text[0..len) (flags: SEARCHTOK_QUERY or 0). Returns 0, or what fn returned. */
int search_tokenize(const char *text, size_t len, unsigned flags, searchtok_fn fn, void *arg);

/* True when folded code point cp is part of a word (letters, digits, kana, kanji, ー, 々). */
bool search_is_word_char(uint32_t cp);

/* Length in characters of the last run of word characters in text (0 when it has none). */
size_t search_last_run_length(const char *text, size_t len);

/* Number of word characters in text: 0 means nothing in it can be searched. */
size_t search_word_chars(const char *text, size_t len);

#endif
