/*
 * Per-person rate limits on sends and uploads: a token bucket per (person, kind), in memory.
 *
 * The bucket holds a minute's allowance and refills continuously, so bursts of a normal
 * working pace pass while a runaway client or script gets 429 with Retry-After. Limits are
 * settings (rate_sends_per_minute, rate_uploads_per_minute; 0 turns one off).
 */
#include "api/internal.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>

#define BUCKETS 4096

struct bucket {
    int64_t user;
    int kind;
    double tokens;
    int64_t at;
    struct bucket *next;
};

static struct bucket *table[BUCKETS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

int
api_rate_take(struct api_req *r, enum api_rate kind)
{
    const struct kr_config *c = api_config();
    int per_minute = kind == API_RATE_SEND ? c->rate_sends_per_minute : c->rate_uploads_per_minute;
    if (per_minute <= 0)
        return 0;
    int64_t now = time_mono_ms();
    int wait = 0;
    pthread_mutex_lock(&mu);
    struct bucket **pp = &table[((uint64_t)r->user.id * 31 + (uint64_t)kind) % BUCKETS];
    while (*pp && ((*pp)->user != r->user.id || (*pp)->kind != (int)kind))
        pp = &(*pp)->next;
    if (*pp == NULL) {
        *pp = xcalloc(1, sizeof(**pp));
        (*pp)->user = r->user.id;
        (*pp)->kind = (int)kind;
        (*pp)->tokens = per_minute;
        (*pp)->at = now;
    }
    struct bucket *b = *pp;
    b->tokens += (double)(now - b->at) * per_minute / 60000.0;
    if (b->tokens > per_minute)
        b->tokens = per_minute;
    b->at = now;
    if (b->tokens >= 1.0)
        b->tokens -= 1.0;
    else
        wait = (int)((1.0 - b->tokens) * 60.0 / per_minute) + 1;
    pthread_mutex_unlock(&mu);
    if (wait == 0)
        return 0;
    api_error(r, 429, "rate_limited", "送信が多すぎます。しばらく待ってから再度お試しください。",
              "Too many requests; please wait a moment.");
    r->retry_after = wait;
    return -1;
}
