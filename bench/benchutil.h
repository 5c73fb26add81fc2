/*
 * What the load generators (loadgen.c for Kairan, peerload.c for the peers) share: monotonic
 * time, the log-linear latency histogram and its JSON, a process's CPU time and memory from /proc, WebSocket frame parsing, and a
 * few small helpers. Static functions in a header: each generator is one translation unit built by build.sh.
 */
#ifndef KAIRAN_BENCH_BENCHUTIL_H
#define KAIRAN_BENCH_BENCHUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HN (64 * 64)

/* ---------- time, histogram ---------- */
static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
hidx(uint64_t v)
{ /* log-linear, < 1.6 % relative error */
    if (v < 128)
        return (int)v;
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - 6;
    int i = shift * 64 + (int)(v >> shift);
    return i < HN ? i : HN - 1;
}

static uint64_t
hval(int i)
{
    if (i < 128)
        return (uint64_t)i;
    int shift = i / 64 - 1;
    uint64_t m = (uint64_t)(i % 64 + 64);
    return (m << shift) + ((1ULL << shift) >> 1);
}

struct hist {
    uint64_t c[HN];
    uint64_t n, sum, max;
};

static void
hadd(struct hist *h, int64_t v)
{
    if (v < 0)
        v = 0;
    h->c[hidx((uint64_t)v)]++;
    h->n++;
    h->sum += (uint64_t)v;
    if ((uint64_t)v > h->max)
        h->max = (uint64_t)v;
}

static void
hmerge(struct hist *d, const struct hist *s)
{
    for (int i = 0; i < HN; i++)
        d->c[i] += s->c[i];
    d->n += s->n;
    d->sum += s->sum;
    if (s->max > d->max)
        d->max = s->max;
}

static double
hpct(const struct hist *h, double p)
{
    if (h->n == 0)
        return 0;
    uint64_t want = (uint64_t)(p * (double)h->n);
    if (want >= h->n)
        want = h->n - 1;
    uint64_t acc = 0;
    for (int i = 0; i < HN; i++) {
        acc += h->c[i];
        if (acc > want)
            return (double)hval(i);
    }
    return (double)h->max;
}

static void
hjson(FILE *f, const char *name, const struct hist *h)
{ /* ns in, µs out */
    fprintf(f, "\"%s\":{\"n\":%llu,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,\"mean\":%.1f}", name,
            (unsigned long long)h->n, hpct(h, .5) / 1e3, hpct(h, .9) / 1e3, hpct(h, .99) / 1e3, hpct(h, .999) / 1e3,
            (double)h->max / 1e3, h->n ? (double)h->sum / (double)h->n / 1e3 : 0);
}

/* ---------- small helpers ---------- */
static void
die(const char *m)
{
    perror(m);
    exit(2);
}

static long long
num_after(const char *p, const char *end, const char *key, size_t kl)
{
    const char *q = memmem(p, (size_t)(end - p), key, kl);
    if (!q)
        return -1;
    q += kl;
    long long v = 0;
    while (q < end && *q >= '0' && *q <= '9')
        v = v * 10 + (*q++ - '0');
    return v;
}

static double
cpu_self(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void
sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* CPU seconds (user + system) a process has used so far; 0 if it is gone */
static double
proc_cpu_s(int pid)
{
    char p[64], b[1024];
    snprintf(p, sizeof(p), "/proc/%d/stat", pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t n = fread(b, 1, sizeof(b) - 1, f);
    fclose(f);
    b[n] = 0;
    char *q = strrchr(b, ')');
    unsigned long ut = 0, st = 0;
    /* fields after ')' start at 3 (state); utime is 14, stime 15 */
    if (q)
        sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* a "Field:   N kB" line of /proc/<pid>/status (VmRSS, VmHWM…); 0 if absent */
static long
proc_kib(int pid, const char *field)
{
    char p[64], l[256];
    snprintf(p, sizeof(p), "/proc/%d/status", pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    long v = 0;
    size_t fl = strlen(field);
    while (fgets(l, sizeof(l), f))
        if (!strncmp(l, field, fl) && l[fl] == ':')
            v = atol(l + fl + 1);
    fclose(f);
    return v;
}

/* The next whole WebSocket frame (server to client: unmasked) in buf[0..avail): its opcode,
 * payload and length, and its size in buf as the return; 0 while it is incomplete. */
static uint32_t
ws_next_frame(const char *buf, uint32_t avail, int *op, const char **payload, size_t *len)
{
    const uint8_t *b = (const uint8_t *)buf;
    if (avail < 2)
        return 0;
    uint64_t n = b[1] & 0x7f;
    uint32_t hl = 2;
    if (n == 126) {
        if (avail < 4)
            return 0;
        n = ((uint64_t)b[2] << 8) | b[3];
        hl = 4;
    } else if (n == 127) {
        if (avail < 10)
            return 0;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | b[2 + i];
        hl = 10;
    }
    if (avail - hl < n)
        return 0;
    *op = b[0] & 0x0f;
    *payload = buf + hl;
    *len = (size_t)n;
    return hl + (uint32_t)n;
}

/*
 * The socket half of a generator's connection: non-blocking, its input and output buffers and
 * its epoll registration. Each generator's `struct conn` begins with one (`struct bconn io;`
 * first, so that the pointer epoll hands back is the connection's).
 */
struct bconn {
    int fd;
    uint8_t want_out;
    char *rb, *wb;
    uint32_t rlen, rcap, wlen, woff, wcap;
};

/* Grows *b (capacity *cap, len bytes used) to hold n more bytes. */
static void
bconn_grow(char **b, uint32_t *cap, uint32_t len, uint32_t n)
{
    if (len + n > *cap) {
        *cap = *cap ? *cap * 2 : 2048;
        while (*cap < len + n)
            *cap *= 2;
        *b = realloc(*b, *cap);
    }
}

static void
bconn_want_out(int ep, struct bconn *c, int out)
{
    struct epoll_event e = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
    c->want_out = (uint8_t)out;
}

/* Writes what is buffered; waits for EPOLLOUT when the socket is full. 0, or -1 (closed). */
static int
bconn_flush(int ep, struct bconn *c)
{
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->wb + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) {
                if (!c->want_out)
                    bconn_want_out(ep, c, 1);
                return 0;
            }
            return -1;
        }
        c->woff += (uint32_t)n;
    }
    c->woff = c->wlen = 0;
    if (c->want_out)
        bconn_want_out(ep, c, 0);
    return 0;
}

/* Connects from `from` (a loopback source address, any port) to `to`, registered for input and
 * for the connect's completion. 0, or -1. */
static int
bconn_open(int ep, struct bconn *c, const struct sockaddr_in *from, const struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *)from, sizeof(*from)) != 0 ||
        (connect(fd, (const struct sockaddr *)to, sizeof(*to)) != 0 && errno != EINPROGRESS)) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->rlen = c->wlen = c->woff = 0;
    struct epoll_event e = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
    c->want_out = 1;
    return 0;
}

/* Unregisters and closes the socket (if open) and empties the buffers. */
static void
bconn_close(int ep, struct bconn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->rlen = c->wlen = c->woff = 0;
}

#endif
