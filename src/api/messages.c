/*
 * Messages: send, history, edit, delete, readers, read marks.
 *
 * A send is answered only after the writer's COMMIT returned, and the same moment publishes
 * message.created to the room's members, so what a client sees live is always on disk. A
 * client_msg_id makes a retried send idempotent: the check runs inside the writer's
 * transaction, so two racing retries cannot both insert.
 */
#include "api/internal.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
h_history(struct api_req *r)
{
    struct store_room_info info;
    int64_t after = -1, before = -1, limit = KR_PAGE_DEFAULT;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    if (api_query_int(r, "after", 0, INT64_C(1) << 53, &after) == -2 ||
        api_query_int(r, "before", 1, INT64_C(1) << 53, &before) == -2 || api_query_int(r, "limit", 1, KR_PAGE_MAX, &limit) == -2)
        return API_DONE;
    if (after >= 0 && before >= 0)
        return api_invalid(r, "after", "before と同時には指定できません。", "cannot be combined with before.");
    int has_more = 0;
    json_t *msgs = store_messages_page(r->thread->store, r->params[0], after, before, (int)limit, &has_more);
    return api_reply(r, 200, json_pack("{so sb}", "messages", msgs, "has_more", has_more));
}

/* Loads a message of the room the caller is a member of; answers 404 itself otherwise. */
static int
message_access(struct api_req *r, struct store_room_info *info, char role[16], struct store_msg_meta *meta)
{
    if (api_room_access(r, r->params[0], info, role) != 0)
        return -1;
    if (store_message_meta(r->thread->store, r->params[1], meta) != 0 || meta->room_id != r->params[0]) {
        api_not_found(r);
        return -1;
    }
    return 0;
}

static int
h_message(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (message_access(r, &info, NULL, &meta) != 0)
        return API_DONE;
    return api_reply(r, 200, store_message_json(r->thread->store, meta.id));
}

struct send_ctx {
    json_t *body;
    struct store_msg_in in;
    int64_t *mentions, *files;
    int64_t id, seq;
    int existing;
    const char *err_field, *err_ja, *err_en;
    int err_status;
    json_t *message;               /* the Message when read back (retries, files, replies) */
    struct store_msg_draft *draft; /* a plain send's Message without what the writer assigns */
    char *text;                    /* the Message as JSON text */
    size_t text_len;
    int outside_hours;
    char *urgent_reason;
};

static void
send_free(struct send_ctx *c)
{
    json_decref(c->body);
    json_decref(c->message);
    store_message_draft_free(c->draft);
    free(c->text);
    free(c->urgent_reason);
    free(c->mentions);
    free(c->files);
    free(c);
}

static int
send_fail(struct send_ctx *c, int status, const char *field, const char *ja, const char *en)
{
    c->err_status = status;
    c->err_field = field;
    c->err_ja = ja;
    c->err_en = en;
    return STORE_EINVAL;
}

static const struct api_refs_error refs_errors[] = {
    {400, "mentions", "ルームのメンバーではない人が含まれています。", "contains someone who is not a member."},
    {400, "file_ids", "添付できないファイルが含まれています。", "contains a file you cannot attach."},
    {422, "file_ids", "個人情報を含む可能性があるため、管理者の確認が終わるまで共有できません。",
     "holds what may be personal information; it can be shared once an administrator has reviewed it."},
};

/* What a message refers to — mentioned people, attached files — checked the same way when it is
 * sent, held for office hours and released: NULL when all is well. */
const struct api_refs_error *
api_send_refs_check(store_t *s, const struct store_msg_in *in)
{
    for (size_t i = 0; i < in->nmentions; i++)
        if (store_member_role(s, in->room_id, in->mentions[i], NULL) != 0)
            return &refs_errors[0];
    for (size_t i = 0; i < in->nfiles; i++) {
        if (store_file_can_read(s, in->file_ids[i], in->author_id, NULL) != 0)
            return &refs_errors[1];
        if (store_file_held(s, in->file_ids[i]))
            return &refs_errors[2];
    }
    return NULL;
}

static int
send_run(store_t *s, struct api_req *r, void *ctx)
{
    struct send_ctx *c = ctx;
    struct store_msg_in *in = &c->in;
    struct store_room_info info;
    char role[16];
    if (in->client_msg_id) {
        char *text = NULL, *stamp = NULL;
        int64_t room;
        if (store_message_by_client_id(s, in->author_id, in->client_msg_id, &c->id, &room, &text, &stamp) == 0) {
            int same = room == in->room_id && !strcmp(text, in->text ? in->text : "") && !strcmp(stamp, in->stamp ? in->stamp : "");
            free(text);
            free(stamp);
            if (!same)
                return send_fail(c, 409, NULL, "この client_msg_id は別のメッセージに使われています。",
                                 "This client_msg_id was used for another message.");
            c->existing = 1;
            c->message = store_message_json(s, c->id);
            return 0;
        }
    }
    if (store_room_info(s, in->room_id, &info) != 0 || store_member_role(s, in->room_id, in->author_id, role) != 0)
        return STORE_ENOTFOUND;
    if (info.archived)
        return send_fail(c, 409, NULL, "アーカイブされたルームには送信できません。", "The room is archived.");
    if (in->sender_id != in->author_id) {
        if (!store_is_delegate(s, in->sender_id, in->author_id))
            return send_fail(c, 403, NULL, "この所属アカウントとして送信する権限がありません。",
                             "You may not post for this department account.");
        if (store_member_role(s, in->room_id, in->sender_id, NULL) != 0)
            return send_fail(c, 400, "as_user_id", "所属アカウントがこのルームのメンバーではありません。",
                             "the department account is not a member of the room.");
    }
    if (!strcmp(info.kind, "announcement") && strcmp(role, "owner") &&
        (in->sender_id == in->author_id || store_member_role(s, in->room_id, in->sender_id, role) != 0 || strcmp(role, "owner")))
        return send_fail(c, 403, NULL, "お知らせルームに投稿できるのはルーム管理者だけです。",
                         "Only the room's owners post in an announcement room.");
    const struct api_refs_error *e = api_send_refs_check(s, in);
    if (e)
        return send_fail(c, e->status, e->field, e->ja, e->en);
    int64_t now = time_now_ms();
    int rc = store_message_insert(s, in, now, &c->id, &c->seq);
    if (rc == STORE_EINVAL)
        return send_fail(c, 400, "reply_to", "このルームのメッセージではありません。", "is not a message of this room.");
    if (rc != 0)
        return rc;
    if (c->draft)
        c->text = store_message_draft_text(c->draft, c->id, in->room_id, c->seq, now, &c->text_len);
    else
        c->message = store_message_json_new(s, c->id);
    if (in->urgent)
        return api_audit(s, r, "message.urgent", "message", c->id, in->room_id,
                         json_pack("{ss}", "reason", c->urgent_reason ? c->urgent_reason : ""));
    return 0;
}

static void
send_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct send_ctx *c = ctx;
    if (status == STORE_EINVAL && c->err_status) {
        if (c->err_status == 409)
            api_error(r, 409, "conflict", c->err_ja, c->err_en);
        else if (c->err_status == 403)
            api_error(r, 403, "forbidden", c->err_ja, c->err_en);
        else if (c->err_status == 422)
            api_error(r, 422, "personal_information", c->err_ja, c->err_en);
        else
            api_invalid(r, c->err_field, c->err_ja, c->err_en);
    } else if (status == 0 && (c->text || c->message)) {
        /* Serialised once: the event carries the same text as the 201 answer. */
        if (c->text == NULL) {
            c->text = json_dumps(c->message, JSON_COMPACT);
            c->text_len = c->text ? strlen(c->text) : 0;
        }
        if (c->text == NULL) {
            api_store_error(r, STORE_EIO);
            goto out;
        }
        if (!c->existing) {
            static const char head[] = "{\"type\":\"message.created\",\"room_id\":";
            char room[24];
            int nr = snprintf(room, sizeof(room), "%lld", (long long)c->in.room_id);
            size_t n = sizeof(head) - 1 + (size_t)nr + 11 + c->text_len + 1;
            char *ev = xmalloc(n + 1), *p = ev;
            memcpy(p, head, sizeof(head) - 1);
            p += sizeof(head) - 1;
            memcpy(p, room, (size_t)nr);
            p += nr;
            memcpy(p, ",\"message\":", 11);
            p += 11;
            memcpy(p, c->text, c->text_len);
            p += c->text_len;
            *p++ = '}';
            *p = '\0';
            api_publish_room_text(s, c->in.room_id, ev, n, -1);
            free(ev);
            api_push_message(s, c->in.room_id, c->in.sender_id, c->in.urgent);
        }
        if (c->outside_hours) { /* warn mode: sent, but the sender is told */
            static const char warn[] = ",\"outside_office_hours\":true}";
            c->text = xrealloc(c->text, c->text_len + sizeof(warn) - 1);
            memcpy(c->text + c->text_len - 1, warn, sizeof(warn)); /* over the closing brace */
            c->text_len += sizeof(warn) - 2;
        }
        api_reply_text(r, 201, c->text, c->text_len);
        c->text = NULL;
    }
out:
    send_free(c);
}

static int
h_send(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    if (api_rate_take(r, API_RATE_SEND) != 0)
        return API_DONE;
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct send_ctx *c = xcalloc(1, sizeof(*c));
    struct store_msg_in *in = &c->in;
    c->body = b;
    in->room_id = r->params[0];
    in->author_id = in->sender_id = r->user.id;
    in->text = "";
    int64_t as = 0;
    if (api_field_str(r, b, "text", KR_MAX_TEXT_CHARS, 0, &in->text) < 0 ||
        api_field_str(r, b, "client_msg_id", KR_MAX_CLIENT_MSG_ID, 1, &in->client_msg_id) < 0 ||
        api_field_str(r, b, "stamp", 32, 0, &in->stamp) < 0 || api_field_int(r, b, "reply_to", 0, &in->reply_to) < 0 ||
        api_field_bool(r, b, "mention_all", &in->mention_all) < 0 ||
        api_field_ids(r, b, "mentions", KR_MAX_MENTIONS, &c->mentions, &in->nmentions) < 0 ||
        api_field_ids(r, b, "file_ids", KR_MAX_FILES_PER_MESSAGE, &c->files, &in->nfiles) < 0 ||
        api_field_int(r, b, "as_user_id", 0, &as) < 0)
        goto fail;
    in->mentions = c->mentions;
    in->file_ids = c->files;
    if (as && as != r->user.id)
        in->sender_id = as;
    if (in->client_msg_id) {
        size_t n = strlen(in->client_msg_id);
        int ok = n > 0;
        for (size_t i = 0; i < n; i++)
            ok &= in->client_msg_id[i] > 0x20 && in->client_msg_id[i] < 0x7f;
        if (!ok) {
            api_invalid(r, "client_msg_id", "1〜64 文字の英数字記号です。", "must be 1-64 printable ASCII characters.");
            goto fail;
        }
    }
    if (in->stamp && in->stamp[0] == '\0')
        in->stamp = NULL;
    if (in->stamp && !api_stamp_known(in->stamp)) {
        api_invalid(r, "stamp", "そのスタンプはありません。", "is not a known stamp.");
        goto fail;
    }
    int confirm_pii = 0;
    if (api_field_bool(r, b, "confirm_pii", &confirm_pii) < 0)
        goto fail;
    if (api_pii_guard(r, "text", in->text, confirm_pii, in->room_id) != 0) {
        send_free(c);
        return API_ASYNC;
    }
    const char *reason = NULL;
    if (api_field_bool(r, b, "urgent", &in->urgent) < 0 || api_field_str(r, b, "urgent_reason", 200, 0, &reason) < 0)
        goto fail;
    if (in->urgent && api_urgent_refused(r, in->room_id))
        goto fail;
    /* A message is text, a stamp or files; whitespace alone is not a message. */
    int blank = 1;
    for (const char *p = in->text; *p && blank; p++)
        blank = *p == ' ' || *p == '\n' || *p == '\t';
    if (blank && in->stamp == NULL && in->nfiles == 0) {
        api_invalid(r, "text", "本文、スタンプ、ファイルのいずれかが必要です。", "a message needs text, a stamp or a file.");
        goto fail;
    }
    /* Outside office hours (R14): send, warn, hold until the next business morning, or refuse. */
    int64_t held_until = 0;
    switch (api_office_decision(r, in->urgent, &held_until)) {
    case API_OFFICE_REFUSED:
        goto fail;
    case API_OFFICE_HOLD: {
        const struct api_refs_error *e = api_send_refs_check(r->thread->store, in);
        if (e) {
            if (e->status == 422)
                api_error(r, 422, "personal_information", e->ja, e->en);
            else
                api_invalid(r, e->field, e->ja, e->en);
            goto fail;
        }
        json_t *fields = json_pack(
            "{ss* ss* sI sb sO* sO* sI ss}", "text", in->text, "stamp", in->stamp, "reply_to", (json_int_t)in->reply_to,
            "mention_all", in->mention_all, "mentions", json_object_get(b, "mentions"), "file_ids", json_object_get(b, "file_ids"),
            "as_user_id", (json_int_t)(in->sender_id != in->author_id ? in->sender_id : 0), "client_msg_id", in->client_msg_id);
        int rc = api_hold_send(r, in->room_id, in->client_msg_id, fields, held_until);
        json_decref(fields);
        send_free(c);
        return rc;
    }
    case API_OFFICE_WARN:
        c->outside_hours = 1;
        break;
    }
    if (in->urgent)
        c->urgent_reason = xstrdup(reason ? reason : "");
    c->draft = store_message_draft(r->thread->store, in);
    return api_write(r, send_run, send_done, c);
fail:
    send_free(c);
    return API_DONE;
}

struct edit_ctx {
    int64_t room_id, id;
    char *text;
    char **hashes;
    size_t nhashes;
    int64_t by;
    int purge;
};

static int
edit_run(store_t *s, struct api_req *r, void *ctx)
{
    struct edit_ctx *c = ctx;
    struct store_msg_meta meta;
    if (store_message_meta(s, c->id, &meta) != 0 || meta.deleted)
        return STORE_ENOTFOUND;
    return store_message_edit(s, c->id, c->text, time_now_ms());
}

static void
changed_done(store_t *s, struct api_req *r, void *ctx, int status, const char *type)
{
    struct edit_ctx *c = ctx;
    if (status == 0) {
        api_blobs_gc(s, c->hashes, c->nhashes);
        json_t *m = store_message_json(s, c->id);
        api_publish_room(s, c->room_id, json_pack("{ss sI sO}", "type", type, "room_id", (json_int_t)c->room_id, "message", m), -1);
        api_reply(r, 200, m);
    }
    store_free_strings(c->hashes, c->nhashes);
    free(c->text);
    free(c);
}

static void
edit_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    changed_done(s, r, ctx, status, "message.updated");
}

static int
h_edit(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (message_access(r, &info, NULL, &meta) != 0)
        return API_DONE;
    if (meta.author_id != r->user.id)
        return api_forbidden(r);
    if (meta.deleted)
        return api_not_found(r);
    json_t *b = api_body_object(r);
    const char *text = NULL;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "text", KR_MAX_TEXT_CHARS, 1, &text) < 0) {
        json_decref(b);
        return API_DONE;
    }
    if (text[0] == '\0') {
        json_decref(b);
        return api_invalid(r, "text", "空にはできません。送信取消を使ってください。",
                           "cannot be empty; delete the message instead.");
    }
    int confirm_pii = 0;
    if (api_field_bool(r, b, "confirm_pii", &confirm_pii) < 0) {
        json_decref(b);
        return API_DONE;
    }
    if (api_pii_guard(r, "text", text, confirm_pii, r->params[0]) != 0) {
        json_decref(b);
        return API_ASYNC;
    }
    struct edit_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->id = meta.id;
    c->text = xstrdup(text);
    json_decref(b);
    return api_write(r, edit_run, edit_done, c);
}

static int
delete_run(store_t *s, struct api_req *r, void *ctx)
{
    struct edit_ctx *c = ctx;
    int rc = store_message_delete(s, c->id, c->by, time_now_ms(), c->purge, &c->hashes, &c->nhashes);
    /* Who deleted what, where and when — never the content. */
    if (rc == 0)
        rc = api_audit(s, r, c->purge ? "message.purge" : "message.delete", "message", c->id, c->room_id,
                       c->purge ? json_pack("{ss}", "reason", c->text ? c->text : "") : NULL);
    return rc;
}

static void
delete_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct edit_ctx *c = ctx;
    if (status == 0 && (!api_config()->keep_deleted_content || c->purge))
        store_checkpoint(s); /* the text must not linger in the WAL (secure_delete zeroes the page) */
    if (status == 0)
        log_info("message.deleted", "room=%lld message=%lld by=%lld", (long long)c->room_id, (long long)c->id, (long long)c->by);
    changed_done(s, r, ctx, status, "message.deleted");
}

/* POST /api/v1/admin/messages/{id}/purge {"reason"}: personal information slipped through (R16,
 * "deleted at once"): the content goes for good whatever keep_deleted_content says, report
 * snapshots included; audited with the reason, never the content. */
static int
h_purge(struct api_req *r)
{
    struct store_msg_meta meta;
    if (store_message_meta(r->thread->store, r->params[0], &meta) != 0)
        return api_not_found(r);
    json_t *b = api_body_object(r);
    const char *reason = NULL;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "reason", 200, 1, &reason) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct edit_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = meta.room_id;
    c->id = meta.id;
    c->by = r->user.id;
    c->purge = 1;
    c->text = xstrdup(reason); /* carried for the audit entry */
    json_decref(b);
    return api_write(r, delete_run, delete_done, c);
}

static int
h_delete(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (message_access(r, &info, NULL, &meta) != 0)
        return API_DONE;
    if (meta.author_id != r->user.id && meta.sender_id != r->user.id)
        return api_forbidden(r);
    struct edit_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->id = meta.id;
    c->by = r->user.id;
    return api_write(r, delete_run, delete_done, c);
}

static int
h_edits(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (message_access(r, &info, NULL, &meta) != 0)
        return API_DONE;
    return api_reply(r, 200, json_pack("{so}", "edits", store_message_edits_json(r->thread->store, meta.id)));
}

static int
h_readers(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (message_access(r, &info, NULL, &meta) != 0)
        return API_DONE;
    json_t *rd = store_message_readers_json(r->thread->store, r->params[0], meta.id);
    return rd ? api_reply(r, 200, rd) : api_not_found(r);
}

struct read_ctx {
    int64_t room_id, user_id, seq, out;
    int changed;
};

static int
read_run(store_t *s, struct api_req *r, void *ctx)
{
    struct read_ctx *c = ctx;
    int rc = store_read_mark(s, c->room_id, c->user_id, c->seq, &c->out);
    if (rc < 0)
        return rc;
    c->changed = rc;
    return 0;
}

static void
read_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct read_ctx *c = ctx;
    if (status == 0) {
        if (c->changed)
            api_publish_room(s, c->room_id,
                             json_pack("{ss sI sI sI}", "type", "read.updated", "room_id", (json_int_t)c->room_id, "user_id",
                                       (json_int_t)c->user_id, "seq", (json_int_t)c->out),
                             -1);
        api_reply(r, 200, json_pack("{sI sI}", "room_id", (json_int_t)c->room_id, "seq", (json_int_t)c->out));
    }
    free(c);
}

static int
h_read(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    json_t *b = api_body_object(r);
    int64_t seq = 0;
    if (b == NULL)
        return API_DONE;
    int rc = api_field_int(r, b, "seq", 1, &seq);
    json_decref(b);
    if (rc < 0)
        return API_DONE;
    struct read_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->user_id = r->user.id;
    c->seq = seq;
    return api_write(r, read_run, read_done, c);
}

const struct api_op api_messages_ops[] = {
    {API_GET, "/api/v1/rooms/{}/messages", 0, h_history},
    {API_POST, "/api/v1/rooms/{}/messages", 0, h_send},
    {API_GET, "/api/v1/rooms/{}/messages/{}", 0, h_message},
    {API_PATCH, "/api/v1/rooms/{}/messages/{}", 0, h_edit},
    {API_DELETE, "/api/v1/rooms/{}/messages/{}", 0, h_delete},
    {API_GET, "/api/v1/rooms/{}/messages/{}/edits", 0, h_edits},
    {API_GET, "/api/v1/rooms/{}/messages/{}/readers", 0, h_readers},
    {API_POST, "/api/v1/rooms/{}/read", 0, h_read},
    {API_POST, "/api/v1/admin/messages/{}/purge", API_ADMIN, h_purge},
    {0, NULL, 0, NULL},
};
