/*
 * Full-text search in the SQLite store: an FTS5 index over messages and file text, cut into
 * folded character bigrams by Kairan's own tokenizer (util/searchtok.h).
 *
 * The index is kept by triggers on the messages and files tables (migration 12), so a send,
 * an edit, a deletion, a purge or a retention pass changes it in the very transaction that
 * changes the message: a deleted message can never be found after its COMMIT. The tokenizer
 * is registered on every connection before the schema is touched (store__search_register).
 *
 * Candidates come back newest first, bounded by q->max and by a time budget: FTS5 walks its
 * doclists in rowid order, so "the newest N that pass the filters" stops early for common
 * words instead of ranking a million hits. The API ranks the candidates (api/search.c).
 */
#include "store/store_int.h"
#include "util/log.h"
#include "util/searchtok.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tokenizer ---- */

struct tok_ctx {
    void *pctx;
    int (*xtoken)(void *, int, const char *, int, int, int);
};

static int
emit(void *arg, const char *tok, size_t toklen, size_t start, size_t end)
{
    struct tok_ctx *c = arg;
    return c->xtoken(c->pctx, 0, tok, (int)toklen, (int)start, (int)end);
}

/*
 * The tags column ("\x1Fr12 \x1Fu34 \x1Fu34": room, sender, author) is not text: each
 * space-separated tag is one token, in documents and queries alike. The mark (U+001F, a control
 * character no message may contain) keeps tags and words apart: no bigram starts with it.
 */
#define TAG_MARK '\x1f'

static int
tag_tokenize(const char *text, int len, int (*xtoken)(void *, int, const char *, int, int, int), void *pctx)
{
    int i = 0, rc;
    while (i < len) {
        int j = i;
        while (j < len && text[j] != ' ')
            j++;
        if (j > i && (rc = xtoken(pctx, 0, text + i, j - i, i, j)) != SQLITE_OK)
            return rc;
        i = j + 1;
    }
    return SQLITE_OK;
}

static int
tok_create(void *unused, const char **argv, int argc, Fts5Tokenizer **out)
{
    /* Stateless: any non-NULL handle will do. */
    static int handle;
    *out = (Fts5Tokenizer *)&handle;
    return SQLITE_OK;
}

static void
tok_delete(Fts5Tokenizer *t)
{
}

static int
tok_tokenize(Fts5Tokenizer *t, void *pctx, int flags, const char *text, int len,
             int (*xtoken)(void *, int, const char *, int, int, int))
{
    struct tok_ctx c = {pctx, xtoken};
    if (len <= 0)
        return SQLITE_OK;
    if (text[0] == TAG_MARK)
        return tag_tokenize(text, len, xtoken, pctx);
    return search_tokenize(text, (size_t)len, (flags & FTS5_TOKENIZE_QUERY) ? SEARCHTOK_QUERY : 0, emit, &c);
}

int
store__search_register(sqlite3 *db)
{
    static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    sqlite3_finalize(st);
    if (api == NULL || api->iVersion < 2)
        return -1;
    return api->xCreateTokenizer(api, "kairan", NULL, &tokenizer, NULL) == SQLITE_OK ? 0 : -1;
}

/* ---- queries ---- */

/* Appends `"word"` (quotes doubled) to buf, with a prefix star when it ends in one character. */
static void
append_phrase(char **buf, size_t *len, size_t *cap, const char *w)
{
    size_t need = *len + strlen(w) * 2 + 8;
    if (need > *cap) {
        *cap = need * 2;
        *buf = xrealloc(*buf, *cap);
    }
    char *p = *buf + *len;
    *p++ = '"';
    for (const char *c = w; *c; c++) {
        if (*c == '"')
            *p++ = '"';
        *p++ = *c;
    }
    *p++ = '"';
    if (search_last_run_length(w, strlen(w)) == 1) {
        memcpy(p, " *", 2);
        p += 2;
    }
    *p = '\0';
    *len = (size_t)(p - *buf);
}

static void
append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = xrealloc(*buf, *cap);
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/*
 * Builds the FTS5 expression: (w1 AND w2 …) NOT (x1 OR x2 …), every word a quoted phrase that
 * the tokenizer cuts into bigrams. Words with nothing searchable are left out. Returns NULL
 * (nothing to find) when no positive word is left. Caller frees.
 */
static char *
match_expr(const struct store_search *q, int tags)
{
    char *buf = NULL;
    size_t len = 0, cap = 0, npos = 0, nneg = 0;
    append(&buf, &len, &cap, "(");
    for (size_t i = 0; i < q->nwords; i++) {
        if (search_word_chars(q->words[i], strlen(q->words[i])) == 0)
            continue;
        if (npos++)
            append(&buf, &len, &cap, " AND ");
        append_phrase(&buf, &len, &cap, q->words[i]);
    }
    if (npos == 0) {
        free(buf);
        return NULL;
    }
    append(&buf, &len, &cap, ")");
    for (size_t i = 0; i < q->nexcluded; i++) {
        if (search_word_chars(q->excluded[i], strlen(q->excluded[i])) == 0)
            continue;
        append(&buf, &len, &cap, nneg++ ? " OR " : " NOT (");
        append_phrase(&buf, &len, &cap, q->excluded[i]);
    }
    if (nneg)
        append(&buf, &len, &cap, ")");
    /* Room and person filters as tags: FTS5 intersects doclists by seeking, so a room's few
     * hits of a common word are found without walking the word's hits in every room. */
    char tag[64];
    if (tags && q->room_id) {
        snprintf(tag, sizeof(tag), " AND tags : \"%cr%lld\"", TAG_MARK, (long long)q->room_id);
        append(&buf, &len, &cap, tag);
    }
    if (tags && q->sender_id) {
        snprintf(tag, sizeof(tag), " AND tags : \"%cu%lld\"", TAG_MARK, (long long)q->sender_id);
        append(&buf, &len, &cap, tag);
    }
    return buf;
}

/* Interrupts a query that has run past its deadline (see store_search). */
static int
over_budget(void *arg)
{
    return time_mono_ms() > *(int64_t *)arg;
}

static void
push_hit(struct store_search_hit **hits, size_t *n, size_t *cap, const struct store_search_hit *h)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        *hits = xrealloc(*hits, *cap * sizeof(**hits));
    }
    (*hits)[(*n)++] = *h;
}

/* The filters every kind of hit shares, bound as ?2..?7 by bind_filters. */
#define FILTERS                                                                                                                    \
    " AND m.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2) AND (?3 = 0 OR m.room_id = ?3)"                       \
    " AND (?4 = 0 OR m.sender_id = ?4 OR m.author_id = ?4) AND (?5 = 0 OR m.created_at >= ?5)"                                     \
    " AND (?6 = 0 OR m.created_at < ?6) AND m.deleted_at IS NULL"

static const char sql_messages[] =
    "SELECT m.id, m.room_id, m.created_at, m.text FROM message_fts f JOIN messages m ON m.id = f.rowid"
    " WHERE message_fts MATCH ?1 AND f.rowid >= ?9 AND f.rowid < ?10" FILTERS
    " AND (?7 = 0 OR m.nfiles > 0) AND (?11 IS NULL OR m.tag = ?11) ORDER BY f.rowid DESC LIMIT ?8";

static const char sql_files[] =
    "SELECT mf.file_id, m.room_id, m.id, m.created_at, f.name, substr(f.body, 1, 65536) FROM file_fts f"
    " JOIN message_files mf ON mf.file_id = f.rowid JOIN messages m ON m.id = mf.message_id"
    " WHERE file_fts MATCH ?1 AND m.id >= ?9 AND m.id < ?10" FILTERS " AND ?7 >= 0 AND ?11 IS NULL ORDER BY f.rowid DESC LIMIT ?8";

/* Notes: their title and body, in the caller's rooms; "from" is the author or the last editor. */
static const char sql_notes[] =
    "SELECT n.id, n.room_id, n.updated_at, n.title, substr(n.body, 1, 65536) FROM note_fts f JOIN notes n ON n.id = f.rowid"
    " WHERE note_fts MATCH ?1 AND n.deleted_at IS NULL"
    " AND n.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2) AND (?3 = 0 OR n.room_id = ?3)"
    " AND (?4 = 0 OR n.author_id = ?4 OR n.updated_by = ?4) AND (?5 = 0 OR n.updated_at >= ?5)"
    " AND (?6 = 0 OR n.updated_at < ?6) AND (?7 = 0 OR EXISTS(SELECT 1 FROM note_files WHERE note_id = n.id))"
    " AND ?9 <= ?10 AND ?11 IS NULL ORDER BY f.rowid DESC LIMIT ?8";

static int
run_one(store_t *s, const char *sql, const char *expr, const struct store_search *q, int64_t id_lo, int64_t id_hi, int file,
        struct store_search_hit **hits, size_t *n, size_t *cap)
{
    sqlite3_stmt *st = store__q(s, sql, "tIIIIIiiIIt", expr, q->user_id, q->room_id, q->sender_id, q->after_ms, q->before_ms,
                                q->has_file, q->max, id_lo, id_hi, q->tag);
    int rc;
    if (st == NULL)
        return STORE_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_search_hit h = {0};
        h.type = file == 2 ? STORE_HIT_NOTE : file ? STORE_HIT_FILE : STORE_HIT_MESSAGE;
        h.id = sqlite3_column_int64(st, 0);
        h.room_id = sqlite3_column_int64(st, 1);
        if (file == 2) {
            h.created_at = sqlite3_column_int64(st, 2);
            h.name = xstrdup(store__text(st, 3));
            h.text = xstrdup(store__text(st, 4));
        } else if (file) {
            h.message_id = sqlite3_column_int64(st, 2);
            h.created_at = sqlite3_column_int64(st, 3);
            h.name = xstrdup(store__text(st, 4));
            h.text = xstrdup(store__text(st, 5));
        } else {
            h.message_id = h.id;
            h.created_at = sqlite3_column_int64(st, 2);
            h.text = xstrdup(store__text(st, 3));
        }
        push_hit(hits, n, cap, &h);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    /* Out of time: what was found so far is the answer (flagged partial by the caller). */
    if (rc == SQLITE_INTERRUPT)
        return 1;
    log_error("store.search", "error=\"%s\"", sqlite3_errmsg(s->db));
    return STORE_EIO;
}

/*
 * The first message id sent at or after `ms`. Ids grow with time (the writer assigns both), so
 * a date filter becomes an id range that FTS5 applies while it walks its doclists, and a
 * search for "after: last month" stops at last month instead of reading back to the first day.
 * The exact created_at test stays in the query; this only bounds the walk.
 */
static int64_t
id_at(store_t *s, int64_t ms)
{
    int64_t lo = 1, hi;
    sqlite3_stmt *st = store__q(s, "SELECT ifnull(max(id), 0) + 1 FROM messages", "");
    if (store__row(s, st) != 1)
        return 1;
    hi = sqlite3_column_int64(st, 0);
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        st = store__q(s, "SELECT created_at FROM messages WHERE id >= ? ORDER BY id LIMIT 1", "I", mid);
        if (store__row(s, st) != 1 || sqlite3_column_int64(st, 0) >= ms)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

int
store_search(store_t *s, const struct store_search *q, struct store_search_hit **hits, size_t *n, int *partial)
{
    size_t cap = 0;
    int rc = 0;
    *hits = NULL;
    *n = 0;
    *partial = 0;
    char *expr = match_expr(q, 1), *fexpr = match_expr(q, 0);
    if (expr == NULL || fexpr == NULL) {
        free(expr);
        free(fexpr);
        return 0;
    }
    int64_t deadline = time_mono_ms() + (q->budget_ms > 0 ? q->budget_ms : 2000);
    sqlite3_progress_handler(s->db, 1000, over_budget, &deadline);
    int64_t id_lo = q->after_ms ? id_at(s, q->after_ms) : 0, id_hi = q->before_ms ? id_at(s, q->before_ms) : INT64_MAX;
    if (q->kinds & STORE_HIT_MESSAGE)
        rc = run_one(s, sql_messages, expr, q, id_lo, id_hi, 0, hits, n, &cap);
    if (rc >= 0 && (q->kinds & STORE_HIT_FILE)) {
        int rc2 = run_one(s, sql_files, fexpr, q, id_lo, id_hi, 1, hits, n, &cap);
        rc = rc2 < 0 ? rc2 : rc | rc2;
    }
    if (rc >= 0 && (q->kinds & STORE_HIT_NOTE)) {
        /* Notes are few beside messages: their dates are tested directly, not as id ranges. */
        int rc2 = run_one(s, sql_notes, fexpr, q, 0, INT64_MAX, 2, hits, n, &cap);
        rc = rc2 < 0 ? rc2 : rc | rc2;
    }
    sqlite3_progress_handler(s->db, 0, NULL, NULL);
    free(expr);
    free(fexpr);
    if (rc == 1) {
        *partial = 1;
        rc = 0;
    }
    if (rc < 0) {
        store_search_hits_free(*hits, *n);
        *hits = NULL;
        *n = 0;
    }
    return rc;
}

void
store_search_hits_free(struct store_search_hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(hits[i].text);
        free(hits[i].name);
    }
    free(hits);
}

int
store_search_index_file(store_t *s, int64_t file_id, const char *name, const char *text)
{
    return store__x(s, "INSERT OR REPLACE INTO file_fts(rowid, name, body) VALUES(?, ?, ?)", "Itt", file_id, name,
                    text ? text : "");
}
