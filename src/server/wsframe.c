/*
 * RFC 6455 framing: a stateless parser for client frames and builders for server frames.
 *
 * Base framing protocol, RFC 6455 §5.2:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * The parser is stateless so that a frame split across reads costs nothing to resume: the
 * caller keeps the bytes and calls again. That is why unmasking happens only once the whole
 * frame is present; unmasking a partial payload would be undone by the next attempt.
 * Non-minimal length encodings (a 5-byte payload sent with a 16-bit length) are accepted:
 * §5.2 binds the sender, and rejecting them would buy nothing.
 */
#include "server/wsframe.h"

#include <limits.h>
#include <string.h>

#include "util/utf8.h"

ssize_t
wsframe_parse(uint8_t *buf, size_t len, size_t max_payload, struct wsframe *out)
{
    uint8_t b0, b1, opcode, *mask;
    uint64_t plen;
    size_t hdr = 2;

    /* Keep header + payload representable in the ssize_t we return. */
    if (max_payload > (size_t)SSIZE_MAX - WSFRAME_MAX_HEADER)
        max_payload = (size_t)SSIZE_MAX - WSFRAME_MAX_HEADER;

    if (len < 1)
        return 0;
    b0 = buf[0];
    opcode = b0 & 0x0F;
    /* §5.2: RSV bits MUST be 0 unless an extension defines them; we negotiate none. */
    if (b0 & 0x70)
        return WSFRAME_E_RSV;
    switch (opcode) {
    case WSFRAME_OP_CONTINUATION:
    case WSFRAME_OP_TEXT:
    case WSFRAME_OP_BINARY:
    case WSFRAME_OP_CLOSE:
    case WSFRAME_OP_PING:
    case WSFRAME_OP_PONG:
        break;
    default:
        /* §5.2: 0x3-0x7 and 0xB-0xF are reserved; receiving one fails the connection. */
        return WSFRAME_E_OPCODE;
    }
    /* §5.5: control frames (opcode high bit set) MUST NOT be fragmented. */
    if ((opcode & 0x8) && !(b0 & 0x80))
        return WSFRAME_E_CONTROL_FRAGMENTED;

    if (len < 2)
        return 0;
    b1 = buf[1];
    /* §5.1: the server MUST close the connection on an unmasked client frame. */
    if (!(b1 & 0x80))
        return WSFRAME_E_UNMASKED;
    plen = b1 & 0x7F;
    /* §5.5: control frames have a payload length of 125 bytes or less. */
    if ((opcode & 0x8) && plen > WSFRAME_MAX_CONTROL_PAYLOAD)
        return WSFRAME_E_CONTROL_TOO_LONG;
    if (plen == 126) {
        if (len < 4)
            return 0;
        plen = (uint64_t)buf[2] << 8 | buf[3];
        hdr = 4;
    } else if (plen == 127) {
        if (len < 10)
            return 0;
        plen = 0;
        for (int i = 0; i < 8; i++)
            plen = plen << 8 | buf[2 + i];
        /* §5.2: "the most significant bit MUST be 0". */
        if (plen >> 63)
            return WSFRAME_E_LENGTH;
        hdr = 10;
    }
    if (plen > max_payload)
        return WSFRAME_E_TOO_BIG;

    if (len < hdr + 4)
        return 0;
    mask = buf + hdr;
    hdr += 4;
    if (len - hdr < plen)
        return 0;

    /* §5.3: octet i of the payload is XORed with octet i MOD 4 of the masking key. */
    out->payload = buf + hdr;
    for (size_t i = 0; i < plen; i++)
        out->payload[i] ^= mask[i & 3];
    out->fin = (b0 & 0x80) != 0;
    out->opcode = opcode;
    out->payload_len = (size_t)plen;
    return (ssize_t)(hdr + plen);
}

size_t
wsframe_header(uint8_t out[10], int opcode, uint64_t len)
{
    /* Server frames are never fragmented and never masked (§5.1). */
    out[0] = 0x80 | (opcode & 0x0F);
    if (len <= 125) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}

size_t
wsframe_close_payload(uint8_t out[WSFRAME_MAX_CONTROL_PAYLOAD], uint16_t code, const char *reason, size_t reason_len)
{
    size_t n;

    if (code == 0)
        return 0;
    out[0] = (uint8_t)(code >> 8);
    out[1] = (uint8_t)code;
    /* §5.5.1: the reason is UTF-8, so a cut must not split a character. */
    n = utf8_truncate_bytes(reason, reason_len, WSFRAME_MAX_CONTROL_PAYLOAD - 2);
    if (reason != NULL && n > 0)
        memcpy(out + 2, reason, n);
    return 2 + n;
}

bool
wsframe_close_code_valid(uint16_t code)
{
    /*
     * §7.4.1 defines 1000-1011 of which 1004 is reserved and 1005, 1006 and 1015 "MUST
     * NOT be set as a status code in a Close control frame"; the IANA registry (§11.7)
     * has since added 1012-1014. 3000-3999 are registered for libraries and 4000-4999
     * are private use (§7.4.2); everything else is unassigned and invalid.
     */
    if (code >= 1000 && code <= 1014)
        return code != 1004 && code != 1005 && code != 1006;
    return code >= 3000 && code <= 4999;
}

int
wsframe_parse_close(const uint8_t *payload, size_t len, uint16_t *code, const char **reason, size_t *reason_len)
{
    if (len == 0) {
        *code = WSFRAME_CLOSE_NO_STATUS;
        *reason = "";
        *reason_len = 0;
        return 0;
    }
    if (len == 1)
        return WSFRAME_E_CLOSE_PAYLOAD;
    *code = (uint16_t)(payload[0] << 8 | payload[1]);
    if (!wsframe_close_code_valid(*code))
        return WSFRAME_E_CLOSE_PAYLOAD;
    if (!utf8_valid((const char *)payload + 2, len - 2))
        return WSFRAME_E_CLOSE_UTF8;
    *reason = (const char *)payload + 2;
    *reason_len = len - 2;
    return 0;
}

uint16_t
wsframe_close_status(int err)
{
    if (err == WSFRAME_E_TOO_BIG)
        return WSFRAME_CLOSE_TOO_BIG;
    if (err == WSFRAME_E_CLOSE_UTF8)
        return WSFRAME_CLOSE_INVALID_DATA;
    return WSFRAME_CLOSE_PROTOCOL_ERROR;
}

const char *
wsframe_strerror(int err)
{
    switch (err) {
    case WSFRAME_E_RSV:
        return "reserved bits set";
    case WSFRAME_E_OPCODE:
        return "reserved opcode";
    case WSFRAME_E_UNMASKED:
        return "unmasked client frame";
    case WSFRAME_E_CONTROL_FRAGMENTED:
        return "fragmented control frame";
    case WSFRAME_E_CONTROL_TOO_LONG:
        return "control frame payload over 125 bytes";
    case WSFRAME_E_LENGTH:
        return "payload length has its most significant bit set";
    case WSFRAME_E_TOO_BIG:
        return "payload too big";
    case WSFRAME_E_CLOSE_PAYLOAD:
        return "invalid close frame body";
    case WSFRAME_E_CLOSE_UTF8:
        return "close reason is not UTF-8";
    default:
        return "unknown error";
    }
}
