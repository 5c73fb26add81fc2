/*
 * Measures the personal-information guard's false positives on tests/pii-corpus/corpus.txt.
 *
 * The corpus is non-PII municipal chat (see make-corpus.mjs), one message a line, so every hit is a
 * false positive. A line that would be blocked (PII_MY_NUMBER) fails the test: a city cannot live with
 * a guard that refuses ordinary work messages. Confirmations (PII_MY_NUMBER_UNCONFIRMED) are expected
 * for about one in ten 12-digit numbers without a keyword, because that is the check digit's rate; they
 * are reported, with the optional kinds' hits (all kinds are on here), and never fail the run.
 * Usage: pii-fp-rate corpus.txt [-v]   (-v prints each line that had a hit, masked, with its kinds)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/pii.h"

#define LINE_MAX_BYTES 4096
#define HITS_MAX 16

int
main(int argc, char **argv)
{
    struct pii_options opt = {.kinds = PII_OPTIONAL_KINDS};
    size_t lines = 0, blocked = 0, confirm = 0, optional = 0;
    bool verbose = argc > 2 && strcmp(argv[2], "-v") == 0;
    char line[LINE_MAX_BYTES];
    FILE *f;

    if (argc < 2) {
        fprintf(stderr, "usage: %s corpus.txt [-v]\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "r");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        struct pii_hit hits[HITS_MAX];
        size_t len = strcspn(line, "\n"), n;
        bool is_blocked = false, is_confirm = false, is_optional = false;

        line[len] = '\0';
        if (len == 0)
            continue;
        lines++;
        n = pii_scan(line, len, &opt, hits, HITS_MAX);
        for (size_t i = 0; i < n && i < HITS_MAX; i++) {
            if (hits[i].kind == PII_MY_NUMBER)
                is_blocked = true;
            else if (hits[i].kind == PII_MY_NUMBER_UNCONFIRMED)
                is_confirm = true;
            else
                is_optional = true;
        }
        blocked += is_blocked;
        confirm += is_confirm;
        optional += is_optional;
        if (is_blocked || (verbose && n > 0)) {
            /* The corpus holds no real numbers, but print it the way a server log would: masked. */
            for (size_t i = 0; i < n && i < HITS_MAX; i++)
                memset(line + hits[i].byte_offset, '#', hits[i].byte_length);
            printf("%s line %zu: %s [%s]\n", is_blocked ? "BLOCKED" : "hit", lines, line, pii_kind_code(hits[0].kind));
        }
    }
    fclose(f);
    if (lines == 0) {
        fprintf(stderr, "%s: no lines\n", argv[1]);
        return 2;
    }
    printf("pii false positives: blocked %zu / %zu lines, confirmations %zu / %zu lines (%.1f%%), optional kinds %zu / %zu "
           "lines\n",
           blocked, lines, confirm, lines, 100.0 * (double)confirm / (double)lines, optional, lines);
    return blocked == 0 ? 0 : 1;
}
