/*
 * The Markdown subset of notes (docs/api.md, "Note bodies"): headings (#, ##, ###), paragraphs
 * whose line breaks are kept, bulleted (- or *) and numbered (1.) lists nested by two spaces,
 * tables (| a | b | with a |---| line under the header), rules (---) and fenced code (```);
 * inside a line **bold**, *italic*, `code` and [text](url). No raw HTML: a body is checked by
 * md_check before it is stored, and every renderer (the web client, PDF, Word) escapes text.
 */
#ifndef KAIRAN_UTIL_MARKDOWN_H
#define KAIRAN_UTIL_MARKDOWN_H

#include <stddef.h>

enum md_kind { MD_HEADING, MD_PARA, MD_BULLET, MD_NUMBER, MD_TABLE_ROW, MD_RULE, MD_CODE, MD_BLANK };

struct md_block {
    enum md_kind kind;
    int level;  /* heading 1–3; list nesting 0–2 */
    int number; /* a numbered item's number */
    int header; /* a table's header row */
    const char *text;
    size_t len; /* the block's text (a paragraph's lines joined by '\n'; a code block's lines) */
};

/* Calls fn for each block of src in order; fn returning non-zero stops (that value returned). */
int md_blocks(const char *src, int (*fn)(void *arg, const struct md_block *b), void *arg);

enum md_span_kind { MD_TEXT, MD_BOLD, MD_ITALIC, MD_CODE_SPAN, MD_LINK };

struct md_span {
    enum md_span_kind kind;
    const char *text, *url;
    size_t len, url_len;
};

/* Splits a line of text into spans; fn returning non-zero stops. */
int md_spans(const char *text, size_t len, int (*fn)(void *arg, const struct md_span *sp), void *arg);

/* Splits a table row "| a | b |" into at most max cells (start, length); returns the count. */
int md_cells(const char *row, size_t len, const char **cells, size_t *lens, int max);

/* 1 if a link target is allowed: http(s), mailto, or within Kairan ("#/…", "/…"). */
int md_url_ok(const char *url, size_t len);

/* Checks a body: 0 when it may be stored; else -1 with *offset (bytes) of the first raw HTML
 * tag, or -2 with the offset of the first link whose target is not allowed. */
int md_check(const char *src, size_t *offset);

#endif
