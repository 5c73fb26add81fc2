/*
 * Web Push (see webpush.h) with OpenSSL 3: the application server's P-256 key (VAPID, RFC 8292),
 * the message encryption of RFC 8291 in the aes128gcm content coding of RFC 8188, and a small
 * HTTP/1.1 POST over TLS to the push service.
 */
#include "util/webpush.h"
#include "util/xmalloc.h"

#include <netdb.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- base64url without padding ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
webpush_b64url(const unsigned char *in, size_t n, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        int chars = i + 2 < n ? 4 : i + 1 < n ? 3 : 2;
        for (int k = 0; k < chars && o + 1 < size; k++)
            out[o++] = B64[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
    return o;
}

int
webpush_unb64url(const char *in, unsigned char *out, size_t size)
{
    size_t o = 0;
    unsigned v = 0;
    int bits = 0;
    for (; *in && *in != '='; in++) {
        const char *p = strchr(B64, *in == '+' ? '-' : *in == '/' ? '_' : *in);
        if (p == NULL || *in == '\0')
            return -1;
        v = v << 6 | (unsigned)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == size)
                return -1;
            out[o++] = (unsigned char)(v >> bits);
        }
    }
    return (int)o;
}

/* ---- keys ---- */

static EVP_PKEY *
key_from_pem(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return k;
}

static int
public_raw(EVP_PKEY *k, unsigned char out[65])
{
    size_t n = 0;
    return EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, 65, &n) == 1 && n == 65 ? 0 : -1;
}

char *
webpush_vapid_generate(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (k == NULL)
        return NULL;
    BIO *b = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1) {
        char *p;
        long n = BIO_get_mem_data(b, &p);
        out = xmalloc((size_t)n + 1);
        memcpy(out, p, (size_t)n);
        out[n] = '\0';
    }
    BIO_free(b);
    EVP_PKEY_free(k);
    return out;
}

int
webpush_vapid_public(const char *pem, char *out, size_t size)
{
    EVP_PKEY *k = key_from_pem(pem);
    unsigned char raw[65];
    int rc = k && public_raw(k, raw) == 0 ? 0 : -1;
    if (rc == 0)
        webpush_b64url(raw, 65, out, size);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- RFC 8291 ---- */

static void
hmac256(const unsigned char *key, size_t klen, const unsigned char *a, size_t alen, const unsigned char *b, size_t blen,
        unsigned char out[32])
{
    unsigned char buf[512];
    unsigned n = 0;
    memcpy(buf, a, alen);
    if (blen)
        memcpy(buf + alen, b, blen);
    HMAC(EVP_sha256(), key, (int)klen, buf, alen + blen, out, &n);
}

/* HKDF-Expand for one block (every length here is ≤ 32): T(1) = HMAC(PRK, info ‖ 0x01). */
static void
hkdf_expand1(const unsigned char prk[32], const unsigned char *info, size_t ilen, unsigned char *out, size_t n)
{
    unsigned char one = 1, t[32];
    hmac256(prk, 32, info, ilen, &one, 1, t);
    memcpy(out, t, n);
}

static EVP_PKEY *
peer_key(const unsigned char ua_public[65])
{
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0),
                           OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)ua_public, 65), OSSL_PARAM_END};
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *k = NULL;
    if (c && EVP_PKEY_fromdata_init(c) == 1)
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(c);
    return k;
}

unsigned char *
webpush_encrypt(const unsigned char ua_public[65], const unsigned char auth[16], const void *payload, size_t plen, size_t *outlen)
{
    unsigned char *out = NULL, as_public[65], secret[32], prk_key[32], ikm[32], salt[16], prk[32], cek[16], nonce[12];
    size_t slen = sizeof(secret);
    EVP_PKEY *as = EVP_EC_gen("P-256"), *ua = peer_key(ua_public);
    EVP_PKEY_CTX *d = as ? EVP_PKEY_CTX_new(as, NULL) : NULL;
    EVP_CIPHER_CTX *g = NULL;
    if (!as || !ua || !d || public_raw(as, as_public) != 0 || EVP_PKEY_derive_init(d) != 1 ||
        EVP_PKEY_derive_set_peer(d, ua) != 1 || EVP_PKEY_derive(d, secret, &slen) != 1 || slen != 32 || RAND_bytes(salt, 16) != 1)
        goto done;
    /* IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info\0" ‖ ua_public ‖ as_public, 32) */
    unsigned char info[14 + 65 + 65];
    memcpy(info, "WebPush: info", 14);
    memcpy(info + 14, ua_public, 65);
    memcpy(info + 79, as_public, 65);
    hmac256(auth, 16, secret, 32, NULL, 0, prk_key);
    hkdf_expand1(prk_key, info, sizeof(info), ikm, 32);
    /* CEK and NONCE from the record's salt (RFC 8188). */
    hmac256(salt, 16, ikm, 32, NULL, 0, prk);
    hkdf_expand1(prk, (const unsigned char *)"Content-Encoding: aes128gcm", 28, cek, 16);
    hkdf_expand1(prk, (const unsigned char *)"Content-Encoding: nonce", 24, nonce, 12);
    /* One record: the payload, then the last-record delimiter 0x02. */
    size_t hdr = 16 + 4 + 1 + 65, clen = plen + 1 + 16;
    out = xmalloc(hdr + clen);
    memcpy(out, salt, 16);
    unsigned rs = 4096;
    out[16] = (unsigned char)(rs >> 24), out[17] = (unsigned char)(rs >> 16), out[18] = (unsigned char)(rs >> 8),
    out[19] = (unsigned char)rs;
    out[20] = 65;
    memcpy(out + 21, as_public, 65);
    unsigned char *plain = xmalloc(plen + 1);
    memcpy(plain, payload, plen);
    plain[plen] = 2;
    int n1 = 0, n2 = 0;
    g = EVP_CIPHER_CTX_new();
    int ok = g && EVP_EncryptInit_ex(g, EVP_aes_128_gcm(), NULL, cek, nonce) == 1 &&
             EVP_EncryptUpdate(g, out + hdr, &n1, plain, (int)plen + 1) == 1 && EVP_EncryptFinal_ex(g, out + hdr + n1, &n2) == 1 &&
             EVP_CIPHER_CTX_ctrl(g, EVP_CTRL_GCM_GET_TAG, 16, out + hdr + n1 + n2) == 1;
    free(plain);
    if (!ok) {
        free(out);
        out = NULL;
    } else {
        *outlen = hdr + (size_t)n1 + (size_t)n2 + 16;
    }
done:
    OPENSSL_cleanse(secret, sizeof(secret));
    OPENSSL_cleanse(cek, sizeof(cek));
    EVP_CIPHER_CTX_free(g);
    EVP_PKEY_CTX_free(d);
    EVP_PKEY_free(as);
    EVP_PKEY_free(ua);
    return out;
}

/* ---- VAPID (RFC 8292): an ES256 JWT for the push service's origin ---- */

int
webpush_vapid_header(const char *pem, const char *audience, const char *subject, long exp, char *out, size_t size)
{
    EVP_PKEY *k = key_from_pem(pem);
    if (k == NULL)
        return -1;
    char h64[64], c64[512], claims[512], sig64[128], pub[100];
    const char *hdr = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
    webpush_b64url((const unsigned char *)hdr, strlen(hdr), h64, sizeof(h64));
    snprintf(claims, sizeof(claims), "{\"aud\":\"%s\",\"exp\":%ld,\"sub\":\"%s\"}", audience, exp, subject);
    webpush_b64url((const unsigned char *)claims, strlen(claims), c64, sizeof(c64));
    char input[700];
    snprintf(input, sizeof(input), "%s.%s", h64, c64);
    unsigned char der[80], raw[64];
    size_t dlen = sizeof(der);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    int rc = -1;
    if (m && EVP_DigestSignInit(m, NULL, EVP_sha256(), NULL, k) == 1 &&
        EVP_DigestSign(m, der, &dlen, (const unsigned char *)input, strlen(input)) == 1) {
        /* JWS wants r ‖ s (32 bytes each), not the DER signature OpenSSL makes. */
        const unsigned char *p = der;
        ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
        const BIGNUM *r, *s;
        if (sig) {
            ECDSA_SIG_get0(sig, &r, &s);
            if (BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32) == 32 &&
                webpush_vapid_public(pem, pub, sizeof(pub)) == 0) {
                webpush_b64url(raw, 64, sig64, sizeof(sig64));
                rc = snprintf(out, size, "vapid t=%s.%s, k=%s", input, sig64, pub) < (int)size ? 0 : -1;
            }
            ECDSA_SIG_free(sig);
        }
    }
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(k);
    return rc;
}

/* ---- the POST ---- */

int
webpush_origin(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    if (p == NULL)
        return -1;
    const char *end = strchr(p + 3, '/');
    size_t n = end ? (size_t)(end - url) : strlen(url);
    if (n + 1 > size)
        return -1;
    memcpy(out, url, n);
    out[n] = '\0';
    return 0;
}

int
webpush_post(const char *url, const char *authorization, const unsigned char *body, size_t len, int ttl, int allow_plain, char *err,
             size_t errlen)
{
    int tls = !strncmp(url, "https://", 8);
    if (!tls && !(allow_plain && !strncmp(url, "http://", 7))) {
        snprintf(err, errlen, "push endpoints must be https");
        return -1;
    }
    const char *hp = url + (tls ? 8 : 7), *path = strchr(hp, '/');
    char host[256], port[8] = "";
    size_t hl = path ? (size_t)(path - hp) : strlen(hp);
    if (hl == 0 || hl >= sizeof(host)) {
        snprintf(err, errlen, "bad endpoint");
        return -1;
    }
    memcpy(host, hp, hl);
    host[hl] = '\0';
    char *colon = strrchr(host, ':');
    if (colon && !strchr(host, ']')) {
        snprintf(port, sizeof(port), "%s", colon + 1);
        *colon = '\0';
    }
    if (!port[0])
        snprintf(port, sizeof(port), "%s", tls ? "443" : "80");
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0) {
        snprintf(err, errlen, "cannot resolve %s", host);
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct timeval tv = {10, 0};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        snprintf(err, errlen, "cannot connect to %s:%s", host, port);
        freeaddrinfo(ai);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    freeaddrinfo(ai);
    SSL_CTX *ctx = NULL;
    SSL *ssl = NULL;
    if (tls) {
        ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_default_verify_paths(ctx);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        ssl = SSL_new(ctx);
        SSL_set_tlsext_host_name(ssl, host);
        SSL_set1_host(ssl, host);
        SSL_set_fd(ssl, fd);
        if (SSL_connect(ssl) != 1) {
            snprintf(err, errlen, "TLS with %s failed", host);
            SSL_free(ssl);
            SSL_CTX_free(ctx);
            close(fd);
            return -1;
        }
    }
    char head[2048];
    int hn = snprintf(head, sizeof(head),
                      "POST %s HTTP/1.1\r\nHost: %.*s\r\nAuthorization: %s\r\nContent-Encoding: aes128gcm\r\n"
                      "Content-Type: application/octet-stream\r\nTTL: %d\r\nUrgency: normal\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      path ? path : "/", (int)hl, hp, authorization, ttl, len);
    int status = -1;
    int ok = hn > 0 && hn < (int)sizeof(head);
    if (ok)
        ok = tls ? SSL_write(ssl, head, hn) == hn && SSL_write(ssl, body, (int)len) == (int)len
                 : write(fd, head, (size_t)hn) == hn && write(fd, body, len) == (ssize_t)len;
    char resp[256];
    int rn = ok ? (tls ? SSL_read(ssl, resp, sizeof(resp) - 1) : (int)read(fd, resp, sizeof(resp) - 1)) : -1;
    if (rn > 12 && !strncmp(resp, "HTTP/1.", 7)) {
        resp[rn] = '\0';
        status = atoi(resp + 9);
    } else {
        snprintf(err, errlen, "no answer from %s", host);
    }
    if (ssl) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    SSL_CTX_free(ctx);
    close(fd);
    return status;
}
