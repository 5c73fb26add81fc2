/*
 * The search benchmark (`make bench-search`): a generated corpus of municipal Japanese chat,
 * indexed three ways and searched by one member of 200 rooms.
 *
 *   kairan   the store's own index: FTS5 with Kairan's folded-bigram tokenizer, queried
 *            through store_search() exactly as GET /api/v1/search does (newest 200 candidates)
 *   trigram  FTS5's built-in trigram tokenizer on the same text (what SQLite offers)
 *   like     LIKE '%word%' over the messages table (what chat servers fall back to)
 *
 * Usage: searchbench [messages] [out.json]   (default 1,000,000 messages in 5,000 rooms;
 *        `make bench-search` runs 10,000,000). With SEARCHBENCH_PG set to a connection string
 *        of an empty PostgreSQL database, the corpus is also copied there and searched the same
 *        way.
 *
 * Corpus: one year of messages, ids in time order, lengths from one phrase to a few hundred
 * characters, built from municipal vocabulary. Three marker words are planted at controlled
 * rates so that each band has a known number of hits overall: rare 鳥獣 (80 messages), medium
 * 除雪 (10,000), common 会議 (about 15 % of messages: over a million at 10M).
 * It includes store/store_int.h: a benchmark may look inside the store, as unit tests do.
 */
#include "store/store_int.h"
#include "util/timefmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROOMS 5000
#define MY_ROOMS 200
#define RARE_HITS 80
#define MEDIUM_HITS 10000
#define COMMON_RATE 0.15

static const char *const vocab[] = {
    "予算",       "議事録",       "資料",         "決裁",         "起案",       "住民",
    "窓口",       "申請",         "届出",         "補助金",       "交付",       "要綱",
    "条例",       "規則",         "議会",         "答弁",         "質問",       "回答",
    "確認",       "依頼",         "照会",         "回覧",         "供覧",       "庁内",
    "課長",       "係長",         "主査",         "担当",         "打合せ",     "日程",
    "調整",       "来週",         "今週",         "明日",         "午前",       "午後",
    "提出",       "締切",         "修正",         "共有",         "添付",       "送付",
    "防災",       "避難所",       "訓練",         "消防",         "福祉",       "介護",
    "保険",       "年金",         "国保",         "税務",         "固定資産税", "住民税",
    "徴収",       "納付",         "戸籍",         "住民票",       "印鑑",       "証明書",
    "転入",       "転出",         "子育て",       "保育所",       "児童",       "学校",
    "教育委員会", "図書館",       "公民館",       "道路",         "河川",       "下水道",
    "上水道",     "公園",         "清掃",         "ごみ",         "収集",       "環境",
    "観光",       "イベント",     "広報",         "ホームページ", "入札",       "契約",
    "工事",       "検査",         "監査",         "人事",         "異動",       "研修",
    "出張",       "旅費",         "庶務",         "文書",         "情報公開",   "システム",
    "端末",       "ネットワーク", "更新",         "障害",         "復旧",       "問い合わせ",
    "電話",       "メール",       "PDF",          "Excel",        "LGWAN",      "CSV",
    "令和8年度",  "第3四半期",    "4月1日",       "13時30分",     "3階",        "会計年度任用職員",
    "総務課",     "財政課",       "市民課",       "危機管理課",   "企画課",     "サーバ",
    "アンケート", "チェック",     "スケジュール", "マニュアル",
};
static const char *const particles[] = {"の", "を", "に", "は", "が", "と", "で", "、", "について", "から", "まで", "も"};
static const char *const endings[] = {"。",
                                      "です。",
                                      "します。",
                                      "をお願いします。",
                                      "しました。",
                                      "ですか？",
                                      "了解しました。",
                                      "承知しました。",
                                      "ありがとうございます。",
                                      "確認します。",
                                      "よろしくお願いします。",
                                      "お疲れ様です。"};
#define N(a) (sizeof(a) / sizeof(a[0]))

static uint64_t rng = 88172645463325252ULL;
static uint64_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double
frand(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* One message: 1–60 vocabulary words (most messages short, a long tail), joined by particles. */
static size_t
gen_text(char *buf, size_t cap, int rare, int medium)
{
    size_t len = 0;
    int words = 1 + (int)(-log(1.0 - frand()) * 4.0);
    if (words > 60)
        words = 60;
    int plant_at = words > 1 ? (int)(rnd() % (unsigned)words) : 0;
    int common = frand() < COMMON_RATE;
    for (int i = 0; i < words && len + 64 < cap; i++) {
        const char *w = vocab[rnd() % N(vocab)];
        if (i == plant_at && rare)
            w = "鳥獣被害";
        else if (i == plant_at && medium)
            w = "除雪作業";
        else if (i == (plant_at + 1) % words && common)
            w = "会議";
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", w, i + 1 < words ? particles[rnd() % N(particles)] : "");
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s", endings[rnd() % N(endings)]);
    return len;
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
must(store_t *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "searchbench: %s: %s\n", sql, err);
        exit(1);
    }
}

static int64_t
pages(store_t *s)
{
    sqlite3_stmt *st;
    int64_t n = 0, size = 0;
    sqlite3_prepare_v2(s->db, "PRAGMA page_count", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL);
    if (sqlite3_step(st) == SQLITE_ROW)
        size = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n * size;
}

/* SEARCHBENCH_QUICK=1: stop after the incremental phase (SEARCHBENCH_KEEP=1: keep the data).
 * SEARCHBENCH_TRACE=1: statements over 2 ms during the incremental phase, to see where time goes. */
static int
trace_slow(unsigned type, void *ctx, void *p, void *x)
{
    int64_t ns = *(int64_t *)x;
    if (ns > 2000000)
        fprintf(stderr, "slow %.1f ms: %.200s\n", ns / 1e6, sqlite3_expanded_sql((sqlite3_stmt *)p));
    return 0;
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct lat {
    double p50, p99, max;
    long hits; /* results of the last run */
};

static struct lat
summarise(double *v, int n, long hits)
{
    qsort(v, (size_t)n, sizeof(double), cmp_d);
    struct lat l = {v[n / 2], v[(int)ceil(n * 0.99) - 1], v[n - 1], hits};
    return l;
}

static int64_t my_rooms[MY_ROOMS];
static int64_t user_id = 1, t0_ms, t1_ms;

enum filter { F_NONE, F_ROOM, F_DATE, F_NFILTERS };
static const char *const filter_names[] = {"none", "room", "last 30 days"};

/* Kairan's index through the store, as the API calls it. */
static struct lat
q_kairan(store_t *s, const char *word, enum filter f, int reps)
{
    double v[256];
    long hits = 0;
    for (int i = 0; i < reps; i++) {
        const char *words[1] = {word};
        struct store_search q = {
            .user_id = user_id, .words = words, .nwords = 1, .kinds = STORE_HIT_MESSAGE, .max = 200, .budget_ms = 10000};
        if (f == F_ROOM)
            q.room_id = my_rooms[i % MY_ROOMS];
        if (f == F_DATE)
            q.after_ms = t1_ms - 30LL * 86400000;
        struct store_search_hit *h;
        size_t n;
        int partial;
        double t = now_s();
        store_search(s, &q, &h, &n, &partial);
        v[i] = (now_s() - t) * 1000;
        hits = (long)n;
        store_search_hits_free(h, n);
        store_end_reads(s);
    }
    return summarise(v, reps, hits);
}

static const char sql_tri[] = "SELECT m.id FROM tri t JOIN messages m ON m.id = t.rowid WHERE tri MATCH ?1"
                              " AND m.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2)"
                              " AND (?3 = 0 OR m.room_id = ?3) AND (?4 = 0 OR m.created_at >= ?4) ORDER BY t.rowid DESC LIMIT 200";
static const char sql_like[] = "SELECT m.id FROM messages m WHERE m.text LIKE ?1"
                               " AND m.room_id IN (SELECT room_id FROM room_members WHERE user_id = ?2)"
                               " AND (?3 = 0 OR m.room_id = ?3) AND (?4 = 0 OR m.created_at >= ?4) ORDER BY m.id DESC LIMIT 200";

static struct lat
q_sql(store_t *s, const char *sql, const char *arg, enum filter f, int reps)
{
    double v[256];
    long hits = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "searchbench: %s\n", sqlite3_errmsg(s->db));
        exit(1);
    }
    for (int i = 0; i < reps; i++) {
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, user_id);
        sqlite3_bind_int64(st, 3, f == F_ROOM ? my_rooms[i % MY_ROOMS] : 0);
        sqlite3_bind_int64(st, 4, f == F_DATE ? t1_ms - 30LL * 86400000 : 0);
        double t = now_s();
        long n = 0;
        while (sqlite3_step(st) == SQLITE_ROW)
            n++;
        v[i] = (now_s() - t) * 1000;
        hits = n;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return summarise(v, reps, hits);
}

static long
count_hits(store_t *s, const char *word)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\"", word);
    sqlite3_stmt *st;
    long n = 0;
    sqlite3_prepare_v2(s->db, "SELECT count(*) FROM message_fts WHERE message_fts MATCH ?", -1, &st, NULL);
    sqlite3_bind_text(st, 1, pat, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int
main(int argc, char **argv)
{
    long nmsg = argc > 1 ? atol(argv[1]) : 1000000;
    const char *out_path = argc > 2 ? argv[2] : "bench/results/search.json";
    char dir[] = "/var/tmp/kairan-searchbench-XXXXXX", err[256];
    if (mkdtemp(dir) == NULL || nmsg < 20000) {
        fprintf(stderr, "usage: searchbench [messages >= 20000] [out.json]\n");
        return 2;
    }
    store_t *s = store_open(dir, 1, NULL, err, sizeof(err));
    if (s == NULL) {
        fprintf(stderr, "searchbench: %s\n", err);
        return 1;
    }
    /* Building is not what is measured for durability: the store's own writes use FULL. */
    must(s, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144");
    must(s, "BEGIN");
    for (int u = 1; u <= 100; u++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "INSERT INTO users(id, login, name, created_at, updated_at) VALUES(%d, 'u%d', '職員%d', 0, 0)",
                 u, u, u);
        must(s, sql);
    }
    for (int r = 1; r <= ROOMS; r++) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO rooms(id, kind, name, created_at, last_activity_at) VALUES(%d, 'group', 'room%d', 0, 0)", r, r);
        must(s, sql);
    }
    /* The searcher is in every 25th room: 200 rooms spread over the corpus. */
    for (int i = 0; i < MY_ROOMS; i++) {
        char sql[256];
        my_rooms[i] = 1 + i * (ROOMS / MY_ROOMS);
        snprintf(sql, sizeof(sql), "INSERT INTO room_members(room_id, user_id, joined_at) VALUES(%lld, 1, 0)",
                 (long long)my_rooms[i]);
        must(s, sql);
    }
    must(s, "COMMIT");
    /* The corpus goes in without the triggers, so that the index build is timed on its own. */
    must(s, "DROP TRIGGER messages_fts_insert; DROP TRIGGER messages_fts_update; DROP TRIGGER messages_fts_delete");
    int64_t base0 = pages(s);
    t1_ms = 1795000000000LL; /* 2026-11 */
    t0_ms = t1_ms - 365LL * 86400000;
    char *text = malloc(8192);
    double text_bytes = 0;
    long rare_left = RARE_HITS, medium_left = MEDIUM_HITS;
    sqlite3_stmt *ins;
    sqlite3_prepare_v2(s->db,
                       "INSERT INTO messages(id, room_id, seq, sender_id, author_id, text, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                       -1, &ins, NULL);
    double t = now_s();
    must(s, "BEGIN");
    for (long i = 1; i <= nmsg; i++) {
        int rare = rare_left > 0 && rnd() % (uint64_t)(nmsg - i + 1) < (uint64_t)rare_left;
        int medium = !rare && medium_left > 0 && rnd() % (uint64_t)(nmsg - i + 1) < (uint64_t)medium_left;
        rare_left -= rare;
        medium_left -= medium;
        size_t len = gen_text(text, 8192, rare, medium);
        text_bytes += (double)len;
        int64_t sender = 1 + (int64_t)(rnd() % 100);
        sqlite3_bind_int64(ins, 1, i);
        sqlite3_bind_int64(ins, 2, 1 + (int64_t)(rnd() % ROOMS));
        sqlite3_bind_int64(ins, 3, i);
        sqlite3_bind_int64(ins, 4, sender);
        sqlite3_bind_int64(ins, 5, sender);
        sqlite3_bind_text(ins, 6, text, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 7, t0_ms + (t1_ms - t0_ms) * i / nmsg);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            fprintf(stderr, "searchbench: insert: %s\n", sqlite3_errmsg(s->db));
            return 1;
        }
        sqlite3_reset(ins);
        if (i % 100000 == 0) {
            must(s, "COMMIT; BEGIN");
            fprintf(stderr, "\rgenerated %ld", i);
        }
    }
    must(s, "COMMIT");
    sqlite3_finalize(ins);
    double gen_s = now_s() - t;
    int64_t base1 = pages(s);
    fprintf(stderr, "\rgenerated %ld messages (%.0f MB of text) in %.1f s\n", nmsg, text_bytes / 1e6, gen_s);

    /* Index builds: Kairan's bigrams (the migration's backfill statement), then trigrams. */
    t = now_s();
    must(s, "INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
            " WHERE deleted_at IS NULL AND text IS NOT NULL");
    /* The backfill leaves many segments; merging them now (as the migration does) keeps the
     * first days of sends from paying for it. */
    must(s, "INSERT INTO message_fts(message_fts) VALUES('optimize')");
    double build_kairan = now_s() - t;
    int64_t after_kairan = pages(s);
    fprintf(stderr, "kairan index: %.1f s\n", build_kairan);
    if (getenv("SEARCHBENCH_QUICK"))
        must(s, "CREATE VIRTUAL TABLE tri USING fts5(text, content='messages', content_rowid='id', tokenize='trigram')");
    t = now_s();
    if (!getenv("SEARCHBENCH_QUICK"))
        must(s, "CREATE VIRTUAL TABLE tri USING fts5(text, content='messages', content_rowid='id', tokenize='trigram');"
                "INSERT INTO tri(rowid, text) SELECT id, text FROM messages");
    double build_tri = now_s() - t;
    int64_t after_tri = pages(s);
    fprintf(stderr, "trigram index: %.1f s\n", build_tri);
    /* Statistics only now: ANALYZE while the index tables were empty would tell the planner to
     * scan them, and FTS5's segment deletes would then read the whole index at every merge. */
    must(s, "ANALYZE; PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE)");

    /* Incremental: the insert trigger back, messages sent in group commits of 50 (fsync each),
     * indexed as the store does it (migration 16): noted by the trigger, indexed before COMMIT. */
    must(s, "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL AND new.text IS NOT NULL BEGIN"
            "  INSERT OR IGNORE INTO message_fts_pending(id) VALUES(new.id); END;");
    sqlite3_prepare_v2(s->db, "INSERT INTO messages(room_id, seq, sender_id, author_id, text, created_at) VALUES(?, ?, 1, 1, ?, ?)",
                       -1, &ins, NULL);
    long inc = 20000;
    if (getenv("SEARCHBENCH_TRACE"))
        sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, trace_slow, NULL);
    t = now_s();
    for (long i = 0; i < inc; i++) {
        if (i % 50 == 0)
            must(s, "BEGIN");
        size_t len = gen_text(text, 8192, 0, 0);
        sqlite3_bind_int64(ins, 1, 1 + (int64_t)(rnd() % ROOMS));
        sqlite3_bind_int64(ins, 2, nmsg + 1 + i);
        sqlite3_bind_text(ins, 3, text, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, t1_ms);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        if (i % 50 == 49)
            must(s, "INSERT INTO message_fts(rowid, text, tags) SELECT id, text, tags FROM message_search"
                    " WHERE id IN (SELECT id FROM message_fts_pending); DELETE FROM message_fts_pending; COMMIT");
    }
    double inc_s = now_s() - t;
    sqlite3_finalize(ins);
    fprintf(stderr, "incremental: %.0f messages/s\n", inc / inc_s);
    if (getenv("SEARCHBENCH_QUICK")) {
        store_close(s);
        if (getenv("SEARCHBENCH_KEEP")) {
            fprintf(stderr, "kept %s\n", dir);
            return 0;
        }
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : 1;
    }

    /* Queries. */
    static const struct {
        const char *band, *word, *word3; /* word3: a three-character form, for the trigram index */
    } words[] = {{"rare", "鳥獣", "鳥獣被"}, {"medium", "除雪", "除雪作"}, {"common", "会議", "会議の"}};
    FILE *out = fopen(out_path, "w");
    if (out == NULL) {
        perror(out_path);
        return 1;
    }
    fprintf(out, "{\"messages\":%ld,\"rooms\":%d,\"searcher_rooms\":%d,\"text_mb\":%.1f,\"generate_s\":%.1f,", nmsg, ROOMS,
            MY_ROOMS, text_bytes / 1e6, gen_s);
    fprintf(out, "\"table_mb\":%.1f,\"kairan_index_mb\":%.1f,\"trigram_index_mb\":%.1f,", (base1 - base0) / 1e6,
            (after_kairan - base1) / 1e6, (after_tri - after_kairan) / 1e6);
    fprintf(out, "\"kairan_build_s\":%.2f,\"trigram_build_s\":%.2f,\"incremental_per_s\":%.0f,\"queries\":[", build_kairan,
            build_tri, inc / inc_s);
    int first = 1;
    for (size_t w = 0; w < N(words); w++) {
        long hits = count_hits(s, words[w].word);
        char like[64], tri[64];
        snprintf(like, sizeof(like), "%%%s%%", words[w].word);
        for (int f = 0; f < F_NFILTERS; f++) {
            struct lat k = q_kairan(s, words[w].word, (enum filter)f, 100);
            struct lat t2 = q_sql(s, sql_tri, words[w].word, (enum filter)f, 20);
            snprintf(tri, sizeof(tri), "\"%s\"", words[w].word3);
            struct lat t3 = q_sql(s, sql_tri, tri, (enum filter)f, 20);
            struct lat l = q_sql(s, sql_like, like, (enum filter)f, 5);
            fprintf(out,
                    "%s{\"band\":\"%s\",\"word\":\"%s\",\"hits\":%ld,\"filter\":\"%s\","
                    "\"kairan\":{\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f,\"results\":%ld},"
                    "\"trigram2\":{\"p50\":%.2f,\"p99\":%.2f,\"results\":%ld},"
                    "\"trigram3\":{\"word\":\"%s\",\"p50\":%.2f,\"p99\":%.2f,\"results\":%ld},"
                    "\"like\":{\"p50\":%.2f,\"p99\":%.2f,\"results\":%ld}}",
                    first ? "" : ",", words[w].band, words[w].word, hits, filter_names[f], k.p50, k.p99, k.max, k.hits, t2.p50,
                    t2.p99, t2.hits, words[w].word3, t3.p50, t3.p99, t3.hits, l.p50, l.p99, l.hits);
            first = 0;
            fprintf(stderr,
                    "%-6s %s %-12s hits %8ld  kairan p50 %7.2f p99 %7.2f ms (%ld)  trigram(2) %ld results  trigram(3) p99 %7.2f  "
                    "like p99 %8.2f ms\n",
                    words[w].band, words[w].word, filter_names[f], hits, k.p50, k.p99, k.hits, t2.hits, t3.p99, l.p99);
        }
    }
    /* One character: a prefix query over the bigrams, bounded by the same candidate limit. */
    struct lat one = q_kairan(s, "雪", F_NONE, 50);
    fprintf(out, "],\"one_char\":{\"word\":\"雪\",\"p50\":%.2f,\"p99\":%.2f,\"results\":%ld}", one.p50, one.p99, one.hits);
    fprintf(stderr, "one character 雪: p50 %.2f p99 %.2f ms\n", one.p50, one.p99);
    /* The same corpus on PostgreSQL (SEARCHBENCH_PG: a connection string to an empty database):
     * copied with the store's own copy (which builds the bigram arrays), then the same queries
     * through store_search(). */
    const char *pg_dsn = getenv("SEARCHBENCH_PG");
    if (pg_dsn && *pg_dsn) {
        char err[512];
        struct store_options opt = {.dsn = pg_dsn};
        store_t *pg = store_open(dir, 1, &opt, err, sizeof(err));
        if (pg == NULL) {
            fprintf(stderr, "searchbench: PostgreSQL: %s\n", err);
            return 1;
        }
        t = now_s();
        if (store_copy(s, pg, NULL, NULL, err, sizeof(err)) != 0) {
            fprintf(stderr, "searchbench: copy to PostgreSQL: %s\n", err);
            return 1;
        }
        double copy_s = now_s() - t;
        fprintf(stderr, "PostgreSQL: copied and indexed in %.1f s\n", copy_s);
        fprintf(out, ",\"postgresql\":{\"copy_and_index_s\":%.1f,\"queries\":[", copy_s);
        first = 1;
        for (size_t w = 0; w < N(words); w++)
            for (int f = 0; f < F_NFILTERS; f++) {
                struct lat k = q_kairan(pg, words[w].word, (enum filter)f, 20);
                fprintf(
                    out,
                    "%s{\"band\":\"%s\",\"word\":\"%s\",\"filter\":\"%s\",\"p50\":%.2f,\"p99\":%.2f,\"max\":%.2f,\"results\":%ld}",
                    first ? "" : ",", words[w].band, words[w].word, filter_names[f], k.p50, k.p99, k.max, k.hits);
                first = 0;
                fprintf(stderr, "pg     %-6s %s %-12s p50 %7.2f p99 %7.2f ms (%ld)\n", words[w].band, words[w].word,
                        filter_names[f], k.p50, k.p99, k.hits);
            }
        struct lat one_pg = q_kairan(pg, "雪", F_NONE, 20);
        fprintf(out, "],\"one_char\":{\"p50\":%.2f,\"p99\":%.2f,\"results\":%ld}}", one_pg.p50, one_pg.p99, one_pg.hits);
        fprintf(stderr, "pg one character 雪: p50 %.2f p99 %.2f ms\n", one_pg.p50, one_pg.p99);
        store_close(pg);
    }
    fprintf(out, "}\n");
    fclose(out);
    free(text);
    store_close(s);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "searchbench: could not remove %s\n", dir);
    return 0;
}
