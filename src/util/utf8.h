/*
 * Strict UTF-8 checks and measurements for text that arrives from the network or from files.
 *
 * Everything here works on (pointer, length) pairs, never on NUL-terminated strings, because
 * a NUL byte is valid UTF-8 and must be seen to be rejected. Validation follows the Unicode
 * Standard, Table 3-7 ("Well-Formed UTF-8 Byte Sequences"): overlong forms, UTF-16
 * surrogates (U+D800..U+DFFF) and anything above U+10FFFF are invalid. The measuring
 * functions assume valid input; call utf8_valid() first.
 */
#ifndef KAIRAN_UTIL_UTF8_H
#define KAIRAN_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Flags for utf8_has_controls(): control characters that a field may legitimately hold. */
#define UTF8_ALLOW_TAB 0x1     /* U+0009, e.g. pasted tables in a message */
#define UTF8_ALLOW_NEWLINE 0x2 /* U+000A only; CR is still a control (clients send LF) */

/* Returns true when s[0..len) is well-formed UTF-8. s may be NULL when len is 0. */
bool utf8_valid(const char *s, size_t len);

/*
 * Decodes one code point from s[0..len) into *cp. Returns the number of bytes it used
 * (1..4), or 0 when the sequence at s is invalid, truncated, or len is 0 (*cp is then
 * left untouched).
 */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/*
 * Encodes cp into out (at least 4 bytes, not NUL-terminated). Returns the number of bytes
 * written, or 0 when cp is a surrogate or above U+10FFFF.
 */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Number of code points in valid UTF-8 s[0..len) (counts lead bytes). */
size_t utf8_count_codepoints(const char *s, size_t len);

/*
 * Number of UTF-16 code units that valid UTF-8 s[0..len) becomes: what JavaScript's
 * String.length reports, so limits we state to web clients agree with what they count.
 */
size_t utf8_utf16_length(const char *s, size_t len);

/*
 * Returns true when s[0..len) contains a NUL or another control character: C0 (U+0000..
 * U+001F) other than those allowed by flags, DEL (U+007F) or C1 (U+0080..U+009F, encoded
 * as C2 80..C2 9F). Works byte-wise, so it is safe on invalid input too.
 */
bool utf8_has_controls(const char *s, size_t len, unsigned flags);

/*
 * Returns the largest length <= max_bytes at which valid UTF-8 s[0..len) may be cut
 * without splitting a code point (len itself when len <= max_bytes).
 */
size_t utf8_truncate_bytes(const char *s, size_t len, size_t max_bytes);

/*
 * Returns the byte length of the first max_codepoints code points of valid UTF-8
 * s[0..len) (len itself when it has no more than that).
 */
size_t utf8_truncate_codepoints(const char *s, size_t len, size_t max_codepoints);

#endif
