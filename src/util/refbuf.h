/*
 * Reference-counted byte buffers, shared across threads.
 *
 * One event is serialised once (on the writer thread) into a refbuf and queued to every
 * recipient's socket on every loop thread; the last release frees it. Counting is atomic.
 */
#ifndef KAIRAN_UTIL_REFBUF_H
#define KAIRAN_UTIL_REFBUF_H

#include <stddef.h>

struct refbuf {
    int _ref; /* touch only through refbuf_retain/refbuf_release */
    size_t len;
    char data[];
};

/* Allocates a buffer of `len` bytes with a count of 1 (aborts on out-of-memory). */
struct refbuf *refbuf_new(size_t len);
void refbuf_retain(struct refbuf *b);
/* Drops one reference; frees at zero. NULL is a harmless no-op. */
void refbuf_release(struct refbuf *b);

#endif
