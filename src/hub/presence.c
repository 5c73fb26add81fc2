/*
 * The presence table (see presence.h): user id → number of online and away devices.
 */
#include "hub/presence.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>

/* A person's state on another node (several nodes, docs/scaling.md). */
struct remote {
    uint64_t node;
    enum presence_state state;
    struct remote *next;
};

struct entry {
    int64_t user;
    int online, away; /* this node's sockets */
    struct remote *remotes;
    struct entry *next;
};

static presence_observer_fn observer;

#define NBUCKETS 4096
static struct entry *buckets[NBUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static enum presence_state
local_aggregate(const struct entry *e)
{
    if (e == NULL)
        return PRESENCE_OFFLINE;
    if (e->online > 0)
        return PRESENCE_ONLINE;
    return e->away > 0 ? PRESENCE_AWAY : PRESENCE_OFFLINE;
}

/* Online anywhere beats away anywhere beats offline. */
static enum presence_state
aggregate(const struct entry *e)
{
    enum presence_state s = local_aggregate(e);
    for (const struct remote *r = e ? e->remotes : NULL; r != NULL && s != PRESENCE_ONLINE; r = r->next)
        if (r->state == PRESENCE_ONLINE || (r->state == PRESENCE_AWAY && s == PRESENCE_OFFLINE))
            s = r->state;
    return s;
}

/* Frees the entry at *pp when nothing keeps it. */
static void
maybe_free(struct entry **pp)
{
    if ((*pp)->online <= 0 && (*pp)->away <= 0 && (*pp)->remotes == NULL) {
        struct entry *e = *pp;
        *pp = e->next;
        free(e);
    }
}

static struct entry **
find(int64_t user)
{
    struct entry **pp = &buckets[((uint64_t)user * 0x9E3779B97F4A7C15ull >> 40) % NBUCKETS];
    while (*pp != NULL && (*pp)->user != user)
        pp = &(*pp)->next;
    return pp;
}

static void
count(struct entry *e, enum presence_state s, int d)
{
    if (s == PRESENCE_ONLINE)
        e->online += d;
    else if (s == PRESENCE_AWAY)
        e->away += d;
}

int
presence_change(int64_t user_id, enum presence_state from, enum presence_state to)
{
    pthread_mutex_lock(&mu);
    struct entry **pp = find(user_id);
    enum presence_state before = aggregate(*pp), local_before = local_aggregate(*pp);
    if (*pp == NULL) {
        *pp = xcalloc(1, sizeof(**pp));
        (*pp)->user = user_id;
    }
    count(*pp, from, -1);
    count(*pp, to, +1);
    enum presence_state after = aggregate(*pp), local_after = local_aggregate(*pp);
    maybe_free(pp);
    presence_observer_fn obs = observer;
    pthread_mutex_unlock(&mu);
    if (obs && local_after != local_before)
        obs(user_id, local_after);
    return after == before ? -1 : (int)after;
}

enum presence_state
presence_get(int64_t user_id)
{
    pthread_mutex_lock(&mu);
    enum presence_state s = aggregate(*find(user_id));
    pthread_mutex_unlock(&mu);
    return s;
}

const char *
presence_name(enum presence_state s)
{
    static const char *names[] = {"offline", "online", "away"};
    return names[s];
}

void
presence_set_observer(presence_observer_fn fn)
{
    pthread_mutex_lock(&mu);
    observer = fn;
    pthread_mutex_unlock(&mu);
}

int
presence_remote_set(uint64_t node, int64_t user_id, enum presence_state state)
{
    pthread_mutex_lock(&mu);
    struct entry **pp = find(user_id);
    enum presence_state before = aggregate(*pp);
    if (*pp == NULL) {
        *pp = xcalloc(1, sizeof(**pp));
        (*pp)->user = user_id;
    }
    struct remote **rp = &(*pp)->remotes;
    while (*rp != NULL && (*rp)->node != node)
        rp = &(*rp)->next;
    if (state == PRESENCE_OFFLINE) {
        if (*rp != NULL) {
            struct remote *r = *rp;
            *rp = r->next;
            free(r);
        }
    } else {
        if (*rp == NULL) {
            *rp = xcalloc(1, sizeof(**rp));
            (*rp)->node = node;
        }
        (*rp)->state = state;
    }
    enum presence_state after = aggregate(*pp);
    maybe_free(pp);
    pthread_mutex_unlock(&mu);
    return after == before ? -1 : (int)after;
}

void
presence_remote_forget(uint64_t node)
{
    pthread_mutex_lock(&mu);
    for (int b = 0; b < NBUCKETS; b++) {
        for (struct entry **pp = &buckets[b]; *pp != NULL;) {
            for (struct remote **rp = &(*pp)->remotes; *rp != NULL;) {
                if ((*rp)->node == node) {
                    struct remote *r = *rp;
                    *rp = r->next;
                    free(r);
                } else {
                    rp = &(*rp)->next;
                }
            }
            struct entry *e = *pp;
            maybe_free(pp);
            if (*pp == e)
                pp = &e->next;
        }
    }
    pthread_mutex_unlock(&mu);
}
