/*
 * The SQLite store: opening, schema migrations and the statement cache.
 *
 * Each connection runs in WAL mode with synchronous=FULL, so a COMMIT that returned is on
 * disk; the writer's own connection leaves the fsync to store_sync, and acknowledges nothing
 * before that has returned (docs/architecture.md, "Two stores": durability).
 * Readers on other threads see the last committed state without blocking the writer.
 * Migrations are numbered; each runs in one transaction, and a database whose version is
 * newer than this binary is refused rather than touched.
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include "util/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const migrations[] = {
    /* 1: the core schema */
    "CREATE TABLE departments(id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT NOT NULL,"
    "  parent_id INTEGER REFERENCES departments(id), path TEXT NOT NULL, sort INTEGER NOT NULL DEFAULT 0);"
    "CREATE UNIQUE INDEX departments_parent_name ON departments(ifnull(parent_id,0), name);"
    "CREATE TABLE users(id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL,"
    "  kana TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT 'staff', employment TEXT NOT NULL DEFAULT '',"
    "  department_id INTEGER REFERENCES departments(id), title TEXT NOT NULL DEFAULT '',"
    "  extension TEXT NOT NULL DEFAULT '', work_phone TEXT NOT NULL DEFAULT '', status_text TEXT NOT NULL DEFAULT '',"
    "  absent_until INTEGER, absent_note TEXT, is_admin INTEGER NOT NULL DEFAULT 0, locked INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0, password_hash TEXT, must_change_password INTEGER NOT NULL DEFAULT 0,"
    "  search_key TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX users_department ON users(department_id);"
    "CREATE TABLE delegates(account_id INTEGER NOT NULL REFERENCES users(id), user_id INTEGER NOT NULL REFERENCES users(id),"
    "  PRIMARY KEY(account_id, user_id)) WITHOUT ROWID;"
    "CREATE TABLE sessions(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), token_hash BLOB NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, user_agent TEXT NOT NULL DEFAULT "
    "'',"
    "  address TEXT NOT NULL DEFAULT '', revoked_at INTEGER);"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE TABLE rooms(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', topic TEXT NOT NULL DEFAULT '',"
    "  department_id INTEGER REFERENCES departments(id), direct_key TEXT UNIQUE, archived INTEGER NOT NULL DEFAULT 0,"
    "  created_by INTEGER, created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, last_activity_at INTEGER NOT NULL);"
    "CREATE INDEX rooms_department ON rooms(department_id) WHERE department_id IS NOT NULL;"
    "CREATE TABLE room_members(room_id INTEGER NOT NULL REFERENCES rooms(id), user_id INTEGER NOT NULL REFERENCES users(id),"
    "  role TEXT NOT NULL DEFAULT 'member', last_read_seq INTEGER NOT NULL DEFAULT 0, joined_at INTEGER NOT NULL,"
    "  PRIMARY KEY(room_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX room_members_user ON room_members(user_id, room_id);"
    "CREATE TABLE messages(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES rooms(id), seq INTEGER NOT NULL,"
    "  sender_id INTEGER NOT NULL REFERENCES users(id), author_id INTEGER NOT NULL REFERENCES users(id), client_msg_id TEXT,"
    "  text TEXT, stamp TEXT, reply_to INTEGER, mention_all INTEGER NOT NULL DEFAULT 0, nfiles INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL, edited_at INTEGER, deleted_at INTEGER, deleted_by INTEGER, UNIQUE(room_id, seq));"
    "CREATE UNIQUE INDEX messages_client ON messages(author_id, client_msg_id) WHERE client_msg_id IS NOT NULL;"
    "CREATE TABLE mentions(user_id INTEGER NOT NULL, room_id INTEGER NOT NULL, seq INTEGER NOT NULL, message_id INTEGER NOT NULL,"
    "  PRIMARY KEY(user_id, room_id, seq)) WITHOUT ROWID;"
    "CREATE INDEX mentions_room ON mentions(room_id, seq);"
    "CREATE TABLE message_edits(id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages(id), text TEXT,"
    "  edited_at INTEGER NOT NULL);"
    "CREATE INDEX message_edits_message ON message_edits(message_id);"
    "CREATE TABLE files(id INTEGER PRIMARY KEY, hash TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, type TEXT NOT NULL,"
    "  uploader_id INTEGER NOT NULL REFERENCES users(id), attached INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);"
    "CREATE INDEX files_hash ON files(hash);"
    "CREATE TABLE message_files(message_id INTEGER NOT NULL REFERENCES messages(id), file_id INTEGER NOT NULL REFERENCES files(id),"
    "  room_id INTEGER NOT NULL, PRIMARY KEY(message_id, file_id)) WITHOUT ROWID;"
    "CREATE INDEX message_files_file ON message_files(file_id, room_id);",
    /* 2: the hash-chained audit log, abuse and screenshot reports, department administrators */
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER, action TEXT NOT NULL,"
    "  target_type TEXT NOT NULL DEFAULT '', target_id INTEGER, room_id INTEGER, detail TEXT NOT NULL DEFAULT '{}',"
    "  address TEXT NOT NULL DEFAULT '', prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
    "CREATE INDEX audit_action ON audit(action, id);"
    "CREATE INDEX audit_actor ON audit(actor_id, id);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TABLE reports(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, reporter_id INTEGER NOT NULL REFERENCES users(id),"
    "  room_id INTEGER, message_id INTEGER, reason TEXT NOT NULL DEFAULT '', snapshot TEXT NOT NULL DEFAULT '{}',"
    "  status TEXT NOT NULL DEFAULT 'open', resolution TEXT NOT NULL DEFAULT '', resolved_by INTEGER, resolved_at INTEGER,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX reports_kind ON reports(kind, status, id);"
    "ALTER TABLE users ADD COLUMN dept_admin INTEGER NOT NULL DEFAULT 0;",
    /* 3: password age and history, TOTP, settings the administrators change at run time */
    "ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN totp_secret TEXT;"
    "ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN totp_last_counter INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE password_history(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
    "  hash TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX password_history_user ON password_history(user_id, id);"
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
    /* 4: messages held until office hours, and urgent messages */
    "CREATE TABLE held(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES rooms(id), author_id INTEGER NOT NULL,"
    "  client_msg_id TEXT NOT NULL, body TEXT NOT NULL, held_until INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'held', message_id INTEGER);"
    "CREATE UNIQUE INDEX held_client ON held(author_id, client_msg_id);"
    "CREATE INDEX held_due ON held(status, held_until, id);"
    "ALTER TABLE messages ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;",
    /* 5: a generation number for the directory's in-memory index, bumped by whatever changes
     * what a search sees — also by the admin command, which has its own connection */
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO counters VALUES('directory', 1);"
    "CREATE TRIGGER users_dir_insert AFTER INSERT ON users BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'directory'; END;"
    "CREATE TRIGGER users_dir_update AFTER UPDATE OF search_key, disabled, department_id, kana ON users"
    "  WHEN old.search_key IS NOT new.search_key OR old.disabled != new.disabled"
    "    OR old.department_id IS NOT new.department_id OR old.kana != new.kana BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'directory'; END;"
    "CREATE TRIGGER users_dir_delete AFTER DELETE ON users BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'directory'; END;",
    /* 6: a generation number for cached room membership (fan-out recipients) */
    "INSERT INTO counters VALUES('membership', 1);"
    "CREATE TRIGGER members_insert AFTER INSERT ON room_members BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'membership'; END;"
    "CREATE TRIGGER members_delete AFTER DELETE ON room_members BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'membership'; END;",
    /* 7: records management — a room is work (public record) or casual, kept for a period,
     * and may be under a legal hold that stops every purge */
    "ALTER TABLE rooms ADD COLUMN classification TEXT NOT NULL DEFAULT 'work';"
    "ALTER TABLE rooms ADD COLUMN retention_days INTEGER;"
    "ALTER TABLE rooms ADD COLUMN legal_hold INTEGER NOT NULL DEFAULT 0;",
    /* 8: files whose content the personal-information guard holds for review */
    "ALTER TABLE files ADD COLUMN review TEXT;"
    "ALTER TABLE files ADD COLUMN review_detail TEXT;",
    /* 9: network zones — the zone a session signed in from, and a generation for settings */
    "ALTER TABLE sessions ADD COLUMN zone TEXT NOT NULL DEFAULT '';"
    "INSERT INTO counters VALUES('settings', 1);"
    "CREATE TRIGGER settings_insert AFTER INSERT ON settings BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'settings'; END;"
    "CREATE TRIGGER settings_update AFTER UPDATE ON settings BEGIN"
    "  UPDATE counters SET value = value + 1 WHERE name = 'settings'; END;",
    /* 10: a room may remind its members that decisions need formal approval (決裁) */
    "ALTER TABLE rooms ADD COLUMN approval_reminder INTEGER NOT NULL DEFAULT 0;",
    /* 11: paperless meetings — notes with versions and who opened them, meetings, message tags,
     * phone-message memos, a card a message may carry, and each file's page count */
    "CREATE TABLE notes(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES rooms(id), kind TEXT NOT NULL DEFAULT 'note',"
    "  title TEXT NOT NULL, body TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, material_no INTEGER, meeting_id INTEGER,"
    "  author_id INTEGER NOT NULL REFERENCES users(id), updated_by INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL, reminded_at INTEGER, deleted_at INTEGER);"
    "CREATE INDEX notes_room ON notes(room_id, id);"
    "CREATE INDEX notes_meeting ON notes(meeting_id) WHERE meeting_id IS NOT NULL;"
    "CREATE TABLE note_versions(note_id INTEGER NOT NULL REFERENCES notes(id), version INTEGER NOT NULL, title TEXT NOT NULL,"
    "  body TEXT NOT NULL, file_ids TEXT NOT NULL DEFAULT '[]', editor_id INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    "  PRIMARY KEY(note_id, version)) WITHOUT ROWID;"
    "CREATE TABLE note_files(note_id INTEGER NOT NULL REFERENCES notes(id), file_id INTEGER NOT NULL REFERENCES files(id),"
    "  room_id INTEGER NOT NULL, PRIMARY KEY(note_id, file_id)) WITHOUT ROWID;"
    "CREATE INDEX note_files_file ON note_files(file_id, room_id);"
    "CREATE TABLE note_reads(note_id INTEGER NOT NULL, user_id INTEGER NOT NULL, first_at INTEGER NOT NULL,"
    "  last_at INTEGER NOT NULL, PRIMARY KEY(note_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX note_reads_first ON note_reads(first_at);"
    "CREATE TABLE note_suggestions(id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL REFERENCES notes(id),"
    "  user_id INTEGER NOT NULL, base_version INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
    "  status TEXT NOT NULL DEFAULT 'open', resolved_by INTEGER, resolved_at INTEGER, created_at INTEGER NOT NULL);"
    "CREATE INDEX note_suggestions_note ON note_suggestions(note_id, status);"
    "CREATE TABLE meetings(id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES rooms(id), title TEXT NOT NULL,"
    "  starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, place TEXT NOT NULL DEFAULT '', chat_only INTEGER NOT NULL DEFAULT 0,"
    "  agenda TEXT NOT NULL DEFAULT '[]', organiser_id INTEGER NOT NULL, minutes_note_id INTEGER, created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX meetings_room ON meetings(room_id, starts_at);"
    "CREATE TABLE message_tags(message_id INTEGER PRIMARY KEY REFERENCES messages(id), room_id INTEGER NOT NULL,"
    "  meeting_id INTEGER, tag TEXT NOT NULL, answer_to INTEGER, assignee_id INTEGER, due_date TEXT, set_by INTEGER NOT NULL,"
    "  set_at INTEGER NOT NULL);"
    "CREATE INDEX message_tags_meeting ON message_tags(meeting_id, message_id);"
    "CREATE INDEX message_tags_room ON message_tags(room_id, tag);"
    "CREATE TABLE memos(id INTEGER PRIMARY KEY, for_user_id INTEGER NOT NULL REFERENCES users(id),"
    "  taker_id INTEGER NOT NULL REFERENCES users(id), room_id INTEGER NOT NULL, message_id INTEGER,"
    "  caller_name TEXT NOT NULL, caller_org TEXT NOT NULL DEFAULT '', callback_number TEXT NOT NULL DEFAULT '',"
    "  received_at INTEGER NOT NULL, body TEXT NOT NULL DEFAULT '', request TEXT NOT NULL, confirmed_at INTEGER,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX memos_for ON memos(for_user_id, confirmed_at);"
    "CREATE INDEX memos_taker ON memos(taker_id, id);"
    "ALTER TABLE messages ADD COLUMN card TEXT;"
    "ALTER TABLE messages ADD COLUMN tag TEXT;"
    "ALTER TABLE files ADD COLUMN pages INTEGER;"
    "ALTER TABLE files ADD COLUMN pages_status TEXT;",
    /* 12: the disclosure officer (情報公開担当), who exports and masks without being an administrator */
    "ALTER TABLE users ADD COLUMN disclosure_officer INTEGER NOT NULL DEFAULT 0;",
    /* 13: full-text search (store_search.c). Messages are indexed from a view of their own
     * table (external content): the text, and a tag column naming the room and the people
     * (sender and author) so that those filters are index lookups too. Triggers keep the index
     * in the transaction that changes a message, so deleted, purged and expired messages leave
     * it at once. File names and text live in their own index, written when an upload is
     * accepted. Existing messages are backfilled. */
    "CREATE VIEW message_search AS SELECT id, text, char(31) || 'r' || room_id || ' ' || char(31) || 'u' || sender_id || ' '"
    "  || char(31) || 'u' || author_id AS tags, deleted_at FROM messages WHERE deleted_at IS NULL AND text IS NOT NULL;"
    "CREATE VIRTUAL TABLE message_fts USING fts5(text, tags, content='message_search', content_rowid='id', tokenize='kairan');"
    "CREATE VIRTUAL TABLE file_fts USING fts5(name, body, tokenize='kairan');"
    "INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
    "  WHERE deleted_at IS NULL AND text IS NOT NULL;"
    /* A big backfill leaves many segments: merge them once, not in the first days of sends. */
    "INSERT INTO message_fts(message_fts) VALUES('optimize');"
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL AND new.text IS NOT NULL BEGIN"
    "  INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search WHERE id = new.id; END;"
    /* One trigger, so the old words surely leave before the new ones come (SQLite fires
     * separate triggers in an order it does not promise). */
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, deleted_at ON messages BEGIN"
    "  INSERT INTO message_fts(message_fts, rowid, text, tags) SELECT 'delete', old.id, old.text,"
    "    char(31) || 'r' || old.room_id || ' ' || char(31) || 'u' || old.sender_id || ' ' || char(31) || 'u' || old.author_id"
    "    WHERE old.deleted_at IS NULL AND old.text IS NOT NULL;"
    "  INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
    "    WHERE id = new.id AND new.deleted_at IS NULL AND new.text IS NOT NULL;"
    " END;"
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.deleted_at IS NULL AND old.text IS NOT NULL BEGIN"
    "  INSERT INTO message_fts(message_fts, rowid, text, tags) VALUES('delete', old.id, old.text,"
    "    char(31) || 'r' || old.room_id || ' ' || char(31) || 'u' || old.sender_id || ' ' || char(31) || 'u' || old.author_id);"
    " END;"
    "CREATE TRIGGER files_fts_delete AFTER DELETE ON files BEGIN DELETE FROM file_fts WHERE rowid = old.id; END;",
    /* 14: notes in the search index — title and body, from the notes table itself (external
     * content); triggers keep it in the transaction that writes or deletes a note */
    "CREATE VIRTUAL TABLE note_fts USING fts5(title, body, content='notes', content_rowid='id', tokenize='kairan');"
    "INSERT INTO note_fts(rowid, title, body) SELECT id, title, body FROM notes WHERE deleted_at IS NULL;"
    "CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes WHEN new.deleted_at IS NULL BEGIN"
    "  INSERT INTO note_fts(rowid, title, body) VALUES(new.id, new.title, new.body); END;"
    "CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body, deleted_at ON notes BEGIN"
    "  INSERT INTO note_fts(note_fts, rowid, title, body) SELECT 'delete', old.id, old.title, old.body WHERE old.deleted_at IS "
    "NULL;"
    "  INSERT INTO note_fts(rowid, title, body) SELECT new.id, new.title, new.body WHERE new.deleted_at IS NULL; END;",
    /* 15: Web Push subscriptions of phone sessions (they end with their session) */
    "CREATE TABLE push_subscriptions(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
    "  session_id INTEGER NOT NULL, endpoint TEXT NOT NULL UNIQUE, p256dh TEXT NOT NULL, auth TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);",
    /* 16: new messages are indexed once per transaction, not once per message. FTS5 writes its
     * pending terms out as a new segment at every savepoint, and the writer opens one per job,
     * so indexing in the insert trigger made one segment (and its merges) per message. The
     * trigger now notes the id; store_commit indexes the noted messages from their rows just
     * before COMMIT, in the same transaction. A message edited or deleted before that was
     * never in the index, so the update and delete triggers leave the index alone for it. */
    "CREATE TABLE message_fts_pending(id INTEGER PRIMARY KEY);"
    "DROP TRIGGER messages_fts_insert;"
    "DROP TRIGGER messages_fts_update;"
    "DROP TRIGGER messages_fts_delete;"
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL AND new.text IS NOT NULL BEGIN"
    "  INSERT OR IGNORE INTO message_fts_pending(id) VALUES(new.id); END;"
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, deleted_at ON messages"
    "  WHEN NOT EXISTS (SELECT 1 FROM message_fts_pending WHERE id = old.id) BEGIN"
    "  INSERT INTO message_fts(message_fts, rowid, text, tags) SELECT 'delete', old.id, old.text,"
    "    char(31) || 'r' || old.room_id || ' ' || char(31) || 'u' || old.sender_id || ' ' || char(31) || 'u' || old.author_id"
    "    WHERE old.deleted_at IS NULL AND old.text IS NOT NULL;"
    "  INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
    "    WHERE id = new.id AND new.deleted_at IS NULL AND new.text IS NOT NULL;"
    " END;"
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.deleted_at IS NULL AND old.text IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM message_fts_pending WHERE id = old.id) BEGIN"
    "  INSERT INTO message_fts(message_fts, rowid, text, tags) VALUES('delete', old.id, old.text,"
    "    char(31) || 'r' || old.room_id || ' ' || char(31) || 'u' || old.sender_id || ' ' || char(31) || 'u' || old.author_id);"
    " END;",
};
/* A slot whose statement was forgotten (store__forget): skipped by lookups, never reused. */
static const char forgotten[1];

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int
exec(store_t *s, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int
migrate(store_t *s, int apply, char *err, size_t errlen)
{
    int version = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        goto dberr;
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (version > NMIGRATIONS) {
        snprintf(err, errlen, "the database's schema (version %d) is newer than this kairan (version %d): refusing to start",
                 version, NMIGRATIONS);
        return STORE_ETOONEW;
    }
    if (!apply)
        return 0;
    for (int v = version; v < NMIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
        if (exec(s, "BEGIN IMMEDIATE", err, errlen) != 0)
            return -1;
        if (exec(s, migrations[v], err, errlen) != 0 || exec(s, pragma, err, errlen) != 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
        if (exec(s, "COMMIT", err, errlen) != 0)
            return -1;
        log_info("store.migrate", "version=%d", v + 1);
    }
    return 0;
dberr:
    snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
    return -1;
}

/* Once per process, before the first connection: SQLite's memory statistics (which nothing
 * reads) would take a process-wide mutex around every allocation, on every thread. */
static void
sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
}

store_t *
store_open(const char *data_dir, int apply_migrations, const struct store_options *opt, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_setup);
    char path[1100];
    store_t *s = xcalloc(1, sizeof(*s));
    s->wal_fd = -1;
    if (opt)
        s->opt = *opt;
    snprintf(s->data_dir, sizeof(s->data_dir), "%s", data_dir);
    if (mkdir(data_dir, 0750) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s", data_dir);
        goto fail;
    }
    if (opt && opt->dsn && opt->dsn[0]) {
        if (store__pg_open(s, opt->dsn, apply_migrations, err, errlen) != 0)
            goto fail;
        return s;
    }
    snprintf(path, sizeof(path), "%s/kairan.db", data_dir);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    /* SQLite quietly opens a file it cannot write read-only; Kairan must be able to write. */
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        snprintf(err, errlen, "%s is read-only (is the data directory on a read-only filesystem?)", path);
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (exec(s,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16000; PRAGMA "
             "secure_delete=ON;",
             err, errlen) != 0)
        goto fail;
    /* Before the schema: the search index's tables name this tokenizer. */
    if (store__search_register(s->db) != 0) {
        snprintf(err, errlen, "cannot register the search tokenizer (is SQLite built with FTS5?)");
        goto fail;
    }
    if (migrate(s, apply_migrations, err, errlen) != 0)
        goto fail;
    /* Messages noted for indexing by a process that ended before its commit indexed them (a
     * transaction outside store_begin/store_commit) are indexed with the first commit. */
    s->index_pending = apply_migrations;
    return s;
fail:
    store_close(s);
    return NULL;
}

void
store_close(store_t *s)
{
    if (s == NULL)
        return;
    if (s->pg) {
        store__pg_close(s);
        free(s);
        return;
    }
    for (int i = 0; i < STORE_STMT_CACHE; i++)
        if (s->cache[i].sql != forgotten && s->cache[i].st.lite)
            sqlite3_finalize(s->cache[i].st.lite);
    if (s->db)
        sqlite3_close(s->db);
    if (s->wal_fd >= 0)
        close(s->wal_fd);
    free(s);
}

/*
 * The writer's COMMIT used to include the WAL's fsync (synchronous=FULL): about 1.4 ms of a
 * 4 ms group commit in S4, during which the writer could do nothing else. Now COMMIT only
 * writes the WAL (synchronous=NORMAL) and the writer's syncer thread flushes it while the
 * writer runs the next batch; the batch is acknowledged after that flush. What is
 * acknowledged is on disk exactly as before. Checkpoints still sync the WAL before copying
 * it into the database (SQLite does so at NORMAL), so the database never holds a page whose
 * WAL frame is not on disk, and a restarted WAL's header is synced by SQLite itself.
 */
int
store_defer_sync(store_t *s)
{
    if (s->pg)
        return 0;
    const char *wal = sqlite3_filename_wal(sqlite3_db_filename(s->db, "main"));
    if (wal == NULL || strlen(wal) >= sizeof(s->wal_path))
        return 0;
    if (sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        return 0;
    snprintf(s->wal_path, sizeof(s->wal_path), "%s", wal);
    return 1;
}

static int
sync_failed(const char *path)
{
    log_error("store.sync", "path=%s error=\"%s\"", path, strerror(errno));
    return STORE_EIO;
}

int
store_sync(store_t *s)
{
    if (s->pg || s->wal_path[0] == '\0')
        return 0;
    struct stat st;
    if (stat(s->wal_path, &st) != 0)
        return sync_failed(s->wal_path);
    /* SQLite never deletes the WAL while a connection is open; should it be replaced anyway,
     * the old one was copied into the database first and the new one is the one to flush. */
    if (s->wal_fd < 0 || s->wal_ino != (unsigned long long)st.st_ino || s->wal_dev != (unsigned long long)st.st_dev) {
        if (s->wal_fd >= 0)
            close(s->wal_fd);
        if ((s->wal_fd = open(s->wal_path, O_RDWR | O_CLOEXEC)) < 0)
            return sync_failed(s->wal_path);
        s->wal_ino = (unsigned long long)st.st_ino;
        s->wal_dev = (unsigned long long)st.st_dev;
        s->wal_dir_synced = 0;
    }
    if (fdatasync(s->wal_fd) != 0)
        return sync_failed(s->wal_path);
    if (!s->wal_dir_synced) {
        /* The WAL's name in its directory, once per file (SQLite does the same on its first sync). */
        char dir[sizeof(s->wal_path)];
        snprintf(dir, sizeof(dir), "%s", s->wal_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int ok = fd >= 0 && fsync(fd) == 0;
        if (!ok)
            sync_failed(dir);
        if (fd >= 0)
            close(fd);
        if (!ok)
            return STORE_EIO;
        s->wal_dir_synced = 1;
    }
    return 0;
}

/*
 * The WAL is copied into the database mostly by a thread of its own, not by whichever COMMIT
 * pushes it past 1,000 pages (SQLite's automatic checkpoint, which made one group commit in
 * thirty wait for the copy and its fsync at S4's rate). PASSIVE never blocks the writer.
 */
#define STORE_WAL_WRITER_PAGES 16384 /* 64 MB of 4 KiB pages */
/* Two checkpoints cannot run at once: SQLite answers the second SQLITE_BUSY at once, without
 * waiting. store_checkpoint's TRUNCATE (after a deletion: the text must leave the WAL) waits
 * for the thread's PASSIVE one instead of failing beside it. */
static pthread_mutex_t checkpoint_mu = PTHREAD_MUTEX_INITIALIZER;
static void *
checkpointer_main(void *arg)
{
    sqlite3 *db = arg;
    pthread_setname_np(pthread_self(), "checkpointer");
    for (;;) {
        int log = 0, done = 0;
        pthread_mutex_lock(&checkpoint_mu);
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        pthread_mutex_unlock(&checkpoint_mu);
        struct timespec ts = {.tv_nsec = 50 * 1000 * 1000};
        nanosleep(&ts, NULL); /* a timer: nothing waits for this thread */
    }
    return NULL;
}

int
store_checkpointer_start(store_t *writer)
{
    if (writer->pg)
        return 0;
    char path[1100];
    sqlite3 *db = NULL;
    snprintf(path, sizeof(path), "%s/kairan.db", writer->data_dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 1000);
    sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    pthread_t t;
    if (pthread_create(&t, NULL, checkpointer_main, db) != 0) {
        sqlite3_close(db);
        return -1;
    }
    pthread_detach(t);
    /* The writer still checkpoints, but rarely: a PASSIVE checkpoint beside a writer that
     * appends all the time never reaches the WAL's end, and only a WAL checkpointed to its end
     * starts again from the beginning (without this, 940 MB of WAL after 8 s of S4). Past 64 MB
     * the writer copies what is left — little, the thread has copied the rest — and the WAL
     * restarts. */
    sqlite3_wal_autocheckpoint(writer->db, STORE_WAL_WRITER_PAGES);
    return 0;
}

void
store_checkpoint(store_t *s)
{
    int log = 0, done = 0;
    if (s->pg)
        return; /* PostgreSQL's own checkpoints and vacuum; a deleted row is gone from queries at once */
    pthread_mutex_lock(&checkpoint_mu);
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    pthread_mutex_unlock(&checkpoint_mu);
    if (rc != SQLITE_OK)
        log_warn("store.checkpoint", "error=\"%s\" action=\"the WAL keeps older pages until the next checkpoint\"",
                 sqlite3_errmsg(s->db));
}

void
store_end_reads(store_t *s)
{
    if (s->pg)
        return; /* every statement has read its whole answer already */
    for (sqlite3_stmt *st = sqlite3_next_stmt(s->db, NULL); st != NULL; st = sqlite3_next_stmt(s->db, st))
        if (sqlite3_stmt_busy(st))
            sqlite3_reset(st);
}

static int
plain(store_t *s, const char *sql)
{
    if (s->pg)
        return store__pg_exec(s, sql);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        log_error("store.sql", "sql=\"%s\" error=\"%s\"", sql, sqlite3_errmsg(s->db));
        return STORE_EIO;
    }
    return 0;
}

int
store_begin(store_t *s)
{
    /* A read snapshot still open on this connection would make BEGIN IMMEDIATE fail at once
     * with SQLITE_BUSY (the busy handler cannot help a stale snapshot): end it first. */
    store_end_reads(s);
    s->gens_valid = 0;
    if (s->pg) {
        /* One writing transaction at a time across every node, as SQLite's BEGIN IMMEDIATE is
         * within one: a group commit touches many rooms' rows in whatever order its jobs came,
         * and two such batches on two nodes could otherwise deadlock (and a deadlock aborts a
         * batch that the writer cannot run again). The group commit keeps this one wait per
         * batch, not per send. */
        int rc = plain(s, "BEGIN");
        s->pg_in_tx = rc == 0;
        if (rc == 0 && (rc = store__x(s, "SELECT pg_advisory_xact_lock(7242102)", "")) != 0) {
            plain(s, "ROLLBACK");
            s->pg_in_tx = 0;
        }
        return rc;
    }
    return plain(s, "BEGIN IMMEDIATE");
}

/* Indexes the messages inserted in this transaction (migration 16): one FTS5 flush for the
 * whole group commit. */
static int
index_pending(store_t *s)
{
    int rc = store__x(s,
                      "INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
                      " WHERE id IN (SELECT id FROM message_fts_pending)",
                      "");
    if (rc == 0)
        rc = store__x(s, "DELETE FROM message_fts_pending", "");
    return rc;
}

void
store__note_indexing(store_t *s)
{
    s->index_pending = 1;
    if (s->index_noted++ == 0)
        s->index_since_ms = time_mono_ms();
}

void
store_index_defer(store_t *s, int more_waiting)
{
    s->index_defer = more_waiting;
}

int
store_index_waiting(store_t *s)
{
    return !s->pg && s->index_deferred;
}

int
store_index_flush(store_t *s)
{
    if (s->pg || !s->index_deferred)
        return 0;
    int rc = store_begin(s);
    if (rc == 0)
        rc = store_commit(s); /* not deferred: indexes everything waiting */
    return rc;
}

/* Reads every generation counter at once (see store_generation). */
void
store__gens_load(store_t *s)
{
    s->ngens = 0;
    stmt_t *st = store__q(s, "SELECT name, value FROM counters", "");
    while (store__row(s, st) == 1 && s->ngens < (int)(sizeof(s->gens) / sizeof(s->gens[0]))) {
        snprintf(s->gens[s->ngens].name, sizeof(s->gens[0].name), "%s", store__text(st, 0));
        s->gens[s->ngens].value = store__i64(st, 1);
        s->ngens++;
    }
    store__done(st);
}

int
store_commit(store_t *s)
{
    if (s->pg) {
        s->index_pending = 0;
        s->index_noted = 0;
        int rc = store__pg_index_pending(s);
        if (rc != 0)
            return rc == STORE_EFULL ? STORE_EFULL : STORE_EIO;
        store__gens_load(s);
        rc = plain(s, "COMMIT");
        s->pg_in_tx = 0;
        s->gens_valid = rc == 0;
        return rc;
    }
    /* Left in message_fts_pending for a later commit (store_index_defer)? */
    int later = s->index_pending && s->index_defer && s->index_noted < STORE_INDEX_BATCH &&
                time_mono_ms() - s->index_since_ms < STORE_INDEX_LAG_MS;
    s->index_defer = 0;
    if (s->index_pending && !later) {
        int rc = index_pending(s);
        if (rc != 0)
            return rc == STORE_EFULL ? STORE_EFULL : STORE_EIO;
    }
    store__gens_load(s);
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        s->gens_valid = 1;
        if (!later) {
            s->index_pending = 0;
            s->index_noted = 0;
        }
        s->index_deferred = s->index_pending;
        return 0;
    }
    int full = (sqlite3_errcode(s->db) & 0xff) == SQLITE_FULL;
    log_error("store.commit", "error=\"%s\"", sqlite3_errmsg(s->db));
    return full ? STORE_EFULL : STORE_EIO;
}

void
store_rollback(store_t *s)
{
    s->index_defer = 0;
    /* What earlier commits left for indexing is still waiting; this transaction's notes are not. */
    s->index_pending = s->index_deferred;
    s->gens_valid = 0;
    if (s->pg) {
        plain(s, "ROLLBACK");
        s->pg_in_tx = 0;
        return;
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_savepoint(store_t *s)
{
    /* Prepared once (the statement cache), not parsed per job as sqlite3_exec would. */
    return store__x(s, "SAVEPOINT job", "");
}

int
store_release(store_t *s)
{
    return store__x(s, "RELEASE job", "");
}

void
store_rollback_to(store_t *s)
{
    store__x(s, "ROLLBACK TO job", "");
    store__x(s, "RELEASE job", "");
}

static stmt_t *
slot_of(store_t *s, const char *sql, int *fresh)
{
    size_t h = ((uintptr_t)sql >> 3) % STORE_STMT_CACHE;
    for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
        size_t k = (h + i) % STORE_STMT_CACHE;
        if (s->cache[k].sql == sql) {
            *fresh = 0;
            return &s->cache[k].st;
        }
        if (s->cache[k].sql == NULL) {
            s->cache[k].sql = sql;
            *fresh = 1;
            return &s->cache[k].st;
        }
    }
    log_error("store.prepare", "statement cache full");
    abort();
}

void
store__forget(store_t *s, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % STORE_STMT_CACHE;
    for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
        size_t k = (h + i) % STORE_STMT_CACHE;
        if (s->cache[k].sql == NULL)
            return;
        if (s->cache[k].sql != sql)
            continue;
        stmt_t *st = &s->cache[k].st;
        if (st->lite)
            sqlite3_finalize(st->lite);
        else
            store__pg_forget(s, st);
        memset(st, 0, sizeof(*st));
        st->blob_col = -1;
        s->cache[k].sql = forgotten;
        return;
    }
}

static stmt_t *
prepare_cached(store_t *s, const char *sql)
{
    int fresh;
    stmt_t *st = slot_of(s, sql, &fresh);
    if (!fresh && st->lite) {
        sqlite3_reset(st->lite);
        sqlite3_clear_bindings(st->lite);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) != SQLITE_OK) {
        log_error("store.prepare", "error=\"%s\" sql=\"%.120s\"", sqlite3_errmsg(s->db), sql);
        st->lite = NULL;
        return NULL;
    }
    return st;
}

static stmt_t *
vbind(store_t *s, const char *sql, const char *fmt, va_list ap)
{
    if (s->pg) {
        int fresh;
        stmt_t *st = slot_of(s, sql, &fresh);
        return store__pg_run(s, st, sql, fmt, ap) == 0 ? st : NULL;
    }
    stmt_t *stmt = prepare_cached(s, sql);
    if (stmt == NULL)
        return NULL;
    sqlite3_stmt *st = stmt->lite;
    int i = 1;
    for (const char *f = fmt; *f; f++, i++) {
        switch (*f) {
        case 'i':
        case 'b':
            sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'I':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 't': {
            const char *t = va_arg(ap, const char *);
            if (t)
                sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(st, i);
            break;
        }
        case 'B': {
            const void *p = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT);
            break;
        }
        case 'n':
            sqlite3_bind_null(st, i);
            break;
        default:
            abort();
        }
    }
    return stmt;
}

stmt_t *
store__q(store_t *s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stmt_t *st = vbind(s, sql, fmt, ap);
    va_end(ap);
    return st;
}

stmt_t *
store__qv(store_t *s, const char *sql, int n, const char *const *vals, const int *lens)
{
    if (n > 64)
        abort();
    if (s->pg) {
        char fmt[65];
        int fmts[64];
        for (int i = 0; i < n; i++) {
            fmt[i] = lens[i] >= 0 ? 'B' : 't';
            fmts[i] = lens[i] >= 0;
        }
        fmt[n] = '\0';
        int fresh;
        stmt_t *st = slot_of(s, sql, &fresh);
        return store__pg_runv(s, st, sql, fmt, vals, lens, fmts) == 0 ? st : NULL;
    }
    stmt_t *st = prepare_cached(s, sql);
    if (st == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        if (vals[i] == NULL)
            sqlite3_bind_null(st->lite, i + 1);
        else if (lens[i] >= 0)
            sqlite3_bind_blob(st->lite, i + 1, vals[i], lens[i], SQLITE_TRANSIENT);
        else
            sqlite3_bind_text(st->lite, i + 1, vals[i], -1, SQLITE_TRANSIENT);
    }
    return st;
}

int
store__x(store_t *s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    stmt_t *stmt = vbind(s, sql, fmt, ap);
    va_end(ap);
    if (s->pg)
        return stmt ? 0 : s->pg_err;
    if (stmt == NULL)
        return STORE_EIO;
    int rc = sqlite3_step(stmt->lite);
    sqlite3_reset(stmt->lite);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    if ((rc & 0xff) == SQLITE_FULL)
        return STORE_EFULL;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return STORE_ECONFLICT;
    log_error("store.exec", "error=\"%s\" sql=\"%.120s\"", sqlite3_errmsg(s->db), sql);
    return STORE_EIO;
}

int
store__row(store_t *s, stmt_t *st)
{
    if (st == NULL)
        return STORE_EIO;
    if (!st->lite) {
        if (st->failed)
            return st->failed;
        return ++st->row < st->nrows ? 1 : 0;
    }
    int rc = sqlite3_step(st->lite);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_FULL)
        return STORE_EFULL;
    log_error("store.step", "error=\"%s\"", sqlite3_errmsg(s->db));
    return STORE_EIO;
}

void
store__done(stmt_t *st)
{
    if (st && st->lite)
        sqlite3_reset(st->lite);
}

int64_t
store__changes(store_t *s)
{
    return s->pg ? s->pg_changes : sqlite3_changes(s->db);
}

int64_t
store__last_id(store_t *s)
{
    return s->pg ? s->pg_last_id : sqlite3_last_insert_rowid(s->db);
}

json_t *
store__jstr(stmt_t *st, int col)
{
    if (store__null(st, col))
        return json_null();
    if (!st->lite)
        return json_stringn(PQgetvalue(st->res, st->row, col), (size_t)PQgetlength(st->res, st->row, col));
    return json_stringn((const char *)sqlite3_column_text(st->lite, col), (size_t)sqlite3_column_bytes(st->lite, col));
}

json_t *
store__jtime(stmt_t *st, int col)
{
    char buf[32];
    if (store__null(st, col))
        return json_null();
    return json_string(time_format_jst(store__i64(st, col), buf));
}

const char *
store__text(stmt_t *st, int col)
{
    if (!st->lite)
        return PQgetvalue(st->res, st->row, col);
    const char *t = (const char *)sqlite3_column_text(st->lite, col);
    return t ? t : "";
}

int
store__ids_push(int64_t **ids, size_t *n, size_t *cap, int64_t v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *ids = xrealloc(*ids, *cap * sizeof(**ids));
    }
    (*ids)[(*n)++] = v;
    return 0;
}

json_t *
store__objects_of(store_t *s, stmt_t *st, json_t *(*fn)(store_t *, int64_t))
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = fn(s, ids[i]);
        if (o)
            json_array_append_new(arr, o);
    }
    free(ids);
    return arr;
}

void
store_free_strings(char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
