/*
 * libFuzzer target for src/util/kana.c: arbitrary bytes as a search query or a name.
 *
 * Checks that the fold accepts exactly valid UTF-8, that keys come out valid UTF-8 with no
 * ASCII upper case, no control characters and single inner spaces only, and that folding a
 * key again changes nothing (otherwise stored keys and query keys could disagree).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/kana.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *out = NULL, *again = NULL;
    size_t n;
    int rc = kana_fold(in, size, &out);

    if (!utf8_valid(in, size)) {
        assert(rc == -EINVAL && out == NULL);
        return 0;
    }
    assert(rc == 0 && out != NULL);
    n = strlen(out);
    assert(utf8_valid(out, n));
    assert(!utf8_has_controls(out, n, 0));
    assert(utf8_count_codepoints(out, n) <= utf8_count_codepoints(in, size));
    if (n > 0)
        assert(out[0] != ' ' && out[n - 1] != ' ');
    assert(strstr(out, "  ") == NULL);
    for (size_t i = 0; i < n; i++)
        assert(!(out[i] >= 'A' && out[i] <= 'Z'));
    assert(kana_fold(out, n, &again) == 0);
    assert(strcmp(out, again) == 0);
    free(out);
    free(again);
    return 0;
}
