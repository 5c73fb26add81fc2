/*
 * libFuzzer target for src/util/markdown.c: arbitrary note bodies. Every block and span must
 * lie inside the input, and a body the check accepts must have no link the renderers would
 * refuse — the promise the web client, PDF and Word renderers rely on.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *base;
static size_t total;
static int accepted;

static int
span(void *arg, const struct md_span *sp)
{
    assert(sp->text >= base && sp->text + sp->len <= base + total);
    if (sp->kind == MD_LINK) {
        assert(sp->url >= base && sp->url + sp->url_len <= base + total);
        if (accepted)
            assert(md_url_ok(sp->url, sp->url_len));
    }
    return 0;
}

static int
block(void *arg, const struct md_block *b)
{
    assert(b->text >= base && b->text + b->len <= base + total);
    const char *cells[16];
    size_t lens[16];
    if (b->kind == MD_TABLE_ROW) {
        int n = md_cells(b->text, b->len, cells, lens, 16);
        for (int i = 0; i < n; i++)
            assert(cells[i] >= b->text && cells[i] + lens[i] <= b->text + b->len);
    }
    if (b->kind != MD_CODE)
        md_spans(b->text, b->len, span, NULL);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    base = s;
    total = strlen(s);
    size_t off = 0;
    accepted = md_check(s, &off) == 0;
    if (!accepted)
        assert(off <= total);
    md_blocks(s, block, NULL);
    free(s);
    return 0;
}
