/*
 * Page counts of shared documents (see docpages.h). PDFs go through poppler: it parses the
 * document's structure, so a damaged file is told apart from a locked one. Office documents
 * carry the count their application last saved in docProps/app.xml; when that is missing the
 * count is unknown rather than guessed.
 */
#include "util/docpages.h"
#include "util/doctext.h"

#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum docpages_status
pdf_pages(const char *data, size_t len, const char *path, int *pages)
{
    GError *err = NULL;
    PopplerDocument *doc = NULL;
    doctext_poppler_lock();
    if (data) {
        GBytes *b = g_bytes_new_static(data, len);
        doc = poppler_document_new_from_bytes(b, NULL, &err);
        g_bytes_unref(b);
    } else {
        char *uri = g_filename_to_uri(path, NULL, NULL);
        if (uri)
            doc = poppler_document_new_from_file(uri, NULL, &err);
        g_free(uri);
    }
    enum docpages_status st = DOCPAGES_OK;
    if (doc == NULL) {
        st = err && err->domain == POPPLER_ERROR && err->code == POPPLER_ERROR_ENCRYPTED ? DOCPAGES_ENCRYPTED : DOCPAGES_CORRUPT;
    } else {
        int n = poppler_document_get_n_pages(doc);
        if (n > 0)
            *pages = n;
        else
            st = DOCPAGES_CORRUPT;
        g_object_unref(doc);
    }
    doctext_poppler_unlock();
    if (err)
        g_error_free(err);
    return st;
}

/* The number inside <tag>…</tag> of an XML text, or -1. */
static int
xml_count(const char *xml, const char *tag)
{
    char open[32];
    snprintf(open, sizeof(open), "<%s>", tag);
    const char *p = strstr(xml, open);
    if (p == NULL)
        return -1;
    p += strlen(open);
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || *end != '<' || v <= 0 || v > 1000000)
        return -1;
    return (int)v;
}

static enum docpages_status
office_pages(const char *data, size_t len, int *pages)
{
    size_t n;
    char *probe;
    const char *tag = NULL;
    if ((probe = doctext_zip_entry(data, len, "word/document.xml", 1, &n)) != NULL)
        tag = "Pages";
    else if ((probe = doctext_zip_entry(data, len, "ppt/presentation.xml", 1, &n)) != NULL)
        tag = "Slides";
    else if ((probe = doctext_zip_entry(data, len, "xl/workbook.xml", 1, &n)) != NULL)
        tag = NULL; /* a workbook's printed pages depend on its print areas: unknown */
    else
        return DOCPAGES_NONE;
    free(probe);
    if (tag == NULL)
        return DOCPAGES_UNKNOWN;
    char *app = doctext_zip_entry(data, len, "docProps/app.xml", 1u << 20, &n);
    if (app == NULL)
        return DOCPAGES_UNKNOWN;
    int v = xml_count(app, tag);
    free(app);
    if (v < 0)
        return DOCPAGES_UNKNOWN;
    *pages = v;
    return DOCPAGES_OK;
}

enum docpages_status
docpages_count(const char *data, size_t len, const char *path, const char *mime, int *pages)
{
    *pages = 0;
    if (!strcmp(mime, "application/pdf"))
        return pdf_pages(data, len, path, pages);
    if (!strncmp(mime, "image/", 6)) {
        *pages = 1;
        return DOCPAGES_OK;
    }
    if (data == NULL)
        return DOCPAGES_UNKNOWN;
    if (len >= 4 && !memcmp(data, "PK\3\4", 4))
        return office_pages(data, len, pages);
    if (!strcmp(mime, "application/msword") || !strcmp(mime, "application/vnd.ms-powerpoint") ||
        !strcmp(mime, "application/vnd.ms-excel") || !strcmp(mime, "application/CDFV2"))
        return DOCPAGES_UNKNOWN;
    return DOCPAGES_NONE;
}

const char *
docpages_status_name(enum docpages_status st)
{
    static const char *const names[] = {"ok", "unknown", "encrypted", "corrupt", "none"};
    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}
