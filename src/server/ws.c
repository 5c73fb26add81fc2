/*
 * WebSocket sessions on h2o's raw sockets (RFC 6455).
 *
 * After the HTTP/1.1 upgrade the socket is ours: client frames are parsed in place in the
 * socket's input buffer by wsframe.c, and server frames are refbufs shared by every recipient
 * (the hub builds each event's frame once). Frames that arrive while a write is in flight are
 * queued and leave together in one writev; so do the events a group commit published together,
 * because hub deliveries hold the first write until the hub's run ends (ws_flush). A session whose queue passes
 * KR_WS_MAX_QUEUE_BYTES or KR_WS_MAX_QUEUE_FRAMES is disconnected at once: it resyncs by sequence later, and it can neither slow
 * the others nor grow our memory without bound.
 *
 * Lifetime: a session is freed only from the loop (after its socket's close), never inside
 * the hub's iteration that may still hold a pointer to it.
 */
#include "api/realtime.h"
#include "server/internal.h"
#include "server/wsframe.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WS_IOV_MAX 64

struct ws {
    struct hub_conn hc;
    h2o_linklist_t link;       /* in loop_thread.sessions */
    h2o_linklist_t flush_link; /* in loop_thread.to_flush while a hub delivery waits */
    h2o_socket_t *sock;
    struct loop_thread *lt;
    struct refbuf **q; /* ring of queued frames */
    uint32_t qhead, qlen, qcap;
    uint32_t ninflight;
    size_t qbytes;
    int64_t last_rx;
    uint8_t closing, pinged, away, dead;
    /* A fragmented client message is reassembled here (rare: clients send small frames). */
    char *frag;
    uint32_t fraglen;
};

static void
ws_free(struct ws *w)
{
    for (uint32_t i = 0; i < w->qlen; i++)
        refbuf_release(w->q[(w->qhead + i) % w->qcap]);
    free(w->q);
    free(w->frag);
    free(w);
}

/* Closes the socket now and forgets the session. */
static void
ws_destroy(struct ws *w)
{
    if (w->dead)
        return;
    w->dead = 1;
    hub_detach(w->lt->hub, &w->hc);
    h2o_linklist_unlink(&w->link);
    if (h2o_linklist_is_linked(&w->flush_link))
        h2o_linklist_unlink(&w->flush_link);
    api_ws_closed(&w->lt->api, w->hc.user_id, w->away);
    if (w->sock) {
        h2o_socket_t *s = w->sock;
        w->sock = NULL;
        s->data = NULL;
        h2o_socket_close(s);
    }
    /* In-flight frames are released by on_write_complete, which h2o still calls on close. */
    if (w->ninflight == 0)
        ws_free(w);
}

static void do_write(struct ws *w);

static void
on_write_complete(h2o_socket_t *sock, const char *err)
{
    struct ws *w = sock->data;
    if (w == NULL)
        return;
    for (uint32_t i = 0; i < w->ninflight; i++) {
        struct refbuf *b = w->q[w->qhead];
        w->qbytes -= b->len;
        refbuf_release(b);
        w->qhead = (w->qhead + 1) % w->qcap;
        w->qlen--;
    }
    w->ninflight = 0;
    if (err != NULL || w->dead) {
        if (w->dead)
            ws_free(w);
        else
            ws_destroy(w);
        return;
    }
    if (w->qlen > 0) {
        do_write(w);
    } else if (w->closing) {
        ws_destroy(w);
    }
}

static void
do_write(struct ws *w)
{
    h2o_iovec_t bufs[WS_IOV_MAX];
    uint32_t n = w->qlen < WS_IOV_MAX ? w->qlen : WS_IOV_MAX;
    for (uint32_t i = 0; i < n; i++) {
        struct refbuf *b = w->q[(w->qhead + i) % w->qcap];
        bufs[i] = h2o_iovec_init(b->data, b->len);
    }
    w->ninflight = n;
    h2o_socket_write(w->sock, bufs, n, on_write_complete);
}

/* Queues a frame (takes a reference) and starts writing, or with `hold`, leaves the first write
 * to ws_flush. Returns -1 if the session had to be dropped. */
static int
enqueue_frame(struct ws *w, struct refbuf *frame, int hold)
{
    if (w->dead || (w->closing && frame != NULL && 0))
        return -1;
    if (w->qlen >= KR_WS_MAX_QUEUE_FRAMES || w->qbytes + frame->len > KR_WS_MAX_QUEUE_BYTES) {
        log_info("ws.slow_consumer", "user=%lld queued=%u bytes=%zu", (long long)w->hc.user_id, w->qlen, w->qbytes);
        hub_count_slow_drop();
        ws_destroy(w);
        return -1;
    }
    if (w->qlen == w->qcap) {
        uint32_t ncap = w->qcap ? w->qcap * 2 : 4;
        struct refbuf **nq = xmalloc(ncap * sizeof(*nq));
        for (uint32_t i = 0; i < w->qlen; i++)
            nq[i] = w->q[(w->qhead + i) % w->qcap];
        free(w->q);
        w->q = nq;
        w->qhead = 0;
        w->qcap = ncap;
    }
    refbuf_retain(frame);
    w->q[(w->qhead + w->qlen) % w->qcap] = frame;
    w->qlen++;
    w->qbytes += frame->len;
    if (w->ninflight == 0) {
        if (!hold)
            do_write(w);
        else if (!h2o_linklist_is_linked(&w->flush_link))
            h2o_linklist_insert(&w->lt->to_flush, &w->flush_link);
    }
    return 0;
}

static int
enqueue(struct ws *w, struct refbuf *frame)
{
    return enqueue_frame(w, frame, 0);
}

void
ws_flush(void *loop_thread)
{
    struct loop_thread *lt = loop_thread;
    while (!h2o_linklist_is_empty(&lt->to_flush)) {
        struct ws *w = H2O_STRUCT_FROM_MEMBER(struct ws, flush_link, lt->to_flush.next);
        h2o_linklist_unlink(&w->flush_link);
        /* A write may have started meanwhile (a control frame): it takes the queue along. */
        if (!w->dead && w->ninflight == 0 && w->qlen > 0)
            do_write(w);
    }
}

static void
send_control(struct ws *w, int opcode, const uint8_t *payload, size_t len)
{
    uint8_t hdr[10];
    size_t hl = wsframe_header(hdr, opcode, len);
    struct refbuf *b = refbuf_new(hl + len);
    memcpy(b->data, hdr, hl);
    if (len)
        memcpy(b->data + hl, payload, len);
    enqueue(w, b);
    refbuf_release(b);
}

static void
send_text(struct ws *w, const char *s)
{
    size_t len = strlen(s);
    uint8_t hdr[10];
    size_t hl = wsframe_header(hdr, WSFRAME_OP_TEXT, len);
    struct refbuf *b = refbuf_new(hl + len);
    memcpy(b->data, hdr, hl);
    memcpy(b->data + hl, s, len);
    enqueue(w, b);
    refbuf_release(b);
}

/* Starts the closing handshake (RFC 6455 §5.5.1): our close frame, then the socket. */
static void
ws_close(struct ws *w, uint16_t code)
{
    if (w->closing || w->dead)
        return;
    uint8_t payload[WSFRAME_MAX_CONTROL_PAYLOAD];
    size_t n = wsframe_close_payload(payload, code, NULL, 0);
    send_control(w, WSFRAME_OP_CLOSE, payload, n);
    if (!w->dead) {
        w->closing = 1;
        if (w->ninflight == 0 && w->qlen == 0)
            ws_destroy(w);
    }
}

void
ws_deliver(struct hub_conn *c, struct refbuf *frame)
{
    struct ws *w = (struct ws *)c;
    if (!w->closing)
        enqueue_frame(w, frame, 1);
}

void
ws_close_conn(struct hub_conn *c)
{
    ws_close((struct ws *)c, 4001);
}

static void
on_message(struct ws *w, const char *data, size_t len)
{
    if (!utf8_valid(data, len)) {
        ws_close(w, WSFRAME_CLOSE_INVALID_DATA);
        return;
    }
    int away = w->away;
    char *reply = api_ws_frame(&w->lt->api, w->hc.user_id, data, len, &away);
    w->away = (uint8_t)away;
    if (reply) {
        send_text(w, reply);
        free(reply);
    }
}

static void
on_read(h2o_socket_t *sock, const char *err)
{
    struct ws *w = sock->data;
    if (w == NULL)
        return;
    if (err != NULL) {
        ws_destroy(w);
        return;
    }
    w->last_rx = time_mono_ms();
    w->pinged = 0;
    while (!w->dead && sock->input->size > 0) {
        struct wsframe f;
        ssize_t n = wsframe_parse((uint8_t *)sock->input->bytes, sock->input->size, KR_WS_MAX_CLIENT_FRAME, &f);
        if (n == 0)
            break;
        if (n < 0) {
            ws_close(w, wsframe_close_status((int)n));
            h2o_buffer_consume(&sock->input, sock->input->size);
            return;
        }
        if (!w->closing) {
            switch (f.opcode) {
            case WSFRAME_OP_TEXT:
            case WSFRAME_OP_BINARY:
            case WSFRAME_OP_CONTINUATION:
                if (f.opcode != WSFRAME_OP_CONTINUATION && w->frag != NULL) {
                    ws_close(w, WSFRAME_CLOSE_PROTOCOL_ERROR);
                    break;
                }
                if (f.opcode == WSFRAME_OP_CONTINUATION && w->frag == NULL) {
                    ws_close(w, WSFRAME_CLOSE_PROTOCOL_ERROR);
                    break;
                }
                if (f.opcode == WSFRAME_OP_BINARY) {
                    ws_close(w, 1003); /* unsupported data (§7.4.1) */
                    break;
                }
                if (f.fin && w->frag == NULL) {
                    on_message(w, (const char *)f.payload, f.payload_len);
                    break;
                }
                if (w->fraglen + f.payload_len > KR_WS_MAX_CLIENT_FRAME) {
                    ws_close(w, WSFRAME_CLOSE_TOO_BIG);
                    break;
                }
                w->frag = xrealloc(w->frag, w->fraglen + f.payload_len + 1);
                memcpy(w->frag + w->fraglen, f.payload, f.payload_len);
                w->fraglen += (uint32_t)f.payload_len;
                if (f.fin) {
                    on_message(w, w->frag, w->fraglen);
                    free(w->frag);
                    w->frag = NULL;
                    w->fraglen = 0;
                }
                break;
            case WSFRAME_OP_PING:
                send_control(w, WSFRAME_OP_PONG, f.payload, f.payload_len);
                break;
            case WSFRAME_OP_PONG:
                break;
            case WSFRAME_OP_CLOSE: {
                uint16_t code = 1000;
                const char *reason;
                size_t rl;
                int crc = wsframe_parse_close(f.payload, f.payload_len, &code, &reason, &rl);
                if (crc != 0)
                    code = wsframe_close_status(crc);
                ws_close(w, code == WSFRAME_CLOSE_NO_STATUS ? 1000 : code);
                break;
            }
            }
        } else if (f.opcode == WSFRAME_OP_CLOSE) {
            /* The peer answered our close: done. */
            h2o_buffer_consume(&sock->input, (size_t)n);
            ws_destroy(w);
            return;
        }
        if (w->dead)
            return;
        h2o_buffer_consume(&sock->input, (size_t)n);
    }
}

void
ws_sweep(struct loop_thread *lt)
{
    int64_t now = time_mono_ms();
    static const uint8_t nothing[1];
    h2o_linklist_t *l = lt->sessions.next, *next;
    for (; l != &lt->sessions; l = next) {
        next = l->next;
        struct ws *w = H2O_STRUCT_FROM_MEMBER(struct ws, link, l);
        if (now - w->last_rx > KR_WS_IDLE_CLOSE_MS) {
            ws_destroy(w);
        } else if (now - w->last_rx > KR_WS_PING_AFTER_MS && !w->pinged) {
            w->pinged = 1;
            send_control(w, WSFRAME_OP_PING, nothing, 0);
        }
    }
}

static void
on_upgrade_complete(void *data, h2o_socket_t *sock, size_t reqsize)
{
    struct ws *w = data;
    if (sock == NULL) {
        ws_free(w);
        return;
    }
    h2o_buffer_consume(&sock->input, reqsize);
    w->sock = sock;
    sock->data = w;
    w->last_rx = time_mono_ms();
    hub_attach(w->lt->hub, &w->hc);
    h2o_linklist_insert(&w->lt->sessions, &w->link);
    api_ws_opened(&w->lt->api, w->hc.user_id);
    char hello[64];
    snprintf(hello, sizeof(hello), "{\"type\":\"hello\",\"user_id\":%lld}", (long long)w->hc.user_id);
    send_text(w, hello);
    if (w->dead)
        return;
    h2o_socket_read_start(sock, on_read);
    if (sock->input->size > 0)
        on_read(sock, NULL);
}

static void
answer_error(h2o_req_t *req, int status, const char *code, const char *msg)
{
    char body[256];
    int n = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code, msg);
    http_send_json(req, status, body, (size_t)n);
}

int
ws_handle_upgrade(h2o_req_t *req, struct loop_thread *lt)
{
    struct api_req r = {0};
    struct api_user user;
    http_fill_req(&r, req, lt);
    if (req->version != 0x101 || req->upgrade.base == NULL ||
        !h2o_lcstris(req->upgrade.base, req->upgrade.len, H2O_STRLIT("websocket"))) {
        answer_error(req, 400, "invalid_parameter", "WebSocket upgrade required");
        return 0;
    }
    ssize_t ki = h2o_find_header_by_str(&req->headers, H2O_STRLIT("sec-websocket-key"), -1);
    ssize_t vi = h2o_find_header_by_str(&req->headers, H2O_STRLIT("sec-websocket-version"), -1);
    if (ki < 0 || vi < 0 || !h2o_memis(req->headers.entries[vi].value.base, req->headers.entries[vi].value.len, H2O_STRLIT("13")) ||
        req->headers.entries[ki].value.len != 24) {
        answer_error(req, 400, "invalid_parameter", "bad WebSocket handshake");
        return 0;
    }
    if (r.origin != NULL && !api_origin_ok(r.origin, r.origin_len)) {
        answer_error(req, 403, "forbidden", "origin not allowed");
        return 0;
    }
    if (api_authenticate_ws(&r, &user) != 0) {
        answer_error(req, 401, "unauthorized", "login required");
        return 0;
    }
    /* Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2). */
    char keybuf[64];
    uint8_t digest[SHA_DIGEST_LENGTH];
    memcpy(keybuf, req->headers.entries[ki].value.base, 24);
    memcpy(keybuf + 24, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    SHA1((const unsigned char *)keybuf, 60, digest);
    char *accept = h2o_mem_alloc_pool(&req->pool, 32);
    size_t al = h2o_base64_encode(accept, digest, sizeof(digest), 0);
    struct ws *w = xcalloc(1, sizeof(*w));
    w->hc.user_id = user.id;
    w->hc.session_id = user.session_id;
    w->lt = lt;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_UPGRADE, NULL, H2O_STRLIT("websocket"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("sec-websocket-accept"), 0, NULL, accept, al);
    req->res.status = 101;
    req->res.reason = "Switching Protocols";
    h2o_http1_upgrade(req, NULL, 0, on_upgrade_complete, w);
    return 0;
}
