/*
 * Web Push for the phone app (R22, off by default: a closed network cannot reach the push
 * services). The payload never holds message text; this module only encrypts and delivers it:
 * RFC 8291 message encryption (aes128gcm, RFC 8188), VAPID (RFC 8292) with the server's own
 * P-256 key, and one HTTP POST to the push service's endpoint.
 */
#ifndef KAIRAN_UTIL_WEBPUSH_H
#define KAIRAN_UTIL_WEBPUSH_H

#include <stddef.h>

/* base64url without padding; returns the length written (out is NUL-terminated). */
size_t webpush_b64url(const unsigned char *in, size_t n, char *out, size_t size);
/* Decodes base64url (or base64, padded or not): the length, or -1. */
int webpush_unb64url(const char *in, unsigned char *out, size_t size);

/* A new VAPID private key as PEM (malloc'd), or NULL. */
char *webpush_vapid_generate(void);
/* The key's public point, uncompressed, base64url (applicationServerKey for the browser). */
int webpush_vapid_public(const char *pem, char *out, size_t size);
/* "vapid t=JWT, k=KEY" for the endpoint's origin, valid until exp (seconds since 1970). */
int webpush_vapid_header(const char *pem, const char *audience, const char *subject, long exp, char *out, size_t size);
/* The scheme://host[:port] of a URL. */
int webpush_origin(const char *url, char *out, size_t size);

/* Encrypts payload for the subscription's keys (p256dh: 65 bytes, auth: 16): the request body. */
unsigned char *webpush_encrypt(const unsigned char ua_public[65], const unsigned char auth[16], const void *payload, size_t plen,
                               size_t *outlen);

/* POSTs the body; the HTTP status, or -1 with err. Plain http only when allow_plain (tests). */
int webpush_post(const char *url, const char *authorization, const unsigned char *body, size_t len, int ttl, int allow_plain,
                 char *err, size_t errlen);

#endif
