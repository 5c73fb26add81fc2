/*
 * Reading CSV files the way Japanese Excel writes them, for staff-list imports.
 *
 * Three steps, each a function here: csv_to_utf8() settles the encoding (UTF-8 with or
 * without BOM, else CP932; JAPAN-NOTES.md "CSV for Excel users"), csv_reader_next() splits
 * records as RFC 4180 describes (quotes, doubled quotes, newlines inside quotes, CRLF or
 * LF), and csv_header_index() finds the columns an importer needs by their usual Japanese
 * names. The reader is bounded so a hostile or broken file costs at most one record's
 * worth of memory, and it reports the physical line of every record so an administrator
 * can be told "line 7: ..." and fix the file.
 */
#ifndef KAIRAN_UTIL_CSV_H
#define KAIRAN_UTIL_CSV_H

#include <stddef.h>

/* Limits of one record; a record beyond them is an error for that record only. */
#define CSV_MAX_FIELDS 64
#define CSV_MAX_FIELD_LEN 4096     /* bytes of one field's value, after unquoting */
#define CSV_MAX_RECORD (64 * 1024) /* bytes of one record as written, quotes included */

/* Errors; all negative, distinct from -errno values used elsewhere in this header. */
enum csv_error {
    CSV_E_TOO_MANY_FIELDS = -1001,
    CSV_E_FIELD_TOO_LONG = -1002,
    CSV_E_RECORD_TOO_LONG = -1003,
    CSV_E_UNTERMINATED_QUOTE = -1004, /* a quoted field runs to the end of the file */
    CSV_E_TEXT_AFTER_QUOTE = -1005,   /* "abc"def */
    CSV_E_NUL = -1006,                /* a NUL byte inside a record */
    CSV_E_DUPLICATE_COLUMN = -1007,   /* two header cells name the same column */
};

/*
 * Converts an uploaded file to UTF-8: a UTF-8 BOM is stripped and the rest must be valid
 * UTF-8; without a BOM, valid UTF-8 is taken as is; anything else is decoded as CP932 (not
 * Shift_JIS, which maps 〜 and ～ differently). On success returns 0, stores a malloc'd
 * NUL-terminated copy in *out (caller frees), its length without the NUL in *outlen, and
 * in *encoding_name a static string: "UTF-8 (BOM)", "UTF-8" or "CP932".
 * On failure *out is NULL and returns -EILSEQ (the file is neither UTF-8 nor CP932; then
 * *outlen holds the byte offset of the first bad byte, see csv_line_at()), -ENOMEM, or
 * another -errno from iconv_open(). encoding_name may be NULL.
 */
int csv_to_utf8(const char *buf, size_t len, char **out, size_t *outlen, const char **encoding_name);

/* The 1-based physical line (LF, CRLF or CR ends a line) of byte offset off in buf. */
size_t csv_line_at(const char *buf, size_t len, size_t off);

/* One field of a record: a NUL-terminated value (len excludes the NUL), quotes removed. */
struct csv_field {
    const char *ptr;
    size_t len;
};

/*
 * State of a record reader over a borrowed buffer. Members are private to csv.c. The
 * struct holds the current record's text (about 66 KiB), so keep it off small stacks.
 */
struct csv_reader {
    const char *_buf;
    size_t _len;
    size_t _pos;
    size_t _line; /* physical line at _pos, 1-based */
    char _scratch[CSV_MAX_RECORD + CSV_MAX_FIELDS];
};

/*
 * Starts reading records from buf[0..len), which the reader borrows: it must outlive the
 * reader. The text should be UTF-8 from csv_to_utf8() (any ASCII-compatible text works,
 * since the reader only looks at ',', '"', CR, LF and NUL).
 */
void csv_reader_init(struct csv_reader *r, const char *buf, size_t len);

/*
 * Reads the next record into fields[0..*nfields), which has room for CSV_MAX_FIELDS. A
 * field's ptr points into r and stays valid until the next call. Rows may be ragged (any
 * count from 1 up); lines with no characters at all are skipped. *line_no is set to the
 * physical line the record starts on, for errors too.
 * Returns 1 when a record was read, 0 at the end of input, or a negative enum csv_error
 * for a record that cannot be used; that record is then skipped and the next call
 * continues after it.
 */
int csv_reader_next(struct csv_reader *r, struct csv_field *fields, size_t *nfields, size_t *line_no);

/* Messages for an enum csv_error, or NULL for a code that is not one. Static strings. */
const char *csv_error_ja(int err);
const char *csv_error_en(int err);

/* Columns of a staff list that an importer looks for (JAPAN-NOTES.md, CSV for Excel users). */
enum csv_column {
    CSV_COL_LOGIN,      /* 職員番号 職員コード ログインID login */
    CSV_COL_NAME,       /* 氏名 名前 name */
    CSV_COL_KANA,       /* ふりがな フリガナ 氏名カナ よみ kana */
    CSV_COL_DEPT,       /* 所属 所属名 課名 department */
    CSV_COL_DEPT_CODE,  /* 所属コード 課コード department_code */
    CSV_COL_TITLE,      /* 役職 役職名 title */
    CSV_COL_EXTENSION,  /* 内線 内線番号 extension */
    CSV_COL_WORK_PHONE, /* 勤務先電話 電話番号 work_phone */
    CSV_COL_EMPLOYMENT, /* 雇用区分 雇用形態 employment */
    CSV_COL_EMAIL,      /* メールアドレス メール email */
    CSV_COL_ORDER,      /* 表示順 display_order */
    CSV_COL_ACTIVE,     /* 在籍 active */
    CSV_COL_COUNT
};

/*
 * Returns the column a header cell names, or -1. Spaces around the name (ASCII, tab,
 * U+3000) and a leading BOM are ignored; ASCII letters compare case-insensitively.
 */
int csv_header_lookup(const char *name, size_t len);

/* The canonical Japanese name of a column (職員番号, 氏名, ...), for messages. */
const char *csv_column_name(enum csv_column col);

/*
 * Maps a header record to columns: index[c] becomes the field number of column c, or -1
 * when the header lacks it. Unknown header cells are ignored. Returns the number of
 * columns found, or CSV_E_DUPLICATE_COLUMN when two cells name the same column (then
 * *dup_field, if dup_field is not NULL, is the second cell's field number).
 */
int csv_header_index(const struct csv_field *fields, size_t nfields, int index[CSV_COL_COUNT], size_t *dup_field);

#endif
