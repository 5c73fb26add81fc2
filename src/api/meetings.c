/*
 * Meetings in a room (R12, R23): title, time, place (or chat only), agenda and materials;
 * messages tagged 質問 / 意見 before, 回答 / 決定 / 宿題 during; and the minutes drafted from
 * those tags, which the organiser edits and posts back to the room as a note (notes.c), from
 * where they download as PDF or Word.
 *
 * Tags are codes in the API (question, opinion, answer, decision, action) shown with their
 * Japanese labels. A message belongs to the meeting named when it is tagged, else to the room's
 * meeting of that time (store_meeting_current).
 */
#include "api/internal.h"
#include "policy/calendar.h"
#include "render/render.h"
#include "util/log.h"
#include "util/limits.h"
#include "util/strbuf.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
is_owner(struct api_req *r, const char *role)
{
    return !strcmp(role, "owner") || r->user.is_admin;
}

/* Parses "YYYY-MM-DD": 0 and y/m/d, or -1. */
static int
parse_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    return calendar_date_valid(*y, *m, *d) ? 0 : -1;
}

/* Today in Japan, as "YYYY-MM-DD" (the test clock applies). */
static void
today_jst(char out[11])
{
    char buf[32];
    time_format_jst(api_now_ms(), buf);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* ---- meetings ---- */

struct meeting_ctx {
    json_t *body;
    struct store_meeting_in in;
    int64_t id;
    int64_t *notes;
    size_t nnotes;
    int bad_note;
    char *agenda;
};

static void
meeting_ctx_free(struct meeting_ctx *c)
{
    json_decref(c->body);
    free(c->notes);
    free(c->agenda);
    free(c);
}

/* Validates the meeting's fields present in b; fills c->in. required: creating. */
static int
meeting_fields(struct api_req *r, json_t *b, struct meeting_ctx *c, int required)
{
    const char *starts = NULL, *ends = NULL;
    c->in.place = "";
    if (api_field_str(r, b, "title", KR_MAX_NOTE_TITLE, required, &c->in.title) < 0 ||
        api_field_str(r, b, "place", KR_MAX_MEETING_PLACE, 0, &c->in.place) < 0 ||
        api_field_bool(r, b, "chat_only", &c->in.chat_only) < 0 || api_field_str(r, b, "starts_at", 40, required, &starts) < 0 ||
        api_field_str(r, b, "ends_at", 40, 0, &ends) < 0)
        return -1;
    if (c->in.title && c->in.title[strspn(c->in.title, " \t")] == '\0')
        return api_invalid(r, "title", "題名を入力してください。", "must not be blank."), -1;
    if (starts && time_parse(starts, &c->in.starts_at) != 0)
        return api_invalid(r, "starts_at", "日時の形式が正しくありません（例: 2026-12-01T14:00:00+09:00）。",
                           "must be an RFC 3339 date-time."),
               -1;
    if (ends && time_parse(ends, &c->in.ends_at) != 0)
        return api_invalid(r, "ends_at", "日時の形式が正しくありません。", "must be an RFC 3339 date-time."), -1;
    if (starts && !ends)
        c->in.ends_at = c->in.starts_at + 60 * 60 * 1000; /* an hour unless told */
    if (starts && c->in.ends_at < c->in.starts_at)
        return api_invalid(r, "ends_at", "開始より後にしてください。", "must not be before starts_at."), -1;
    json_t *ag = json_object_get(b, "agenda");
    if (ag) {
        if (!json_is_array(ag) || json_array_size(ag) > KR_MAX_AGENDA_ITEMS)
            return api_invalid(r, "agenda", "議題は 30 件までの文字列の配列です。", "must be an array of at most 30 strings."), -1;
        size_t i;
        json_t *v;
        json_array_foreach(ag, i, v)
        {
            if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > KR_MAX_AGENDA_ITEM * 4 ||
                strchr(json_string_value(v), '\n'))
                return api_invalid(r, "agenda", "議題は 1 行 200 文字までです。",
                                   "items must be one line of at most 200 characters."),
                       -1;
        }
        c->agenda = json_dumps(ag, JSON_COMPACT);
    }
    c->in.agenda = c->agenda ? c->agenda : "[]";
    if (api_field_ids(r, b, "note_ids", KR_MAX_NOTE_FILES, &c->notes, &c->nnotes) < 0)
        return -1;
    return 0;
}

/* Materials: notes of the same room, attached to the meeting. */
static int
attach_notes(store_t *s, struct meeting_ctx *c, int64_t room_id)
{
    for (size_t i = 0; i < c->nnotes; i++) {
        struct store_note_meta m;
        if (store_note_meta(s, c->notes[i], &m) != 0 || m.room_id != room_id || m.deleted) {
            c->bad_note = 1;
            return STORE_EINVAL;
        }
        int rc = store_note_set_meeting(s, c->notes[i], c->id);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int
create_run(store_t *s, struct api_req *r, void *ctx)
{
    struct meeting_ctx *c = ctx;
    if (store_member_role(s, c->in.room_id, r->user.id, NULL) != 0)
        return STORE_ENOTFOUND;
    int rc = store_meeting_create(s, &c->in, time_now_ms(), &c->id);
    if (rc == 0)
        rc = attach_notes(s, c, c->in.room_id);
    if (rc == 0)
        rc = api_audit(s, r, "meeting.create", "meeting", c->id, c->in.room_id, NULL);
    return rc;
}

static void
meeting_done(store_t *s, struct api_req *r, void *ctx, int status, int created)
{
    struct meeting_ctx *c = ctx;
    if (status == STORE_EINVAL && c->bad_note) {
        api_invalid(r, "note_ids", "このルームのノートではありません。", "contains a note that is not in this room.");
    } else if (status == 0) {
        json_t *m = store_meeting_json(s, c->id);
        api_publish_room(s, c->in.room_id,
                         json_pack("{ss sI sO}", "type", "meeting.updated", "room_id", (json_int_t)c->in.room_id, "meeting", m),
                         -1);
        api_reply(r, created ? 201 : 200, m);
    }
    meeting_ctx_free(c);
}

static void
create_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    meeting_done(s, r, ctx, status, 1);
}

static int
h_create(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct meeting_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->in.room_id = r->params[0];
    c->in.organiser_id = r->user.id;
    if (meeting_fields(r, b, c, 1) != 0) {
        meeting_ctx_free(c);
        return API_DONE;
    }
    return api_write(r, create_run, create_done, c);
}

static int
update_run(store_t *s, struct api_req *r, void *ctx)
{
    struct meeting_ctx *c = ctx;
    json_t *f = json_object();
    json_t *b = c->body;
    const char *keys[] = {"title", "place", "chat_only"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(b, keys[i]))
            json_object_set(f, keys[i], json_object_get(b, keys[i]));
    if (json_object_get(b, "starts_at")) {
        json_object_set_new(f, "starts_at", json_integer(c->in.starts_at));
        json_object_set_new(f, "ends_at", json_integer(c->in.ends_at));
    } else if (json_object_get(b, "ends_at")) {
        json_object_set_new(f, "ends_at", json_integer(c->in.ends_at));
    }
    if (json_object_get(b, "agenda"))
        json_object_set(f, "agenda", json_object_get(b, "agenda"));
    int rc = store_meeting_update(s, c->id, f, time_now_ms());
    json_decref(f);
    if (rc == 0)
        rc = attach_notes(s, c, c->in.room_id);
    return rc;
}

static void
update_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    meeting_done(s, r, ctx, status, 0);
}

/* The meeting in the path, of the room in the path; answers 404 itself. */
static int
meeting_access(struct api_req *r, char role[16], int64_t *organiser)
{
    struct store_room_info info;
    int64_t room;
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return -1;
    if (store_meeting_meta(r->thread->store, r->params[1], &room, organiser) != 0 || room != r->params[0]) {
        api_not_found(r);
        return -1;
    }
    return 0;
}

static int
h_update(struct api_req *r)
{
    char role[16];
    int64_t organiser;
    if (meeting_access(r, role, &organiser) != 0)
        return API_DONE;
    if (organiser != r->user.id && !is_owner(r, role))
        return api_error(r, 403, "forbidden", "会議を変更できるのは主催者とルーム管理者だけです。",
                         "Only the organiser and the room's owners change a meeting.");
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct meeting_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->id = r->params[1];
    c->in.room_id = r->params[0];
    if (meeting_fields(r, b, c, 0) != 0) {
        meeting_ctx_free(c);
        return API_DONE;
    }
    if (json_object_get(b, "ends_at") && !json_object_get(b, "starts_at")) {
        json_t *m = store_meeting_json(r->thread->store, c->id);
        int64_t start = 0;
        time_parse(json_string_value(json_object_get(m, "starts_at")), &start);
        json_decref(m);
        if (c->in.ends_at < start) {
            meeting_ctx_free(c);
            return api_invalid(r, "ends_at", "開始より後にしてください。", "must not be before starts_at.");
        }
    }
    return api_write(r, update_run, update_done, c);
}

static int
h_list(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    return api_reply(r, 200, json_pack("{so}", "meetings", store_meetings_list(r->thread->store, r->params[0])));
}

static int
h_get(struct api_req *r)
{
    char role[16];
    if (meeting_access(r, role, NULL) != 0)
        return API_DONE;
    json_t *m = store_meeting_json(r->thread->store, r->params[1]);
    json_object_set_new(m, "tagged", store_meeting_tagged(r->thread->store, r->params[1]));
    json_object_set_new(m, "attendees", store_meeting_attendees(r->thread->store, r->params[1]));
    return api_reply(r, 200, m);
}

/* ---- the minutes draft ---- */

/* A message's text quoted into the draft: one line, and nothing the Markdown check refuses or
 * a table would split on (<, |, a link's "](") — replaced by their full-width forms. */
static void
sb_quote(struct sb *b, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            sb_str(b, " ");
        else if (*p == '<')
            sb_str(b, "＜");
        else if (*p == '|')
            sb_str(b, "｜");
        else if (*p == ']' && p[1] == '(')
            sb_str(b, "］");
        else {
            char c[2] = {*p, 0};
            sb_str(b, c);
        }
    }
}

/* "令和8年11月26日（木）" and "14:00" from an RFC 3339 time in Japan. */
static void
jdate(const char *iso, char *date, size_t dsize, char hm[6])
{
    int y = 0, m = 0, d = 0;
    if (iso == NULL || sscanf(iso, "%d-%d-%d", &y, &m, &d) != 3) {
        snprintf(date, dsize, "—");
        snprintf(hm, 6, "--:--");
        return;
    }
    static const char *const wd[] = {"日", "月", "火", "水", "木", "金", "土"};
    int w = calendar_weekday(y, m, d);
    int era = y * 10000 + m * 100 + d >= 20190501;
    char ey[16];
    if (era)
        snprintf(ey, sizeof(ey), y == 2019 ? "令和元年" : "令和%d年", y - 2018);
    else
        snprintf(ey, sizeof(ey), "%d年", y);
    snprintf(date, dsize, "%s%d月%d日（%s）", ey, m, d, wd[(w % 7 + 7) % 7]);
    snprintf(hm, 6, "%.5s", iso + 11);
}

static const char *
name_of(json_t *user)
{
    const char *n = json_string_value(json_object_get(user, "name"));
    return n ? n : "";
}

static char *
draft(store_t *s, json_t *m, json_t *tagged, json_t *attendees)
{
    struct sb b = {0};
    char date[64], start[6], end[6], end_date[64];
    jdate(json_string_value(json_object_get(m, "starts_at")), date, sizeof(date), start);
    jdate(json_string_value(json_object_get(m, "ends_at")), end_date, sizeof(end_date), end);
    sb_str(&b, "# ");
    sb_quote(&b, json_string_value(json_object_get(m, "title")));
    sb_str(&b, " 議事録\n\n");
    sb_fmt(&b, "- 日時: %s %s〜%s%s\n", date, start, strcmp(date, end_date) ? end_date : "", end);
    const char *place = json_string_value(json_object_get(m, "place"));
    sb_str(&b, "- 場所: ");
    if (json_is_true(json_object_get(m, "chat_only")) || place == NULL || !*place)
        sb_str(&b, "チャットのみ");
    else
        sb_quote(&b, place);
    sb_str(&b, "\n- 主催: ");
    sb_quote(&b, name_of(json_object_get(m, "organiser")));
    sb_str(&b, "\n- 出席者: ");
    size_t i;
    json_t *v;
    json_array_foreach(attendees, i, v)
    {
        sb_str(&b, i ? "、" : "");
        sb_quote(&b, name_of(v));
    }
    sb_str(&b, "\n");
    json_t *agenda = json_object_get(m, "agenda");
    if (json_array_size(agenda)) {
        sb_str(&b, "\n## 議題\n\n");
        json_array_foreach(agenda, i, v)
        {
            sb_fmt(&b, "%zu. ", i + 1);
            sb_quote(&b, json_string_value(v));
            sb_str(&b, "\n");
        }
    }
    json_t *mat = json_object_get(m, "materials");
    if (json_array_size(mat)) {
        sb_str(&b, "\n## 資料\n\n");
        json_array_foreach(mat, i, v)
        {
            sb_str(&b, "- [");
            sb_quote(&b, json_string_value(json_object_get(v, "title")));
            sb_fmt(&b, "](#/r/%lld/notes/%lld)\n", (long long)json_integer_value(json_object_get(v, "room_id")),
                   (long long)json_integer_value(json_object_get(v, "id")));
        }
    }
    /* Questions, each followed by its answers. */
    int any = 0;
    json_array_foreach(tagged, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "tag")), "question"))
            continue;
        if (!any++)
            sb_str(&b, "\n## 質疑\n\n");
        sb_str(&b, "- **質問**（");
        sb_quote(&b, name_of(json_object_get(v, "sender")));
        sb_str(&b, "）: ");
        sb_quote(&b, json_string_value(json_object_get(v, "text")));
        sb_str(&b, "\n");
        json_int_t qid = json_integer_value(json_object_get(v, "message_id"));
        size_t k;
        json_t *a;
        int answered = 0;
        json_array_foreach(tagged, k, a)
        {
            if (strcmp(json_string_value(json_object_get(a, "tag")), "answer") ||
                json_integer_value(json_object_get(a, "answer_to")) != qid)
                continue;
            answered = 1;
            sb_str(&b, "  - **回答**（");
            sb_quote(&b, name_of(json_object_get(a, "sender")));
            sb_str(&b, "）: ");
            sb_quote(&b, json_string_value(json_object_get(a, "text")));
            sb_str(&b, "\n");
        }
        if (!answered)
            sb_str(&b, "  - （回答なし）\n");
    }
    static const struct {
        const char *tag, *heading;
    } sections[] = {{"opinion", "意見"}, {"decision", "決定事項"}};
    for (size_t k = 0; k < 2; k++) {
        any = 0;
        json_array_foreach(tagged, i, v)
        {
            if (strcmp(json_string_value(json_object_get(v, "tag")), sections[k].tag))
                continue;
            if (!any++)
                sb_fmt(&b, "\n## %s\n\n", sections[k].heading);
            sb_str(&b, "- ");
            sb_quote(&b, json_string_value(json_object_get(v, "text")));
            sb_str(&b, "（");
            sb_quote(&b, name_of(json_object_get(v, "sender")));
            sb_str(&b, "）\n");
        }
    }
    any = 0;
    json_array_foreach(tagged, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "tag")), "action"))
            continue;
        if (!any++)
            sb_str(&b, "\n## 宿題\n\n| 内容 | 担当 | 期限 |\n|---|---|---|\n");
        sb_str(&b, "| ");
        sb_quote(&b, json_string_value(json_object_get(v, "text")));
        sb_str(&b, " | ");
        json_t *as = json_object_get(v, "assignee");
        sb_quote(&b, json_is_object(as) ? name_of(as) : "未定");
        sb_str(&b, " | ");
        const char *due = json_string_value(json_object_get(v, "due_date"));
        int y, mo, d;
        if (due && sscanf(due, "%d-%d-%d", &y, &mo, &d) == 3)
            sb_fmt(&b, "%d月%d日", mo, d);
        else
            sb_str(&b, "—");
        sb_str(&b, " |\n");
    }
    (void)s;
    return b.p;
}

static int
h_draft(struct api_req *r)
{
    char role[16];
    int64_t organiser;
    if (meeting_access(r, role, &organiser) != 0)
        return API_DONE;
    store_t *s = r->thread->store;
    json_t *m = store_meeting_json(s, r->params[1]);
    json_t *tagged = store_meeting_tagged(s, r->params[1]);
    json_t *att = store_meeting_attendees(s, r->params[1]);
    char *body = draft(s, m, tagged, att);
    char *title = xmalloc(strlen(json_string_value(json_object_get(m, "title"))) + 32);
    sprintf(title, "%s 議事録", json_string_value(json_object_get(m, "title")));
    json_t *out = json_pack("{ss ss ss sI so so}", "title", title, "body", body, "kind", "minutes", "meeting_id",
                            (json_int_t)r->params[1], "attendees", att, "tagged", tagged);
    free(title);
    free(body);
    json_decref(m);
    return api_reply(r, 200, out);
}

/* ---- tags ---- */

static const char *const tag_codes[] = {"question", "opinion", "answer", "decision", "action"};

struct tag_ctx {
    json_t *body;
    struct store_tag_in in;
    int clear;
    int64_t room_id;
};

static int
tag_run(store_t *s, struct api_req *r, void *ctx)
{
    struct tag_ctx *c = ctx;
    struct store_msg_meta meta;
    if (store_message_meta(s, c->in.message_id, &meta) != 0 || meta.deleted || meta.room_id != c->room_id)
        return STORE_ENOTFOUND;
    return c->clear ? store_tag_clear(s, c->in.message_id) : store_tag_set(s, &c->in, time_now_ms());
}

static void
tag_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct tag_ctx *c = ctx;
    if (status == 0) {
        json_t *m = store_message_json(s, c->in.message_id);
        api_publish_room(s, c->room_id,
                         json_pack("{ss sI sO}", "type", "message.updated", "room_id", (json_int_t)c->room_id, "message", m), -1);
        api_reply(r, 200, m);
    }
    json_decref(c->body);
    free(c);
}

/* Who tags a message: its author, the meeting's organiser, the room's owners. */
static int
may_tag(struct api_req *r, const char *role, const struct store_msg_meta *meta, int64_t meeting_id)
{
    if (meta->author_id == r->user.id || is_owner(r, role))
        return 1;
    int64_t organiser = 0;
    return meeting_id && store_meeting_meta(r->thread->store, meeting_id, NULL, &organiser) == 0 && organiser == r->user.id;
}

static int
tag_target(struct api_req *r, char role[16], struct store_msg_meta *meta)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return -1;
    if (store_message_meta(r->thread->store, r->params[1], meta) != 0 || meta->room_id != r->params[0] || meta->deleted) {
        api_not_found(r);
        return -1;
    }
    return 0;
}

static int
h_tag_set(struct api_req *r)
{
    char role[16];
    struct store_msg_meta meta;
    if (tag_target(r, role, &meta) != 0)
        return API_DONE;
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct tag_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->room_id = r->params[0];
    c->in.message_id = meta.id;
    c->in.room_id = r->params[0];
    c->in.set_by = r->user.id;
    store_t *s = r->thread->store;
    if (api_field_str(r, b, "tag", 16, 1, &c->in.tag) < 0 || api_field_int(r, b, "meeting_id", 0, &c->in.meeting_id) < 0 ||
        api_field_int(r, b, "answer_to", 0, &c->in.answer_to) < 0 ||
        api_field_int(r, b, "assignee_id", 0, &c->in.assignee_id) < 0 ||
        api_field_str(r, b, "due_date", 10, 0, &c->in.due_date) < 0)
        goto fail;
    int known = 0;
    for (size_t i = 0; i < sizeof(tag_codes) / sizeof(tag_codes[0]); i++)
        known |= !strcmp(c->in.tag, tag_codes[i]);
    if (!known) {
        api_invalid(r, "tag", "question、opinion、answer、decision、action のいずれかです。",
                    "must be question, opinion, answer, decision or action.");
        goto fail;
    }
    if (c->in.meeting_id) {
        int64_t room;
        if (store_meeting_meta(s, c->in.meeting_id, &room, NULL) != 0 || room != c->room_id) {
            api_invalid(r, "meeting_id", "このルームの会議ではありません。", "is not a meeting of this room.");
            goto fail;
        }
    } else {
        json_t *msg = store_message_json(s, meta.id);
        int64_t at = 0;
        time_parse(json_string_value(json_object_get(msg, "created_at")), &at);
        json_decref(msg);
        c->in.meeting_id = store_meeting_current(s, c->room_id, at);
    }
    if (!may_tag(r, role, &meta, c->in.meeting_id)) {
        api_error(r, 403, "forbidden", "タグを付けられるのは発言者、会議の主催者、ルーム管理者だけです。",
                  "Only the sender, the meeting's organiser and the room's owners tag a message.");
        goto fail;
    }
    if (!strcmp(c->in.tag, "answer")) {
        struct store_msg_meta q;
        json_t *qm = NULL;
        if (c->in.answer_to == 0 || store_message_meta(s, c->in.answer_to, &q) != 0 || q.room_id != c->room_id ||
            c->in.answer_to == meta.id) {
            api_invalid(r, "answer_to", "回答する質問のメッセージを指定してください。", "must name the question this answers.");
            goto fail;
        }
        qm = store_message_json(s, q.id);
        json_t *qt = json_object_get(qm, "tag");
        int is_q = json_is_object(qt) && !strcmp(json_string_value(json_object_get(qt, "code")), "question");
        json_decref(qm);
        if (!is_q) {
            api_invalid(r, "answer_to", "質問のタグが付いたメッセージではありません。", "is not a message tagged as a question.");
            goto fail;
        }
    } else if (c->in.answer_to) {
        api_invalid(r, "answer_to", "回答のタグにだけ指定できます。", "applies to answers only.");
        goto fail;
    }
    if (!strcmp(c->in.tag, "action")) {
        int y, m, d;
        char today[11];
        today_jst(today);
        if (c->in.assignee_id == 0 || store_member_role(s, c->room_id, c->in.assignee_id, NULL) != 0) {
            api_invalid(r, "assignee_id", "担当者をルームのメンバーから指定してください。", "must be a member of the room.");
            goto fail;
        }
        if (c->in.due_date == NULL || parse_date(c->in.due_date, &y, &m, &d) != 0) {
            api_invalid(r, "due_date", "期限を YYYY-MM-DD で指定してください。", "must be a date as YYYY-MM-DD.");
            goto fail;
        }
        if (strcmp(c->in.due_date, today) < 0) {
            api_invalid(r, "due_date", "期限が過去の日付です。", "is in the past.");
            goto fail;
        }
    } else if (c->in.assignee_id || c->in.due_date) {
        api_invalid(r, c->in.assignee_id ? "assignee_id" : "due_date", "宿題のタグにだけ指定できます。",
                    "applies to actions only.");
        goto fail;
    }
    return api_write(r, tag_run, tag_done, c);
fail:
    json_decref(b);
    free(c);
    return API_DONE;
}

static int
h_tag_clear(struct api_req *r)
{
    char role[16];
    struct store_msg_meta meta;
    if (tag_target(r, role, &meta) != 0)
        return API_DONE;
    json_t *m = store_message_json(r->thread->store, meta.id);
    json_t *t = json_object_get(m, "tag");
    int64_t meeting = json_is_object(t) ? json_integer_value(json_object_get(t, "meeting_id")) : 0;
    json_decref(m);
    if (!may_tag(r, role, &meta, meeting))
        return api_error(r, 403, "forbidden", "タグを外せるのは発言者、会議の主催者、ルーム管理者だけです。",
                         "Only the sender, the meeting's organiser and the room's owners untag a message.");
    struct tag_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->in.message_id = meta.id;
    c->clear = 1;
    return api_write(r, tag_run, tag_done, c);
}

/* ---- a thread as a record for formal approval (決裁, R15) ---- */

/* Chat is not approval: a thread — a message and the replies to it — can be taken out as a PDF
 * or Word record, with who said what and when and its tags, to attach to the approval system. */
static char *
thread_record(json_t *room, json_t *msgs, const char *by)
{
    struct sb b = {0};
    char now[32], date[64], hm[6];
    time_format_jst(api_now_ms(), now);
    sb_str(&b, "# 決裁用記録: ");
    sb_quote(&b, json_string_value(json_object_get(room, "name")));
    sb_str(&b, "\n\n- ルーム: ");
    sb_quote(&b, json_string_value(json_object_get(room, "name")));
    jdate(now, date, sizeof(date), hm);
    sb_fmt(&b, "\n- 出力: %s %s（", date, hm);
    sb_quote(&b, by);
    sb_fmt(&b, "）\n- 発言数: %zu\n\n## やり取り\n\n", json_array_size(msgs));
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m)
    {
        jdate(json_string_value(json_object_get(m, "created_at")), date, sizeof(date), hm);
        sb_str(&b, "- **");
        sb_quote(&b, name_of(json_object_get(m, "sender")));
        sb_fmt(&b, "**（%s %s）", date, hm);
        json_t *tag = json_object_get(m, "tag");
        if (json_is_object(tag)) {
            sb_str(&b, " [");
            sb_quote(&b, json_string_value(json_object_get(tag, "label")));
            sb_str(&b, "]");
        }
        sb_str(&b, ": ");
        const char *text = json_string_value(json_object_get(m, "text"));
        sb_quote(&b, text && *text ? text : json_array_size(json_object_get(m, "files")) ? "（ファイル）" : "（スタンプ）");
        json_t *f;
        size_t k;
        json_array_foreach(json_object_get(m, "files"), k, f)
        {
            sb_str(&b, "\n  - 添付: ");
            sb_quote(&b, json_string_value(json_object_get(f, "name")));
        }
        sb_str(&b, "\n");
    }
    sb_str(&b, "\n---\n\nこの記録はチャットのやり取りの写しです。決定には所定の決裁が必要です。\n");
    return b.p;
}

struct record_ctx {
    char *title, *body, *by;
    int docx;
};

static void
record_job(struct api_req *r, void *ctx)
{
    struct record_ctx *c = ctx;
    char dir[1200], tmp[1300];
    snprintf(dir, sizeof(dir), "%s/render", api_config()->data);
    snprintf(tmp, sizeof(tmp), "%s/record-%d-XXXXXX", dir, (int)gettid());
    int fd = -1;
    if ((mkdir(dir, 0750) == 0 || errno == EEXIST) && (fd = mkstemp(tmp)) >= 0)
        close(fd);
    int rc = fd < 0 ? -1 : c->docx ? render_docx(tmp, c->title, c->body, c->by) : render_pdf(tmp, c->title, c->body, c->title);
    /* The record is made for this request and not kept: read it back and answer with it. */
    FILE *f = rc == 0 ? fopen(tmp, "rb") : NULL;
    char *data = NULL;
    size_t len = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = xmalloc(n > 0 ? (size_t)n : 1);
        len = n > 0 ? fread(data, 1, (size_t)n, f) : 0;
        fclose(f);
    }
    if (fd >= 0)
        unlink(tmp);
    if (data && len > 0) {
        char name[600];
        snprintf(name, sizeof(name), "%s.%s", c->title, c->docx ? "docx" : "pdf");
        r->status = 200;
        r->file.data = data;
        r->file.data_len = len;
        r->file.type =
            xstrdup(c->docx ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document" : "application/pdf");
        r->file.disposition = api_content_disposition(name, 0);
    } else {
        free(data);
        log_error("records.render", "error=\"%s\"", strerror(errno));
        api_error(r, 500, "internal", "記録を作成できませんでした。", "The record could not be made.");
    }
    free(c->title);
    free(c->body);
    free(c->by);
    free(c);
    api_finish(r);
}

static int
h_record(struct api_req *r)
{
    char role[16], format[8] = "pdf";
    struct store_msg_meta meta;
    if (tag_target(r, role, &meta) != 0)
        return API_DONE;
    api_query(r, "format", format, sizeof(format));
    if (strcmp(format, "pdf") && strcmp(format, "docx"))
        return api_invalid(r, "format", "pdf か docx です。", "must be pdf or docx.");
    struct api_zone zone;
    if (api_zone_of(r, &zone) && !zone.download)
        return api_error(r, 403, "download_forbidden", "このネットワークからはファイルをダウンロードできません。",
                         "Files cannot be downloaded from this network.");
    store_t *s = r->thread->store;
    json_t *room = store_room_public_json(s, r->params[0]);
    json_t *msgs = store_message_thread(s, r->params[0], meta.id, 500);
    json_t *me = store_user_json(s, r->user.id);
    struct record_ctx *c = xcalloc(1, sizeof(*c));
    c->docx = !strcmp(format, "docx");
    c->by = xstrdup(name_of(me));
    c->body = thread_record(room, msgs, c->by);
    const char *rn = json_string_value(json_object_get(room, "name"));
    c->title = xmalloc(strlen(rn ? rn : "") + 64);
    sprintf(c->title, "決裁用記録 %s", rn ? rn : "");
    json_decref(room);
    json_decref(msgs);
    json_decref(me);
    return api_job(r, record_job, c);
}

const struct api_op api_meetings_ops[] = {
    {API_GET, "/api/v1/rooms/{}/messages/{}/record", 0, h_record},
    {API_GET, "/api/v1/rooms/{}/meetings", 0, h_list},
    {API_POST, "/api/v1/rooms/{}/meetings", 0, h_create},
    {API_GET, "/api/v1/rooms/{}/meetings/{}", 0, h_get},
    {API_PATCH, "/api/v1/rooms/{}/meetings/{}", 0, h_update},
    {API_POST, "/api/v1/rooms/{}/meetings/{}/minutes-draft", 0, h_draft},
    {API_PUT, "/api/v1/rooms/{}/messages/{}/tag", 0, h_tag_set},
    {API_DELETE, "/api/v1/rooms/{}/messages/{}/tag", 0, h_tag_clear},
    {0, NULL, 0, NULL},
};
