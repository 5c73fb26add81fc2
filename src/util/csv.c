/*
 * CSV import helpers: encoding detection, a bounded RFC 4180 record reader, and header
 * aliases for staff lists (see csv.h).
 *
 * The reader copies each record into a fixed scratch area inside struct csv_reader rather
 * than pointing into the input, because quoted fields must lose their quotes and doubled
 * quotes, and because callers want NUL-terminated values. The scratch is sized by the
 * record limit, so reading never allocates and never fails for lack of memory. A quote in
 * the middle of an unquoted field (ab"c) is kept as text, as Excel does; text after a
 * closing quote ("ab"c) is an error, because guessing there could shift every later column.
 */
#include "util/csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

int
csv_to_utf8(const char *buf, size_t len, char **out, size_t *outlen, const char **encoding_name)
{
    iconv_t cd = (iconv_t)-1;
    char *res = NULL, *inp, *outp;
    size_t inleft, outleft, cap;
    const char *enc;
    int rc;

    *out = NULL;
    *outlen = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        /* A BOM is a promise of UTF-8: do not fall back to CP932 if it is broken. */
        buf += 3;
        len -= 3;
        enc = "UTF-8 (BOM)";
        if (!utf8_valid(buf, len)) {
            uint32_t cp;
            size_t off = 0, n;
            while ((n = utf8_decode(buf + off, len - off, &cp)) != 0)
                off += n;
            *outlen = off + 3;
            rc = -EILSEQ;
            goto fail;
        }
        goto copy;
    }
    if (utf8_valid(buf, len)) {
        enc = "UTF-8";
        goto copy;
    }

    /* Every CP932 character is in the BMP: at most 3 UTF-8 bytes per input byte. */
    enc = "CP932";
    if (len > (SIZE_MAX - 1) / 3) {
        rc = -ENOMEM;
        goto fail;
    }
    cap = len * 3 + 1;
    if ((res = malloc(cap)) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
        rc = -errno;
        goto fail;
    }
    inp = (char *)buf;
    inleft = len;
    outp = res;
    outleft = cap - 1;
    if (iconv(cd, &inp, &inleft, &outp, &outleft) == (size_t)-1 || iconv(cd, NULL, NULL, &outp, &outleft) == (size_t)-1) {
        /* EILSEQ: an invalid byte; EINVAL: a lead byte cut off by the end of the file. */
        *outlen = (size_t)(inp - buf);
        rc = errno == E2BIG ? -ENOMEM : -EILSEQ;
        goto fail;
    }
    *outlen = (size_t)(outp - res);
    res[*outlen] = '\0';
    goto done;

copy:
    if ((res = malloc(len + 1)) == NULL) {
        rc = -ENOMEM;
        goto fail;
    }
    if (len > 0)
        memcpy(res, buf, len);
    res[len] = '\0';
    *outlen = len;
done:
    *out = res;
    res = NULL;
    if (encoding_name != NULL)
        *encoding_name = enc;
    rc = 0;
fail:
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    free(res);
    return rc;
}

size_t
csv_line_at(const char *buf, size_t len, size_t off)
{
    size_t line = 1;

    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n' || (buf[i] == '\r' && (i + 1 >= len || buf[i + 1] != '\n')))
            line++;
    }
    return line;
}

void
csv_reader_init(struct csv_reader *r, const char *buf, size_t len)
{
    r->_buf = buf;
    r->_len = len;
    r->_pos = 0;
    r->_line = 1;
}

/* Consumes the line ending (CRLF, LF or CR) at r->_pos. */
static void
eat_newline(struct csv_reader *r)
{
    if (r->_buf[r->_pos] == '\r' && r->_pos + 1 < r->_len && r->_buf[r->_pos + 1] == '\n')
        r->_pos++;
    r->_pos++;
    r->_line++;
}

enum state { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE };

int
csv_reader_next(struct csv_reader *r, struct csv_field *fields, size_t *nfields, size_t *line_no)
{
    const char *b = r->_buf;
    enum state st = FIELD_START;
    size_t start, out = 0, field_start = 0, nf = 0;
    int err = 0;

    *nfields = 0;
    /* Lines with nothing on them, including the one after a trailing newline. */
    while (r->_pos < r->_len && (b[r->_pos] == '\n' || b[r->_pos] == '\r'))
        eat_newline(r);
    if (r->_pos >= r->_len)
        return 0;
    *line_no = r->_line;
    start = r->_pos;

    /*
     * Once err is set the loop keeps going only to find where the record ends, and stops
     * writing into the scratch area. While err is 0, at most CSV_MAX_RECORD input bytes
     * have been read, so the values written (never longer than their input) plus one NUL
     * per field fit the scratch.
     */
    for (;;) {
        bool end_field = false, end_record = false;
        char c;

        if (r->_pos >= r->_len) {
            if (st == QUOTED)
                err = CSV_E_UNTERMINATED_QUOTE; /* the real cause, whatever came before */
            end_field = end_record = true;
            goto emit;
        }
        if (err == 0 && r->_pos - start >= CSV_MAX_RECORD)
            err = CSV_E_RECORD_TOO_LONG;
        c = b[r->_pos];
        if (c == '\0' && err == 0)
            err = CSV_E_NUL;

        if (st == QUOTED) {
            if (c == '"') {
                if (r->_pos + 1 < r->_len && b[r->_pos + 1] == '"') {
                    r->_pos += 2;
                    goto append_quote;
                }
                r->_pos++;
                st = AFTER_QUOTE;
                continue;
            }
            if (c == '\n' || (c == '\r' && (r->_pos + 1 >= r->_len || b[r->_pos + 1] != '\n')))
                r->_line++;
            r->_pos++;
            goto append;
        }
        if (c == '\n' || c == '\r') {
            eat_newline(r);
            end_field = end_record = true;
            goto emit;
        }
        if (c == ',') {
            r->_pos++;
            end_field = true;
            goto emit;
        }
        r->_pos++;
        if (st == FIELD_START && c == '"') {
            st = QUOTED;
            continue;
        }
        if (st == AFTER_QUOTE && err == 0)
            err = CSV_E_TEXT_AFTER_QUOTE;
        st = UNQUOTED;
        goto append;

    append_quote:
        c = '"';
    append:
        if (err == 0 && out - field_start >= CSV_MAX_FIELD_LEN)
            err = CSV_E_FIELD_TOO_LONG;
        if (err == 0)
            r->_scratch[out++] = c;
        continue;

    emit:
        if (end_field && err == 0) {
            if (nf == CSV_MAX_FIELDS) {
                err = CSV_E_TOO_MANY_FIELDS;
            } else {
                fields[nf].ptr = r->_scratch + field_start;
                fields[nf].len = out - field_start;
                r->_scratch[out++] = '\0';
                nf++;
                field_start = out;
            }
        }
        st = FIELD_START;
        if (end_record)
            break;
    }
    if (err != 0)
        return err;
    *nfields = nf;
    return 1;
}

const char *
csv_error_ja(int err)
{
    switch (err) {
    case CSV_E_TOO_MANY_FIELDS:
        return "列が多すぎます（最大64列）";
    case CSV_E_FIELD_TOO_LONG:
        return "項目が長すぎます（最大4096バイト）";
    case CSV_E_RECORD_TOO_LONG:
        return "行が長すぎます（最大64KiB）";
    case CSV_E_UNTERMINATED_QUOTE:
        return "引用符（\"）が閉じられていません";
    case CSV_E_TEXT_AFTER_QUOTE:
        return "閉じ引用符（\"）の後に文字があります";
    case CSV_E_NUL:
        return "NUL文字が含まれています";
    case CSV_E_DUPLICATE_COLUMN:
        return "同じ列が見出しに2回あります";
    default:
        return NULL;
    }
}

const char *
csv_error_en(int err)
{
    switch (err) {
    case CSV_E_TOO_MANY_FIELDS:
        return "too many fields (at most 64)";
    case CSV_E_FIELD_TOO_LONG:
        return "field too long (at most 4096 bytes)";
    case CSV_E_RECORD_TOO_LONG:
        return "record too long (at most 64 KiB)";
    case CSV_E_UNTERMINATED_QUOTE:
        return "quoted field is not closed";
    case CSV_E_TEXT_AFTER_QUOTE:
        return "text after a closing quote";
    case CSV_E_NUL:
        return "record contains a NUL byte";
    case CSV_E_DUPLICATE_COLUMN:
        return "the same column appears twice in the header";
    default:
        return NULL;
    }
}

/* Header names and their aliases; the first entry for each column is its canonical name. */
static const struct {
    const char *name;
    enum csv_column col;
} header_aliases[] = {
    {"職員番号", CSV_COL_LOGIN},
    {"職員コード", CSV_COL_LOGIN},
    {"ログインID", CSV_COL_LOGIN},
    {"login", CSV_COL_LOGIN},
    {"氏名", CSV_COL_NAME},
    {"名前", CSV_COL_NAME},
    {"name", CSV_COL_NAME},
    {"ふりがな", CSV_COL_KANA},
    {"フリガナ", CSV_COL_KANA},
    {"氏名カナ", CSV_COL_KANA},
    {"よみ", CSV_COL_KANA},
    {"kana", CSV_COL_KANA},
    {"所属", CSV_COL_DEPT},
    {"所属名", CSV_COL_DEPT},
    {"課名", CSV_COL_DEPT},
    {"department", CSV_COL_DEPT},
    {"所属コード", CSV_COL_DEPT_CODE},
    {"課コード", CSV_COL_DEPT_CODE},
    {"department_code", CSV_COL_DEPT_CODE},
    {"役職", CSV_COL_TITLE},
    {"役職名", CSV_COL_TITLE},
    {"title", CSV_COL_TITLE},
    {"内線", CSV_COL_EXTENSION},
    {"内線番号", CSV_COL_EXTENSION},
    {"extension", CSV_COL_EXTENSION},
    {"勤務先電話", CSV_COL_WORK_PHONE},
    {"電話番号", CSV_COL_WORK_PHONE},
    {"work_phone", CSV_COL_WORK_PHONE},
    {"雇用区分", CSV_COL_EMPLOYMENT},
    {"雇用形態", CSV_COL_EMPLOYMENT},
    {"employment", CSV_COL_EMPLOYMENT},
    {"メールアドレス", CSV_COL_EMAIL},
    {"メール", CSV_COL_EMAIL},
    {"email", CSV_COL_EMAIL},
    {"表示順", CSV_COL_ORDER},
    {"display_order", CSV_COL_ORDER},
    {"在籍", CSV_COL_ACTIVE},
    {"active", CSV_COL_ACTIVE},
};

#define NALIASES (sizeof(header_aliases) / sizeof(header_aliases[0]))

/* Length of the space (ASCII space, tab, U+3000) or BOM at s[0..len), or 0. */
static size_t
space_at(const char *s, size_t len)
{
    if (len >= 1 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    if (len >= 3 && (memcmp(s, "\xE3\x80\x80", 3) == 0 || memcmp(s, "\xEF\xBB\xBF", 3) == 0))
        return 3;
    return 0;
}

/* Same as space_at() but for the code point that ends at s[len). */
static size_t
space_before(const char *s, size_t len)
{
    if (len >= 1 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        return 1;
    if (len >= 3 && memcmp(s + len - 3, "\xE3\x80\x80", 3) == 0)
        return 3;
    return 0;
}

int
csv_header_lookup(const char *name, size_t len)
{
    size_t n;

    while ((n = space_at(name, len)) != 0) {
        name += n;
        len -= n;
    }
    while ((n = space_before(name, len)) != 0)
        len -= n;
    for (size_t i = 0; i < NALIASES; i++) {
        const char *a = header_aliases[i].name;
        size_t k = 0;
        if (strlen(a) != len)
            continue;
        /* ASCII case folding only: the Japanese names have no case, and locale must not matter. */
        for (; k < len; k++) {
            char x = name[k], y = a[k];
            if (x >= 'A' && x <= 'Z')
                x = (char)(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z')
                y = (char)(y - 'A' + 'a');
            if (x != y)
                break;
        }
        if (k == len)
            return (int)header_aliases[i].col;
    }
    return -1;
}

const char *
csv_column_name(enum csv_column col)
{
    for (size_t i = 0; i < NALIASES; i++)
        if (header_aliases[i].col == col)
            return header_aliases[i].name;
    return NULL;
}

int
csv_header_index(const struct csv_field *fields, size_t nfields, int index[CSV_COL_COUNT], size_t *dup_field)
{
    int found = 0;

    for (int c = 0; c < CSV_COL_COUNT; c++)
        index[c] = -1;
    for (size_t i = 0; i < nfields; i++) {
        int col = csv_header_lookup(fields[i].ptr, fields[i].len);
        if (col < 0)
            continue;
        if (index[col] >= 0) {
            if (dup_field != NULL)
                *dup_field = i;
            return CSV_E_DUPLICATE_COLUMN;
        }
        index[col] = (int)i;
        found++;
    }
    return found;
}
