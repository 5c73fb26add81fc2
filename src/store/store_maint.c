/*
 * Maintenance of the SQLite store for the admin command: an online backup of the database,
 * its integrity check, its schema version, and the file hashes it refers to.
 */
#include "store/store_int.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <string.h>

int
store_backup_to(store_t *s, const char *path, char *err, size_t errlen)
{
    sqlite3 *dst = NULL;
    if (s->pg) {
        snprintf(err, errlen,
                 "the store is PostgreSQL: back it up with pg_dump (docs/scaling.md), then `kairan admin backup "
                 "--files-only`");
        return STORE_EINVAL;
    }
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot create %s: %s", path, dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        return STORE_EIO;
    }
    /* One step copies every page under one read transaction: the copy is the database as it
     * was at one commit, whatever the server writes meanwhile (WAL readers do not block it). */
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
    int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
    if (b)
        sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return STORE_EIO;
    }
    /* A self-contained file: no WAL beside it. */
    sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    sqlite3_close(dst);
    return 0;
}

int
store_schema_version(store_t *s)
{
    stmt_t *st = store__q(s, STORE_SQL(s, "PRAGMA user_version", "SELECT version FROM kairan_schema"), "");
    return st && store__row(s, st) == 1 ? store__int(st, 0) : -1;
}

int
store_integrity(store_t *s, char *out, size_t size)
{
    if (s->pg) {
        /* PostgreSQL checks its own pages (data checksums, amcheck); here the references. */
        snprintf(out, size, "ok");
        return 0;
    }
    stmt_t *st = store__q(s, "PRAGMA integrity_check", "");
    int r = st ? store__row(s, st) : -1;
    snprintf(out, size, "%s", r == 1 ? store__text(st, 0) : sqlite3_errmsg(s->db));
    int ok = r == 1 && !strcmp(store__text(st, 0), "ok");
    if (st)
        store__done(st);
    if (ok) {
        st = store__q(s, "PRAGMA foreign_key_check", "");
        if (st && store__row(s, st) == 1) {
            snprintf(out, size, "foreign key violation in table %s", store__text(st, 0));
            ok = 0;
        }
        if (st)
            store__done(st);
    }
    return ok ? 0 : STORE_EIO;
}

int
store_file_hashes(store_t *s, char ***hashes, size_t *n)
{
    size_t cap = 0;
    *hashes = NULL;
    *n = 0;
    stmt_t *st = store__q(s, "SELECT DISTINCT hash FROM files ORDER BY hash", "");
    int r;
    while ((r = store__row(s, st)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *hashes = xrealloc(*hashes, cap * sizeof(char *));
        }
        (*hashes)[(*n)++] = xstrdup(store__text(st, 0));
    }
    return r < 0 ? STORE_EIO : 0;
}

/* ---- Web Push subscriptions ---- */

int
store_push_subscribe(store_t *s, int64_t user_id, int64_t session_id, const char *endpoint, const char *p256dh, const char *auth,
                     int64_t now)
{
    return store__x(
        s,
        "INSERT INTO push_subscriptions(user_id, session_id, endpoint, p256dh, auth, created_at) VALUES(?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(endpoint) DO UPDATE SET user_id = excluded.user_id, session_id = excluded.session_id,"
        " p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at",
        "IItttI", user_id, session_id, endpoint, p256dh, auth, now);
}

int
store_push_unsubscribe(store_t *s, int64_t user_id, const char *endpoint)
{
    if (endpoint)
        return store__x(s, "DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?", "It", user_id, endpoint);
    return store__x(s, "DELETE FROM push_subscriptions WHERE user_id = ?", "I", user_id);
}

json_t *
store_push_targets(store_t *s, int64_t user_id, int64_t now)
{
    json_t *arr = json_array();
    stmt_t *st = store__q(s,
                          "SELECT p.endpoint, p.p256dh, p.auth FROM push_subscriptions p JOIN sessions x ON x.id = p.session_id"
                          " JOIN users u ON u.id = p.user_id WHERE p.user_id = ? AND x.revoked_at IS NULL AND x.expires_at > ?"
                          " AND u.locked = 0 AND u.disabled = 0",
                          "II", user_id, now);
    while (store__row(s, st) == 1)
        json_array_append_new(
            arr, json_pack("{ss ss ss}", "endpoint", store__text(st, 0), "p256dh", store__text(st, 1), "auth", store__text(st, 2)));
    return arr;
}
