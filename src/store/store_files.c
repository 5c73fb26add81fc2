/*
 * File metadata in the SQLite store.
 *
 * The bytes live under data/files/ named by their SHA-256 (blob), so identical uploads share
 * one blob; each upload still gets its own row (its name, uploader, rooms). A blob is removed
 * when no row refers to it any more, which the writer checks after the commit that dropped the
 * last row.
 */
#include "store/store_int.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

int
store_file_insert(store_t *s, const char *hash, const char *name, int64_t size, const char *type, int64_t uploader, int64_t now,
                  int64_t *id)
{
    int rc = store__x(s, "INSERT INTO files(hash, name, size, type, uploader_id, created_at) VALUES(?, ?, ?, ?, ?, ?)", "ttItII",
                      hash, name, size, type, uploader, now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

json_t *
store_file_json(store_t *s, int64_t id)
{
    stmt_t *st =
        store__q(s, "SELECT id, name, size, type, review, pages, ifnull(pages_status, 'unknown') FROM files WHERE id = ?", "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    return json_pack("{sI ss sI ss so so ss}", "id", (json_int_t)store__i64(st, 0), "name", store__text(st, 1), "size",
                     (json_int_t)store__i64(st, 2), "type", store__text(st, 3), "review", store__jstr(st, 4), "pages",
                     store__null(st, 5) ? json_null() : json_integer(store__i64(st, 5)), "pages_status", store__text(st, 6));
}

int
store_file_can_read(store_t *s, int64_t file_id, int64_t user_id, char hash[65])
{
    stmt_t *st = store__q(s,
                          "SELECT f.hash FROM files f WHERE f.id = ? AND (f.uploader_id = ? OR EXISTS("
                          " SELECT 1 FROM message_files mf JOIN messages m ON m.id = mf.message_id"
                          " JOIN room_members rm ON rm.room_id = mf.room_id AND rm.user_id = ?"
                          " WHERE mf.file_id = f.id AND m.deleted_at IS NULL) OR EXISTS("
                          " SELECT 1 FROM note_files nf JOIN notes n ON n.id = nf.note_id AND n.deleted_at IS NULL"
                          " JOIN room_members rn ON rn.room_id = nf.room_id AND rn.user_id = ? WHERE nf.file_id = f.id))",
                          "IIII", file_id, user_id, user_id, user_id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    if (hash)
        snprintf(hash, 65, "%s", store__text(st, 0));
    return 0;
}

int
store_blob_referenced(store_t *s, const char *hash)
{
    return store__row(s, store__q(s, "SELECT 1 FROM files WHERE hash = ? LIMIT 1", "t", hash)) == 1;
}

int
store_files_sweep(store_t *s, int64_t before, char ***hashes, size_t *n)
{
    *hashes = NULL;
    *n = 0;
    stmt_t *st = store__q(s, "SELECT id, hash FROM files WHERE attached = 0 AND created_at < ?", "I", before);
    int64_t *ids = NULL;
    size_t ni = 0, cap = 0;
    while (store__row(s, st) == 1) {
        store__ids_push(&ids, &ni, &cap, store__i64(st, 0));
        *hashes = xrealloc(*hashes, (*n + 1) * sizeof(char *));
        (*hashes)[(*n)++] = xstrdup(store__text(st, 1));
    }
    int rc = 0;
    for (size_t i = 0; i < ni && rc == 0; i++)
        rc = store__x(s, "DELETE FROM files WHERE id = ?", "I", ids[i]);
    free(ids);
    return rc;
}

int
store_file_set_review(store_t *s, int64_t id, const char *review, const char *detail)
{
    int rc = store__x(s, "UPDATE files SET review = ?, review_detail = ifnull(?, review_detail) WHERE id = ?", "ttI", review,
                      detail, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}

int
store_file_held(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s, "SELECT 1 FROM files WHERE id = ? AND review = 'held'", "I", id);
    int r = store__row(s, st) == 1;
    store__done(st);
    return r;
}

json_t *
store_files_held_json(store_t *s)
{
    stmt_t *st = store__q(s,
                          "SELECT f.id, f.name, f.size, f.type, f.created_at, u.id, u.login, u.name, ifnull(f.review_detail, '[]')"
                          " FROM files f JOIN users u ON u.id = f.uploader_id WHERE f.review = 'held' ORDER BY f.id",
                          "");
    json_t *arr = json_array();
    while (store__row(s, st) == 1) {
        json_t *hits = json_loads(store__text(st, 8), 0, NULL);
        json_array_append_new(arr,
                              json_pack("{sI ss sI ss so s{sI ss ss} so}", "id", (json_int_t)store__i64(st, 0), "name",
                                        store__text(st, 1), "size", (json_int_t)store__i64(st, 2), "type", store__text(st, 3),
                                        "created_at", store__jtime(st, 4), "uploader", "id", (json_int_t)store__i64(st, 5), "login",
                                        store__text(st, 6), "name", store__text(st, 7), "hits", hits ? hits : json_array()));
    }
    store__done(st);
    return arr;
}

int
store_file_delete(store_t *s, int64_t id, char **hash)
{
    stmt_t *st = store__q(s, "SELECT hash FROM files WHERE id = ?", "I", id);
    if (store__row(s, st) != 1) {
        store__done(st);
        return STORE_ENOTFOUND;
    }
    *hash = xstrdup(store__text(st, 0));
    store__done(st);
    int rc = store__x(s, "DELETE FROM message_files WHERE file_id = ?", "I", id);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM note_files WHERE file_id = ?", "I", id);
    if (rc == 0)
        rc = store__x(s, "DELETE FROM files WHERE id = ?", "I", id);
    return rc;
}
