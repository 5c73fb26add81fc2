/*
 * The store: Kairan's only door to persistent data.
 *
 * A `store_t` is one connection, owned by one thread at a time: each loop thread and job thread
 * holds one for reads, the writer thread (store/writer.h) holds the one that writes, and the
 * admin command opens its own. All SQL lives under src/store/; callers see ids, plain structs
 * and JSON objects (jansson) shaped as docs/api.md describes, never a SQLite type. The backend
 * today is SQLite in WAL mode with synchronous=FULL; store_pg.c will implement this same
 * interface for the multi-node deployment.
 *
 * Functions return 0 on success or a negative STORE_E* code. Functions returning json_t * give
 * the caller a new reference (caller must json_decref), or NULL when the row does not exist.
 */
#ifndef KAIRAN_STORE_STORE_H
#define KAIRAN_STORE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store_t;

enum {
    STORE_OK = 0,
    STORE_ENOTFOUND = -1,
    STORE_ECONFLICT = -2,
    STORE_EIO = -3,    /* the database failed: fatal for the writer */
    STORE_EINVAL = -4, /* the request contradicts the data (e.g. reply to another room) */
    STORE_EFORBIDDEN = -5,
    STORE_ETOONEW = -6, /* the database's schema is newer than this binary */
    STORE_EFULL = -7,   /* the disk is full: the change was rolled back cleanly, nothing was kept */
};

struct store_options {
    int keep_deleted_content; /* keep a deleted message's text for the disclosure officer */
    const char *dsn;          /* a PostgreSQL connection string (libpq); NULL or "" for SQLite in data_dir */
};

/*
 * Opens (creating if needed) data_dir/kairan.db and applies pending migrations when `migrate`
 * is set. Writes a reason to err on failure. The returned store is closed with store_close.
 */
store_t *store_open(const char *data_dir, int migrate, const struct store_options *opt, char *err, size_t errlen);
void store_close(store_t *s);
/*
 * Ends the read snapshot that unfinished statements hold. Call it when a unit of work on a
 * connection is done (a request, a job, a batch), so the next one sees the latest commit.
 */
void store_end_reads(store_t *s);
/* SQLite: copies the WAL into the database on a thread of its own instead of inside the
 * writer's COMMITs (call once, before the writer starts). PostgreSQL: nothing. */
int store_checkpointer_start(store_t *writer);

/*
 * The writer's fsync, taken out of its COMMIT (SQLite; see writer.c): after
 * store_defer_sync(s), COMMIT on `s` writes the WAL but no longer waits for the disk, and
 * nothing committed may be acknowledged before a later store_sync(s) has returned 0.
 * store_sync flushes the WAL through a descriptor of its own and may run on another thread
 * while `s` works on the next transaction. store_defer_sync returns 1 when it took effect,
 * 0 when COMMIT stays durable by itself (PostgreSQL, or the pragma was refused).
 */
int store_defer_sync(store_t *s);
int store_sync(store_t *s);

/*
 * Moves the WAL's content into the database and truncates the WAL, so that earlier versions
 * of pages (e.g. a deleted message's text) do not linger on disk. Writer thread only.
 */
void store_checkpoint(store_t *s);

/*
 * Search indexing in larger flushes (SQLite). New messages enter the search index at the
 * commit that stores them, one FTS5 flush per group commit; under a heavy load that flush
 * costs more per message than everything else the writer does for a send. With
 * store_index_defer(s, 1) before a store_commit (the writer does so when more jobs are
 * already waiting), that commit may leave them for a later one: they are indexed at the
 * first commit without more work waiting, or once STORE_INDEX_BATCH are waiting, or
 * STORE_INDEX_LAG_MS after the first of them, whichever comes first. store_index_flush runs
 * that later commit when the writer falls idle. PostgreSQL indexes at every commit.
 */
#define STORE_INDEX_BATCH 1024
#define STORE_INDEX_LAG_MS 250
void store_index_defer(store_t *s, int more_waiting);
/* Writer thread, outside a transaction: indexes what earlier commits left. 0 or STORE_E*. */
int store_index_flush(store_t *s);
/* Whether earlier commits left messages for store_index_flush. */
int store_index_waiting(store_t *s);

/* Transactions for single-connection users (the admin command). The writer batches its own. */
int store_begin(store_t *s);
int store_commit(store_t *s);
void store_rollback(store_t *s);
/* Savepoints, used by the writer to isolate one job inside a group commit. */
int store_savepoint(store_t *s);
int store_release(store_t *s);
void store_rollback_to(store_t *s);

/* ---- users, departments, sessions (store_users.c) ---- */

struct store_user_in {
    const char *login, *name, *kana, *kind, *employment, *title, *extension, *work_phone;
    int64_t department_id;     /* 0: none */
    const char *password_hash; /* NULL: cannot log in until a password is set */
    int is_admin, must_change_password;
};

struct store_auth {
    int64_t user_id, password_changed_at, totp_last_counter;
    char password_hash[160];
    char totp_secret[64]; /* base32; empty when none */
    int locked, disabled, must_change_password, is_admin, totp_enabled;
};

struct store_session {
    int64_t id, user_id, last_seen_at, created_at, department_id;
    char user_agent[200]; /* as given at login, truncated */
    int is_admin, must_change_password, kind_department, dept_admin, totp_enabled, disclosure_officer;
    char login[72];
};

int store_user_create(store_t *s, const struct store_user_in *in, int64_t now, int64_t *id);
/* Updates the fields present in `fields` (keys as in the User object, plus "password_hash"). */
int store_user_update(store_t *s, int64_t id, json_t *fields, int64_t now);
int store_user_by_login(store_t *s, const char *login, int64_t *id);
int store_user_auth(store_t *s, const char *login, struct store_auth *out);
int store_user_auth_by_id(store_t *s, int64_t id, struct store_auth *out);
int store_user_set_lock(store_t *s, int64_t id, int locked, int64_t now);
/* Sets the password hash, its change time, and records it in the user's password history. */
int store_user_set_password(store_t *s, int64_t id, const char *hash, int must_change, int64_t now);
/* The user's last `n` password hashes, newest first (caller frees with store_free_strings). */
int store_password_history(store_t *s, int64_t id, int n, char ***hashes, size_t *count);
int store_user_set_must_change(store_t *s, int64_t id, int must_change);
/* TOTP: a pending secret (enabled 0), enabling, disabling, and the last accepted counter. */
int store_user_totp_set(store_t *s, int64_t id, const char *secret, int enabled);
int store_user_totp_used(store_t *s, int64_t id, int64_t counter);

/* Run-time settings (key → JSON text); NULL when unset. Caller frees. */
char *store_setting_get(store_t *s, const char *key);
int store_setting_set(store_t *s, const char *key, const char *value);
json_t *store_user_json(store_t *s, int64_t id);
json_t *store_user_list_all(store_t *s);
/*
 * A generation number that database triggers move: "directory" whenever what a directory
 * search would find changes, "membership" whenever anyone joins or leaves any room. Caches
 * compare it to decide whether they are still valid.
 */
int64_t store_generation(store_t *s, const char *name);
/* Between store_generations_scope(s, 1) and (s, 0) — one request on a loop thread — every
 * store_generation answers from one read of all counters, made at the first call. */
void store_generations_scope(store_t *s, int on);
/* Calls fn for every enabled user in directory order (department path, reading, id). */
int store_directory_scan(store_t *s, void (*fn)(void *arg, int64_t id, int64_t dept, const char *key, const char *dept_path),
                         void *arg);
int store_user_count(store_t *s, int64_t *n);
/* Department accounts this user may post for, as a JSON array of ids. */
json_t *store_user_delegate_for(store_t *s, int64_t user_id);
int store_delegate_set(store_t *s, int64_t account_id, int64_t user_id, int on);
int store_is_delegate(store_t *s, int64_t account_id, int64_t user_id);

/* Finds or creates the department chain parts[0] > parts[1] > …; *id is the last one. */
int store_department_ensure_path(store_t *s, const char *const *parts, size_t n, int64_t *id);
int store_department_create(store_t *s, const char *code, const char *name, int64_t parent_id, int64_t *id);
int store_department_by_code(store_t *s, const char *code, int64_t *id);
json_t *store_departments_json(store_t *s);
int store_department_set_code(store_t *s, int64_t id, const char *code);
int store_department_exists(store_t *s, int64_t id);
/* 1 if department `id` is `ancestor` or lies below it. */
int store_department_within(store_t *s, int64_t id, int64_t ancestor);

int store_session_create(store_t *s, int64_t user_id, const uint8_t hash[32], const char *ua, const char *addr, int64_t now,
                         int64_t expires, int64_t *id);
/* Records the network zone a session signed in from. */
int store_session_set_zone(store_t *s, int64_t id, const char *zone);
/* Finds a live session by token hash (not revoked, not expired, user not locked/disabled). */
int store_session_lookup(store_t *s, const uint8_t hash[32], int64_t now, struct store_session *out);
int store_session_touch(store_t *s, int64_t id, int64_t now);
int store_session_revoke(store_t *s, int64_t user_id, int64_t session_id, int64_t now);
/* Revokes every live session of the user but `except_id` (0: all); returns the ids in *ids. */
int store_sessions_revoke_user(store_t *s, int64_t user_id, int64_t except_id, int64_t now, int64_t **ids, size_t *n);
/* Live phone sessions (by User-Agent) unused for idle_ms or older than max_ms (0: that limit is
 * off): their ids and users in *ids and *users (caller frees both), *n of each. */
int store_sessions_phone_stale(store_t *s, int64_t now, int64_t idle_ms, int64_t max_ms, int64_t **ids, int64_t **users, size_t *n);
json_t *store_sessions_json(store_t *s, int64_t user_id, int64_t current_id);

/* ---- rooms and members (store_rooms.c) ---- */

struct store_room_info {
    int64_t id, department_id, last_seq;
    char kind[16];
    int archived;
};

int store_room_create(store_t *s, const char *kind, const char *name, const char *topic, int64_t department_id,
                      const char *direct_key, int64_t creator, const int64_t *members, size_t n, int64_t now, int64_t *id);
int store_room_by_direct_key(store_t *s, const char *key, int64_t *id);
int store_room_info(store_t *s, int64_t room_id, struct store_room_info *out);
/* The caller's role in the room: 0 and *role set ("owner"/"member"), or STORE_ENOTFOUND. */
int store_member_role(store_t *s, int64_t room_id, int64_t user_id, char role[16]);
/* The room as `viewer` sees it (unread, mention, last_message, partner); NULL if missing. */
json_t *store_room_json(store_t *s, int64_t room_id, int64_t viewer);
/* The room without per-viewer fields, for events. */
json_t *store_room_public_json(store_t *s, int64_t room_id);
json_t *store_rooms_for_user(store_t *s, int64_t user_id, int archived /* 0, 1, -1 all */);
/* Every room (without per-viewer fields), most recently active first. */
json_t *store_rooms_all_json(store_t *s);
json_t *store_room_members_json(store_t *s, int64_t room_id);
int store_room_member_ids(store_t *s, int64_t room_id, int64_t **ids, size_t *n);
/* Adds members; returns the ids actually added (new) in *added. Unknown users: STORE_EINVAL. */
int store_room_add_members(store_t *s, int64_t room_id, const int64_t *ids, size_t n, int64_t now, int64_t **added, size_t *nadded);
int store_room_remove_member(store_t *s, int64_t room_id, int64_t user_id);
int store_room_update(store_t *s, int64_t room_id, json_t *fields, int64_t now);
/* Users who share a direct or group room with user_id (for presence events). Department
 * and announcement rooms are left out: one person's presence to thousands of members, for
 * every member, grows with the square of the room. */
int store_co_members(store_t *s, int64_t user_id, int64_t **ids, size_t *n);
/* Re-derives department rooms' membership for a user after a department change. */
int store_sync_department_rooms(store_t *s, int64_t user_id, int64_t now, int64_t **rooms_joined, size_t *nj, int64_t **rooms_left,
                                size_t *nl);

/* ---- messages and read state (store_messages.c) ---- */

struct store_msg_in {
    int urgent;                            /* 緊急: sent outside office hours on purpose */
    int64_t room_id, sender_id, author_id; /* author: the person; sender: author or a department account */
    const char *client_msg_id, *text, *stamp;
    int64_t reply_to;
    const int64_t *mentions;
    size_t nmentions;
    int mention_all;
    const int64_t *file_ids;
    size_t nfiles;
    const char *card; /* JSON object text of a card (a note's or a memo's), or NULL */
};

struct store_msg_meta {
    int64_t id, room_id, seq, sender_id, author_id;
    int deleted;
};

/* Looks up a previous send by (author, client_msg_id): *id and the room and text it had. */
int store_message_by_client_id(store_t *s, int64_t author_id, const char *cmid, int64_t *id, int64_t *room_id, char **text,
                               char **stamp);
int store_message_insert(store_t *s, const struct store_msg_in *in, int64_t now, int64_t *id, int64_t *seq);
int store_message_meta(store_t *s, int64_t id, struct store_msg_meta *out);
/* A message as the API shows it, with its read count. */
json_t *store_message_json(store_t *s, int64_t id);
/* The same for a message just inserted: nobody else can have read it yet, so its read count
 * is 0 and the members' read marks need not be loaded (the send path's hot spot). */
json_t *store_message_json_new(store_t *s, int64_t id);
/*
 * A plain send's Message (no files, reply or card) as JSON text, made in two steps so that the
 * writer only adds what it assigns: same members, same order, same values as
 * store_message_json_new. store_message_draft runs before the job (on the loop thread, reading
 * the sender's card with s) and returns NULL for a send it does not cover. The writer then calls
 * store_message_draft_text with the id, seq and time store_message_insert used: a malloc'd
 * NUL-terminated text (caller frees), its length in *len. The draft is freed by the caller.
 */
struct store_msg_draft;
struct store_msg_draft *store_message_draft(store_t *s, const struct store_msg_in *in);
char *store_message_draft_text(const struct store_msg_draft *d, int64_t id, int64_t room_id, int64_t seq, int64_t now, size_t *len);
void store_message_draft_free(struct store_msg_draft *d);
/* A message and the live messages that reply to it, in room order (at most max). */
json_t *store_message_thread(store_t *s, int64_t room_id, int64_t root_id, int max);
json_t *store_messages_page(store_t *s, int64_t room_id, int64_t after, int64_t before, int limit, int *has_more);
int store_message_edit(store_t *s, int64_t id, const char *text, int64_t now);
json_t *store_message_edits_json(store_t *s, int64_t id);
/* Deletes (tombstones) a message; file hashes that may now be unreferenced go to *hashes. */
int store_message_delete(store_t *s, int64_t id, int64_t by, int64_t now, int purge, char ***hashes, size_t *nhashes);
json_t *store_message_readers_json(store_t *s, int64_t room_id, int64_t message_id);
/* Moves the user's read mark forward to min(seq, last_seq); *out_seq is the mark after. */
int store_read_mark(store_t *s, int64_t room_id, int64_t user_id, int64_t seq, int64_t *out_seq);

/* ---- files (store_files.c) ---- */

int store_file_insert(store_t *s, const char *hash, const char *name, int64_t size, const char *type, int64_t uploader, int64_t now,
                      int64_t *id);
json_t *store_file_json(store_t *s, int64_t id);
/* 0 if the user uploaded the file or is a member of a room where a live message carries it. */
int store_file_can_read(store_t *s, int64_t file_id, int64_t user_id, char hash[65]);
/* 1 if a file row still references the blob `hash`, 0 if none. */
int store_blob_referenced(store_t *s, const char *hash);
/* Removes never-attached uploads older than `before`; their hashes go to *hashes. */
int store_files_sweep(store_t *s, int64_t before, char ***hashes, size_t *n);

/* ---- retention (store_rooms.c) ---- */

/* Sets a room's records class ("work"/"casual"), retention (days; -1 permanent) and hold. */
int store_room_records_set(store_t *s, int64_t room_id, const char *classification, int64_t retention_days, int legal_hold,
                           int approval_reminder);
/* Rooms whose retention has a limit and no legal hold: ids and days (caller frees both). */
int store_retention_rooms(store_t *s, int64_t **rooms, int64_t **days, size_t *n);
/* Removes up to max messages of the room created before cutoff, with their edits, mentions
 * and attachments; *count is how many; blobs that may now be unreferenced go to *hashes. */
int store_retention_purge(store_t *s, int64_t room_id, int64_t cutoff, int max, int *count, char ***hashes, size_t *nhashes);

/* ---- disclosure export (store_messages.c) ---- */

struct store_export_row {
    int64_t id, seq, created_at, edited_at, deleted_at, reply_seq, sender_id, author_id;
    const char *sender, *department, *title, *text, *stamp;
    int urgent, text_kept; /* text_kept: deleted, but kept for the records (keep_deleted_content) */
    const char *files;     /* JSON array text of {"id","name","hash","type","size"} */
};

/* Calls fn for each message of a room created in [from_ms, to_ms), in sequence order. */
int store_export_room(store_t *s, int64_t room_id, int64_t from_ms, int64_t to_ms,
                      int (*fn)(void *arg, const struct store_export_row *row), void *arg);

/* ---- messages held until office hours (store_held.c) ---- */

struct store_held {
    int64_t id, room_id, author_id, held_until, message_id;
    char status[12];
    char *body; /* the send request as JSON text; caller frees */
};

int store_held_insert(store_t *s, int64_t room_id, int64_t author_id, const char *cmid, const char *body, int64_t held_until,
                      int64_t now, int64_t *id);
/* By (author, client_msg_id) or by id; out->body is malloc'd. STORE_ENOTFOUND when none. */
int store_held_by_client_id(store_t *s, int64_t author_id, const char *cmid, struct store_held *out);
int store_held_get(store_t *s, int64_t id, struct store_held *out);
/* Ids of held messages due at `now`, oldest due first (at most max). */
int store_held_due(store_t *s, int64_t now, int max, int64_t **ids, size_t *n);
int store_held_set(store_t *s, int64_t id, const char *status, int64_t message_id, const char *body);
json_t *store_held_json(store_t *s, int64_t author_id);

/* ---- audit log and reports (store_audit.c) ---- */

struct store_audit {
    int64_t actor_id;        /* 0: the system or the admin command */
    const char *action;      /* e.g. "auth.login", "user.lock", "message.delete" */
    const char *target_type; /* "user", "room", "message", "session", "report", … or NULL */
    int64_t target_id, room_id;
    const char *detail;  /* a JSON object as text, or NULL; never secrets or message text */
    const char *address; /* the client's address, or NULL */
};

/*
 * Appends an entry whose hash is BLAKE2b-256(previous hash ‖ this entry's fields), inside the
 * caller's transaction. The table refuses UPDATE and DELETE (triggers); the chain shows any
 * change made behind the database's back.
 */
int store_audit_append(store_t *s, const struct store_audit *a, int64_t now);
/* Entries newest first; filters are optional (NULL / 0). */
json_t *store_audit_search(store_t *s, const char *action_prefix, int64_t actor, int64_t target_id, int64_t from_ms, int64_t to_ms,
                           int64_t before_id, int limit, int *has_more);
/* Recomputes the chain: 0 when intact (*count entries), 1 with *bad_id the first bad entry. */
int store_audit_verify(store_t *s, int64_t *count, int64_t *bad_id);

int store_report_create(store_t *s, const char *kind, int64_t reporter, int64_t room_id, int64_t message_id, const char *reason,
                        const char *snapshot, int64_t now, int64_t *id);
json_t *store_reports_json(store_t *s, const char *kind, const char *status, int limit);
int store_report_resolve(store_t *s, int64_t id, int64_t by, const char *status, const char *resolution, int64_t now);

/* A file held for review (R16): review is "held", "released" or NULL; detail is JSON text. */
int store_file_set_review(store_t *s, int64_t id, const char *review, const char *detail);
/* 1 if the file is held for review (may not be attached), 0 if not. */
int store_file_held(store_t *s, int64_t id);
json_t *store_files_held_json(store_t *s);
/* Removes a file row; its blob hash goes to *hash (malloc'd) for the caller to collect. */
int store_file_delete(store_t *s, int64_t id, char **hash);

/* ---- notes, meetings, tags, memos, paper saved (store_notes.c) ---- */

struct store_note_in {
    int64_t room_id, author_id, meeting_id; /* meeting_id 0: none */
    const char *kind;                       /* "note", "material" or "minutes" */
    const char *title, *body;
    const int64_t *file_ids;
    size_t nfiles;
};

struct store_note_meta {
    int64_t id, room_id, author_id, meeting_id, version, reminded_at;
    char kind[16];
    int deleted;
};

/* Creates a note and its first version; a "material" gets the room's next number in
 * *material_no (its title is then the caller's to have made with that number: pass the title
 * with a "%d" when material_no_fmt is set). */
int store_note_create(store_t *s, const struct store_note_in *in, int numbered, int64_t now, int64_t *id, int64_t *material_no);
/* The number the room's next material note will get. */
int64_t store_note_next_material_no(store_t *s, int64_t room_id);
/* A new version; STORE_ECONFLICT when base_version is not the current one. file_ids NULL keeps the attachments. */
int store_note_update(store_t *s, int64_t id, int64_t base_version, const char *title, const char *body, const int64_t *file_ids,
                      size_t nfiles, int keep_files, int64_t editor, int64_t now, int64_t *version);
int store_note_meta(store_t *s, int64_t id, struct store_note_meta *out);
int store_note_delete(store_t *s, int64_t id, int64_t now);
/* Makes the note one of the meeting's materials. */
int store_note_set_meeting(store_t *s, int64_t id, int64_t meeting_id);
int store_note_set_reminded(store_t *s, int64_t id, int64_t now);
/* The note as the API shows it (body included when with_body), with read counts for the room. */
json_t *store_note_json(store_t *s, int64_t id, int with_body);
/* The room's live notes, newest first, without bodies; "opened" tells whether viewer opened each. */
json_t *store_notes_list(store_t *s, int64_t room_id, int64_t viewer);
/* Records that user opened the note (first and last time). */
int store_note_read(store_t *s, int64_t note_id, int64_t user_id, int64_t now);
/* {"read":[{user, first_at}], "unread":[user]} over the room's current members but the author. */
json_t *store_note_reads_json(store_t *s, int64_t note_id);
/* Members (but the author and department accounts) who have not opened the note. */
int store_note_unread_ids(store_t *s, int64_t note_id, int64_t **ids, size_t *n);
json_t *store_note_versions_json(store_t *s, int64_t note_id);
json_t *store_note_version_json(store_t *s, int64_t note_id, int64_t version);
/* 1 if the user may read the note's attachment file (through a live note of a room they are in). */
int store_note_file_readable(store_t *s, int64_t file_id, int64_t user_id);

int store_suggestion_create(store_t *s, int64_t note_id, int64_t user_id, int64_t base_version, const char *title, const char *body,
                            int64_t now, int64_t *id);
struct store_suggestion {
    int64_t id, note_id, user_id, base_version;
    char status[12];
    char *title, *body; /* malloc'd */
};
int store_suggestion_get(store_t *s, int64_t id, struct store_suggestion *out);
int store_suggestion_resolve(store_t *s, int64_t id, const char *status, int64_t by, int64_t now);
json_t *store_suggestions_json(store_t *s, int64_t note_id);

struct store_meeting_in {
    int64_t room_id, organiser_id, starts_at, ends_at;
    const char *title, *place;
    int chat_only;
    const char *agenda; /* JSON array text of strings */
};
int store_meeting_create(store_t *s, const struct store_meeting_in *in, int64_t now, int64_t *id);
/* Updates the fields present in `fields` (title, place, chat_only, starts_at, ends_at as ms, agenda as array). */
int store_meeting_update(store_t *s, int64_t id, json_t *fields, int64_t now);
int store_meeting_meta(store_t *s, int64_t id, int64_t *room_id, int64_t *organiser_id);
int store_meeting_set_minutes(store_t *s, int64_t id, int64_t note_id);
/* The meeting with its materials (notes), agenda and tag counts. */
json_t *store_meeting_json(store_t *s, int64_t id);
json_t *store_meetings_list(store_t *s, int64_t room_id);
/* The meeting a message sent at `at` in the room belongs to by default: the latest one created
 * before it whose end is less than a day before it. 0 when none. */
int64_t store_meeting_current(store_t *s, int64_t room_id, int64_t at);
/* The meeting's tagged messages in order, each {message_id, seq, tag, text, sender{}, created_at,
 * answer_to, assignee{}|null, due_date}. */
json_t *store_meeting_tagged(store_t *s, int64_t meeting_id);
/* People who took part: posted in the room during the meeting's window, tagged, or opened a material. */
json_t *store_meeting_attendees(store_t *s, int64_t meeting_id);

struct store_tag_in {
    int64_t message_id, room_id, meeting_id, answer_to, assignee_id, set_by;
    const char *tag, *due_date; /* due_date "YYYY-MM-DD" or NULL */
};
int store_tag_set(store_t *s, const struct store_tag_in *in, int64_t now);
int store_tag_clear(store_t *s, int64_t message_id);

struct store_memo_in {
    int64_t for_user_id, taker_id, room_id, received_at;
    const char *caller_name, *caller_org, *callback_number, *body, *request;
};
int store_memo_create(store_t *s, const struct store_memo_in *in, int64_t now, int64_t *id);
int store_memo_set_message(store_t *s, int64_t id, int64_t message_id);
/* Confirms: STORE_ECONFLICT when already confirmed. *message_id is the memo's card. */
int store_memo_confirm(store_t *s, int64_t id, int64_t now, int64_t *message_id);
int store_memo_people(store_t *s, int64_t id, int64_t *for_user_id, int64_t *taker_id);
json_t *store_memo_json(store_t *s, int64_t id);
/* Memos for a person (for_user) or taken by one (taker); unconfirmed only when set. */
json_t *store_memos_json(store_t *s, int64_t for_user, int64_t taker, int unconfirmed_only);
/* Replaces a message's card (the memo card once confirmed). */
int store_message_set_card(store_t *s, int64_t message_id, const char *card);

/* Sets a file's page count (pages_status "ok") or why it has none. */
int store_file_set_pages(store_t *s, int64_t id, int pages, const char *status);

/* One opening of a shared note with attachments, by someone other than its author: for the
 * paper-saved figures. pages < 0: some attachment's page count is unknown. */
struct store_paper_row {
    int64_t note_id, room_id, opened_at, department_id;
    const char *department, *title;
    int64_t pages;
};
int store_paper_rows(store_t *s, int64_t from_ms, int64_t to_ms, int (*fn)(void *arg, const struct store_paper_row *row),
                     void *arg);

/* ---- maintenance (store_maint.c) ---- */

/* Writes a consistent copy of the whole database to `path` (a new file), online. */
int store_backup_to(store_t *s, const char *path, char *err, size_t errlen);
/* The schema version (the number of migrations applied), or -1. */
int store_schema_version(store_t *s);
/* SQLite's integrity and foreign-key checks: 0, or STORE_EIO with the first problem in out. */
int store_integrity(store_t *s, char *out, size_t size);
/* Every distinct blob hash the files table refers to (free with store_free_strings). */
int store_file_hashes(store_t *s, char ***hashes, size_t *n);
/* ---- search (store_search.c) ---- */

enum { STORE_HIT_MESSAGE = 0x1, STORE_HIT_FILE = 0x2, STORE_HIT_NOTE = 0x4 };

/* What to look for, independent of the engine: words as typed, filters as ids and times. */
struct store_search {
    int64_t user_id;          /* only rooms this user is a member of now */
    const char *const *words; /* each found anywhere as a phrase; all of them (AND) */
    size_t nwords;
    const char *const *excluded; /* none of these */
    size_t nexcluded;
    int64_t room_id, sender_id, after_ms, before_ms; /* 0: any */
    int has_file;
    const char *tag;   /* a meeting tag's code (messages only; notes and files are then left out), or NULL */
    unsigned kinds;    /* STORE_HIT_* */
    int max;           /* at most this many candidates of each kind, newest first */
    int64_t budget_ms; /* stop looking after this long (0: 2 s) */
};

struct store_search_hit {
    int type;                                    /* STORE_HIT_MESSAGE, STORE_HIT_FILE or STORE_HIT_NOTE */
    int64_t id, room_id, message_id, created_at; /* id: the message's, the file's or the note's */
    char *text;                                  /* the message's text, the start of the file's, the note's body */
    char *name;                                  /* a file's name, a note's title; NULL for a message */
};

/*
 * Finds candidates: live messages and attached files in the user's rooms that contain every
 * word and none of the excluded ones, newest first. *hits is malloc'd (free it with
 * store_search_hits_free); *partial is set when the time budget ran out first.
 */
int store_search(store_t *s, const struct store_search *q, struct store_search_hit **hits, size_t *n, int *partial);
void store_search_hits_free(struct store_search_hit *hits, size_t n);
/* Indexes a file's name and extracted text (text may be NULL: the name only). */
int store_search_index_file(store_t *s, int64_t file_id, const char *name, const char *text);

/* Web Push subscriptions (store_maint.c): one per endpoint, tied to the session that made it;
 * targets are only those of live sessions of unlocked, enabled users. */
int store_push_subscribe(store_t *s, int64_t user_id, int64_t session_id, const char *endpoint, const char *p256dh,
                         const char *auth, int64_t now);
int store_push_unsubscribe(store_t *s, int64_t user_id, const char *endpoint /* NULL: all */);
json_t *store_push_targets(store_t *s, int64_t user_id, int64_t now);

void store_free_strings(char **v, size_t n);

/*
 * Copying a store into another (store_copy.c): `kairan admin copy-store`. The target must be
 * empty (1 from store_is_empty); progress hears each table's row count. store_table_sums gives
 * each table's rows and a checksum that is equal on both engines for equal data.
 */
int store_is_empty(store_t *s);
int store_copy(store_t *src, store_t *dst, int (*progress)(void *arg, const char *table, int64_t rows), void *arg, char *err,
               size_t errlen);
int store_table_sums(store_t *s, int (*fn)(void *arg, const char *table, int64_t rows, const char *sum_hex), void *arg);
/* "sqlite" or "postgresql". */
const char *store_engine(store_t *s);

/*
 * Several nodes on one PostgreSQL database (store_bus.c, docs/scaling.md). Each function runs
 * on a store of its own thread; store_bus_listen/wait/read on a store used for nothing else.
 */
int store_shared(store_t *s); /* PostgreSQL: other nodes may share the database */
/* 0 when the database answers (always on SQLite); for health checks. */
int store_ping(store_t *s);
struct store_bus_event {
    int kind;
    const char *json;
    size_t len;
    const int64_t *users;
    size_t nusers;
    const int64_t *sessions;
    size_t nsessions;
    int64_t except_user;
};
typedef void (*store_bus_fn)(void *arg, const char *node, const struct store_bus_event *ev);
typedef void (*store_presence_fn)(void *arg, const char *node, int64_t user_id, int state);
typedef void (*store_node_fn)(void *arg, const char *node, int64_t seen_ms);
/* Publishes events of this node to the others (one transaction, then one notification). */
int store_bus_send(store_t *s, const char *node, const struct store_bus_event *evs, size_t n, int64_t now);
/* Listens for notifications; sets *last_id to the newest event when it is negative. */
int store_bus_listen(store_t *s, int64_t *last_id);
/* Waits for a notification: 1 (or after a reconnection: read what was missed), 0 timeout, -1 lost. */
int store_bus_wait(store_t *s, int timeout_ms);
/* Calls fn for each event of another node after *last_id, in order, advancing *last_id. */
int store_bus_read(store_t *s, const char *self, int64_t *last_id, store_bus_fn fn, void *arg);
/* This node is alive; removes old events, and the presence of nodes silent for dead_ms. */
int store_bus_heartbeat(store_t *s, const char *node, int64_t now, int64_t dead_ms);
int store_bus_node_gone(store_t *s, const char *node);
int store_bus_presence(store_t *s, const char *node, int64_t user_id, int state /* 0 offline */);
int store_bus_presence_all(store_t *s, const char *self, int64_t alive_since, store_presence_fn fn, void *arg);
int store_bus_nodes(store_t *s, const char *self, store_node_fn fn, void *arg);
/*
 * Takes or renews the lease `name` for holder until now + ttl_ms: 1 when holder has it, 0 when
 * another node does (its lease has not run out), or an error. Always 1 on SQLite (one node).
 */
int store_lease(store_t *s, const char *name, const char *holder, int64_t now, int64_t ttl_ms);

#endif
