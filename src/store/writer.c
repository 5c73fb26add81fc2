/*
 * The writer thread and its group commit (see writer.h).
 *
 * Many sends arriving together cost one fsync: the writer drains the whole queue into one
 * transaction, which is what lets a 2-core machine acknowledge tens of thousands of durable
 * sends per second. The queue is a mutex-protected list; submitters never wait for the disk.
 *
 * On SQLite the fsync is not part of the COMMIT (store_defer_sync): the writer commits a
 * batch, hands it to the syncer thread, and goes on with the next batch while the syncer
 * flushes the WAL; a batch's `done` runs on the writer, between two batches, once a flush
 * that began after its COMMIT has returned. Batches are numbered as they commit; `synced` is
 * the highest number known to be on disk. On PostgreSQL the COMMIT is durable when it
 * returns and `done` follows it directly.
 */
#include "store/writer.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;      /* the writer waits: jobs, or a flush done */
static pthread_cond_t sync_cv = PTHREAD_COND_INITIALIZER; /* the syncer waits: a batch committed */
static struct writer_job *head, *tail;                    /* submitted, not yet run */
static struct writer_job *waiting, *waiting_tail;         /* committed, `done` not yet called */
static uint64_t committed, synced;                        /* batch numbers */
static int stopping, sync_stopping, started, deferred;
static int index_failed; /* the idle index flush failed: not again before the next batch */
static pthread_t thread, sync_thread;
static store_t *wstore;
static struct writer_stats stats;

static void
fatal(const char *what)
{
    log_error("writer.fatal", "what=%s action=exit", what);
    /* Nothing of this batch was acknowledged; exit for the supervisor to restart us. */
    _exit(70);
}

static void
add_ns(uint64_t *total, uint64_t from, uint64_t to)
{
    __atomic_add_fetch(total, to - from, __ATOMIC_RELAXED);
}

/* Appends first..last to the list *h..*t (under mu). */
static void
append(struct writer_job **h, struct writer_job **t, struct writer_job *first, struct writer_job *last)
{
    if (*t)
        (*t)->_next = first;
    else
        *h = first;
    *t = last;
}

/* Runs a batch's jobs in one transaction and commits it. Every job gets its _status. */
static void
run_batch(struct writer_job *batch, size_t n)
{
    uint64_t t0 = time_mono_ns();
    if (store_begin(wstore) != 0) {
        /* PostgreSQL away (a restart, a network cut): nothing of this batch was done, so
         * wait for it a while, as a client would, before giving up. */
        int ok = 0;
        for (int i = 0; i < 60 && store_shared(wstore) && !ok; i++) {
            if (i == 0)
                log_warn("writer.begin", "error=\"the database does not answer\" action=retry");
            usleep(500 * 1000);
            ok = store_begin(wstore) == 0;
        }
        if (!ok)
            fatal("begin");
    }
    int full = 0;
    for (struct writer_job *j = batch; j != NULL; j = j->_next) {
        if (full) {
            j->_status = STORE_EFULL;
            continue;
        }
        if (store_savepoint(wstore) != 0)
            fatal("savepoint");
        j->_status = j->run(wstore, j);
        if (j->_status == STORE_EIO)
            fatal("job");
        /* A full disk is a clean, reported failure: SQLite rolled the statement back. The
         * rest of the batch is refused too, since it would hit the same wall. */
        if (j->_status == STORE_EFULL) {
            full = 1;
            continue;
        }
        if (j->_status < 0)
            store_rollback_to(wstore);
        else if (store_release(wstore) != 0)
            fatal("release");
    }
    store_end_reads(wstore);
    uint64_t t1 = time_mono_ns();
    if (!full) {
        /* A large batch with more jobs waiting already: the search index can take its
         * messages with the next ones, in one larger flush (store_index_defer). */
        pthread_mutex_lock(&mu);
        int busy = n >= KR_WRITER_DEFER_INDEX_JOBS && head != NULL;
        pthread_mutex_unlock(&mu);
        store_index_defer(wstore, busy);
    }
    /* On a full disk SQLite may already have rolled the whole transaction back, so the
     * batch is refused as one: nothing of it is kept or acknowledged. */
    int crc = full ? STORE_EFULL : store_commit(wstore);
    if (crc == STORE_EFULL) {
        /* Nothing of this batch is on disk or acknowledged: roll back and refuse it. */
        store_rollback(wstore);
        for (struct writer_job *j = batch; j != NULL; j = j->_next)
            j->_status = STORE_EFULL;
        log_error("writer.disk_full", "jobs=%zu action=refused", n);
    } else if (crc != 0) {
        fatal("commit");
    }
    add_ns(&stats.run_ns, t0, t1);
    add_ns(&stats.commit_ns, t1, time_mono_ns());
    __atomic_add_fetch(&stats.batches, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&stats.jobs, n, __ATOMIC_RELAXED);
    if (n > stats.max_batch)
        stats.max_batch = n;
}

/* Calls `done` for a list of jobs, in order, outside any transaction. */
static void
finish(struct writer_job *list)
{
    uint64_t t0 = time_mono_ns();
    for (struct writer_job *j = list, *next; j != NULL; j = next) {
        next = j->_next;
        j->done(wstore, j, j->_status);
    }
    store_end_reads(wstore);
    add_ns(&stats.done_ns, t0, time_mono_ns());
}

static void *
writer_main(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "writer"); /* for top -H, perf and bench/focus.sh */
    pthread_mutex_lock(&mu);
    for (;;) {
        /* First the batches already on disk: their senders are waiting. */
        if (waiting != NULL && waiting->_batch <= synced) {
            struct writer_job *list = waiting, *last = waiting;
            while (last->_next != NULL && last->_next->_batch <= synced)
                last = last->_next;
            waiting = last->_next;
            if (waiting == NULL)
                waiting_tail = NULL;
            last->_next = NULL;
            pthread_mutex_unlock(&mu);
            finish(list);
            pthread_mutex_lock(&mu);
            continue;
        }
        if (head == NULL) {
            if (!index_failed && store_index_waiting(wstore)) {
                /* Nothing to run: what earlier commits left for the search index goes in now. */
                pthread_mutex_unlock(&mu);
                if (store_index_flush(wstore) != 0) {
                    /* Nothing acknowledged depends on it: it stays noted for the next commit. */
                    store_rollback(wstore);
                    index_failed = 1;
                    log_warn("writer.index", "error=\"the search index could not be brought up to date\" action=retry");
                }
                pthread_mutex_lock(&mu);
                continue;
            }
            if (stopping && waiting == NULL)
                break;
            pthread_cond_wait(&cv, &mu);
            continue;
        }
        struct writer_job *batch = head, *last = head;
        size_t n = 1;
        while (last->_next != NULL && n < KR_WRITER_MAX_BATCH) {
            last = last->_next;
            n++;
        }
        head = last->_next;
        if (head == NULL)
            tail = NULL;
        last->_next = NULL;
        pthread_mutex_unlock(&mu);

        run_batch(batch, n);
        index_failed = 0;

        if (!deferred) {
            finish(batch);
            pthread_mutex_lock(&mu);
            continue;
        }
        pthread_mutex_lock(&mu);
        committed++;
        for (struct writer_job *j = batch; j != NULL; j = j->_next)
            j->_batch = committed;
        append(&waiting, &waiting_tail, batch, last);
        pthread_cond_signal(&sync_cv);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

/* Flushes the WAL for every batch committed before the flush began, and tells the writer. */
static void *
syncer_main(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "syncer");
    pthread_mutex_lock(&mu);
    for (;;) {
        while (committed == synced && !sync_stopping)
            pthread_cond_wait(&sync_cv, &mu);
        if (committed == synced)
            break;
        uint64_t upto = committed;
        pthread_mutex_unlock(&mu);
        uint64_t t0 = time_mono_ns();
        if (store_sync(wstore) != 0)
            fatal("sync"); /* the batches waiting were not acknowledged */
        add_ns(&stats.sync_ns, t0, time_mono_ns());
        __atomic_add_fetch(&stats.syncs, 1, __ATOMIC_RELAXED);
        pthread_mutex_lock(&mu);
        synced = upto;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int
writer_start(store_t *s)
{
    wstore = s;
    deferred = store_defer_sync(s);
    if (deferred && pthread_create(&sync_thread, NULL, syncer_main, NULL) != 0)
        return -1;
    if (pthread_create(&thread, NULL, writer_main, NULL) != 0)
        return -1;
    started = 1;
    return 0;
}

void
writer_submit(struct writer_job *job)
{
    job->_next = NULL;
    pthread_mutex_lock(&mu);
    append(&head, &tail, job, job);
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void
writer_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(thread, NULL);
    if (deferred) {
        pthread_mutex_lock(&mu);
        sync_stopping = 1;
        pthread_cond_signal(&sync_cv);
        pthread_mutex_unlock(&mu);
        pthread_join(sync_thread, NULL);
    }
    store_close(wstore);
    wstore = NULL;
    started = 0;
}

void
writer_get_stats(struct writer_stats *out)
{
    out->batches = __atomic_load_n(&stats.batches, __ATOMIC_RELAXED);
    out->jobs = __atomic_load_n(&stats.jobs, __ATOMIC_RELAXED);
    out->max_batch = stats.max_batch;
    out->run_ns = __atomic_load_n(&stats.run_ns, __ATOMIC_RELAXED);
    out->commit_ns = __atomic_load_n(&stats.commit_ns, __ATOMIC_RELAXED);
    out->done_ns = __atomic_load_n(&stats.done_ns, __ATOMIC_RELAXED);
    out->sync_ns = __atomic_load_n(&stats.sync_ns, __ATOMIC_RELAXED);
    out->syncs = __atomic_load_n(&stats.syncs, __ATOMIC_RELAXED);
}
