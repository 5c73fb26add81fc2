/*
 * Rooms: creation (group, direct, department, announcement), the room list, details,
 * members, leaving and archiving.
 *
 * Every room-scoped endpoint starts with api_room_access, which answers 404 to non-members:
 * a room's existence is not revealed to people outside it.
 */
#include "api/internal.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
api_room_access(struct api_req *r, int64_t room_id, struct store_room_info *info, char role[16])
{
    char myrole[16];
    if (store_member_role(r->thread->store, room_id, r->user.id, role ? role : myrole) != 0 ||
        store_room_info(r->thread->store, room_id, info) != 0) {
        api_not_found(r);
        return -1;
    }
    return 0;
}

/*
 * Who manages a room: its owners, system administrators, and the department administrators
 * of the department the room belongs to (or one above it). The one place rooms.c decides it.
 */
static int
can_manage(struct api_req *r, const struct store_room_info *info, const char *role)
{
    if (!strcmp(role, "owner") || r->user.is_admin)
        return 1;
    return r->user.dept_admin && info->department_id &&
           store_department_within(r->thread->store, info->department_id, r->user.department_id);
}

static void
publish_room_event(store_t *s, const char *type, int64_t room_id, const int64_t *users, size_t n)
{
    json_t *room = store_room_public_json(s, room_id);
    json_t *ev = json_pack("{ss sI so}", "type", type, "room_id", (json_int_t)room_id, "room", room ? room : json_null());
    if (users)
        api_publish(ev, users, n, -1);
    else
        api_publish_room(s, room_id, ev, -1);
}

static int
h_rooms(struct api_req *r)
{
    char a[8];
    int archived = 0;
    int n = api_query(r, "archived", a, sizeof(a));
    if (n >= 0) {
        if (!strcmp(a, "1") || !strcmp(a, "true"))
            archived = 1;
        else if (!strcmp(a, "all"))
            archived = -1;
        else if (strcmp(a, "0") && strcmp(a, "false"))
            return api_invalid(r, "archived", "0, 1, all のいずれかです。", "must be 0, 1 or all.");
    } else if (n == -2) {
        return api_invalid(r, "archived", "0, 1, all のいずれかです。", "must be 0, 1 or all.");
    }
    json_t *rooms = store_rooms_for_user(r->thread->store, r->user.id, archived);
    size_t i;
    json_t *room;
    json_array_foreach(rooms, i, room) api_user_decorate(json_object_get(room, "partner"));
    return api_reply(r, 200, json_pack("{so}", "rooms", rooms));
}

static int
h_room(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    json_t *room = store_room_json(r->thread->store, r->params[0], r->user.id);
    api_user_decorate(json_object_get(room, "partner"));
    return api_reply(r, 200, room);
}

struct create_ctx {
    json_t *body;
    const char *name, *topic, *kind;
    int64_t department_id, creator, id, other;
    int64_t *members;
    size_t n;
    int existed;
    char direct_key[64];
};

static void
create_free(struct create_ctx *c)
{
    json_decref(c->body);
    free(c->members);
    free(c);
}

static int
create_run(store_t *s, struct api_req *r, void *ctx)
{
    struct create_ctx *c = ctx;
    if (c->direct_key[0]) {
        if (store_room_by_direct_key(s, c->direct_key, &c->id) == 0) {
            c->existed = 1;
            return 0;
        }
    }
    if (c->department_id && !store_department_exists(s, c->department_id))
        return STORE_EINVAL;
    return store_room_create(s, c->kind, c->name, c->topic, c->department_id, c->direct_key[0] ? c->direct_key : NULL, c->creator,
                             c->members, c->n, time_now_ms(), &c->id);
}

static void
create_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct create_ctx *c = ctx;
    if (status == 0) {
        if (!c->existed)
            publish_room_event(s, "room.created", c->id, NULL, 0);
        json_t *room = store_room_json(s, c->id, c->creator);
        api_user_decorate(json_object_get(room, "partner"));
        api_reply(r, c->existed ? 200 : 201, room);
    }
    create_free(c);
}

static int
h_room_create(struct api_req *r)
{
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct create_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->kind = "group";
    c->creator = r->user.id;
    c->topic = "";
    if (api_field_str(r, b, "name", KR_MAX_ROOM_NAME, 1, &c->name) < 0 ||
        api_field_str(r, b, "topic", KR_MAX_ROOM_TOPIC, 0, &c->topic) < 0 || api_field_str(r, b, "kind", 16, 0, &c->kind) < 0 ||
        api_field_int(r, b, "department_id", 0, &c->department_id) < 0 ||
        api_field_ids(r, b, "member_ids", KR_MAX_ROOM_MEMBERS, &c->members, &c->n) < 0)
        goto fail;
    if (c->name[0] == '\0') {
        api_invalid(r, "name", "必須です。", "is required.");
        goto fail;
    }
    if (strcmp(c->kind, "group") && strcmp(c->kind, "announcement") && strcmp(c->kind, "department")) {
        api_invalid(r, "kind", "group, announcement, department のいずれかです。", "must be group, announcement or department.");
        goto fail;
    }
    /* Department and announcement rooms belong to system administrators, or to department
     * administrators for their own department. */
    if (strcmp(c->kind, "group") && !r->user.is_admin &&
        !(r->user.dept_admin && c->department_id &&
          store_department_within(r->thread->store, c->department_id, r->user.department_id))) {
        api_forbidden(r);
        goto fail;
    }
    if (!strcmp(c->kind, "department") && c->department_id == 0) {
        api_invalid(r, "department_id", "所属ルームには必須です。", "is required for a department room.");
        goto fail;
    }
    return api_write(r, create_run, create_done, c);
fail:
    create_free(c);
    return API_DONE;
}

static int
h_room_direct(struct api_req *r)
{
    json_t *b = api_body_object(r);
    int64_t other = 0;
    if (b == NULL)
        return API_DONE;
    if (api_field_int(r, b, "user_id", 1, &other) < 0) {
        json_decref(b);
        return API_DONE;
    }
    json_t *u = store_user_json(r->thread->store, other);
    int ok = u && other != r->user.id && !json_is_true(json_object_get(u, "disabled"));
    json_decref(u);
    if (!ok) {
        json_decref(b);
        return api_invalid(r, "user_id", "相手が見つかりません。", "no such colleague.");
    }
    struct create_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    c->kind = "direct";
    c->name = "";
    c->topic = "";
    c->creator = r->user.id;
    c->members = xmalloc(sizeof(int64_t));
    c->members[0] = other;
    c->n = 1;
    int64_t lo = other < r->user.id ? other : r->user.id, hi = other < r->user.id ? r->user.id : other;
    snprintf(c->direct_key, sizeof(c->direct_key), "%lld:%lld", (long long)lo, (long long)hi);
    return api_write(r, create_run, create_done, c);
}

struct upd_ctx {
    int64_t room_id;
    json_t *fields;
};

static int
upd_run(store_t *s, struct api_req *r, void *ctx)
{
    struct upd_ctx *c = ctx;
    return store_room_update(s, c->room_id, c->fields, time_now_ms());
}

static void
upd_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct upd_ctx *c = ctx;
    if (status == 0) {
        publish_room_event(s, "room.updated", c->room_id, NULL, 0);
        api_reply(r, 200, store_room_json(s, c->room_id, r->user.id));
    }
    json_decref(c->fields);
    free(c);
}

static int
h_room_patch(struct api_req *r)
{
    struct store_room_info info;
    char role[16];
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return API_DONE;
    if (!can_manage(r, &info, role) && strcmp(info.kind, "direct"))
        return api_forbidden(r);
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    json_t *fields = json_object();
    const char *v;
    int a, rc;
    if ((rc = api_field_str(r, b, "name", KR_MAX_ROOM_NAME, 0, &v)) < 0)
        goto fail;
    if (rc == 1) {
        if (v[0] == '\0' || !strcmp(info.kind, "direct")) {
            api_invalid(r, "name", "空にはできません。", "cannot be empty.");
            goto fail;
        }
        json_object_set_new(fields, "name", json_string(v));
    }
    if ((rc = api_field_str(r, b, "topic", KR_MAX_ROOM_TOPIC, 0, &v)) < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(fields, "topic", json_string(v));
    if ((rc = api_field_bool(r, b, "archived", &a)) < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(fields, "archived", json_boolean(a));
    json_decref(b);
    struct upd_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->fields = fields;
    return api_write(r, upd_run, upd_done, c);
fail:
    json_decref(b);
    json_decref(fields);
    return API_DONE;
}

static int
h_members(struct api_req *r)
{
    struct store_room_info info;
    if (api_room_access(r, r->params[0], &info, NULL) != 0)
        return API_DONE;
    json_t *m = store_room_members_json(r->thread->store, r->params[0]);
    api_users_decorate(m);
    return api_reply(r, 200, json_pack("{so}", "members", m));
}

struct mem_ctx {
    int64_t room_id, user_id;
    int64_t *ids, *added;
    size_t n, nadded;
};

static int
add_run(store_t *s, struct api_req *r, void *ctx)
{
    struct mem_ctx *c = ctx;
    return store_room_add_members(s, c->room_id, c->ids, c->n, time_now_ms(), &c->added, &c->nadded);
}

static void
add_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct mem_ctx *c = ctx;
    if (status == STORE_EINVAL)
        api_invalid(r, "user_ids", "存在しない職員が含まれています。", "contains an unknown user.");
    if (status == 0) {
        for (size_t i = 0; i < c->nadded; i++)
            api_publish_room(s, c->room_id,
                             json_pack("{ss sI sI}", "type", "room.member_added", "room_id", (json_int_t)c->room_id, "user_id",
                                       (json_int_t)c->added[i]),
                             -1);
        if (c->nadded)
            publish_room_event(s, "room.created", c->room_id, c->added, c->nadded);
        json_t *m = store_room_members_json(s, c->room_id);
        api_users_decorate(m);
        api_reply(r, 200, json_pack("{so}", "members", m));
    }
    free(c->ids);
    free(c->added);
    free(c);
}

static int
h_members_add(struct api_req *r)
{
    struct store_room_info info;
    char role[16];
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return API_DONE;
    if (!strcmp(info.kind, "direct") || !strcmp(info.kind, "department"))
        return api_error(r, 409, "conflict", "このルームのメンバーは変更できません。", "This room's members cannot be changed.");
    if (!strcmp(info.kind, "announcement") && !can_manage(r, &info, role))
        return api_forbidden(r);
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct mem_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    int rc = api_field_ids(r, b, "user_ids", KR_MAX_ROOM_MEMBERS, &c->ids, &c->n);
    json_decref(b);
    if (rc <= 0) {
        if (rc == 0)
            api_invalid(r, "user_ids", "必須です。", "is required.");
        free(c);
        return API_DONE;
    }
    return api_write(r, add_run, add_done, c);
}

static int
remove_run(store_t *s, struct api_req *r, void *ctx)
{
    struct mem_ctx *c = ctx;
    return store_room_remove_member(s, c->room_id, c->user_id);
}

static void
remove_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct mem_ctx *c = ctx;
    if (status == 0) {
        json_t *ev = json_pack("{ss sI sI}", "type", "room.member_removed", "room_id", (json_int_t)c->room_id, "user_id",
                               (json_int_t)c->user_id);
        json_incref(ev);
        api_publish_room(s, c->room_id, ev, -1);
        api_publish(ev, &c->user_id, 1, -1);
        api_reply(r, 204, NULL);
    }
    free(c);
}

static int
h_member_remove(struct api_req *r)
{
    struct store_room_info info;
    char role[16];
    if (api_room_access(r, r->params[0], &info, role) != 0)
        return API_DONE;
    int64_t target = r->params[1];
    if (!strcmp(info.kind, "direct") || !strcmp(info.kind, "department"))
        return api_error(r, 409, "conflict", "このルームは退室できません。", "You cannot leave this room.");
    if (target != r->user.id && !can_manage(r, &info, role))
        return api_forbidden(r);
    struct mem_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->user_id = target;
    return api_write(r, remove_run, remove_done, c);
}

const struct api_op api_rooms_ops[] = {
    {API_GET, "/api/v1/rooms", 0, h_rooms},
    {API_POST, "/api/v1/rooms", 0, h_room_create},
    {API_POST, "/api/v1/rooms/direct", 0, h_room_direct},
    {API_GET, "/api/v1/rooms/{}", 0, h_room},
    {API_PATCH, "/api/v1/rooms/{}", 0, h_room_patch},
    {API_GET, "/api/v1/rooms/{}/members", 0, h_members},
    {API_POST, "/api/v1/rooms/{}/members", 0, h_members_add},
    {API_DELETE, "/api/v1/rooms/{}/members/{}", 0, h_member_remove},
    {0, NULL, 0, NULL},
};
