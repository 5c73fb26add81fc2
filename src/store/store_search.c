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
#include "util/strbuf.h"
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
    stmt_t *st = store__q(s, sql, "tIIIIIiiIIt", expr, q->user_id, q->room_id, q->sender_id, q->after_ms, q->before_ms, q->has_file,
                          q->max, id_lo, id_hi, q->tag);
    int rc;
    if (st == NULL)
        return STORE_EIO;
    while ((rc = sqlite3_step(st->lite)) == SQLITE_ROW) {
        struct store_search_hit h = {0};
        h.type = file == 2 ? STORE_HIT_NOTE : file ? STORE_HIT_FILE : STORE_HIT_MESSAGE;
        h.id = store__i64(st, 0);
        h.room_id = store__i64(st, 1);
        if (file == 2) {
            h.created_at = store__i64(st, 2);
            h.name = xstrdup(store__text(st, 3));
            h.text = xstrdup(store__text(st, 4));
        } else if (file) {
            h.message_id = store__i64(st, 2);
            h.created_at = store__i64(st, 3);
            h.name = xstrdup(store__text(st, 4));
            h.text = xstrdup(store__text(st, 5));
        } else {
            h.message_id = h.id;
            h.created_at = store__i64(st, 2);
            h.text = xstrdup(store__text(st, 3));
        }
        push_hit(hits, n, cap, &h);
    }
    store__done(st);
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
    stmt_t *st = store__q(s, "SELECT ifnull(max(id), 0) + 1 FROM messages", "");
    if (store__row(s, st) != 1)
        return 1;
    hi = store__i64(st, 0);
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        st = store__q(s, "SELECT created_at FROM messages WHERE id >= ? ORDER BY id LIMIT 1", "I", mid);
        if (store__row(s, st) != 1 || store__i64(st, 0) >= ms)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int pg_search(store_t *s, const struct store_search *q, struct store_search_hit **hits, size_t *n, int *partial);

int
store_search(store_t *s, const struct store_search *q, struct store_search_hit **hits, size_t *n, int *partial)
{
    if (s->pg)
        return pg_search(s, q, hits, n, partial);
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

static char *terms_of(const char *a, const char *b, int64_t room_id);

int
store_search_index_file(store_t *s, int64_t file_id, const char *name, const char *text)
{
    if (s->pg) {
        char *terms = terms_of(name, text, 0);
        int rc = store__x(s,
                          "INSERT INTO search_terms(kind, id, terms, name, body) VALUES('f', ?, ?::text[], ?, ?)"
                          " ON CONFLICT(kind, id) DO UPDATE SET terms = excluded.terms, name = excluded.name, body = excluded.body",
                          "Ittt", file_id, terms, name, text ? text : "");
        free(terms);
        return rc;
    }
    return store__x(s, "INSERT OR REPLACE INTO file_fts(rowid, name, body) VALUES(?, ?, ?)", "Itt", file_id, name,
                    text ? text : "");
}

/* ---- PostgreSQL ----
 *
 * The same folded bigrams, kept as a text[] per message, note and file (table search_terms, a
 * GIN index) instead of an FTS5 index. Triggers drop a changed or deleted row's terms in its
 * own transaction and note it in search_pending; store__pg_index_pending, run by store_commit
 * just before COMMIT, writes the terms of what is noted (as the SQLite store's migration 16
 * does). A query asks for the rows holding every bigram of every word (array containment),
 * newest first, then keeps those where each word is a phrase (its bigrams in a row) in one
 * column, as FTS5's phrase query does, and none of the excluded words is.
 */

#define TOKMAX 9
#define UNIGRAM_MARK '\x01' /* before a single character in the terms: "starts a token" */
#define ROOM_MARK '\x02'    /* before a room id in the terms */

/* The room's term: the mark and the id in base 64 (six bytes hold ids up to 2^36). */
static void
room_tag(char out[TOKMAX], int64_t room_id)
{
    static const char d[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/";
    int n = 0;
    out[n++] = ROOM_MARK;
    uint64_t v = (uint64_t)room_id;
    do {
        out[n++] = d[v & 63];
        v >>= 6;
    } while (v && n < TOKMAX - 1);
    out[n] = '\0';
}

struct toks {
    char (*t)[TOKMAX];
    size_t n, cap;
};

static int
tok_push(void *arg, const char *tok, size_t toklen, size_t start, size_t end)
{
    (void)start;
    (void)end;
    struct toks *v = arg;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->t = xrealloc(v->t, v->cap * TOKMAX);
    }
    size_t l = toklen < TOKMAX - 1 ? toklen : TOKMAX - 1;
    memcpy(v->t[v->n], tok, l);
    v->t[v->n][l] = '\0';
    v->n++;
    return 0;
}

static int
tok_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Appends the distinct tokens of v to an array literal being built in b ("{" already there). */
static void
literal_add(struct sb *b, struct toks *v, size_t *count)
{
    if (v->n == 0)
        return;
    qsort(v->t, v->n, TOKMAX, tok_cmp);
    for (size_t i = 0; i < v->n; i++) {
        if (i > 0 && strcmp(v->t[i], v->t[i - 1]) == 0)
            continue;
        sb_str(b, (*count)++ ? ",\"" : "\"");
        for (const char *c = v->t[i]; *c; c++) {
            if (*c == '"' || *c == '\\')
                sb_add(b, "\\", 1);
            sb_add(b, c, 1);
        }
        sb_str(b, "\"");
    }
}

/* The array literal of the document tokens of a and b (either may be NULL). Caller frees. */
static char *
terms_of(const char *a, const char *b, int64_t room_id)
{
    struct toks v = {0};
    if (a)
        search_tokenize(a, strlen(a), 0, tok_push, &v);
    if (b)
        search_tokenize(b, strlen(b), 0, tok_push, &v);
    /* Every character that starts a token, marked, for one-character (prefix) words. */
    size_t nt = v.n;
    for (size_t i = 0; i < nt; i++) {
        char u[TOKMAX];
        unsigned char c0 = (unsigned char)v.t[i][0];
        size_t l = c0 < 0x80 ? 1 : c0 >= 0xf0 ? 4 : c0 >= 0xe0 ? 3 : 2;
        u[0] = UNIGRAM_MARK;
        memcpy(u + 1, v.t[i], l);
        tok_push(&v, u, l + 1, 0, 0);
    }
    /* The room as a term of its own, so that "in:" is one more array element to contain. */
    if (room_id > 0) {
        char tag[TOKMAX];
        room_tag(tag, room_id);
        tok_push(&v, tag, strlen(tag), 0, 0);
    }
    struct sb out = {0};
    size_t count = 0;
    sb_str(&out, "{");
    literal_add(&out, &v, &count);
    sb_str(&out, "}");
    free(v.t);
    return out.p;
}

#define PG_INDEX_CHUNK 2000

/* Indexes at most PG_INDEX_CHUNK noted rows; *more is set when there may be others. */
static int
pg_index_chunk(store_t *s, int *more)
{
    /* Looked up row by row through the keys: a join would let the planner hash the whole
     * messages table for the few rows noted. */
    stmt_t *st = store__q(s,
                          "SELECT p.kind, p.id,"
                          " CASE WHEN p.kind = 'm' THEN (SELECT text FROM messages WHERE id = p.id AND deleted_at IS NULL) END,"
                          " CASE WHEN p.kind = 'n' THEN (SELECT title FROM notes WHERE id = p.id AND deleted_at IS NULL) END,"
                          " CASE WHEN p.kind = 'n' THEN (SELECT body FROM notes WHERE id = p.id AND deleted_at IS NULL) END,"
                          " CASE WHEN p.kind = 'm' THEN (SELECT room_id FROM messages WHERE id = p.id)"
                          " ELSE (SELECT room_id FROM notes WHERE id = p.id) END"
                          " FROM search_pending p LIMIT 2000",
                          "");
    /* Every row in one INSERT and one DELETE (arrays unnested by PostgreSQL): a statement is a
     * round trip, and the writer waits for each. Each element of `terms` is itself an array
     * literal, quoted as an element of the outer one. */
    struct sb kinds = {0}, ids = {0}, rooms = {0}, terms = {0}, gone_kinds = {0}, gone_ids = {0};
    size_t nlive = 0, nall = 0;
    int r;
    struct sb *const arrays[] = {&kinds, &ids, &rooms, &terms, &gone_kinds, &gone_ids};
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        sb_str(arrays[i], "{");
    while ((r = store__row(s, st)) == 1) {
        const char *kind = store__text(st, 0);
        long long id = (long long)store__i64(st, 1);
        /* Only what was read is removed: a row another node noted since then is that node's. */
        sb_fmt(&gone_kinds, "%s%c", nall ? "," : "", kind[0]);
        sb_fmt(&gone_ids, "%s%lld", nall ? "," : "", id);
        nall++;
        int live = kind[0] == 'm' ? !store__null(st, 2) : !store__null(st, 3);
        if (!live)
            continue;
        int64_t room = store__i64(st, 5);
        char *t =
            kind[0] == 'm' ? terms_of(store__text(st, 2), NULL, room) : terms_of(store__text(st, 3), store__text(st, 4), room);
        sb_fmt(&kinds, "%s%c", nlive ? "," : "", kind[0]);
        sb_fmt(&ids, "%s%lld", nlive ? "," : "", id);
        sb_fmt(&rooms, "%s%lld", nlive ? "," : "", (long long)store__i64(st, 5));
        sb_str(&terms, nlive ? ",\"" : "\"");
        for (const char *c = t; *c; c++) {
            if (*c == '"' || *c == '\\')
                sb_add(&terms, "\\", 1);
            sb_add(&terms, c, 1);
        }
        sb_str(&terms, "\"");
        free(t);
        nlive++;
    }
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        sb_str(arrays[i], "}");
    *more = nall == PG_INDEX_CHUNK;
    int rc = r < 0 ? r : 0;
    if (rc == 0 && nlive)
        rc = store__x(s,
                      "INSERT INTO search_terms(kind, id, room_id, terms) SELECT k, i, r, t::text[]"
                      " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[]) AS u(k, i, r, t)"
                      " ON CONFLICT(kind, id) DO UPDATE SET terms = excluded.terms, room_id = excluded.room_id",
                      "tttt", kinds.p, ids.p, rooms.p, terms.p);
    if (rc == 0 && nall)
        rc = store__x(s, "DELETE FROM search_pending WHERE (kind, id) IN (SELECT * FROM unnest(?::text[], ?::bigint[]))", "tt",
                      gone_kinds.p, gone_ids.p);
    for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
        free(arrays[i]->p);
    return rc;
}

/* In chunks: a commit of a few messages is one chunk; a copy of a whole city is many, each of
 * bounded size. */
int
store__pg_index_pending(store_t *s)
{
    int rc, more = 1;
    while (more)
        if ((rc = pg_index_chunk(s, &more)) != 0)
            return rc;
    return 0;
}

/* A query word: its tokens, and whether the last is a prefix (a one-character last run). */
struct qword {
    struct toks v;
    int prefix;
};

static void
qword_init(struct qword *w, const char *text)
{
    memset(w, 0, sizeof(*w));
    search_tokenize(text, strlen(text), SEARCHTOK_QUERY, tok_push, &w->v);
    w->prefix = search_last_run_length(text, strlen(text)) == 1;
}

/* Whether the word is a phrase of the document tokens d. */
static int
phrase_in(const struct toks *d, const struct qword *w)
{
    size_t k = w->v.n;
    if (k == 0 || d->n < k)
        return 0;
    for (size_t i = 0; i + k <= d->n; i++) {
        size_t j = 0;
        for (; j < k; j++) {
            const char *dt = d->t[i + j], *qt = w->v.t[j];
            int ok = (j == k - 1 && w->prefix) ? strncmp(dt, qt, strlen(qt)) == 0 : strcmp(dt, qt) == 0;
            if (!ok)
                break;
        }
        if (j == k)
            return 1;
    }
    return 0;
}

static int
word_in(const char *a, const char *b, const struct qword *w)
{
    int found = 0;
    const char *cols[2] = {a, b};
    for (int c = 0; c < 2 && !found; c++) {
        if (cols[c] == NULL)
            continue;
        struct toks d = {0};
        search_tokenize(cols[c], strlen(cols[c]), 0, tok_push, &d);
        found = phrase_in(&d, w);
        free(d.t);
    }
    return found;
}

static const char pg_sql_messages[] =
    /* The index first (a fence: left to itself the planner may read the member rooms' messages
     * and probe the terms of each), within the window of ids and the searcher's rooms. */
    STORE_PLAN_PER_CALL
    "WITH c AS MATERIALIZED (SELECT t.id FROM search_terms t WHERE t.kind = 'm' AND t.terms @> ?1::text[]"
    " AND t.id >= ?9 AND t.id < ?10 AND t.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2)"
    " AND (?3 = 0 OR t.room_id = ?3))"
    " SELECT m.id, m.room_id, m.created_at, m.text FROM c JOIN messages m ON m.id = c.id WHERE m.id >= ?9 AND m.id < ?10" FILTERS
    " AND (?7 = 0 OR m.nfiles > 0) AND (?11 IS NULL OR m.tag = ?11) ORDER BY m.id DESC LIMIT ?8";

static const char pg_sql_files[] =
    STORE_PLAN_PER_CALL "SELECT mf.file_id, m.room_id, m.id, m.created_at, t.name, substr(t.body, 1, 65536) FROM search_terms t"
                        " JOIN message_files mf ON mf.file_id = t.id JOIN messages m ON m.id = mf.message_id"
                        " WHERE t.kind = 'f' AND t.terms @> ?1::text[] AND m.id >= ?9 AND m.id < ?10" FILTERS
                        " AND ?7 >= 0 AND ?11 IS NULL ORDER BY m.id DESC LIMIT ?8";

static const char pg_sql_notes[] = STORE_PLAN_PER_CALL
    "SELECT n.id, n.room_id, n.updated_at, n.title, substr(n.body, 1, 65536) FROM search_terms t JOIN notes n ON n.id = t.id"
    " WHERE t.kind = 'n' AND t.terms @> ?1::text[] AND n.deleted_at IS NULL"
    " AND n.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2) AND (?3 = 0 OR n.room_id = ?3)"
    " AND (?4 = 0 OR n.author_id = ?4 OR n.updated_by = ?4) AND (?5 = 0 OR n.updated_at >= ?5)"
    " AND (?6 = 0 OR n.updated_at < ?6) AND (?7 = 0 OR EXISTS(SELECT 1 FROM note_files WHERE note_id = n.id))"
    " AND n.id >= ?9 AND n.id < ?10 AND ?11 IS NULL ORDER BY n.id DESC LIMIT ?8";

#define PG_PAGE 200

/* One kind of hit: pages of candidates, newest first, until q->max pass or time runs out. */
static int
pg_run_one(store_t *s, const char *sql, int kind, const char *must, struct qword *pos, size_t npos, struct qword *neg, size_t nneg,
           const struct store_search *q, int64_t id_lo, int64_t id_hi, int64_t deadline, struct store_search_hit **hits, size_t *n,
           size_t *cap)
{
    int found = 0;
    /* Messages in windows of ids, newest first, each eight times the last: GIN hands back every
     * row holding the words, unordered, so a common word over all the years would be read whole
     * for the newest 200; within a window PostgreSQL intersects it with the key range. */
    int64_t win_lo = id_lo, top = id_hi, span = 20000;
    if (kind == STORE_HIT_MESSAGE) {
        if (top == INT64_MAX) {
            stmt_t *mx = store__q(s, "SELECT coalesce(max(id), 0) + 1 FROM messages", "");
            if (store__row(s, mx) != 1)
                return STORE_EIO;
            top = store__i64(mx, 0);
        }
        win_lo = top - span > id_lo ? top - span : id_lo;
        id_hi = top;
    }
    for (;;) {
        stmt_t *st = store__q(s, sql, "tIIIIIiiIIt", must, q->user_id, q->room_id, q->sender_id, q->after_ms, q->before_ms,
                              q->has_file, PG_PAGE, win_lo, id_hi, q->tag);
        if (st == NULL)
            return STORE_EIO;
        int rows = 0, r;
        int64_t last = id_hi;
        while ((r = store__row(s, st)) == 1) {
            rows++;
            struct store_search_hit h = {0};
            h.type = kind;
            h.id = store__i64(st, 0);
            h.room_id = store__i64(st, 1);
            const char *a, *b = NULL;
            if (kind == STORE_HIT_NOTE) {
                last = h.id;
                h.created_at = store__i64(st, 2);
                a = store__text(st, 3);
                b = store__text(st, 4);
            } else if (kind == STORE_HIT_FILE) {
                h.message_id = store__i64(st, 2);
                last = h.message_id;
                h.created_at = store__i64(st, 3);
                a = store__text(st, 4);
                b = store__text(st, 5);
            } else {
                h.message_id = h.id;
                last = h.id;
                h.created_at = store__i64(st, 2);
                a = store__text(st, 3);
            }
            int ok = 1;
            for (size_t i = 0; ok && i < npos; i++)
                ok = word_in(a, b, &pos[i]);
            for (size_t i = 0; ok && i < nneg; i++)
                ok = !word_in(a, b, &neg[i]);
            if (!ok || found >= q->max)
                continue;
            if (kind == STORE_HIT_NOTE) {
                h.name = xstrdup(a);
                h.text = xstrdup(b);
            } else if (kind == STORE_HIT_FILE) {
                h.name = xstrdup(a);
                h.text = xstrdup(b);
            } else {
                h.text = xstrdup(a);
            }
            push_hit(hits, n, cap, &h);
            found++;
        }
        if (r < 0)
            return r;
        if (found >= q->max)
            return 0;
        if (time_mono_ms() > deadline)
            return 1;
        if (rows == PG_PAGE) {
            id_hi = last; /* the next page of this window: older than the last row seen */
            continue;
        }
        if (win_lo <= id_lo)
            return 0; /* every window read */
        id_hi = win_lo;
        span *= 8;
        win_lo = id_hi - span > id_lo ? id_hi - span : id_lo;
    }
}

static int
pg_search(store_t *s, const struct store_search *q, struct store_search_hit **hits, size_t *n, int *partial)
{
    size_t cap = 0, npos = 0, nneg = 0;
    int rc = 0;
    *hits = NULL;
    *n = 0;
    *partial = 0;
    struct qword *pos = xcalloc(q->nwords + 1, sizeof(*pos)), *neg = xcalloc(q->nexcluded + 1, sizeof(*neg));
    struct toks must = {0};
    for (size_t i = 0; i < q->nwords; i++) {
        if (search_word_chars(q->words[i], strlen(q->words[i])) == 0)
            continue;
        qword_init(&pos[npos], q->words[i]);
        /* Every full bigram must be in the row, and a prefix (last, one character) as a marked
         * character that starts a token; the phrase itself is checked on the text after. */
        for (size_t j = 0; j < pos[npos].v.n; j++) {
            const char *t = pos[npos].v.t[j];
            if (pos[npos].prefix && j == pos[npos].v.n - 1) {
                char u[TOKMAX];
                size_t l = strlen(t) < TOKMAX - 1 ? strlen(t) : TOKMAX - 2;
                u[0] = UNIGRAM_MARK;
                memcpy(u + 1, t, l);
                tok_push(&must, u, l + 1, 0, 0);
            } else {
                tok_push(&must, t, strlen(t), 0, 0);
            }
        }
        npos++;
    }
    for (size_t i = 0; i < q->nexcluded; i++)
        if (search_word_chars(q->excluded[i], strlen(q->excluded[i])) != 0)
            qword_init(&neg[nneg++], q->excluded[i]);
    if (npos > 0) {
        struct sb lit = {0}, rlit = {0};
        size_t count = 0;
        sb_str(&lit, "{");
        literal_add(&lit, &must, &count);
        sb_str(&lit, "}");
        /* Messages and notes carry their room's term; files are found through their messages. */
        if (q->room_id) {
            char tag[TOKMAX];
            room_tag(tag, q->room_id);
            tok_push(&must, tag, strlen(tag), 0, 0);
        }
        count = 0;
        sb_str(&rlit, "{");
        literal_add(&rlit, &must, &count);
        sb_str(&rlit, "}");
        int64_t deadline = time_mono_ms() + (q->budget_ms > 0 ? q->budget_ms : 2000);
        int64_t id_lo = q->after_ms ? id_at(s, q->after_ms) : 0, id_hi = q->before_ms ? id_at(s, q->before_ms) : INT64_MAX;
        if (q->kinds & STORE_HIT_MESSAGE)
            rc = pg_run_one(s, pg_sql_messages, STORE_HIT_MESSAGE, rlit.p, pos, npos, neg, nneg, q, id_lo, id_hi, deadline, hits, n,
                            &cap);
        if (rc >= 0 && (q->kinds & STORE_HIT_FILE)) {
            int rc2 =
                pg_run_one(s, pg_sql_files, STORE_HIT_FILE, lit.p, pos, npos, neg, nneg, q, id_lo, id_hi, deadline, hits, n, &cap);
            rc = rc2 < 0 ? rc2 : rc | rc2;
        }
        if (rc >= 0 && (q->kinds & STORE_HIT_NOTE)) {
            int rc2 =
                pg_run_one(s, pg_sql_notes, STORE_HIT_NOTE, rlit.p, pos, npos, neg, nneg, q, 0, INT64_MAX, deadline, hits, n, &cap);
            rc = rc2 < 0 ? rc2 : rc | rc2;
        }
        free(lit.p);
        free(rlit.p);
    }
    for (size_t i = 0; i < npos; i++)
        free(pos[i].v.t);
    for (size_t i = 0; i < nneg; i++)
        free(neg[i].v.t);
    free(pos);
    free(neg);
    free(must.t);
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
