/*
 * Notes, meetings, message tags, phone-message memos and the paper-saved figures in the SQLite
 * store.
 *
 * A note keeps every version it had (note_versions), so an earlier text can always be shown;
 * the current title and body are also on the notes row for listing. Who opened a note is one
 * row per person (first and last time), the raw material of both pre-reading and the sheets
 * not printed. Statements are cached per connection, so a function that builds JSON from
 * rows first collects the ids and then runs the nested queries.
 */
#include "store/store_int.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON array column: parsed, or an empty array should it ever not parse. */
static json_t *
json_or_array(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    return v ? v : json_array();
}

static int
note_files_set(store_t *s, int64_t note_id, int64_t room_id, const int64_t *file_ids, size_t nfiles)
{
    int rc = store__x(s, "DELETE FROM note_files WHERE note_id = ?", "I", note_id);
    for (size_t i = 0; rc == 0 && i < nfiles; i++) {
        rc = store__x(s, "INSERT OR IGNORE INTO note_files(note_id, file_id, room_id) VALUES(?, ?, ?)", "III", note_id, file_ids[i],
                      room_id);
        if (rc == 0)
            rc = store__x(s, "UPDATE files SET attached = 1 WHERE id = ?", "I", file_ids[i]);
    }
    return rc;
}

static int
version_insert(store_t *s, int64_t note_id, int64_t version, const char *title, const char *body, int64_t editor, int64_t now)
{
    /* The version records the attachments as they are after the change. */
    json_t *files = json_array();
    stmt_t *st = store__q(s, "SELECT file_id FROM note_files WHERE note_id = ? ORDER BY file_id", "I", note_id);
    while (store__row(s, st) == 1)
        json_array_append_new(files, json_integer(store__i64(st, 0)));
    char *ft = json_dumps(files, JSON_COMPACT);
    json_decref(files);
    int rc = store__x(s,
                      "INSERT INTO note_versions(note_id, version, title, body, file_ids, editor_id, created_at)"
                      " VALUES(?, ?, ?, ?, ?, ?, ?)",
                      "IItttII", note_id, version, title, body, ft, editor, now);
    free(ft);
    return rc;
}

int64_t
store_note_next_material_no(store_t *s, int64_t room_id)
{
    stmt_t *st = store__q(s, "SELECT ifnull(max(material_no), 0) + 1 FROM notes WHERE room_id = ?", "I", room_id);
    return store__row(s, st) == 1 ? store__i64(st, 0) : 1;
}

int
store_note_create(store_t *s, const struct store_note_in *in, int numbered, int64_t now, int64_t *id, int64_t *material_no)
{
    int64_t no = numbered ? store_note_next_material_no(s, in->room_id) : 0;
    char *title = NULL;
    if (numbered) {
        /* The caller's title carries one %lld for the number, decided here inside the
         * transaction so two materials posted at once cannot share it. */
        size_t n = strlen(in->title) + 32;
        title = xmalloc(n);
        const char *p = strstr(in->title, "%lld");
        if (p)
            snprintf(title, n, "%.*s%lld%s", (int)(p - in->title), in->title, (long long)no, p + 4);
        else
            snprintf(title, n, "%s", in->title);
    }
    int rc = store__x(s,
                      "INSERT INTO notes(room_id, kind, title, body, version, material_no, meeting_id, author_id, updated_by,"
                      " created_at, updated_at) VALUES(?, ?, ?, ?, 1, nullif(?, 0), nullif(?, 0), ?, ?, ?, ?)",
                      "ItttIIIIII", in->room_id, in->kind, title ? title : in->title, in->body, no, in->meeting_id, in->author_id,
                      in->author_id, now, now);
    if (rc == 0) {
        *id = store__last_id(s);
        rc = note_files_set(s, *id, in->room_id, in->file_ids, in->nfiles);
    }
    if (rc == 0)
        rc = version_insert(s, *id, 1, title ? title : in->title, in->body, in->author_id, now);
    free(title);
    if (material_no)
        *material_no = no;
    return rc;
}

int
store_note_update(store_t *s, int64_t id, int64_t base_version, const char *title, const char *body, const int64_t *file_ids,
                  size_t nfiles, int keep_files, int64_t editor, int64_t now, int64_t *version)
{
    struct store_note_meta m;
    int rc = store_note_meta(s, id, &m);
    if (rc != 0)
        return rc;
    if (m.deleted)
        return STORE_ENOTFOUND;
    if (base_version != m.version)
        return STORE_ECONFLICT;
    *version = m.version + 1;
    rc = store__x(s, "UPDATE notes SET title = ?, body = ?, version = ?, updated_by = ?, updated_at = ? WHERE id = ?", "ttIIII",
                  title, body, *version, editor, now, id);
    if (rc == 0 && !keep_files)
        rc = note_files_set(s, id, m.room_id, file_ids, nfiles);
    if (rc == 0)
        rc = version_insert(s, id, *version, title, body, editor, now);
    return rc;
}

int
store_note_meta(store_t *s, int64_t id, struct store_note_meta *out)
{
    stmt_t *st = store__q(s,
                          "SELECT id, room_id, author_id, ifnull(meeting_id, 0), version, ifnull(reminded_at, 0), kind,"
                          " deleted_at IS NOT NULL FROM notes WHERE id = ?",
                          "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    out->room_id = store__i64(st, 1);
    out->author_id = store__i64(st, 2);
    out->meeting_id = store__i64(st, 3);
    out->version = store__i64(st, 4);
    out->reminded_at = store__i64(st, 5);
    snprintf(out->kind, sizeof(out->kind), "%s", store__text(st, 6));
    out->deleted = store__int(st, 7);
    return 0;
}

int
store_note_set_meeting(store_t *s, int64_t id, int64_t meeting_id)
{
    return store__x(s, "UPDATE notes SET meeting_id = ?, kind = CASE kind WHEN 'note' THEN 'material' ELSE kind END WHERE id = ?",
                    "II", meeting_id, id);
}

int
store_note_delete(store_t *s, int64_t id, int64_t now)
{
    return store__x(s, "UPDATE notes SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", "II", now, id);
}

int
store_note_set_reminded(store_t *s, int64_t id, int64_t now)
{
    return store__x(s, "UPDATE notes SET reminded_at = ? WHERE id = ?", "II", now, id);
}

/* The note's attachments with their page counts; *pages is their sum, or -1 when one is unknown. */
static json_t *
note_files_json(store_t *s, int64_t note_id, int64_t *pages)
{
    json_t *files = json_array();
    *pages = 0;
    stmt_t *st = store__q(s,
                          "SELECT f.id, f.name, f.size, f.type, f.pages, ifnull(f.pages_status, 'unknown') FROM note_files nf"
                          " JOIN files f ON f.id = nf.file_id WHERE nf.note_id = ? ORDER BY f.id",
                          "I", note_id);
    while (store__row(s, st) == 1) {
        int known = !store__null(st, 4);
        json_array_append_new(files,
                              json_pack("{sI ss sI ss so ss}", "id", (json_int_t)store__i64(st, 0), "name", store__text(st, 1),
                                        "size", (json_int_t)store__i64(st, 2), "type", store__text(st, 3), "pages",
                                        known ? json_integer(store__i64(st, 4)) : json_null(), "pages_status", store__text(st, 5)));
        if (!known)
            *pages = -1;
        else if (*pages >= 0)
            *pages += store__i64(st, 4);
    }
    return files;
}

json_t *
store_note_json(store_t *s, int64_t id, int with_body)
{
    stmt_t *st = store__q(s,
                          "SELECT id, room_id, kind, title, body, version, material_no, meeting_id, author_id, updated_by,"
                          " created_at, updated_at, reminded_at FROM notes WHERE id = ? AND deleted_at IS NULL",
                          "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    int64_t room_id = store__i64(st, 1), author = store__i64(st, 8), editor = store__i64(st, 9);
    json_t *n = json_pack("{sI sI ss ss sI so so so so so}", "id", (json_int_t)id, "room_id", (json_int_t)room_id, "kind",
                          store__text(st, 2), "title", store__text(st, 3), "version", (json_int_t)store__i64(st, 5), "material_no",
                          store__null(st, 6) ? json_null() : json_integer(store__i64(st, 6)), "meeting_id",
                          store__null(st, 7) ? json_null() : json_integer(store__i64(st, 7)), "created_at", store__jtime(st, 10),
                          "updated_at", store__jtime(st, 11), "reminded_at", store__jtime(st, 12));
    if (with_body)
        json_object_set_new(n, "body", store__jstr(st, 4));
    json_object_set_new(n, "author", store__user_brief(s, author));
    json_object_set_new(n, "updated_by", store__user_brief(s, editor));
    int64_t pages;
    json_object_set_new(n, "files", note_files_json(s, id, &pages));
    json_object_set_new(n, "pages", pages >= 0 ? json_integer(pages) : json_null());
    st = store__q(s,
                  "SELECT (SELECT count(*) FROM note_reads r JOIN room_members m ON m.room_id = ? AND m.user_id = r.user_id"
                  "   WHERE r.note_id = ? AND r.user_id != ?),"
                  " (SELECT count(*) FROM room_members m JOIN users u ON u.id = m.user_id"
                  "   WHERE m.room_id = ? AND m.user_id != ? AND u.kind != 'department')",
                  "IIIII", room_id, id, author, room_id, author);
    if (store__row(s, st) == 1) {
        json_object_set_new(n, "read_count", json_integer(store__i64(st, 0)));
        json_object_set_new(n, "reader_total", json_integer(store__i64(st, 1)));
    }
    return n;
}

json_t *
store_notes_list(store_t *s, int64_t room_id, int64_t viewer)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    stmt_t *st = store__q(s, "SELECT id FROM notes WHERE room_id = ? AND deleted_at IS NULL ORDER BY updated_at DESC, id DESC", "I",
                          room_id);
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *note = store_note_json(s, ids[i], 0);
        if (note == NULL)
            continue;
        st = store__q(s, "SELECT 1 FROM note_reads WHERE note_id = ? AND user_id = ?", "II", ids[i], viewer);
        json_object_set_new(note, "opened", json_boolean(store__row(s, st) == 1));
        json_array_append_new(arr, note);
    }
    free(ids);
    return arr;
}

int
store_note_read(store_t *s, int64_t note_id, int64_t user_id, int64_t now)
{
    return store__x(s,
                    "INSERT INTO note_reads(note_id, user_id, first_at, last_at) VALUES(?, ?, ?, ?)"
                    " ON CONFLICT(note_id, user_id) DO UPDATE SET last_at = excluded.last_at",
                    "IIII", note_id, user_id, now, now);
}

json_t *
store_note_reads_json(store_t *s, int64_t note_id)
{
    struct store_note_meta m;
    if (store_note_meta(s, note_id, &m) != 0)
        return NULL;
    int64_t *ids = NULL, *at = NULL;
    size_t n = 0, cap = 0, n2 = 0, cap2 = 0;
    stmt_t *st = store__q(s,
                          "SELECT m.user_id, r.first_at FROM room_members m JOIN users u ON u.id = m.user_id"
                          " LEFT JOIN note_reads r ON r.note_id = ? AND r.user_id = m.user_id"
                          " WHERE m.room_id = ? AND m.user_id != ? AND u.kind != 'department' ORDER BY u.kana, u.id",
                          "III", note_id, m.room_id, m.author_id);
    while (store__row(s, st) == 1) {
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
        store__ids_push(&at, &n2, &cap2, store__null(st, 1) ? 0 : store__i64(st, 1));
    }
    json_t *read = json_array(), *unread = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *u = store__user_brief(s, ids[i]);
        if (at[i]) {
            char buf[32];
            json_array_append_new(read, json_pack("{so ss}", "user", u, "first_at", time_format_jst(at[i], buf)));
        } else {
            json_array_append_new(unread, u);
        }
    }
    free(ids);
    free(at);
    return json_pack("{so so}", "read", read, "unread", unread);
}

int
store_note_unread_ids(store_t *s, int64_t note_id, int64_t **ids, size_t *n)
{
    struct store_note_meta m;
    size_t cap = 0;
    *ids = NULL;
    *n = 0;
    if (store_note_meta(s, note_id, &m) != 0)
        return STORE_ENOTFOUND;
    stmt_t *st = store__q(s,
                          "SELECT m.user_id FROM room_members m JOIN users u ON u.id = m.user_id"
                          " WHERE m.room_id = ? AND m.user_id != ? AND u.kind != 'department' AND NOT EXISTS("
                          " SELECT 1 FROM note_reads r WHERE r.note_id = ? AND r.user_id = m.user_id) ORDER BY m.user_id",
                          "III", m.room_id, m.author_id, note_id);
    while (store__row(s, st) == 1)
        store__ids_push(ids, n, &cap, store__i64(st, 0));
    return 0;
}

json_t *
store_note_versions_json(store_t *s, int64_t note_id)
{
    int64_t *ed = NULL;
    size_t n = 0, cap = 0;
    json_t *arr = json_array();
    stmt_t *st = store__q(s,
                          "SELECT version, title, created_at, editor_id, length(body) FROM note_versions WHERE note_id = ?"
                          " ORDER BY version DESC",
                          "I", note_id);
    while (store__row(s, st) == 1) {
        json_array_append_new(arr, json_pack("{sI ss so sI}", "version", (json_int_t)store__i64(st, 0), "title", store__text(st, 1),
                                             "created_at", store__jtime(st, 2), "body_bytes", (json_int_t)store__i64(st, 4)));
        store__ids_push(&ed, &n, &cap, store__i64(st, 3));
    }
    for (size_t i = 0; i < n; i++)
        json_object_set_new(json_array_get(arr, i), "editor", store__user_brief(s, ed[i]));
    free(ed);
    return arr;
}

json_t *
store_note_version_json(store_t *s, int64_t note_id, int64_t version)
{
    stmt_t *st = store__q(s,
                          "SELECT version, title, body, file_ids, editor_id, created_at FROM note_versions"
                          " WHERE note_id = ? AND version = ?",
                          "II", note_id, version);
    if (store__row(s, st) != 1)
        return NULL;
    int64_t editor = store__i64(st, 4);
    json_t *v = json_pack("{sI sI ss ss so so}", "note_id", (json_int_t)note_id, "version", (json_int_t)store__i64(st, 0), "title",
                          store__text(st, 1), "body", store__text(st, 2), "file_ids", json_or_array(store__text(st, 3)),
                          "created_at", store__jtime(st, 5));
    json_object_set_new(v, "editor", store__user_brief(s, editor));
    return v;
}

int
store_note_file_readable(store_t *s, int64_t file_id, int64_t user_id)
{
    stmt_t *st = store__q(s,
                          "SELECT 1 FROM note_files nf JOIN notes n ON n.id = nf.note_id AND n.deleted_at IS NULL"
                          " JOIN room_members rm ON rm.room_id = nf.room_id AND rm.user_id = ? WHERE nf.file_id = ? LIMIT 1",
                          "II", user_id, file_id);
    return store__row(s, st) == 1;
}

/* ---- suggested edits (R25) ---- */

int
store_suggestion_create(store_t *s, int64_t note_id, int64_t user_id, int64_t base_version, const char *title, const char *body,
                        int64_t now, int64_t *id)
{
    int rc = store__x(
        s, "INSERT INTO note_suggestions(note_id, user_id, base_version, title, body, created_at) VALUES(?, ?, ?, ?, ?, ?)",
        "IIIttI", note_id, user_id, base_version, title, body, now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

int
store_suggestion_get(store_t *s, int64_t id, struct store_suggestion *out)
{
    stmt_t *st =
        store__q(s, "SELECT id, note_id, user_id, base_version, status, title, body FROM note_suggestions WHERE id = ?", "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    out->note_id = store__i64(st, 1);
    out->user_id = store__i64(st, 2);
    out->base_version = store__i64(st, 3);
    snprintf(out->status, sizeof(out->status), "%s", store__text(st, 4));
    out->title = xstrdup(store__text(st, 5));
    out->body = xstrdup(store__text(st, 6));
    return 0;
}

int
store_suggestion_resolve(store_t *s, int64_t id, const char *status, int64_t by, int64_t now)
{
    int rc =
        store__x(s, "UPDATE note_suggestions SET status = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND status = 'open'",
                 "tIII", status, by, now, id);
    if (rc == 0 && store__changes(s) == 0)
        return STORE_ECONFLICT;
    return rc;
}

json_t *
store_suggestions_json(store_t *s, int64_t note_id)
{
    int64_t *who = NULL;
    size_t n = 0, cap = 0;
    json_t *arr = json_array();
    stmt_t *st = store__q(s,
                          "SELECT id, base_version, title, body, status, created_at, resolved_at, user_id FROM note_suggestions"
                          " WHERE note_id = ? ORDER BY id DESC LIMIT 100",
                          "I", note_id);
    while (store__row(s, st) == 1) {
        json_array_append_new(arr, json_pack("{sI sI ss ss ss so so}", "id", (json_int_t)store__i64(st, 0), "base_version",
                                             (json_int_t)store__i64(st, 1), "title", store__text(st, 2), "body", store__text(st, 3),
                                             "status", store__text(st, 4), "created_at", store__jtime(st, 5), "resolved_at",
                                             store__jtime(st, 6)));
        store__ids_push(&who, &n, &cap, store__i64(st, 7));
    }
    for (size_t i = 0; i < n; i++)
        json_object_set_new(json_array_get(arr, i), "user", store__user_brief(s, who[i]));
    free(who);
    return arr;
}

/* ---- meetings ---- */

int
store_meeting_create(store_t *s, const struct store_meeting_in *in, int64_t now, int64_t *id)
{
    int rc = store__x(s,
                      "INSERT INTO meetings(room_id, title, starts_at, ends_at, place, chat_only, agenda, organiser_id, created_at,"
                      " updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      "ItIItbtIII", in->room_id, in->title, in->starts_at, in->ends_at, in->place, in->chat_only, in->agenda,
                      in->organiser_id, now, now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

int
store_meeting_update(store_t *s, int64_t id, json_t *fields, int64_t now)
{
    int rc = 0;
    json_t *v;
    if (rc == 0 && (v = json_object_get(fields, "title")))
        rc = store__x(s, "UPDATE meetings SET title = ? WHERE id = ?", "tI", json_string_value(v), id);
    if (rc == 0 && (v = json_object_get(fields, "place")))
        rc = store__x(s, "UPDATE meetings SET place = ? WHERE id = ?", "tI", json_string_value(v), id);
    if (rc == 0 && (v = json_object_get(fields, "chat_only")))
        rc = store__x(s, "UPDATE meetings SET chat_only = ? WHERE id = ?", "bI", json_is_true(v), id);
    if (rc == 0 && (v = json_object_get(fields, "starts_at")))
        rc = store__x(s, "UPDATE meetings SET starts_at = ? WHERE id = ?", "II", (int64_t)json_integer_value(v), id);
    if (rc == 0 && (v = json_object_get(fields, "ends_at")))
        rc = store__x(s, "UPDATE meetings SET ends_at = ? WHERE id = ?", "II", (int64_t)json_integer_value(v), id);
    if (rc == 0 && (v = json_object_get(fields, "agenda"))) {
        char *t = json_dumps(v, JSON_COMPACT);
        rc = store__x(s, "UPDATE meetings SET agenda = ? WHERE id = ?", "tI", t, id);
        free(t);
    }
    if (rc == 0)
        rc = store__x(s, "UPDATE meetings SET updated_at = ? WHERE id = ?", "II", now, id);
    return rc;
}

int
store_meeting_meta(store_t *s, int64_t id, int64_t *room_id, int64_t *organiser_id)
{
    stmt_t *st = store__q(s, "SELECT room_id, organiser_id FROM meetings WHERE id = ?", "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    if (room_id)
        *room_id = store__i64(st, 0);
    if (organiser_id)
        *organiser_id = store__i64(st, 1);
    return 0;
}

int
store_meeting_set_minutes(store_t *s, int64_t id, int64_t note_id)
{
    return store__x(s, "UPDATE meetings SET minutes_note_id = ? WHERE id = ?", "II", note_id, id);
}

json_t *
store_meeting_json(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s,
                          "SELECT id, room_id, title, starts_at, ends_at, place, chat_only, agenda, organiser_id,"
                          " minutes_note_id, created_at, updated_at FROM meetings WHERE id = ?",
                          "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    int64_t organiser = store__i64(st, 8);
    json_t *m = json_pack("{sI sI ss so so ss sb so so so so}", "id", (json_int_t)id, "room_id", (json_int_t)store__i64(st, 1),
                          "title", store__text(st, 2), "starts_at", store__jtime(st, 3), "ends_at", store__jtime(st, 4), "place",
                          store__text(st, 5), "chat_only", store__int(st, 6), "agenda", json_or_array(store__text(st, 7)),
                          "minutes_note_id", store__null(st, 9) ? json_null() : json_integer(store__i64(st, 9)), "created_at",
                          store__jtime(st, 10), "updated_at", store__jtime(st, 11));
    json_object_set_new(m, "organiser", store__user_brief(s, organiser));
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    st = store__q(s, "SELECT id FROM notes WHERE meeting_id = ? AND kind != 'minutes' AND deleted_at IS NULL ORDER BY id", "I", id);
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    json_t *mat = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *note = store_note_json(s, ids[i], 0);
        if (note)
            json_array_append_new(mat, note);
    }
    free(ids);
    json_object_set_new(m, "materials", mat);
    json_t *counts = json_object();
    st = store__q(s, "SELECT tag, count(*) FROM message_tags WHERE meeting_id = ? GROUP BY tag", "I", id);
    while (store__row(s, st) == 1)
        json_object_set_new(counts, store__text(st, 0), json_integer(store__i64(st, 1)));
    json_object_set_new(m, "tag_counts", counts);
    return m;
}

json_t *
store_meetings_list(store_t *s, int64_t room_id)
{
    return store__objects_of(
        s, store__q(s, "SELECT id FROM meetings WHERE room_id = ? ORDER BY starts_at DESC, id DESC LIMIT 200", "I", room_id),
        store_meeting_json);
}

int64_t
store_meeting_current(store_t *s, int64_t room_id, int64_t at)
{
    stmt_t *st = store__q(s,
                          "SELECT id FROM meetings WHERE room_id = ? AND created_at <= ? + 1000 AND ends_at + 86400000 >= ?"
                          " ORDER BY starts_at DESC, id DESC LIMIT 1",
                          "III", room_id, at, at);
    return store__row(s, st) == 1 ? store__i64(st, 0) : 0;
}

json_t *
store_meeting_tagged(store_t *s, int64_t meeting_id)
{
    struct row {
        int64_t id, sender, assignee;
    } *rows = NULL;
    size_t n = 0, cap = 0;
    json_t *arr = json_array();
    stmt_t *st = store__q(s,
                          "SELECT m.id, m.seq, t.tag, m.text, m.sender_id, m.created_at, t.answer_to, t.assignee_id,"
                          " t.due_date FROM message_tags t JOIN messages m ON m.id = t.message_id"
                          " WHERE t.meeting_id = ? AND m.deleted_at IS NULL ORDER BY m.seq",
                          "I", meeting_id);
    while (store__row(s, st) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            rows = xrealloc(rows, cap * sizeof(*rows));
        }
        rows[n].id = store__i64(st, 0);
        rows[n].sender = store__i64(st, 4);
        rows[n].assignee = store__i64(st, 7);
        n++;
        json_array_append_new(arr, json_pack("{sI sI ss ss so so so}", "message_id", (json_int_t)store__i64(st, 0), "seq",
                                             (json_int_t)store__i64(st, 1), "tag", store__text(st, 2), "text", store__text(st, 3),
                                             "created_at", store__jtime(st, 5), "answer_to",
                                             store__null(st, 6) ? json_null() : json_integer(store__i64(st, 6)), "due_date",
                                             store__jstr(st, 8)));
    }
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        json_object_set_new(o, "sender", store__user_brief(s, rows[i].sender));
        json_object_set_new(o, "assignee", rows[i].assignee ? store__user_brief(s, rows[i].assignee) : json_null());
    }
    free(rows);
    return arr;
}

json_t *
store_meeting_attendees(store_t *s, int64_t meeting_id)
{
    stmt_t *st = store__q(s,
                          "SELECT u.id FROM users u WHERE u.kind != 'department' AND u.id IN ("
                          " SELECT m.author_id FROM meetings g JOIN messages m ON m.room_id = g.room_id"
                          "   AND m.created_at BETWEEN g.starts_at AND g.ends_at WHERE g.id = ?1"
                          " UNION SELECT m.author_id FROM message_tags t JOIN messages m ON m.id = t.message_id"
                          "   WHERE t.meeting_id = ?1"
                          " UNION SELECT r.user_id FROM notes n JOIN note_reads r ON r.note_id = n.id WHERE n.meeting_id = ?1"
                          " UNION SELECT organiser_id FROM meetings WHERE id = ?1) ORDER BY u.kana, u.id",
                          "I", meeting_id);
    return store__objects_of(s, st, store__user_brief);
}

/* ---- message tags ---- */

int
store_tag_set(store_t *s, const struct store_tag_in *in, int64_t now)
{
    int rc = store__x(s,
                      "INSERT INTO message_tags(message_id, room_id, meeting_id, tag, answer_to, assignee_id, due_date,"
                      " set_by, set_at) VALUES(?, ?, nullif(?, 0), ?, nullif(?, 0), nullif(?, 0), ?, ?, ?)"
                      " ON CONFLICT(message_id) DO UPDATE SET room_id = excluded.room_id, meeting_id = excluded.meeting_id,"
                      " tag = excluded.tag, answer_to = excluded.answer_to, assignee_id = excluded.assignee_id,"
                      " due_date = excluded.due_date, set_by = excluded.set_by, set_at = excluded.set_at",
                      "IIItIItII", in->message_id, in->room_id, in->meeting_id, in->tag, in->answer_to, in->assignee_id,
                      in->due_date, in->set_by, now);
    if (rc == 0)
        rc = store__x(s, "UPDATE messages SET tag = ? WHERE id = ?", "tI", in->tag, in->message_id);
    return rc;
}

int
store_tag_clear(store_t *s, int64_t message_id)
{
    int rc = store__x(s, "DELETE FROM message_tags WHERE message_id = ?", "I", message_id);
    if (rc == 0)
        rc = store__x(s, "UPDATE messages SET tag = NULL WHERE id = ?", "I", message_id);
    return rc;
}

/* ---- phone-message memos (不在・伝言メモ) ---- */

int
store_memo_create(store_t *s, const struct store_memo_in *in, int64_t now, int64_t *id)
{
    int rc =
        store__x(s,
                 "INSERT INTO memos(for_user_id, taker_id, room_id, caller_name, caller_org, callback_number, received_at, body,"
                 " request, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 "IIItttIttI", in->for_user_id, in->taker_id, in->room_id, in->caller_name, in->caller_org, in->callback_number,
                 in->received_at, in->body, in->request, now);
    if (rc == 0)
        *id = store__last_id(s);
    return rc;
}

int
store_memo_set_message(store_t *s, int64_t id, int64_t message_id)
{
    return store__x(s, "UPDATE memos SET message_id = ? WHERE id = ?", "II", message_id, id);
}

int
store_memo_confirm(store_t *s, int64_t id, int64_t now, int64_t *message_id)
{
    stmt_t *st = store__q(s, "SELECT confirmed_at IS NOT NULL, ifnull(message_id, 0) FROM memos WHERE id = ?", "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    int done = store__int(st, 0);
    *message_id = store__i64(st, 1);
    if (done)
        return STORE_ECONFLICT;
    return store__x(s, "UPDATE memos SET confirmed_at = ? WHERE id = ?", "II", now, id);
}

int
store_memo_people(store_t *s, int64_t id, int64_t *for_user_id, int64_t *taker_id)
{
    stmt_t *st = store__q(s, "SELECT for_user_id, taker_id FROM memos WHERE id = ?", "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    *for_user_id = store__i64(st, 0);
    *taker_id = store__i64(st, 1);
    return 0;
}

json_t *
store_memo_json(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s,
                          "SELECT id, for_user_id, taker_id, room_id, message_id, caller_name, caller_org, callback_number,"
                          " received_at, body, request, confirmed_at, created_at FROM memos WHERE id = ?",
                          "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    int64_t for_user = store__i64(st, 1), taker = store__i64(st, 2);
    json_t *m = json_pack("{sI sI so ss ss ss so ss ss so so}", "id", (json_int_t)id, "room_id", (json_int_t)store__i64(st, 3),
                          "message_id", store__null(st, 4) ? json_null() : json_integer(store__i64(st, 4)), "caller_name",
                          store__text(st, 5), "caller_org", store__text(st, 6), "callback_number", store__text(st, 7),
                          "received_at", store__jtime(st, 8), "body", store__text(st, 9), "request", store__text(st, 10),
                          "confirmed_at", store__jtime(st, 11), "created_at", store__jtime(st, 12));
    json_object_set_new(m, "for_user", store__user_brief(s, for_user));
    json_object_set_new(m, "taker", store__user_brief(s, taker));
    return m;
}

json_t *
store_memos_json(store_t *s, int64_t for_user, int64_t taker, int unconfirmed_only)
{
    stmt_t *st = store__q(s,
                          "SELECT id FROM memos WHERE (?1 = 0 OR for_user_id = ?1) AND (?2 = 0 OR taker_id = ?2)"
                          " AND (?3 = 0 OR confirmed_at IS NULL) ORDER BY id DESC LIMIT 200",
                          "IIb", for_user, taker, unconfirmed_only);
    return store__objects_of(s, st, store_memo_json);
}

int
store_message_set_card(store_t *s, int64_t message_id, const char *card)
{
    return store__x(s, "UPDATE messages SET card = ? WHERE id = ?", "tI", card, message_id);
}

int
store_file_set_pages(store_t *s, int64_t id, int pages, const char *status)
{
    return store__x(s, "UPDATE files SET pages = CASE WHEN ? = 'ok' THEN ? END, pages_status = ? WHERE id = ?", "titI", status,
                    pages, status, id);
}

/* ---- paper saved (R24) ---- */

int
store_paper_rows(store_t *s, int64_t from_ms, int64_t to_ms, int (*fn)(void *arg, const struct store_paper_row *row), void *arg)
{
    /* The department is the room's own (a department room) or that of its first owner. */
    stmt_t *st = store__q(s,
                          "SELECT n.id, n.room_id, r.first_at, ifnull(d.id, 0), ifnull(d.path, ''), n.title,"
                          " (SELECT CASE WHEN count(*) = count(f.pages) THEN sum(f.pages) ELSE -1 END"
                          "    FROM note_files nf JOIN files f ON f.id = nf.file_id WHERE nf.note_id = n.id)"
                          " FROM notes n JOIN note_reads r ON r.note_id = n.id AND r.user_id != n.author_id"
                          " JOIN users ru ON ru.id = r.user_id AND ru.kind != 'department'"
                          " JOIN rooms rm ON rm.id = n.room_id"
                          " LEFT JOIN departments d ON d.id = coalesce(rm.department_id,"
                          "   (SELECT u.department_id FROM room_members m JOIN users u ON u.id = m.user_id"
                          "     WHERE m.room_id = rm.id AND m.role = 'owner' ORDER BY m.joined_at, m.user_id LIMIT 1),"
                          "   (SELECT department_id FROM users WHERE id = rm.created_by))"
                          " WHERE n.deleted_at IS NULL AND r.first_at >= ? AND r.first_at < ?"
                          "   AND EXISTS(SELECT 1 FROM note_files WHERE note_id = n.id)"
                          " ORDER BY r.first_at",
                          "II", from_ms, to_ms);
    int r;
    while ((r = store__row(s, st)) == 1) {
        struct store_paper_row row = {
            .note_id = store__i64(st, 0),
            .room_id = store__i64(st, 1),
            .opened_at = store__i64(st, 2),
            .department_id = store__i64(st, 3),
            .department = store__text(st, 4),
            .title = store__text(st, 5),
            .pages = store__i64(st, 6),
        };
        int rc = fn(arg, &row);
        if (rc != 0)
            return rc;
    }
    return r < 0 ? STORE_EIO : 0;
}
