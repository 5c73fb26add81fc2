/*
 * Messages held until the next business morning (R14, 送信予約), and their release.
 *
 * In hold mode a send outside office hours is stored durably (the writer's commit) and
 * answered 202 with its id and held_until. A release thread asks the writer once a second to
 * turn every held message that has come due into a real message — in order, with its room
 * sequence number assigned then — and publishes message.created after the commit, like any
 * send. At start the first pass releases what came due while the server was down. Because the
 * release and the insert are one transaction, a held message is delivered exactly once.
 * The sender lists, edits, cancels or sends a held message as urgent (/api/v1/me/held).
 */
#include "api/internal.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
held_answer(int64_t id, int64_t room_id, const char *cmid, int64_t held_until)
{
    char hid[32], until[32];
    snprintf(hid, sizeof(hid), "held-%lld", (long long)id);
    return json_pack("{ss ss sI ss ss}", "id", hid, "status", "held", "room_id", (json_int_t)room_id, "client_msg_id", cmid,
                     "held_until", time_format_jst(held_until, until));
}

struct hold_ctx {
    int64_t room_id, author_id, held_until, id, message_id;
    char *cmid, *body;
    int again;
    json_t *answer;
};

static int
hold_run(store_t *s, struct api_req *r, void *ctx)
{
    struct hold_ctx *c = ctx;
    struct store_held h;
    json_t *mine = json_loads(c->body, 0, NULL);
    const char *text = json_string_value(json_object_get(mine, "text"));
    int rc = 0;
    if (store_held_by_client_id(s, c->author_id, c->cmid, &h) == 0) {
        json_t *theirs = json_loads(h.body, 0, NULL);
        const char *t2 = json_string_value(json_object_get(theirs, "text"));
        int same = h.room_id == c->room_id && !strcmp(text ? text : "", t2 ? t2 : "");
        json_decref(theirs);
        free(h.body);
        if (!same)
            rc = STORE_ECONFLICT;
        else if (h.message_id) /* released meanwhile: the message is the answer */
            c->answer = store_message_json(s, h.message_id);
        else
            c->answer = held_answer(h.id, h.room_id, c->cmid, h.held_until);
        c->again = 1;
        goto Exit;
    }
    int64_t mid, room;
    char *t3 = NULL, *st = NULL;
    if (store_message_by_client_id(s, c->author_id, c->cmid, &mid, &room, &t3, &st) == 0) {
        rc = room == c->room_id && !strcmp(t3, text ? text : "") ? 0 : STORE_ECONFLICT;
        if (rc == 0)
            c->answer = store_message_json(s, mid);
        free(t3);
        free(st);
        c->again = 1;
        goto Exit;
    }
    rc = store_held_insert(s, c->room_id, c->author_id, c->cmid, c->body, c->held_until, api_now_ms(), &c->id);
    if (rc == 0)
        c->answer = held_answer(c->id, c->room_id, c->cmid, c->held_until);
Exit:
    json_decref(mine);
    return rc;
}

static void
hold_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct hold_ctx *c = ctx;
    if (status == STORE_ECONFLICT)
        api_error(r, 409, "conflict", "この client_msg_id は別のメッセージに使われています。",
                  "This client_msg_id was used for another message.");
    else if (status == 0 && c->answer)
        api_reply(r, json_object_get(c->answer, "seq") ? 201 : 202, json_incref(c->answer));
    json_decref(c->answer);
    free(c->cmid);
    free(c->body);
    free(c);
}

int
api_hold_send(struct api_req *r, int64_t room_id, const char *cmid, json_t *fields, int64_t held_until)
{
    struct hold_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = room_id;
    c->author_id = r->user.id;
    c->held_until = held_until;
    c->cmid = xstrdup(cmid);
    c->body = json_dumps(fields, JSON_COMPACT);
    return api_write(r, hold_run, hold_done, c);
}

/* ---- release ---- */

struct released {
    int64_t room_id;
    json_t *message;
};

struct release_ctx {
    int64_t only_id; /* 0: every due message; else this one now (send as urgent) */
    int64_t actor;
    char reason[204];
    struct released *out;
    size_t n;
    int found;
};

/* Turns one held message into a message, with the same checks a send has. 0, or <0. */
static int
release_one(store_t *s, int64_t id, int urgent, struct release_ctx *c)
{
    struct store_held h;
    if (store_held_get(s, id, &h) != 0)
        return STORE_ENOTFOUND;
    json_t *b = json_loads(h.body, 0, NULL);
    free(h.body);
    if (strcmp(h.status, "held") != 0) {
        json_decref(b);
        return STORE_ENOTFOUND;
    }
    struct store_msg_in in = {0};
    struct store_room_info info;
    int64_t mentions[64], files[16];
    json_t *v;
    size_t i;
    in.room_id = h.room_id;
    in.author_id = in.sender_id = h.author_id;
    in.text = json_string_value(json_object_get(b, "text"));
    in.stamp = json_string_value(json_object_get(b, "stamp"));
    in.client_msg_id = json_string_value(json_object_get(b, "client_msg_id"));
    in.reply_to = json_integer_value(json_object_get(b, "reply_to"));
    in.mention_all = json_is_true(json_object_get(b, "mention_all"));
    in.urgent = urgent;
    if (json_integer_value(json_object_get(b, "as_user_id")))
        in.sender_id = json_integer_value(json_object_get(b, "as_user_id"));
    json_array_foreach(json_object_get(b, "mentions"), i, v) if (in.nmentions < 64) mentions[in.nmentions++] =
        json_integer_value(v);
    json_array_foreach(json_object_get(b, "file_ids"), i, v) if (in.nfiles < 16) files[in.nfiles++] = json_integer_value(v);
    in.mentions = mentions;
    in.file_ids = files;
    if (in.text == NULL)
        in.text = "";
    int rc;
    int64_t mid, seq;
    /* The author may have left, the room may be archived, a delegation may have ended, someone
     * mentioned may have left or a file been held for review meanwhile. */
    if (store_room_info(s, h.room_id, &info) != 0 || info.archived || store_member_role(s, h.room_id, h.author_id, NULL) != 0 ||
        (in.sender_id != in.author_id && !store_is_delegate(s, in.sender_id, in.author_id)) || api_send_refs_check(s, &in)) {
        rc = store_held_set(s, id, "failed", 0, NULL);
        json_decref(b);
        return rc;
    }
    rc = store_message_insert(s, &in, api_now_ms(), &mid, &seq);
    if (rc == STORE_EINVAL) { /* the message it replied to is gone: send without the reply */
        in.reply_to = 0;
        rc = store_message_insert(s, &in, api_now_ms(), &mid, &seq);
    }
    if (rc == 0)
        rc = store_held_set(s, id, "released", mid, NULL);
    if (rc == 0) {
        c->out = xrealloc(c->out, (c->n + 1) * sizeof(*c->out));
        c->out[c->n].room_id = h.room_id;
        c->out[c->n].message = store_message_json_new(s, mid);
        c->n++;
    }
    json_decref(b);
    return rc;
}

static int
release_run(store_t *s, struct api_req *r, void *ctx)
{
    struct release_ctx *c = ctx;
    int rc = 0;
    if (c->only_id) {
        rc = release_one(s, c->only_id, 1, c);
        if (rc == 0 && c->n)
            rc = api_audit(s, r, "message.urgent", "message", json_integer_value(json_object_get(c->out[0].message, "id")),
                           c->out[0].room_id, json_pack("{ss}", "reason", c->reason));
        return rc;
    }
    /* Several nodes: one releases (the holder of the lease, renewed every second). */
    if ((rc = store_lease(s, "held-release", api_node(), api_now_ms(), 5000)) != 1)
        return rc < 0 ? rc : 0;
    int64_t *ids = NULL;
    size_t n = 0;
    if ((rc = store_held_due(s, api_now_ms(), 200, &ids, &n)) == 0)
        for (size_t i = 0; i < n && rc == 0; i++) {
            rc = release_one(s, ids[i], 0, c);
            if (rc == STORE_ENOTFOUND)
                rc = 0;
        }
    free(ids);
    return rc;
}

static int release_busy;

static void
release_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct release_ctx *c = ctx;
    for (size_t i = 0; i < c->n; i++) {
        if (status == 0)
            api_publish_room(s, c->out[i].room_id,
                             json_pack("{ss sI sO}", "type", "message.created", "room_id", (json_int_t)c->out[i].room_id, "message",
                                       c->out[i].message),
                             -1);
        if (status == 0 && r != NULL && i == 0)
            api_reply(r, 201, json_incref(c->out[i].message));
        json_decref(c->out[i].message);
    }
    if (status == 0 && c->n && r == NULL)
        log_info("held.released", "count=%zu", c->n);
    if (r != NULL && status == 0 && c->n == 0)
        api_not_found(r);
    if (r == NULL)
        __atomic_store_n(&release_busy, 0, __ATOMIC_RELEASE);
    free(c->out);
    free(c);
}

static void *
release_main(void *arg)
{
    (void)arg;
    for (unsigned tick = 0;; tick++) {
        /* Retention once an hour, and at start (tick 0). */
        if (tick % 3600 == 0)
            api_retention_pass();
        /* Phone sessions past the city's limits (R19), once a minute, the first a few seconds
         * after start: a phone that comes back at once is told why (401 session_expired). */
        if (tick % 60 == 5)
            api_phone_sweep();
        /* One pass at a time; the writer batches it with whatever else is waiting. */
        if (__atomic_exchange_n(&release_busy, 1, __ATOMIC_ACQ_REL) == 0)
            api_write_detached(release_run, release_done, xcalloc(1, sizeof(struct release_ctx)));
        struct timespec ts = {.tv_sec = 1};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

void
api_held_start(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, release_main, NULL) == 0)
        pthread_detach(t);
}

/* ---- the sender's own held messages ---- */

static int64_t
held_id(struct api_req *r)
{
    return r->params[0];
}

static int
h_list(struct api_req *r)
{
    return api_reply(r, 200, json_pack("{so}", "held", store_held_json(r->thread->store, r->user.id)));
}

/* Loads one of the caller's held messages; answers 404 itself otherwise. */
static int
own(struct api_req *r, struct store_held *h)
{
    if (store_held_get(r->thread->store, held_id(r), h) != 0) {
        api_not_found(r);
        return -1;
    }
    if (h->author_id != r->user.id || strcmp(h->status, "held") != 0) {
        free(h->body);
        api_not_found(r);
        return -1;
    }
    return 0;
}

struct change_ctx {
    int64_t id;
    char status[12];
    char *body;
};

static int
change_run(store_t *s, struct api_req *r, void *ctx)
{
    struct change_ctx *c = ctx;
    struct store_held h;
    if (store_held_get(s, c->id, &h) != 0)
        return STORE_ENOTFOUND;
    free(h.body);
    if (strcmp(h.status, "held") != 0)
        return STORE_ENOTFOUND;
    return store_held_set(s, c->id, c->status, 0, c->body);
}

static void
change_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct change_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 204, NULL);
    free(c->body);
    free(c);
}

/* DELETE /api/v1/me/held/{id}: cancel. */
static int
h_cancel(struct api_req *r)
{
    struct store_held h;
    if (own(r, &h) != 0)
        return API_DONE;
    free(h.body);
    struct change_ctx *c = xcalloc(1, sizeof(*c));
    c->id = h.id;
    snprintf(c->status, sizeof(c->status), "cancelled");
    return api_write(r, change_run, change_done, c);
}

/* PATCH /api/v1/me/held/{id} {"text"}: edit before it goes out. */
static int
h_edit(struct api_req *r)
{
    struct store_held h;
    const char *text = NULL;
    int confirm = 0;
    if (own(r, &h) != 0)
        return API_DONE;
    json_t *b = api_body_object(r), *body = json_loads(h.body, 0, NULL);
    free(h.body);
    if (b == NULL || api_field_str(r, b, "text", 10000, 1, &text) < 0 || api_field_bool(r, b, "confirm_pii", &confirm) < 0 ||
        body == NULL) {
        json_decref(b);
        json_decref(body);
        return API_DONE;
    }
    if (api_pii_guard(r, "text", text, confirm, h.room_id) != 0) {
        json_decref(b);
        json_decref(body);
        return API_ASYNC;
    }
    json_object_set_new(body, "text", json_string(text));
    struct change_ctx *c = xcalloc(1, sizeof(*c));
    c->id = h.id;
    snprintf(c->status, sizeof(c->status), "held");
    c->body = json_dumps(body, JSON_COMPACT);
    json_decref(b);
    json_decref(body);
    return api_write(r, change_run, change_done, c);
}

/* POST /api/v1/me/held/{id}/send {"urgent_reason"}: send it now, marked 緊急 (audited). */
static int
h_send_now(struct api_req *r)
{
    struct store_held h;
    const char *reason = "";
    if (own(r, &h) != 0)
        return API_DONE;
    free(h.body);
    if (api_urgent_refused(r, h.room_id))
        return API_DONE;
    json_t *b = api_body_object(r);
    if (b == NULL || api_field_str(r, b, "urgent_reason", 200, 1, &reason) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct release_ctx *c = xcalloc(1, sizeof(*c));
    c->only_id = h.id;
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
    json_decref(b);
    return api_write(r, release_run, release_done, c);
}

const struct api_op api_held_ops[] = {
    {API_GET, "/api/v1/me/held", 0, h_list},
    {API_DELETE, "/api/v1/me/held/{}", 0, h_cancel},
    {API_PATCH, "/api/v1/me/held/{}", 0, h_edit},
    {API_POST, "/api/v1/me/held/{}/send", 0, h_send_now},
    {0, NULL, 0, NULL},
};
