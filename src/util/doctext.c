/*
 * Text extraction (see doctext.h). ZIP layout: PKWARE APPNOTE — the end of central directory
 * record (4.3.16) points at the central directory (4.3.12), whose entries give each member's
 * local header offset (4.3.7), method (0 stored, 8 deflate) and sizes.
 */
#include "util/doctext.h"
#include "util/csv.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t
rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
rd32(const unsigned char *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

char *
doctext_zip_entry(const char *zip, size_t len, const char *name, size_t max, size_t *outlen)
{
    const unsigned char *z = (const unsigned char *)zip;
    size_t nl = strlen(name);
    if (len < 22)
        return NULL;
    /* The end record is within the last 64 KiB + 22 bytes (its comment is at most 65,535). */
    size_t eocd = 0;
    int found = 0;
    for (size_t i = len - 22 + 1; i-- > 0 && len - i <= 65535 + 22;) {
        if (rd32(z + i) == 0x06054b50) {
            eocd = i;
            found = 1;
            break;
        }
    }
    if (!found)
        return NULL;
    uint32_t count = rd16(z + eocd + 10), cd_size = rd32(z + eocd + 12), cd_off = rd32(z + eocd + 16);
    if ((uint64_t)cd_off + cd_size > eocd)
        return NULL;
    size_t p = cd_off;
    for (uint32_t i = 0; i < count; i++) {
        if (p + 46 > (size_t)cd_off + cd_size || rd32(z + p) != 0x02014b50)
            return NULL;
        uint32_t method = rd16(z + p + 10), csize = rd32(z + p + 20), usize = rd32(z + p + 24);
        uint32_t fnl = rd16(z + p + 28), exl = rd16(z + p + 30), cml = rd16(z + p + 32), lho = rd32(z + p + 42);
        if (p + 46 + fnl > (size_t)cd_off + cd_size)
            return NULL;
        if (fnl == nl && memcmp(z + p + 46, name, nl) == 0) {
            if ((uint64_t)lho + 30 > len || rd32(z + lho) != 0x04034b50)
                return NULL;
            uint64_t data = (uint64_t)lho + 30 + rd16(z + lho + 26) + rd16(z + lho + 28);
            if (data + csize > len)
                return NULL;
            size_t want = usize < max ? usize : max;
            char *out = xmalloc(want + 1);
            if (method == 0) {
                memcpy(out, z + data, want < csize ? want : csize);
                want = want < csize ? want : csize;
            } else if (method == 8) {
                z_stream s = {0};
                if (inflateInit2(&s, -MAX_WBITS) != Z_OK) {
                    free(out);
                    return NULL;
                }
                s.next_in = (Bytef *)(z + data);
                s.avail_in = csize;
                s.next_out = (Bytef *)out;
                s.avail_out = (uInt)want;
                int rc = inflate(&s, Z_FINISH);
                want = want - s.avail_out;
                inflateEnd(&s);
                if (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR) {
                    free(out);
                    return NULL;
                }
            } else {
                free(out);
                return NULL;
            }
            out[want] = '\0';
            *outlen = want;
            return out;
        }
        p += 46 + fnl + exl + cml;
    }
    return NULL;
}

/* Whether a tag ends a word: a paragraph (w:p, a:p), a shared string (si), a cell (c, w:tc), a
 * row, a tab or a line break. Other tags — runs (w:r, w:t) above all, which split a word
 * wherever its formatting changes — join what is on either side. */
static int
tag_is_boundary(const char *t, const char *end)
{
    static const char *const names[] = {"p", "si", "c", "tc", "row", "tab", "br", NULL};
    if (t < end && *t == '/')
        t++;
    const char *name = t;
    while (t < end && *t != ' ' && *t != '/' && *t != '>')
        if (*t++ == ':')
            name = t;
    for (int k = 0; names[k]; k++)
        if ((size_t)(t - name) == strlen(names[k]) && !memcmp(name, names[k], (size_t)(t - name)))
            return 1;
    return 0;
}

/* Appends the text of an XML part: tags dropped (word-ending ones become a space), the five
 * predefined entities and numeric references decoded. */
static void
xml_text(const char *x, size_t n, char **out, size_t *len, size_t max)
{
    for (size_t i = 0; i < n && *len < max; i++) {
        if (x[i] == '<') {
            const char *e = memchr(x + i, '>', n - i);
            if (e == NULL)
                return;
            if (tag_is_boundary(x + i + 1, e) && *len > 0 && (*out)[*len - 1] != ' ')
                (*out)[(*len)++] = ' ';
            i = (size_t)(e - x);
            continue;
        }
        if (x[i] == '&') {
            const char *e = memchr(x + i, ';', n - i < 12 ? n - i : 12);
            if (e) {
                size_t el = (size_t)(e - x - i);
                char rep[8] = "";
                if (el == 3 && !memcmp(x + i, "&lt", 3))
                    strcpy(rep, "<");
                else if (el == 3 && !memcmp(x + i, "&gt", 3))
                    strcpy(rep, ">");
                else if (el == 4 && !memcmp(x + i, "&amp", 4))
                    strcpy(rep, "&");
                else if (el == 5 && !memcmp(x + i, "&quot", 5))
                    strcpy(rep, "\"");
                else if (el == 5 && !memcmp(x + i, "&apos", 5))
                    strcpy(rep, "'");
                else if (el >= 3 && x[i + 1] == '#') {
                    unsigned long cp = x[i + 2] == 'x' ? strtoul(x + i + 3, NULL, 16) : strtoul(x + i + 2, NULL, 10);
                    if (cp > 0 && cp < 0x110000 && !(cp >= 0xd800 && cp < 0xe000))
                        rep[utf8_encode((uint32_t)cp, rep)] = '\0';
                }
                size_t rl = strlen(rep);
                if (rl && *len + rl <= max) {
                    memcpy(*out + *len, rep, rl);
                    *len += rl;
                    i = (size_t)(e - x);
                    continue;
                }
            }
        }
        (*out)[(*len)++] = x[i];
    }
}

/* The text of the named parts; a part with %d in its name is numbered from 1 (slide1.xml…). */
static char *
office_text(const char *data, size_t len, const char *const *parts, size_t max)
{
    /* Up to 3 bytes past max, so the cut at max can be made at a whole character. */
    char *out = xmalloc(max + 4);
    size_t olen = 0;
    char name[64];
    for (int k = 0; parts[k] && olen < max; k++) {
        int numbered = strchr(parts[k], '%') != NULL;
        for (int i = 1; i <= (numbered ? 500 : 1) && olen < max; i++) {
            size_t n;
            if (numbered)
                snprintf(name, sizeof(name), parts[k], i);
            else
                snprintf(name, sizeof(name), "%s", parts[k]);
            char *x = doctext_zip_entry(data, len, name, 16u << 20, &n);
            if (x == NULL)
                break;
            xml_text(x, n, &out, &olen, max + 3);
            free(x);
        }
    }
    olen = utf8_truncate_bytes(out, olen, max);
    out[olen] = '\0';
    if (!utf8_valid(out, olen)) {
        free(out);
        return NULL;
    }
    return out;
}

char *
doctext_extract(const char *data, size_t len, const char *mime, size_t max)
{
    static const char *const docx[] = {"word/document.xml", "word/footnotes.xml", "word/comments.xml", NULL};
    static const char *const xlsx[] = {"xl/sharedStrings.xml", "xl/worksheets/sheet%d.xml", NULL};
    static const char *const pptx[] = {"ppt/slides/slide%d.xml", NULL};
    if (!strncmp(mime, "text/", 5) || !strcmp(mime, "application/csv")) {
        char *out = NULL;
        size_t olen;
        if (csv_to_utf8(data, len, &out, &olen, NULL) != 0) {
            /* Neither UTF-8 nor CP932 throughout: a stray byte must not hide the rest, so read
             * it as UTF-8 with each bad byte as a space. */
            size_t n = len < max ? len : max;
            out = xmalloc(n + 1);
            olen = 0;
            for (size_t i = 0; i < n;) {
                uint32_t cp;
                size_t k = utf8_decode(data + i, n - i, &cp);
                if (k == 0 || cp == 0) {
                    out[olen++] = ' ';
                    i++;
                } else {
                    memcpy(out + olen, data + i, k);
                    olen += k;
                    i += k;
                }
            }
            out[olen] = '\0';
        }
        if (olen > max)
            out[utf8_truncate_bytes(out, olen, max)] = '\0';
        return out;
    }
    if (!strcmp(mime, "application/pdf"))
        return doctext_pdf(data, len, max);
    if (!strcmp(mime, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        return office_text(data, len, docx, max);
    if (!strcmp(mime, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        return office_text(data, len, xlsx, max);
    if (!strcmp(mime, "application/vnd.openxmlformats-officedocument.presentationml.presentation"))
        return office_text(data, len, pptx, max);
    /* A ZIP that libmagic did not name: try the Office parts anyway. */
    if (!strcmp(mime, "application/zip") || !strcmp(mime, "application/octet-stream")) {
        size_t n;
        char *probe = doctext_zip_entry(data, len, "[Content_Types].xml", 65536, &n);
        if (probe == NULL)
            return NULL;
        free(probe);
        char *t = office_text(data, len, docx, max);
        if (t && *t)
            return t;
        free(t);
        t = office_text(data, len, xlsx, max);
        if (t && *t)
            return t;
        free(t);
        return office_text(data, len, pptx, max);
    }
    return NULL;
}
