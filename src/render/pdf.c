/*
 * Notes as A4 PDF: each Markdown block becomes a pango layout in Noto Sans CJK (Debian's
 * fonts-noto-cjk), drawn line by line so that any block can break across pages. Text reaches
 * pango only through escaped markup, so a note cannot inject formatting of its own.
 */
#include "render/render.h"
#include "util/markdown.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define PAGE_W 595.28
#define PAGE_H 841.89
#define MARGIN_X 60.0
#define MARGIN_TOP 64.0
#define MARGIN_BOTTOM 70.0
#define TEXT_W (PAGE_W - 2 * MARGIN_X)
#define FONT "Noto Sans CJK JP"
#define MONO "Noto Sans Mono CJK JP"

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    double y;
    int page;
    const char *footer;
    /* A table being collected: its rows' text until a non-row block ends it. */
    struct md_block rowbuf[64];
    int nrows;
};

static int
span_markup(void *arg, const struct md_span *sp)
{
    GString *m = arg;
    char *t = g_markup_escape_text(sp->text, (gssize)sp->len);
    switch (sp->kind) {
    case MD_BOLD:
        g_string_append_printf(m, "<b>%s</b>", t);
        break;
    case MD_ITALIC:
        g_string_append_printf(m, "<i>%s</i>", t);
        break;
    case MD_CODE_SPAN:
        g_string_append_printf(m, "<span font_family=\"" MONO "\">%s</span>", t);
        break;
    case MD_LINK: {
        char *u = g_markup_escape_text(sp->url, (gssize)sp->url_len);
        g_string_append_printf(m, "<span foreground=\"#1d4f91\" underline=\"single\">%s</span>", t);
        if (sp->url_len && sp->url[0] != '#')
            g_string_append_printf(m, "<span foreground=\"#555555\" size=\"smaller\"> (%s)</span>", u);
        g_free(u);
        break;
    }
    default:
        g_string_append(m, t);
    }
    g_free(t);
    return 0;
}

static char *
markup(const char *text, size_t len)
{
    GString *m = g_string_new(NULL);
    md_spans(text, len, span_markup, m);
    return g_string_free(m, FALSE);
}

static PangoLayout *
layout_new(struct pdf *p, const char *font, double width, const char *mk, int plain, size_t plen)
{
    PangoLayout *l = pango_cairo_create_layout(p->cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    if (plain)
        pango_layout_set_text(l, mk, (int)plen);
    else
        pango_layout_set_markup(l, mk, -1);
    return l;
}

static void
footer(struct pdf *p)
{
    char num[32];
    snprintf(num, sizeof(num), "- %d -", p->page);
    PangoLayout *l = layout_new(p, FONT " 8", TEXT_W, num, 1, strlen(num));
    pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
    cairo_move_to(p->cr, MARGIN_X, PAGE_H - MARGIN_BOTTOM + 28);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
    if (p->footer && *p->footer) {
        l = layout_new(p, FONT " 7.5", TEXT_W, p->footer, 1, strlen(p->footer));
        cairo_move_to(p->cr, MARGIN_X, PAGE_H - MARGIN_BOTTOM + 42);
        pango_cairo_show_layout(p->cr, l);
        g_object_unref(l);
    }
    cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void
new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN_TOP;
}

static void
ensure(struct pdf *p, double h)
{
    if (p->y + h > PAGE_H - MARGIN_BOTTOM && p->y > MARGIN_TOP)
        new_page(p);
}

/* Draws a layout at x line by line, breaking pages between lines. */
static void
draw_layout(struct pdf *p, PangoLayout *l, double x)
{
    PangoLayoutIter *it = pango_layout_get_iter(l);
    do {
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        double h = (double)logical.height / PANGO_SCALE;
        int baseline = pango_layout_iter_get_baseline(it);
        ensure(p, h);
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        cairo_move_to(p->cr, x + (double)logical.x / PANGO_SCALE, p->y + (double)(baseline - logical.y) / PANGO_SCALE);
        pango_cairo_show_layout_line(p->cr, line);
        p->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
}

static void
flush_table(struct pdf *p)
{
    if (p->nrows == 0)
        return;
    int ncols = 1;
    const char *cells[16];
    size_t lens[16];
    for (int r = 0; r < p->nrows; r++) {
        int n = md_cells(p->rowbuf[r].text, p->rowbuf[r].len, cells, lens, 16);
        if (n > ncols)
            ncols = n;
    }
    double colw = TEXT_W / ncols;
    for (int r = 0; r < p->nrows; r++) {
        int n = md_cells(p->rowbuf[r].text, p->rowbuf[r].len, cells, lens, 16);
        PangoLayout *ls[16] = {0};
        double h = 0;
        for (int c = 0; c < ncols; c++) {
            char *mk = c < n ? markup(cells[c], lens[c]) : g_strdup("");
            ls[c] = layout_new(p, p->rowbuf[r].header ? FONT " Bold 9.5" : FONT " 9.5", colw - 10, mk, 0, 0);
            g_free(mk);
            int w, lh;
            pango_layout_get_size(ls[c], &w, &lh);
            if ((double)lh / PANGO_SCALE > h)
                h = (double)lh / PANGO_SCALE;
        }
        h += 8;
        ensure(p, h);
        for (int c = 0; c < ncols; c++) {
            double x = MARGIN_X + c * colw;
            if (p->rowbuf[r].header) {
                cairo_set_source_rgb(p->cr, 0.92, 0.93, 0.95);
                cairo_rectangle(p->cr, x, p->y, colw, h);
                cairo_fill(p->cr);
                cairo_set_source_rgb(p->cr, 0, 0, 0);
            }
            cairo_set_line_width(p->cr, 0.6);
            cairo_rectangle(p->cr, x, p->y, colw, h);
            cairo_stroke(p->cr);
            cairo_move_to(p->cr, x + 5, p->y + 4);
            pango_cairo_show_layout(p->cr, ls[c]);
            g_object_unref(ls[c]);
        }
        p->y += h;
    }
    p->y += 8;
    p->nrows = 0;
}

static int
block(void *arg, const struct md_block *b)
{
    struct pdf *p = arg;
    if (b->kind == MD_TABLE_ROW) {
        if (p->nrows == 64)
            flush_table(p);
        p->rowbuf[p->nrows++] = *b;
        return 0;
    }
    flush_table(p);
    char *mk;
    PangoLayout *l;
    switch (b->kind) {
    case MD_BLANK:
        break;
    case MD_RULE:
        ensure(p, 12);
        cairo_set_line_width(p->cr, 0.6);
        cairo_move_to(p->cr, MARGIN_X, p->y + 6);
        cairo_line_to(p->cr, MARGIN_X + TEXT_W, p->y + 6);
        cairo_stroke(p->cr);
        p->y += 12;
        break;
    case MD_HEADING: {
        static const char *const fonts[] = {FONT " Bold 16", FONT " Bold 13", FONT " Bold 11.5"};
        mk = markup(b->text, b->len);
        l = layout_new(p, fonts[b->level - 1], TEXT_W, mk, 0, 0);
        g_free(mk);
        p->y += b->level == 1 ? 4 : 8;
        ensure(p, 40); /* keep a heading with what follows it */
        draw_layout(p, l, MARGIN_X);
        g_object_unref(l);
        if (b->level == 1) {
            cairo_set_line_width(p->cr, 1);
            cairo_move_to(p->cr, MARGIN_X, p->y + 3);
            cairo_line_to(p->cr, MARGIN_X + TEXT_W, p->y + 3);
            cairo_stroke(p->cr);
            p->y += 6;
        }
        p->y += 6;
        break;
    }
    case MD_BULLET:
    case MD_NUMBER: {
        double indent = 18 + 16.0 * b->level;
        char marker[24];
        if (b->kind == MD_BULLET)
            snprintf(marker, sizeof(marker), "%s", b->level ? "◦" : "・");
        else
            snprintf(marker, sizeof(marker), "%d.", b->number);
        mk = markup(b->text, b->len);
        l = layout_new(p, FONT " 10.5", TEXT_W - indent, mk, 0, 0);
        g_free(mk);
        PangoLayout *ml = layout_new(p, FONT " 10.5", indent, marker, 1, strlen(marker));
        int w, h;
        pango_layout_get_size(l, &w, &h);
        ensure(p, 16);
        cairo_move_to(p->cr, MARGIN_X + indent - 16, p->y);
        pango_cairo_show_layout(p->cr, ml);
        g_object_unref(ml);
        draw_layout(p, l, MARGIN_X + indent);
        g_object_unref(l);
        p->y += 2;
        break;
    }
    case MD_CODE:
        l = layout_new(p, MONO " 9", TEXT_W - 12, b->text, 1, b->len);
        draw_layout(p, l, MARGIN_X + 12);
        g_object_unref(l);
        p->y += 6;
        break;
    default:
        mk = markup(b->text, b->len);
        l = layout_new(p, FONT " 10.5", TEXT_W, mk, 0, 0);
        g_free(mk);
        pango_layout_set_spacing(l, 2 * PANGO_SCALE);
        draw_layout(p, l, MARGIN_X);
        g_object_unref(l);
        p->y += 6;
    }
    return 0;
}

/* Renders share fontconfig and pango's caches; one at a time is plenty for documents people
 * print, and it keeps those libraries' thread-safety out of the question. */
static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;

static int render_pdf_locked(const char *path, const char *title, const char *body, const char *foot);

int
render_pdf(const char *path, const char *title, const char *body, const char *foot)
{
    pthread_mutex_lock(&render_lock);
    int rc = render_pdf_locked(path, title, body, foot);
    pthread_mutex_unlock(&render_lock);
    return rc;
}

static int
render_pdf_locked(const char *path, const char *title, const char *body, const char *foot)
{
    struct pdf p = {.y = MARGIN_TOP, .page = 1, .footer = foot};
    p.surface = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
    if (cairo_surface_status(p.surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(p.surface);
        return -1;
    }
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "Kairan");
    p.cr = cairo_create(p.surface);
    cairo_set_source_rgb(p.cr, 0, 0, 0);
    md_blocks(body, block, &p);
    flush_table(&p);
    footer(&p);
    cairo_show_page(p.cr);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.surface);
    int ok = cairo_surface_status(p.surface) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(p.surface);
    return ok ? 0 : -1;
}
