/*
 * Job threads: a small pool for work that must never run on a loop thread (Argon2id hashing,
 * hashing and sniffing uploaded files).
 *
 * A job is a struct the caller embeds in its own context; the pool only links it. Jobs run in
 * submission order per thread but not globally; a job that needs to answer an HTTP request
 * hands its result back to the loop thread itself.
 */
#ifndef KAIRAN_UTIL_JOBS_H
#define KAIRAN_UTIL_JOBS_H

struct job {
    void (*run)(struct job *job); /* called on a job thread; owns the job from then on */
    struct job *_next;
};

/* Starts `n` threads. Returns 0, or -1 if a thread could not be created. */
int jobs_start(int n);
/* Queues `job`; ownership passes to the pool until job->run is called. */
void jobs_submit(struct job *job);
/* Lets the queued jobs finish, then joins the threads. */
void jobs_stop(void);

#endif
