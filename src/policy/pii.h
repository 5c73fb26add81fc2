/*
 * The personal-information guard's detector: finds My Number and other identifiers in text (pure: no I/O).
 *
 * A My Number (個人番号, 番号法) is 12 digits whose last is a check digit, so about one random 12-digit
 * string in ten passes: the check digit alone only asks the user to confirm, and a block needs an
 * identifying word nearby (マイナンバー, 個人番号, 通知カード...). Words that explain a number as
 * something else (電話, FAX, 〒, 注文番号, 法人番号, a URL) silence it. The other identifiers a city may
 * turn on have no usable check of their own (or a weak one), so they are reported only with their
 * keyword. Hits carry the kind and the position, in UTF-16 code units because that is how web clients
 * count, and in bytes for the server; never the digits, so nothing downstream can log or echo them by
 * accident. What a hit means (block, warn, confirm) is the caller's policy, not this module's.
 */
#ifndef KAIRAN_POLICY_PII_H
#define KAIRAN_POLICY_PII_H

#include <stddef.h>

enum pii_kind {
    PII_MY_NUMBER = 1,         /* valid check digit and a My Number keyword nearby */
    PII_MY_NUMBER_UNCONFIRMED, /* valid check digit, no keyword: ask the user */
    PII_RESIDENCE_CARD,        /* 在留カード番号: 2 letters, 8 digits, 2 letters */
    PII_BASIC_PENSION,         /* 基礎年金番号: 10 digits, written 4-6 */
    PII_RESIDENT_CODE,         /* 住民票コード: 11 digits */
    PII_DRIVER_LICENSE,        /* 運転免許証番号: 12 digits */
    PII_CREDIT_CARD,           /* 13-19 digits passing the Luhn check */
};
#define PII_KIND_MAX PII_CREDIT_CARD

/* The bit of an optional kind in pii_options.kinds. */
#define PII_KIND_BIT(kind) (1u << (kind))
#define PII_OPTIONAL_KINDS                                                                                                         \
    (PII_KIND_BIT(PII_RESIDENCE_CARD) | PII_KIND_BIT(PII_BASIC_PENSION) | PII_KIND_BIT(PII_RESIDENT_CODE) |                        \
     PII_KIND_BIT(PII_DRIVER_LICENSE) | PII_KIND_BIT(PII_CREDIT_CARD))

/* Characters (code points) between a number and a word for the word to count. */
#define PII_DEFAULT_WINDOW 20
#define PII_MAX_WINDOW 200

/* What to look for. A zeroed struct, like NULL, means My Number only with the default window. */
struct pii_options {
    unsigned kinds;  /* PII_KIND_BIT() of each optional kind to report; My Number is always on */
    unsigned window; /* context window in characters; 0 = PII_DEFAULT_WINDOW, capped at PII_MAX_WINDOW */
};

/* One finding. Offsets count from the start of the scanned text; the span includes any separators. */
struct pii_hit {
    enum pii_kind kind;
    size_t utf16_offset, utf16_length; /* for clients (JavaScript string indices) */
    size_t byte_offset, byte_length;   /* for the server, e.g. to hash the span for the audit log */
};

/*
 * Scans utf8[0..len) and writes up to max hits, in text order and never overlapping, to hits (which may
 * be NULL when max is 0). Returns the number of hits in the text, which may exceed max. Invalid UTF-8 is
 * tolerated (each bad byte counts as one character, U+FFFD) but callers should validate first so that
 * offsets agree with the client's. opt NULL means the defaults. Borrows everything; keeps nothing.
 */
size_t pii_scan(const char *utf8, size_t len, const struct pii_options *opt, struct pii_hit *hits, size_t max);

/* Stable snake_case code of a kind for the API and the audit log ("my_number", ...); "unknown" otherwise. */
const char *pii_kind_code(enum pii_kind kind);

/* The kind whose code is code[0..len), or 0 (e.g. for a typo in an administrator's identifier list). */
enum pii_kind pii_kind_from_code(const char *code, size_t len);

/* The identifier's name for users, in Japanese or English. Static strings, never NULL. */
const char *pii_kind_name_ja(enum pii_kind kind);
const char *pii_kind_name_en(enum pii_kind kind);

#endif
