/*
 * TOTP one-time codes (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 6 digits, 30-second steps):
 * what authenticator apps on staff phones produce.
 */
#ifndef KAIRAN_UTIL_TOTP_H
#define KAIRAN_UTIL_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_STEP_SECONDS 30

/* The 6-digit code for `counter` (RFC 4226 §5.3, dynamic truncation). */
uint32_t totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter);
/*
 * Checks `code` (6 ASCII digits) at time `now_s`, allowing one step of clock drift either
 * way. Returns the matching counter (> 0), or 0 when it does not match. A caller rejects a
 * counter it has already accepted, so a code cannot be replayed.
 */
uint64_t totp_check(const uint8_t *key, size_t keylen, const char *code, int64_t now_s);
/* RFC 4648 base32 without padding; out needs 8 * ceil(len / 5) + 1 bytes. */
void totp_base32(const uint8_t *in, size_t len, char *out);
/* Decodes base32 (case-insensitive, no padding); returns the byte count or -1. */
int totp_base32_decode(const char *in, uint8_t *out, size_t max);

#endif
