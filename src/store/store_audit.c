/*
 * The audit log and the reports queue in the SQLite store.
 *
 * Each audit entry holds the BLAKE2b-256 hash of the entry before it and of its own fields, so
 * an entry altered or removed in the database file breaks the chain from that point on, and
 * `kairan admin audit verify` names it. Entries are appended inside the same transaction as
 * the action they record: an action and its audit entry commit together or not at all.
 */
#include "store/store_int.h"
#include "util/xmalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The hashed form of an entry: every field, unambiguously delimited by their lengths. */
static void
entry_hash(const uint8_t prev[32], int64_t id, int64_t at, int64_t actor, const char *action, const char *ttype, int64_t target,
           int64_t room, const char *detail, const char *address, uint8_t out[32])
{
    crypto_generichash_state st;
    char num[160];
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, prev, 32);
    int n = snprintf(num, sizeof(num), "%lld|%lld|%lld|%lld|%lld|", (long long)id, (long long)at, (long long)actor,
                     (long long)target, (long long)room);
    crypto_generichash_update(&st, (const uint8_t *)num, (size_t)n);
    const char *parts[] = {action, ttype, detail, address};
    for (int i = 0; i < 4; i++) {
        n = snprintf(num, sizeof(num), "%zu:", strlen(parts[i]));
        crypto_generichash_update(&st, (const uint8_t *)num, (size_t)n);
        crypto_generichash_update(&st, (const uint8_t *)parts[i], strlen(parts[i]));
    }
    crypto_generichash_final(&st, out, 32);
}

int
store_audit_append(store_t *s, const struct store_audit *a, int64_t now)
{
    uint8_t prev[32] = {0}, hash[32];
    int64_t id = 1;
    stmt_t *st = store__q(s, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", "");
    int r = store__row(s, st);
    if (r < 0)
        return STORE_EIO;
    if (r == 1) {
        id = store__i64(st, 0) + 1;
        if (store__bytes(st, 1) == 32)
            memcpy(prev, store__blob(st, 1), 32);
    }
    store__done(st);
    const char *ttype = a->target_type ? a->target_type : "", *detail = a->detail ? a->detail : "{}";
    const char *addr = a->address ? a->address : "";
    entry_hash(prev, id, now, a->actor_id, a->action, ttype, a->target_id, a->room_id, detail, addr, hash);
    return store__x(s,
                    "INSERT INTO audit(id, at, actor_id, action, target_type, target_id, room_id, detail, address, prev_hash,"
                    " hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "IIIttIIttBB", id, now, a->actor_id, a->action, ttype, a->target_id, a->room_id, detail, addr, prev, 32, hash,
                    32);
}

int
store_audit_verify(store_t *s, int64_t *count, int64_t *bad_id)
{
    uint8_t prev[32] = {0}, hash[32];
    int64_t expect = 1;
    *count = 0;
    *bad_id = 0;
    stmt_t *st = store__q(s,
                          "SELECT id, at, ifnull(actor_id, 0), action, target_type, ifnull(target_id, 0),"
                          " ifnull(room_id, 0), detail, address, prev_hash, hash FROM audit ORDER BY id",
                          "");
    int r;
    while ((r = store__row(s, st)) == 1) {
        int64_t id = store__i64(st, 0);
        entry_hash(prev, id, store__i64(st, 1), store__i64(st, 2), store__text(st, 3), store__text(st, 4), store__i64(st, 5),
                   store__i64(st, 6), store__text(st, 7), store__text(st, 8), hash);
        /* A removed entry shows as a gap in the ids and as a previous hash that does not match. */
        if (id != expect || store__bytes(st, 9) != 32 || memcmp(store__blob(st, 9), prev, 32) != 0 || store__bytes(st, 10) != 32 ||
            memcmp(store__blob(st, 10), hash, 32) != 0) {
            *bad_id = id;
            store__done(st);
            return 1;
        }
        memcpy(prev, hash, 32);
        expect = id + 1;
        (*count)++;
    }
    store__done(st);
    return r < 0 ? STORE_EIO : 0;
}

json_t *
store_audit_search(store_t *s, const char *action_prefix, int64_t actor, int64_t target_id, int64_t from_ms, int64_t to_ms,
                   int64_t before_id, int limit, int *has_more)
{
    char *pat = NULL;
    if (action_prefix && action_prefix[0]) {
        size_t n = strlen(action_prefix);
        pat = xmalloc(n + 2);
        memcpy(pat, action_prefix, n);
        pat[n] = '%';
        pat[n + 1] = '\0';
    }
    stmt_t *st = store__q(s,
                          "SELECT a.id, a.at, a.actor_id, u.login, u.name, a.action, a.target_type, a.target_id,"
                          " a.room_id, a.detail, a.address FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
                          " WHERE (? IS NULL OR a.action LIKE ?) AND (? = 0 OR a.actor_id = ?) AND (? = 0 OR"
                          " a.target_id = ?) AND a.at >= ? AND a.at < ? AND a.id < ? ORDER BY a.id DESC LIMIT ?",
                          "ttIIIIIIIi", pat, pat, actor, actor, target_id, target_id, from_ms, to_ms,
                          before_id > 0 ? before_id : INT64_MAX, limit + 1);
    json_t *arr = json_array();
    *has_more = 0;
    while (store__row(s, st) == 1) {
        if ((int)json_array_size(arr) == limit) {
            *has_more = 1;
            break;
        }
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(store__i64(st, 0)));
        json_object_set_new(e, "at", store__jtime(st, 1));
        json_object_set_new(e, "actor_id",
                            store__null(st, 2) || store__i64(st, 2) == 0 ? json_null() : json_integer(store__i64(st, 2)));
        json_object_set_new(e, "actor_login", store__jstr(st, 3));
        json_object_set_new(e, "actor_name", store__jstr(st, 4));
        json_object_set_new(e, "action", store__jstr(st, 5));
        json_object_set_new(e, "target_type", store__jstr(st, 6));
        json_object_set_new(e, "target_id", store__i64(st, 7) ? json_integer(store__i64(st, 7)) : json_null());
        json_object_set_new(e, "room_id", store__i64(st, 8) ? json_integer(store__i64(st, 8)) : json_null());
        json_t *d = json_loads(store__text(st, 9), 0, NULL);
        json_object_set_new(e, "detail", d ? d : json_object());
        json_object_set_new(e, "address", store__jstr(st, 10));
        json_array_append_new(arr, e);
    }
    store__done(st);
    free(pat);
    return arr;
}

int
store_report_create(store_t *s, const char *kind, int64_t reporter, int64_t room_id, int64_t message_id, const char *reason,
                    const char *snapshot, int64_t now, int64_t *id)
{
    int rc = store__x(s,
                      "INSERT INTO reports(kind, reporter_id, room_id, message_id, reason, snapshot, created_at)"
                      " VALUES(?, ?, nullif(?, 0), nullif(?, 0), ?, ?, ?)",
                      "tIIIttI", kind, reporter, room_id, message_id, reason ? reason : "", snapshot ? snapshot : "{}", now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

json_t *
store_reports_json(store_t *s, const char *kind, const char *status, int limit)
{
    stmt_t *st = store__q(s,
                          "SELECT r.id, r.kind, r.reporter_id, u.login, u.name, r.room_id, rm.name, r.message_id, r.reason,"
                          " r.snapshot, r.status, r.resolution, r.resolved_by, r.resolved_at, r.created_at FROM reports r"
                          " JOIN users u ON u.id = r.reporter_id LEFT JOIN rooms rm ON rm.id = r.room_id"
                          " WHERE r.kind = ? AND (? IS NULL OR r.status = ?) ORDER BY r.id DESC LIMIT ?",
                          "ttti", kind, status, status, limit);
    json_t *arr = json_array();
    while (store__row(s, st) == 1) {
        json_t *e = json_object();
        json_object_set_new(e, "id", json_integer(store__i64(st, 0)));
        json_object_set_new(e, "kind", store__jstr(st, 1));
        json_object_set_new(
            e, "reporter",
            json_pack("{sI so so}", "id", (json_int_t)store__i64(st, 2), "login", store__jstr(st, 3), "name", store__jstr(st, 4)));
        json_object_set_new(e, "room_id", store__null(st, 5) ? json_null() : json_integer(store__i64(st, 5)));
        json_object_set_new(e, "room_name", store__jstr(st, 6));
        json_object_set_new(e, "message_id", store__null(st, 7) ? json_null() : json_integer(store__i64(st, 7)));
        json_object_set_new(e, "reason", store__jstr(st, 8));
        json_t *snap = json_loads(store__text(st, 9), 0, NULL);
        json_object_set_new(e, "snapshot", snap ? snap : json_object());
        json_object_set_new(e, "status", store__jstr(st, 10));
        json_object_set_new(e, "resolution", store__jstr(st, 11));
        json_object_set_new(e, "resolved_by", store__null(st, 12) ? json_null() : json_integer(store__i64(st, 12)));
        json_object_set_new(e, "resolved_at", store__jtime(st, 13));
        json_object_set_new(e, "created_at", store__jtime(st, 14));
        json_array_append_new(arr, e);
    }
    store__done(st);
    return arr;
}

int
store_report_resolve(store_t *s, int64_t id, int64_t by, const char *status, const char *resolution, int64_t now)
{
    int rc = store__x(s, "UPDATE reports SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?", "ttIII",
                      status, resolution, by, now, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}
