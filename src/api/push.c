/*
 * Web Push for staff phones (R22): off by default, since a closed network cannot reach the push
 * services. When the city turns `web_push` on, a phone subscribes (its browser's push service
 * endpoint and keys) and members who have no live connection get a push for a new message —
 * encrypted (RFC 8291), signed with the server's VAPID key, and never with message text: only
 * 「新着メッセージがあります」. Outside office hours nothing is pushed unless the message is
 * urgent (R14). A subscription belongs to its session, so a lock or sign-out ends it.
 */
#include "api/internal.h"
#include "hub/presence.h"
#include "util/jobs.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/webpush.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Asked on every send (writer thread): cached per thread until the settings change. */
static int
push_enabled(store_t *s)
{
    static __thread int64_t gen = -1;
    static __thread int on;
    int64_t g = store_generation(s, "settings");
    if (g != gen) {
        json_t *c = api_client_settings(s);
        on = json_is_true(json_object_get(c, "web_push"));
        json_decref(c);
        gen = g;
    }
    return on;
}

/* The VAPID key, made on first use and kept in the settings table (never shown). */
static char *
vapid_key(store_t *s)
{
    char *v = store_setting_get(s, "vapid_key");
    json_t *j = v ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
    free(v);
    char *pem = json_is_string(j) ? xstrdup(json_string_value(j)) : NULL;
    json_decref(j);
    return pem;
}

struct sub_ctx {
    json_t *body;
    const char *endpoint, *p256dh, *auth;
    int64_t user_id, session_id;
    int make_key;
};

static int
sub_run(store_t *s, struct api_req *r, void *ctx)
{
    struct sub_ctx *c = ctx;
    if (c->make_key) {
        char *pem = vapid_key(s);
        if (pem == NULL && (pem = webpush_vapid_generate()) != NULL) {
            json_t *j = json_string(pem);
            char *t = json_dumps(j, JSON_ENCODE_ANY);
            json_decref(j);
            store_setting_set(s, "vapid_key", t);
            free(t);
        }
        free(pem);
        return 0;
    }
    if (c->endpoint == NULL)
        return store_push_unsubscribe(s, c->user_id, NULL);
    return store_push_subscribe(s, c->user_id, c->session_id, c->endpoint, c->p256dh, c->auth, time_now_ms());
}

static void
sub_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct sub_ctx *c = ctx;
    if (status == 0 && r)
        api_reply(r, 204, NULL);
    json_decref(c->body);
    free(c);
}

static void
key_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct sub_ctx *c = ctx;
    char *pem = status == 0 ? vapid_key(s) : NULL, pub[128];
    if (pem && webpush_vapid_public(pem, pub, sizeof(pub)) == 0)
        api_reply(r, 200, json_pack("{ss}", "public_key", pub));
    else if (status == 0)
        api_error(r, 500, "internal", "鍵を作れませんでした。", "The key could not be made.");
    free(pem);
    free(c);
}

/* GET /api/v1/push/key → {"public_key"} (applicationServerKey), 404 push_disabled when off. */
static int
h_key(struct api_req *r)
{
    if (!push_enabled(r->thread->store))
        return api_error(r, 404, "push_disabled", "プッシュ通知は使われていません。", "Web Push is not in use.");
    char *pem = vapid_key(r->thread->store), pub[128];
    if (pem == NULL) {
        /* The first phone to ask makes the key (once: the writer checks again). */
        struct sub_ctx *c = xcalloc(1, sizeof(*c));
        c->make_key = 1;
        return api_write(r, sub_run, key_done, c);
    }
    int ok = webpush_vapid_public(pem, pub, sizeof(pub)) == 0;
    free(pem);
    if (!ok)
        return api_error(r, 500, "internal", "鍵を読めません。", "The key cannot be read.");
    return api_reply(r, 200, json_pack("{ss}", "public_key", pub));
}

/* POST /api/v1/me/push {"endpoint","keys":{"p256dh","auth"}} — this session's subscription. */
static int
h_subscribe(struct api_req *r)
{
    if (!push_enabled(r->thread->store))
        return api_error(r, 404, "push_disabled", "プッシュ通知は使われていません。", "Web Push is not in use.");
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct sub_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->user_id = r->user.id;
    c->session_id = r->user.session_id;
    json_t *keys = json_object_get(b, "keys");
    unsigned char k1[80], k2[32];
    const char *t = getenv("KAIRAN_TEST");
    int plain_ok = t && !strcmp(t, "1");
    if (api_field_str(r, b, "endpoint", 1000, 1, &c->endpoint) < 0)
        goto fail;
    if (strncmp(c->endpoint, "https://", 8) && !(plain_ok && !strncmp(c->endpoint, "http://127.0.0.1:", 17))) {
        api_invalid(r, "endpoint", "https の URL です。", "must be an https URL.");
        goto fail;
    }
    if (!json_is_object(keys) || api_field_str(r, keys, "p256dh", 200, 1, &c->p256dh) < 0 ||
        api_field_str(r, keys, "auth", 60, 1, &c->auth) < 0)
        goto fail;
    if (webpush_unb64url(c->p256dh, k1, sizeof(k1)) != 65 || k1[0] != 4 || webpush_unb64url(c->auth, k2, sizeof(k2)) != 16) {
        api_invalid(r, "keys", "p256dh（65 バイト）と auth（16 バイト）の base64url です。",
                    "must be p256dh (65 bytes) and auth (16 bytes), base64url.");
        goto fail;
    }
    return api_write(r, sub_run, sub_done, c);
fail:
    json_decref(b);
    free(c);
    return API_DONE;
}

/* DELETE /api/v1/me/push — every subscription of the caller. */
static int
h_unsubscribe(struct api_req *r)
{
    struct sub_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    return api_write(r, sub_run, sub_done, c);
}

/* ---- sending ---- */

struct push_job {
    struct job job;
    char *pem;
    json_t *targets; /* [{endpoint, p256dh, auth}] */
};

static void
push_run(struct job *j)
{
    struct push_job *p = (struct push_job *)j;
    static const char payload[] = "{\"title\":\"回覧\",\"body\":\"新着メッセージがあります\"}";
    const char *t = getenv("KAIRAN_TEST");
    int plain_ok = t && !strcmp(t, "1");
    size_t i;
    json_t *x;
    json_array_foreach(p->targets, i, x)
    {
        const char *endpoint = json_string_value(json_object_get(x, "endpoint"));
        unsigned char ua[80], auth[32];
        char origin[300], vapid[1200], err[200];
        size_t blen = 0;
        if (webpush_unb64url(json_string_value(json_object_get(x, "p256dh")), ua, sizeof(ua)) != 65 ||
            webpush_unb64url(json_string_value(json_object_get(x, "auth")), auth, sizeof(auth)) != 16 ||
            webpush_origin(endpoint, origin, sizeof(origin)) != 0 ||
            webpush_vapid_header(p->pem, origin, "mailto:kairan@localhost", (long)(time_now_ms() / 1000) + 12 * 3600, vapid,
                                 sizeof(vapid)) != 0)
            continue;
        unsigned char *body = webpush_encrypt(ua, auth, payload, sizeof(payload) - 1, &blen);
        if (body == NULL)
            continue;
        int status = webpush_post(endpoint, vapid, body, blen, 86400, plain_ok, err, sizeof(err));
        free(body);
        if (status < 200 || status >= 300)
            log_warn("push.send", "status=%d error=\"%s\"", status, status < 0 ? err : "");
        else
            log_debug("push.send", "status=%d", status);
    }
    json_decref(p->targets);
    free(p->pem);
    free(p);
}

/* Who gets a push for a message of the room: found on a job thread with its own connection, so
 * a big room costs the writer nothing. */
struct find_job {
    struct job job;
    int64_t room_id, sender_id;
    int urgent;
};

static void
find_run(struct job *j)
{
    struct find_job *f = (struct find_job *)j;
    store_t *s = api_job_store();
    int64_t *ids = NULL;
    size_t n = 0;
    json_t *targets = json_array();
    int64_t now = time_now_ms();
    if (store_room_member_ids(s, f->room_id, &ids, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            /* Someone connected sees it live; the push is for phones that are closed. */
            if (ids[i] == f->sender_id || presence_get(ids[i]) != PRESENCE_OFFLINE)
                continue;
            json_t *mine = store_push_targets(s, ids[i], now);
            if (json_array_size(mine) > 0) {
                json_t *u = store_user_json(s, ids[i]);
                int64_t dept = json_integer_value(json_object_get(u, "department_id"));
                json_decref(u);
                if (f->urgent || !api_office_quiet(s, dept))
                    json_array_extend(targets, mine);
            }
            json_decref(mine);
        }
    }
    free(ids);
    char *pem = json_array_size(targets) ? vapid_key(s) : NULL;
    store_end_reads(s);
    free(f);
    if (pem == NULL) {
        json_decref(targets);
        return;
    }
    struct push_job *p = xcalloc(1, sizeof(*p));
    p->pem = pem;
    p->targets = targets;
    push_run(&p->job); /* already on a job thread */
}

void
api_push_message(store_t *s, int64_t room_id, int64_t sender_id, int urgent)
{
    if (!push_enabled(s))
        return;
    struct find_job *f = xcalloc(1, sizeof(*f));
    f->job.run = find_run;
    f->room_id = room_id;
    f->sender_id = sender_id;
    f->urgent = urgent;
    jobs_submit(&f->job);
}

const struct api_op api_push_ops[] = {
    {API_GET, "/api/v1/push/key", 0, h_key},
    {API_POST, "/api/v1/me/push", 0, h_subscribe},
    {API_DELETE, "/api/v1/me/push", 0, h_unsubscribe},
    {0, NULL, 0, NULL},
};
