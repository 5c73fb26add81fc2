/*
 * Documents for the city's paper processes: a note (minutes, a decision record) rendered from
 * its Markdown body as an A4 PDF with Japanese fonts from Debian, or as a Word document, since
 * that is what staff attach to a formal approval (決裁). Both run on a job thread and write to
 * `path` (a temporary file the caller renames into place).
 */
#ifndef KAIRAN_RENDER_RENDER_H
#define KAIRAN_RENDER_RENDER_H

/* `footer` (may be NULL) is printed at the bottom of every page beside the page number.
 * Returns 0, or -1 when the file could not be written. */
int render_pdf(const char *path, const char *title, const char *body, const char *footer);
int render_docx(const char *path, const char *title, const char *body, const char *author);

#endif
