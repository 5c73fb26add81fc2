/*
 * Internals shared by the store's files: the connection struct and the statement helpers.
 * Nothing outside src/store/ includes this file.
 *
 * Two engines sit behind the same statements: SQLite (store_sqlite.c, the default) and
 * PostgreSQL (store_pg.c). The store's files write their SQL once, in the dialect both accept
 * where they can; store_pg.c translates the rest when it prepares a statement (placeholders,
 * INSERT OR IGNORE, ifnull) and the few statements that differ more are chosen with
 * STORE_SQL(s, sqlite, postgresql). Rows are read through the store__* accessors below, never
 * through either engine's own API.
 */
#ifndef KAIRAN_STORE_INT_H
#define KAIRAN_STORE_INT_H

#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdarg.h>

#define STORE_STMT_CACHE 1024

/* A prepared statement of either engine, with the row being read. */
typedef struct store_stmt {
    sqlite3_stmt *lite;
    /* PostgreSQL: the whole answer of the last run, read row by row */
    PGresult *res;
    int row, nrows, failed, prepared, ret_id;
    char *per_call_sql; /* PostgreSQL: planned at each run for its values (STORE_PLAN_PER_CALL) */
    Oid *per_call_types;
    int blob_col, blob_row;
    unsigned char *blob; /* the last bytea column decoded (PQunescapeBytea) */
    size_t blob_len;
} stmt_t;

struct store {
    sqlite3 *db;
    PGconn *pg; /* set when the store is PostgreSQL; db is then NULL */
    int64_t pg_changes, pg_last_id;
    int pg_err; /* the store error of the last failed PostgreSQL statement */
    int pg_in_tx;
    unsigned pg_resets, pg_listen_resets; /* reconnections, and the count when LISTEN was last sent */
    struct {
        const char *sql; /* compared by address: every statement is a string literal */
        stmt_t st;
    } cache[STORE_STMT_CACHE];
    struct store_options opt;
    int index_pending; /* messages were inserted: store_commit indexes them for search */
    /* Indexing left to a later commit while the writer is busy (store_index_defer): */
    int index_defer;        /* set for the next store_commit only */
    int index_deferred;     /* committed messages are waiting in message_fts_pending */
    int64_t index_noted;    /* messages noted since the index was last brought up to date */
    int64_t index_since_ms; /* when the first of them was noted (monotonic) */
    /* The counters as this connection's last COMMIT left them, valid until its next BEGIN:
     * the writer's publications after a commit read them without a read transaction. */
    struct {
        char name[16];
        int64_t value;
    } gens[8];
    int ngens, gens_valid, gens_scope;
    char data_dir[1024];
    /* The writer's deferred fsync (store_defer_sync, store_sync): a descriptor of its own on
     * the WAL, used only by the thread that syncs. */
    char wal_path[1100];
    int wal_fd, wal_dir_synced;
    unsigned long long wal_dev, wal_ino;
};

/*
 * Returns the cached statement for `sql` (a string literal), reset and bound from `fmt`:
 *   i int, I int64, t text (NULL binds NULL), b bool-as-int, n NULL, B blob (ptr, int len).
 * The statement belongs to the cache: step it, then leave it (the next q() resets it).
 * Returns NULL on a preparation error (logged).
 */
stmt_t *store__q(store_t *s, const char *sql, const char *fmt, ...);
/*
 * Like store__q for a statement built at run time (its text must stay allocated while the
 * store is open: the cache keys statements by address) with n values given as text, NULL, or
 * (lens[i] >= 0) a blob of lens[i] bytes.
 */
stmt_t *store__qv(store_t *s, const char *sql, int n, const char *const *vals, const int *lens);
/* Drops a run-time statement from the cache before its text is freed. */
void store__forget(store_t *s, const char *sql);
void store__pg_forget(store_t *s, stmt_t *st);
/* After a reconnection: every statement is prepared again on the new session. */
void store__pg_forget_all(store_t *s);
/* Connects again (the server restarted, the network dropped) and forgets what was prepared. */
void store__pg_reconnect(store_t *s);
/* Runs a statement that returns no rows: 0, STORE_ECONFLICT on a constraint, STORE_EIO else. */
int store__x(store_t *s, const char *sql, const char *fmt, ...);
/* Steps a statement for one row: 1 row, 0 done, STORE_EIO on error. */
int store__row(store_t *s, stmt_t *st);
/* Ends a statement's run early (its read snapshot, for SQLite). */
void store__done(stmt_t *st);
/* Column text as a JSON string, or JSON null when the column is NULL. */
json_t *store__jstr(stmt_t *st, int col);
json_t *store__jtime(stmt_t *st, int col);
const char *store__text(stmt_t *st, int col);
int64_t store__pg_i64(stmt_t *st, int col);
const void *store__pg_blob(stmt_t *st, int col, int *len);
/* Rows the last store__x changed, and the id the last INSERT gave its row. */
int64_t store__changes(store_t *s);
int64_t store__last_id(store_t *s);
/* No transaction is open on the connection. */
static inline int
store__autocommit(store_t *s)
{
    return s->pg ? PQtransactionStatus(s->pg) == PQTRANS_IDLE : sqlite3_get_autocommit(s->db);
}
/*
 * Starts a PostgreSQL statement that must be planned for the values of each run (a search with
 * optional filters and id ranges), not once for any values as prepared statements are.
 */
#define STORE_PLAN_PER_CALL "/* plan per call */ "

/* Picks the statement for the engine that runs: for the few statements whose SQL differs. */
#define STORE_SQL(s, lite_sql, pg_sql) ((s)->pg ? (pg_sql) : (lite_sql))

static inline int
store__null(stmt_t *st, int col)
{
    return st->lite ? sqlite3_column_type(st->lite, col) == SQLITE_NULL : PQgetisnull(st->res, st->row, col);
}
static inline int64_t
store__i64(stmt_t *st, int col)
{
    return st->lite ? sqlite3_column_int64(st->lite, col) : store__pg_i64(st, col);
}
static inline int
store__int(stmt_t *st, int col)
{
    return (int)store__i64(st, col);
}
static inline const void *
store__blob(stmt_t *st, int col)
{
    return st->lite ? sqlite3_column_blob(st->lite, col) : store__pg_blob(st, col, NULL);
}
static inline int
store__bytes(stmt_t *st, int col)
{
    int n = 0;
    if (st->lite)
        return sqlite3_column_bytes(st->lite, col);
    store__pg_blob(st, col, &n);
    return n;
}
int store__ids_push(int64_t **ids, size_t *n, size_t *cap, int64_t v);
/* Runs st for ids (column 0), then builds each one's object with fn (which runs statements of its
 * own, so the ids are collected first) into a new array; ids fn returns NULL for are skipped. */
json_t *store__objects_of(store_t *s, stmt_t *st, json_t *(*fn)(store_t *, int64_t));

/* Registers the search tokenizer ("kairan") with FTS5 on a connection: 0, or -1. */
int store__search_register(sqlite3 *db);

/* PostgreSQL (store_pg.c): opening with the schema, and running a statement of the cache. */
int store__pg_open(store_t *s, const char *dsn, int apply_migrations, char *err, size_t errlen);
void store__pg_close(store_t *s);
int store__pg_run(store_t *s, stmt_t *st, const char *sql, const char *fmt, va_list ap);
int store__pg_runv(store_t *s, stmt_t *st, const char *sql, const char *fmt, const char *const *vals, const int *lens,
                   const int *fmts);
int store__pg_exec(store_t *s, const char *sql);
/* Writes the search terms of what this transaction changed (store_search.c). */
int store__pg_index_pending(store_t *s);
/* A message was inserted: the commit indexes it (store_commit, store_index_defer). */
void store__note_indexing(store_t *s);
/* Runs a PostgreSQL statement given as a plain string, as store__x does. */
int store__pg_status(store_t *s, PGresult *r, const char *sql);

/* Reads every generation counter into s->gens (the caller sets gens_valid). */
void store__gens_load(store_t *s);

/* Shared pieces of objects. */
json_t *store__user_brief(store_t *s, int64_t user_id);

#endif
