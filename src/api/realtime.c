/*
 * What the API does for WebSocket sessions: presence on connect and disconnect, and the few
 * frames a client may send (ping, typing, this device's presence).
 *
 * Sends never travel over the socket: every write has one path, HTTP, so retries and
 * idempotency work the same for every client.
 */
#include "api/realtime.h"
#include "api/internal.h"
#include "hub/presence.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

void
api_presence_publish(store_t *s, int64_t user_id, const char *status)
{
    int64_t *ids = NULL;
    size_t n = 0;
    if (store_co_members(s, user_id, &ids, &n) != 0)
        n = 0;
    ids = xrealloc(ids, (n + 1) * sizeof(int64_t));
    ids[n++] = user_id;
    api_publish(json_pack("{ss sI ss}", "type", "presence.updated", "user_id", (json_int_t)user_id, "status", status), ids, n, -1);
    free(ids);
}

static void
presence_moved(struct api_thread *t, int64_t user_id, enum presence_state from, enum presence_state to)
{
    int now = presence_change(user_id, from, to);
    if (now < 0)
        return;
    json_t *u = store_user_json(t->store, user_id);
    if (u == NULL)
        return;
    api_user_decorate(u); /* a manual 不在 outranks the connection state */
    api_presence_publish(t->store, user_id, json_string_value(json_object_get(u, "presence")));
    json_decref(u);
    store_end_reads(t->store);
}

void
api_ws_opened(struct api_thread *t, int64_t user_id)
{
    presence_moved(t, user_id, PRESENCE_OFFLINE, PRESENCE_ONLINE);
}

void
api_ws_closed(struct api_thread *t, int64_t user_id, int away)
{
    presence_moved(t, user_id, away ? PRESENCE_AWAY : PRESENCE_ONLINE, PRESENCE_OFFLINE);
}

char *
api_ws_frame(struct api_thread *t, int64_t user_id, const char *data, size_t len, int *away)
{
    json_t *j = json_loadb(data, len, 0, NULL);
    char *reply = NULL;
    const char *type = json_string_value(json_object_get(j, "type"));
    if (type == NULL)
        goto Exit;
    if (!strcmp(type, "ping")) {
        reply = xstrdup("{\"type\":\"pong\"}");
    } else if (!strcmp(type, "typing")) {
        json_t *rid = json_object_get(j, "room_id");
        if (json_is_integer(rid) && store_member_role(t->store, json_integer_value(rid), user_id, NULL) == 0)
            api_publish_room(t->store, json_integer_value(rid),
                             json_pack("{ss sI sI}", "type", "typing", "room_id", (json_int_t)json_integer_value(rid), "user_id",
                                       (json_int_t)user_id),
                             user_id);
    } else if (!strcmp(type, "presence")) {
        const char *st = json_string_value(json_object_get(j, "status"));
        int want = st && !strcmp(st, "away") ? 1 : st && !strcmp(st, "online") ? 0 : -1;
        if (want >= 0 && want != *away) {
            presence_moved(t, user_id, *away ? PRESENCE_AWAY : PRESENCE_ONLINE, want ? PRESENCE_AWAY : PRESENCE_ONLINE);
            *away = want;
        }
    }
Exit:
    store_end_reads(t->store);
    json_decref(j);
    return reply;
}
