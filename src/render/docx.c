/*
 * Notes as Word documents (.docx): the smallest valid WordprocessingML package — content
 * types, relationships, the document, its core properties — written with util/zipw. Headings,
 * paragraphs, lists and tables use direct formatting (the city's usual ＭＳ 明朝 for Japanese,
 * Century for Latin), so the file needs no styles part and
 * opens the same in Word, LibreOffice and the city's document viewers. Text is XML-escaped.
 */
#include "render/render.h"
#include "util/markdown.h"
#include "util/strbuf.h"
#include "util/zipw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
esc(struct sb *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<')
            sb_str(b, "&lt;");
        else if (c == '>')
            sb_str(b, "&gt;");
        else if (c == '&')
            sb_str(b, "&amp;");
        else if (c == '"')
            sb_str(b, "&quot;");
        else if (c < 0x20 && c != '\t')
            continue; /* not allowed in XML 1.0 (line breaks are split out before this) */
        else
            sb_add(b, s + i, 1);
    }
}

struct runs {
    struct sb *b;
    const char *size; /* half-points, e.g. "21" */
    int bold;
};

/* One run per span; a line break inside a paragraph becomes <w:br/>. */
static void
run(struct runs *r, const char *text, size_t len, int bold, int italic, int mono, int link)
{
    size_t i = 0;
    while (i <= len) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        sb_str(r->b, "<w:r><w:rPr>");
        if (mono)
            sb_str(r->b, "<w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:eastAsia=\"ＭＳ ゴシック\"/>");
        else
            sb_str(r->b, "<w:rFonts w:ascii=\"Century\" w:hAnsi=\"Century\" w:eastAsia=\"ＭＳ 明朝\"/>");
        if (bold || r->bold)
            sb_str(r->b, "<w:b/>");
        if (italic)
            sb_str(r->b, "<w:i/>");
        if (link)
            sb_str(r->b, "<w:color w:val=\"1D4F91\"/><w:u w:val=\"single\"/>");
        char sz[80];
        snprintf(sz, sizeof(sz), "<w:sz w:val=\"%s\"/><w:szCs w:val=\"%s\"/>", r->size, r->size);
        sb_str(r->b, sz);
        sb_str(r->b, "</w:rPr><w:t xml:space=\"preserve\">");
        esc(r->b, text + i, j - i);
        sb_str(r->b, "</w:t></w:r>");
        if (j >= len)
            break;
        sb_str(r->b, "<w:r><w:br/></w:r>");
        i = j + 1;
    }
}

static int
span_run(void *arg, const struct md_span *sp)
{
    struct runs *r = arg;
    switch (sp->kind) {
    case MD_BOLD:
        run(r, sp->text, sp->len, 1, 0, 0, 0);
        break;
    case MD_ITALIC:
        run(r, sp->text, sp->len, 0, 1, 0, 0);
        break;
    case MD_CODE_SPAN:
        run(r, sp->text, sp->len, 0, 0, 1, 0);
        break;
    case MD_LINK:
        run(r, sp->text, sp->len, 0, 0, 0, 1);
        if (sp->url_len && sp->url[0] != '#') {
            char *u = malloc(sp->url_len + 4);
            if (u == NULL)
                abort();
            snprintf(u, sp->url_len + 4, " (%.*s)", (int)sp->url_len, sp->url);
            run(r, u, strlen(u), 0, 0, 0, 0);
            free(u);
        }
        break;
    default:
        run(r, sp->text, sp->len, 0, 0, 0, 0);
    }
    return 0;
}

static void
para(struct sb *b, const char *ppr, const char *size, int bold, const char *text, size_t len, int plain)
{
    sb_str(b, "<w:p><w:pPr>");
    sb_str(b, ppr);
    sb_str(b, "</w:pPr>");
    struct runs r = {b, size, bold};
    if (plain)
        run(&r, text, len, 0, 0, 1, 0);
    else
        md_spans(text, len, span_run, &r);
    sb_str(b, "</w:p>");
}

struct doc {
    struct sb *b;
    int in_table;
};

static void
end_table(struct doc *d)
{
    if (d->in_table) {
        sb_str(d->b, "</w:tbl><w:p/>");
        d->in_table = 0;
    }
}

static int
block(void *arg, const struct md_block *bl)
{
    struct doc *d = arg;
    struct sb *b = d->b;
    if (bl->kind != MD_TABLE_ROW)
        end_table(d);
    switch (bl->kind) {
    case MD_BLANK:
        break;
    case MD_HEADING: {
        static const char *const sizes[] = {"32", "26", "23"};
        para(b, "<w:spacing w:before=\"240\" w:after=\"120\"/><w:keepNext/>", sizes[bl->level - 1], 1, bl->text, bl->len, 0);
        break;
    }
    case MD_RULE:
        sb_str(b,
               "<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"auto\"/></w:pBdr></w:pPr></w:p>");
        break;
    case MD_BULLET:
    case MD_NUMBER: {
        char ppr[160], marker[32];
        int left = 420 + 420 * bl->level;
        snprintf(ppr, sizeof(ppr), "<w:ind w:left=\"%d\" w:hanging=\"300\"/><w:spacing w:after=\"40\"/>", left);
        if (bl->kind == MD_BULLET)
            snprintf(marker, sizeof(marker), "%s\t", bl->level ? "◦" : "・");
        else
            snprintf(marker, sizeof(marker), "%d.\t", bl->number);
        sb_str(b, "<w:p><w:pPr>");
        sb_str(b, ppr);
        sb_str(b, "</w:pPr>");
        struct runs r = {b, "21", 0};
        run(&r, marker, strlen(marker), 0, 0, 0, 0);
        md_spans(bl->text, bl->len, span_run, &r);
        sb_str(b, "</w:p>");
        break;
    }
    case MD_TABLE_ROW: {
        const char *cells[16];
        size_t lens[16];
        int n = md_cells(bl->text, bl->len, cells, lens, 16);
        if (!d->in_table) {
            sb_str(b, "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>"
                      "<w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/>"
                      "<w:bottom w:val=\"single\" w:sz=\"4\"/><w:right w:val=\"single\" w:sz=\"4\"/>"
                      "<w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>"
                      "</w:tblBorders></w:tblPr>");
            d->in_table = 1;
        }
        sb_str(b, "<w:tr>");
        for (int c = 0; c < n; c++) {
            sb_str(b, bl->header ? "<w:tc><w:tcPr><w:shd w:val=\"clear\" w:fill=\"EBEDF2\"/></w:tcPr>" : "<w:tc>");
            para(b, "", "20", bl->header, cells[c], lens[c], 0);
            sb_str(b, "</w:tc>");
        }
        if (n == 0)
            sb_str(b, "<w:tc><w:p/></w:tc>");
        sb_str(b, "</w:tr>");
        break;
    }
    case MD_CODE:
        para(b, "<w:ind w:left=\"240\"/>", "18", 0, bl->text, bl->len, 1);
        break;
    default:
        para(b, "<w:spacing w:after=\"120\"/>", "21", 0, bl->text, bl->len, 0);
    }
    return 0;
}

int
render_docx(const char *path, const char *title, const char *body, const char *author)
{
    static const char content_types[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Override PartName=\"/word/document.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
        "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
        "</Types>";
    static const char rels[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
        "Target=\"word/document.xml\"/>"
        "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" "
        "Target=\"docProps/core.xml\"/>"
        "</Relationships>";
    struct sb doc = {0}, core = {0};
    sb_str(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                 "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
    struct doc d = {&doc, 0};
    md_blocks(body, block, &d);
    end_table(&d);
    sb_str(&doc, "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
                 "<w:pgMar w:top=\"1418\" w:right=\"1247\" w:bottom=\"1418\" w:left=\"1247\" w:header=\"851\" w:footer=\"851\" "
                 "w:gutter=\"0\"/></w:sectPr></w:body></w:document>");
    sb_str(&core, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                  "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" "
                  "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>");
    esc(&core, title, strlen(title));
    sb_str(&core, "</dc:title><dc:creator>");
    esc(&core, author ? author : "", author ? strlen(author) : 0);
    sb_str(&core, "</dc:creator></cp:coreProperties>");
    struct zipw *z = zipw_open(path);
    int rc = -1;
    if (z && zipw_add(z, "[Content_Types].xml", content_types, sizeof(content_types) - 1) == 0 &&
        zipw_add(z, "_rels/.rels", rels, sizeof(rels) - 1) == 0 && zipw_add(z, "word/document.xml", doc.p, doc.n) == 0 &&
        zipw_add(z, "docProps/core.xml", core.p, core.n) == 0)
        rc = zipw_close(z);
    else if (z)
        zipw_abort(z, path);
    free(doc.p);
    free(core.p);
    return rc;
}
