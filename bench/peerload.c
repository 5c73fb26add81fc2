/*
 * Load generator for the peers (bench/peers/): the same measurements as loadgen.c's S1 (idle) and
 * S3 (broadcast) against servers that speak other protocols over WebSocket:
 *
 *   --proto mqtt   MQTT 3.1.1 over WebSocket (subprotocol "mqtt", binary frames): CONNECT, then
 *                  SUBSCRIBE (QoS 0); the sender PUBLISHes (QoS 0) to the topic of N subscribers.
 *                  With --tcp: MQTT straight on TCP (no WebSocket), the broker's own fan-out ceiling.
 *   --proto xmpp   XMPP over WebSocket (RFC 7395, subprotocol "xmpp", one stanza per text frame):
 *                  <open/>, optional in-band registration (XEP-0077), SASL PLAIN, <open/> again,
 *                  resource binding, then either initial presence (idle) or joining one multi-user
 *                  chat room (XEP-0045) with history off; the sender posts groupchat messages.
 *
 * Many clients per process on one epoll loop (no per-client threads), several processes (fork)
 * when one would pass the file limit, each on its own loopback source address (127.0.0.2, .3, …).
 * Every message carries "t=<CLOCK_MONOTONIC ns> n=<index>" in its body; receivers compute
 * send→deliver latency from it, and per message the latency of the last recipient. The sender is
 * itself a subscriber / room occupant: its own copy coming back is the "ack" (send→echo), which
 * also bounds the closed loop (--rates 0: keep --inflight messages un-echoed).
 *
 * --room-size K (S2-like): rooms of K members instead of one room, the first member of each room
 * is its sender, and the offered rate is spread over random rooms.
 *
 * Output: one JSON object on stdout in the shape of loadgen.c's (so bench/report.mjs can read
 * both). Progress on stderr. Users are u1…uN (password "pw"), the sender is u0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define MAXP 8
#define MAXPH 8
#define MAXMSG (1 << 20)
#define MAXPIDS 8

/* ---------- shared state between the parent and the workers ---------- */
struct pstat {
    int64_t connected, conn_failed, done_connect, closed, other_frames;
    int64_t sent[MAXPH], acked[MAXPH], deliv[MAXPH], last_deliv_ns[MAXPH];
    double cpu_at_phase[MAXPH + 1];
    struct hist dlat[MAXPH], alat[MAXPH];
};

struct msginfo {
    uint32_t recv, phase, expected; /* expected: recipients in the message's room (0: every client) */
    uint64_t maxlat, sent_ns;
};

struct shared {
    volatile int phase;     /* -1 connecting; index of the running phase; -2 draining; MAXPH stop */
    volatile int sender_in; /* the sender is connected (and has made the room) */
    volatile int stopall;
    struct pstat p[MAXP];
    struct msginfo msg[MAXMSG];
};

static struct shared *sh;

/* ---------- configuration ---------- */
enum { MQTT = 1, XMPP = 2 };
static int proto = MQTT, broadcast, do_register, raw_tcp;
static char host[64] = "127.0.0.1", domain[128] = "localhost", muc[128] = "conference.localhost", room[64] = "s3";
static char path[128] = "/";
static int room_size; /* --room-size K: rooms of K (users 1..K, K+1..2K, …), the first member sends */
static int port = 8080, nclients = 100, nprocs = 1, hold_s = 10, src_base = 2, maxpending = 256, deadline_s = 120;
static double rates[MAXPH] = {0};
static int nphases = 1, phase_s = 8, inflight = 32;
static int server_pids[MAXPIDS], nserver_pids;
static const char *ready_file;

/* ---------- connections ---------- */
enum { S_OFF, S_CONNECTING, S_HANDSHAKE, S_LOGIN, S_READY };
enum { X_FEAT1, X_REG, X_AUTH, X_FEAT2, X_BIND, X_JOIN, X_CFG };

struct conn {
    struct bconn io; /* first: epoll's pointer is the connection's */
    int idx;         /* user number (0 = the sender) */
    uint8_t state, step, ready;
    char *mb; /* the MQTT byte stream out of WebSocket frames */
    uint32_t mlen, mcap;
    int64_t t0, retry_at;
};

_Static_assert(offsetof(struct conn, io) == 0, "epoll hands back &c->io as the connection");

static int ep, me, pending, nws;
static struct conn *ws;
static struct conn *sender;
static struct sockaddr_in srv, src;
static struct pstat *P;

static void mqtt_connect(struct conn *c);

/* the room (MUC room / MQTT topic suffix) of a client */
static const char *
room_of(const struct conn *c)
{
    static char b[96];
    if (!room_size)
        return room;
    snprintf(b, sizeof(b), "%s%d", room, (c->idx - 1) / room_size);
    return b;
}

static int
is_sender(const struct conn *c)
{
    return room_size ? (c->idx - 1) % room_size == 0 : c == sender;
}

static void
conn_close(struct conn *c)
{
    bconn_close(ep, &c->io);
    if (c->state != S_OFF && c->state != S_READY)
        pending--;
    if (c->state == S_READY)
        P->closed++;
    c->state = S_OFF;
    c->mlen = 0;
    c->retry_at = c->ready ? 0 : now_ns() + 500000000LL; /* retry a failed login, not a dropped session */
}

static int
flush(struct conn *c)
{
    return bconn_flush(ep, &c->io);
}

/* one client WebSocket frame (masked with a zero key: payload unchanged) */
static void
ws_frame(struct conn *c, int op, const void *data, size_t n)
{
    if (c->io.fd < 0)
        return;
    if (raw_tcp) {
        bconn_grow(&c->io.wb, &c->io.wcap, c->io.wlen, (uint32_t)n);
        memcpy(c->io.wb + c->io.wlen, data, n);
        c->io.wlen += (uint32_t)n;
        if (c->state != S_CONNECTING && flush(c) != 0)
            conn_close(c);
        return;
    }
    bconn_grow(&c->io.wb, &c->io.wcap, c->io.wlen, (uint32_t)n + 8);
    uint8_t *p = (uint8_t *)c->io.wb + c->io.wlen;
    p[0] = (uint8_t)(0x80 | op);
    uint32_t hl;
    if (n < 126) {
        p[1] = 0x80 | (uint8_t)n;
        hl = 2;
    } else {
        p[1] = 0x80 | 126;
        p[2] = (uint8_t)(n >> 8);
        p[3] = (uint8_t)n;
        hl = 4;
    }
    memset(p + hl, 0, 4);
    memcpy(p + hl + 4, data, n);
    c->io.wlen += hl + 4 + (uint32_t)n;
    if (flush(c) != 0)
        conn_close(c);
}

static void __attribute__((format(printf, 2, 3))) xsend(struct conn *c, const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    ws_frame(c, 1, b, (size_t)n);
}

static int
open_sock(struct conn *c)
{
    if (bconn_open(ep, &c->io, &src, &srv) != 0)
        return -1;
    c->mlen = 0;
    c->state = S_CONNECTING;
    return 0;
}

static void
client_start(struct conn *c)
{
    c->t0 = now_ns();
    if (open_sock(c) != 0) {
        P->conn_failed++;
        c->retry_at = now_ns() + 200000000LL;
        return;
    }
    pending++;
    if (raw_tcp) { /* MQTT straight on TCP: CONNECT waits in the output buffer for the connect */
        c->state = S_CONNECTING;
        c->step = 0;
        mqtt_connect(c);
        return;
    }
    bconn_grow(&c->io.wb, &c->io.wcap, 0, 400);
    c->io.wlen = (uint32_t)snprintf(c->io.wb, c->io.wcap,
                                    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                    "Sec-WebSocket-Protocol: %s\r\n\r\n",
                                    path, host, port, proto == MQTT ? "mqtt" : "xmpp");
}

static void
became_ready(struct conn *c)
{
    c->state = S_READY;
    pending--;
    if (!c->ready) {
        c->ready = 1;
        if (c == sender)
            sh->sender_in = 1;
        else
            P->connected++;
    }
}

static void
login_failed(struct conn *c, const char *what, const char *p, size_t len)
{
    if (P->conn_failed < 5)
        fprintf(stderr, "peerload: u%d: %s: %.*s\n", c->idx, what, (int)(len > 300 ? 300 : len), p);
    P->conn_failed++;
    conn_close(c);
}

/* ---------- measurements ---------- */
static void
on_body(struct conn *c, const char *p, const char *end)
{ /* p: "t=<ns> n=<index>" somewhere inside [p, end) */
    int64_t now = now_ns();
    long long t = num_after(p, end, "t=", 2), n = num_after(p, end, " n=", 3);
    if (t <= 0 || n < 0 || n >= MAXMSG)
        return;
    struct msginfo *mi = &sh->msg[n];
    int ph = (int)mi->phase;
    if (ph < 0 || ph >= MAXPH)
        ph = 0;
    if (is_sender(c)) {
        P->acked[ph]++;
        hadd(&P->alat[ph], now - t);
        return;
    }
    __atomic_add_fetch(&mi->recv, 1, __ATOMIC_RELAXED);
    uint64_t lat = (uint64_t)(now - t), cur = __atomic_load_n(&mi->maxlat, __ATOMIC_RELAXED);
    while (lat > cur && !__atomic_compare_exchange_n(&mi->maxlat, &cur, lat, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    hadd(&P->dlat[ph], now - t);
    P->deliv[ph]++;
    P->last_deliv_ns[ph] = now;
}

/* ---------- MQTT 3.1.1 ---------- */
static uint32_t
mqtt_hdr(uint8_t *p, uint8_t type, uint32_t rem)
{
    uint32_t n = 0;
    p[n++] = type;
    do {
        uint8_t b = rem % 128;
        rem /= 128;
        p[n++] = (uint8_t)(b | (rem ? 0x80 : 0));
    } while (rem);
    return n;
}

static void
mqtt_str(uint8_t *p, uint32_t *n, const char *s)
{
    size_t l = strlen(s);
    p[(*n)++] = (uint8_t)(l >> 8);
    p[(*n)++] = (uint8_t)l;
    memcpy(p + *n, s, l);
    *n += (uint32_t)l;
}

static void
mqtt_connect(struct conn *c)
{
    uint8_t b[128], v[96];
    uint32_t vn = 0;
    char id[32];
    snprintf(id, sizeof(id), "u%d", c->idx);
    mqtt_str(v, &vn, "MQTT");
    v[vn++] = 4;    /* protocol level 3.1.1 */
    v[vn++] = 0x02; /* clean session */
    v[vn++] = 0;    /* keep-alive off */
    v[vn++] = 0;
    mqtt_str(v, &vn, id);
    uint32_t n = mqtt_hdr(b, 0x10, vn);
    memcpy(b + n, v, vn);
    ws_frame(c, 2, b, n + vn);
}

static void
mqtt_subscribe(struct conn *c)
{
    uint8_t b[128], v[96];
    uint32_t vn = 0;
    char topic[112];
    if (broadcast)
        snprintf(topic, sizeof(topic), "room/%s", room_of(c));
    else
        snprintf(topic, sizeof(topic), "u/%d", c->idx); /* idle: a personal topic */
    v[vn++] = 0;
    v[vn++] = 1; /* packet id */
    mqtt_str(v, &vn, topic);
    v[vn++] = 0; /* QoS 0 */
    uint32_t n = mqtt_hdr(b, 0x82, vn);
    memcpy(b + n, v, vn);
    ws_frame(c, 2, b, n + vn);
}

static void
mqtt_packet(struct conn *c, uint8_t type, const uint8_t *v, uint32_t len)
{
    switch (type >> 4) {
    case 2: /* CONNACK */
        if (len < 2 || v[1] != 0) {
            login_failed(c, "CONNACK refused", "", 0);
            return;
        }
        mqtt_subscribe(c);
        break;
    case 9: /* SUBACK */
        if (c->state == S_LOGIN)
            became_ready(c);
        break;
    case 3: { /* PUBLISH */
        if (len < 2)
            return;
        uint32_t tl = (uint32_t)(v[0] << 8 | v[1]), off = 2 + tl + ((type & 0x06) ? 2 : 0);
        if (off <= len)
            on_body(c, (const char *)v + off, (const char *)v + len);
        break;
    }
    default:
        P->other_frames++;
    }
}

static void
mqtt_input(struct conn *c, const char *data, size_t len)
{
    bconn_grow(&c->mb, &c->mcap, c->mlen, (uint32_t)len);
    memcpy(c->mb + c->mlen, data, len);
    c->mlen += (uint32_t)len;
    const uint8_t *b = (const uint8_t *)c->mb;
    uint32_t off = 0;
    while (c->mlen - off >= 2) {
        uint32_t rem = 0, mul = 1, i = 1;
        int ok = 0;
        while (off + i < c->mlen && i <= 4) {
            rem += (b[off + i] & 0x7fu) * mul;
            mul *= 128;
            if (!(b[off + i++] & 0x80)) {
                ok = 1;
                break;
            }
        }
        if (!ok || c->mlen - off < i + rem)
            break;
        mqtt_packet(c, b[off], b + off + i, rem);
        if (c->io.fd < 0)
            return;
        off += i + rem;
    }
    memmove(c->mb, c->mb + off, c->mlen - off);
    c->mlen -= off;
}

/* ---------- XMPP (RFC 7395) ---------- */
static int
has(const char *p, size_t len, const char *s)
{
    return memmem(p, len, s, strlen(s)) != NULL;
}

/* attribute name='value' or name="value" (servers differ in quoting) */
static int
has_attr(const char *p, size_t len, const char *name, const char *val)
{
    char a[96];
    snprintf(a, sizeof(a), "%s='%s'", name, val);
    if (has(p, len, a))
        return 1;
    snprintf(a, sizeof(a), "%s=\"%s\"", name, val);
    return has(p, len, a);
}

static void
xmpp_open(struct conn *c)
{
    xsend(c, "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='%s' version='1.0'/>", domain);
}

static void
b64(const uint8_t *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
}

static void
xmpp_auth(struct conn *c)
{
    uint8_t raw[64];
    char enc[100];
    int n = snprintf((char *)raw + 1, sizeof(raw) - 1, "u%d", c->idx);
    raw[0] = 0;
    raw[n + 1] = 0;
    memcpy(raw + n + 2, "pw", 2);
    b64(raw, (size_t)n + 4, enc);
    xsend(c, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>", enc);
    c->step = X_AUTH;
}

static void
xmpp_join(struct conn *c)
{
    xsend(c,
          "<presence xmlns='jabber:client' to='%s@%s/u%d'><x xmlns='http://jabber.org/protocol/muc'><history "
          "maxstanzas='0'/></x></presence>",
          room_of(c), muc, c->idx);
    c->step = X_JOIN;
}

static void
xmpp_frame(struct conn *c, const char *p, size_t len)
{
    if (c->state == S_READY) {
        const char *b = memmem(p, len, "<body>t=", 8);
        if (b)
            on_body(c, b + 6, p + len);
        else
            P->other_frames++;
        return;
    }
    if (has(p, len, "<stream:error") || (has(p, len, "<close") && !has(p, len, "<open")))
        return login_failed(c, "stream closed", p, len);
    switch (c->step) {
    case X_FEAT1:
        if (!has(p, len, "mechanisms"))
            return;
        if (do_register) {
            xsend(c,
                  "<iq xmlns='jabber:client' type='set' id='reg'><query xmlns='jabber:iq:register'><username>u%d</username>"
                  "<password>pw</password></query></iq>",
                  c->idx);
            c->step = X_REG;
        } else
            xmpp_auth(c);
        break;
    case X_REG: /* a result, or an error (already registered): either way, log in */
        if (has_attr(p, len, "id", "reg")) {
            if (has_attr(p, len, "type", "error") && !has(p, len, "<conflict") && P->conn_failed < 5)
                fprintf(stderr, "peerload: u%d: registration: %.*s\n", c->idx, (int)(len > 300 ? 300 : len), p);
            xmpp_auth(c);
        }
        break;
    case X_AUTH:
        if (has(p, len, "<success")) {
            xmpp_open(c);
            c->step = X_FEAT2;
        } else if (has(p, len, "<failure"))
            login_failed(c, "SASL", p, len);
        break;
    case X_FEAT2:
        if (has(p, len, "urn:ietf:params:xml:ns:xmpp-bind")) {
            xsend(c, "<iq xmlns='jabber:client' type='set' id='bind'><bind "
                     "xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>");
            c->step = X_BIND;
        }
        break;
    case X_BIND:
        if (!has_attr(p, len, "id", "bind"))
            break;
        if (!has_attr(p, len, "type", "result"))
            return login_failed(c, "bind", p, len);
        if (broadcast)
            xmpp_join(c);
        else {
            xsend(c, "<presence xmlns='jabber:client'/>");
            became_ready(c);
        }
        break;
    case X_JOIN:
        if (!has(p, len, "<presence"))
            break;
        if (has_attr(p, len, "type", "error"))
            return login_failed(c, "join", p, len);
        if (!has_attr(p, len, "code", "110"))
            break;
        if (has_attr(p, len, "code", "201")) { /* a new room: make it an instant room */
            xsend(c,
                  "<iq xmlns='jabber:client' type='set' id='cfg' to='%s@%s'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                  "<x xmlns='jabber:x:data' type='submit'/></query></iq>",
                  room_of(c), muc);
            c->step = X_CFG;
        } else
            became_ready(c);
        break;
    case X_CFG:
        if (has_attr(p, len, "id", "cfg")) {
            if (!has_attr(p, len, "type", "result"))
                return login_failed(c, "room configuration", p, len);
            became_ready(c);
        }
        break;
    }
}

/* ---------- WebSocket input ---------- */
static void
ws_input(struct conn *c)
{
    uint32_t off = 0;
    if (c->state == S_HANDSHAKE) {
        char *e = memmem(c->io.rb, c->io.rlen, "\r\n\r\n", 4);
        if (!e)
            return;
        if (c->io.rlen < 12 || memcmp(c->io.rb + 9, "101", 3) != 0)
            return login_failed(c, "WebSocket handshake", c->io.rb, c->io.rlen);
        c->state = S_LOGIN;
        c->step = X_FEAT1;
        off = (uint32_t)(e + 4 - c->io.rb);
        if (proto == MQTT)
            mqtt_connect(c);
        else
            xmpp_open(c);
        if (c->io.fd < 0)
            return;
    }
    for (;;) {
        int op;
        const char *pl;
        size_t len;
        uint32_t fl = ws_next_frame(c->io.rb + off, c->io.rlen - off, &op, &pl, &len);
        if (fl == 0)
            break;
        off += fl;
        if (op == 9) { /* ping → pong */
            ws_frame(c, 0x0a, pl, len);
        } else if (op == 8) {
            conn_close(c);
            return;
        } else if (proto == MQTT && (op == 2 || op == 0))
            mqtt_input(c, pl, len);
        else if (proto == XMPP && (op == 1 || op == 0))
            xmpp_frame(c, pl, len); /* servers send one stanza per unfragmented frame */
        if (c->io.fd < 0)
            return;
    }
    if (off > 0) {
        memmove(c->io.rb, c->io.rb + off, c->io.rlen - off);
        c->io.rlen -= off;
    }
}

static void
on_event(struct conn *c, uint32_t ev)
{
    if (c->state == S_CONNECTING && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        int err = 0;
        socklen_t l = sizeof(err);
        getsockopt(c->io.fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err != 0) {
            P->conn_failed++;
            conn_close(c);
            return;
        }
        c->state = raw_tcp ? S_LOGIN : S_HANDSHAKE;
    }
    if ((ev & EPOLLOUT) && flush(c) != 0) {
        conn_close(c);
        return;
    }
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        bconn_grow(&c->io.rb, &c->io.rcap, c->io.rlen, 16384);
        ssize_t n = recv(c->io.fd, c->io.rb + c->io.rlen, c->io.rcap - c->io.rlen, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            if (c->state != S_READY && c->state != S_OFF) {
                if (P->conn_failed < 5)
                    fprintf(stderr, "peerload: u%d: closed by the server during the login (state %d step %d)\n", c->idx, c->state,
                            c->step);
                P->conn_failed++;
            }
            conn_close(c);
            return;
        }
        if (n > 0 && raw_tcp) {
            mqtt_input(c, c->io.rb, (size_t)n);
        } else if (n > 0) {
            c->io.rlen += (uint32_t)n;
            ws_input(c);
        }
    }
}

/* ---------- the worker ---------- */
static int msg_counter;

static struct conn **senders;
static int nsenders;
static uint64_t rng = 88172645463325252ULL;

static void
send_msg(int ph)
{
    struct conn *from = sender;
    if (room_size && nsenders > 0) { /* a random room's sender */
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        from = senders[rng % (uint64_t)nsenders];
    }
    int n = msg_counter;
    if (n >= MAXMSG || !from || from->state != S_READY)
        return;
    msg_counter++;
    int64_t t = now_ns();
    sh->msg[n].phase = (uint32_t)ph;
    sh->msg[n].expected = room_size ? (uint32_t)(room_size - 1) : 0;
    sh->msg[n].sent_ns = (uint64_t)t;
    P->sent[ph]++;
    char body[64];
    int bl = snprintf(body, sizeof(body), "t=%lld n=%d bench", (long long)t, n);
    if (proto == XMPP) {
        xsend(from, "<message xmlns='jabber:client' to='%s@%s' type='groupchat' id='m%d'><body>%s</body></message>", room_of(from),
              muc, n, body);
        return;
    }
    uint8_t b[192], v[160];
    uint32_t vn = 0;
    char topic[112];
    snprintf(topic, sizeof(topic), "room/%s", room_of(from));
    mqtt_str(v, &vn, topic);
    memcpy(v + vn, body, (size_t)bl);
    vn += (uint32_t)bl;
    uint32_t hn = mqtt_hdr(b, 0x30, vn); /* PUBLISH, QoS 0 */
    memcpy(b + hn, v, vn);
    ws_frame(from, 2, b, hn + vn);
}

static void
worker(void)
{
    P = &sh->p[me];
    ep = epoll_create1(EPOLL_CLOEXEC);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(src_base + me));
    /* my clients: users 1..N, every nprocs-th; process 0 also has the sender (user 0) */
    ws = calloc((size_t)(nclients / nprocs + 2), sizeof(*ws));
    if (broadcast && me == 0 && !room_size) {
        sender = &ws[nws++];
        sender->idx = 0;
    }
    if (room_size)
        sh->sender_in = 1; /* rooms mode: each room's first member makes the room */
    for (int u = (do_register && !broadcast ? 0 : 1) + me; u <= nclients; u += nprocs) /* registering: u0 too */
        ws[nws++].idx = u;
    senders = calloc((size_t)nws + 1, sizeof(*senders));
    for (int i = 0; i < nws; i++) {
        ws[i].io.fd = -1;
        ws[i].retry_at = -1; /* not started */
        if (room_size && is_sender(&ws[i]))
            senders[nsenders++] = &ws[i];
    }

    int next_start = 0, last_phase = -3;
    int64_t last_scan = 0, last_tick = now_ns();
    double send_acc = 0;
    struct epoll_event evs[512];
    for (;;) {
        int64_t now = now_ns();
        int ph = sh->phase;
        if (ph != last_phase) {
            if (ph >= 0 && ph <= MAXPH)
                P->cpu_at_phase[ph] = cpu_self();
            last_phase = ph;
            send_acc = 0;
        }
        if (sh->stopall)
            break;
        /* connects, bounded in flight; in broadcast mode the sender first (it makes the room) */
        if (sender && next_start == 0) {
            client_start(sender);
            next_start = 1;
        }
        while (next_start < nws && pending < maxpending && (!broadcast || sh->sender_in)) {
            client_start(&ws[next_start]);
            next_start++;
        }
        if (!P->done_connect && next_start == nws) {
            int ok = 0;
            for (int i = 0; i < nws; i++)
                ok += ws[i].ready;
            if (ok == nws)
                P->done_connect = 1;
        }
        if (now - last_scan > 20000000LL) { /* retries of failed logins */
            last_scan = now;
            for (int i = 0; i < next_start; i++) {
                struct conn *c = &ws[i];
                if (c->state != S_OFF && c->state != S_READY && now - c->t0 > 10000000000LL) {
                    P->conn_failed++; /* a login stalled for 10 s: start it again */
                    conn_close(c);
                }
                if (c->state == S_OFF && !c->ready && c->retry_at > 0 && c->retry_at <= now && pending < maxpending)
                    client_start(c);
            }
        }
        double dt = (double)(now - last_tick) / 1e9;
        last_tick = now;
        int running = ph >= 0 && ph < nphases;
        if (running && (sender || nsenders)) {
            if (rates[ph] > 0) {
                send_acc += rates[ph] * dt;
                for (int lim = 1000; send_acc >= 1 && lim-- > 0; send_acc -= 1)
                    send_msg(ph);
            } else /* closed loop: keep `inflight` messages without their echo */
                for (int64_t k = P->sent[ph] - P->acked[ph]; k < inflight; k++)
                    send_msg(ph);
        }
        int n = epoll_wait(ep, evs, 512, running || pending ? 1 : 20);
        for (int i = 0; i < n; i++)
            on_event(evs[i].data.ptr, evs[i].events);
    }
    int stuck[S_READY + 1][X_CFG + 1] = {{0}};
    for (int i = 0; i < nws; i++)
        if (!ws[i].ready)
            stuck[ws[i].state][ws[i].step]++;
    for (int a = 0; a <= S_READY; a++)
        for (int b = 0; b <= X_CFG; b++)
            if (stuck[a][b])
                fprintf(stderr, "peerload: %d clients never ready, stopped in state %d step %d\n", stuck[a][b], a, b);
    _exit(0);
}

/* ---------- the server's /proc (summed over --server-pid a,b,…) ---------- */
static double
server_cpu(void)
{
    double s = 0;
    for (int i = 0; i < nserver_pids; i++)
        s += proc_cpu_s(server_pids[i]);
    return s;
}

static long
server_kib(const char *field)
{
    long v = 0;
    for (int i = 0; i < nserver_pids; i++)
        v += proc_kib(server_pids[i], field);
    return v;
}

static void
usage(void)
{
    fprintf(stderr, "usage: peerload --proto mqtt|xmpp --mode idle|broadcast --port P [--path /ws] [--clients N]\n"
                    "  [--procs P] [--server-pid PID[,PID…]] [--hold S] [--rates r1,r2,… (0 = closed loop)]\n"
                    "  [--phase-secs S] [--inflight K] [--domain D] [--muc D] [--room R] [--register]\n"
                    "  [--max-pending K] [--deadline S] [--src-base B] [--ready-file F] [--tcp (MQTT without WebSocket)]\n"
                    "  [--room-size K (broadcast, one process: rooms of K, each with its first member as sender)]\n");
    exit(2);
}

#define SUMF(field)                                                                                                                \
    ({                                                                                                                             \
        int64_t _s = 0;                                                                                                            \
        for (int _i = 0; _i < nprocs; _i++)                                                                                        \
            _s += sh->p[_i].field;                                                                                                 \
        _s;                                                                                                                        \
    })

int
main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && ++i)
        if (OPT("--proto")) {
            if (!strcmp(v, "mqtt"))
                proto = MQTT;
            else if (!strcmp(v, "xmpp"))
                proto = XMPP;
            else
                usage();
        } else if (OPT("--mode")) {
            if (strcmp(v, "idle") && strcmp(v, "broadcast"))
                usage();
            broadcast = !strcmp(v, "broadcast");
        } else if (OPT("--port"))
            port = atoi(v);
        else if (OPT("--host"))
            snprintf(host, sizeof(host), "%s", v);
        else if (OPT("--path"))
            snprintf(path, sizeof(path), "%s", v);
        else if (OPT("--domain"))
            snprintf(domain, sizeof(domain), "%s", v);
        else if (OPT("--muc"))
            snprintf(muc, sizeof(muc), "%s", v);
        else if (OPT("--room"))
            snprintf(room, sizeof(room), "%s", v);
        else if (OPT("--clients"))
            nclients = atoi(v);
        else if (OPT("--procs"))
            nprocs = atoi(v);
        else if (OPT("--hold"))
            hold_s = atoi(v);
        else if (OPT("--phase-secs"))
            phase_s = atoi(v);
        else if (OPT("--inflight"))
            inflight = atoi(v);
        else if (OPT("--max-pending"))
            maxpending = atoi(v);
        else if (OPT("--deadline"))
            deadline_s = atoi(v);
        else if (OPT("--room-size"))
            room_size = atoi(v);
        else if (OPT("--src-base"))
            src_base = atoi(v);
        else if (OPT("--ready-file"))
            ready_file = v;
        else if (OPT("--server-pid")) {
            char *s = strdup(v), *sv = NULL;
            for (char *t = strtok_r(s, ",", &sv); t && nserver_pids < MAXPIDS; t = strtok_r(NULL, ",", &sv))
                server_pids[nserver_pids++] = atoi(t);
        } else if (OPT("--rates")) {
            nphases = 0;
            char *s = strdup(v), *sv = NULL;
            for (char *t = strtok_r(s, ",", &sv); t && nphases < MAXPH; t = strtok_r(NULL, ",", &sv))
                rates[nphases++] = atof(t);
        } else if (!strcmp(a, "--tcp"))
            raw_tcp = 1;
        else if (!strcmp(a, "--register"))
            do_register = 1;
        else
            usage();
    }
    if (nprocs < 1 || nprocs > MAXP || (room_size && (nprocs != 1 || !broadcast || room_size < 2)))
        usage();
    if (!broadcast)
        nphases = 0;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    srv.sin_family = AF_INET;
    srv.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &srv.sin_addr);
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    sh->phase = -1;

    double scpu0 = server_cpu();
    long rss0 = server_kib("VmRSS");
    int64_t t0 = now_ns();
    pid_t kids[MAXP];
    for (me = 0; me < nprocs; me++) {
        kids[me] = fork();
        if (kids[me] == 0)
            worker();
        if (kids[me] < 0)
            die("fork");
    }
    int64_t deadline = t0 + (int64_t)deadline_s * 1000000000LL;
    while (SUMF(done_connect) < nprocs && now_ns() < deadline)
        sleep_ms(10);
    int64_t t_conn = now_ns();
    double connect_s = (double)(t_conn - t0) / 1e9, scpu_conn = server_cpu();
    fprintf(stderr, "peerload: %lld connected (%lld failed attempts) in %.2f s\n", (long long)SUMF(connected),
            (long long)SUMF(conn_failed), connect_s);
    /* settle: until the server's CPU time stops moving (≤ 10 s), at least 2 s */
    double c_prev = server_cpu();
    for (int k = 0; k < 50; k++) {
        sleep_ms(200);
        double c = server_cpu();
        if (k >= 9 && c - c_prev < 0.01)
            break;
        c_prev = c;
    }
    long rss1 = server_kib("VmRSS");
    if (ready_file) {
        FILE *f = fopen(ready_file, "w");
        if (f)
            fclose(f);
    }
    double phase_cpu[MAXPH + 1], phase_cpu_end[MAXPH + 1] = {0};
    int64_t phase_t[MAXPH + 1], phase_send_end[MAXPH + 1] = {0}, phase_end[MAXPH + 1] = {0};
    if (!broadcast)
        sleep_ms(hold_s * 1000);
    for (int ph = 0; ph < nphases; ph++) {
        phase_cpu[ph] = server_cpu();
        phase_t[ph] = now_ns();
        sh->phase = ph;
        sleep_ms(phase_s * 1000);
        phase_send_end[ph] = now_ns();
        sh->phase = -2; /* drain: no sends until this phase's deliveries stop (≤ 8 s) */
        /* until every copy arrived, or none arrived for 1 s (≤ 10 s) */
        int64_t last = -1, want = sh->p[0].sent[ph] * SUMF(connected);
        for (int k = 0, still = 0; k < 100 && still < 10; k++) {
            sleep_ms(100);
            int64_t d = 0;
            for (int i = 0; i < nprocs; i++)
                d += sh->p[i].deliv[ph];
            if (d >= want)
                break;
            still = d == last ? still + 1 : 0;
            last = d;
        }
        phase_cpu_end[ph] = server_cpu();
        phase_end[ph] = now_ns();
    }
    sh->phase = MAXPH;
    sleep_ms(100);
    long rss2 = server_kib("VmRSS"), hwm = server_kib("VmHWM");
    double scpu_end = server_cpu();
    sh->stopall = 1;
    for (int i = 0; i < nprocs; i++)
        waitpid(kids[i], NULL, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double lg_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

    FILE *o = stdout;
    int64_t nconn = SUMF(connected);
    fprintf(o,
            "{\"room_size\":%d,\"transport\":\"%s\",\"proto\":\"%s\",\"mode\":\"%s\",\"procs\":%d,\"clients\":%d,\"connect\":{"
            "\"ok\":%lld,\"failed_"
            "attempts\":%lld,"
            "\"secs\":%.3f,\"server_cpu_s\":%.2f},",
            room_size, raw_tcp ? "tcp" : "websocket", proto == MQTT ? "mqtt" : "xmpp", broadcast ? "broadcast" : "idle", nprocs,
            nclients, (long long)nconn, (long long)SUMF(conn_failed), connect_s, scpu_conn - scpu0);
    fprintf(o,
            "\"server\":{\"pid\":%d,\"pids\":%d,\"cpu_s\":%.2f,\"rss_before_kib\":%ld,\"rss_connected_kib\":%ld,"
            "\"rss_end_kib\":%ld,\"hwm_kib\":%ld},",
            nserver_pids ? server_pids[0] : 0, nserver_pids, scpu_end - scpu0, rss0, rss1, rss2, hwm);
    if (nconn > 0)
        fprintf(o, "\"server_rss_per_conn_bytes\":%.0f,", (double)(rss1 - rss0) * 1024.0 / (double)nconn);
    fprintf(o, "\"loadgen_cpu_s\":%.2f,\"wall_s\":%.2f,\"closed\":%lld,\"other_frames\":%lld,\"phases\":[", lg_cpu,
            (double)(now_ns() - t0) / 1e9, (long long)SUMF(closed), (long long)SUMF(other_frames));
    for (int ph = 0; ph < nphases; ph++) {
        struct hist *d = calloc(1, sizeof(*d)), *a = calloc(1, sizeof(*a)), *lr = calloc(1, sizeof(*lr));
        int64_t sent = 0, acked = 0, deliv = 0, lastd = 0;
        double lcpu = 0;
        for (int i = 0; i < nprocs; i++) {
            hmerge(d, &sh->p[i].dlat[ph]);
            hmerge(a, &sh->p[i].alat[ph]);
            sent += sh->p[i].sent[ph];
            acked += sh->p[i].acked[ph];
            deliv += sh->p[i].deliv[ph];
            if (sh->p[i].last_deliv_ns[ph] > lastd)
                lastd = sh->p[i].last_deliv_ns[ph];
            double c1 = ph + 1 < nphases ? sh->p[i].cpu_at_phase[ph + 1] : sh->p[i].cpu_at_phase[MAXPH];
            lcpu += c1 - sh->p[i].cpu_at_phase[ph];
        }
        /* last-recipient latency of the messages that reached every connected member */
        int64_t complete = 0, incomplete = 0;
        for (int n = 0; n < MAXMSG; n++) {
            struct msginfo *mi = &sh->msg[n];
            if (!mi->sent_ns || mi->phase != (uint32_t)ph)
                continue;
            if (mi->recv >= (mi->expected ? mi->expected : (uint32_t)nconn)) {
                complete++;
                hadd(lr, (int64_t)mi->maxlat);
            } else
                incomplete++;
        }
        double secs = (double)(phase_send_end[ph] - phase_t[ph]) / 1e9;
        double span = (double)(phase_end[ph] - phase_t[ph]) / 1e9;
        double dspan = lastd > phase_t[ph] ? (double)(lastd - phase_t[ph]) / 1e9 : secs;
        if (dspan < secs)
            dspan = secs;
        fprintf(o,
                "%s{\"rate\":%g,\"secs\":%.2f,\"sent\":%lld,\"acked\":%lld,\"send_errors\":0,\"deliveries\":%lld,"
                "\"deliveries_per_s\":%.0f,\"acks_per_s\":%.0f,\"recipients_per_msg\":%lld,\"msgs_complete\":%lld,"
                "\"msgs_incomplete\":%lld,\"server_cpu_s\":%.2f,\"loadgen_cpu_s\":%.2f,\"span_s\":%.2f,"
                "\"delivery_span_s\":%.2f,\"server_cores\":%.2f,\"loadgen_cores\":%.2f,",
                ph ? "," : "", rates[ph], secs, (long long)sent, (long long)acked, (long long)deliv, (double)deliv / dspan,
                (double)acked / secs, (long long)(room_size ? room_size - 1 : nconn), (long long)complete, (long long)incomplete,
                phase_cpu_end[ph] - phase_cpu[ph], lcpu, span, dspan, (phase_cpu_end[ph] - phase_cpu[ph]) / span, lcpu / span);
        hjson(o, "deliver_us", d);
        fputc(',', o);
        hjson(o, "ack_us", a);
        fputc(',', o);
        hjson(o, "last_recipient_us", lr);
        fputc('}', o);
        free(d);
        free(a);
        free(lr);
    }
    fprintf(o, "]}\n");
    return 0;
}
