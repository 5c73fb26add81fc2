/*
 * The presence table (see presence.h): user id → number of online and away devices.
 */
#include "hub/presence.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>

struct entry {
    int64_t user;
    int online, away;
    struct entry *next;
};

#define NBUCKETS 4096
static struct entry *buckets[NBUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static enum presence_state
aggregate(const struct entry *e)
{
    if (e == NULL)
        return PRESENCE_OFFLINE;
    if (e->online > 0)
        return PRESENCE_ONLINE;
    return e->away > 0 ? PRESENCE_AWAY : PRESENCE_OFFLINE;
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
    enum presence_state before = aggregate(*pp);
    if (*pp == NULL) {
        *pp = xcalloc(1, sizeof(**pp));
        (*pp)->user = user_id;
    }
    count(*pp, from, -1);
    count(*pp, to, +1);
    enum presence_state after = aggregate(*pp);
    if ((*pp)->online <= 0 && (*pp)->away <= 0) {
        struct entry *e = *pp;
        *pp = e->next;
        free(e);
    }
    pthread_mutex_unlock(&mu);
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
