/*
 * The audit log's API: appending from handlers, searching (administrators) and reports of
 * abuse (R13) and screenshots (R18).
 *
 * Every administrator action, login, password change, lock, message deletion and report is
 * appended in the same transaction as the action itself, so the log can never miss an action
 * that happened nor record one that did not.
 */
#include "api/internal.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

int
api_audit(store_t *s, const struct api_req *r, const char *action, const char *target_type, int64_t target_id, int64_t room_id,
          json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    struct store_audit a = {.actor_id = r ? r->user.id : 0,
                            .action = action,
                            .target_type = target_type,
                            .target_id = target_id,
                            .room_id = room_id,
                            .detail = d,
                            .address = r ? r->client : NULL};
    int rc = store_audit_append(s, &a, time_now_ms());
    free(d);
    return rc;
}

struct detached {
    char action[64], address[64];
    int64_t actor;
    json_t *detail;
};

static int
detached_run(store_t *s, struct api_req *r, void *ctx)
{
    struct detached *d = ctx;
    char *text = d->detail ? json_dumps(d->detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct store_audit a = {.actor_id = d->actor, .action = d->action, .detail = text, .address = d->address};
    int rc = store_audit_append(s, &a, time_now_ms());
    free(text);
    return rc;
}

static void
detached_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct detached *d = ctx;
    json_decref(d->detail);
    free(d);
}

void
api_audit_detached(const char *action, int64_t actor, const char *address, json_t *detail)
{
    struct detached *d = xcalloc(1, sizeof(*d));
    snprintf(d->action, sizeof(d->action), "%s", action);
    snprintf(d->address, sizeof(d->address), "%s", address ? address : "");
    d->actor = actor;
    d->detail = detail;
    api_write_detached(detached_run, detached_done, d);
}

int
api_audit_answer(struct api_req *r, const char *action, int64_t actor, const char *address, json_t *detail)
{
    struct detached *d = xcalloc(1, sizeof(*d));
    snprintf(d->action, sizeof(d->action), "%s", action);
    snprintf(d->address, sizeof(d->address), "%s", address ? address : "");
    d->actor = actor;
    d->detail = detail;
    return api_write(r, detached_run, detached_done, d);
}

/* GET /api/v1/admin/audit?action=&actor_id=&target_id=&from=&to=&before=&limit= */
static int
h_audit(struct api_req *r)
{
    char action[64] = "", from[40], to[40];
    int64_t actor = 0, target = 0, before = 0, limit = KR_PAGE_DEFAULT, from_ms = 0, to_ms = INT64_MAX;
    if (api_query(r, "action", action, sizeof(action)) == -2 || api_query_int(r, "actor_id", 1, INT64_MAX, &actor) == -2 ||
        api_query_int(r, "target_id", 1, INT64_MAX, &target) == -2 || api_query_int(r, "before", 1, INT64_MAX, &before) == -2 ||
        api_query_int(r, "limit", 1, KR_PAGE_MAX, &limit) == -2)
        return r->reply ? API_DONE : api_invalid(r, "action", "長すぎます。", "is too long.");
    if (api_query(r, "from", from, sizeof(from)) >= 0 && time_parse(from, &from_ms) != 0)
        return api_invalid(r, "from", "RFC 3339 の日時で指定してください。", "must be an RFC 3339 date-time.");
    if (api_query(r, "to", to, sizeof(to)) >= 0 && time_parse(to, &to_ms) != 0)
        return api_invalid(r, "to", "RFC 3339 の日時で指定してください。", "must be an RFC 3339 date-time.");
    int has_more = 0;
    json_t *e = store_audit_search(r->thread->store, action, actor, target, from_ms, to_ms, before, (int)limit, &has_more);
    return api_reply(r, 200, json_pack("{so sb}", "entries", e, "has_more", has_more));
}

/* ---- reports ---- */

struct report_ctx {
    char kind[16];
    int64_t reporter, room_id, message_id, id;
    char *reason;
    json_t *snapshot;
};

static int
report_run(store_t *s, struct api_req *r, void *ctx)
{
    struct report_ctx *c = ctx;
    char *snap = json_dumps(c->snapshot, JSON_COMPACT);
    int rc = store_report_create(s, c->kind, c->reporter, c->room_id, c->message_id, c->reason, snap, time_now_ms(), &c->id);
    free(snap);
    if (rc == 0)
        rc = api_audit(s, r, !strcmp(c->kind, "abuse") ? "report.abuse" : "report.screenshot", "report", c->id, c->room_id,
                       c->message_id ? json_pack("{sI}", "message_id", (json_int_t)c->message_id) : NULL);
    return rc;
}

static void
report_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct report_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 201, json_pack("{sI ss}", "id", (json_int_t)c->id, "status", "open"));
    free(c->reason);
    json_decref(c->snapshot);
    free(c);
}

/*
 * POST /api/v1/rooms/{id}/messages/{mid}/report {"reason"} — any member reports a message
 * (R13). The snapshot keeps the message and the five before and after it as the reporter saw
 * them, so the administrator judges what was said even if it is later deleted.
 */
static int
h_report_message(struct api_req *r)
{
    struct store_room_info info;
    struct store_msg_meta meta;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    if (store_message_meta(r->thread->store, r->params[1], &meta) != 0 || meta.room_id != r->params[0] || meta.deleted)
        return api_not_found(r);
    json_t *b = api_body_object(r);
    const char *reason = "";
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "reason", 1000, 0, &reason) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct report_ctx *c = xcalloc(1, sizeof(*c));
    snprintf(c->kind, sizeof(c->kind), "abuse");
    c->reporter = r->user.id;
    c->room_id = r->params[0];
    c->message_id = meta.id;
    c->reason = xstrdup(reason);
    json_decref(b);
    int more;
    json_t *before = store_messages_page(r->thread->store, meta.room_id, -1, meta.seq, 5, &more);
    json_t *after = store_messages_page(r->thread->store, meta.room_id, meta.seq, -1, 5, &more);
    c->snapshot =
        json_pack("{so so so}", "message", store_message_json(r->thread->store, meta.id), "before", before, "after", after);
    return api_write(r, report_run, report_done, c);
}

/* POST /api/v1/reports/screenshot {"room_id"?, "source"?} — a client saw a screenshot (R18). */
static int
h_report_screenshot(struct api_req *r)
{
    json_t *b = api_body_object(r);
    int64_t room = 0;
    const char *source = "";
    if (b == NULL)
        return API_DONE;
    if (api_field_int(r, b, "room_id", 0, &room) < 0 || api_field_str(r, b, "source", 40, 0, &source) < 0) {
        json_decref(b);
        return API_DONE;
    }
    if (room && store_member_role(r->thread->store, room, r->user.id, NULL) != 0)
        room = 0; /* only rooms the reporter is in are recorded */
    struct report_ctx *c = xcalloc(1, sizeof(*c));
    snprintf(c->kind, sizeof(c->kind), "screenshot");
    c->reporter = r->user.id;
    c->room_id = room;
    c->reason = xstrdup(source);
    c->snapshot = json_object();
    json_object_set_new(c->snapshot, "user_agent",
                        json_stringn(r->user_agent ? r->user_agent : "", r->user_agent_len < 200 ? r->user_agent_len : 200));
    json_decref(b);
    return api_write(r, report_run, report_done, c);
}

static int
h_reports(struct api_req *r)
{
    char kind[16] = "abuse", status[16];
    int have_status = api_query(r, "status", status, sizeof(status)) >= 0;
    api_query(r, "kind", kind, sizeof(kind));
    if (strcmp(kind, "abuse") && strcmp(kind, "screenshot"))
        return api_invalid(r, "kind", "abuse か screenshot です。", "must be abuse or screenshot.");
    return api_reply(r, 200,
                     json_pack("{so}", "reports", store_reports_json(r->thread->store, kind, have_status ? status : NULL, 200)));
}

struct resolve_ctx {
    int64_t id;
    char status[16];
    char *resolution;
};

static int
resolve_run(store_t *s, struct api_req *r, void *ctx)
{
    struct resolve_ctx *c = ctx;
    int rc = store_report_resolve(s, c->id, r->user.id, c->status, c->resolution, time_now_ms());
    if (rc == 0)
        rc = api_audit(s, r, "report.resolve", "report", c->id, 0, json_pack("{ss}", "status", c->status));
    return rc;
}

static void
resolve_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct resolve_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 204, NULL);
    free(c->resolution);
    free(c);
}

/* PATCH /api/v1/admin/reports/{id} {"status":"resolved"|"dismissed"|"open","resolution"} */
static int
h_report_resolve(struct api_req *r)
{
    json_t *b = api_body_object(r);
    const char *status = NULL, *resolution = "";
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "status", 16, 1, &status) < 0 || api_field_str(r, b, "resolution", 2000, 0, &resolution) < 0) {
        json_decref(b);
        return API_DONE;
    }
    if (strcmp(status, "resolved") && strcmp(status, "dismissed") && strcmp(status, "open")) {
        json_decref(b);
        return api_invalid(r, "status", "resolved, dismissed, open のいずれかです。", "must be resolved, dismissed or open.");
    }
    struct resolve_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    snprintf(c->status, sizeof(c->status), "%s", status);
    c->resolution = xstrdup(resolution);
    json_decref(b);
    return api_write(r, resolve_run, resolve_done, c);
}

const struct api_op api_audit_ops[] = {
    {API_GET, "/api/v1/admin/audit", API_ADMIN, h_audit},
    {API_GET, "/api/v1/admin/reports", API_ADMIN, h_reports},
    {API_PATCH, "/api/v1/admin/reports/{}", API_ADMIN, h_report_resolve},
    {API_POST, "/api/v1/rooms/{}/messages/{}/report", 0, h_report_message},
    {API_POST, "/api/v1/reports/screenshot", 0, h_report_screenshot},
    {0, NULL, 0, NULL},
};
