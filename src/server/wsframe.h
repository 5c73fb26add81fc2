/*
 * RFC 6455 frame parsing and building, with no I/O and no per-connection state.
 *
 * The session layer owns the socket and its input buffer; it hands this parser whatever
 * bytes it has, and the parser either needs more, rejects the stream, or returns one frame
 * whose payload has been unmasked in place inside that buffer (so no copy is made and the
 * buffer's owner frees it when drained). Message-level rules (reassembling continuation
 * frames, UTF-8 of whole text messages, the close handshake) belong to the session layer.
 */
#ifndef KAIRAN_SERVER_WSFRAME_H
#define KAIRAN_SERVER_WSFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Opcodes, RFC 6455 §5.2 and §11.8. */
#define WSFRAME_OP_CONTINUATION 0x0
#define WSFRAME_OP_TEXT 0x1
#define WSFRAME_OP_BINARY 0x2
#define WSFRAME_OP_CLOSE 0x8
#define WSFRAME_OP_PING 0x9
#define WSFRAME_OP_PONG 0xA

/* Control frames carry at most 125 bytes (§5.5). */
#define WSFRAME_MAX_CONTROL_PAYLOAD 125
/* The longest header: 2 bytes, 8 of extended length, 4 of masking key (§5.2). */
#define WSFRAME_MAX_HEADER 14

/* Status codes this server sends (§7.4.1). */
#define WSFRAME_CLOSE_NORMAL 1000
#define WSFRAME_CLOSE_GOING_AWAY 1001
#define WSFRAME_CLOSE_PROTOCOL_ERROR 1002
#define WSFRAME_CLOSE_NO_STATUS 1005 /* never on the wire: what an empty close body means */
#define WSFRAME_CLOSE_INVALID_DATA 1007
#define WSFRAME_CLOSE_POLICY 1008
#define WSFRAME_CLOSE_TOO_BIG 1009
#define WSFRAME_CLOSE_INTERNAL_ERROR 1011

/* Errors from wsframe_parse() and wsframe_parse_close(). */
enum wsframe_error {
    WSFRAME_E_RSV = -1,                /* RSV1..3 set with no extension negotiated (§5.2) */
    WSFRAME_E_OPCODE = -2,             /* a reserved opcode (§5.2) */
    WSFRAME_E_UNMASKED = -3,           /* client frames must be masked (§5.1) */
    WSFRAME_E_CONTROL_FRAGMENTED = -4, /* control frame without FIN (§5.5) */
    WSFRAME_E_CONTROL_TOO_LONG = -5,   /* control frame over 125 bytes (§5.5) */
    WSFRAME_E_LENGTH = -6,             /* 64-bit length with its most significant bit set (§5.2) */
    WSFRAME_E_TOO_BIG = -7,            /* payload longer than the caller's max_payload */
    WSFRAME_E_CLOSE_PAYLOAD = -8,      /* bad close body: 1 byte long or a code that may not be sent */
    WSFRAME_E_CLOSE_UTF8 = -9,         /* close reason is not UTF-8 (§5.5.1) */
};

/* One parsed frame. payload points into the caller's buffer and is already unmasked. */
struct wsframe {
    bool fin;
    uint8_t opcode;
    uint8_t *payload; /* borrowed from buf; NULL-safe to use with payload_len 0 */
    size_t payload_len;
};

/*
 * Parses one client frame from buf[0..len). Returns the number of bytes the frame occupies
 * (> 0) and fills *out, having unmasked the payload in place; returns 0 when buf holds only
 * part of a frame (call again with the same bytes and more; nothing was changed); returns
 * a negative enum wsframe_error when the stream must be failed (see wsframe_close_status()).
 * Errors are reported as soon as the bytes that show them have arrived, and a payload over
 * max_payload is refused from its header alone, before it is buffered. Continuation frames
 * are returned like any other: the parser keeps no state between calls.
 */
ssize_t wsframe_parse(uint8_t *buf, size_t len, size_t max_payload, struct wsframe *out);

/*
 * Writes the header of an unmasked, final (FIN set) server frame with the given opcode and
 * payload length into out, and returns its size: 2, 4 or 10 bytes.
 */
size_t wsframe_header(uint8_t out[10], int opcode, uint64_t len);

/*
 * Builds a close frame body (§5.5.1) in out: the status code, then reason[0..reason_len)
 * (UTF-8), cut at a code point boundary to fit 125 bytes. Returns its length. code 0 gives
 * an empty body (no status). reason may be NULL when reason_len is 0.
 */
size_t wsframe_close_payload(uint8_t out[WSFRAME_MAX_CONTROL_PAYLOAD], uint16_t code, const char *reason, size_t reason_len);

/*
 * Reads a close frame body from a peer. An empty body yields code WSFRAME_CLOSE_NO_STATUS
 * and an empty reason. *reason points into payload (borrowed). Returns 0,
 * WSFRAME_E_CLOSE_PAYLOAD for a 1-byte body or a code that may not be sent (§7.4.2), or
 * WSFRAME_E_CLOSE_UTF8 for a reason that is not UTF-8 (§5.5.1); close then with
 * wsframe_close_status() of that error.
 */
int wsframe_parse_close(const uint8_t *payload, size_t len, uint16_t *code, const char **reason, size_t *reason_len);

/* True for a status code a peer may put on the wire (§7.4.1, §7.4.2, IANA registry). */
bool wsframe_close_code_valid(uint16_t code);

/* The status code to close with after an error from this module: 1009 for too big, 1007 for
 * a close reason that is not UTF-8, else 1002. */
uint16_t wsframe_close_status(int err);

/* A short English description of an enum wsframe_error, for logs. Static string. */
const char *wsframe_strerror(int err);

#endif
