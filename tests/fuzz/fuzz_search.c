/*
 * libFuzzer target for src/util/searchtok.c and src/util/searchq.c: arbitrary bytes as a search
 * query (GET /api/v1/search?q=) or as a message being indexed.
 *
 * Checks that every token is 1–2 folded characters (at most 8 bytes) of valid UTF-8 whose
 * source range lies inside the input and moves forward, that the query tokenizer gives a
 * subset of the document tokenizer's token count plus one, and that the parser either fails
 * with a reason or gives terms that are non-empty and within the stated limits.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/searchq.h"
#include "util/searchtok.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct check {
    size_t len, last_start, n;
};

static int
on_token(void *arg, const char *tok, size_t toklen, size_t start, size_t end)
{
    struct check *c = arg;
    assert(toklen >= 1 && toklen <= 8);
    assert(utf8_valid(tok, toklen));
    assert(utf8_count_codepoints(tok, toklen) <= 2);
    assert(start < end && end <= c->len);
    assert(c->n == 0 || start >= c->last_start);
    c->last_start = start;
    c->n++;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct check doc = {size, 0, 0}, query = {size, 0, 0};
    assert(search_tokenize(in, size, 0, on_token, &doc) == 0);
    assert(search_tokenize(in, size, SEARCHTOK_QUERY, on_token, &query) == 0);
    assert(query.n <= doc.n);
    /* Every character of a run starts one document token. */
    assert(doc.n == search_word_chars(in, size));

    if (utf8_valid(in, size)) {
        struct searchq q;
        const char *ja = NULL, *en = NULL;
        if (searchq_parse(in, size, &q, &ja, &en) == 0) {
            assert(q.nterms <= SEARCHQ_MAX_TERMS);
            assert(searchq_positive(&q) >= 1);
            for (size_t i = 0; i < q.nterms; i++)
                assert(q.terms[i].text != NULL && q.terms[i].text[0] != '\0');
            searchq_free(&q);
        } else {
            assert(ja != NULL && en != NULL);
        }
    }
    return 0;
}
