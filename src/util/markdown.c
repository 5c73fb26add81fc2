/*
 * The notes' Markdown subset (see markdown.h): a line-oriented block parser and an inline
 * span splitter, shared by the body check and the PDF and Word renderers. Everything points
 * into the caller's text; nothing is allocated.
 */
#include "util/markdown.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static size_t
line_end(const char *p)
{
    const char *e = strchr(p, '\n');
    return e ? (size_t)(e - p) : strlen(p);
}

static int
is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

static int
is_fence(const char *p, size_t n)
{
    return n >= 3 && !strncmp(p, "```", 3);
}

static int
is_rule(const char *p, size_t n)
{
    size_t dashes = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '-' || p[i] == '*' || p[i] == '_')
            dashes++;
        else if (p[i] != ' ' && p[i] != '\r')
            return 0;
    }
    return dashes >= 3;
}

static int
heading_level(const char *p, size_t n)
{
    int l = 0;
    while ((size_t)l < n && p[l] == '#')
        l++;
    return l >= 1 && l <= 3 && (size_t)l < n && p[l] == ' ' ? l : 0;
}

/* A list item: its kind, nesting, number and where its text starts; 0 when not one. */
static int
list_item(const char *p, size_t n, enum md_kind *kind, int *level, int *number, size_t *text)
{
    size_t i = 0;
    while (i < n && p[i] == ' ')
        i++;
    *level = (int)(i / 2) > 2 ? 2 : (int)(i / 2);
    if (i + 1 < n && (p[i] == '-' || p[i] == '*' || p[i] == '+') && p[i + 1] == ' ') {
        *kind = MD_BULLET;
        *text = i + 2;
        return 1;
    }
    size_t d = i;
    int num = 0;
    while (d < n && d - i < 4 && isdigit((unsigned char)p[d]))
        num = num * 10 + (p[d++] - '0');
    if (d > i && d + 1 < n && (p[d] == '.' || p[d] == ')') && p[d + 1] == ' ') {
        *kind = MD_NUMBER;
        *number = num;
        *text = d + 2;
        return 1;
    }
    return 0;
}

static int
is_table_row(const char *p, size_t n)
{
    while (n && *p == ' ')
        p++, n--;
    return n > 0 && *p == '|';
}

static int
is_table_sep(const char *p, size_t n)
{
    if (!is_table_row(p, n))
        return 0;
    int dash = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '-')
            dash = 1;
        else if (!strchr("|: \r", p[i]))
            return 0;
    }
    return dash;
}

static int
starts_block(const char *p, size_t n)
{
    enum md_kind k;
    int l, num;
    size_t t;
    return is_blank(p, n) || is_fence(p, n) || heading_level(p, n) || is_rule(p, n) || list_item(p, n, &k, &l, &num, &t) ||
           is_table_row(p, n);
}

int
md_blocks(const char *src, int (*fn)(void *arg, const struct md_block *b), void *arg)
{
    const char *p = src;
    int rc;
    while (*p) {
        size_t n = line_end(p);
        const char *next = p[n] ? p + n + 1 : p + n;
        struct md_block b = {.text = p, .len = n};
        enum md_kind k;
        size_t t;
        if (is_blank(p, n)) {
            b.kind = MD_BLANK;
            b.len = 0;
        } else if (is_fence(p, n)) {
            /* Everything up to the closing fence (or the end) is one code block. */
            const char *start = next, *q = next;
            while (*q) {
                size_t m = line_end(q);
                if (is_fence(q, m))
                    break;
                q = q[m] ? q + m + 1 : q + m;
            }
            b.kind = MD_CODE;
            b.text = start;
            b.len = (size_t)(q - start);
            if (b.len && start[b.len - 1] == '\n')
                b.len--;
            next = *q ? (q[line_end(q)] ? q + line_end(q) + 1 : q + line_end(q)) : q;
        } else if ((b.level = heading_level(p, n)) != 0) {
            b.kind = MD_HEADING;
            b.text = p + b.level + 1;
            b.len = n - (size_t)b.level - 1;
        } else if (is_rule(p, n)) {
            b.kind = MD_RULE;
            b.len = 0;
        } else if (list_item(p, n, &k, &b.level, &b.number, &t)) {
            b.kind = k;
            b.text = p + t;
            b.len = n - t;
        } else if (is_table_row(p, n)) {
            b.kind = MD_TABLE_ROW;
            size_t m = line_end(next);
            if (*next && is_table_sep(next, m)) {
                b.header = 1;
                next = next[m] ? next + m + 1 : next + m;
            } else if (is_table_sep(p, n)) {
                p = next;
                continue;
            }
        } else {
            /* A paragraph runs until a blank line or the start of another block. */
            const char *q = next;
            while (*q) {
                size_t m = line_end(q);
                if (starts_block(q, m))
                    break;
                q = q[m] ? q + m + 1 : q + m;
            }
            b.kind = MD_PARA;
            b.len = (size_t)(q - p);
            while (b.len && (p[b.len - 1] == '\n' || p[b.len - 1] == '\r'))
                b.len--;
            next = q;
        }
        while (b.len && b.text[b.len - 1] == '\r')
            b.len--;
        if ((rc = fn(arg, &b)) != 0)
            return rc;
        p = next;
    }
    return 0;
}

int
md_url_ok(const char *url, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f || url[i] == '"' || url[i] == '\'' || url[i] == '<' || url[i] == '>' ||
            url[i] == '\\')
            return 0;
    if (len >= 8 && !strncasecmp(url, "https://", 8))
        return len > 8;
    if (len >= 7 && !strncasecmp(url, "http://", 7))
        return len > 7;
    if (len >= 7 && !strncasecmp(url, "mailto:", 7))
        return len > 7;
    if (len >= 2 && url[0] == '#' && url[1] == '/')
        return 1;
    return len >= 1 && url[0] == '/' && (len == 1 || url[1] != '/');
}

/* Finds the closing delimiter `d` (dlen bytes) in text[from, len): its offset, or len. */
static size_t
find(const char *text, size_t from, size_t len, const char *d, size_t dlen)
{
    for (size_t i = from; i + dlen <= len; i++)
        if (!memcmp(text + i, d, dlen))
            return i;
    return len;
}

int
md_spans(const char *text, size_t len, int (*fn)(void *arg, const struct md_span *sp), void *arg)
{
    size_t i = 0, plain = 0;
    int rc;
#define FLUSH(upto)                                                                                                                \
    do {                                                                                                                           \
        if ((upto) > plain) {                                                                                                      \
            struct md_span t = {MD_TEXT, text + plain, NULL, (upto)-plain, 0};                                                     \
            if ((rc = fn(arg, &t)) != 0)                                                                                           \
                return rc;                                                                                                         \
        }                                                                                                                          \
    } while (0)
    while (i < len) {
        struct md_span sp = {0};
        size_t end = len, next = 0;
        if (text[i] == '`' && (end = find(text, i + 1, len, "`", 1)) < len) {
            sp = (struct md_span){MD_CODE_SPAN, text + i + 1, NULL, end - i - 1, 0};
            next = end + 1;
        } else if (i + 1 < len && text[i] == '*' && text[i + 1] == '*' && (end = find(text, i + 2, len, "**", 2)) < len &&
                   end > i + 2) {
            sp = (struct md_span){MD_BOLD, text + i + 2, NULL, end - i - 2, 0};
            next = end + 2;
        } else if (text[i] == '*' && i + 1 < len && text[i + 1] != ' ' && (end = find(text, i + 1, len, "*", 1)) < len &&
                   end > i + 1) {
            sp = (struct md_span){MD_ITALIC, text + i + 1, NULL, end - i - 1, 0};
            next = end + 1;
        } else if (text[i] == '[') {
            size_t close = find(text, i + 1, len, "](", 2);
            size_t paren = close < len ? find(text, close + 2, len, ")", 1) : len;
            if (close < len && paren < len && memchr(text + i, '\n', paren - i) == NULL) {
                sp = (struct md_span){MD_LINK, text + i + 1, text + close + 2, close - i - 1, paren - close - 2};
                next = paren + 1;
            }
        }
        if (next) {
            FLUSH(i);
            if ((rc = fn(arg, &sp)) != 0)
                return rc;
            i = plain = next;
        } else {
            i++;
        }
    }
    FLUSH(len);
#undef FLUSH
    return 0;
}

int
md_cells(const char *row, size_t len, const char **cells, size_t *lens, int max)
{
    size_t i = 0;
    while (i < len && row[i] == ' ')
        i++;
    if (i < len && row[i] == '|')
        i++;
    int n = 0;
    while (i < len && n < max) {
        size_t j = i;
        while (j < len && row[j] != '|')
            j++;
        if (j == len && is_blank(row + i, j - i))
            break;
        size_t a = i, b = j;
        while (a < b && row[a] == ' ')
            a++;
        while (b > a && (row[b - 1] == ' ' || row[b - 1] == '\r'))
            b--;
        cells[n] = row + a;
        lens[n] = b - a;
        n++;
        i = j + 1;
    }
    return n;
}

struct check {
    const char *src;
    size_t offset;
};

static int
check_span(void *arg, const struct md_span *sp)
{
    struct check *c = arg;
    if (sp->kind == MD_LINK && !md_url_ok(sp->url, sp->url_len)) {
        c->offset = (size_t)(sp->url - c->src);
        return -2;
    }
    if (sp->kind == MD_CODE_SPAN)
        return 0;
    if (sp->kind == MD_BOLD || sp->kind == MD_ITALIC)
        return md_spans(sp->text, sp->len, check_span, arg);
    for (size_t i = 0; i + 1 < sp->len; i++) {
        char n = sp->text[i + 1];
        if (sp->text[i] == '<' && (isalpha((unsigned char)n) || n == '/' || n == '!' || n == '?')) {
            c->offset = (size_t)(sp->text + i - c->src);
            return -1;
        }
    }
    return 0;
}

static int
check_block(void *arg, const struct md_block *b)
{
    if (b->kind == MD_CODE)
        return 0;
    return md_spans(b->text, b->len, check_span, arg);
}

int
md_check(const char *src, size_t *offset)
{
    struct check c = {src, 0};
    int rc = md_blocks(src, check_block, &c);
    *offset = c.offset;
    return rc;
}
