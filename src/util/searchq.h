/*
 * The search box's little language, parsed into an engine-neutral query.
 *
 *   会議 資料          both words (AND), each found anywhere inside a sentence
 *   "来週の会議"        a phrase: the characters in this order
 *   -中止              leave out what contains the word (or -"a phrase")
 *   from:suzuki        sent by this login (or user id)
 *   in:総務課           in this room (its name, or its id)
 *   before:2026-11-30  sent before that day began (Japan time)
 *   after:2026-11-01   sent on that day or later
 *   has:file           carries a file
 *   tag:決定            tagged 質問 / 意見 / 回答 / 決定 / 宿題 (or the codes question … action)
 *
 * Pure: no I/O. The store turns the terms into its engine's syntax (FTS5 MATCH today), so
 * the user's text never reaches an engine's own query language unescaped.
 */
#ifndef KAIRAN_UTIL_SEARCHQ_H
#define KAIRAN_UTIL_SEARCHQ_H

#include <stddef.h>
#include <stdint.h>

#define SEARCHQ_MAX_CHARS 256 /* a query's length in characters */
#define SEARCHQ_MAX_TERMS 16  /* words and phrases, including excluded ones */

struct searchq_term {
    char *text; /* as typed (malloc'd); the store folds it with the index's tokenizer */
    int negated;
    int phrase;
};

struct searchq {
    struct searchq_term terms[SEARCHQ_MAX_TERMS];
    size_t nterms;
    char *from, *in;             /* malloc'd filter values, or NULL */
    int64_t after_ms, before_ms; /* 0: no bound */
    int has_file;
    const char *tag; /* tag:決定 (or tag:decision): the meeting tag's code, or NULL */
};

/*
 * Parses q[0..len) (valid UTF-8) into *out. Returns 0, or -1 with *why_ja and *why_en set to
 * a static sentence naming the problem (empty, too long, control characters, unbalanced
 * quotes, unknown filter word, a date that is not a date, too many words); *out is then
 * already freed.
 */
int searchq_parse(const char *q, size_t len, struct searchq *out, const char **why_ja, const char **why_en);
void searchq_free(struct searchq *q);

/* Parses YYYY-MM-DD as the start of that day in Japan (UTC+9), in ms: 0, or -1 if not a date. */
int searchq_date(const char *s, size_t len, int64_t *ms);

/* Number of positive (not excluded) terms. */
size_t searchq_positive(const struct searchq *q);

#endif
