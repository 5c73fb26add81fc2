/*
 * libFuzzer target for src/util/csv.c: arbitrary bytes as an uploaded staff list.
 *
 * Runs the importer's whole path (encoding, records, header) and checks the reader's
 * bounds: field counts and lengths within the limits, values NUL-terminated, line numbers
 * never going backwards, and every call making progress so a file always ends.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct csv_reader reader;

static void
read_all(const char *buf, size_t len)
{
    struct csv_field fields[CSV_MAX_FIELDS];
    size_t nf, line, last_line = 0, calls = 0;
    int rc, idx[CSV_COL_COUNT];

    csv_reader_init(&reader, buf, len);
    while ((rc = csv_reader_next(&reader, fields, &nf, &line)) != 0) {
        calls++;
        assert(calls <= len + 1);
        assert(line > last_line);
        last_line = line;
        if (rc < 0) {
            assert(csv_error_en(rc) != NULL && csv_error_ja(rc) != NULL);
            continue;
        }
        assert(rc == 1 && nf >= 1 && nf <= CSV_MAX_FIELDS);
        for (size_t i = 0; i < nf; i++) {
            assert(fields[i].len <= CSV_MAX_FIELD_LEN);
            assert(fields[i].ptr[fields[i].len] == '\0');
            assert(memchr(fields[i].ptr, '\0', fields[i].len) == NULL);
        }
        rc = csv_header_index(fields, nf, idx, NULL);
        assert(rc == CSV_E_DUPLICATE_COLUMN || (rc >= 0 && rc <= CSV_COL_COUNT));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *utf8 = NULL;
    size_t len = 0;
    const char *enc = NULL;
    int rc;

    rc = csv_to_utf8((const char *)data, size, &utf8, &len, &enc);
    if (rc == 0) {
        assert(utf8_valid(utf8, len) && utf8[len] == '\0' && enc != NULL);
        read_all(utf8, len);
    } else {
        assert(utf8 == NULL && len <= size);
        assert(csv_line_at((const char *)data, size, len) >= 1);
    }
    free(utf8);
    /* The reader also has to cope with bytes that were never decoded. */
    read_all((const char *)data, size);
    return 0;
}
