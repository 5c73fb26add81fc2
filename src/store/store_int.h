/*
 * Internals shared by the SQLite store's files: the connection struct and the statement
 * helpers. Nothing outside src/store/ includes this file.
 */
#ifndef KAIRAN_STORE_INT_H
#define KAIRAN_STORE_INT_H

#include "store/store.h"

#include <sqlite3.h>

#define STORE_STMT_CACHE 1024

struct store {
    sqlite3 *db;
    struct {
        const char *sql; /* compared by address: every statement is a string literal */
        sqlite3_stmt *st;
    } cache[STORE_STMT_CACHE];
    struct store_options opt;
    int index_pending; /* messages were inserted: store_commit indexes them for search */
    /* The counters as this connection's last COMMIT left them, valid until its next BEGIN:
     * the writer's publications after a commit read them without a read transaction. */
    struct {
        char name[16];
        int64_t value;
    } gens[8];
    int ngens, gens_valid, gens_scope;
    char data_dir[1024];
};

/*
 * Returns the cached statement for `sql` (a string literal), reset and bound from `fmt`:
 *   i int, I int64, t text (NULL binds NULL), b bool-as-int, n NULL, B blob (ptr, int len).
 * The statement belongs to the cache: step it, then leave it (the next q() resets it).
 * Returns NULL on a preparation error (logged).
 */
sqlite3_stmt *store__q(store_t *s, const char *sql, const char *fmt, ...);
/* Runs a statement that returns no rows: 0, STORE_ECONFLICT on a constraint, STORE_EIO else. */
int store__x(store_t *s, const char *sql, const char *fmt, ...);
/* Steps a statement for one row: 1 row, 0 done, STORE_EIO on error. */
int store__row(store_t *s, sqlite3_stmt *st);
/* Column text as a JSON string, or JSON null when the column is NULL. */
json_t *store__jstr(sqlite3_stmt *st, int col);
json_t *store__jtime(sqlite3_stmt *st, int col);
const char *store__text(sqlite3_stmt *st, int col);
int store__ids_push(int64_t **ids, size_t *n, size_t *cap, int64_t v);
/* Runs st for ids (column 0), then builds each one's object with fn (which runs statements of its
 * own, so the ids are collected first) into a new array; ids fn returns NULL for are skipped. */
json_t *store__objects_of(store_t *s, sqlite3_stmt *st, json_t *(*fn)(store_t *, int64_t));

/* Registers the search tokenizer ("kairan") with FTS5 on a connection: 0, or -1. */
int store__search_register(sqlite3 *db);

/* Reads every generation counter into s->gens (the caller sets gens_valid). */
void store__gens_load(store_t *s);

/* Shared pieces of objects. */
json_t *store__user_brief(store_t *s, int64_t user_id);

#endif
