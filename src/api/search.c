/*
 * GET /api/v1/search: messages and files by words, for Japanese as it is written.
 *
 * The query's little language is parsed by util/searchq.c; the store finds candidates (the
 * newest that contain every word, in the searcher's rooms, within a time budget) and this
 * file ranks them, cuts a snippet around the first match and reports the matches as UTF-16
 * offsets into the snippet, so clients mark them without ever treating server text as HTML.
 * The search runs on a job thread: a slow query never holds a loop thread.
 */
#include "api/internal.h"
#include "util/kana.h"
#include "util/searchq.h"
#include "util/searchtok.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_CANDIDATES 200 /* candidates of each kind ranked per query */
#define SNIPPET_BEFORE 20     /* characters of context before the first match */
#define SNIPPET_CHARS 120     /* characters in a snippet */
#define SEARCH_BUDGET_MS 2000

static int
invalid_query(struct api_req *r, const char *ja, const char *en)
{
    return api_error(r, 400, "invalid_query", ja, en);
}

/* ---- matching for highlights and ranking ---- */

/* A folded character of a text: its code point and where it came from (bytes, UTF-16). */
struct fch {
    uint32_t cp;
    size_t b0, b1;
    size_t u0, u1;
};

/* Folds text into an array of characters (caller frees); *n is its length. */
static struct fch *
fold_text(const char *text, size_t len, size_t *n)
{
    struct fch *v = xmalloc((len + 1) * sizeof(*v));
    size_t pos = 0, u = 0;
    *n = 0;
    while (pos < len) {
        size_t b0 = pos;
        uint32_t cp = kana_fold_next(text, len, &pos);
        size_t units = utf8_valid(text + b0, pos - b0) ? utf8_utf16_length(text + b0, pos - b0) : pos - b0;
        v[*n] = (struct fch){cp, b0, pos, u, u + units};
        u += units;
        (*n)++;
    }
    return v;
}

/* The runs of word characters of a query word, folded: a flat array with run ends. */
struct runs {
    uint32_t *cps;
    size_t *ends; /* ends[i]: one past run i in cps */
    size_t n, ncps;
};

static void
word_runs(const char *w, struct runs *out)
{
    size_t len = strlen(w), pos = 0;
    int in_run = 0;
    out->cps = xmalloc((len + 1) * sizeof(uint32_t));
    out->ends = xmalloc((len + 1) * sizeof(size_t));
    out->n = out->ncps = 0;
    while (pos < len) {
        uint32_t cp = kana_fold_next(w, len, &pos);
        if (cp != 0 && search_is_word_char(cp)) {
            out->cps[out->ncps++] = cp;
            in_run = 1;
        } else if (in_run) {
            out->ends[out->n++] = out->ncps;
            in_run = 0;
        }
    }
    if (in_run)
        out->ends[out->n++] = out->ncps;
}

static void
runs_free(struct runs *r)
{
    free(r->cps);
    free(r->ends);
}

struct span {
    size_t c0, c1; /* folded character indexes, [c0, c1) */
};

static int
span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    return x->c0 < y->c0 ? -1 : x->c0 > y->c0 ? 1 : (x->c1 > y->c1) - (x->c1 < y->c1);
}

/* What one candidate's text gives: its matches (merged, in order) and a score for them. */
struct matches {
    struct span *spans;
    size_t n, cap;
    double score;
};

static void
find_runs(const struct fch *t, size_t nt, const struct runs *rs, struct matches *m)
{
    size_t start = 0;
    for (size_t r = 0; r < rs->n; r++) {
        const uint32_t *p = rs->cps + start;
        size_t plen = rs->ends[r] - start, count = 0;
        start = rs->ends[r];
        for (size_t i = 0; plen > 0 && i + plen <= nt; i++) {
            size_t k = 0;
            while (k < plen && t[i + k].cp == p[k])
                k++;
            if (k < plen)
                continue;
            if (m->n == m->cap) {
                m->cap = m->cap ? m->cap * 2 : 8;
                m->spans = xrealloc(m->spans, m->cap * sizeof(*m->spans));
            }
            m->spans[m->n++] = (struct span){i, i + plen};
            count++;
        }
        /* Longer words weigh more; repeats help a little, with diminishing returns. */
        if (count)
            m->score += (plen >= 2 ? 2.0 : 0.5) * (1.0 + log((double)count));
    }
}

static void
merge_spans(struct matches *m)
{
    if (m->n == 0)
        return;
    qsort(m->spans, m->n, sizeof(*m->spans), span_cmp);
    size_t o = 0;
    for (size_t i = 1; i < m->n; i++) {
        if (m->spans[i].c0 <= m->spans[o].c1) {
            if (m->spans[i].c1 > m->spans[o].c1)
                m->spans[o].c1 = m->spans[i].c1;
        } else {
            m->spans[++o] = m->spans[i];
        }
    }
    m->n = o + 1;
}

/*
 * Sets snippet and highlights on res: up to SNIPPET_CHARS characters of text around the first
 * match, with "…" where it was cut, and the matches as [start, end) UTF-16 offsets into it.
 */
static void
snippet(json_t *res, const char *text, const struct fch *t, size_t nt, const struct matches *m)
{
    size_t c0 = 0, c1 = nt;
    if (nt > SNIPPET_CHARS) {
        size_t first = m->n ? m->spans[0].c0 : 0;
        c0 = first > SNIPPET_BEFORE ? first - SNIPPET_BEFORE : 0;
        if (c0 + SNIPPET_CHARS > nt)
            c0 = nt - SNIPPET_CHARS;
        c1 = c0 + SNIPPET_CHARS;
    }
    int pre = c0 > 0, post = c1 < nt;
    size_t b0 = nt ? t[c0].b0 : 0, b1 = nt ? t[c1 - 1].b1 : 0;
    size_t u0 = nt ? t[c0].u0 : 0;
    size_t len = b1 - b0;
    char *s = xmalloc(len + 8), *p = s;
    if (pre)
        p += utf8_encode(0x2026, p);
    memcpy(p, text + b0, len);
    p += len;
    if (post)
        p += utf8_encode(0x2026, p);
    /* A text with invalid bytes (never from our own API) would make jansson refuse it. */
    json_t *js = json_stringn(s, (size_t)(p - s));
    json_object_set_new(res, "snippet", js ? js : json_string(""));
    free(s);
    json_t *hl = json_array();
    for (size_t i = 0; i < m->n; i++) {
        size_t a = m->spans[i].c0, b = m->spans[i].c1;
        if (b <= c0 || a >= c1)
            continue;
        if (a < c0)
            a = c0;
        if (b > c1)
            b = c1;
        json_array_append_new(hl, json_pack("[II]", (json_int_t)(t[a].u0 - u0 + pre), (json_int_t)(t[b - 1].u1 - u0 + pre)));
    }
    json_object_set_new(res, "highlights", hl);
}

/* ---- the request ---- */

struct search_ctx {
    struct searchq q;
    struct store_search ss;
    const char *words[SEARCHQ_MAX_TERMS], *excluded[SEARCHQ_MAX_TERMS];
    int limit;
    char *in_room; /* in: a room's name or id, resolved on the job thread */
    char *from;    /* from: a login or user id */
};

static void
ctx_free(struct search_ctx *c)
{
    searchq_free(&c->q);
    free(c);
}

struct ranked {
    struct store_search_hit *hit;
    struct matches m;
    double score;
};

static int
ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->hit->created_at < y->hit->created_at ? 1 : x->hit->created_at > y->hit->created_at ? -1 : 0;
}

static int
user_exists(store_t *s, int64_t id)
{
    json_t *u = store_user_json(s, id);
    int found = u != NULL;
    json_decref(u);
    return found;
}

/* Resolves in: (a room of the user's, by id or by name folded) and from: (a login or id).
 * Returns 0, or -1 after answering 400. */
static int
resolve_filters(struct api_req *r, store_t *s, struct search_ctx *c)
{
    if (c->from) {
        /* Logins are often staff numbers (10234): a login first, then a user id. */
        char *end;
        long long v = strtoll(c->from, &end, 10);
        int64_t id = 0;
        if (store_user_by_login(s, c->from, &id) != 0) {
            if (*end != '\0' || v <= 0 || !user_exists(s, v))
                return invalid_query(r, "from: の人が見つかりません", "from: names nobody known"), -1;
            id = v;
        }
        c->ss.sender_id = id;
    }
    if (c->in_room) {
        /* A room of the caller's by name (folded), else by id. */
        char *end, *want = NULL;
        long long v = strtoll(c->in_room, &end, 10);
        if (kana_fold(c->in_room, strlen(c->in_room), &want) != 0)
            return invalid_query(r, "in: のルームが見つかりません", "in: names no room of yours"), -1;
        json_t *rooms = store_rooms_for_user(s, r->user.id, -1), *room;
        size_t i;
        json_array_foreach(rooms, i, room)
        {
            const char *name = json_string_value(json_object_get(room, "name"));
            char *folded = NULL;
            if (name && kana_fold(name, strlen(name), &folded) == 0 && strcmp(folded, want) == 0)
                c->ss.room_id = json_integer_value(json_object_get(room, "id"));
            free(folded);
            if (c->ss.room_id)
                break;
        }
        if (c->ss.room_id == 0 && *end == '\0' && v > 0) {
            json_array_foreach(rooms, i, room) if (json_integer_value(json_object_get(room, "id")) == v) c->ss.room_id = v;
        }
        json_decref(rooms);
        free(want);
        if (c->ss.room_id == 0)
            return invalid_query(r, "in: のルームが見つかりません", "in: names no room of yours"), -1;
    }
    return 0;
}

static json_t *
result_json(store_t *s, const struct ranked *rk, const struct fch *t, size_t nt)
{
    const struct store_search_hit *h = rk->hit;
    if (h->type == STORE_HIT_NOTE) {
        json_t *n = store_note_json(s, h->id, 0);
        if (n == NULL)
            return NULL;
        json_t *res = json_pack("{sssIso}", "type", "note", "room_id", (json_int_t)h->room_id, "note", n);
        snippet(res, h->text, t, nt, &rk->m);
        return res;
    }
    json_t *msg = store_message_json(s, h->message_id);
    if (msg == NULL)
        return NULL;
    json_t *res = json_pack("{sssIso}", "type", h->type == STORE_HIT_FILE ? "file" : "message", "room_id", (json_int_t)h->room_id,
                            "message", msg);
    if (h->type == STORE_HIT_FILE) {
        json_t *f = store_file_json(s, h->id);
        json_object_set_new(res, "file", f ? f : json_null());
    }
    snippet(res, h->text, t, nt, &rk->m);
    return res;
}

/* On a job thread: find, rank, answer. */
static void
search_job(struct api_req *r, void *ctx)
{
    struct search_ctx *c = ctx;
    store_t *s = api_job_store();
    struct store_search_hit *hits = NULL;
    size_t nhits = 0;
    int partial = 0;
    struct runs *runs = NULL;
    struct ranked *rk = NULL;
    size_t npos = 0;

    if (resolve_filters(r, s, c) != 0)
        goto done;
    if (store_search(s, &c->ss, &hits, &nhits, &partial) != 0) {
        api_store_error(r, STORE_EIO);
        goto done;
    }
    runs = xcalloc(c->ss.nwords + 1, sizeof(*runs));
    for (size_t i = 0; i < c->ss.nwords; i++)
        word_runs(c->ss.words[i], &runs[npos++]);
    rk = xcalloc(nhits + 1, sizeof(*rk));
    int64_t now = api_now_ms();
    for (size_t i = 0; i < nhits; i++) {
        struct store_search_hit *h = &hits[i];
        size_t nt;
        rk[i].hit = h;
        /* A file matches in its text or its name: rank and cut the snippet from where it matched. */
        struct fch *t = fold_text(h->text, strlen(h->text), &nt);
        for (size_t w = 0; w < npos; w++)
            find_runs(t, nt, &runs[w], &rk[i].m);
        if ((h->type == STORE_HIT_FILE || h->type == STORE_HIT_NOTE) && rk[i].m.n == 0 && h->name) {
            free(h->text);
            h->text = xstrdup(h->name);
            free(t);
            t = fold_text(h->text, strlen(h->text), &nt);
            for (size_t w = 0; w < npos; w++)
                find_runs(t, nt, &runs[w], &rk[i].m);
        }
        free(t);
        merge_spans(&rk[i].m);
        /* Relevance, then recency: a month-old message has lost half of its freshness bonus. */
        double age_days = (double)(now - h->created_at) / 86400000.0;
        rk[i].score = rk[i].m.score + 2.0 * exp2(-(age_days > 0 ? age_days : 0) / 30.0);
    }
    qsort(rk, nhits, sizeof(*rk), ranked_cmp);
    json_t *results = json_array();
    for (size_t i = 0; i < nhits && json_array_size(results) < (size_t)c->limit; i++) {
        size_t nt;
        struct fch *t = fold_text(rk[i].hit->text, strlen(rk[i].hit->text), &nt);
        json_t *res = result_json(s, &rk[i], t, nt);
        free(t);
        if (res)
            json_array_append_new(results, res);
    }
    api_reply(r, 200, json_pack("{sosb}", "results", results, "partial", partial));
done:
    for (size_t i = 0; rk && i < nhits; i++)
        free(rk[i].m.spans);
    free(rk);
    for (size_t i = 0; runs && i < npos; i++)
        runs_free(&runs[i]);
    free(runs);
    store_search_hits_free(hits, nhits);
    ctx_free(c);
    api_finish(r);
}

/* Reads an optional integer parameter; -1 after answering 400 invalid_query. */
static int
query_int(struct api_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
    char buf[32], *end;
    int n = api_query(r, name, buf, sizeof(buf));
    if (n == -1)
        return 0;
    long long v = n > 0 ? strtoll(buf, &end, 10) : 0;
    if (n <= 0 || *end != '\0' || v < min || v > max) {
        char ja[128], en[128];
        snprintf(ja, sizeof(ja), "%s が範囲外か、整数ではありません（%lld〜%lld）", name, (long long)min, (long long)max);
        snprintf(en, sizeof(en), "%s is out of range or not an integer (%lld to %lld)", name, (long long)min, (long long)max);
        return api_error(r, 400, "invalid_query", ja, en), -1;
    }
    *out = v;
    return 0;
}

/* Reads an optional date parameter (YYYY-MM-DD); -1 after answering 400. */
static int
query_date(struct api_req *r, const char *name, int64_t *out)
{
    char buf[32];
    int n = api_query(r, name, buf, sizeof(buf));
    if (n == -1)
        return 0;
    if (n <= 0 || searchq_date(buf, (size_t)n, out) != 0)
        return invalid_query(r, "日付は YYYY-MM-DD で指定してください", "a date filter must be a date as YYYY-MM-DD"), -1;
    return 0;
}

static int
h_search(struct api_req *r)
{
    char q[SEARCHQ_MAX_CHARS * 4 + 1], buf[128];
    const char *ja, *en;
    int64_t limit = 20, room_id = 0, after = 0, before = 0;
    int n = api_query(r, "q", q, sizeof(q));
    if (n == -1 || (n == 0))
        return invalid_query(r, "検索語が空です", "the query is empty");
    if (n == -2)
        return invalid_query(r, "検索語が長すぎるか、読み取れません（256文字まで）",
                             "the query is too long (at most 256 characters) or cannot be decoded");
    if (!utf8_valid(q, (size_t)n) || utf8_has_controls(q, (size_t)n, UTF8_ALLOW_TAB | UTF8_ALLOW_NEWLINE))
        return invalid_query(r, "検索語に使えない文字があります", "the query holds invalid characters");
    if (query_int(r, "limit", 1, 100, &limit) != 0 || query_int(r, "room_id", 1, INT64_MAX, &room_id) != 0 ||
        query_date(r, "after", &after) != 0 || query_date(r, "before", &before) != 0)
        return API_DONE;
    struct search_ctx *c = xcalloc(1, sizeof(*c));
    if (searchq_parse(q, (size_t)n, &c->q, &ja, &en) != 0) {
        free(c);
        return invalid_query(r, ja, en);
    }
    c->limit = (int)limit;
    c->ss.user_id = r->user.id;
    c->ss.room_id = room_id;
    c->ss.after_ms = c->q.after_ms ? c->q.after_ms : after;
    c->ss.before_ms = c->q.before_ms ? c->q.before_ms : before;
    c->ss.tag = c->q.tag;
    c->ss.has_file = c->q.has_file;
    c->ss.kinds = STORE_HIT_MESSAGE | STORE_HIT_FILE | STORE_HIT_NOTE;
    c->ss.max = SEARCH_CANDIDATES;
    c->ss.budget_ms = SEARCH_BUDGET_MS;
    c->in_room = c->q.in;
    c->from = c->q.from;
    int bn = api_query(r, "from", buf, sizeof(buf));
    if (bn > 0 && c->from == NULL)
        c->from = c->q.from = xstrdup(buf);
    bn = api_query(r, "has", buf, sizeof(buf));
    if (bn >= 0) {
        if (strcmp(buf, "file") != 0) {
            ctx_free(c);
            return invalid_query(r, "has に使えるのは file だけです", "has takes only file");
        }
        c->ss.has_file = 1;
    }
    bn = api_query(r, "tag", buf, sizeof(buf));
    if (bn >= 0 && c->ss.tag == NULL) {
        static const char *const codes[] = {"question", "opinion", "answer", "decision", "action"};
        for (size_t i = 0; i < 5; i++)
            if (!strcmp(buf, codes[i]))
                c->ss.tag = codes[i];
        if (c->ss.tag == NULL) {
            ctx_free(c);
            return invalid_query(r, "tag は question、opinion、answer、decision、action のいずれかです",
                                 "tag is question, opinion, answer, decision or action");
        }
    }
    bn = api_query(r, "type", buf, sizeof(buf));
    if (bn >= 0) {
        if (strcmp(buf, "message") == 0)
            c->ss.kinds = STORE_HIT_MESSAGE;
        else if (strcmp(buf, "file") == 0)
            c->ss.kinds = STORE_HIT_FILE;
        else if (strcmp(buf, "note") == 0)
            c->ss.kinds = STORE_HIT_NOTE;
        else {
            ctx_free(c);
            return invalid_query(r, "type は message、file、note のいずれかです", "type is message, file or note");
        }
    }
    for (size_t i = 0; i < c->q.nterms; i++) {
        if (c->q.terms[i].negated)
            c->excluded[c->ss.nexcluded++] = c->q.terms[i].text;
        else
            c->words[c->ss.nwords++] = c->q.terms[i].text;
    }
    c->ss.words = c->words;
    c->ss.excluded = c->excluded;
    /* Only punctuation: nothing can match, and that is an answer, not an error. */
    size_t searchable = 0;
    for (size_t i = 0; i < c->ss.nwords; i++)
        searchable += search_word_chars(c->words[i], strlen(c->words[i]));
    if (searchable == 0) {
        ctx_free(c);
        return api_reply(r, 200, json_pack("{s[]sb}", "results", "partial", 0));
    }
    return api_job(r, search_job, c);
}

const struct api_op api_search_ops[] = {
    {API_GET, "/api/v1/search", 0, h_search},
    {0, NULL, 0, NULL},
};
