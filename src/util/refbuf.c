/*
 * Reference-counted byte buffers (see refbuf.h).
 */
#include "util/refbuf.h"
#include "util/xmalloc.h"

#include <stdlib.h>

struct refbuf *
refbuf_new(size_t len)
{
    struct refbuf *b = xmalloc(sizeof(*b) + len + 1);
    b->_ref = 1;
    b->len = len;
    b->data[len] = '\0';
    return b;
}

void
refbuf_retain(struct refbuf *b)
{
    __atomic_add_fetch(&b->_ref, 1, __ATOMIC_RELAXED);
}

void
refbuf_release(struct refbuf *b)
{
    if (b != NULL && __atomic_sub_fetch(&b->_ref, 1, __ATOMIC_ACQ_REL) == 0)
        free(b);
}
