/*
 * The writer thread: every change to the store goes through here, in group commits.
 *
 * Callers embed a `struct writer_job` in their own context and submit it from any thread.
 * The writer takes every job waiting (up to KR_WRITER_MAX_BATCH), runs each inside its own
 * savepoint of one transaction, COMMITs once (synchronous=FULL: on disk when it returns), and
 * only then calls each job's `done`, in submission order. A job whose `run` fails is rolled
 * back alone and still gets `done` with its status. If COMMIT itself fails the process exits:
 * nothing in the batch was acknowledged, and nothing is retried (a failed fsync cannot be
 * trusted to have kept the earlier data either).
 */
#ifndef KAIRAN_STORE_WRITER_H
#define KAIRAN_STORE_WRITER_H

#include "store/store.h"

#include <stdint.h>

struct writer_job {
    /* Runs on the writer thread inside the transaction; returns 0 or a STORE_E* code.
     * STORE_EIO is fatal (the process exits); other errors roll back this job only. */
    int (*run)(store_t *s, struct writer_job *job);
    /* Runs on the writer thread after the COMMIT (or this job's rollback). It owns the job. */
    void (*done)(store_t *s, struct writer_job *job, int status);
    int _status;
    uint64_t _batch; /* the group commit it was part of */
    struct writer_job *_next;
};

struct writer_stats {
    uint64_t batches, jobs, max_batch;
    /* Wall time of the writer's three phases, summed over batches: running the jobs (BEGIN
     * and each job's statements), committing (the search index's flush and COMMIT; on
     * PostgreSQL with its fsync), and the jobs' `done` (answers and events). */
    uint64_t run_ns, commit_ns, done_ns;
    /* The syncer's WAL flushes (SQLite), each covering every batch committed before it. */
    uint64_t sync_ns, syncs;
};

/* Starts the writer on `s` (the writer owns it from now on). Returns 0 or -1. */
int writer_start(store_t *s);
/* Queues a job; callable from any thread. */
void writer_submit(struct writer_job *job);
/* Finishes the queued jobs, stops the thread and closes its store. */
void writer_stop(void);
void writer_get_stats(struct writer_stats *out);

#endif
