/*
 * Copying a whole store into another, empty one (SQLite → PostgreSQL when a city outgrows one
 * machine, and back), and the per-table row counts and checksums that show the copy is whole.
 *
 * Tables are copied in an order that satisfies their references, rows in key order, every value
 * as text (or a blob), column by column as the source names them, all in one transaction of
 * the target. The search index is not copied but rebuilt by the target (its own triggers and
 * commit), except files' extracted text, which only the index holds and is carried over.
 * PostgreSQL's identity sequences are moved past the copied ids.
 *
 * A checksum is SHA-256 over every row in key order, each value written the same way on both
 * engines (decimal integers, text, blobs in hex, NULL as a mark), so equal sums mean equal data.
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/strbuf.h"
#include "util/xmalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tables, parents first, with their keys. */
static const struct {
    const char *name, *order;
    int has_id;
} tables[] = {
    {"departments", "id", 1},
    {"users", "id", 1},
    {"delegates", "account_id, user_id", 0},
    {"sessions", "id", 1},
    {"rooms", "id", 1},
    {"room_members", "room_id, user_id", 0},
    {"messages", "id", 1},
    {"mentions", "user_id, room_id, seq", 0},
    {"message_edits", "id", 1},
    {"files", "id", 1},
    {"message_files", "message_id, file_id", 0},
    {"audit", "id", 1},
    {"reports", "id", 1},
    {"password_history", "id", 1},
    {"settings", "key", 0},
    {"held", "id", 1},
    {"notes", "id", 1},
    {"note_versions", "note_id, version", 0},
    {"note_files", "note_id, file_id", 0},
    {"note_reads", "note_id, user_id", 0},
    {"note_suggestions", "id", 1},
    {"meetings", "id", 1},
    {"message_tags", "message_id", 0},
    {"memos", "id", 1},
    {"push_subscriptions", "id", 1},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* Blob columns (bytea on PostgreSQL). */
static int
is_blob(const char *table, const char *col)
{
    return (!strcmp(table, "audit") && (!strcmp(col, "prev_hash") || !strcmp(col, "hash"))) ||
           (!strcmp(table, "sessions") && !strcmp(col, "token_hash"));
}

/* Statements built at run time live until the stores close (the cache keys them by address). */
struct kept {
    char **v;
    size_t n;
};

/* Forgets the kept statements in the stores that ran them, then frees them. */
static void
kept_free(struct kept *k, store_t *a, store_t *b)
{
    for (size_t i = 0; i < k->n; i++) {
        store__forget(a, k->v[i]);
        if (b)
            store__forget(b, k->v[i]);
        free(k->v[i]);
    }
    free(k->v);
}

static const char *
keep(struct kept *k, char *sql)
{
    k->v = xrealloc(k->v, (k->n + 1) * sizeof(char *));
    k->v[k->n++] = sql;
    return sql;
}

static int
columns(store_t *s, const char *table, char ***cols, size_t *n)
{
    stmt_t *st = store__q(s,
                          STORE_SQL(s, "SELECT name FROM pragma_table_info(?) ORDER BY cid",
                                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                                    " AND table_name = ? ORDER BY ordinal_position"),
                          "t", table);
    int r;
    *cols = NULL;
    *n = 0;
    while ((r = store__row(s, st)) == 1) {
        *cols = xrealloc(*cols, (*n + 1) * sizeof(char *));
        (*cols)[(*n)++] = xstrdup(store__text(st, 0));
    }
    store__done(st);
    return r < 0 ? r : 0;
}

static void
hex(struct sb *b, const unsigned char *p, int n)
{
    static const char d[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        char c[2] = {d[p[i] >> 4], d[p[i] & 15]};
        sb_add(b, c, 2);
    }
}

/*
 * A table's rows in key order without holding them all: SQLite steps its statement; PostgreSQL
 * (which would hand over the whole answer at once) reads a cursor 2,000 rows at a time. Needs
 * an open transaction on PostgreSQL.
 */
struct rows {
    store_t *s;
    stmt_t *st;
    const char *sel;
};

static int
rows_open(struct rows *it, store_t *s, const char *sel)
{
    *it = (struct rows){.s = s, .sel = sel};
    if (!s->pg)
        return (it->st = store__q(s, sel, "")) ? 0 : STORE_EIO;
    struct sb b = {0};
    sb_fmt(&b, "DECLARE kairan_rows NO SCROLL CURSOR FOR ");
    sb_str(&b, sel);
    int rc = store__pg_exec(s, b.p);
    free(b.p);
    return rc;
}

/* 1 with a row at it->st, 0 at the end, or an error. */
static int
rows_next(struct rows *it)
{
    if (!it->s->pg)
        return store__row(it->s, it->st);
    if (it->st == NULL || it->st->row + 1 >= it->st->nrows) {
        if (it->st && it->st->nrows == 0)
            return 0;
        it->st = store__q(it->s, "FETCH 2000 FROM kairan_rows", "");
        if (it->st == NULL)
            return STORE_EIO;
    }
    return store__row(it->s, it->st);
}

static void
rows_close(struct rows *it)
{
    if (!it->s->pg)
        store__done(it->st);
    else
        store__pg_exec(it->s, "CLOSE kairan_rows");
}

/* A read snapshot of the whole store (and the transaction a PostgreSQL cursor needs). */
static int
snapshot_begin(store_t *s)
{
    if (s->pg)
        return store__pg_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    return sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : STORE_EIO;
}

static void
snapshot_end(store_t *s)
{
    if (s->pg)
        store__pg_exec(s, "COMMIT");
    else
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

/* SELECT cols FROM table ORDER BY key. */
static char *
select_sql(const char *table, const char *order, char **cols, size_t n)
{
    struct sb b = {0};
    sb_str(&b, "SELECT ");
    for (size_t i = 0; i < n; i++)
        sb_fmt(&b, "%s%s", i ? ", " : "", cols[i]);
    sb_fmt(&b, " FROM %s ORDER BY %s", table, order);
    return b.p;
}

int
store_table_sums(store_t *s, int (*fn)(void *arg, const char *table, int64_t rows, const char *sum_hex), void *arg)
{
    struct kept k = {0};
    int rc = snapshot_begin(s); /* one snapshot for every table */
    for (size_t t = 0; t < NTABLES && rc == 0; t++) {
        char **cols;
        size_t nc;
        if ((rc = columns(s, tables[t].name, &cols, &nc)) != 0)
            break;
        /* Columns in name order, so that both engines sum them alike whatever their order. */
        for (size_t i = 1; i < nc; i++)
            for (size_t j = i; j > 0 && strcmp(cols[j - 1], cols[j]) > 0; j--) {
                char *x = cols[j];
                cols[j] = cols[j - 1];
                cols[j - 1] = x;
            }
        const char *sql = keep(&k, select_sql(tables[t].name, tables[t].order, cols, nc));
        struct rows it;
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        int64_t rows = 0;
        int r = rows_open(&it, s, sql);
        while (r == 0 || r == 1) {
            if ((r = rows_next(&it)) != 1)
                break;
            stmt_t *st = it.st;
            struct sb row = {0};
            for (size_t c = 0; c < nc; c++) {
                if (store__null(st, (int)c))
                    sb_str(&row, "\x01N");
                else if (is_blob(tables[t].name, cols[c]))
                    hex(&row, store__blob(st, (int)c), store__bytes(st, (int)c));
                else
                    sb_str(&row, store__text(st, (int)c));
                sb_add(&row, "\x1f", 1);
            }
            sb_add(&row, "\x1e", 1);
            crypto_hash_sha256_update(&h, (const unsigned char *)row.p, row.n);
            free(row.p);
            rows++;
        }
        rows_close(&it);
        unsigned char out[32];
        crypto_hash_sha256_final(&h, out);
        struct sb hx = {0};
        hex(&hx, out, 32);
        if (r < 0)
            rc = r;
        else
            rc = fn(arg, tables[t].name, rows, hx.p);
        free(hx.p);
        for (size_t i = 0; i < nc; i++)
            free(cols[i]);
        free(cols);
    }
    snapshot_end(s);
    kept_free(&k, s, NULL);
    return rc;
}

int
store_is_empty(store_t *s)
{
    stmt_t *st = store__q(s,
                          "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM rooms) + (SELECT count(*) FROM messages)"
                          " + (SELECT count(*) FROM files) + (SELECT count(*) FROM audit)",
                          "");
    int r = store__row(s, st);
    int64_t n = r == 1 ? store__i64(st, 0) : -1;
    store__done(st);
    return r != 1 ? STORE_EIO : n == 0;
}

/* The file index: its extracted text is held nowhere else. */
static int
copy_file_index(store_t *src, store_t *dst)
{
    stmt_t *st = store__q(src,
                          STORE_SQL(src, "SELECT rowid, name, body FROM file_fts ORDER BY rowid",
                                    "SELECT id, name, body FROM search_terms WHERE kind = 'f' ORDER BY id"),
                          "");
    int r, rc = 0;
    while (rc == 0 && (r = store__row(src, st)) == 1)
        rc = store_search_index_file(dst, store__i64(st, 0), store__text(st, 1), store__text(st, 2));
    store__done(st);
    return rc != 0 ? rc : r < 0 ? r : 0;
}

int
store_copy(store_t *src, store_t *dst, int (*progress)(void *arg, const char *table, int64_t rows), void *arg, char *err,
           size_t errlen)
{
    int e = store_is_empty(dst);
    if (e != 1) {
        snprintf(err, errlen, e == 0 ? "the target store is not empty: refusing to overwrite it" : "cannot read the target store");
        return e == 0 ? STORE_ECONFLICT : STORE_EIO;
    }
    struct kept k = {0};
    /* The source as it was at one moment, while its server may go on writing (a backup). */
    int rc = snapshot_begin(src);
    if (rc == 0)
        rc = store_begin(dst);
    /* The target's defaults (settings, counters) give way to the source's. */
    if (rc == 0)
        rc = store__x(dst, "DELETE FROM settings", "");
    for (size_t t = 0; t < NTABLES && rc == 0; t++) {
        char **cols;
        size_t nc;
        if ((rc = columns(src, tables[t].name, &cols, &nc)) != 0)
            break;
        if (nc > 64) {
            rc = STORE_EIO;
            break;
        }
        const char *sel = keep(&k, select_sql(tables[t].name, tables[t].order, cols, nc));
        struct sb ins = {0};
        sb_fmt(&ins, "INSERT INTO %s(", tables[t].name);
        for (size_t i = 0; i < nc; i++)
            sb_fmt(&ins, "%s%s", i ? ", " : "", cols[i]);
        sb_str(&ins, ") VALUES(");
        for (size_t i = 0; i < nc; i++)
            sb_str(&ins, i ? ", ?" : "?");
        sb_str(&ins, ")");
        const char *insql = keep(&k, ins.p);
        struct rows it;
        int64_t rows = 0;
        int r = rows_open(&it, src, sel);
        if (r != 0)
            rc = r;
        const char *vals[64];
        int lens[64];
        void *blobs[64] = {0}; /* copies: a PostgreSQL blob lives until the next one is read */
        while (rc == 0 && (r = rows_next(&it)) == 1) {
            stmt_t *st = it.st;
            for (size_t c = 0; c < nc; c++) {
                lens[c] = -1;
                free(blobs[c]);
                blobs[c] = NULL;
                if (store__null(st, (int)c)) {
                    vals[c] = NULL;
                } else if (is_blob(tables[t].name, cols[c])) {
                    lens[c] = store__bytes(st, (int)c);
                    blobs[c] = xmalloc((size_t)lens[c] + 1);
                    memcpy(blobs[c], store__blob(st, (int)c), (size_t)lens[c]);
                    vals[c] = blobs[c];
                } else {
                    vals[c] = store__text(st, (int)c);
                }
            }
            stmt_t *w = store__qv(dst, insql, (int)nc, vals, lens);
            if (w == NULL) {
                rc = dst->pg ? dst->pg_err : STORE_EIO;
            } else if (!w->lite) {
                rows++;
            } else {
                int x = store__row(dst, w);
                store__done(w);
                rc = x < 0 ? x : 0;
                rows++;
            }
        }
        rows_close(&it);
        for (size_t c = 0; c < nc; c++)
            free(blobs[c]);
        if (rc == 0 && r < 0)
            rc = r;
        if (rc == 0 && progress)
            rc = progress(arg, tables[t].name, rows);
        if (rc == 0 && dst->pg && tables[t].has_id) {
            char *sq = xmalloc(256);
            snprintf(sq, 256, "SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM %s), false)",
                     tables[t].name, tables[t].name);
            stmt_t *q = store__q(dst, keep(&k, sq), "");
            rc = q ? 0 : dst->pg_err;
        }
        if (rc != 0)
            snprintf(err, errlen, "copying table %s failed (see the log)", tables[t].name);
        for (size_t i = 0; i < nc; i++)
            free(cols[i]);
        free(cols);
    }
    /* The generation counters: what caches of the copied data were built from. */
    if (rc == 0) {
        stmt_t *st = store__q(src, "SELECT name, value FROM counters", "");
        int r;
        while (rc == 0 && (r = store__row(src, st)) == 1)
            rc = store__x(
                dst, "INSERT INTO counters(name, value) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value + 1",
                "tI", store__text(st, 0), store__i64(st, 1));
        store__done(st);
    }
    if (rc == 0 && (rc = copy_file_index(src, dst)) != 0)
        snprintf(err, errlen, "copying the file index failed (see the log)");
    if (rc == 0) {
        dst->index_pending = 1;
        rc = store_commit(dst);
        if (rc != 0)
            snprintf(err, errlen, "the target's commit failed (see the log)");
        /* Statistics for the planner, which would otherwise plan for empty tables until
         * autovacuum first looks at them; the visibility map for index-only scans. */
        else if (dst->pg)
            rc = store__pg_exec(dst, "VACUUM ANALYZE");
    } else {
        store_rollback(dst);
    }
    snapshot_end(src);
    kept_free(&k, src, dst);
    return rc;
}
