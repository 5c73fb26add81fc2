/*
 * Notes (ノート, R11): a room's documents — meeting materials, minutes, the city's shared
 * guides — with every version kept, who opened them (pre-reading, R23 ③), reminders to those
 * who have not, suggested edits that the room's owners accept (R25), and PDF and Word copies.
 *
 * Posting or changing a note also posts a card message in the room, in the same transaction,
 * so the timeline shows it and catch-up by sequence finds it like any message. Opening a note
 * (GET) is recorded before the answer, since the paper-saved figures (R24) count on it.
 */
#include "api/internal.h"
#include "render/render.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/markdown.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- card messages, shared with meetings and memos ---- */

int
api_card_post(store_t *s, int64_t room_id, int64_t author, const char *text, json_t *card, int64_t *message_id)
{
    struct store_msg_in in = {0};
    in.room_id = room_id;
    in.sender_id = in.author_id = author;
    in.text = text;
    char *c = json_dumps(card, JSON_COMPACT);
    in.card = c;
    int64_t seq;
    int rc = store_message_insert(s, &in, time_now_ms(), message_id, &seq);
    free(c);
    return rc;
}

void
api_card_publish(store_t *s, int64_t room_id, int64_t message_id)
{
    json_t *m = store_message_json_new(s, message_id);
    if (m)
        api_publish_room(s, room_id,
                         json_pack("{ss sI so}", "type", "message.created", "room_id", (json_int_t)room_id, "message", m), -1);
}

/* ---- checks ---- */

/* Title and body of a note: lengths, the Markdown subset, the personal-information guard.
 * Returns 0, -1 (answered), or API_PII_PENDING. */
static int
note_fields(struct api_req *r, json_t *b, int title_required, const char **title, const char **body)
{
    *body = "";
    if (api_field_str(r, b, "title", KR_MAX_NOTE_TITLE, title_required, title) < 0 ||
        api_field_str(r, b, "body", KR_MAX_NOTE_BODY, 0, body) < 0)
        return -1;
    if (*title) {
        const char *p = *title;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0') {
            api_invalid(r, "title", "題名を入力してください。", "must not be blank.");
            return -1;
        }
        if (strchr(*title, '\n')) {
            api_invalid(r, "title", "題名に改行は使えません。", "must be one line.");
            return -1;
        }
    }
    size_t off;
    int bad = md_check(*body, &off);
    if (bad) {
        char ja[160], en[160];
        size_t at = utf8_count_codepoints(*body, off);
        if (bad == -1) {
            snprintf(ja, sizeof(ja), "HTML タグは使えません（%zu 文字目）。「<」は全角の「＜」にしてください。", at + 1);
            snprintf(en, sizeof(en), "must not contain raw HTML (character %zu).", at + 1);
        } else {
            snprintf(ja, sizeof(ja), "使えないリンク先です（%zu 文字目）。http(s)、mailto のみ使えます。", at + 1);
            snprintf(en, sizeof(en), "has a link that is not allowed (character %zu): only http(s) and mailto.", at + 1);
        }
        api_invalid(r, "body", ja, en);
        return -1;
    }
    int confirm = 0;
    if (api_field_bool(r, b, "confirm_pii", &confirm) < 0)
        return -1;
    int64_t room = r->params[0];
    if (*title && api_pii_guard(r, "title", *title, confirm, room) != 0)
        return API_PII_PENDING;
    if (api_pii_guard(r, "body", *body, confirm, room) != 0)
        return API_PII_PENDING;
    return 0;
}

/* Attachments: each readable by the editor and not held by the guard. */
static int
files_ok(store_t *s, int64_t user, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (store_file_can_read(s, ids[i], user, NULL) != 0 || store_file_held(s, ids[i]))
            return 0;
    return 1;
}

static int
is_owner(struct api_req *r, const char *role)
{
    return !strcmp(role, "owner") || r->user.is_admin;
}

/* ---- create ---- */

struct note_ctx {
    json_t *body;
    struct store_note_in in;
    int64_t *files;
    int64_t id, version, base_version, message_id, suggestion_id;
    int numbered, keep_files, bad_files, conflict;
    char *title;
    json_t *note;
};

static void
note_ctx_free(struct note_ctx *c)
{
    json_decref(c->body);
    json_decref(c->note);
    free(c->files);
    free(c->title);
    free(c);
}

static json_t *
note_card(store_t *s, int64_t id, const char *action)
{
    json_t *n = store_note_json(s, id, 0);
    if (n == NULL)
        return json_null();
    json_t *card = json_pack("{ss sI ss sO sO sO sO}", "type", "note", "note_id", (json_int_t)id, "action", action, "title",
                             json_object_get(n, "title"), "kind", json_object_get(n, "kind"), "version",
                             json_object_get(n, "version"), "pages", json_object_get(n, "pages"));
    json_decref(n);
    return card;
}

static int
post_card(store_t *s, int64_t room_id, int64_t author, int64_t note_id, const char *action, int64_t *message_id)
{
    json_t *card = note_card(s, note_id, action);
    const char *title = json_string_value(json_object_get(card, "title"));
    char *text = xmalloc(strlen(title ? title : "") + 64);
    sprintf(text, "%s「%s」", !strcmp(action, "created") ? "ノートを作成しました:" : "ノートを更新しました:", title ? title : "");
    int rc = api_card_post(s, room_id, author, text, card, message_id);
    free(text);
    json_decref(card);
    return rc;
}

static int
create_run(store_t *s, struct api_req *r, void *ctx)
{
    struct note_ctx *c = ctx;
    char role[16];
    struct store_room_info info;
    if (store_room_info(s, c->in.room_id, &info) != 0 || store_member_role(s, c->in.room_id, c->in.author_id, role) != 0)
        return STORE_ENOTFOUND;
    if (!files_ok(s, c->in.author_id, c->in.file_ids, c->in.nfiles)) {
        c->bad_files = 1;
        return STORE_EINVAL;
    }
    if (c->in.meeting_id) {
        int64_t mroom;
        if (store_meeting_meta(s, c->in.meeting_id, &mroom, NULL) != 0 || mroom != c->in.room_id) {
            c->bad_files = 2;
            return STORE_EINVAL;
        }
    }
    int rc = store_note_create(s, &c->in, c->numbered, time_now_ms(), &c->id, NULL);
    if (rc == 0 && !strcmp(c->in.kind, "minutes") && c->in.meeting_id)
        rc = store_meeting_set_minutes(s, c->in.meeting_id, c->id);
    if (rc == 0)
        rc = post_card(s, c->in.room_id, c->in.author_id, c->id, "created", &c->message_id);
    if (rc == 0)
        rc = api_audit(s, r, "note.create", "note", c->id, c->in.room_id, json_pack("{ss}", "kind", c->in.kind));
    return rc;
}

static void
bad_refs(struct api_req *r, int why)
{
    if (why == 2)
        api_invalid(r, "meeting_id", "このルームの会議ではありません。", "is not a meeting of this room.");
    else
        api_invalid(r, "file_ids", "添付できないファイルが含まれています。", "contains a file you cannot attach.");
}

static void
create_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct note_ctx *c = ctx;
    if (status == STORE_EINVAL && c->bad_files) {
        bad_refs(r, c->bad_files);
    } else if (status == 0) {
        api_card_publish(s, c->in.room_id, c->message_id);
        api_reply(r, 201, store_note_json(s, c->id, 1));
    }
    note_ctx_free(c);
}

static int
h_create(struct api_req *r)
{
    struct store_room_info info;
    char role[16];
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return API_DONE;
    if (!strcmp(info.kind, "announcement") && !is_owner(r, role))
        return api_error(r, 403, "forbidden", "お知らせルームのノートを作成できるのはルーム管理者だけです。編集の提案はできます。",
                         "Only the room's owners write notes in an announcement room; members may suggest edits.");
    if (info.archived)
        return api_error(r, 409, "conflict", "アーカイブされたルームです。", "The room is archived.");
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct note_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->in.room_id = r->params[0];
    c->in.author_id = r->user.id;
    c->in.kind = "note";
    const char *title = NULL, *body, *kind = NULL, *tmpl = NULL, *series = NULL;
    int rc = note_fields(r, b, 0, &title, &body);
    if (rc == API_PII_PENDING) {
        note_ctx_free(c);
        return API_ASYNC;
    }
    if (rc != 0 || api_field_str(r, b, "kind", 16, 0, &kind) < 0 || api_field_str(r, b, "template", 16, 0, &tmpl) < 0 ||
        api_field_str(r, b, "series", 100, 0, &series) < 0 ||
        api_field_ids(r, b, "file_ids", KR_MAX_NOTE_FILES, &c->files, &c->in.nfiles) < 0 ||
        api_field_int(r, b, "meeting_id", 0, &c->in.meeting_id) < 0)
        goto fail;
    if (kind && strcmp(kind, "note") && strcmp(kind, "material") && strcmp(kind, "minutes")) {
        api_invalid(r, "kind", "note、material、minutes のいずれかです。", "must be note, material or minutes.");
        goto fail;
    }
    if (tmpl && strcmp(tmpl, "material")) {
        api_invalid(r, "template", "material のみ使えます。", "must be material.");
        goto fail;
    }
    if (tmpl) {
        /* 「第3回 〇〇検討会議 資料」: numbered per room when the note is stored. */
        kind = "material";
        const char *name = series && *series ? series : NULL;
        json_t *room = name ? NULL : store_room_public_json(r->thread->store, c->in.room_id);
        if (!name)
            name = json_string_value(json_object_get(room, "name"));
        c->title = xmalloc(strlen(name ? name : "") + 64);
        sprintf(c->title, "第%%lld回 %s 資料", name && *name ? name : "会議");
        json_decref(room);
        c->numbered = 1;
        title = c->title;
    } else if (title == NULL) {
        api_invalid(r, "title", "必須です。", "is required.");
        goto fail;
    }
    c->in.kind = kind ? kind : "note";
    c->in.title = title;
    c->in.body = body;
    c->in.file_ids = c->files;
    return api_write(r, create_run, create_done, c);
fail:
    note_ctx_free(c);
    return API_DONE;
}

/* ---- read ---- */

/* Loads a live note of the room in the path; answers 404 itself otherwise. */
static int
note_access(struct api_req *r, struct store_room_info *info, char role[16], struct store_note_meta *m)
{
    if (api_room_access(r, r->params[0], info, role) != 0)
        return -1;
    if (store_note_meta(r->thread->store, r->params[1], m) != 0 || m->room_id != r->params[0] || m->deleted) {
        api_not_found(r);
        return -1;
    }
    return 0;
}

static int
h_list(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    return api_reply(r, 200, json_pack("{so}", "notes", store_notes_list(r->thread->store, r->params[0], r->user.id)));
}

struct open_ctx {
    int64_t note_id, user_id;
};

static int
open_run(store_t *s, struct api_req *r, void *ctx)
{
    struct open_ctx *c = ctx;
    return store_note_read(s, c->note_id, c->user_id, time_now_ms());
}

static void
open_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct open_ctx *c = ctx;
    if (status == 0) {
        json_t *n = store_note_json(s, c->note_id, 1);
        if (n) {
            json_object_set_new(n, "opened", json_true());
            api_reply(r, 200, n);
        } else {
            api_not_found(r);
        }
    }
    free(c);
}

static int
h_get(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    struct open_ctx *c = xcalloc(1, sizeof(*c));
    c->note_id = m.id;
    c->user_id = r->user.id;
    return api_write(r, open_run, open_done, c);
}

static int
h_reads(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    return api_reply(r, 200, store_note_reads_json(r->thread->store, m.id));
}

static int
h_versions(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    return api_reply(r, 200, json_pack("{so}", "versions", store_note_versions_json(r->thread->store, m.id)));
}

static int
h_version(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    json_t *v = store_note_version_json(r->thread->store, m.id, r->params[2]);
    return v ? api_reply(r, 200, v) : api_not_found(r);
}

/* ---- update, delete ---- */

static int
update_run(store_t *s, struct api_req *r, void *ctx)
{
    struct note_ctx *c = ctx;
    if (store_member_role(s, c->in.room_id, r->user.id, NULL) != 0)
        return STORE_ENOTFOUND;
    if (!c->keep_files && !files_ok(s, r->user.id, c->in.file_ids, c->in.nfiles)) {
        c->bad_files = 1;
        return STORE_EINVAL;
    }
    int rc = store_note_update(s, c->id, c->base_version, c->in.title, c->in.body, c->in.file_ids, c->in.nfiles, c->keep_files,
                               c->in.author_id, time_now_ms(), &c->version);
    if (rc == STORE_ECONFLICT)
        c->conflict = 1;
    if (rc == 0 && c->suggestion_id)
        rc = store_suggestion_resolve(s, c->suggestion_id, "accepted", r->user.id, time_now_ms());
    if (rc == 0)
        rc = post_card(s, c->in.room_id, r->user.id, c->id, "updated", &c->message_id);
    if (rc == 0)
        rc = api_audit(s, r, "note.update", "note", c->id, c->in.room_id, json_pack("{sI}", "version", (json_int_t)c->version));
    return rc;
}

static void
update_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct note_ctx *c = ctx;
    if (status == STORE_EINVAL && c->bad_files)
        bad_refs(r, c->bad_files);
    else if (status == STORE_ECONFLICT && c->conflict)
        api_error(r, 409, "version_conflict", "ほかの人が先に更新しました。最新の内容を読み込んでから編集してください。",
                  "Someone else updated the note first; reload it before editing.");
    else if (status == STORE_ECONFLICT)
        api_error(r, 409, "conflict", "この提案はすでに処理されています。", "The suggestion was already handled.");
    else if (status == 0) {
        api_card_publish(s, c->in.room_id, c->message_id);
        api_reply(r, 200, store_note_json(s, c->id, 1));
    }
    note_ctx_free(c);
}

static int
h_update(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    char role[16];
    if (note_access(r, &info, role, &m) != 0)
        return API_DONE;
    if (!strcmp(info.kind, "announcement") && !is_owner(r, role))
        return api_error(r, 403, "forbidden",
                         "お知らせルームのノートを編集できるのはルーム管理者だけです。編集の提案をしてください。",
                         "Only the room's owners edit notes in an announcement room; suggest an edit instead.");
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct note_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->id = m.id;
    c->in.room_id = m.room_id;
    c->in.author_id = r->user.id;
    const char *title = NULL, *body;
    int rc = note_fields(r, b, 1, &title, &body);
    if (rc == API_PII_PENDING) {
        note_ctx_free(c);
        return API_ASYNC;
    }
    if (rc != 0 || api_field_int(r, b, "base_version", 1, &c->base_version) < 0)
        goto fail;
    c->keep_files = json_object_get(b, "file_ids") == NULL;
    if (!c->keep_files && api_field_ids(r, b, "file_ids", KR_MAX_NOTE_FILES, &c->files, &c->in.nfiles) < 0)
        goto fail;
    c->in.title = title;
    c->in.body = body;
    c->in.file_ids = c->files;
    return api_write(r, update_run, update_done, c);
fail:
    note_ctx_free(c);
    return API_DONE;
}

struct del_ctx {
    int64_t id, room_id;
};

static int
del_run(store_t *s, struct api_req *r, void *ctx)
{
    struct del_ctx *c = ctx;
    int rc = store_note_delete(s, c->id, time_now_ms());
    if (rc == 0)
        rc = api_audit(s, r, "note.delete", "note", c->id, c->room_id, NULL);
    return rc;
}

static void
del_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct del_ctx *c = ctx;
    if (status == 0) {
        api_publish_room(
            s, c->room_id,
            json_pack("{ss sI sI}", "type", "note.deleted", "room_id", (json_int_t)c->room_id, "note_id", (json_int_t)c->id), -1);
        api_reply(r, 204, NULL);
    }
    free(c);
}

static int
h_delete(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    char role[16];
    if (note_access(r, &info, role, &m) != 0)
        return API_DONE;
    if (m.author_id != r->user.id && !is_owner(r, role))
        return api_error(r, 403, "forbidden", "ノートを削除できるのは作成者とルーム管理者だけです。",
                         "Only the note's author and the room's owners delete it.");
    struct del_ctx *c = xcalloc(1, sizeof(*c));
    c->id = m.id;
    c->room_id = m.room_id;
    return api_write(r, del_run, del_done, c);
}

/* ---- pre-reading reminder (R23 ③) ---- */

#define REMIND_INTERVAL_MS (60LL * 60 * 1000)

struct remind_ctx {
    int64_t note_id, room_id, message_id;
    int64_t *ids;
    size_t n;
    int too_soon;
};

static int
remind_run(store_t *s, struct api_req *r, void *ctx)
{
    struct remind_ctx *c = ctx;
    struct store_note_meta m;
    if (store_note_meta(s, c->note_id, &m) != 0 || m.deleted)
        return STORE_ENOTFOUND;
    if (m.reminded_at && time_now_ms() - m.reminded_at < REMIND_INTERVAL_MS) {
        c->too_soon = 1;
        return STORE_ECONFLICT;
    }
    int rc = store_note_unread_ids(s, c->note_id, &c->ids, &c->n);
    if (rc != 0 || c->n == 0)
        return rc;
    json_t *n = store_note_json(s, c->note_id, 0);
    const char *title = json_string_value(json_object_get(n, "title"));
    char *text = xmalloc(strlen(title ? title : "") + 160);
    sprintf(text, "事前にお目通しください: ノート「%s」（まだ開いていない方へのお知らせです）", title ? title : "");
    struct store_msg_in in = {0};
    in.room_id = c->room_id;
    in.sender_id = in.author_id = r->user.id;
    in.text = text;
    in.mentions = c->ids;
    in.nmentions = c->n;
    json_t *card = json_pack("{ss sI ss}", "type", "note_reminder", "note_id", (json_int_t)c->note_id, "title", title ? title : "");
    char *ct = json_dumps(card, JSON_COMPACT);
    json_decref(card);
    in.card = ct;
    int64_t seq;
    rc = store_message_insert(s, &in, time_now_ms(), &c->message_id, &seq);
    free(ct);
    free(text);
    json_decref(n); /* title pointed into it */
    if (rc == 0)
        rc = store_note_set_reminded(s, c->note_id, time_now_ms());
    return rc;
}

static void
remind_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct remind_ctx *c = ctx;
    if (status == STORE_ECONFLICT && c->too_soon) {
        api_error(r, 409, "conflict", "お知らせは 1 時間に 1 回までです。", "A reminder can be sent once an hour.");
    } else if (status == 0) {
        if (c->message_id)
            api_card_publish(s, c->room_id, c->message_id);
        api_reply(r, 200,
                  json_pack("{so so}", "reminded", json_integer((json_int_t)c->n), "message_id",
                            c->message_id ? json_integer(c->message_id) : json_null()));
    }
    free(c->ids);
    free(c);
}

static int
h_remind(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    char role[16];
    if (note_access(r, &info, role, &m) != 0)
        return API_DONE;
    int64_t organiser = 0;
    if (m.meeting_id)
        store_meeting_meta(r->thread->store, m.meeting_id, NULL, &organiser);
    if (m.author_id != r->user.id && organiser != r->user.id && !is_owner(r, role))
        return api_error(r, 403, "forbidden", "お知らせを送れるのは作成者、会議の主催者、ルーム管理者だけです。",
                         "Only the note's author, the meeting's organiser and the room's owners send reminders.");
    struct remind_ctx *c = xcalloc(1, sizeof(*c));
    c->note_id = m.id;
    c->room_id = m.room_id;
    return api_write(r, remind_run, remind_done, c);
}

/* ---- suggested edits (R25) ---- */

struct sugg_ctx {
    json_t *body;
    int64_t note_id, room_id, base_version, id;
    const char *title, *text;
};

static int
sugg_run(store_t *s, struct api_req *r, void *ctx)
{
    struct sugg_ctx *c = ctx;
    return store_suggestion_create(s, c->note_id, r->user.id, c->base_version, c->title, c->text, time_now_ms(), &c->id);
}

static void
sugg_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct sugg_ctx *c = ctx;
    if (status == 0) {
        api_publish_room(s, c->room_id,
                         json_pack("{ss sI sI sI}", "type", "note.suggested", "room_id", (json_int_t)c->room_id, "note_id",
                                   (json_int_t)c->note_id, "suggestion_id", (json_int_t)c->id),
                         -1);
        api_reply(r, 201, json_pack("{sI ss}", "id", (json_int_t)c->id, "status", "open"));
    }
    json_decref(c->body);
    free(c);
}

static int
h_suggest(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct sugg_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->note_id = m.id;
    c->room_id = m.room_id;
    c->base_version = m.version;
    int rc = note_fields(r, b, 1, &c->title, &c->text);
    if (rc == API_PII_PENDING) {
        json_decref(b);
        free(c);
        return API_ASYNC;
    }
    if (rc != 0) {
        json_decref(b);
        free(c);
        return API_DONE;
    }
    return api_write(r, sugg_run, sugg_done, c);
}

static int
h_suggestions(struct api_req *r)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    return api_reply(r, 200, json_pack("{so}", "suggestions", store_suggestions_json(r->thread->store, m.id)));
}

static int
reject_run(store_t *s, struct api_req *r, void *ctx)
{
    struct note_ctx *c = ctx;
    return store_suggestion_resolve(s, c->suggestion_id, "rejected", r->user.id, time_now_ms());
}

static void
reject_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct note_ctx *c = ctx;
    if (status == STORE_ECONFLICT)
        api_error(r, 409, "conflict", "この提案はすでに処理されています。", "The suggestion was already handled.");
    else if (status == 0)
        api_reply(r, 200, json_pack("{sI ss}", "id", (json_int_t)c->suggestion_id, "status", "rejected"));
    note_ctx_free(c);
}

static int
resolve(struct api_req *r, int accept)
{
    struct store_room_info info;
    struct store_note_meta m;
    char role[16];
    if (note_access(r, &info, role, &m) != 0)
        return API_DONE;
    if (!is_owner(r, role))
        return api_error(r, 403, "forbidden", "提案を採用できるのはルーム管理者だけです。",
                         "Only the room's owners accept suggestions.");
    struct store_suggestion sg;
    if (store_suggestion_get(r->thread->store, r->params[2], &sg) != 0)
        return api_not_found(r);
    if (sg.note_id != m.id) {
        free(sg.title);
        free(sg.body);
        return api_not_found(r);
    }
    struct note_ctx *c = xcalloc(1, sizeof(*c));
    c->id = m.id;
    c->suggestion_id = sg.id;
    c->in.room_id = m.room_id;
    c->in.author_id = sg.user_id; /* the version is the suggester's text */
    /* The strings live in the JSON body so note_ctx_free releases them. */
    c->body = json_pack("{so so}", "title", json_string(sg.title), "body", json_string(sg.body));
    free(sg.title);
    free(sg.body);
    c->in.title = json_string_value(json_object_get(c->body, "title"));
    c->in.body = json_string_value(json_object_get(c->body, "body"));
    c->keep_files = 1;
    c->base_version = m.version;
    if (!accept)
        return api_write(r, reject_run, reject_done, c);
    return api_write(r, update_run, update_done, c);
}

static int
h_accept(struct api_req *r)
{
    return resolve(r, 1);
}

static int
h_reject(struct api_req *r)
{
    return resolve(r, 0);
}

/* ---- PDF and Word copies ---- */

struct export_ctx {
    int64_t id, version;
    int docx;
    char *title, *body, *footer, *author;
};

static void
export_job(struct api_req *r, void *ctx)
{
    struct export_ctx *c = ctx;
    char dir[1200], path[1300], tmp[1400];
    snprintf(dir, sizeof(dir), "%s/render", api_config()->data);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        goto fail;
    /* A version never changes, so its rendering is made once and kept. */
    snprintf(path, sizeof(path), "%s/note-%lld-v%lld.%s", dir, (long long)c->id, (long long)c->version, c->docx ? "docx" : "pdf");
    if (access(path, R_OK) != 0) {
        snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)gettid());
        int rc = c->docx ? render_docx(tmp, c->title, c->body, c->author) : render_pdf(tmp, c->title, c->body, c->footer);
        if (rc != 0 || rename(tmp, path) != 0) {
            unlink(tmp);
            goto fail;
        }
    }
    char name[600];
    snprintf(name, sizeof(name), "%s.%s", c->title, c->docx ? "docx" : "pdf");
    r->status = 200;
    r->file.path = xstrdup(path);
    r->file.type = xstrdup(c->docx ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : "application/pdf");
    r->file.disposition = api_content_disposition(name, 0);
    goto done;
fail:
    log_error("notes.render", "note=%lld error=\"%s\"", (long long)c->id, strerror(errno));
    api_error(r, 500, "internal", "文書を作成できませんでした。", "The document could not be made.");
done:
    free(c->title);
    free(c->body);
    free(c->footer);
    free(c->author);
    free(c);
    api_finish(r);
}

static int
export_note(struct api_req *r, int docx)
{
    struct store_room_info info;
    struct store_note_meta m;
    if (note_access(r, &info, NULL, &m) != 0)
        return API_DONE;
    struct api_zone zone;
    if (api_zone_of(r, &zone) && !zone.download)
        return api_error(r, 403, "download_forbidden", "このネットワークからはファイルをダウンロードできません。",
                         "Files cannot be downloaded from this network.");
    json_t *n = store_note_json(r->thread->store, m.id, 1);
    if (n == NULL)
        return api_not_found(r);
    struct export_ctx *c = xcalloc(1, sizeof(*c));
    c->id = m.id;
    c->version = m.version;
    c->docx = docx;
    c->title = xstrdup(json_string_value(json_object_get(n, "title")));
    c->body = xstrdup(json_string_value(json_object_get(n, "body")));
    c->author = xstrdup(json_string_value(json_object_get(json_object_get(n, "author"), "name")));
    char *footer = xmalloc(strlen(c->title) + 128);
    sprintf(footer, "%s（第 %lld 版・%.10s 更新）Kairan", c->title, (long long)m.version,
            json_string_value(json_object_get(n, "updated_at")) ? json_string_value(json_object_get(n, "updated_at")) : "");
    c->footer = footer;
    json_decref(n);
    return api_job(r, export_job, c);
}

static int
h_pdf(struct api_req *r)
{
    return export_note(r, 0);
}

static int
h_docx(struct api_req *r)
{
    return export_note(r, 1);
}

const struct api_op api_notes_ops[] = {
    {API_GET, "/api/v1/rooms/{}/notes", 0, h_list},
    {API_POST, "/api/v1/rooms/{}/notes", 0, h_create},
    {API_GET, "/api/v1/rooms/{}/notes/{}", 0, h_get},
    {API_PUT, "/api/v1/rooms/{}/notes/{}", 0, h_update},
    {API_DELETE, "/api/v1/rooms/{}/notes/{}", 0, h_delete},
    {API_GET, "/api/v1/rooms/{}/notes/{}/reads", 0, h_reads},
    {API_POST, "/api/v1/rooms/{}/notes/{}/remind", 0, h_remind},
    {API_GET, "/api/v1/rooms/{}/notes/{}/versions", 0, h_versions},
    {API_GET, "/api/v1/rooms/{}/notes/{}/versions/{}", 0, h_version},
    {API_GET, "/api/v1/rooms/{}/notes/{}/pdf", 0, h_pdf},
    {API_GET, "/api/v1/rooms/{}/notes/{}/docx", 0, h_docx},
    {API_GET, "/api/v1/rooms/{}/notes/{}/suggestions", 0, h_suggestions},
    {API_POST, "/api/v1/rooms/{}/notes/{}/suggestions", 0, h_suggest},
    {API_POST, "/api/v1/rooms/{}/notes/{}/suggestions/{}/accept", 0, h_accept},
    {API_POST, "/api/v1/rooms/{}/notes/{}/suggestions/{}/reject", 0, h_reject},
    {0, NULL, 0, NULL},
};
