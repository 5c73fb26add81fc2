/*
 * Unit test for the search index's upkeep in src/store/ (migration 16): messages inserted in
 * a transaction are indexed by store_commit, once; a message edited, soft-deleted or deleted
 * before that commit enters the index as it is at the commit (or not at all); after it, edits
 * and deletions leave the index in their own transaction. A commit told that more work is
 * waiting (store_index_defer) leaves its messages for a later commit, up to STORE_INDEX_BATCH
 * of them, and store_index_flush brings the index up to date. FTS5's own integrity check (with
 * the content compared) must pass at every step.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "store/store_int.h"

static char dir[] = "/tmp/kairan-unit-search.XXXXXX";
static store_t *s;
static int64_t room, user;

static void
exec_ok(const char *sql)
{
    assert_int_equal(sqlite3_exec(s->db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int64_t
one(const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t
hits(const char *word)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM message_fts WHERE message_fts MATCH '\"%s\"'", word);
    return one(sql);
}

static void
index_is_sound(void)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, "INSERT INTO message_fts(message_fts, rank) VALUES('integrity-check', 1)", NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("integrity-check: %s", msg ? msg : "?");
    assert_int_equal(one("SELECT count(*) FROM message_fts_pending"), 0);
}

static int64_t
send(const char *text)
{
    struct store_msg_in in = {0};
    int64_t id, seq;
    in.room_id = room;
    in.sender_id = in.author_id = user;
    in.text = text;
    assert_int_equal(store_message_insert(s, &in, 1795000000000LL, &id, &seq), 0);
    return id;
}

static void
sql_id(const char *fmt, int64_t id)
{
    char sql[256];
    snprintf(sql, sizeof(sql), fmt, (long long)id);
    exec_ok(sql);
}

static int
setup(void **state)
{
    (void)state;
    char err[256];
    assert_non_null(mkdtemp(dir));
    s = store_open(dir, 1, NULL, err, sizeof(err));
    assert_non_null(s);
    struct store_user_in u = {.login = "u1", .name = "試験 一"};
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_user_create(s, &u, 1, &user), 0);
    assert_int_equal(store_room_create(s, "group", "検索", "", 0, NULL, user, &user, 1, 1, &room), 0);
    assert_int_equal(store_commit(s), 0);
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_changed_before_commit(void **state)
{
    (void)state;
    assert_int_equal(store_begin(s), 0);
    int64_t a = send("編集前の本文"), b = send("取消予定の本文"), c = send("行ごと削除の本文");
    send("残る本文");
    sql_id("UPDATE messages SET text = '編集後の本文' WHERE id = %lld", a);
    sql_id("UPDATE messages SET deleted_at = 1 WHERE id = %lld", b);
    sql_id("DELETE FROM messages WHERE id = %lld", c);
    assert_int_equal(hits("残る"), 0); /* nothing is indexed before the commit */
    assert_int_equal(store_commit(s), 0);
    index_is_sound();
    assert_int_equal(hits("編集後"), 1);
    assert_int_equal(hits("編集前"), 0);
    assert_int_equal(hits("取消予定"), 0);
    assert_int_equal(hits("行ごと"), 0);
    assert_int_equal(hits("残る"), 1);
}

static void
test_changed_after_commit(void **state)
{
    (void)state;
    assert_int_equal(store_begin(s), 0);
    int64_t a = send("後で直す本文"), b = send("後で消す本文");
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_begin(s), 0);
    sql_id("UPDATE messages SET text = '直した本文' WHERE id = %lld", a);
    sql_id("UPDATE messages SET deleted_at = 1 WHERE id = %lld", b);
    assert_int_equal(store_commit(s), 0);
    index_is_sound();
    assert_int_equal(hits("直した"), 1);
    assert_int_equal(hits("後で直す"), 0);
    assert_int_equal(hits("後で消す"), 0);
}

static void
test_rolled_back_job(void **state)
{
    (void)state;
    /* A job that fails rolls back to its savepoint: its message is neither kept nor indexed. */
    assert_int_equal(store_begin(s), 0);
    assert_int_equal(store_savepoint(s), 0);
    send("取り消されるジョブ");
    store_rollback_to(s);
    assert_int_equal(store_savepoint(s), 0);
    send("残るジョブ");
    assert_int_equal(store_release(s), 0);
    assert_int_equal(store_commit(s), 0);
    index_is_sound();
    assert_int_equal(hits("取り消される"), 0);
    assert_int_equal(hits("残るジョブ"), 1);
}

static int64_t
waiting(void)
{
    return one("SELECT count(*) FROM message_fts_pending");
}

static void
test_deferred(void **state)
{
    (void)state;
    /* A busy writer's commit leaves its messages waiting; they are durable, not yet searchable. */
    assert_int_equal(store_begin(s), 0);
    send("後回しの一通目");
    s->index_since_ms = INT64_MAX / 2; /* "just now", whatever the clock: the lag bound is not what is tested */
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(waiting(), 1);
    assert_int_equal(hits("後回し"), 0);
    /* A rolled-back transaction does not forget them: the idle writer's flush indexes them. */
    assert_int_equal(store_begin(s), 0);
    send("取り消す一通");
    store_rollback(s);
    assert_int_equal(waiting(), 1);
    assert_int_equal(store_index_flush(s), 0);
    index_is_sound();
    assert_int_equal(hits("後回し"), 1);
    assert_int_equal(hits("取り消す"), 0);
    /* Edited while waiting: indexed as it is when its turn comes. */
    assert_int_equal(store_begin(s), 0);
    int64_t b = send("待機中の一通目");
    s->index_since_ms = INT64_MAX / 2;
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(store_begin(s), 0);
    sql_id("UPDATE messages SET text = '待機中の改訂版' WHERE id = %lld", b);
    send("待機中の二通目");
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(waiting(), 2);
    assert_int_equal(hits("待機中"), 0);
    /* The writer falls idle: one commit indexes both. */
    assert_int_equal(store_index_flush(s), 0);
    index_is_sound();
    assert_int_equal(hits("待機中"), 2);
    assert_int_equal(hits("改訂版"), 1);
    assert_int_equal(hits("待機中の一通目"), 0);
    assert_int_equal(store_index_flush(s), 0); /* nothing left: nothing to do */

    /* However busy the writer, no more than STORE_INDEX_BATCH wait. */
    assert_int_equal(store_begin(s), 0);
    send("上限の前");
    s->index_since_ms = INT64_MAX / 2;
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    assert_int_equal(waiting(), 1);
    assert_int_equal(store_begin(s), 0);
    s->index_noted = STORE_INDEX_BATCH - 1;
    send("上限の到達");
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    index_is_sound();
    assert_int_equal(hits("上限"), 2);

    /* And not for longer than STORE_INDEX_LAG_MS. */
    assert_int_equal(store_begin(s), 0);
    send("遅延の上限");
    s->index_since_ms -= STORE_INDEX_LAG_MS + 1000;
    store_index_defer(s, 1);
    assert_int_equal(store_commit(s), 0);
    index_is_sound();
    assert_int_equal(hits("遅延"), 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changed_before_commit),
        cmocka_unit_test(test_changed_after_commit),
        cmocka_unit_test(test_rolled_back_job),
        cmocka_unit_test(test_deferred),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
