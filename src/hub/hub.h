/*
 * The hub: fan-out of committed events to the WebSocket sessions of every loop thread.
 *
 * Each loop thread has one hub, which indexes that thread's sessions by user. An event is
 * serialised once into a complete WebSocket frame (a refbuf) and published to every hub; each
 * hub, on its own thread, queues the same bytes to each local session of each recipient. The
 * store never sees the hub: the server wires the writer's "committed" moment to hub_publish.
 * Events from one publisher arrive at each hub in publication order.
 */
#ifndef KAIRAN_HUB_HUB_H
#define KAIRAN_HUB_HUB_H

#include "util/refbuf.h"

#include <stddef.h>
#include <stdint.h>

#define H2O_USE_LIBUV 0
#include <h2o.h>

typedef struct hub hub_t;

/* A session's entry in its thread's hub; embedded by the server's WebSocket session. */
struct hub_conn {
    int64_t user_id, session_id;
    struct hub_conn *_next; /* hub-private */
};

/* Called on the hub's thread for each local recipient. */
typedef void (*hub_deliver_cb)(struct hub_conn *c, struct refbuf *frame);
/* Called on the hub's thread when a session must be closed (revoked or locked). */
typedef void (*hub_close_cb)(struct hub_conn *c);
/* Called on the hub's thread after each run of deliveries (all the events that were waiting):
 * a deliver callback may hold its first write until then, so that the events a group commit
 * published together leave each session in one write. */
typedef void (*hub_flush_cb)(void *arg);

enum hub_event_kind {
    HUB_DELIVER,         /* send frame to each user in users[] (but not `except_user`) */
    HUB_REVOKE_SESSIONS, /* send frame to, then close, the sessions in sessions[] of users[0] */
    HUB_REVOKE_USER,     /* send frame to, then close, every session of each user in users[] */
};

struct hub_event {
    enum hub_event_kind kind;
    struct refbuf *frame; /* owned by the event */
    int64_t *users;       /* owned */
    size_t nusers;
    int64_t *sessions; /* owned */
    size_t nsessions;
    int64_t except_user;
    int _ref;
};

/* Creates the hub of the current loop thread and registers it for publication. */
hub_t *hub_create(h2o_loop_t *loop, hub_deliver_cb deliver, hub_close_cb close, hub_flush_cb flush, void *flush_arg);
void hub_attach(hub_t *h, struct hub_conn *c);
void hub_detach(hub_t *h, struct hub_conn *c);
/* Number of sessions attached to this hub. */
size_t hub_count(hub_t *h);

/*
 * Builds an event whose frame is a WebSocket text frame carrying `json` (len bytes).
 * `users` is copied. The event is published with hub_publish, which takes ownership.
 */
struct hub_event *hub_event_new(enum hub_event_kind kind, const char *json, size_t len, const int64_t *users, size_t nusers);
void hub_publish(struct hub_event *ev);

/*
 * Several nodes (docs/scaling.md): the relay sees every event published on this node before
 * its local fan-out (it copies what it needs; it must not block), and an event that came from
 * another node is published with hub_publish_local, which does not relay it again.
 */
typedef void (*hub_relay_fn)(const struct hub_event *ev);
void hub_set_relay(hub_relay_fn fn);
void hub_publish_local(struct hub_event *ev);
/* The JSON text the event's frame carries. */
const char *hub_event_json(const struct hub_event *ev, size_t *len);

struct hub_stats {
    uint64_t events, deliveries, dropped_slow;
};
void hub_get_stats(struct hub_stats *out);
/* Sessions attached across every hub (read without locks: a gauge, not an invariant). */
size_t hub_total_connections(void);
void hub_count_slow_drop(void);

#endif
