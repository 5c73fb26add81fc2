/*
 * Unit test for the writer's group commit and its syncer (src/store/writer.c) on a real
 * SQLite database: every job's `done` comes after a WAL flush that began after its COMMIT
 * (the batch number it was given is at most `synced` when `done` runs), in submission order,
 * and everything acknowledged is in the database when it is opened again.
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
#include "store/writer.c"

#define THREADS 4
#define PER_THREAD 3000

static char dir[] = "/tmp/kairan-unit-writer.XXXXXX";

struct tjob {
    struct writer_job job;
    int thread, n;
};

static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static int next_expected[THREADS];
static int done_total, done_early, done_out_of_order, done_failed;

static int
tjob_run(store_t *s, struct writer_job *job)
{
    struct tjob *t = (struct tjob *)job;
    return store__x(s, "INSERT INTO t(thread, n) VALUES(?, ?)", "ii", t->thread, t->n);
}

static void
tjob_done(store_t *s, struct writer_job *job, int status)
{
    (void)s;
    struct tjob *t = (struct tjob *)job;
    pthread_mutex_lock(&mu); /* the writer's own lock: `synced` is the syncer's */
    int early = deferred && job->_batch > synced;
    pthread_mutex_unlock(&mu);
    pthread_mutex_lock(&tmu);
    done_total++;
    done_early += early;
    done_failed += status != 0;
    if (t->n != next_expected[t->thread])
        done_out_of_order++;
    next_expected[t->thread] = t->n + 1;
    pthread_mutex_unlock(&tmu);
    free(t);
}

static void *
submitter(void *arg)
{
    int thread = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct tjob *t = calloc(1, sizeof(*t));
        t->job.run = tjob_run;
        t->job.done = tjob_done;
        t->thread = thread;
        t->n = i;
        writer_submit(&t->job);
    }
    return NULL;
}

static void
test_acknowledged_after_sync(void **state)
{
    (void)state;
    char err[256];
    assert_non_null(mkdtemp(dir));
    store_t *s = store_open(dir, 1, NULL, err, sizeof(err));
    assert_non_null(s);
    assert_int_equal(sqlite3_exec(s->db, "CREATE TABLE t(thread INTEGER, n INTEGER)", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(writer_start(s), 0);
    assert_true(deferred); /* SQLite: the fsync is the syncer's */

    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, submitter, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    struct writer_stats st;
    writer_stop(); /* finishes every queued job, then closes the store */
    writer_get_stats(&st);

    assert_int_equal(done_total, THREADS * PER_THREAD);
    assert_int_equal(done_failed, 0);
    assert_int_equal(done_early, 0);
    assert_int_equal(done_out_of_order, 0);
    assert_true(st.syncs >= 1);
    assert_true(st.syncs <= st.batches);
    assert_int_equal(synced, committed);

    /* Everything answered is there for a new connection. */
    s = store_open(dir, 1, NULL, err, sizeof(err));
    assert_non_null(s);
    stmt_t *q = store__q(s, "SELECT count(*), count(DISTINCT thread || '-' || n) FROM t", "");
    assert_int_equal(store__row(s, q), 1);
    assert_int_equal(store__i64(q, 0), THREADS * PER_THREAD);
    assert_int_equal(store__i64(q, 1), THREADS * PER_THREAD);
    store__done(q);
    store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledged_after_sync),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
