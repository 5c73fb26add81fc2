/*
 * Rooms and their members in the SQLite store.
 *
 * A room's per-viewer view (unread count, mention flag) is computed from the member's
 * last_read_seq and the (room_id, seq) index, so marking a room read is one row update and
 * never touches the messages. Department rooms derive their members from the department tree
 * (a member of 総務部 総務課 belongs to the rooms of 総務課 and of 総務部).
 */
#include "store/store_int.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

int
store_room_create(store_t *s, const char *kind, const char *name, const char *topic, int64_t department_id, const char *direct_key,
                  int64_t creator, const int64_t *members, size_t n, int64_t now, int64_t *id)
{
    int rc = store__x(s,
                      "INSERT INTO rooms(kind, name, topic, department_id, direct_key, created_by, created_at, last_activity_at)"
                      " VALUES(?, ?, ?, nullif(?, 0), ?, ?, ?, ?)",
                      "tttItIII", kind, name ? name : "", topic ? topic : "", department_id, direct_key, creator, now, now);
    if (rc != 0)
        return rc;
    *id = store__last_id(s);
    /* In a direct room both people are equal; elsewhere the creator owns the room. */
    rc = store__x(s, "INSERT INTO room_members(room_id, user_id, role, joined_at) VALUES(?, ?, ?, ?)", "IItI", *id, creator,
                  strcmp(kind, "direct") == 0 ? "member" : "owner", now);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (members[i] == creator)
            continue;
        if (store__row(s, store__q(s, "SELECT 1 FROM users WHERE id = ? AND disabled = 0", "I", members[i])) != 1)
            return STORE_EINVAL;
        rc = store__x(s, "INSERT OR IGNORE INTO room_members(room_id, user_id, role, joined_at) VALUES(?, ?, 'member', ?)", "III",
                      *id, members[i], now);
        if (rc != 0)
            return rc;
    }
    if (strcmp(kind, "department") == 0 && department_id) {
        rc = store__x(s,
                      "INSERT OR IGNORE INTO room_members(room_id, user_id, role, joined_at)"
                      " SELECT ?, u.id, 'member', ? FROM users u JOIN departments d ON d.id = u.department_id,"
                      " departments rd WHERE rd.id = ? AND u.disabled = 0 AND (d.id = rd.id OR d.path LIKE rd.path || ' %')",
                      "III", *id, now, department_id);
    }
    return rc;
}

int
store_room_by_direct_key(store_t *s, const char *key, int64_t *id)
{
    stmt_t *st = store__q(s, "SELECT id FROM rooms WHERE direct_key = ?", "t", key);
    if (store__row(s, st) != 1)
        return STORE_ENOTFOUND;
    *id = store__i64(st, 0);
    return 0;
}

int
store_room_info(store_t *s, int64_t room_id, struct store_room_info *out)
{
    stmt_t *st = store__q(s, "SELECT id, kind, ifnull(department_id, 0), archived, last_seq FROM rooms WHERE id = ?", "I", room_id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    snprintf(out->kind, sizeof(out->kind), "%s", store__text(st, 1));
    out->department_id = store__i64(st, 2);
    out->archived = store__int(st, 3);
    out->last_seq = store__i64(st, 4);
    return 0;
}

int
store_member_role(store_t *s, int64_t room_id, int64_t user_id, char role[16])
{
    stmt_t *st = store__q(s, "SELECT role FROM room_members WHERE room_id = ? AND user_id = ?", "II", room_id, user_id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    if (role)
        snprintf(role, 16, "%s", store__text(st, 0));
    return 0;
}

/* The columns room_base reads, in its order (0-13); callers may select more after them. */
#define ROOM_COLS                                                                                                                  \
    "r.id, r.kind, r.name, r.topic, r.department_id, r.archived, r.created_at, r.last_seq, r.last_activity_at,"                    \
    " (SELECT count(*) FROM room_members WHERE room_id = r.id), r.classification, r.retention_days, r.legal_hold,"                 \
    " r.approval_reminder"

static json_t *
room_base(store_t *s, stmt_t *st)
{
    json_t *r = json_object();
    json_object_set_new(r, "id", json_integer(store__i64(st, 0)));
    json_object_set_new(r, "kind", store__jstr(st, 1));
    json_object_set_new(r, "name", store__jstr(st, 2));
    json_object_set_new(r, "topic", store__jstr(st, 3));
    json_object_set_new(r, "department_id", store__null(st, 4) ? json_null() : json_integer(store__i64(st, 4)));
    json_object_set_new(r, "archived", json_boolean(store__int(st, 5)));
    json_object_set_new(r, "created_at", store__jtime(st, 6));
    json_object_set_new(r, "last_seq", json_integer(store__i64(st, 7)));
    json_object_set_new(r, "last_activity_at", store__jtime(st, 8));
    json_object_set_new(r, "member_count", json_integer(store__i64(st, 9)));
    json_object_set_new(r, "records",
                        json_pack("{ss so sb sb}", "classification", store__text(st, 10), "retention_days",
                                  store__null(st, 11) ? json_null() : json_integer(store__i64(st, 11)), "legal_hold",
                                  store__int(st, 12), "approval_reminder", store__int(st, 13)));
    return r;
}

json_t *
store_room_public_json(store_t *s, int64_t room_id)
{
    stmt_t *st = store__q(s, "SELECT " ROOM_COLS " FROM rooms r WHERE r.id = ?", "I", room_id);
    if (store__row(s, st) != 1)
        return NULL;
    return room_base(s, st);
}

json_t *
store_room_json(store_t *s, int64_t room_id, int64_t viewer)
{
    stmt_t *st = store__q(s,
                          "SELECT " ROOM_COLS ", m.role, m.last_read_seq FROM rooms r"
                          " JOIN room_members m ON m.room_id = r.id AND m.user_id = ? WHERE r.id = ?",
                          "II", viewer, room_id);
    if (store__row(s, st) != 1)
        return NULL;
    json_t *r = room_base(s, st);
    int is_direct = strcmp(store__text(st, 1), "direct") == 0;
    int64_t last_read = store__i64(st, 15);
    int64_t last_seq = store__i64(st, 7);
    json_object_set_new(r, "role", json_string(store__text(st, 14)));
    json_object_set_new(r, "last_read_seq", json_integer(last_read));

    int64_t unread = 0;
    int mention = 0;
    if (last_seq > last_read) {
        st = store__q(s,
                      "SELECT count(*) FROM messages WHERE room_id = ? AND seq > ? AND author_id != ? AND sender_id != ?"
                      " AND deleted_at IS NULL",
                      "IIII", room_id, last_read, viewer, viewer);
        if (store__row(s, st) == 1)
            unread = store__i64(st, 0);
        st = store__q(s,
                      "SELECT EXISTS(SELECT 1 FROM mentions WHERE user_id = ? AND room_id = ? AND seq > ?) OR"
                      " EXISTS(SELECT 1 FROM messages WHERE room_id = ? AND seq > ? AND mention_all = 1 AND author_id != ?"
                      " AND deleted_at IS NULL)",
                      "IIIIII", viewer, room_id, last_read, room_id, last_read, viewer);
        if (store__row(s, st) == 1)
            mention = store__int(st, 0);
    }
    json_object_set_new(r, "unread", json_integer(unread));
    json_object_set_new(r, "mention", json_boolean(mention));

    json_t *last = NULL;
    st = store__q(s, "SELECT id FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 1", "I", room_id);
    if (store__row(s, st) == 1)
        last = store_message_json(s, store__i64(st, 0));
    json_object_set_new(r, "last_message", last ? last : json_null());

    json_t *partner = NULL;
    if (is_direct) {
        st = store__q(s, "SELECT user_id FROM room_members WHERE room_id = ? AND user_id != ? LIMIT 1", "II", room_id, viewer);
        if (store__row(s, st) == 1)
            partner = store_user_json(s, store__i64(st, 0));
    }
    json_object_set_new(r, "partner", partner ? partner : json_null());
    return r;
}

json_t *
store_rooms_for_user(store_t *s, int64_t user_id, int archived)
{
    stmt_t *st = store__q(s,
                          "SELECT r.id FROM room_members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?"
                          " AND (? < 0 OR r.archived = ?) ORDER BY r.last_activity_at DESC, r.id DESC",
                          "Iii", user_id, archived, archived);
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *r = store_room_json(s, ids[i], user_id);
        if (r)
            json_array_append_new(arr, r);
    }
    free(ids);
    return arr;
}

json_t *
store_room_members_json(store_t *s, int64_t room_id)
{
    stmt_t *st = store__q(s,
                          "SELECT m.user_id, m.role, m.last_read_seq FROM room_members m JOIN users u ON u.id = m.user_id"
                          " WHERE m.room_id = ? ORDER BY m.role = 'owner' DESC, u.kana, u.id",
                          "I", room_id);
    int64_t *ids = NULL, *seqs = NULL;
    char **roles = NULL;
    size_t n = 0, cap = 0;
    while (store__row(s, st) == 1) {
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 16;
            seqs = xrealloc(seqs, c2 * sizeof(*seqs));
            roles = xrealloc(roles, c2 * sizeof(*roles));
        }
        seqs[n] = store__i64(st, 2);
        roles[n] = xstrdup(store__text(st, 1));
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *u = store_user_json(s, ids[i]);
        if (u) {
            json_object_set_new(u, "role", json_string(roles[i]));
            json_object_set_new(u, "last_read_seq", json_integer(seqs[i]));
            json_array_append_new(arr, u);
        }
        free(roles[i]);
    }
    free(ids);
    free(seqs);
    free(roles);
    return arr;
}

int
store_room_member_ids(store_t *s, int64_t room_id, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    stmt_t *st = store__q(s, "SELECT user_id FROM room_members WHERE room_id = ?", "I", room_id);
    int r;
    while ((r = store__row(s, st)) == 1)
        store__ids_push(ids, n, &cap, store__i64(st, 0));
    return r < 0 ? STORE_EIO : 0;
}

int
store_room_add_members(store_t *s, int64_t room_id, const int64_t *ids, size_t n, int64_t now, int64_t **added, size_t *nadded)
{
    size_t cap = 0;
    *added = NULL;
    *nadded = 0;
    for (size_t i = 0; i < n; i++) {
        if (store__row(s, store__q(s, "SELECT 1 FROM users WHERE id = ? AND disabled = 0", "I", ids[i])) != 1)
            return STORE_EINVAL;
        int rc = store__x(s,
                          "INSERT OR IGNORE INTO room_members(room_id, user_id, role, last_read_seq, joined_at)"
                          " VALUES(?, ?, 'member', 0, ?)",
                          "III", room_id, ids[i], now);
        if (rc != 0)
            return rc;
        if (store__changes(s) > 0)
            store__ids_push(added, nadded, &cap, ids[i]);
    }
    return 0;
}

int
store_room_remove_member(store_t *s, int64_t room_id, int64_t user_id)
{
    int rc = store__x(s, "DELETE FROM room_members WHERE room_id = ? AND user_id = ?", "II", room_id, user_id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    if (rc == 0)
        rc = store__x(s, "DELETE FROM mentions WHERE room_id = ? AND user_id = ?", "II", room_id, user_id);
    return rc;
}

int
store_room_update(store_t *s, int64_t room_id, json_t *fields, int64_t now)
{
    json_t *v;
    int rc = 0;
    if ((v = json_object_get(fields, "name")) != NULL)
        rc = store__x(s, "UPDATE rooms SET name = ? WHERE id = ?", "tI", json_string_value(v), room_id);
    if (rc == 0 && (v = json_object_get(fields, "topic")) != NULL)
        rc = store__x(s, "UPDATE rooms SET topic = ? WHERE id = ?", "tI", json_string_value(v), room_id);
    if (rc == 0 && (v = json_object_get(fields, "archived")) != NULL)
        rc = store__x(s, "UPDATE rooms SET archived = ? WHERE id = ?", "bI", json_is_true(v), room_id);
    return rc;
}

int
store_co_members(store_t *s, int64_t user_id, int64_t **ids, size_t *n)
{
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    stmt_t *st = store__q(s,
                          "SELECT DISTINCT m2.user_id FROM room_members m1 JOIN rooms r ON r.id = m1.room_id"
                          " AND r.kind IN ('direct', 'group') JOIN room_members m2 ON m2.room_id = m1.room_id"
                          " WHERE m1.user_id = ? AND m2.user_id != ?",
                          "II", user_id, user_id);
    int r;
    while ((r = store__row(s, st)) == 1)
        store__ids_push(ids, n, &cap, store__i64(st, 0));
    return r < 0 ? STORE_EIO : 0;
}

int
store_sync_department_rooms(store_t *s, int64_t user_id, int64_t now, int64_t **joined, size_t *nj, int64_t **left, size_t *nl)
{
    size_t cj = 0, cl = 0;
    *joined = *left = NULL;
    *nj = *nl = 0;
    /* Rooms the user should be in: department rooms of their department or any ancestor. */
    stmt_t *st = store__q(s,
                          "SELECT r.id FROM rooms r JOIN departments rd ON rd.id = r.department_id, users u"
                          " JOIN departments d ON d.id = u.department_id WHERE u.id = ? AND u.disabled = 0"
                          " AND r.kind = 'department' AND (d.id = rd.id OR d.path LIKE rd.path || ' %')"
                          " AND NOT EXISTS(SELECT 1 FROM room_members m WHERE m.room_id = r.id AND m.user_id = u.id)",
                          "I", user_id);
    while (store__row(s, st) == 1)
        store__ids_push(joined, nj, &cj, store__i64(st, 0));
    st = store__q(s,
                  "SELECT r.id FROM rooms r JOIN room_members m ON m.room_id = r.id AND m.user_id = ?"
                  " JOIN departments rd ON rd.id = r.department_id WHERE r.kind = 'department' AND NOT EXISTS("
                  " SELECT 1 FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = ? AND u.disabled = 0"
                  " AND (d.id = rd.id OR d.path LIKE rd.path || ' %'))",
                  "II", user_id, user_id);
    while (store__row(s, st) == 1)
        store__ids_push(left, nl, &cl, store__i64(st, 0));
    for (size_t i = 0; i < *nj; i++) {
        int rc = store__x(s, "INSERT OR IGNORE INTO room_members(room_id, user_id, role, joined_at) VALUES(?, ?, 'member', ?)",
                          "III", (*joined)[i], user_id, now);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < *nl; i++) {
        int rc = store_room_remove_member(s, (*left)[i], user_id);
        if (rc != 0 && rc != STORE_ENOTFOUND)
            return rc;
    }
    return 0;
}

int
store_room_records_set(store_t *s, int64_t room_id, const char *classification, int64_t retention_days, int legal_hold,
                       int approval_reminder)
{
    int rc = store__x(s,
                      "UPDATE rooms SET classification = ?, retention_days = nullif(?, -1), legal_hold = ?, approval_reminder = ?"
                      " WHERE id = ?",
                      "tIbbI", classification, retention_days, legal_hold, approval_reminder, room_id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ENOTFOUND;
    return rc;
}

int
store_retention_rooms(store_t *s, int64_t **rooms, int64_t **days, size_t *n)
{
    size_t cap = 0, cap2 = 0, n2 = 0;
    *rooms = *days = NULL;
    *n = 0;
    stmt_t *st =
        store__q(s, "SELECT id, retention_days FROM rooms WHERE retention_days IS NOT NULL AND legal_hold = 0 ORDER BY id", "");
    int r;
    while ((r = store__row(s, st)) == 1) {
        store__ids_push(rooms, n, &cap, store__i64(st, 0));
        store__ids_push(days, &n2, &cap2, store__i64(st, 1));
    }
    return r < 0 ? STORE_EIO : 0;
}

int
store_retention_purge(store_t *s, int64_t room_id, int64_t cutoff, int max, int *count, char ***hashes, size_t *nhashes)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    *count = 0;
    *hashes = NULL;
    *nhashes = 0;
    stmt_t *st = store__q(s, "SELECT id FROM messages WHERE room_id = ? AND created_at < ? ORDER BY seq LIMIT ?", "IIi", room_id,
                          cutoff, max);
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    for (size_t i = 0; i < n && rc == 0; i++) {
        char **h = NULL;
        size_t nh = 0;
        /* A purge of the content first (files detached, edits and snapshots wiped), then the row. */
        rc = store_message_delete(s, ids[i], 0, 0, 1, &h, &nh);
        if (rc == 0)
            rc = store__x(s, "DELETE FROM messages WHERE id = ?", "I", ids[i]);
        for (size_t k = 0; k < nh; k++) {
            *hashes = xrealloc(*hashes, (*nhashes + 1) * sizeof(char *));
            (*hashes)[(*nhashes)++] = h[k];
        }
        free(h);
        if (rc == 0)
            (*count)++;
    }
    free(ids);
    return rc;
}

json_t *
store_rooms_all_json(store_t *s)
{
    stmt_t *st = store__q(s, "SELECT id FROM rooms WHERE kind != 'direct' ORDER BY last_activity_at DESC, id DESC LIMIT 2000", "");
    return store__objects_of(s, st, store_room_public_json);
}
