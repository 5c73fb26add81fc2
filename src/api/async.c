/*
 * The glue between requests and the threads that do their slow or writing part.
 *
 * A request that writes becomes one writer job; a request that hashes a password becomes a
 * job-thread task. Either way the answer is completed by api_finish, which the server turns
 * into a message to the request's own loop thread.
 */
#include "api/internal.h"
#include "util/jobs.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include <stdlib.h>

struct wjob {
    struct writer_job wj;
    struct api_req *r;
    api_run_fn run;
    api_done_fn done;
    void *ctx;
};

static int
wjob_run(store_t *s, struct writer_job *job)
{
    struct wjob *j = (struct wjob *)job;
    log_set_request(j->r ? j->r->request_id : 0);
    int rc = j->run(s, j->r, j->ctx);
    log_set_request(0);
    return rc;
}

static void
wjob_done(store_t *s, struct writer_job *job, int status)
{
    struct wjob *j = (struct wjob *)job;
    log_set_request(j->r ? j->r->request_id : 0);
    if (j->r != NULL && status < 0)
        api_store_error(j->r, status);
    if (j->done)
        j->done(s, j->r, j->ctx, status);
    if (j->r != NULL)
        api_finish(j->r);
    free(j);
    log_set_request(0);
}

int
api_write(struct api_req *r, api_run_fn run, api_done_fn done, void *ctx)
{
    struct wjob *j = xcalloc(1, sizeof(*j));
    j->wj.run = wjob_run;
    j->wj.done = wjob_done;
    j->r = r;
    j->run = run;
    j->done = done;
    j->ctx = ctx;
    writer_submit(&j->wj);
    return API_ASYNC;
}

void
api_write_detached(api_run_fn run, api_done_fn done, void *ctx)
{
    api_write(NULL, run, done, ctx);
}

struct ajob {
    struct job job;
    struct api_req *r;
    api_job_fn fn;
    void *ctx;
};

static __thread store_t *job_store;

store_t *
api_job_store(void)
{
    if (job_store == NULL) {
        char err[256];
        struct store_options opt = {.keep_deleted_content = api_config()->keep_deleted_content, .dsn = api_config()->store_dsn};
        job_store = store_open(api_config()->data, 0, &opt, err, sizeof(err));
        if (job_store == NULL) {
            log_error("jobs.store", "error=\"%s\"", err);
            abort();
        }
    }
    return job_store;
}

static void
ajob_run(struct job *job)
{
    struct ajob *j = (struct ajob *)job;
    log_set_request(j->r ? j->r->request_id : 0);
    j->fn(j->r, j->ctx);
    log_set_request(0);
    store_end_reads(api_job_store());
    free(j);
}

int
api_job(struct api_req *r, api_job_fn fn, void *ctx)
{
    struct ajob *j = xcalloc(1, sizeof(*j));
    j->job.run = ajob_run;
    j->r = r;
    j->fn = fn;
    j->ctx = ctx;
    jobs_submit(&j->job);
    return API_ASYNC;
}
