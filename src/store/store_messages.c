/*
 * Messages, edits, deletions and read state in the SQLite store.
 *
 * Sequence numbers are per room and assigned inside the writer's transaction by bumping
 * rooms.last_seq, so they are gapless and never reused: a rolled-back job takes its bump with
 * it. A deleted message keeps its row (and so its seq) as a tombstone; whether its text stays
 * in the row for the disclosure officer is the keep_deleted_content setting, and the API never
 * shows it either way. Read counts come from members' last_read_seq: one sorted array per page
 * answers every message's count by binary search.
 */
#include "store/store_int.h"
#include "util/strbuf.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

int
store_message_by_client_id(store_t *s, int64_t author_id, const char *cmid, int64_t *id, int64_t *room_id, char **text,
                           char **stamp)
{
    stmt_t *st = store__q(s, "SELECT id, room_id, text, stamp FROM messages WHERE author_id = ? AND client_msg_id = ?", "It",
                          author_id, cmid);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    *id = store__i64(st, 0);
    *room_id = store__i64(st, 1);
    *text = xstrdup(store__text(st, 2));
    *stamp = xstrdup(store__text(st, 3));
    return 0;
}

int
store_message_insert(store_t *s, const struct store_msg_in *in, int64_t now, int64_t *id, int64_t *seq)
{
    int rc;
    if (in->reply_to) {
        stmt_t *st = store__q(s, "SELECT room_id FROM messages WHERE id = ?", "I", in->reply_to);
        if (store__row(s, st) != 1 || store__i64(st, 0) != in->room_id)
            return STORE_EINVAL;
    }
    /* Bump, then read, the room's sequence. Not UPDATE … RETURNING: SQLite 3.40 gathers the
     * returned rows in a temporary b-tree that it opens and closes on every run, which made
     * this the dearest statement of a send. */
    if (s->pg) {
        /* One round trip on PostgreSQL, where each statement is one. */
        stmt_t *st = store__q(s, "UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = ? WHERE id = ? RETURNING last_seq",
                              "II", now, in->room_id);
        if ((rc = store__row(s, st)) != 1)
            return rc == 0 ? STORE_ENOTFOUND : rc < 0 ? rc : STORE_EIO;
        *seq = store__i64(st, 0);
    } else {
        rc = store__x(s, "UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = ? WHERE id = ?", "II", now, in->room_id);
        if (rc != 0)
            return rc;
        if (store__changes(s) != 1)
            return STORE_ENOTFOUND;
        stmt_t *st = store__q(s, "SELECT last_seq FROM rooms WHERE id = ?", "I", in->room_id);
        if ((rc = store__row(s, st)) != 1) {
            store__done(st);
            return rc == 0 ? STORE_ENOTFOUND : rc;
        }
        *seq = store__i64(st, 0);
        store__done(st);
    }
    rc = store__x(s,
                  "INSERT INTO messages(room_id, seq, sender_id, author_id, client_msg_id, text, stamp, reply_to, mention_all,"
                  " nfiles, created_at, urgent, card) VALUES(?, ?, ?, ?, ?, ?, ?, nullif(?, 0), ?, ?, ?, ?, ?)",
                  "IIIItttIbiIbt", in->room_id, *seq, in->sender_id, in->author_id, in->client_msg_id, in->text, in->stamp,
                  in->reply_to, in->mention_all, (int)in->nfiles, now, in->urgent, in->card);
    if (rc != 0)
        return rc;
    *id = store__last_id(s);
    store__note_indexing(s);
    for (size_t i = 0; i < in->nmentions; i++) {
        rc = store__x(s,
                      "INSERT OR IGNORE INTO mentions(user_id, room_id, seq, message_id) SELECT user_id, room_id, ?, ?"
                      " FROM room_members WHERE room_id = ? AND user_id = ?",
                      "IIII", *seq, *id, in->room_id, in->mentions[i]);
        if (rc != 0)
            return rc;
    }
    for (size_t i = 0; i < in->nfiles; i++) {
        rc = store__x(s, "INSERT OR IGNORE INTO message_files(message_id, file_id, room_id) VALUES(?, ?, ?)", "III", *id,
                      in->file_ids[i], in->room_id);
        if (rc == 0)
            rc = store__x(s, "UPDATE files SET attached = 1 WHERE id = ?", "I", in->file_ids[i]);
        if (rc != 0)
            return rc;
    }
    /* Whoever sends has read the room up to their own message. One equality per person: an IN
     * list makes SQLite build a temporary b-tree for every send. */
    rc = store__x(s, "UPDATE room_members SET last_read_seq = ? WHERE room_id = ? AND user_id = ?", "III", *seq, in->room_id,
                  in->author_id);
    if (rc == 0 && in->sender_id != in->author_id)
        rc = store__x(s, "UPDATE room_members SET last_read_seq = ? WHERE room_id = ? AND user_id = ?", "III", *seq, in->room_id,
                      in->sender_id);
    return rc;
}

int
store_message_meta(store_t *s, int64_t id, struct store_msg_meta *out)
{
    stmt_t *st = store__q(s,
                          "SELECT id, room_id, seq, sender_id, author_id, deleted_at IS NOT NULL FROM messages"
                          " WHERE id = ?",
                          "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return r == 0 ? STORE_ENOTFOUND : STORE_EIO;
    out->id = store__i64(st, 0);
    out->room_id = store__i64(st, 1);
    out->seq = store__i64(st, 2);
    out->sender_id = store__i64(st, 3);
    out->author_id = store__i64(st, 4);
    out->deleted = store__int(st, 5);
    return 0;
}

/* Members' read marks of one room, sorted two ways for the read-count arithmetic. */
struct readmarks {
    int64_t *seqs;  /* sorted ascending */
    int64_t *users; /* user ids, sorted ascending, with their marks in marks[] */
    int64_t *marks;
    size_t n;
};

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void
readmarks_load(store_t *s, int64_t room_id, struct readmarks *rm)
{
    size_t cap = 0, cap2 = 0, n2 = 0;
    memset(rm, 0, sizeof(*rm));
    stmt_t *st = store__q(s, "SELECT user_id, last_read_seq FROM room_members WHERE room_id = ? ORDER BY user_id", "I", room_id);
    while (store__row(s, st) == 1) {
        if (rm->n == cap) {
            cap = cap ? cap * 2 : 16;
            rm->users = xrealloc(rm->users, cap * sizeof(int64_t));
        }
        rm->users[rm->n++] = store__i64(st, 0);
        store__ids_push(&rm->marks, &n2, &cap2, store__i64(st, 1));
    }
    rm->seqs = xmalloc((rm->n ? rm->n : 1) * sizeof(int64_t));
    if (rm->n)
        memcpy(rm->seqs, rm->marks, rm->n * sizeof(int64_t));
    qsort(rm->seqs, rm->n, sizeof(int64_t), cmp_i64);
}

static void
readmarks_free(struct readmarks *rm)
{
    free(rm->seqs);
    free(rm->users);
    free(rm->marks);
}

static int64_t
mark_of(const struct readmarks *rm, int64_t user)
{
    size_t lo = 0, hi = rm->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rm->users[mid] < user)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < rm->n && rm->users[lo] == user ? rm->marks[lo] : -1;
}

static int64_t
read_count(const struct readmarks *rm, int64_t seq, int64_t sender, int64_t author)
{
    size_t lo = 0, hi = rm->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rm->seqs[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t c = (int64_t)(rm->n - lo);
    if (mark_of(rm, sender) >= seq)
        c--;
    if (author != sender && mark_of(rm, author) >= seq)
        c--;
    return c < 0 ? 0 : c;
}

#define MSG_COLS                                                                                                                   \
    "id, room_id, seq, client_msg_id, sender_id, author_id, text, stamp, reply_to, mention_all, nfiles, created_at,"               \
    " edited_at, deleted_at, urgent, card, tag"

/* The message's meeting tag: {code, label, meeting_id, answer_to, assignee, due_date}. */
static json_t *
tag_json(store_t *s, int64_t message_id)
{
    static const char *const labels[][2] = {
        {"question", "質問"}, {"opinion", "意見"}, {"answer", "回答"}, {"decision", "決定"}, {"action", "宿題"}};
    stmt_t *q =
        store__q(s, "SELECT tag, meeting_id, answer_to, assignee_id, due_date, set_by FROM message_tags WHERE message_id = ?", "I",
                 message_id);
    if (store__row(s, q) != 1)
        return json_null();
    const char *code = store__text(q, 0), *label = code;
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (!strcmp(labels[i][0], code))
            label = labels[i][1];
    int64_t assignee = store__i64(q, 3);
    json_t *t = json_pack("{ss ss so so so sI}", "code", code, "label", label, "meeting_id",
                          store__null(q, 1) ? json_null() : json_integer(store__i64(q, 1)), "answer_to",
                          store__null(q, 2) ? json_null() : json_integer(store__i64(q, 2)), "due_date", store__jstr(q, 4), "set_by",
                          (json_int_t)store__i64(q, 5));
    json_object_set_new(t, "assignee", assignee ? store__user_brief(s, assignee) : json_null());
    return t;
}

static json_t *
message_from_row(store_t *s, stmt_t *st, const struct readmarks *rm)
{
    int64_t id = store__i64(st, 0), room_id = store__i64(st, 1), seq = store__i64(st, 2);
    int64_t sender = store__i64(st, 4), author = store__i64(st, 5);
    int64_t reply_to = store__i64(st, 8);
    int deleted = !store__null(st, 13);
    int nfiles = store__int(st, 10), mention_all = store__int(st, 9);
    json_t *m = json_object();
    json_object_set_new(m, "id", json_integer(id));
    json_object_set_new(m, "room_id", json_integer(room_id));
    json_object_set_new(m, "seq", json_integer(seq));
    json_object_set_new(m, "client_msg_id", store__jstr(st, 3));
    json_object_set_new(m, "created_at", store__jtime(st, 11));
    json_object_set_new(m, "edited_at", store__jtime(st, 12));
    json_object_set_new(m, "deleted", json_boolean(deleted));
    json_object_set_new(m, "deleted_at", store__jtime(st, 13));
    json_object_set_new(m, "text", deleted ? json_null() : store__jstr(st, 6));
    json_object_set_new(m, "stamp", deleted ? json_null() : store__jstr(st, 7));
    json_object_set_new(m, "mention_all", json_boolean(mention_all && !deleted));
    json_object_set_new(m, "urgent", json_boolean(store__int(st, 14)));
    json_object_set_new(m, "read_count", json_integer(read_count(rm, seq, sender, author)));
    /* The statement is cached; the nested queries below use other statements, so st stays valid. */
    json_object_set_new(m, "sender", store__user_brief(s, sender));
    if (author != sender) {
        json_t *a = store__user_brief(s, author);
        json_t *pb = json_pack("{sO sO}", "id", json_object_get(a, "id"), "name", json_object_get(a, "name"));
        json_decref(a);
        json_object_set_new(m, "posted_by", pb);
    } else {
        json_object_set_new(m, "posted_by", json_null());
    }
    json_t *mentions = json_array(), *files = json_array(), *reply = json_null();
    if (!deleted) {
        stmt_t *q = store__q(s, "SELECT user_id FROM mentions WHERE room_id = ? AND seq = ? ORDER BY user_id", "II", room_id, seq);
        while (store__row(s, q) == 1)
            json_array_append_new(mentions, json_integer(store__i64(q, 0)));
        if (nfiles > 0) {
            q = store__q(s,
                         "SELECT f.id, f.name, f.size, f.type FROM message_files mf JOIN files f ON f.id = mf.file_id"
                         " WHERE mf.message_id = ? ORDER BY f.id",
                         "I", id);
            while (store__row(s, q) == 1)
                json_array_append_new(files,
                                      json_pack("{sI ss sI ss}", "id", (json_int_t)store__i64(q, 0), "name", store__text(q, 1),
                                                "size", (json_int_t)store__i64(q, 2), "type", store__text(q, 3)));
        }
        if (reply_to) {
            q = store__q(s, "SELECT id, seq, sender_id, text, deleted_at IS NOT NULL FROM messages WHERE id = ?", "I", reply_to);
            if (store__row(s, q) == 1) {
                int rdel = store__int(q, 4);
                json_decref(reply);
                reply = json_pack("{sI sI sI so}", "id", (json_int_t)store__i64(q, 0), "seq", (json_int_t)store__i64(q, 1),
                                  "sender_id", (json_int_t)store__i64(q, 2), "text", rdel ? json_null() : store__jstr(q, 3));
            }
        }
    }
    json_object_set_new(m, "mentions", mentions);
    json_object_set_new(m, "files", files);
    json_object_set_new(m, "reply_to", reply);
    json_t *card = NULL;
    if (!deleted && !store__null(st, 15))
        card = json_loads(store__text(st, 15), 0, NULL);
    json_object_set_new(m, "card", card ? card : json_null());
    json_object_set_new(m, "tag", !deleted && !store__null(st, 16) ? tag_json(s, id) : json_null());
    return m;
}

json_t *
store_message_json(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE id = ?", "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    struct readmarks rm;
    readmarks_load(s, store__i64(st, 1), &rm);
    /* readmarks_load used another statement; st is untouched. */
    json_t *m = message_from_row(s, st, &rm);
    readmarks_free(&rm);
    return m;
}

json_t *
store_message_thread(store_t *s, int64_t room_id, int64_t root_id, int max)
{
    stmt_t *st = store__q(s,
                          "SELECT id FROM messages WHERE room_id = ? AND (id = ? OR reply_to = ?) AND deleted_at IS NULL"
                          " ORDER BY seq LIMIT ?",
                          "IIIi", room_id, root_id, root_id, max);
    return store__objects_of(s, st, store_message_json);
}

json_t *
store_message_json_new(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE id = ?", "I", id);
    if (store__row(s, st) != 1)
        return NULL;
    struct readmarks none = {0};
    return message_from_row(s, st, &none);
}

struct store_msg_draft {
    char *cmid; /* client_msg_id as JSON text */
    char *tail; /* ",\"edited_at\":…}": the members after created_at */
};

/* A JSON string as jansson writes it with JSON_COMPACT (quotes, backslashes and control
 * characters escaped, "\u%04X" for those without a short form, everything else as is), so that
 * drafted text is byte for byte what json_dumps makes of the same Message. 0, or -1 when s is
 * not valid UTF-8 (jansson would refuse it: the caller falls back to jansson). */
static int
json_text(struct sb *b, const char *s)
{
    if (s == NULL) {
        sb_add(b, "null", 4);
        return 0;
    }
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return -1;
    sb_add(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_add(b, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            sb_add(b, "\\\"", 2);
            break;
        case '\\':
            sb_add(b, "\\\\", 2);
            break;
        case '\b':
            sb_add(b, "\\b", 2);
            break;
        case '\f':
            sb_add(b, "\\f", 2);
            break;
        case '\n':
            sb_add(b, "\\n", 2);
            break;
        case '\r':
            sb_add(b, "\\r", 2);
            break;
        case '\t':
            sb_add(b, "\\t", 2);
            break;
        default:
            sb_fmt(b, "\\u%04X", (unsigned)c);
        }
    }
    sb_add(b, s + run, n - run);
    sb_add(b, "\"", 1);
    return 0;
}

/* The user's card as store__user_brief makes it, as text; `full` = 0 for posted_by's {id, name}. */
static int
brief_text(store_t *s, struct sb *b, int64_t id, int full)
{
    stmt_t *st = store__q(s,
                          "SELECT u.id, u.name, u.title, d.path, u.kind FROM users u LEFT JOIN departments d"
                          " ON d.id = u.department_id WHERE u.id = ?",
                          "I", id);
    int r = store__row(s, st);
    if (r != 1)
        return -1; /* not found (or failing): the jansson path says what to show */
    sb_fmt(b, "{\"id\":%lld,\"name\":", (long long)store__i64(st, 0));
    if (json_text(b, store__text(st, 1)) != 0)
        return -1;
    if (full) {
        static const char *const keys[] = {",\"title\":", ",\"department\":", ",\"kind\":"};
        for (int i = 0; i < 3; i++) {
            sb_str(b, keys[i]);
            if (json_text(b, store__text(st, 2 + i)) != 0)
                return -1;
        }
    }
    sb_add(b, "}", 1);
    return 0;
}

struct store_msg_draft *
store_message_draft(store_t *s, const struct store_msg_in *in)
{
    /* Files, replies and cards need their rows; they are the rare sends. */
    if (in->nfiles > 0 || in->reply_to || in->card)
        return NULL;
    struct sb cmid = {0}, t = {0};
    /* The members after created_at, in message_from_row's order. */
    sb_str(&t, ",\"edited_at\":null,\"deleted\":false,\"deleted_at\":null,\"text\":");
    if (json_text(&t, in->text) != 0)
        goto fallback;
    sb_str(&t, ",\"stamp\":");
    if (json_text(&t, in->stamp) != 0)
        goto fallback;
    /* read_count: nobody else has read a new message yet */
    sb_fmt(&t, ",\"mention_all\":%s,\"urgent\":%s,\"read_count\":0,\"sender\":", in->mention_all ? "true" : "false",
           in->urgent ? "true" : "false");
    if (brief_text(s, &t, in->sender_id, 1) != 0)
        goto fallback;
    sb_str(&t, ",\"posted_by\":");
    if (in->author_id == in->sender_id)
        sb_str(&t, "null");
    else if (brief_text(s, &t, in->author_id, 0) != 0)
        goto fallback;
    /* store_message_insert records every mentioned member (the job checks that they all are),
     * and the mentions table answers them by user id. */
    sb_str(&t, ",\"mentions\":[");
    if (in->nmentions > 0) {
        int64_t *ids = xmalloc(in->nmentions * sizeof(int64_t));
        memcpy(ids, in->mentions, in->nmentions * sizeof(int64_t));
        qsort(ids, in->nmentions, sizeof(int64_t), cmp_i64);
        for (size_t i = 0; i < in->nmentions; i++)
            if (i == 0 || ids[i] != ids[i - 1])
                sb_fmt(&t, i == 0 ? "%lld" : ",%lld", (long long)ids[i]);
        free(ids);
    }
    sb_str(&t, "],\"files\":[],\"reply_to\":null,\"card\":null,\"tag\":null}");
    if (json_text(&cmid, in->client_msg_id) != 0)
        goto fallback;
    struct store_msg_draft *d = xcalloc(1, sizeof(*d));
    d->cmid = cmid.p;
    d->tail = t.p;
    return d;
fallback:
    free(cmid.p);
    free(t.p);
    return NULL;
}

char *
store_message_draft_text(const struct store_msg_draft *d, int64_t id, int64_t room_id, int64_t seq, int64_t now, size_t *len)
{
    char t[32], head[192];
    int n = snprintf(head, sizeof(head), "{\"id\":%lld,\"room_id\":%lld,\"seq\":%lld,\"client_msg_id\":", (long long)id,
                     (long long)room_id, (long long)seq);
    size_t lc = strlen(d->cmid), lt = strlen(d->tail);
    const char *created = time_format_jst(now, t);
    size_t lcr = strlen(created);
    char *out = xmalloc((size_t)n + lc + 16 + lcr + 1 + lt + 1), *p = out;
    memcpy(p, head, (size_t)n);
    p += n;
    memcpy(p, d->cmid, lc);
    p += lc;
    memcpy(p, ",\"created_at\":\"", 15);
    p += 15;
    memcpy(p, created, lcr);
    p += lcr;
    *p++ = '"';
    memcpy(p, d->tail, lt + 1);
    *len = (size_t)(p - out) + lt;
    return out;
}

void
store_message_draft_free(struct store_msg_draft *d)
{
    if (d == NULL)
        return;
    free(d->cmid);
    free(d->tail);
    free(d);
}

json_t *
store_messages_page(store_t *s, int64_t room_id, int64_t after, int64_t before, int limit, int *has_more)
{
    stmt_t *st;
    if (after >= 0)
        st = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?", "IIi", room_id,
                      after, limit + 1);
    else if (before >= 0)
        st = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?", "IIi",
                      room_id, before, limit + 1);
    else
        st = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?", "Ii", room_id, limit + 1);
    /* Collect ids first: building each message runs other statements on this connection. */
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (store__row(s, st) == 1)
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
    *has_more = (int)n > limit;
    if ((int)n > limit)
        n = (size_t)limit;
    struct readmarks rm;
    readmarks_load(s, room_id, &rm);
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        /* The latest page is fetched newest-first but answered in ascending order. */
        size_t i = (after < 0 && before < 0) ? n - 1 - k : k;
        stmt_t *one = store__q(s, "SELECT " MSG_COLS " FROM messages WHERE id = ?", "I", ids[i]);
        if (store__row(s, one) == 1)
            json_array_append_new(arr, message_from_row(s, one, &rm));
    }
    readmarks_free(&rm);
    free(ids);
    return arr;
}

int
store_message_edit(store_t *s, int64_t id, const char *text, int64_t now)
{
    int rc = store__x(s, "INSERT INTO message_edits(message_id, text, edited_at) SELECT id, text, ? FROM messages WHERE id = ?",
                      "II", now, id);
    if (rc == 0)
        rc = store__x(s, "UPDATE messages SET text = ?, edited_at = ? WHERE id = ? AND deleted_at IS NULL", "tII", text, now, id);
    return rc;
}

json_t *
store_message_edits_json(store_t *s, int64_t id)
{
    stmt_t *st = store__q(s, "SELECT text, edited_at FROM message_edits WHERE message_id = ? ORDER BY id", "I", id);
    json_t *arr = json_array();
    while (store__row(s, st) == 1)
        json_array_append_new(arr, json_pack("{so so}", "text", store__jstr(st, 0), "edited_at", store__jtime(st, 1)));
    return arr;
}

int
store_message_delete(store_t *s, int64_t id, int64_t by, int64_t now, int purge, char ***hashes, size_t *nhashes)
{
    int rc;
    int keep = s->opt.keep_deleted_content && !purge;
    *hashes = NULL;
    *nhashes = 0;
    if (keep) {
        rc = store__x(s, "UPDATE messages SET deleted_at = ?, deleted_by = ? WHERE id = ? AND deleted_at IS NULL", "III", now, by,
                      id);
    } else {
        /* A purge (personal information that slipped through) also wipes a message that was
         * deleted earlier but kept for the records. */
        rc = store__x(s,
                      "UPDATE messages SET deleted_at = ifnull(deleted_at, ?), deleted_by = ifnull(deleted_by, ?), text = NULL,"
                      " stamp = NULL, nfiles = 0 WHERE id = ? AND (deleted_at IS NULL OR ? != 0)",
                      "IIIb", now, by, id, purge);
        if (rc == 0)
            rc = store__x(s, "DELETE FROM message_edits WHERE message_id = ?", "I", id);
        /* Snapshots kept with abuse reports must not keep what was purged either. */
        if (rc == 0 && purge)
            rc = store__x(s, "UPDATE reports SET snapshot = '{\"purged\":true}' WHERE message_id = ?", "I", id);
    }
    if (rc != 0)
        return rc;
    if ((rc = store__x(s, "DELETE FROM mentions WHERE message_id = ?", "I", id)) != 0)
        return rc;
    /* A deleted message leaves its meeting: its tag goes with it. */
    if ((rc = store__x(s, "DELETE FROM message_tags WHERE message_id = ?", "I", id)) != 0 ||
        (rc = store__x(s, "UPDATE messages SET tag = NULL WHERE id = ?", "I", id)) != 0)
        return rc;
    if (keep)
        return 0;
    /* Detach the files; a file no message carries any more is removed with its blob. */
    int64_t *files = NULL;
    size_t nf = 0, cap = 0;
    stmt_t *st = store__q(s, "SELECT file_id FROM message_files WHERE message_id = ?", "I", id);
    while (store__row(s, st) == 1)
        store__ids_push(&files, &nf, &cap, store__i64(st, 0));
    if ((rc = store__x(s, "DELETE FROM message_files WHERE message_id = ?", "I", id)) != 0)
        goto Exit;
    for (size_t i = 0; i < nf; i++) {
        /* Still shared by another message or a note: kept. */
        st = store__q(s,
                      "SELECT hash FROM files WHERE id = ? AND NOT EXISTS(SELECT 1 FROM message_files WHERE file_id = ?)"
                      " AND NOT EXISTS(SELECT 1 FROM note_files WHERE file_id = ?)",
                      "III", files[i], files[i], files[i]);
        if (store__row(s, st) != 1)
            continue;
        char *h = xstrdup(store__text(st, 0));
        if ((rc = store__x(s, "DELETE FROM files WHERE id = ?", "I", files[i])) != 0) {
            free(h);
            goto Exit;
        }
        *hashes = xrealloc(*hashes, (*nhashes + 1) * sizeof(char *));
        (*hashes)[(*nhashes)++] = h;
    }
Exit:
    free(files);
    return rc;
}

json_t *
store_message_readers_json(store_t *s, int64_t room_id, int64_t message_id)
{
    struct store_msg_meta meta;
    if (store_message_meta(s, message_id, &meta) != 0 || meta.room_id != room_id)
        return NULL;
    stmt_t *st = store__q(s,
                          "SELECT m.user_id, m.last_read_seq >= ? FROM room_members m JOIN users u ON u.id = m.user_id"
                          " WHERE m.room_id = ? AND m.user_id NOT IN (?, ?) ORDER BY u.kana, u.id",
                          "IIII", meta.seq, room_id, meta.sender_id, meta.author_id);
    int64_t *ids = NULL, *flags = NULL;
    size_t n = 0, cap = 0, n2 = 0, cap2 = 0;
    while (store__row(s, st) == 1) {
        store__ids_push(&ids, &n, &cap, store__i64(st, 0));
        store__ids_push(&flags, &n2, &cap2, store__int(st, 1));
    }
    json_t *read = json_array(), *unread = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(flags[i] ? read : unread, store__user_brief(s, ids[i]));
    free(ids);
    free(flags);
    return json_pack("{so so}", "read", read, "unread", unread);
}

int
store_read_mark(store_t *s, int64_t room_id, int64_t user_id, int64_t seq, int64_t *out_seq)
{
    int rc = store__x(
        s,
        STORE_SQL(s,
                  "UPDATE room_members SET last_read_seq = min(?, (SELECT last_seq FROM rooms WHERE id = ?))"
                  " WHERE room_id = ? AND user_id = ? AND last_read_seq < min(?, (SELECT last_seq FROM rooms WHERE id = ?))",
                  "UPDATE room_members SET last_read_seq = least(?, (SELECT last_seq FROM rooms WHERE id = ?))"
                  " WHERE room_id = ? AND user_id = ? AND last_read_seq < least(?, (SELECT last_seq FROM rooms WHERE id = ?))"),
        "IIIIII", seq, room_id, room_id, user_id, seq, room_id);
    if (rc != 0)
        return rc;
    int changed = store__changes(s) > 0;
    stmt_t *st = store__q(s, "SELECT last_read_seq FROM room_members WHERE room_id = ? AND user_id = ?", "II", room_id, user_id);
    if (store__row(s, st) != 1)
        return STORE_ENOTFOUND;
    *out_seq = store__i64(st, 0);
    return changed;
}

/* The export's rows, with each message's files as a JSON array (the two engines name the JSON
 * functions differently: SQLite's json_group_array gives [] for none, json_agg NULL). */
#define EXPORT_SQL(FILES_AGG, FILES_END)                                                                                           \
    "SELECT m.id, m.seq, m.created_at, ifnull(m.edited_at, 0), ifnull(m.deleted_at, 0),"                                           \
    " ifnull(p.seq, 0), u.name, ifnull(d.path, ''), u.title, m.text, m.stamp, m.urgent,"                                           \
    " (SELECT " FILES_AGG "'id', f.id, 'name', f.name, 'hash', f.hash, 'type', f.type, 'size', f.size" FILES_END                   \
    " FROM message_files mf JOIN files f ON f.id = mf.file_id WHERE mf.message_id = m.id),"                                        \
    " m.sender_id, m.author_id FROM messages m JOIN users u ON u.id = m.sender_id"                                                 \
    " LEFT JOIN departments d ON d.id = u.department_id"                                                                           \
    " LEFT JOIN messages p ON p.id = m.reply_to WHERE m.room_id = ? AND m.created_at >= ? AND m.created_at < ?"                    \
    " ORDER BY m.seq"

int
store_export_room(store_t *s, int64_t room_id, int64_t from_ms, int64_t to_ms,
                  int (*fn)(void *arg, const struct store_export_row *row), void *arg)
{
    /* A read snapshot for the whole export: the room as it was at one moment. */
    stmt_t *st = store__q(s,
                          STORE_SQL(s, EXPORT_SQL("json_group_array(json_object(", "))"),
                                    EXPORT_SQL("coalesce(json_agg(json_build_object(", ")), '[]')")),
                          "III", room_id, from_ms, to_ms);
    int r, rc = 0;
    while (rc == 0 && (r = store__row(s, st)) == 1) {
        struct store_export_row row = {
            .id = store__i64(st, 0),
            .seq = store__i64(st, 1),
            .created_at = store__i64(st, 2),
            .edited_at = store__i64(st, 3),
            .deleted_at = store__i64(st, 4),
            .reply_seq = store__i64(st, 5),
            .sender = store__text(st, 6),
            .department = store__text(st, 7),
            .title = store__text(st, 8),
            .text = store__null(st, 9) ? NULL : store__text(st, 9),
            .stamp = store__null(st, 10) ? NULL : store__text(st, 10),
            .urgent = store__int(st, 11),
            .files = store__text(st, 12),
            .sender_id = store__i64(st, 13),
            .author_id = store__i64(st, 14),
        };
        row.text_kept = row.deleted_at && row.text != NULL;
        rc = fn(arg, &row);
    }
    store__done(st);
    return rc != 0 ? rc : (r < 0 ? STORE_EIO : 0);
}
