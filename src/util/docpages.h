/*
 * How many pages a shared document has, for the paper-saved figures (R24): a PDF's page count
 * (poppler), a Word document's <Pages> and a PowerPoint's <Slides> from docProps/app.xml, one
 * for an image. Anything else — or a document that does not say — is unknown, never zero.
 */
#ifndef KAIRAN_UTIL_DOCPAGES_H
#define KAIRAN_UTIL_DOCPAGES_H

#include <stddef.h>

enum docpages_status {
    DOCPAGES_OK = 0,        /* *pages is the count */
    DOCPAGES_UNKNOWN = 1,   /* the format has pages but this file does not say how many */
    DOCPAGES_ENCRYPTED = 2, /* password-protected: cannot be read */
    DOCPAGES_CORRUPT = 3,   /* claims a format but cannot be parsed */
    DOCPAGES_NONE = 4,      /* not a paged document (an archive, a program, audio…) */
};

/* Counts the pages of `data` (len bytes, sniffed type `mime`); when data is NULL the file at
 * `path` is read instead (PDF only; other types are then unknown). Thread-safe. */
enum docpages_status docpages_count(const char *data, size_t len, const char *path, const char *mime, int *pages);
/* The status as the API names it: "ok", "unknown", "encrypted", "corrupt", "none". */
const char *docpages_status_name(enum docpages_status st);

#endif
