/*
 * The staff directory, departments, stamps and presence, and the administrators' user
 * management endpoints.
 *
 * Directory search folds kana and width (util/kana.c) on both sides, so すずき, スズキ and
 * ｽｽﾞｷ find the same person, and an extension number finds its owner.
 */
#include "api/internal.h"
#include "hub/presence.h"
#include "policy/password.h"
#include "util/kana.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The business stamp set that ships with Kairan; the images are web/stamps/{id}.svg. */
static const struct {
    const char *id, *label;
} stamps[] = {
    {"ryokai", "了解しました"},
    {"arigato", "ありがとうございます"},
    {"otsukare", "お疲れさまです"},
    {"kakunin", "確認します"},
    {"shochi", "承知しました"},
    {"yoroshiku", "よろしくお願いします"},
    {"ok", "OK"},
    {"iine", "いいね"},
    {"taiouchu", "対応中"},
    {"kanryo", "完了しました"},
    {"onegai", "お願いします"},
    {"sumimasen", "すみません"},
};

int
api_stamp_known(const char *id)
{
    for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++)
        if (strcmp(stamps[i].id, id) == 0)
            return 1;
    return 0;
}

void
api_user_decorate(json_t *u)
{
    if (u == NULL)
        return;
    json_t *absent = json_object_get(u, "absent");
    int64_t until;
    const char *status = presence_name(presence_get(json_integer_value(json_object_get(u, "id"))));
    if (json_is_object(absent) && time_parse(json_string_value(json_object_get(absent, "until")), &until) == 0 &&
        until > time_now_ms())
        status = "absent";
    json_object_set_new(u, "presence", json_string(status));
}

void
api_users_decorate(json_t *users)
{
    size_t i;
    json_t *u;
    json_array_foreach(users, i, u) api_user_decorate(u);
}

static int
h_users(struct api_req *r)
{
    char q[512] = "";
    int64_t dept = 0, limit = KR_PAGE_DEFAULT, offset = 0;
    int n = api_query(r, "q", q, sizeof(q));
    if (n == -2 || (n >= 0 && memchr(q, '\0', (size_t)n) != NULL))
        return api_invalid(r, "q", "検索語が長すぎるか、正しくありません。", "is too long or malformed.");
    if (api_query_int(r, "department_id", 1, INT64_MAX, &dept) == -2 || api_query_int(r, "limit", 1, KR_PAGE_MAX, &limit) == -2 ||
        api_query_int(r, "offset", 0, 1000000, &offset) == -2)
        return API_DONE;
    char *folded = NULL;
    if (kana_fold(q, strlen(q), &folded) != 0)
        folded = xstrdup(q);
    int has_more = 0;
    json_t *users = api_directory_search(r->thread->store, folded, dept, (int)limit, (int)offset, &has_more);
    free(folded);
    api_users_decorate(users);
    return api_reply(r, 200, json_pack("{so sb}", "users", users, "has_more", has_more));
}

static int
h_user(struct api_req *r)
{
    json_t *u = store_user_json(r->thread->store, r->params[0]);
    if (u == NULL)
        return api_not_found(r);
    api_user_decorate(u);
    return api_reply(r, 200, u);
}

static int
h_departments(struct api_req *r)
{
    return api_reply(r, 200, json_pack("{so}", "departments", store_departments_json(r->thread->store)));
}

static int
h_stamps(struct api_req *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++)
        json_array_append_new(arr, json_pack("{ss ss}", "id", stamps[i].id, "label", stamps[i].label));
    return api_reply(r, 200, json_pack("{so}", "stamps", arr));
}

static int
h_presence(struct api_req *r)
{
    char ids[2048];
    int n = api_query(r, "user_ids", ids, sizeof(ids));
    if (n < 0)
        return api_invalid(r, "user_ids", "カンマ区切りの ID で指定してください。", "must be comma-separated ids.");
    json_t *out = json_object();
    int count = 0;
    for (char *p = ids, *e; *p && count < 500; p = *e ? e + 1 : e, count++) {
        long long id = strtoll(p, &e, 10);
        if (e == p || (*e != ',' && *e != '\0') || id <= 0) {
            json_decref(out);
            return api_invalid(r, "user_ids", "カンマ区切りの ID で指定してください。", "must be comma-separated ids.");
        }
        json_t *u = store_user_json(r->thread->store, id);
        if (u == NULL)
            continue;
        api_user_decorate(u);
        char key[24];
        snprintf(key, sizeof(key), "%lld", id);
        json_object_set(out, key, json_object_get(u, "presence"));
        json_decref(u);
    }
    return api_reply(r, 200, json_pack("{so}", "presence", out));
}

/* ---- administrators ---- */

int
api_login_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > KR_MAX_LOGIN)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr("._-@", *s)))
            return 0;
    return 1;
}

int
api_employment_ok(const char *e)
{
    return !strcmp(e, "") || !strcmp(e, "正規") || !strcmp(e, "再任用") || !strcmp(e, "会計年度任用");
}

struct create_ctx {
    json_t *body; /* owned; strings in `in` point into it */
    struct store_user_in in;
    char *password;
    char hash[128];
    int64_t id;
};

static void
create_free(struct create_ctx *c)
{
    if (c->password) {
        sodium_memzero(c->password, strlen(c->password));
        free(c->password);
    }
    json_decref(c->body);
    free(c);
}

static int
create_run(store_t *s, struct api_req *r, void *ctx)
{
    struct create_ctx *c = ctx;
    if (c->in.department_id && !store_department_exists(s, c->in.department_id))
        return STORE_EINVAL;
    int rc = store_user_create(s, &c->in, time_now_ms(), &c->id);
    if (rc == 0)
        rc = api_audit(s, r, "user.create", "user", c->id, 0,
                       json_pack("{ss sb}", "login", c->in.login, "is_admin", c->in.is_admin));
    if (rc == 0 && c->in.department_id) {
        int64_t *j = NULL, *l = NULL;
        size_t nj, nl;
        rc = store_sync_department_rooms(s, c->id, time_now_ms(), &j, &nj, &l, &nl);
        free(j);
        free(l);
    }
    return rc;
}

static void
create_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct create_ctx *c = ctx;
    if (status == STORE_ECONFLICT)
        api_error(r, 409, "conflict", "この職員番号は既に使われています。", "This login is already taken.");
    if (status == 0) {
        json_t *u = store_user_json(s, c->id);
        api_user_decorate(u);
        api_reply(r, 201, u);
        log_info("admin.user_created", "by=%lld user=%lld", (long long)r->user.id, (long long)c->id);
    }
    create_free(c);
}

static void
create_job(struct api_req *r, void *ctx)
{
    struct create_ctx *c = ctx;
    if (api_password_hash(c->password, c->hash) != 0) {
        api_error(r, 500, "internal", "サーバーでエラーが発生しました。", "The server failed.");
        create_free(c);
        api_finish(r);
        return;
    }
    c->in.password_hash = c->hash;
    api_write(r, create_run, create_done, c);
}

static int
h_admin_user_create(struct api_req *r)
{
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct create_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    const char *password = NULL;
    int64_t dept = 0;
    if (api_field_str(r, b, "login", KR_MAX_LOGIN, 1, &c->in.login) < 0 ||
        api_field_str(r, b, "name", KR_MAX_NAME, 1, &c->in.name) < 0 || api_field_str(r, b, "password", 1024, 0, &password) < 0 ||
        api_field_str(r, b, "kana", KR_MAX_NAME, 0, &c->in.kana) < 0 || api_field_str(r, b, "kind", 16, 0, &c->in.kind) < 0 ||
        api_field_str(r, b, "employment", 16, 0, &c->in.employment) < 0 ||
        api_field_str(r, b, "title", KR_MAX_PROFILE_FIELD, 0, &c->in.title) < 0 ||
        api_field_str(r, b, "extension", KR_MAX_PROFILE_FIELD, 0, &c->in.extension) < 0 ||
        api_field_str(r, b, "work_phone", KR_MAX_PROFILE_FIELD, 0, &c->in.work_phone) < 0 ||
        api_field_int(r, b, "department_id", 0, &dept) < 0 || api_field_bool(r, b, "is_admin", &c->in.is_admin) < 0 ||
        api_field_bool(r, b, "must_change_password", &c->in.must_change_password) < 0)
        goto fail;
    c->in.department_id = dept;
    if (!api_login_ok(c->in.login)) {
        api_invalid(r, "login", "英数字と . _ - @ の 64 文字以内です。", "must be 1-64 letters, digits or . _ - @.");
        goto fail;
    }
    if (c->in.name[0] == '\0') {
        api_invalid(r, "name", "必須です。", "is required.");
        goto fail;
    }
    if (c->in.kind && strcmp(c->in.kind, "staff") && strcmp(c->in.kind, "department")) {
        api_invalid(r, "kind", "staff か department です。", "must be staff or department.");
        goto fail;
    }
    if (c->in.employment && !api_employment_ok(c->in.employment)) {
        api_invalid(r, "employment", "正規・再任用・会計年度任用のいずれかです。", "must be 正規, 再任用 or 会計年度任用.");
        goto fail;
    }
    if (password == NULL) {
        /* Without a password the account exists in the directory but cannot log in yet. */
        json_decref(b);
        c->body = NULL;
        api_invalid(r, "password", "必須です。", "is required.");
        goto fail;
    }
    struct policy_password_rules rules = api_password_rules();
    enum policy_password_reason why = policy_password_check(c->in.login, password, &rules);
    if (why != POLICY_PASSWORD_OK) {
        api_invalid(r, "password", policy_password_reason_ja(why), policy_password_reason_en(why));
        goto fail;
    }
    c->password = xstrdup(password);
    return api_job(r, create_job, c);
fail:
    create_free(c);
    return API_DONE;
}

struct upd_ctx {
    int64_t id;
    json_t *fields;
    int lock; /* -1 unchanged, 0 unlock, 1 lock */
    int64_t *revoked;
    size_t nrevoked;
    int dept_changed;
    int64_t *joined, *left;
    size_t nj, nl;
};

static int
upd_run(store_t *s, struct api_req *r, void *ctx)
{
    struct upd_ctx *c = ctx;
    int64_t now = time_now_ms();
    int rc = 0;
    json_t *d = json_object_get(c->fields, "department_id");
    if (d && json_integer_value(d) && !store_department_exists(s, json_integer_value(d)))
        return STORE_EINVAL;
    if (json_object_size(c->fields) > 0)
        rc = store_user_update(s, c->id, c->fields, now);
    if (rc == 0 && c->lock >= 0) {
        rc = store_user_set_lock(s, c->id, c->lock, now);
        if (rc == 0 && c->lock)
            rc = store_sessions_revoke_user(s, c->id, 0, now, &c->revoked, &c->nrevoked);
    }
    if (rc == 0 && json_is_true(json_object_get(c->fields, "disabled")))
        rc = store_sessions_revoke_user(s, c->id, 0, now, &c->revoked, &c->nrevoked);
    if (rc == 0 && r != NULL) {
        const char *action = c->lock == 1 ? "user.lock" : c->lock == 0 ? "user.unlock" : "user.update";
        json_t *keys = json_array();
        const char *k;
        json_t *v;
        json_object_foreach(c->fields, k, v) json_array_append_new(keys, json_string(k));
        /* Role changes are worth finding on their own. */
        if (json_object_get(c->fields, "is_admin") || json_object_get(c->fields, "dept_admin") ||
            json_object_get(c->fields, "disclosure_officer"))
            rc = api_audit(s, r, "user.role", "user", c->id, 0, json_deep_copy(c->fields));
        if (rc == 0)
            rc = api_audit(s, r, action, "user", c->id, 0, json_pack("{so}", "fields", keys));
        else
            json_decref(keys);
    }
    if (rc == 0 && (d || json_object_get(c->fields, "disabled")))
        rc = store_sync_department_rooms(s, c->id, now, &c->joined, &c->nj, &c->left, &c->nl);
    if (rc == 0) {
        json_t *u = store_user_json(s, c->id);
        if (u == NULL)
            rc = STORE_ENOTFOUND;
        json_decref(u);
    }
    return rc;
}

static void
upd_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct upd_ctx *c = ctx;
    if (status == 0) {
        if (c->lock == 1 || json_is_true(json_object_get(c->fields, "disabled")))
            api_revoke_user(c->id);
        for (size_t i = 0; i < c->nj; i++)
            api_publish_room(s, c->joined[i],
                             json_pack("{ss sI sI}", "type", "room.member_added", "room_id", (json_int_t)c->joined[i], "user_id",
                                       (json_int_t)c->id),
                             -1);
        for (size_t i = 0; i < c->nl; i++) {
            json_t *ev = json_pack("{ss sI sI}", "type", "room.member_removed", "room_id", (json_int_t)c->left[i], "user_id",
                                   (json_int_t)c->id);
            json_incref(ev);
            api_publish_room(s, c->left[i], ev, -1);
            api_publish(ev, &c->id, 1, -1);
        }
        if (r) {
            json_t *u = store_user_json(s, c->id);
            api_user_decorate(u);
            api_reply(r, 200, u);
            log_info("admin.user_updated", "by=%lld user=%lld lock=%d", (long long)r->user.id, (long long)c->id, c->lock);
        }
    }
    json_decref(c->fields);
    free(c->revoked);
    free(c->joined);
    free(c->left);
    free(c);
}

static int
h_admin_user_patch(struct api_req *r)
{
    static const char *const text_fields[] = {"name", "kana", "title", "extension", "work_phone", "employment", "status_text"};
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    json_t *fields = json_object();
    for (size_t i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++) {
        const char *v;
        int rc = api_field_str(r, b, text_fields[i], i < 2 ? KR_MAX_NAME : KR_MAX_PROFILE_FIELD, 0, &v);
        if (rc < 0)
            goto fail;
        if (rc == 1) {
            if ((i == 0 && v[0] == '\0') || (i == 5 && !api_employment_ok(v))) {
                api_invalid(r, text_fields[i], "値が正しくありません。", "has an invalid value.");
                goto fail;
            }
            json_object_set_new(fields, text_fields[i], json_string(v));
        }
    }
    int64_t dept;
    int rc = api_field_int(r, b, "department_id", 0, &dept);
    if (rc < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(fields, "department_id", json_integer(dept));
    if (json_object_get(b, "department_id") && json_is_null(json_object_get(b, "department_id")))
        json_object_set_new(fields, "department_id", json_integer(0));
    static const char *const bools[] = {"is_admin", "dept_admin", "disabled", "must_change_password", "disclosure_officer"};
    for (size_t i = 0; i < 5; i++) {
        int v;
        rc = api_field_bool(r, b, bools[i], &v);
        if (rc < 0)
            goto fail;
        if (rc == 1)
            json_object_set_new(fields, bools[i], json_boolean(v));
    }
    json_decref(b);
    struct upd_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    c->fields = fields;
    c->lock = -1;
    return api_write(r, upd_run, upd_done, c);
fail:
    json_decref(b);
    json_decref(fields);
    return API_DONE;
}

static int
lock_common(struct api_req *r, int lock)
{
    struct upd_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    c->fields = json_object();
    c->lock = lock;
    return api_write(r, upd_run, upd_done, c);
}

static int
h_admin_lock(struct api_req *r)
{
    return lock_common(r, 1);
}

static int
h_admin_unlock(struct api_req *r)
{
    return lock_common(r, 0);
}

struct setpw_ctx {
    int64_t id;
    char *password;
    int must_change;
    char hash[128];
    char login[KR_MAX_LOGIN + 8];
    int64_t *revoked;
    size_t nrevoked;
};

static void
setpw_free(struct setpw_ctx *c)
{
    if (c->password) {
        sodium_memzero(c->password, strlen(c->password));
        free(c->password);
    }
    free(c->revoked);
    free(c);
}

static int
setpw_run(store_t *s, struct api_req *r, void *ctx)
{
    struct setpw_ctx *c = ctx;
    int64_t now = time_now_ms();
    int rc = store_user_set_password(s, c->id, c->hash, c->must_change, now);
    if (rc == 0)
        rc = store_sessions_revoke_user(s, c->id, 0, now, &c->revoked, &c->nrevoked);
    if (rc == 0)
        rc = api_audit(s, r, "user.password_reset", "user", c->id, 0, NULL);
    return rc;
}

static void
setpw_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct setpw_ctx *c = ctx;
    if (status == 0) {
        api_revoke_sessions(c->id, c->revoked, c->nrevoked);
        api_reply(r, 204, NULL);
        log_info("admin.password_reset", "by=%lld user=%lld", (long long)r->user.id, (long long)c->id);
    }
    setpw_free(c);
}

static void
setpw_job(struct api_req *r, void *ctx)
{
    struct setpw_ctx *c = ctx;
    json_t *u = store_user_json(api_job_store(), c->id);
    if (u == NULL) {
        api_not_found(r);
        goto fail;
    }
    snprintf(c->login, sizeof(c->login), "%s", json_string_value(json_object_get(u, "login")));
    json_decref(u);
    struct policy_password_rules rules = api_password_rules();
    enum policy_password_reason why = policy_password_check(c->login, c->password, &rules);
    if (why != POLICY_PASSWORD_OK) {
        api_invalid(r, "password", policy_password_reason_ja(why), policy_password_reason_en(why));
        goto fail;
    }
    if (api_password_hash(c->password, c->hash) != 0) {
        api_error(r, 500, "internal", "サーバーでエラーが発生しました。", "The server failed.");
        goto fail;
    }
    api_write(r, setpw_run, setpw_done, c);
    return;
fail:
    setpw_free(c);
    api_finish(r);
}

static int
h_admin_password(struct api_req *r)
{
    json_t *b = api_body_object(r);
    const char *pw = NULL;
    int must = 1;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "password", 1024, 1, &pw) < 0 || api_field_bool(r, b, "must_change_password", &must) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct setpw_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    c->password = xstrdup(pw);
    c->must_change = must;
    json_decref(b);
    return api_job(r, setpw_job, c);
}

struct dept_ctx {
    json_t *body;
    const char *code, *name;
    int64_t parent, id;
};

static int
dept_run(store_t *s, struct api_req *r, void *ctx)
{
    struct dept_ctx *c = ctx;
    int rc = store_department_create(s, c->code, c->name, c->parent, &c->id);
    if (rc == 0)
        rc = api_audit(s, r, "department.create", "department", c->id, 0, json_pack("{ss}", "name", c->name));
    return rc;
}

static void
dept_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct dept_ctx *c = ctx;
    if (status == 0) {
        json_t *all = store_departments_json(s), *d, *found = NULL;
        size_t i;
        json_array_foreach(all, i, d) if (json_integer_value(json_object_get(d, "id")) == c->id) found = json_incref(d);
        json_decref(all);
        api_reply(r, 201, found);
    }
    json_decref(c->body);
    free(c);
}

static int
h_admin_department_create(struct api_req *r)
{
    json_t *b = api_body_object(r);
    if (b == NULL)
        return API_DONE;
    struct dept_ctx *c = xcalloc(1, sizeof(*c));
    c->body = b;
    if (api_field_str(r, b, "name", KR_MAX_NAME, 1, &c->name) < 0 || api_field_str(r, b, "code", 32, 0, &c->code) < 0 ||
        api_field_int(r, b, "parent_id", 0, &c->parent) < 0)
        goto fail;
    if (c->name[0] == '\0') {
        api_invalid(r, "name", "必須です。", "is required.");
        goto fail;
    }
    return api_write(r, dept_run, dept_done, c);
fail:
    json_decref(b);
    free(c);
    return API_DONE;
}

struct delegate_ctx {
    int64_t account, user;
    int on;
};

static int
delegate_run(store_t *s, struct api_req *r, void *ctx)
{
    struct delegate_ctx *c = ctx;
    json_t *a = store_user_json(s, c->account), *u = store_user_json(s, c->user);
    int ok = a && u && !strcmp(json_string_value(json_object_get(a, "kind")), "department");
    json_decref(a);
    json_decref(u);
    if (!ok)
        return STORE_ENOTFOUND;
    int rc = store_delegate_set(s, c->account, c->user, c->on);
    if (rc == 0)
        rc = api_audit(s, r, c->on ? "delegate.add" : "delegate.remove", "user", c->account, 0,
                       json_pack("{sI}", "user_id", (json_int_t)c->user));
    return rc;
}

static void
delegate_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    if (status == 0)
        api_reply(r, 204, NULL);
    free(ctx);
}

static int
h_admin_delegate_add(struct api_req *r)
{
    json_t *b = api_body_object(r);
    int64_t uid = 0;
    if (b == NULL)
        return API_DONE;
    if (api_field_int(r, b, "user_id", 1, &uid) < 0) {
        json_decref(b);
        return API_DONE;
    }
    json_decref(b);
    struct delegate_ctx *c = xmalloc(sizeof(*c));
    c->account = r->params[0];
    c->user = uid;
    c->on = 1;
    return api_write(r, delegate_run, delegate_done, c);
}

static int
h_admin_delegate_remove(struct api_req *r)
{
    struct delegate_ctx *c = xmalloc(sizeof(*c));
    c->account = r->params[0];
    c->user = r->params[1];
    c->on = 0;
    return api_write(r, delegate_run, delegate_done, c);
}

static int
h_admin_users(struct api_req *r)
{
    json_t *all = store_user_list_all(r->thread->store);
    api_users_decorate(all);
    return api_reply(r, 200, json_pack("{so}", "users", all));
}

const struct api_op api_users_ops[] = {
    {API_GET, "/api/v1/users", 0, h_users},
    {API_GET, "/api/v1/users/{}", 0, h_user},
    {API_GET, "/api/v1/departments", 0, h_departments},
    {API_GET, "/api/v1/stamps", 0, h_stamps},
    {API_GET, "/api/v1/presence", 0, h_presence},
    {API_GET, "/api/v1/admin/users", API_ADMIN, h_admin_users},
    {API_POST, "/api/v1/admin/users", API_ADMIN, h_admin_user_create},
    {API_PATCH, "/api/v1/admin/users/{}", API_ADMIN, h_admin_user_patch},
    {API_POST, "/api/v1/admin/users/{}/lock", API_ADMIN, h_admin_lock},
    {API_POST, "/api/v1/admin/users/{}/unlock", API_ADMIN, h_admin_unlock},
    {API_POST, "/api/v1/admin/users/{}/password", API_ADMIN, h_admin_password},
    {API_POST, "/api/v1/admin/users/{}/delegates", API_ADMIN, h_admin_delegate_add},
    {API_DELETE, "/api/v1/admin/users/{}/delegates/{}", API_ADMIN, h_admin_delegate_remove},
    {API_POST, "/api/v1/admin/departments", API_ADMIN, h_admin_department_create},
    {0, NULL, 0, NULL},
};
