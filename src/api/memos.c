/*
 * Phone-message memos (不在・伝言メモ, R10): whoever takes a call for an absent colleague fills
 * in the form; the memo arrives in their direct room as a card with a 確認 button, the taker
 * sees when it was confirmed, and each person has the list of memos still unconfirmed.
 */
#include "api/internal.h"
#include "util/limits.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const requests[][2] = {
    {"callback", "折り返し電話ください"},
    {"will_call", "また電話します"},
    {"message_only", "用件のみ"},
};

static const char *
request_label(const char *code)
{
    for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
        if (!strcmp(requests[i][0], code))
            return requests[i][1];
    return NULL;
}

/* The card shown in the room: the memo's fields, and whether it was confirmed. */
static json_t *
memo_card(json_t *memo)
{
    const char *req = json_string_value(json_object_get(memo, "request"));
    return json_pack("{ss sO sO sO sO sO sO ss sO sO sO}", "type", "memo", "memo_id", json_object_get(memo, "id"), "caller_name",
                     json_object_get(memo, "caller_name"), "caller_org", json_object_get(memo, "caller_org"), "callback_number",
                     json_object_get(memo, "callback_number"), "received_at", json_object_get(memo, "received_at"), "request",
                     json_object_get(memo, "request"), "request_label", request_label(req ? req : "") ? request_label(req) : "",
                     "body", json_object_get(memo, "body"), "confirmed_at", json_object_get(memo, "confirmed_at"), "for_user_id",
                     json_object_get(json_object_get(memo, "for_user"), "id"));
}

struct memo_ctx {
    json_t *body;
    struct store_memo_in in;
    int64_t id, message_id;
    int room_created;
    char direct_key[64];
};

static int
create_run(store_t *s, struct api_req *r, void *ctx)
{
    struct memo_ctx *c = ctx;
    int64_t now = time_now_ms();
    int rc;
    if (store_room_by_direct_key(s, c->direct_key, &c->in.room_id) != 0) {
        rc = store_room_create(s, "direct", "", "", 0, c->direct_key, c->in.taker_id, &c->in.for_user_id, 1, now, &c->in.room_id);
        if (rc != 0)
            return rc;
        c->room_created = 1;
    }
    if ((rc = store_memo_create(s, &c->in, now, &c->id)) != 0)
        return rc;
    json_t *memo = store_memo_json(s, c->id);
    json_t *card = memo_card(memo);
    json_decref(memo);
    const char *label = request_label(c->in.request);
    size_t n = strlen(c->in.caller_name) + strlen(c->in.caller_org) + strlen(c->in.callback_number) + strlen(c->in.body) + 200;
    char *text = xmalloc(n);
    snprintf(text, n, "【伝言メモ】%s%s%s 様から電話がありました。%s%s%s%s%s", c->in.caller_org, *c->in.caller_org ? " " : "",
             c->in.caller_name, label, *c->in.callback_number ? "（" : "", c->in.callback_number,
             *c->in.callback_number ? "）" : "", *c->in.body ? "\n" : "");
    char *full = xmalloc(strlen(text) + strlen(c->in.body) + 1);
    sprintf(full, "%s%s", text, c->in.body);
    free(text);
    rc = api_card_post(s, c->in.room_id, c->in.taker_id, full, card, &c->message_id);
    free(full);
    json_decref(card);
    if (rc == 0)
        rc = store_memo_set_message(s, c->id, c->message_id);
    return rc;
}

static void
create_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct memo_ctx *c = ctx;
    if (status == 0) {
        if (c->room_created)
            api_publish_room(s, c->in.room_id,
                             json_pack("{ss sI so}", "type", "room.created", "room_id", (json_int_t)c->in.room_id, "room",
                                       store_room_public_json(s, c->in.room_id)),
                             -1);
        api_card_publish(s, c->in.room_id, c->message_id);
        api_reply(r, 201, store_memo_json(s, c->id));
    }
    json_decref(c->body);
    free(c);
}

static int
h_create(struct api_req *r)
{
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct memo_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->in.taker_id = r->user.id;
    c->in.caller_org = c->in.callback_number = c->in.body = "";
    const char *received = NULL;
    if (api_field_int(r, b, "for_user_id", 1, &c->in.for_user_id) < 0 ||
        api_field_str(r, b, "caller_name", KR_MAX_MEMO_FIELD, 1, &c->in.caller_name) < 0 ||
        api_field_str(r, b, "caller_org", KR_MAX_MEMO_FIELD, 0, &c->in.caller_org) < 0 ||
        api_field_str(r, b, "callback_number", 32, 0, &c->in.callback_number) < 0 ||
        api_field_str(r, b, "body", KR_MAX_MEMO_BODY, 0, &c->in.body) < 0 ||
        api_field_str(r, b, "request", 16, 1, &c->in.request) < 0 || api_field_str(r, b, "received_at", 40, 0, &received) < 0)
        goto fail;
    if (c->in.caller_name[strspn(c->in.caller_name, " \t　")] == '\0' || strchr(c->in.caller_name, '\n')) {
        api_invalid(r, "caller_name", "相手の名前を 1 行で入力してください。", "must be one non-blank line.");
        goto fail;
    }
    for (const char *p = c->in.callback_number; *p; p++)
        if (!strchr("0123456789-+() ", *p)) {
            api_invalid(r, "callback_number", "電話番号は半角の数字とハイフンで入力してください。", "must be digits and hyphens.");
            goto fail;
        }
    if (request_label(c->in.request) == NULL) {
        api_invalid(r, "request", "callback、will_call、message_only のいずれかです。",
                    "must be callback, will_call or message_only.");
        goto fail;
    }
    c->in.received_at = api_now_ms();
    if (received && time_parse(received, &c->in.received_at) != 0) {
        api_invalid(r, "received_at", "日時の形式が正しくありません。", "must be an RFC 3339 date-time.");
        goto fail;
    }
    /* A memo is for a colleague: an active person (not a department account), not oneself. */
    json_t *u = c->in.for_user_id == r->user.id ? NULL : store_user_json(r->thread->store, c->in.for_user_id);
    int colleague =
        u && !json_is_true(json_object_get(u, "disabled")) &&
        strcmp(json_string_value(json_object_get(u, "kind")) ? json_string_value(json_object_get(u, "kind")) : "", "department");
    json_decref(u);
    if (!colleague) {
        api_invalid(r, "for_user_id", "伝言メモを送れる職員ではありません。", "is not a colleague a memo can be left for.");
        goto fail;
    }
    int confirm = 0;
    if (api_field_bool(r, b, "confirm_pii", &confirm) < 0)
        goto fail;
    if (api_pii_guard(r, "body", c->in.body, confirm, 0) != 0 ||
        api_pii_guard(r, "caller_name", c->in.caller_name, confirm, 0) != 0) {
        json_decref(b);
        free(c);
        return API_ASYNC;
    }
    int64_t lo = c->in.for_user_id < r->user.id ? c->in.for_user_id : r->user.id;
    int64_t hi = c->in.for_user_id < r->user.id ? r->user.id : c->in.for_user_id;
    snprintf(c->direct_key, sizeof(c->direct_key), "%lld:%lld", (long long)lo, (long long)hi);
    return api_write(r, create_run, create_done, c);
fail:
    json_decref(b);
    free(c);
    return API_DONE;
}

static int
h_list(struct api_req *r)
{
    char box[16] = "inbox", unc[8] = "";
    api_query(r, "box", box, sizeof(box));
    api_query(r, "unconfirmed", unc, sizeof(unc));
    if (strcmp(box, "inbox") && strcmp(box, "taken"))
        return api_invalid(r, "box", "inbox か taken です。", "must be inbox or taken.");
    int taken = !strcmp(box, "taken");
    json_t *list = store_memos_json(r->thread->store, taken ? 0 : r->user.id, taken ? r->user.id : 0, !strcmp(unc, "1"));
    return api_reply(r, 200, json_pack("{so}", "memos", list));
}

struct confirm_ctx {
    int64_t id, message_id, room_id;
};

static int
confirm_run(store_t *s, struct api_req *r, void *ctx)
{
    struct confirm_ctx *c = ctx;
    int rc = store_memo_confirm(s, c->id, time_now_ms(), &c->message_id);
    if (rc != 0 || c->message_id == 0)
        return rc;
    json_t *memo = store_memo_json(s, c->id);
    c->room_id = json_integer_value(json_object_get(memo, "room_id"));
    json_t *card = memo_card(memo);
    json_decref(memo);
    char *t = json_dumps(card, JSON_COMPACT);
    json_decref(card);
    rc = store_message_set_card(s, c->message_id, t);
    free(t);
    return rc;
}

static void
confirm_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct confirm_ctx *c = ctx;
    if (status == STORE_ECONFLICT) {
        api_error(r, 409, "conflict", "この伝言メモは確認済みです。", "The memo was already confirmed.");
    } else if (status == 0) {
        if (c->message_id) {
            json_t *m = store_message_json(s, c->message_id);
            api_publish_room(s, c->room_id,
                             json_pack("{ss sI so}", "type", "message.updated", "room_id", (json_int_t)c->room_id, "message", m),
                             -1);
        }
        api_reply(r, 200, store_memo_json(s, c->id));
    }
    free(c);
}

static int
h_confirm(struct api_req *r)
{
    int64_t for_user, taker;
    if (store_memo_people(r->thread->store, r->params[0], &for_user, &taker) != 0 ||
        (for_user != r->user.id && taker != r->user.id))
        return api_not_found(r);
    if (for_user != r->user.id)
        return api_error(r, 403, "forbidden", "確認できるのは伝言を受けた本人だけです。",
                         "Only the person the memo is for confirms it.");
    struct confirm_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    return api_write(r, confirm_run, confirm_done, c);
}

static int
h_get(struct api_req *r)
{
    int64_t for_user, taker;
    if (store_memo_people(r->thread->store, r->params[0], &for_user, &taker) != 0 ||
        (for_user != r->user.id && taker != r->user.id))
        return api_not_found(r);
    return api_reply(r, 200, store_memo_json(r->thread->store, r->params[0]));
}

const struct api_op api_memos_ops[] = {
    {API_GET, "/api/v1/memos", 0, h_list},
    {API_POST, "/api/v1/memos", 0, h_create},
    {API_GET, "/api/v1/memos/{}", 0, h_get},
    {API_POST, "/api/v1/memos/{}/confirm", 0, h_confirm},
    {0, NULL, 0, NULL},
};
