/*
 * Messages held until office hours (R14), in the SQLite store.
 *
 * A held message is the validated send request kept as JSON; it gets its room sequence number
 * only when it is released, so catch-up by sequence never sees a gap or a message nobody could
 * read yet. Its client_msg_id is reserved here as in messages, so a retried send answers the
 * same 202.
 */
#include "store/store_int.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
store_held_insert(store_t *s, int64_t room_id, int64_t author_id, const char *cmid, const char *body, int64_t held_until,
                  int64_t now, int64_t *id)
{
    int rc =
        store__x(s, "INSERT INTO held(room_id, author_id, client_msg_id, body, held_until, created_at) VALUES(?, ?, ?, ?, ?, ?)",
                 "IIttII", room_id, author_id, cmid, body, held_until, now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

static int
held_row(store_t *s, stmt_t *st, struct store_held *out)
{
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    out->room_id = store__i64(st, 1);
    out->author_id = store__i64(st, 2);
    out->held_until = store__i64(st, 3);
    out->message_id = store__i64(st, 4);
    snprintf(out->status, sizeof(out->status), "%s", store__text(st, 5));
    out->body = xstrdup(store__text(st, 6));
    store__done(st);
    return 0;
}

int
store_held_by_client_id(store_t *s, int64_t author_id, const char *cmid, struct store_held *out)
{
    return held_row(s,
                    store__q(s,
                             "SELECT id, room_id, author_id, held_until, ifnull(message_id, 0), status, body FROM held"
                             " WHERE author_id = ? AND client_msg_id = ?",
                             "It", author_id, cmid),
                    out);
}

int
store_held_get(store_t *s, int64_t id, struct store_held *out)
{
    return held_row(
        s,
        store__q(s, "SELECT id, room_id, author_id, held_until, ifnull(message_id, 0), status, body FROM held WHERE id = ?", "I",
                 id),
        out);
}

int
store_held_due(store_t *s, int64_t now, int max, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    stmt_t *st = store__q(s, "SELECT id FROM held WHERE status = 'held' AND held_until <= ? ORDER BY held_until, id LIMIT ?", "Ii",
                          now, max);
    int r;
    while ((r = store__row(s, st)) == 1)
        store__ids_push(ids, n, &cap, store__i64(st, 0));
    return r < 0 ? STORE_EIO : 0;
}

int
store_held_set(store_t *s, int64_t id, const char *status, int64_t message_id, const char *body)
{
    int rc = store__x(s, "UPDATE held SET status = ?, message_id = nullif(?, 0), body = ifnull(?, body) WHERE id = ?", "tItI",
                      status, message_id, body, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}

json_t *
store_held_json(store_t *s, int64_t author_id)
{
    stmt_t *st = store__q(s,
                          "SELECT id, room_id, client_msg_id, body, held_until, created_at FROM held"
                          " WHERE author_id = ? AND status = 'held' ORDER BY held_until, id",
                          "I", author_id);
    json_t *arr = json_array();
    while (store__row(s, st) == 1) {
        json_t *body = json_loads(store__text(st, 3), 0, NULL);
        json_t *o = json_object();
        char id[32];
        snprintf(id, sizeof(id), "held-%lld", (long long)store__i64(st, 0));
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "room_id", json_integer(store__i64(st, 1)));
        json_object_set_new(o, "client_msg_id", store__jstr(st, 2));
        json_object_set_new(o, "text", json_incref(json_object_get(body, "text")) ? json_object_get(body, "text") : json_null());
        json_object_set_new(o, "status", json_string("held"));
        json_object_set_new(o, "held_until", store__jtime(st, 4));
        json_object_set_new(o, "created_at", store__jtime(st, 5));
        json_decref(body);
        json_array_append_new(arr, o);
    }
    return arr;
}
