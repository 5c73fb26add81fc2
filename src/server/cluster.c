/*
 * Several nodes on one PostgreSQL database (docs/scaling.md): what one node publishes reaches
 * the sessions connected to the others.
 *
 * The hub hands every event published here to cluster_relay (a copy into a queue); the sender
 * thread writes the queue to the database in batches (store_bus_send) and beats this node's
 * heartbeat. The listener thread, on a connection of its own, waits for notifications, reads
 * the other nodes' events in order and publishes them to this node's sessions only. Presence
 * crosses the same way: when a person's state on this node changes, the other nodes learn it
 * (and a node that starts later reads it from cluster_presence); a node not heard from for
 * DEAD_MS is forgotten.
 *
 * With SQLite (one node) none of this starts.
 */
#include "server/cluster.h"
#include "api/api.h"
#include "hub/hub.h"
#include "hub/presence.h"
#include "store/store.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define KIND_PRESENCE 100 /* a bus event kind beside the hub's: a person's state on its node */
#define HEARTBEAT_MS 1000
#define DEAD_MS 5000
#define QUEUE_MAX 100000 /* events kept while the database is unreachable */

struct item {
    struct store_bus_event ev;
    struct item *next;
};

static char node_id[96];
static struct kr_config cfg_copy;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct item *head, *tail;
static size_t queued;
static int running, stopping;
static pthread_t sender, listener;

const char *
cluster_node(void)
{
    return node_id;
}

static void
enqueue(int kind, const char *json, size_t len, const int64_t *users, size_t nusers, const int64_t *sessions, size_t nsessions,
        int64_t except_user)
{
    struct item *it = xcalloc(1, sizeof(*it));
    char *body = xmalloc(len + 1);
    memcpy(body, json, len);
    body[len] = '\0';
    int64_t *u = xmalloc((nusers + 1) * sizeof(int64_t)), *sess = xmalloc((nsessions + 1) * sizeof(int64_t));
    if (nusers)
        memcpy(u, users, nusers * sizeof(int64_t));
    if (nsessions)
        memcpy(sess, sessions, nsessions * sizeof(int64_t));
    it->ev = (struct store_bus_event){.kind = kind,
                                      .json = body,
                                      .len = len,
                                      .users = u,
                                      .nusers = nusers,
                                      .sessions = sess,
                                      .nsessions = nsessions,
                                      .except_user = except_user};
    pthread_mutex_lock(&mu);
    if (queued >= QUEUE_MAX) {
        pthread_mutex_unlock(&mu);
        log_error("cluster.queue_full", "action=dropped");
        free(body);
        free(u);
        free(sess);
        free(it);
        return;
    }
    if (tail)
        tail->next = it;
    else
        head = it;
    tail = it;
    queued++;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void
item_free(struct item *it)
{
    free((void *)it->ev.json);
    free((void *)it->ev.users);
    free((void *)it->ev.sessions);
    free(it);
}

static void
relay(const struct hub_event *ev)
{
    size_t len;
    const char *json = hub_event_json(ev, &len);
    enqueue(ev->kind, json, len, ev->users, ev->nusers, ev->sessions, ev->nsessions, ev->except_user);
}

static void
presence_observed(int64_t user_id, enum presence_state state)
{
    char s[4];
    snprintf(s, sizeof(s), "%d", (int)state);
    enqueue(KIND_PRESENCE, s, strlen(s), &user_id, 1, NULL, 0, -1);
}

static store_t *
open_store(void)
{
    char err[512];
    struct store_options opt = {.dsn = cfg_copy.store_dsn};
    store_t *s = store_open(cfg_copy.data, 0, &opt, err, sizeof(err));
    if (s == NULL)
        log_error("cluster.store", "error=\"%s\"", err);
    return s;
}

static void *
sender_main(void *arg)
{
    (void)arg;
    store_t *s = open_store();
    int64_t last_beat = 0;
    struct item *batch = NULL;
    while (s != NULL) {
        pthread_mutex_lock(&mu);
        if (batch == NULL && head == NULL && !stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += (long)HEARTBEAT_MS * 1000000L;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&cv, &mu, &ts);
        }
        if (batch == NULL) {
            batch = head;
            head = tail = NULL;
        }
        int stop = stopping && batch == NULL;
        pthread_mutex_unlock(&mu);
        if (stop)
            break;
        int64_t now = time_now_ms();
        if (batch != NULL) {
            struct store_bus_event evs[256];
            size_t n = 0;
            struct item *it = batch;
            for (; it != NULL && n < 256; it = it->next)
                evs[n++] = it->ev;
            int rc = store_bus_send(s, node_id, evs, n, now);
            for (size_t i = 0; rc == 0 && i < n; i++)
                if (evs[i].kind == KIND_PRESENCE)
                    rc = store_bus_presence(s, node_id, evs[i].users[0], atoi(evs[i].json));
            if (rc == 0) {
                for (size_t i = 0; i < n; i++) {
                    struct item *next = batch->next;
                    item_free(batch);
                    batch = next;
                }
                pthread_mutex_lock(&mu);
                queued -= n;
                pthread_mutex_unlock(&mu);
            } else {
                /* The database is away: keep the batch (and what follows it) and try again. */
                log_warn("cluster.send", "events=%zu action=retry", n);
                poll(NULL, 0, 200);
                struct item *rest = batch;
                pthread_mutex_lock(&mu);
                struct item *t = rest;
                while (t->next)
                    t = t->next;
                t->next = head;
                head = rest;
                if (tail == NULL)
                    tail = t;
                pthread_mutex_unlock(&mu);
                batch = NULL;
            }
        }
        if (now - last_beat >= HEARTBEAT_MS) {
            if (store_bus_heartbeat(s, node_id, now, DEAD_MS) == 0)
                last_beat = now;
        }
    }
    if (s) {
        store_bus_node_gone(s, node_id);
        store_close(s);
    }
    return NULL;
}

static void
deliver(void *arg, const char *node, const struct store_bus_event *ev)
{
    (void)arg;
    if (ev->kind == KIND_PRESENCE) {
        if (ev->nusers == 1)
            presence_remote_set(hash_str64(node), ev->users[0], (enum presence_state)atoi(ev->json));
        return;
    }
    struct hub_event *h = hub_event_new((enum hub_event_kind)ev->kind, ev->json, ev->len, ev->users, ev->nusers);
    if (ev->nsessions) {
        h->sessions = xmalloc(ev->nsessions * sizeof(int64_t));
        memcpy(h->sessions, ev->sessions, ev->nsessions * sizeof(int64_t));
        h->nsessions = ev->nsessions;
    }
    h->except_user = ev->except_user;
    hub_publish_local(h);
}

static void
remote_presence(void *arg, const char *node, int64_t user_id, int state)
{
    (void)arg;
    presence_remote_set(hash_str64(node), user_id, (enum presence_state)state);
}

static void
check_node(void *arg, const char *node, int64_t seen_ms)
{
    int64_t now = *(int64_t *)arg;
    if (now - seen_ms > DEAD_MS)
        presence_remote_forget(hash_str64(node));
}

static void *
listener_main(void *arg)
{
    (void)arg;
    store_t *s = open_store();
    int64_t last = -1, last_check = 0;
    if (s == NULL || store_bus_listen(s, &last) != 0) {
        log_error("cluster.listen", "error=\"cannot listen for other nodes' events\"");
        store_close(s);
        return NULL;
    }
    store_bus_presence_all(s, node_id, time_now_ms() - DEAD_MS, remote_presence, NULL);
    int lost = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        int stop = stopping;
        pthread_mutex_unlock(&mu);
        if (stop)
            break;
        int w = store_bus_wait(s, 250);
        if (w < 0) {
            if (!lost)
                log_warn("cluster.listen", "error=\"lost the database connection\" action=reconnect");
            lost = 1;
            poll(NULL, 0, 250);
            continue;
        }
        if (lost)
            log_info("cluster.listen", "action=reconnected");
        lost = 0;
        /* Read on every wake-up, notified or not: cheap, and it also covers a lost notification. */
        if (store_bus_read(s, node_id, &last, deliver, NULL) != 0)
            continue;
        int64_t now = time_now_ms();
        if (now - last_check >= HEARTBEAT_MS) {
            last_check = now;
            store_bus_nodes(s, node_id, check_node, &now);
        }
    }
    store_close(s);
    return NULL;
}

int
cluster_start(const struct kr_config *cfg)
{
    if (cfg->store_dsn[0] == '\0')
        return 0;
    cfg_copy = *cfg;
    char host[64] = "node";
    unsigned char r[4] = {0};
    gethostname(host, sizeof(host) - 1);
    if (getrandom(r, sizeof(r), 0) != sizeof(r))
        memset(r, 0, sizeof(r));
    snprintf(node_id, sizeof(node_id), "%.48s-%d-%02x%02x%02x%02x", host, (int)getpid(), r[0], r[1], r[2], r[3]);
    api_set_node(node_id);
    hub_set_relay(relay);
    presence_set_observer(presence_observed);
    if (pthread_create(&sender, NULL, sender_main, NULL) != 0 || pthread_create(&listener, NULL, listener_main, NULL) != 0)
        return -1;
    running = 1;
    log_info("cluster.start", "node=%s", node_id);
    return 0;
}

void
cluster_stop(void)
{
    if (!running)
        return;
    hub_set_relay(NULL);
    presence_set_observer(NULL);
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(sender, NULL);
    pthread_join(listener, NULL);
    running = 0;
}
