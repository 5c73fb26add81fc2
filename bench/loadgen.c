/*
 * Kairan load generator: many WebSocket clients and keep-alive HTTP senders per process on one
 * epoll loop (no per-client threads), several processes (fork) when one would pass the file
 * limit, each on its own loopback source address (127.0.0.2, .3, …).
 *
 * Every message carries "t=<CLOCK_MONOTONIC ns> n=<index>" in its text; a client that receives
 * the `message.created` frame computes send→deliver latency from it (client and server share
 * one machine, hence one monotonic clock). Sends measure send→ack (201) latency.
 *
 * Modes (--mode):
 *   idle       connect N clients (tokens 0..N-1), hold, report server memory per connection
 *   chat       S2: rooms file, open-loop sends at --rates, reads (mark read) and presence/typing
 *   broadcast  S3: one room, sender = admin token, phases of open-loop rates (0 = closed loop)
 *   durable    S4: --senders closed-loop HTTP senders, each to its own room, no WebSocket
 *   reconnect  S5: clients in rooms; server is restarted by the caller; clients reconnect with
 *              jitter, catch up by GET …/messages?after=, and are verified to miss nothing
 *
 * --port2 P (two nodes on one database): every other WebSocket client connects to port P, the
 * HTTP senders stay on --port; deliveries and their latency are also counted per node
 * ("by_node": 0 = --port, the senders' node; 1 = --port2, delivered across nodes).
 *
 * Output: one JSON object on stdout. Progress on stderr.
 * Files: --tokens (line i: "user_id token"), --rooms (line: "room_id sender_idx m1 m2 …",
 * sender_idx -1 = admin), --admin-token FILE.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

#define MAXP 8
#define MAXPH 8
#define MAXMSG (1 << 20)
#define MAXROOMS 8192
#define BITMAP_BITS 4096
#define MAXMEMBERS 6000

/* ---------- shared state between the parent and the workers ---------- */
struct pstat {
    int64_t connected, conn_failed, hellos, ws_closed, reconnects, caught_up;
    int64_t done_connect; /* 1 when all own clients had their first hello */
    int64_t first_down_ns, first_rehello_ns, last_caught_ns;
    int64_t sent[MAXPH], acked[MAXPH], send_err[MAXPH], deliv[MAXPH], other_frames, http_err, http_ok_other;
    int64_t server_closes;
    int64_t last_deliv_ns[MAXPH];
    int64_t reads_sent, presence_sent, typing_sent, retries;
    int64_t missing, verified_clients, extra;
    double cpu_at_phase[MAXPH + 1];
    struct hist dlat[MAXPH], alat[MAXPH];
    int64_t deliv_node[2][MAXPH]; /* --port2: by the receiving client's node */
    struct hist dlat_node[2][MAXPH];
    int64_t exited;
};

struct msginfo {
    uint32_t recv;
    uint32_t phase;
    uint64_t maxlat;
    uint64_t sent_ns;
};

struct shared {
    volatile int phase;   /* index of the running phase; -1 connecting; MAXPH+1 stop */
    volatile int verify;  /* reconnect mode: 1 = stop sending, 2 = verify now */
    volatile int stopall; /* 1: workers write stats and exit */
    int64_t phase_start_ns[MAXPH + 1];
    int64_t room_maxacked[MAXROOMS];
    struct pstat p[MAXP];
    struct msginfo msg[MAXMSG];
};

static struct shared *sh;

/* ---------- configuration ---------- */
static const char *mode = "idle";
static char host[64] = "127.0.0.1";
static int port = 8080, port2 = 0;
static int nclients = 100, nprocs = 1, server_pid = 0, senders = 64, http_conns = 32, hold_s = 10, src_base = 2;
static double rates[MAXPH] = {50};
static int nphases = 1, phase_s = 10, inflight = 32, maxpending = 256;
static double read_prob = 0.2, presence_rate = 10, typing_rate = 20;
static const char *tokens_path, *rooms_path, *admin_path, *signal_file, *ready_file;
static int pre_s = 3, post_s = 3, deadline_s = 90;

static int ntok;
static long long *tok_uid;
static char **tok;
static char *admin_tok;

struct room {
    int id, sender, n;
    int *m;
};
static struct room *rooms;
static int nrooms;

/* ---------- connections ---------- */
enum { K_WS = 1, K_HTTP = 2 };
enum { S_OFF, S_CONNECTING, S_HANDSHAKE, S_OPEN };

struct req {
    int kind; /* 1 send, 2 read mark, 3 catch-up GET */
    int room, tokidx, n, client, arg;
    int64_t t0;
    char body[160];
};

struct conn {
    struct bconn io; /* first: epoll's pointer is the connection's */
    uint8_t kind, state, busy;
    int idx; /* client index (WS) */
    int64_t t0, reconnect_at;
    struct req r; /* HTTP: the request in flight */
    /* WS client */
    int tokidx, roomidx;
    uint8_t had_hello, caught, catching, eof;
    uint8_t node; /* 1: on --port2 */
    uint8_t *bitmap;
};

_Static_assert(offsetof(struct conn, io) == 0, "epoll hands back &c->io as the connection");

static int ep, me;
static unsigned runid;
static struct conn *ws;
static int nws;
static struct conn *hc;
static int nhc;
static struct req *rq;
static int rq_head, rq_len, rq_cap;
static int pending;
static struct sockaddr_in srv, srv2, src;
static struct pstat *P;
static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double
rndf(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void
wreserve(struct conn *c, uint32_t n)
{
    bconn_grow(&c->io.wb, &c->io.wcap, c->io.wlen, n);
}

static void
rreserve(struct conn *c, uint32_t n)
{
    bconn_grow(&c->io.rb, &c->io.rcap, c->io.rlen, n);
}

static void conn_close(struct conn *c);

static int
flush(struct conn *c)
{
    return bconn_flush(ep, &c->io);
}

static int
open_sock(struct conn *c)
{
    if (bconn_open(ep, &c->io, &src, c->node ? &srv2 : &srv) != 0)
        return -1;
    c->state = S_CONNECTING;
    return 0;
}

/* ---------- WebSocket clients ---------- */
static void
ws_start(struct conn *c)
{
    c->t0 = now_ns();
    if (open_sock(c) != 0) {
        P->conn_failed++;
        c->state = S_OFF;
        c->reconnect_at = now_ns() + 200000000LL;
        return;
    }
    pending++;
    const char *t = tok[c->tokidx];
    wreserve(c, 400);
    c->io.wlen = (uint32_t)snprintf(c->io.wb, c->io.wcap,
                                    "GET /api/v1/ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                                    "Authorization: Bearer %s\r\n\r\n",
                                    host, c->node ? port2 : port, t);
}

static void
ws_send_text(struct conn *c, const char *s)
{
    size_t n = strlen(s);
    if (c->state != S_OPEN || n > 125)
        return;
    wreserve(c, (uint32_t)n + 6);
    uint8_t *p = (uint8_t *)c->io.wb + c->io.wlen;
    p[0] = 0x81;
    p[1] = 0x80 | (uint8_t)n;
    memset(p + 2, 0, 4); /* zero mask key: payload unchanged */
    memcpy(p + 6, s, n);
    c->io.wlen += (uint32_t)n + 6;
    if (flush(c) != 0)
        conn_close(c);
}

static void push_req(struct req *r);

static void
mark_seq(struct conn *c, long long seq)
{
    if (c->bitmap && seq > 0 && seq < BITMAP_BITS)
        c->bitmap[seq >> 3] |= (uint8_t)(1u << (seq & 7));
}

static int
contig(struct conn *c)
{
    int s = 1;
    while (s < BITMAP_BITS && (c->bitmap[s >> 3] & (1u << (s & 7))))
        s++;
    return s - 1;
}

static void
on_text(struct conn *c, const char *p, size_t len)
{
    const char *end = p + len;
    int64_t now = now_ns();
    if (len > 30 && memmem(p, len < 40 ? len : 40, "message.created", 15)) {
        long long t = num_after(p, end, "\"text\":\"t=", 10);
        long long n = num_after(p, end, " n=", 3);
        int ph = 0;
        if (n >= 0 && n < MAXMSG) {
            struct msginfo *mi = &sh->msg[n];
            ph = (int)mi->phase;
            __atomic_add_fetch(&mi->recv, 1, __ATOMIC_RELAXED);
            uint64_t lat = (uint64_t)(now - t), cur = __atomic_load_n(&mi->maxlat, __ATOMIC_RELAXED);
            while (lat > cur && !__atomic_compare_exchange_n(&mi->maxlat, &cur, lat, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                ;
        }
        if (ph < 0 || ph >= MAXPH)
            ph = 0;
        if (t > 0)
            hadd(&P->dlat[ph], now - t);
        P->deliv[ph]++;
        if (port2) {
            if (t > 0)
                hadd(&P->dlat_node[c->node][ph], now - t);
            P->deliv_node[c->node][ph]++;
        }
        P->last_deliv_ns[ph] = now;
        if (c->bitmap) {
            long long seq = num_after(p, end, "\"seq\":", 6);
            mark_seq(c, seq);
        }
        if (read_prob > 0 && !strcmp(mode, "chat") && rndf() < read_prob) {
            long long seq = num_after(p, end, "\"seq\":", 6), rid = num_after(p, end, "\"room_id\":", 10);
            struct req r = {.kind = 2, .room = (int)rid, .tokidx = c->tokidx, .arg = (int)seq};
            push_req(&r);
            P->reads_sent++;
        }
        return;
    }
    if (len > 10 && memmem(p, len < 20 ? len : 20, "\"hello\"", 7)) {
        P->hellos++;
        if (!c->had_hello) {
            c->had_hello = 1;
            P->connected++;
        } else {
            P->reconnects++;
            if (P->first_rehello_ns == 0)
                P->first_rehello_ns = now;
        }
        if (c->bitmap && c->catching) {
            struct req r = {.kind = 3, .room = rooms[c->roomidx].id, .tokidx = c->tokidx, .client = c->idx, .arg = contig(c)};
            push_req(&r);
        }
        return;
    }
    P->other_frames++;
}

static void
ws_input(struct conn *c)
{
    uint32_t off = 0;
    if (c->state == S_HANDSHAKE) {
        char *e = memmem(c->io.rb, c->io.rlen, "\r\n\r\n", 4);
        if (!e)
            return;
        if (c->io.rlen < 12 || memcmp(c->io.rb + 9, "101", 3) != 0) {
            P->conn_failed++;
            conn_close(c);
            return;
        }
        pending--;
        c->state = S_OPEN;
        off = (uint32_t)(e + 4 - c->io.rb);
    }
    for (;;) {
        int op;
        const char *pl;
        size_t len;
        uint32_t fl = ws_next_frame(c->io.rb + off, c->io.rlen - off, &op, &pl, &len);
        if (fl == 0)
            break;
        off += fl;
        if (op == 1)
            on_text(c, pl, len);
        else if (op == 9) { /* ping → pong */
            uint8_t f[6] = {0x8a, 0x80, 0, 0, 0, 0};
            wreserve(c, 6);
            memcpy(c->io.wb + c->io.wlen, f, 6);
            c->io.wlen += 6;
            if (flush(c) != 0) {
                conn_close(c);
                return;
            }
        } else if (op == 8) {
            conn_close(c);
            return;
        }
    }
    if (off > 0) {
        memmove(c->io.rb, c->io.rb + off, c->io.rlen - off);
        c->io.rlen -= off;
    }
}

/* ---------- HTTP pool ---------- */
static void
push_req(struct req *r)
{
    if (rq_len == rq_cap) {
        int ncap = rq_cap ? rq_cap * 2 : 1024;
        struct req *n = malloc(sizeof(*n) * (size_t)ncap);
        for (int i = 0; i < rq_len; i++)
            n[i] = rq[(rq_head + i) % rq_cap];
        free(rq);
        rq = n;
        rq_head = 0;
        rq_cap = ncap;
    }
    rq[(rq_head + rq_len) % rq_cap] = *r;
    rq_len++;
}

static void
http_issue(struct conn *c)
{
    struct req *r = &c->r;
    const char *t = r->tokidx < 0 ? admin_tok : tok[r->tokidx];
    char body[200];
    int bl = 0;
    wreserve(c, 700);
    if (r->kind == 1) {
        bl = snprintf(body, sizeof(body), "{\"text\":\"%s\",\"client_msg_id\":\"b%x-%d\"}", r->body, runid, r->n);
        c->io.wlen = (uint32_t)snprintf(c->io.wb, c->io.wcap,
                                        "POST /api/v1/rooms/%d/messages HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                                        "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                                        r->room, host, t, bl, body);
    } else if (r->kind == 2) {
        bl = snprintf(body, sizeof(body), "{\"seq\":%d}", r->arg);
        c->io.wlen = (uint32_t)snprintf(c->io.wb, c->io.wcap,
                                        "POST /api/v1/rooms/%d/read HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
                                        "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                                        r->room, host, t, bl, body);
    } else {
        c->io.wlen = (uint32_t)snprintf(c->io.wb, c->io.wcap,
                                        "GET /api/v1/rooms/%d/messages?after=%d&limit=200 HTTP/1.1\r\nHost: %s\r\n"
                                        "Authorization: Bearer %s\r\n\r\n",
                                        r->room, r->arg, host, t);
    }
    c->io.woff = 0;
    c->busy = 1;
    if (r->kind == 1)
        r->t0 = now_ns();
    c->t0 = now_ns();
    if (c->state == S_OPEN && flush(c) != 0)
        conn_close(c);
}

static void
http_pump(void)
{
    for (int i = 0; i < nhc && rq_len > 0; i++) {
        struct conn *c = &hc[i];
        if (c->busy)
            continue;
        if (c->state == S_OFF) {
            if (c->reconnect_at > now_ns())
                continue;
            if (open_sock(c) != 0) {
                c->reconnect_at = now_ns() + 100000000LL;
                continue;
            }
        }
        c->r = rq[rq_head];
        rq_head = (rq_head + 1) % rq_cap;
        rq_len--;
        http_issue(c);
    }
}

static void
on_http_response(struct conn *c, int status, const char *body, size_t bl)
{
    struct req *r = &c->r;
    c->busy = 0;
    int ph = r->kind == 1 && r->n < MAXMSG ? (int)sh->msg[r->n].phase : 0;
    if (r->kind == 1) {
        if (status == 201) {
            P->acked[ph]++;
            hadd(&P->alat[ph], now_ns() - r->t0);
            long long seq = num_after(body, body + bl, "\"seq\":", 6);
            if (r->arg >= 0 && r->arg < MAXROOMS && seq > 0) {
                int64_t cur = __atomic_load_n(&sh->room_maxacked[r->arg], __ATOMIC_RELAXED);
                while (seq > cur &&
                       !__atomic_compare_exchange_n(&sh->room_maxacked[r->arg], &cur, seq, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                    ;
            }
        } else {
            P->send_err[ph]++;
            if (P->send_err[ph] < 5)
                fprintf(stderr, "loadgen: send status %d: %.*s\n", status, (int)(bl > 200 ? 200 : bl), body);
        }
    } else if (r->kind == 3) {
        struct conn *w = &ws[r->client];
        if (status != 200) {
            P->http_err++;
            push_req(r);
            return;
        }
        long long maxs = r->arg;
        const char *p = body, *end = body + bl;
        for (;;) {
            const char *q = memmem(p, (size_t)(end - p), "\"seq\":", 6);
            if (!q)
                break;
            q += 6;
            long long v = 0;
            while (q < end && *q >= '0' && *q <= '9')
                v = v * 10 + (*q++ - '0');
            mark_seq(w, v);
            if (v > maxs)
                maxs = v;
            p = q;
        }
        if (memmem(body, bl, "\"has_more\":true", 15)) {
            struct req n = *r;
            n.arg = (int)maxs;
            push_req(&n);
        } else if (w->catching) {
            w->catching = 0;
            w->caught = 1;
            P->caught_up++;
            P->last_caught_ns = now_ns();
        }
    } else {
        if (status / 100 == 2)
            P->http_ok_other++;
        else
            P->http_err++;
    }
}

static void
http_input(struct conn *c)
{
    for (;;) {
        char *e = memmem(c->io.rb, c->io.rlen, "\r\n\r\n", 4);
        if (!e)
            return;
        size_t hl = (size_t)(e + 4 - c->io.rb);
        int status = atoi(c->io.rb + 9);
        long long cl = -1;
        int chunked = 0, closing = 0;
        for (char *l = c->io.rb; l < e;) {
            char *nl = memmem(l, (size_t)(e - l) + 2, "\r\n", 2);
            if (!nl)
                break;
            if (nl - l > 15 && !strncasecmp(l, "content-length:", 15))
                cl = atoll(l + 15);
            if (nl - l > 18 && !strncasecmp(l, "transfer-encoding:", 18) && memmem(l, (size_t)(nl - l), "chunked", 7))
                chunked = 1;
            if (nl - l > 11 && !strncasecmp(l, "connection:", 11) && memmem(l, (size_t)(nl - l), "close", 5))
                closing = 1;
            l = nl + 2;
        }
        size_t total;
        char *body = c->io.rb + hl;
        size_t bl;
        if (chunked) {
            char *z = memmem(body, c->io.rlen - hl, "\r\n0\r\n\r\n", 7);
            if (!z)
                return;
            total = (size_t)(z + 7 - c->io.rb);
            bl = (size_t)(z - body);    /* chunk sizes stay inside: fine for seq scanning */
        } else if (cl < 0 && closing) { /* body delimited by the close */
            if (!c->eof)
                return;
            total = c->io.rlen;
            bl = c->io.rlen - hl;
        } else {
            if (cl < 0)
                cl = 0;
            if (c->io.rlen < hl + (size_t)cl)
                return;
            total = hl + (size_t)cl;
            bl = (size_t)cl;
        }
        on_http_response(c, status, body, bl);
        memmove(c->io.rb, c->io.rb + total, c->io.rlen - total);
        c->io.rlen -= (uint32_t)total;
        if (closing) {
            P->server_closes++;
            conn_close(c);
            return;
        }
    }
}

/* ---------- common socket handling ---------- */
static int reconnect_mode;

static void
conn_close(struct conn *c)
{
    bconn_close(ep, &c->io);
    if (c->kind == K_WS) {
        if (c->state == S_CONNECTING || c->state == S_HANDSHAKE)
            pending--;
        if (c->state == S_OPEN) {
            P->ws_closed++;
            if (P->first_down_ns == 0)
                P->first_down_ns = now_ns();
        }
        c->state = S_OFF;
        if (reconnect_mode) {
            c->reconnect_at = now_ns() + (int64_t)(rndf() * 500e6); /* 0–500 ms jitter */
            if (c->bitmap) {
                c->catching = 1;
                c->caught = 0;
            }
        } else
            c->reconnect_at = c->had_hello ? 0 : now_ns() + 500000000LL;
    } else {
        c->state = S_OFF;
        c->io.want_out = 0;
        c->reconnect_at = 0; /* an orderly close after an answer: reopen at once */
        if (c->busy) {       /* retry the same request (same client_msg_id: idempotent) after a pause */
            c->busy = 0;
            P->retries++;
            push_req(&c->r);
            c->reconnect_at = now_ns() + 50000000LL;
        }
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
            if (c->kind == K_WS && !reconnect_mode)
                P->conn_failed++;
            conn_close(c);
            return;
        }
        c->state = c->kind == K_WS ? S_HANDSHAKE : S_OPEN;
    }
    if (ev & EPOLLOUT) {
        if (flush(c) != 0) {
            conn_close(c);
            return;
        }
    }
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
            rreserve(c, 16384);
            ssize_t n = recv(c->io.fd, c->io.rb + c->io.rlen, c->io.rcap - c->io.rlen, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
                if (n == 0 && c->kind == K_HTTP && c->busy && c->io.rlen > 0) {
                    c->eof = 1;
                    http_input(c);
                    c->eof = 0;
                    if (c->io.fd < 0)
                        return;
                }
                conn_close(c);
                return;
            }
            if (n < 0)
                break;
            c->io.rlen += (uint32_t)n;
            if (c->kind == K_WS)
                ws_input(c);
            else
                http_input(c);
            break; /* level-triggered: one read per wakeup */
        }
    }
}

/* ---------- the worker ---------- */
static int msg_counter;

static void
send_msg(int room_idx, int tokidx, int ph)
{
    int n = __atomic_fetch_add(&msg_counter, 1, __ATOMIC_RELAXED);
    n = n * nprocs + me; /* globally unique message index */
    if (n >= MAXMSG)
        return;
    struct req r = {.kind = 1, .room = rooms[room_idx].id, .tokidx = tokidx, .n = n, .arg = room_idx};
    sh->msg[n].phase = (uint32_t)ph;
    sh->msg[n].sent_ns = (uint64_t)now_ns();
    snprintf(r.body, sizeof(r.body), "t=%lld n=%d bench", (long long)now_ns(), n);
    P->sent[ph]++;
    push_req(&r);
}

static void
worker(void)
{
    P = &sh->p[me];
    rng ^= (uint64_t)(me + 1) * 0x9E3779B97F4A7C15ULL;
    ep = epoll_create1(EPOLL_CLOEXEC);
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)(src_base + me));
    reconnect_mode = !strcmp(mode, "reconnect");

    /* my WebSocket clients: every nprocs-th of the client list */
    int *list = NULL, nlist = 0;
    int *roomof = NULL;
    if (!strcmp(mode, "idle")) {
        list = malloc(sizeof(int) * (size_t)nclients);
        for (int i = 0; i < nclients; i++)
            list[nlist++] = i;
    } else if (strcmp(mode, "durable") != 0) {
        char *seen = calloc((size_t)ntok, 1);
        list = malloc(sizeof(int) * (size_t)ntok);
        roomof = malloc(sizeof(int) * (size_t)ntok);
        for (int r = 0; r < nrooms; r++)
            for (int k = 0; k < rooms[r].n; k++) {
                int m = rooms[r].m[k];
                if (m >= 0 && m < ntok && !seen[m]) {
                    seen[m] = 1;
                    roomof[nlist] = r;
                    list[nlist++] = m;
                }
            }
        free(seen);
    }
    ws = calloc((size_t)(nlist / nprocs + 1), sizeof(*ws));
    for (int i = me; i < nlist; i += nprocs) {
        struct conn *c = &ws[nws];
        c->io.fd = -1;
        c->kind = K_WS;
        c->idx = nws;
        c->tokidx = list[i];
        c->roomidx = roomof ? roomof[i] : 0;
        c->node = port2 > 0 && (i & 1);
        if (reconnect_mode)
            c->bitmap = calloc(BITMAP_BITS / 8, 1);
        c->reconnect_at = -1; /* not started */
        nws++;
    }
    nhc = !strcmp(mode, "durable") ? senders / nprocs + (me < senders % nprocs) : http_conns;
    if (!strcmp(mode, "broadcast"))
        nhc = me == 0 ? (inflight > http_conns ? inflight : http_conns) : 4;
    if (!strcmp(mode, "idle"))
        nhc = 0;
    hc = calloc((size_t)nhc + 1, sizeof(*hc));
    for (int i = 0; i < nhc; i++) {
        hc[i].io.fd = -1;
        hc[i].kind = K_HTTP;
        hc[i].idx = i;
    }

    int next_start = 0, last_phase = -2;
    int64_t last_scan = 0, last_tick = now_ns();
    double presence_acc = 0, typing_acc = 0, send_acc = 0;
    int durable_started = 0;
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
        /* initial connects, bounded in flight */
        while (next_start < nws && pending < maxpending) {
            ws_start(&ws[next_start]);
            next_start++;
        }
        if (!P->done_connect && next_start == nws) {
            int64_t ok = 0;
            for (int i = 0; i < nws; i++)
                ok += ws[i].had_hello;
            if (ok == nws)
                P->done_connect = 1;
        }
        /* reconnect scan every 5 ms */
        if (now - last_scan > 5000000LL) {
            last_scan = now;
            for (int i = 0; i < next_start && pending < maxpending; i++) {
                struct conn *c = &ws[i];
                if (c->state == S_OFF && c->reconnect_at > 0 && c->reconnect_at <= now && !(sh->verify >= 2)) {
                    if (!reconnect_mode && c->had_hello)
                        continue;
                    ws_start(c);
                }
            }
        }
        double dt = (double)(now - last_tick) / 1e9;
        last_tick = now;
        int running = ph >= 0 && ph < nphases;
        /* sending */
        if (running && (!strcmp(mode, "chat") || !strcmp(mode, "broadcast") || !strcmp(mode, "reconnect")) &&
            !(reconnect_mode && sh->verify >= 1)) {
            double rate = rates[ph];
            double share = !strcmp(mode, "broadcast") ? (me == 0 ? rate : -1) : rate / nprocs;
            if (rate > 0 && share > 0) {
                send_acc += share * dt;
                int lim = 1000;
                while (send_acc >= 1 && lim-- > 0) {
                    send_acc -= 1;
                    int r = (int)(rnd() % (uint64_t)nrooms);
                    int s = rooms[r].sender;
                    if (s == -2 && rooms[r].n > 0)
                        s = rooms[r].m[rnd() % (uint64_t)rooms[r].n];
                    send_msg(r, s, ph);
                }
            } else if (rate == 0 && share >= 0) { /* closed loop: keep `inflight` sends outstanding */
                int busy = 0;
                for (int i = 0; i < nhc; i++)
                    busy += hc[i].busy;
                for (int k = busy + rq_len; k < inflight; k++) {
                    int r = (int)(rnd() % (uint64_t)nrooms);
                    send_msg(r, rooms[r].sender == -2 ? rooms[r].m[0] : rooms[r].sender, ph);
                }
            }
        }
        if (running && !strcmp(mode, "durable")) {
            if (!durable_started)
                durable_started = 1;
            /* Closed loop: one send queued for every idle connection (not one per loop turn),
             * so that all --senders are in flight at once. */
            int idle = 0;
            for (int i = 0; i < nhc; i++)
                idle += !hc[i].busy && (hc[i].state != S_OFF || hc[i].reconnect_at <= now);
            for (int i = 0, k = rq_len; i < nhc && k < idle; i++)
                if (!hc[i].busy && (hc[i].state != S_OFF || hc[i].reconnect_at <= now)) {
                    int r = (me + i * nprocs) % nrooms;
                    send_msg(r, rooms[r].sender == -2 ? rooms[r].m[0] : rooms[r].sender, ph);
                    k++;
                }
        }
        if (running && !strcmp(mode, "chat") && nws > 0) {
            presence_acc += presence_rate / nprocs * dt;
            typing_acc += typing_rate / nprocs * dt;
            while (presence_acc >= 1) {
                presence_acc -= 1;
                struct conn *c = &ws[rnd() % (uint64_t)nws];
                ws_send_text(c, rnd() & 1 ? "{\"type\":\"presence\",\"status\":\"away\"}"
                                          : "{\"type\":\"presence\",\"status\":\"online\"}");
                P->presence_sent++;
            }
            while (typing_acc >= 1) {
                typing_acc -= 1;
                struct conn *c = &ws[rnd() % (uint64_t)nws];
                char b[64];
                snprintf(b, sizeof(b), "{\"type\":\"typing\",\"room_id\":%d}", rooms[c->roomidx].id);
                ws_send_text(c, b);
                P->typing_sent++;
            }
        }
        if (rq_len > 0)
            http_pump();
        if (sh->verify == 2 && P->verified_clients == 0 && reconnect_mode) {
            int64_t miss = 0, bad = 0;
            for (int i = 0; i < nws; i++) {
                struct conn *c = &ws[i];
                int64_t mx = sh->room_maxacked[c->roomidx];
                int64_t m = 0;
                for (int64_t s = 1; s <= mx && s < BITMAP_BITS; s++)
                    if (!(c->bitmap[s >> 3] & (1u << (s & 7))))
                        m++;
                if (m)
                    bad++;
                miss += m;
            }
            P->missing = miss;
            P->extra = bad;
            P->verified_clients = nws ? nws : -1;
        }
        int n = epoll_wait(ep, evs, 512, running || rq_len || pending ? 1 : 20);
        for (int i = 0; i < n; i++)
            on_event(evs[i].data.ptr, evs[i].events);
    }
    P->exited = 1;
    _exit(0);
}

/* ---------- server /proc ---------- */
static double
server_cpu(void)
{
    return server_pid ? proc_cpu_s(server_pid) : 0;
}

static long
server_kib(const char *field)
{
    return server_pid ? proc_kib(server_pid, field) : 0;
}

static long
sockstat_tcp_pages(void)
{
    FILE *f = fopen("/proc/net/sockstat", "r");
    if (!f)
        return 0;
    char l[256];
    long v = 0;
    while (fgets(l, sizeof(l), f)) {
        char *m = strstr(l, "TCP:");
        if (m && (m = strstr(l, " mem ")))
            v = atol(m + 5);
    }
    fclose(f);
    return v;
}

/* ---------- inputs ---------- */
static void
load_tokens(void)
{
    FILE *f = fopen(tokens_path, "r");
    if (!f)
        die(tokens_path);
    int cap = 1024;
    tok = malloc(sizeof(char *) * (size_t)cap);
    tok_uid = malloc(sizeof(long long) * (size_t)cap);
    char l[512], t[400];
    long long u;
    while (fgets(l, sizeof(l), f))
        if (sscanf(l, "%lld %399s", &u, t) == 2) {
            if (ntok == cap) {
                cap *= 2;
                tok = realloc(tok, sizeof(char *) * (size_t)cap);
                tok_uid = realloc(tok_uid, sizeof(long long) * (size_t)cap);
            }
            tok_uid[ntok] = u;
            tok[ntok++] = strdup(t);
        }
    fclose(f);
    if (admin_path) {
        f = fopen(admin_path, "r");
        if (!f)
            die(admin_path);
        if (fscanf(f, "%399s", t) == 1)
            admin_tok = strdup(t);
        fclose(f);
    }
}

static void
load_rooms(void)
{
    FILE *f = fopen(rooms_path, "r");
    if (!f)
        die(rooms_path);
    size_t cap = 1 << 20;
    char *l = malloc(cap);
    rooms = calloc(MAXROOMS, sizeof(*rooms));
    while (fgets(l, (int)cap, f) && nrooms < MAXROOMS) {
        struct room *r = &rooms[nrooms];
        char *p = l, *e;
        r->id = (int)strtol(p, &e, 10);
        if (e == p)
            continue;
        p = e;
        r->sender = (int)strtol(p, &e, 10);
        p = e;
        r->m = malloc(sizeof(int) * MAXMEMBERS);
        for (;;) {
            long v = strtol(p, &e, 10);
            if (e == p || r->n >= MAXMEMBERS)
                break;
            r->m[r->n++] = (int)v;
            p = e;
        }
        nrooms++;
    }
    free(l);
    fclose(f);
}

static void
usage(void)
{
    fprintf(stderr, "usage: loadgen --mode idle|chat|broadcast|durable|reconnect --port P [--port2 P] [--clients N] [--procs P]\n"
                    "  [--tokens F] [--rooms F] [--admin-token F] [--server-pid PID] [--hold S] [--rates r1,r2,..]\n"
                    "  [--phase-secs S] [--inflight K] [--senders K] [--http-conns K] [--read-prob p]\n"
                    "  [--signal-file F] [--pre-secs S] [--post-secs S] [--deadline S]\n");
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
        if (OPT("--mode"))
            mode = v;
        else if (OPT("--port"))
            port = atoi(v);
        else if (OPT("--port2"))
            port2 = atoi(v);
        else if (OPT("--host"))
            snprintf(host, sizeof(host), "%s", v);
        else if (OPT("--clients"))
            nclients = atoi(v);
        else if (OPT("--procs"))
            nprocs = atoi(v);
        else if (OPT("--tokens"))
            tokens_path = v;
        else if (OPT("--rooms"))
            rooms_path = v;
        else if (OPT("--admin-token"))
            admin_path = v;
        else if (OPT("--server-pid"))
            server_pid = atoi(v);
        else if (OPT("--hold"))
            hold_s = atoi(v);
        else if (OPT("--phase-secs"))
            phase_s = atoi(v);
        else if (OPT("--inflight"))
            inflight = atoi(v);
        else if (OPT("--senders"))
            senders = atoi(v);
        else if (OPT("--http-conns"))
            http_conns = atoi(v);
        else if (OPT("--read-prob"))
            read_prob = atof(v);
        else if (OPT("--presence-rate"))
            presence_rate = atof(v);
        else if (OPT("--typing-rate"))
            typing_rate = atof(v);
        else if (OPT("--signal-file"))
            signal_file = v;
        else if (OPT("--ready-file"))
            ready_file = v;
        else if (OPT("--pre-secs"))
            pre_s = atoi(v);
        else if (OPT("--post-secs"))
            post_s = atoi(v);
        else if (OPT("--deadline"))
            deadline_s = atoi(v);
        else if (OPT("--max-pending"))
            maxpending = atoi(v);
        else if (OPT("--src-base"))
            src_base = atoi(v);
        else if (OPT("--rates")) {
            nphases = 0;
            char *s = strdup(v), *sv = NULL;
            for (char *t = strtok_r(s, ",", &sv); t && nphases < MAXPH; t = strtok_r(NULL, ",", &sv))
                rates[nphases++] = atof(t);
        } else
            usage();
    }
    if (nprocs < 1 || nprocs > MAXP)
        usage();
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    srv.sin_family = AF_INET;
    srv.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, host, &srv.sin_addr);
    srv2 = srv;
    srv2.sin_port = htons((uint16_t)port2);
    if (tokens_path)
        load_tokens();
    if (rooms_path)
        load_rooms();
    if (!strcmp(mode, "idle") && nclients > ntok) {
        fprintf(stderr, "loadgen: %d clients but only %d tokens\n", nclients, ntok);
        return 2;
    }
    if (strcmp(mode, "idle") && nrooms == 0) {
        fprintf(stderr, "loadgen: mode %s needs --rooms\n", mode);
        return 2;
    }
    if (!strcmp(mode, "idle") || !strcmp(mode, "durable"))
        nphases = !strcmp(mode, "durable") ? 1 : 0;
    sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED)
        die("mmap");
    sh->phase = -1;
    runid = (unsigned)getpid() ^ (unsigned)time(NULL) << 8;

    double scpu0 = server_cpu();
    long rss0 = server_kib("VmRSS"), tcp0 = sockstat_tcp_pages();
    int64_t t0 = now_ns();
    pid_t kids[MAXP];
    for (me = 0; me < nprocs; me++) {
        kids[me] = fork();
        if (kids[me] == 0)
            worker();
        if (kids[me] < 0)
            die("fork");
    }
    /* connect phase */
    int64_t deadline = t0 + (int64_t)deadline_s * 1000000000LL;
    for (;;) {
        int64_t d = SUMF(done_connect);
        if (d == nprocs || now_ns() > deadline)
            break;
        sleep_ms(10);
    }
    int64_t t_conn = now_ns();
    double connect_s = (double)(t_conn - t0) / 1e9;
    double scpu_conn = server_cpu();
    fprintf(stderr, "loadgen: %lld connected (%lld failed attempts) in %.2f s\n", (long long)SUMF(connected),
            (long long)SUMF(conn_failed), connect_s);
    sleep_ms(2000); /* settle */
    long rss1 = server_kib("VmRSS"), tcp1 = sockstat_tcp_pages();
    if (ready_file) {
        FILE *f = fopen(ready_file, "w");
        if (f)
            fclose(f);
    }
    double phase_cpu[MAXPH + 1], phase_cpu_end[MAXPH + 1] = {0};
    int64_t phase_t[MAXPH + 1], phase_send_end[MAXPH + 1] = {0}, phase_end[MAXPH + 1] = {0};
    double recon_all_s = -1, recon_from_up_s = -1;
    int64_t recon_missing = -1, recon_bad = -1;
    if (!strcmp(mode, "idle")) {
        sleep_ms(hold_s * 1000);
    } else if (!strcmp(mode, "reconnect")) {
        phase_cpu[0] = server_cpu();
        phase_t[0] = now_ns();
        sh->phase = 0;
        sleep_ms(pre_s * 1000);
        if (signal_file) {
            FILE *f = fopen(signal_file, "w");
            if (f)
                fclose(f);
        }
        fprintf(stderr, "loadgen: waiting for the server restart\n");
        int64_t nws_total = SUMF(connected);
        /* wait: a disconnect, then every client caught up (bounded) */
        int64_t dl = now_ns() + (int64_t)deadline_s * 1000000000LL;
        while (now_ns() < dl) {
            if (SUMF(ws_closed) > 0 && SUMF(caught_up) >= nws_total)
                break;
            sleep_ms(10);
        }
        int64_t down = INT64_MAX, up = INT64_MAX, last = 0;
        for (int i = 0; i < nprocs; i++) {
            if (sh->p[i].first_down_ns && sh->p[i].first_down_ns < down)
                down = sh->p[i].first_down_ns;
            if (sh->p[i].first_rehello_ns && sh->p[i].first_rehello_ns < up)
                up = sh->p[i].first_rehello_ns;
            if (sh->p[i].last_caught_ns > last)
                last = sh->p[i].last_caught_ns;
        }
        if (SUMF(caught_up) >= nws_total && down != INT64_MAX) {
            recon_all_s = (double)(last - down) / 1e9;
            recon_from_up_s = up != INT64_MAX ? (double)(last - up) / 1e9 : -1;
        }
        fprintf(stderr, "loadgen: caught up %lld/%lld\n", (long long)SUMF(caught_up), (long long)nws_total);
        sleep_ms(post_s * 1000);
        sh->verify = 1; /* stop sending, let in-flight sends finish and deliveries arrive */
        sleep_ms(2000);
        sh->verify = 2;
        for (int k = 0; k < 500; k++) {
            int ok = 1;
            for (int i = 0; i < nprocs; i++)
                ok &= sh->p[i].verified_clients != 0;
            if (ok)
                break;
            sleep_ms(10);
        }
        recon_missing = SUMF(missing);
        recon_bad = SUMF(extra);
        sh->phase = MAXPH;
        phase_cpu[1] = server_cpu();
        phase_t[1] = now_ns();
        phase_cpu_end[0] = phase_cpu[1];
        phase_send_end[0] = phase_end[0] = phase_t[1];
    } else {
        for (int ph = 0; ph < nphases; ph++) {
            phase_cpu[ph] = server_cpu();
            phase_t[ph] = now_ns();
            sh->phase_start_ns[ph] = phase_t[ph];
            sh->phase = ph;
            sleep_ms(phase_s * 1000);
            phase_send_end[ph] = now_ns();
            sh->phase = -2; /* drain: no sends until this phase's deliveries stop (≤ 8 s) */
            int64_t last = -1;
            for (int k = 0; k < 80; k++) {
                sleep_ms(100);
                int64_t d = 0, a = 0, s = 0;
                for (int i = 0; i < nprocs; i++) {
                    d += sh->p[i].deliv[ph];
                    a += sh->p[i].acked[ph] + sh->p[i].send_err[ph];
                    s += sh->p[i].sent[ph];
                }
                if (d == last && a >= s)
                    break;
                last = d;
            }
            phase_cpu_end[ph] = server_cpu();
            phase_end[ph] = now_ns();
        }
        phase_cpu[nphases] = server_cpu();
        phase_t[nphases] = now_ns();
        sh->phase = MAXPH;
    }
    sleep_ms(100); /* workers note the end of the last phase */
    long rss2 = server_kib("VmRSS"), hwm = server_kib("VmHWM");
    double scpu_end = server_cpu();
    sh->stopall = 1;
    for (int i = 0; i < nprocs; i++)
        waitpid(kids[i], NULL, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double lg_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

    /* ---------- report ---------- */
    FILE *o = stdout;
    int64_t nconn = SUMF(connected);
    fprintf(o, "{\"mode\":\"%s\",\"procs\":%d,\"clients\":%lld,\"connect\":{\"ok\":%lld,\"failed_attempts\":%lld,\"secs\":%.3f,",
            mode, nprocs, (long long)(strcmp(mode, "idle") ? nconn : nclients), (long long)nconn, (long long)SUMF(conn_failed),
            connect_s);
    fprintf(o, "\"server_cpu_s\":%.2f},", scpu_conn - scpu0);
    fprintf(o,
            "\"server\":{\"pid\":%d,\"cpu_s\":%.2f,\"rss_before_kib\":%ld,\"rss_connected_kib\":%ld,\"rss_end_kib\":%ld,"
            "\"hwm_kib\":%ld},",
            server_pid, scpu_end - scpu0, rss0, rss1, rss2, hwm);
    long pg = sysconf(_SC_PAGESIZE) / 1024;
    fprintf(o, "\"kernel_tcp_kib_before\":%ld,\"kernel_tcp_kib_connected\":%ld,", tcp0 * pg, tcp1 * pg);
    if (nconn > 0)
        fprintf(o, "\"server_rss_per_conn_bytes\":%.0f,", (double)(rss1 - rss0) * 1024.0 / (double)nconn);
    fprintf(o, "\"loadgen_cpu_s\":%.2f,\"wall_s\":%.2f,", lg_cpu, (double)(now_ns() - t0) / 1e9);
    fprintf(o,
            "\"ws_closed\":%lld,\"reconnects\":%lld,\"http_err\":%lld,\"http_ok_other\":%lld,\"retries\":%lld,"
            "\"server_closes\":%lld,\"reads_sent\":%lld,\"presence_sent\":%lld,\"typing_sent\":%lld,\"other_frames\":%lld,",
            (long long)SUMF(ws_closed), (long long)SUMF(reconnects), (long long)SUMF(http_err), (long long)SUMF(http_ok_other),
            (long long)SUMF(retries), (long long)SUMF(server_closes), (long long)SUMF(reads_sent), (long long)SUMF(presence_sent),
            (long long)SUMF(typing_sent), (long long)SUMF(other_frames));
    if (!strcmp(mode, "reconnect")) {
        fprintf(o,
                "\"reconnect\":{\"clients\":%lld,\"caught_up\":%lld,\"secs_from_disconnect\":%.3f,"
                "\"secs_from_first_rehello\":%.3f,\"missing_messages\":%lld,\"clients_missing\":%lld,",
                (long long)nconn, (long long)SUMF(caught_up), recon_all_s, recon_from_up_s, (long long)recon_missing,
                (long long)recon_bad);
        int64_t totacked = 0;
        for (int r = 0; r < nrooms && r < MAXROOMS; r++)
            totacked += sh->room_maxacked[r];
        fprintf(o, "\"acked_msgs_checked\":%lld},", (long long)totacked);
    }
    fprintf(o, "\"phases\":[");
    int np = !strcmp(mode, "reconnect") ? 1 : nphases;
    for (int ph = 0; ph < np; ph++) {
        struct hist *d = calloc(1, sizeof(*d)), *a = calloc(1, sizeof(*a)), *lr = calloc(1, sizeof(*lr));
        int64_t sent = 0, acked = 0, serr = 0, deliv = 0;
        double lcpu = 0;
        for (int i = 0; i < nprocs; i++) {
            hmerge(d, &sh->p[i].dlat[ph]);
            hmerge(a, &sh->p[i].alat[ph]);
            sent += sh->p[i].sent[ph];
            acked += sh->p[i].acked[ph];
            serr += sh->p[i].send_err[ph];
            deliv += sh->p[i].deliv[ph];
            double c1 = ph + 1 < np ? sh->p[i].cpu_at_phase[ph + 1] : sh->p[i].cpu_at_phase[MAXPH];
            lcpu += c1 - sh->p[i].cpu_at_phase[ph];
        }
        /* last-recipient latency per message; expected recipients = max seen */
        uint32_t maxrecv = 0;
        for (int n = 0; n < MAXMSG; n++)
            if (sh->msg[n].phase == (uint32_t)ph && sh->msg[n].recv > maxrecv && sh->msg[n].sent_ns)
                maxrecv = sh->msg[n].recv;
        int64_t complete = 0, incomplete = 0;
        for (int n = 0; n < MAXMSG; n++) {
            struct msginfo *mi = &sh->msg[n];
            if (!mi->sent_ns || mi->phase != (uint32_t)ph)
                continue;
            if (mi->recv == maxrecv) {
                complete++;
                hadd(lr, (int64_t)mi->maxlat);
            } else
                incomplete++;
        }
        double secs = (double)(phase_send_end[ph] - phase_t[ph]) / 1e9;
        double span = (double)(phase_end[ph] - phase_t[ph]) / 1e9; /* sending + drain */
        int64_t lastd = 0;
        for (int i = 0; i < nprocs; i++)
            if (sh->p[i].last_deliv_ns[ph] > lastd)
                lastd = sh->p[i].last_deliv_ns[ph];
        double dspan = lastd > phase_t[ph] ? (double)(lastd - phase_t[ph]) / 1e9 : secs;
        if (dspan < secs)
            dspan = secs;
        fprintf(o,
                "%s{\"rate\":%g,\"secs\":%.2f,\"sent\":%lld,\"acked\":%lld,\"send_errors\":%lld,\"deliveries\":%lld,"
                "\"deliveries_per_s\":%.0f,\"acks_per_s\":%.0f,\"recipients_per_msg\":%u,\"msgs_complete\":%lld,"
                "\"msgs_incomplete\":%lld,\"server_cpu_s\":%.2f,\"loadgen_cpu_s\":%.2f,\"span_s\":%.2f,"
                "\"delivery_span_s\":%.2f,\"server_cores\":%.2f,\"loadgen_cores\":%.2f,",
                ph ? "," : "", rates[ph], secs, (long long)sent, (long long)acked, (long long)serr, (long long)deliv,
                (double)deliv / dspan, (double)acked / secs, maxrecv, (long long)complete, (long long)incomplete,
                phase_cpu_end[ph] - phase_cpu[ph], lcpu, span, dspan, (phase_cpu_end[ph] - phase_cpu[ph]) / span, lcpu / span);
        hjson(o, "deliver_us", d);
        if (port2) {
            fputs(",\"by_node\":[", o);
            for (int k = 0; k < 2; k++) {
                struct hist *dn = calloc(1, sizeof(*dn));
                int64_t dv = 0;
                for (int i = 0; i < nprocs; i++) {
                    hmerge(dn, &sh->p[i].dlat_node[k][ph]);
                    dv += sh->p[i].deliv_node[k][ph];
                }
                fprintf(o, "%s{\"port\":%d,\"deliveries\":%lld,\"deliveries_per_s\":%.0f,", k ? "," : "", k ? port2 : port,
                        (long long)dv, (double)dv / dspan);
                hjson(o, "deliver_us", dn);
                fputc('}', o);
                free(dn);
            }
            fputc(']', o);
        }
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
