/*
 * Allocation that never returns NULL.
 *
 * Kairan's out-of-memory policy, decided once: allocation failure aborts the process (as
 * tmux's xmalloc and h2o_mem_alloc do), and the supervisor restarts it. What a peer can make
 * us allocate is bounded separately (util/limits.h), so OOM means the machine is in trouble,
 * not that a client was hostile.
 */
#ifndef KAIRAN_UTIL_XMALLOC_H
#define KAIRAN_UTIL_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
