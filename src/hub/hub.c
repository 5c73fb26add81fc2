/*
 * Per-thread fan-out (see hub.h).
 *
 * Sessions are indexed by user in a chained hash table owned by the hub's loop thread, so a
 * delivery touches no lock. Publication is the only cross-thread step: one h2o multithread
 * message per hub, each holding a reference to the shared event.
 */
#include "hub/hub.h"
#include "server/wsframe.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HUBS 64

struct hub {
    h2o_multithread_receiver_t receiver;
    h2o_multithread_queue_t *queue;
    hub_deliver_cb deliver;
    hub_close_cb close;
    hub_flush_cb flush;
    void *flush_arg;
    struct hub_conn **buckets;
    size_t nbuckets, count;
};

struct hub_msg {
    h2o_multithread_message_t super;
    struct hub_event *ev;
};

static hub_t *hubs[MAX_HUBS];
static int nhubs;
static pthread_mutex_t hubs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct hub_stats stats;

static size_t
bucket_of(const hub_t *h, int64_t user)
{
    uint64_t x = (uint64_t)user * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 32) & (h->nbuckets - 1);
}

static void
event_release(struct hub_event *ev)
{
    if (__atomic_sub_fetch(&ev->_ref, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    refbuf_release(ev->frame);
    free(ev->users);
    free(ev->sessions);
    free(ev);
}

static void
deliver_user(hub_t *h, struct hub_event *ev, int64_t user)
{
    struct hub_conn *c = h->buckets[bucket_of(h, user)], *next;
    for (; c != NULL; c = next) {
        next = c->_next; /* the callbacks may detach c */
        if (c->user_id != user)
            continue;
        if (ev->kind == HUB_REVOKE_SESSIONS) {
            int hit = 0;
            for (size_t i = 0; i < ev->nsessions; i++)
                hit |= ev->sessions[i] == c->session_id;
            if (!hit)
                continue;
        }
        h->deliver(c, ev->frame);
        __atomic_add_fetch(&stats.deliveries, 1, __ATOMIC_RELAXED);
        if (ev->kind != HUB_DELIVER)
            h->close(c);
    }
}

static void
on_message(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    hub_t *h = (hub_t *)receiver;
    while (!h2o_linklist_is_empty(messages)) {
        struct hub_msg *m = H2O_STRUCT_FROM_MEMBER(struct hub_msg, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        struct hub_event *ev = m->ev;
        if (h->count != 0) {
            for (size_t i = 0; i < ev->nusers; i++)
                if (ev->users[i] != ev->except_user || ev->kind != HUB_DELIVER)
                    deliver_user(h, ev, ev->users[i]);
        }
        event_release(ev);
        free(m);
    }
    if (h->flush)
        h->flush(h->flush_arg);
}

hub_t *
hub_create(h2o_loop_t *loop, hub_deliver_cb deliver, hub_close_cb close, hub_flush_cb flush, void *flush_arg)
{
    hub_t *h = xcalloc(1, sizeof(*h));
    h->deliver = deliver;
    h->close = close;
    h->flush = flush;
    h->flush_arg = flush_arg;
    h->nbuckets = 1024;
    h->buckets = xcalloc(h->nbuckets, sizeof(*h->buckets));
    h->queue = h2o_multithread_create_queue(loop);
    h2o_multithread_register_receiver(h->queue, &h->receiver, on_message);
    pthread_mutex_lock(&hubs_mu);
    if (nhubs < MAX_HUBS)
        hubs[nhubs++] = h;
    pthread_mutex_unlock(&hubs_mu);
    return h;
}

static void
grow(hub_t *h)
{
    size_t old = h->nbuckets;
    struct hub_conn **ob = h->buckets;
    h->nbuckets *= 2;
    h->buckets = xcalloc(h->nbuckets, sizeof(*h->buckets));
    for (size_t i = 0; i < old; i++) {
        for (struct hub_conn *c = ob[i], *next; c != NULL; c = next) {
            next = c->_next;
            size_t b = bucket_of(h, c->user_id);
            c->_next = h->buckets[b];
            h->buckets[b] = c;
        }
    }
    free(ob);
}

void
hub_attach(hub_t *h, struct hub_conn *c)
{
    if (h->count >= h->nbuckets)
        grow(h);
    size_t b = bucket_of(h, c->user_id);
    c->_next = h->buckets[b];
    h->buckets[b] = c;
    h->count++;
}

void
hub_detach(hub_t *h, struct hub_conn *c)
{
    struct hub_conn **pp = &h->buckets[bucket_of(h, c->user_id)];
    for (; *pp != NULL; pp = &(*pp)->_next) {
        if (*pp == c) {
            *pp = c->_next;
            c->_next = NULL;
            h->count--;
            return;
        }
    }
}

size_t
hub_count(hub_t *h)
{
    return h->count;
}

struct hub_event *
hub_event_new(enum hub_event_kind kind, const char *json, size_t len, const int64_t *users, size_t nusers)
{
    struct hub_event *ev = xcalloc(1, sizeof(*ev));
    uint8_t hdr[10];
    size_t hl = wsframe_header(hdr, WSFRAME_OP_TEXT, len);
    ev->kind = kind;
    ev->frame = refbuf_new(hl + len);
    memcpy(ev->frame->data, hdr, hl);
    memcpy(ev->frame->data + hl, json, len);
    ev->users = xmalloc((nusers ? nusers : 1) * sizeof(int64_t));
    if (nusers)
        memcpy(ev->users, users, nusers * sizeof(int64_t));
    ev->nusers = nusers;
    ev->except_user = -1;
    ev->_ref = 1;
    return ev;
}

static hub_relay_fn relay;

void
hub_set_relay(hub_relay_fn fn)
{
    relay = fn;
}

const char *
hub_event_json(const struct hub_event *ev, size_t *len)
{
    const uint8_t *f = (const uint8_t *)ev->frame->data;
    size_t n = f[1] & 0x7f, hl = n < 126 ? 2 : n == 126 ? 4 : 10;
    *len = ev->frame->len - hl;
    return (const char *)f + hl;
}

void
hub_publish(struct hub_event *ev)
{
    if (relay)
        relay(ev);
    hub_publish_local(ev);
}

void
hub_publish_local(struct hub_event *ev)
{
    __atomic_add_fetch(&stats.events, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&hubs_mu);
    int n = nhubs;
    pthread_mutex_unlock(&hubs_mu);
    __atomic_add_fetch(&ev->_ref, n, __ATOMIC_RELAXED);
    for (int i = 0; i < n; i++) {
        struct hub_msg *m = xcalloc(1, sizeof(*m));
        m->ev = ev;
        h2o_multithread_send_message(&hubs[i]->receiver, &m->super);
    }
    event_release(ev);
}

void
hub_get_stats(struct hub_stats *out)
{
    out->events = __atomic_load_n(&stats.events, __ATOMIC_RELAXED);
    out->deliveries = __atomic_load_n(&stats.deliveries, __ATOMIC_RELAXED);
    out->dropped_slow = __atomic_load_n(&stats.dropped_slow, __ATOMIC_RELAXED);
}

size_t
hub_total_connections(void)
{
    size_t total = 0;
    pthread_mutex_lock(&hubs_mu);
    for (int i = 0; i < nhubs; i++)
        total += __atomic_load_n(&hubs[i]->count, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&hubs_mu);
    return total;
}

void
hub_count_slow_drop(void)
{
    __atomic_add_fetch(&stats.dropped_slow, 1, __ATOMIC_RELAXED);
}
