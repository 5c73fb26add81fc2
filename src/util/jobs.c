/*
 * The job thread pool: one mutex-protected FIFO, N threads.
 *
 * Jobs are few and long (tens of milliseconds for a password hash), so a single queue and a
 * condition variable are enough; contention is not a concern at that rate.
 */
#include "util/jobs.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct job *head, *tail;
static int stopping;
static pthread_t *threads;
static int nthreads;

static void *
worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (head == NULL && !stopping)
            pthread_cond_wait(&cv, &mu);
        struct job *j = head;
        if (j == NULL) {
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        head = j->_next;
        if (head == NULL)
            tail = NULL;
        pthread_mutex_unlock(&mu);
        j->run(j);
    }
}

int
jobs_start(int n)
{
    threads = xcalloc((size_t)n, sizeof(*threads));
    for (int i = 0; i < n; i++) {
        if (pthread_create(&threads[i], NULL, worker, NULL) != 0)
            return -1;
        nthreads++;
    }
    return 0;
}

void
jobs_submit(struct job *job)
{
    job->_next = NULL;
    pthread_mutex_lock(&mu);
    if (tail)
        tail->_next = job;
    else
        head = job;
    tail = job;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void
jobs_stop(void)
{
    pthread_mutex_lock(&mu);
    stopping = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    free(threads);
    threads = NULL;
    nthreads = 0;
}
