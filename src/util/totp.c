/*
 * TOTP (see totp.h). HMAC-SHA1 comes from OpenSSL's libcrypto, which h2o already links.
 */
#include "util/totp.h"

#include <openssl/hmac.h>
#include <string.h>

uint32_t
totp_hotp(const uint8_t *key, size_t keylen, uint64_t counter)
{
    uint8_t msg[8], mac[20];
    unsigned int maclen = sizeof(mac);
    for (int i = 7; i >= 0; i--) {
        msg[i] = (uint8_t)(counter & 0xff);
        counter >>= 8;
    }
    HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen);
    int off = mac[19] & 0x0f;
    uint32_t bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) | ((uint32_t)mac[off + 2] << 8) |
                   (uint32_t)mac[off + 3];
    return bin % 1000000;
}

uint64_t
totp_check(const uint8_t *key, size_t keylen, const char *code, int64_t now_s)
{
    if (code == NULL || strlen(code) != 6)
        return 0;
    uint32_t want = 0;
    for (int i = 0; i < 6; i++) {
        if (code[i] < '0' || code[i] > '9')
            return 0;
        want = want * 10 + (uint32_t)(code[i] - '0');
    }
    uint64_t t = (uint64_t)now_s / TOTP_STEP_SECONDS;
    for (int d = -1; d <= 1; d++) {
        uint64_t c = t + (uint64_t)d;
        if (totp_hotp(key, keylen, c) == want)
            return c;
    }
    return 0;
}

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
totp_base32(const uint8_t *in, size_t len, char *out)
{
    uint32_t buf = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        buf = (buf << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            *out++ = alphabet[(buf >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0)
        *out++ = alphabet[(buf << (5 - bits)) & 31];
    *out = '\0';
}

int
totp_base32_decode(const char *in, uint8_t *out, size_t max)
{
    uint32_t buf = 0;
    int bits = 0;
    size_t n = 0;
    for (; *in; in++) {
        char c = *in >= 'a' && *in <= 'z' ? (char)(*in - 32) : *in;
        const char *p = c ? strchr(alphabet, c) : NULL;
        if (p == NULL)
            return -1;
        buf = (buf << 5) | (uint32_t)(p - alphabet);
        bits += 5;
        if (bits >= 8) {
            if (n == max)
                return -1;
            out[n++] = (uint8_t)(buf >> (bits - 8));
            bits -= 8;
        }
    }
    return (int)n;
}
