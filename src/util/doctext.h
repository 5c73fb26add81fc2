/*
 * The text inside an uploaded file, for the personal-information guard (and later search):
 * plain text and CSV (UTF-8 or CP932), and the Office Open XML formats — Word (.docx), Excel
 * (.xlsx) and PowerPoint (.pptx) — whose text sits in XML parts of a ZIP archive — and PDF.
 *
 * Pure: works on bytes in memory, bounded by `max` bytes of output. The ZIP reader handles
 * stored and deflated entries (zlib) and refuses anything malformed; it is fuzzed.
 */
#ifndef KAIRAN_UTIL_DOCTEXT_H
#define KAIRAN_UTIL_DOCTEXT_H

#include <stddef.h>

/*
 * Extracts the text of `data` whose sniffed MIME type is `mime`. Returns a malloc'd UTF-8
 * string (caller frees) of at most max bytes, or NULL when the type holds no text we read
 * (images) or the file is malformed.
 */
char *doctext_extract(const char *data, size_t len, const char *mime, size_t max);

/* The text of a PDF's pages (doctext_pdf.c, poppler), as doctext_extract. */
char *doctext_pdf(const char *data, size_t len, size_t max);

/* The bytes of the ZIP entry `name` (malloc'd, caller frees), at most max; NULL if absent or bad. */
char *doctext_zip_entry(const char *zip, size_t len, const char *name, size_t max, size_t *outlen);

/* Held around every use of poppler (text here, page counts in docpages.c): its process-wide
 * state is set up on first use, and one document at a time is plenty for uploads. */
void doctext_poppler_lock(void);
void doctext_poppler_unlock(void);

#endif
