/*
 * The text of a PDF, page by page, through poppler's GLib interface (Debian's
 * libpoppler-glib). Kept apart from doctext.c so that the ZIP and XML readers stay free of
 * GLib; PDF parsing itself is poppler's, which Debian keeps patched.
 */
#include "util/doctext.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <poppler.h>
#include <pthread.h>
#include <string.h>

static pthread_mutex_t poppler_lock = PTHREAD_MUTEX_INITIALIZER;

void
doctext_poppler_lock(void)
{
    pthread_mutex_lock(&poppler_lock);
}

void
doctext_poppler_unlock(void)
{
    pthread_mutex_unlock(&poppler_lock);
}

/* PDFs with more pages than this give the text of their first pages only. */
#define PDF_MAX_PAGES 2000

static char *pdf_text(const char *data, size_t len, size_t max);

char *
doctext_pdf(const char *data, size_t len, size_t max)
{
    doctext_poppler_lock();
    char *t = pdf_text(data, len, max);
    doctext_poppler_unlock();
    return t;
}

static char *
pdf_text(const char *data, size_t len, size_t max)
{
    GBytes *bytes = g_bytes_new(data, len);
    GError *err = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &err);
    char *out = NULL;
    size_t olen = 0;

    g_bytes_unref(bytes);
    if (doc == NULL) {
        g_clear_error(&err);
        return NULL;
    }
    out = xmalloc(max + 1);
    int pages = poppler_document_get_n_pages(doc);
    for (int i = 0; i < pages && i < PDF_MAX_PAGES && olen < max; i++) {
        PopplerPage *page = poppler_document_get_page(doc, i);
        if (page == NULL)
            continue;
        char *t = poppler_page_get_text(page);
        if (t != NULL) {
            size_t n = strlen(t);
            if (utf8_valid(t, n)) {
                n = utf8_truncate_bytes(t, n, max - olen);
                memcpy(out + olen, t, n);
                olen += n;
                if (olen < max)
                    out[olen++] = '\n';
            }
            g_free(t);
        }
        g_object_unref(page);
    }
    g_object_unref(doc);
    out[olen] = '\0';
    return out;
}
