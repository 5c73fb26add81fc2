/*
 * Users, departments, delegates and sessions in the SQLite store.
 *
 * Each user row carries `search_key`, the kana-folded concatenation of everything the
 * directory searches (name, reading, login, department path, title, extension), so that a
 * search is one LIKE per word over one column. It is recomputed whenever one of its sources
 * changes.
 */
#include "store/store_int.h"
#include "util/kana.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS                                                                                                                  \
    "u.id, u.login, u.name, u.kana, u.kind, u.employment, u.department_id, d.path, u.title, u.extension, u.work_phone,"            \
    " u.status_text, u.absent_until, u.absent_note, u.is_admin, u.locked, u.disabled, u.dept_admin, u.disclosure_officer"

static json_t *
user_from_row(stmt_t *st)
{
    json_t *u = json_object();
    json_object_set_new(u, "id", json_integer(store__i64(st, 0)));
    json_object_set_new(u, "login", store__jstr(st, 1));
    json_object_set_new(u, "name", store__jstr(st, 2));
    json_object_set_new(u, "kana", store__jstr(st, 3));
    json_object_set_new(u, "kind", store__jstr(st, 4));
    json_object_set_new(u, "employment", store__jstr(st, 5));
    json_object_set_new(u, "department_id", store__null(st, 6) ? json_null() : json_integer(store__i64(st, 6)));
    json_object_set_new(u, "department", json_string(store__text(st, 7)));
    json_object_set_new(u, "title", store__jstr(st, 8));
    json_object_set_new(u, "extension", store__jstr(st, 9));
    json_object_set_new(u, "work_phone", store__jstr(st, 10));
    json_object_set_new(u, "status_text", store__jstr(st, 11));
    if (store__null(st, 12)) {
        json_object_set_new(u, "absent", json_null());
    } else {
        json_t *a = json_object();
        json_object_set_new(a, "until", store__jtime(st, 12));
        json_object_set_new(a, "note", json_string(store__text(st, 13)));
        json_object_set_new(u, "absent", a);
    }
    json_object_set_new(u, "is_admin", json_boolean(store__int(st, 14)));
    json_object_set_new(u, "locked", json_boolean(store__int(st, 15)));
    json_object_set_new(u, "disabled", json_boolean(store__int(st, 16)));
    json_object_set_new(u, "dept_admin", json_boolean(store__int(st, 17)));
    json_object_set_new(u, "disclosure_officer", json_boolean(store__int(st, 18)));
    return u;
}

json_t *
store_user_json(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s,
                          "SELECT " USER_COLS " FROM users u LEFT JOIN departments d ON d.id = u.department_id"
                          " WHERE u.id = ?",
                          "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    return user_from_row(st);
}

json_t *
store__user_brief(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s,
                          "SELECT u.id, u.name, u.title, d.path, u.kind FROM users u LEFT JOIN departments d"
                          " ON d.id = u.department_id WHERE u.id = ?",
                          "I", id);
    if (store__row(s, st) != 1)
        return json_null();
    return json_pack("{sI ss ss ss ss}", "id", (json_int_t)store__i64(st, 0), "name", store__text(st, 1), "title",
                     store__text(st, 2), "department", store__text(st, 3), "kind", store__text(st, 4));
}

/* Recomputes the directory search key of one user from its current row. */
static int
refresh_search_key(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s,
                          "SELECT u.name || ' ' || u.kana || ' ' || u.login || ' ' || ifnull(d.path,'') || ' ' ||"
                          " u.title || ' ' || u.extension || ' ' || u.work_phone FROM users u"
                          " LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?",
                          "I", id);
    if (store__row(s, st) != 1)
        return STORE_ENOTFOUND;
    const char *src = store__text(st, 0);
    char *key = NULL;
    if (kana_fold(src, strlen(src), &key) != 0)
        key = xstrdup(src);
    int rc = store__x(s, "UPDATE users SET search_key = ? WHERE id = ?", "tI", key, id);
    free(key);
    return rc;
}

int
store_user_create(store_t *s, const struct store_user_in *in, int64_t now, int64_t *id)
{
    int rc = store__x(s,
                      "INSERT INTO users(login, name, kana, kind, employment, department_id, title, extension, work_phone,"
                      " password_hash, is_admin, must_change_password, created_at, updated_at, password_changed_at)"
                      " VALUES(?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, ?14)",
                      "tttttIttttbbII", in->login, in->name, in->kana ? in->kana : "", in->kind ? in->kind : "staff",
                      in->employment ? in->employment : "", in->department_id, in->title ? in->title : "",
                      in->extension ? in->extension : "", in->work_phone ? in->work_phone : "", in->password_hash, in->is_admin,
                      in->must_change_password, now, now);
    if (rc != 0)
        return rc;
    *id = store__last_id(s);
    if (in->password_hash && (rc = store__x(s, "INSERT INTO password_history(user_id, hash, at) VALUES(?, ?, ?)", "ItI", *id,
                                            in->password_hash, now)) != 0)
        return rc;
    return refresh_search_key(s, *id);
}

static int
set_text(store_t *s, int64_t id, const char *col, const char *v)
{
    /* One literal statement per column keeps the statement cache keyed by address. */
    if (!strcmp(col, "name"))
        return store__x(s, "UPDATE users SET name = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "kana"))
        return store__x(s, "UPDATE users SET kana = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "employment"))
        return store__x(s, "UPDATE users SET employment = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "title"))
        return store__x(s, "UPDATE users SET title = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "extension"))
        return store__x(s, "UPDATE users SET extension = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "work_phone"))
        return store__x(s, "UPDATE users SET work_phone = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "status_text"))
        return store__x(s, "UPDATE users SET status_text = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "password_hash"))
        return store__x(s, "UPDATE users SET password_hash = ? WHERE id = ?", "tI", v, id);
    if (!strcmp(col, "kind"))
        return store__x(s, "UPDATE users SET kind = ? WHERE id = ?", "tI", v, id);
    return STORE_EINVAL;
}

int
store_user_update(store_t *s, int64_t id, json_t *fields, int64_t now)
{
    const char *key;
    json_t *v;
    int rc;
    if (store__x(s, "UPDATE users SET updated_at = ? WHERE id = ?", "II", now, id) != 0)
        return STORE_EIO;
    if (store__changes(s) == 0)
        return STORE_ENOTFOUND;
    json_object_foreach(fields, key, v)
    {
        if (json_is_string(v)) {
            rc = set_text(s, id, key, json_string_value(v));
        } else if (!strcmp(key, "department_id")) {
            rc =
                store__x(s, "UPDATE users SET department_id = nullif(?, 0) WHERE id = ?", "II", (int64_t)json_integer_value(v), id);
        } else if (!strcmp(key, "is_admin")) {
            rc = store__x(s, "UPDATE users SET is_admin = ? WHERE id = ?", "bI", json_is_true(v), id);
        } else if (!strcmp(key, "dept_admin")) {
            rc = store__x(s, "UPDATE users SET dept_admin = ? WHERE id = ?", "bI", json_is_true(v), id);
        } else if (!strcmp(key, "disclosure_officer")) {
            rc = store__x(s, "UPDATE users SET disclosure_officer = ? WHERE id = ?", "bI", json_is_true(v), id);
        } else if (!strcmp(key, "disabled")) {
            rc = store__x(s, "UPDATE users SET disabled = ? WHERE id = ?", "bI", json_is_true(v), id);
        } else if (!strcmp(key, "must_change_password")) {
            rc = store__x(s, "UPDATE users SET must_change_password = ? WHERE id = ?", "bI", json_is_true(v), id);
        } else if (!strcmp(key, "absent")) {
            if (json_is_null(v)) {
                rc = store__x(s, "UPDATE users SET absent_until = NULL, absent_note = NULL WHERE id = ?", "I", id);
            } else {
                int64_t until = 0;
                json_t *u = json_object_get(v, "until"), *n = json_object_get(v, "note");
                if (!json_is_string(u) || time_parse(json_string_value(u), &until) != 0)
                    return STORE_EINVAL;
                rc = store__x(s, "UPDATE users SET absent_until = ?, absent_note = ? WHERE id = ?", "ItI", until,
                              json_is_string(n) ? json_string_value(n) : "", id);
            }
        } else {
            rc = STORE_EINVAL;
        }
        if (rc != 0)
            return rc;
    }
    return refresh_search_key(s, id);
}

int
store_user_by_login(store_t *s, const char *login, int64_t *id)
{
    stmt_t *st = store__q(s, "SELECT id FROM users WHERE login = ?", "t", login);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    *id = store__i64(st, 0);
    return 0;
}

static int
auth_row(store_t *s, stmt_t *st, struct store_auth *out)
{
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->user_id = store__i64(st, 0);
    snprintf(out->password_hash, sizeof(out->password_hash), "%s", store__text(st, 1));
    out->locked = store__int(st, 2);
    out->disabled = store__int(st, 3);
    out->must_change_password = store__int(st, 4);
    out->is_admin = store__int(st, 5);
    out->password_changed_at = store__i64(st, 6);
    snprintf(out->totp_secret, sizeof(out->totp_secret), "%s", store__text(st, 7));
    out->totp_enabled = store__int(st, 8);
    out->totp_last_counter = store__i64(st, 9);
    return 0;
}

int
store_user_auth(store_t *s, const char *login, struct store_auth *out)
{
    return auth_row(
        s,
        store__q(s,
                 "SELECT id, ifnull(password_hash,''), locked, disabled, must_change_password, is_admin, password_changed_at,"
                 " ifnull(totp_secret, ''), totp_enabled, totp_last_counter FROM users"
                 " WHERE login = ?",
                 "t", login),
        out);
}

int
store_user_auth_by_id(store_t *s, int64_t id, struct store_auth *out)
{
    return auth_row(
        s,
        store__q(s,
                 "SELECT id, ifnull(password_hash,''), locked, disabled, must_change_password, is_admin, password_changed_at,"
                 " ifnull(totp_secret, ''), totp_enabled, totp_last_counter FROM users"
                 " WHERE id = ?",
                 "I", id),
        out);
}

int
store_user_set_lock(store_t *s, int64_t id, int locked, int64_t now)
{
    int rc = store__x(s, "UPDATE users SET locked = ?, updated_at = ? WHERE id = ?", "bII", locked, now, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}

int
store_user_set_password(store_t *s, int64_t id, const char *hash, int must_change, int64_t now)
{
    int rc = store__x(s,
                      "UPDATE users SET password_hash = ?, must_change_password = ?, updated_at = ?, password_changed_at = ?"
                      " WHERE id = ?",
                      "tbIII", hash, must_change, now, now, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    if (rc == 0)
        rc = store__x(s, "INSERT INTO password_history(user_id, hash, at) VALUES(?, ?, ?)", "ItI", id, hash, now);
    /* Keep only what a history rule can ask for. */
    if (rc == 0)
        rc = store__x(s,
                      "DELETE FROM password_history WHERE user_id = ? AND id NOT IN (SELECT id FROM password_history"
                      " WHERE user_id = ? ORDER BY id DESC LIMIT 24)",
                      "II", id, id);
    return rc;
}

int
store_password_history(store_t *s, int64_t id, int n, char ***hashes, size_t *count)
{
    *hashes = NULL;
    *count = 0;
    /* The current hash first (it may predate the history table), then the recorded ones. */
    stmt_t *st = store__q(s,
                          "SELECT hash FROM (SELECT password_hash AS hash, 1e18 AS k FROM users WHERE id = ?"
                          " AND password_hash IS NOT NULL UNION ALL SELECT hash, id FROM password_history"
                          " WHERE user_id = ?) AS h ORDER BY k DESC LIMIT ?",
                          "IIi", id, id, n);
    int r;
    while ((r = store__row(s, st)) == 1) {
        *hashes = xrealloc(*hashes, (*count + 1) * sizeof(char *));
        (*hashes)[(*count)++] = xstrdup(store__text(st, 0));
    }
    return r < 0 ? STORE_EIO : 0;
}

int
store_user_set_must_change(store_t *s, int64_t id, int must_change)
{
    return store__x(s, "UPDATE users SET must_change_password = ? WHERE id = ?", "bI", must_change, id);
}

int
store_user_totp_set(store_t *s, int64_t id, const char *secret, int enabled)
{
    return store__x(s, "UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_counter = 0 WHERE id = ?", "tbI", secret,
                    enabled, id);
}

int
store_user_totp_used(store_t *s, int64_t id, int64_t counter)
{
    return store__x(s, "UPDATE users SET totp_last_counter = ? WHERE id = ?", "II", counter, id);
}

char *
store_setting_get(store_t *s, const char *key)
{
    stmt_t *st = store__q(s, "SELECT value FROM settings WHERE key = ?", "t", key);
    if (store__row(s, st) != 1)
        return NULL;
    return xstrdup(store__text(st, 0));
}

int
store_setting_set(store_t *s, const char *key, const char *value)
{
    return store__x(s, "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", "tt",
                    key, value);
}

int64_t
store_generation(store_t *s, const char *name)
{
    /* In a request's scope, outside a write transaction: one read of all counters serves the
     * request (zones, the PII guard and office hours each ask for "settings"). */
    if (!s->gens_valid && s->gens_scope && store__autocommit(s)) {
        store__gens_load(s);
        s->gens_valid = 1;
    }
    if (s->gens_valid)
        for (int i = 0; i < s->ngens; i++)
            if (!strcmp(s->gens[i].name, name))
                return s->gens[i].value;
    stmt_t *st = store__q(s, "SELECT value FROM counters WHERE name = ?", "t", name);
    int64_t v = store__row(s, st) == 1 ? store__i64(st, 0) : 0;
    store__done(st);
    return v;
}

void
store_generations_scope(store_t *s, int on)
{
    s->gens_scope = on;
    s->gens_valid = 0;
}

int
store_directory_scan(store_t *s, void (*fn)(void *arg, int64_t id, int64_t dept, const char *key, const char *dept_path), void *arg)
{
    stmt_t *st = store__q(s,
                          "SELECT u.id, ifnull(u.department_id, 0), u.search_key, ifnull(d.path, '') FROM users u"
                          " LEFT JOIN departments d ON d.id = u.department_id WHERE u.disabled = 0"
                          " ORDER BY ifnull(d.path, '~'), u.kana, u.id",
                          "");
    int r;
    while ((r = store__row(s, st)) == 1)
        fn(arg, store__i64(st, 0), store__i64(st, 1), store__text(st, 2), store__text(st, 3));
    return r < 0 ? STORE_EIO : 0;
}

json_t *
store_user_list_all(store_t *s)
{
    stmt_t *st = store__q(s,
                          "SELECT " USER_COLS " FROM users u LEFT JOIN departments d ON d.id = u.department_id"
                          " ORDER BY u.id",
                          "");
    json_t *arr = json_array();
    while (store__row(s, st) == 1)
        json_array_append_new(arr, user_from_row(st));
    return arr;
}

int
store_user_count(store_t *s, int64_t *n)
{
    stmt_t *st = store__q(s, "SELECT count(*) FROM users", "");
    if (store__row(s, st) != 1)
        return STORE_EIO;
    *n = store__i64(st, 0);
    return 0;
}

json_t *
store_user_delegate_for(store_t *s, int64_t user_id)
{
    stmt_t *st = store__q(s, "SELECT account_id FROM delegates WHERE user_id = ? ORDER BY account_id", "I", user_id);
    json_t *arr = json_array();
    while (store__row(s, st) == 1)
        json_array_append_new(arr, json_integer(store__i64(st, 0)));
    return arr;
}

int
store_delegate_set(store_t *s, int64_t account_id, int64_t user_id, int on)
{
    if (on)
        return store__x(s, "INSERT OR IGNORE INTO delegates(account_id, user_id) VALUES(?, ?)", "II", account_id, user_id);
    return store__x(s, "DELETE FROM delegates WHERE account_id = ? AND user_id = ?", "II", account_id, user_id);
}

int
store_is_delegate(store_t *s, int64_t account_id, int64_t user_id)
{
    stmt_t *st = store__q(s,
                          "SELECT 1 FROM delegates g JOIN users u ON u.id = g.account_id WHERE g.account_id = ?"
                          " AND g.user_id = ? AND u.kind = 'department' AND u.disabled = 0",
                          "II", account_id, user_id);
    return store__row(s, st) == 1;
}

/* ---- departments ---- */

int
store_department_create(store_t *s, const char *code, const char *name, int64_t parent_id, int64_t *id)
{
    char *path = NULL;
    if (parent_id) {
        stmt_t *st = store__q(s, "SELECT path FROM departments WHERE id = ?", "I", parent_id);
        if (store__row(s, st) != 1)
            return STORE_EINVAL;
        size_t n = strlen(store__text(st, 0)) + strlen(name) + 2;
        path = xmalloc(n);
        snprintf(path, n, "%s %s", store__text(st, 0), name);
    } else {
        path = xstrdup(name);
    }
    int rc = store__x(s, "INSERT INTO departments(code, name, parent_id, path) VALUES(nullif(?, ''), ?, nullif(?, 0), ?)", "ttIt",
                      code ? code : "", name, parent_id, path);
    free(path);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

int
store_department_ensure_path(store_t *s, const char *const *parts, size_t n, int64_t *id)
{
    int64_t parent = 0;
    for (size_t i = 0; i < n; i++) {
        stmt_t *st = store__q(s, "SELECT id FROM departments WHERE ifnull(parent_id, 0) = ? AND name = ?", "It", parent, parts[i]);
        int r = store__row(s, st);
        if (r < 0)
            return STORE_EIO;
        if (r == 1) {
            parent = store__i64(st, 0);
            continue;
        }
        int rc = store_department_create(s, NULL, parts[i], parent, &parent);
        if (rc != 0)
            return rc;
    }
    *id = parent;
    return 0;
}

int
store_department_by_code(store_t *s, const char *code, int64_t *id)
{
    stmt_t *st = store__q(s, "SELECT id FROM departments WHERE code = ?", "t", code);
    if (store__row(s, st) != 1)
        return STORE_ENOTFOUND;
    *id = store__i64(st, 0);
    return 0;
}

int
store_department_set_code(store_t *s, int64_t id, const char *code)
{
    return store__x(s, "UPDATE departments SET code = ? WHERE id = ?", "tI", code, id);
}

int
store_department_within(store_t *s, int64_t id, int64_t ancestor)
{
    if (id == 0 || ancestor == 0)
        return 0;
    return store__row(s, store__q(s,
                                  "SELECT 1 FROM departments d, departments a WHERE d.id = ? AND a.id = ?"
                                  " AND (d.id = a.id OR d.path LIKE a.path || ' %')",
                                  "II", id, ancestor)) == 1;
}

int
store_department_exists(store_t *s, int64_t id)
{
    return store__row(s, store__q(s, "SELECT 1 FROM departments WHERE id = ?", "I", id)) == 1;
}

json_t *
store_departments_json(store_t *s)
{
    stmt_t *st = store__q(s, "SELECT id, code, name, parent_id, path FROM departments ORDER BY path", "");
    json_t *arr = json_array();
    while (store__row(s, st) == 1) {
        json_t *d = json_object();
        json_object_set_new(d, "id", json_integer(store__i64(st, 0)));
        json_object_set_new(d, "code", store__jstr(st, 1));
        json_object_set_new(d, "name", store__jstr(st, 2));
        json_object_set_new(d, "parent_id", store__null(st, 3) ? json_null() : json_integer(store__i64(st, 3)));
        json_object_set_new(d, "path", store__jstr(st, 4));
        json_array_append_new(arr, d);
    }
    return arr;
}

/* ---- sessions ---- */

int
store_session_create(store_t *s, int64_t user_id, const uint8_t hash[32], const char *ua, const char *addr, int64_t now,
                     int64_t expires, int64_t *id)
{
    int rc = store__x(s,
                      "INSERT INTO sessions(user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, address)"
                      " VALUES(?, ?, ?, ?, ?, ?, ?)",
                      "IBIIItt", user_id, hash, 32, now, now, expires, ua ? ua : "", addr ? addr : "");
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

int
store_session_set_zone(store_t *s, int64_t id, const char *zone)
{
    return store__x(s, "UPDATE sessions SET zone = ? WHERE id = ?", "tI", zone, id);
}

int
store_session_lookup(store_t *s, const uint8_t hash[32], int64_t now, struct store_session *out)
{
    stmt_t *st =
        store__q(s,
                 "SELECT s.id, s.user_id, s.last_seen_at, u.is_admin, u.must_change_password, u.kind, u.login,"
                 " u.dept_admin, ifnull(u.department_id, 0), u.totp_enabled, s.created_at, s.user_agent, u.disclosure_officer"
                 " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"
                 " AND s.revoked_at IS NULL AND s.expires_at > ? AND u.locked = 0 AND u.disabled = 0",
                 "BI", hash, 32, now);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    out->user_id = store__i64(st, 1);
    out->last_seen_at = store__i64(st, 2);
    out->is_admin = store__int(st, 3);
    out->must_change_password = store__int(st, 4);
    out->kind_department = !strcmp(store__text(st, 5), "department");
    snprintf(out->login, sizeof(out->login), "%s", store__text(st, 6));
    out->dept_admin = store__int(st, 7);
    out->department_id = store__i64(st, 8);
    out->totp_enabled = store__int(st, 9);
    out->created_at = store__i64(st, 10);
    snprintf(out->user_agent, sizeof(out->user_agent), "%s", store__text(st, 11));
    out->disclosure_officer = store__int(st, 12);
    return 0;
}

int
store_session_touch(store_t *s, int64_t id, int64_t now)
{
    return store__x(s, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", "II", now, id);
}

int
store_session_revoke(store_t *s, int64_t user_id, int64_t session_id, int64_t now)
{
    int rc = store__x(s, "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL", "III", now,
                      session_id, user_id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}

int
store_sessions_revoke_user(store_t *s, int64_t user_id, int64_t except_id, int64_t now, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    stmt_t *st =
        store__q(s, "SELECT id FROM sessions WHERE user_id = ? AND id != ? AND revoked_at IS NULL", "II", user_id, except_id);
    while (store__row(s, st) == 1)
        store__ids_push(ids, n, &cap, store__i64(st, 0));
    return store__x(s, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id != ? AND revoked_at IS NULL", "III", now,
                    user_id, except_id);
}

int
store_sessions_phone_stale(store_t *s, int64_t now, int64_t idle_ms, int64_t max_ms, int64_t **ids, int64_t **users, size_t *n)
{
    size_t cap = 0, ucap = 0, un = 0;
    *ids = *users = NULL;
    *n = 0;
    /* GLOB, not LIKE: the same case-sensitive marks as api_ua_is_phone(). */
    stmt_t *st = store__q(s,
                          "SELECT id, user_id FROM sessions WHERE revoked_at IS NULL AND expires_at > ?"
                          " AND (user_agent GLOB '*Android*' OR user_agent GLOB '*iPhone*' OR user_agent GLOB '*iPad*'"
                          " OR user_agent GLOB '*Mobile*')"
                          " AND ((? > 0 AND last_seen_at < ? - ?) OR (? > 0 AND created_at < ? - ?))",
                          "IIIIIII", now, idle_ms, now, idle_ms, max_ms, now, max_ms);
    int r;
    while ((r = store__row(s, st)) == 1) {
        store__ids_push(ids, n, &cap, store__i64(st, 0));
        store__ids_push(users, &un, &ucap, store__i64(st, 1));
    }
    return r < 0 ? STORE_EIO : 0;
}

json_t *
store_sessions_json(store_t *s, int64_t user_id, int64_t current_id)
{
    stmt_t *st = store__q(s,
                          "SELECT id, created_at, last_seen_at, user_agent, address, zone FROM sessions WHERE user_id = ?"
                          " AND revoked_at IS NULL AND expires_at > ? ORDER BY last_seen_at DESC",
                          "II", user_id, time_now_ms());
    json_t *arr = json_array();
    while (store__row(s, st) == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(store__i64(st, 0)));
        json_object_set_new(o, "created_at", store__jtime(st, 1));
        json_object_set_new(o, "last_seen_at", store__jtime(st, 2));
        json_object_set_new(o, "user_agent", store__jstr(st, 3));
        json_object_set_new(o, "address", store__jstr(st, 4));
        json_object_set_new(o, "current", json_boolean(store__i64(st, 0) == current_id));
        json_object_set_new(o, "zone", store__jstr(st, 5));
        json_array_append_new(arr, o);
    }
    return arr;
}
