/*
 * libFuzzer target for src/server/wsframe.c: arbitrary bytes as a client's stream.
 *
 * Besides "no crash", it checks the parser's promises: a frame never claims more bytes than
 * it was given, its payload lies inside the frame, every shorter prefix of a frame needs
 * more (so a split read cannot yield a different answer), and close bodies either parse or
 * fail cleanly.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/wsframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf, *copy;
    size_t off = 0, max_payload;

    if (size < 1)
        return 0;
    /* The first byte picks the limit, so both small and generous limits are explored. */
    max_payload = (size_t)data[0] * 64;
    data++;
    size--;
    if ((buf = malloc(size + 1)) == NULL || (copy = malloc(size + 1)) == NULL) {
        free(buf);
        return 0;
    }
    memcpy(buf, data, size);
    memcpy(copy, data, size);

    while (off < size) {
        struct wsframe f;
        ssize_t n = wsframe_parse(buf + off, size - off, max_payload, &f);
        if (n <= 0)
            break;
        assert((size_t)n <= size - off);
        assert(f.payload >= buf + off && f.payload + f.payload_len == buf + off + n);
        assert(f.payload_len <= max_payload);
        if (f.opcode & 0x8) {
            assert(f.fin && f.payload_len <= WSFRAME_MAX_CONTROL_PAYLOAD);
        }
        /* Every strict prefix of the (still masked) frame must need more bytes. */
        for (size_t cut = 0; cut < (size_t)n; cut += 1 + (size_t)n / 64) {
            struct wsframe g;
            uint8_t *tmp = malloc(cut + 1);
            assert(tmp != NULL);
            memcpy(tmp, copy + off, cut);
            assert(wsframe_parse(tmp, cut, max_payload, &g) == 0);
            free(tmp);
        }
        if (f.opcode == WSFRAME_OP_CLOSE) {
            uint16_t code;
            const char *reason;
            size_t rlen;
            int rc = wsframe_parse_close(f.payload, f.payload_len, &code, &reason, &rlen);
            assert(rc == 0 || rc == WSFRAME_E_CLOSE_PAYLOAD || rc == WSFRAME_E_CLOSE_UTF8);
            if (rc == 0) {
                uint8_t out[WSFRAME_MAX_CONTROL_PAYLOAD];
                if (code != WSFRAME_CLOSE_NO_STATUS) {
                    assert(wsframe_close_payload(out, code, reason, rlen) == f.payload_len);
                    assert(memcmp(out, f.payload, f.payload_len) == 0);
                }
            }
        }
        {
            uint8_t h[10];
            size_t hl = wsframe_header(h, f.opcode, f.payload_len);
            assert(hl == 2 || hl == 4 || hl == 10);
        }
        off += (size_t)n;
    }
    free(buf);
    free(copy);
    return 0;
}
