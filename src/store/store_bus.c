/*
 * Several nodes on one PostgreSQL database: the events one node publishes reach the others,
 * and a lease lets one node at a time run the work that must run once.
 *
 * Events travel as rows of cluster_events (the frame's JSON, its recipients), announced with
 * NOTIFY kairan_events after their commit, so no payload meets NOTIFY's 8 kB limit. The rows
 * are inserted under an exclusive table lock, which makes id order commit order across nodes:
 * a node that reads "every row after the last id I saw" misses nothing, also after it lost its
 * database connection and its notifications with it. Rows older than ten minutes are removed.
 *
 * Each node also keeps a row in cluster_nodes (its heartbeat) and one per person connected to
 * it in cluster_presence, so that a node starting later learns who is online elsewhere, and a
 * node that died (no heartbeat) is forgotten.
 *
 * On SQLite there is one node: store_shared() is false and the lease is always this node's.
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/strbuf.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_EVENTS_MS (10 * 60 * 1000)

const char *
store_engine(store_t *s)
{
    return s->pg ? "postgresql" : "sqlite";
}

int
store_ping(store_t *s)
{
    if (!s->pg)
        return 0;
    stmt_t *st = store__q(s, "SELECT 1", "");
    return st && store__row(s, st) == 1 ? 0 : STORE_EIO;
}

int
store_shared(store_t *s)
{
    return s->pg != NULL;
}

static void
ids_literal(struct sb *b, const int64_t *v, size_t n)
{
    sb_str(b, "{");
    for (size_t i = 0; i < n; i++)
        sb_fmt(b, i ? ",%lld" : "%lld", (long long)v[i]);
    sb_str(b, "}");
}

int
store_bus_send(store_t *s, const char *node, const struct store_bus_event *evs, size_t n, int64_t now)
{
    int rc = store__pg_exec(s, "BEGIN");
    s->pg_in_tx = rc == 0; /* a connection lost from here on fails the batch, which is sent again */
    if (rc == 0)
        rc = store__pg_exec(s, "LOCK TABLE cluster_events IN EXCLUSIVE MODE");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sb users = {0}, sessions = {0};
        ids_literal(&users, evs[i].users, evs[i].nusers);
        ids_literal(&sessions, evs[i].sessions, evs[i].nsessions);
        char *body = malloc(evs[i].len + 1);
        if (body == NULL) {
            rc = STORE_EIO;
        } else {
            memcpy(body, evs[i].json, evs[i].len);
            body[evs[i].len] = '\0';
            rc = store__x(s,
                          "INSERT INTO cluster_events(node, at_ms, kind, users, sessions, except_user, body)"
                          " VALUES(?, ?, ?, ?::bigint[], ?::bigint[], ?, ?)",
                          "tIittIt", node, now, evs[i].kind, users.p, sessions.p, evs[i].except_user, body);
        }
        free(body);
        free(users.p);
        free(sessions.p);
    }
    if (rc == 0)
        rc = store__pg_exec(s, "NOTIFY kairan_events");
    if (rc == 0)
        rc = store__pg_exec(s, "COMMIT");
    else
        store__pg_exec(s, "ROLLBACK");
    s->pg_in_tx = 0;
    return rc;
}

int
store_bus_listen(store_t *s, int64_t *last_id)
{
    /* Plans for the values at hand: "id > the last one read" is a few rows at the end of the
     * key, which a generic plan (a third of the table) would read by a sequential scan. */
    if (store__pg_exec(s, "LISTEN kairan_events") != 0 || store__pg_exec(s, "SET plan_cache_mode = force_custom_plan") != 0)
        return STORE_EIO;
    s->pg_listen_resets = s->pg_resets;
    if (last_id && *last_id < 0) {
        stmt_t *st = store__q(s, "SELECT coalesce(max(id), 0) FROM cluster_events", "");
        if (store__row(s, st) != 1)
            return STORE_EIO;
        *last_id = store__i64(st, 0);
    }
    return 0;
}

int
store_bus_wait(store_t *s, int timeout_ms)
{
    PGnotify *n;
    int got = 0;
    if (PQstatus(s->pg) != CONNECTION_OK) {
        store__pg_reconnect(s);
        if (PQstatus(s->pg) != CONNECTION_OK)
            return -1;
        return store_bus_listen(s, NULL) == 0 ? 1 : -1; /* read what was missed */
    }
    if (s->pg_resets != s->pg_listen_resets) /* a statement reconnected: LISTEN again, read what was missed */
        return store_bus_listen(s, NULL) == 0 ? 1 : -1;
    struct pollfd p = {.fd = PQsocket(s->pg), .events = POLLIN};
    if (poll(&p, 1, timeout_ms) > 0 && PQconsumeInput(s->pg) == 0)
        return -1;
    while ((n = PQnotifies(s->pg)) != NULL) {
        got = 1;
        PQfreemem(n);
    }
    return PQstatus(s->pg) == CONNECTION_OK ? got : -1;
}

/* Parses "{1,2,3}" into a new array. */
static int64_t *
parse_ids(const char *t, size_t *n)
{
    size_t cap = 8;
    int64_t *v = malloc(cap * sizeof(*v));
    *n = 0;
    for (const char *p = t; v && *p;) {
        if ((*p >= '0' && *p <= '9') || *p == '-') {
            char *e;
            long long x = strtoll(p, &e, 10);
            if (*n == cap) {
                cap *= 2;
                int64_t *w = realloc(v, cap * sizeof(*v));
                if (w == NULL) {
                    free(v);
                    return NULL;
                }
                v = w;
            }
            v[(*n)++] = x;
            p = e;
        } else {
            p++;
        }
    }
    return v;
}

int
store_bus_read(store_t *s, const char *self, int64_t *last_id, store_bus_fn fn, void *arg)
{
    stmt_t *st = store__q(s,
                          "SELECT id, node, kind, users, sessions, except_user, body FROM cluster_events WHERE id > ?"
                          " ORDER BY id LIMIT 10000",
                          "I", *last_id);
    int r;
    while ((r = store__row(s, st)) == 1) {
        *last_id = store__i64(st, 0);
        const char *node = store__text(st, 1);
        if (strcmp(node, self) == 0)
            continue;
        struct store_bus_event ev = {.kind = store__int(st, 2), .except_user = store__i64(st, 5)};
        int64_t *users = parse_ids(store__text(st, 3), &ev.nusers), *sessions = parse_ids(store__text(st, 4), &ev.nsessions);
        ev.users = users;
        ev.sessions = sessions;
        ev.json = store__text(st, 6);
        ev.len = strlen(ev.json);
        if (users && sessions)
            fn(arg, node, &ev);
        free(users);
        free(sessions);
    }
    return r < 0 ? r : 0;
}

int
store_bus_heartbeat(store_t *s, const char *node, int64_t now, int64_t dead_ms)
{
    int rc = store__x(s,
                      "INSERT INTO cluster_nodes(node, seen_ms, started_ms) VALUES(?, ?, ?)"
                      " ON CONFLICT(node) DO UPDATE SET seen_ms = excluded.seen_ms",
                      "tII", node, now, now);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM cluster_events WHERE at_ms < ?", "I", now - KEEP_EVENTS_MS);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM cluster_presence WHERE node IN (SELECT node FROM cluster_nodes WHERE seen_ms < ?)", "I",
                      now - dead_ms);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM cluster_nodes WHERE seen_ms < ?", "I", now - 10 * dead_ms);
    return rc;
}

int
store_bus_node_gone(store_t *s, const char *node)
{
    int rc = store__x(s, "DELETE FROM cluster_presence WHERE node = ?", "t", node);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM leases WHERE holder = ?", "t", node);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM cluster_nodes WHERE node = ?", "t", node);
    return rc;
}

int
store_bus_presence(store_t *s, const char *node, int64_t user_id, int state)
{
    if (state == 0)
        return store__x(s, "DELETE FROM cluster_presence WHERE node = ? AND user_id = ?", "tI", node, user_id);
    return store__x(s,
                    "INSERT INTO cluster_presence(node, user_id, state) VALUES(?, ?, ?)"
                    " ON CONFLICT(node, user_id) DO UPDATE SET state = excluded.state",
                    "tIi", node, user_id, state);
}

int
store_bus_presence_all(store_t *s, const char *self, int64_t alive_since, store_presence_fn fn, void *arg)
{
    stmt_t *st = store__q(s,
                          "SELECT p.node, p.user_id, p.state FROM cluster_presence p JOIN cluster_nodes n ON n.node = p.node"
                          " WHERE p.node <> ? AND n.seen_ms >= ?",
                          "tI", self, alive_since);
    int r;
    while ((r = store__row(s, st)) == 1)
        fn(arg, store__text(st, 0), store__i64(st, 1), store__int(st, 2));
    return r < 0 ? r : 0;
}

int
store_bus_nodes(store_t *s, const char *self, store_node_fn fn, void *arg)
{
    stmt_t *st = store__q(s, "SELECT node, seen_ms FROM cluster_nodes WHERE node <> ?", "t", self);
    int r;
    while ((r = store__row(s, st)) == 1)
        fn(arg, store__text(st, 0), store__i64(st, 1));
    return r < 0 ? r : 0;
}

int
store_lease(store_t *s, const char *name, const char *holder, int64_t now, int64_t ttl_ms)
{
    if (!s->pg)
        return 1;
    stmt_t *st = store__q(s,
                          "INSERT INTO leases(name, holder, until_ms) VALUES(?, ?, ?) ON CONFLICT(name) DO UPDATE"
                          " SET holder = excluded.holder, until_ms = excluded.until_ms"
                          " WHERE leases.holder = excluded.holder OR leases.until_ms < ? RETURNING holder",
                          "ttII", name, holder, now + ttl_ms, now);
    int r = store__row(s, st);
    return r < 0 ? r : r == 1;
}
