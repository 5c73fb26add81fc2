/*
 * Staff phones (R19, R20): which sessions are phones, and the city's idle timeout and absolute
 * lifetime for them. A private phone can be left on a desk or lost with the app open, so a
 * phone session ends after phone_idle_minutes without a request and phone_max_hours after its
 * login, whatever the general session lifetime; office PCs keep the general rules.
 *
 * The limits are read from the client settings (settings.c) at each check, so a change by an
 * administrator applies to live sessions at once. Each request checks its own session; a
 * sweep once a minute ends the phones that make no request, so their sockets close too. An ended session is revoked in the store
 * (it does not come back if the city later raises a limit) and its sockets are closed.
 */
#include "api/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

int
api_ua_is_phone(const char *ua, size_t len)
{
    /* A phone's browser says so in its User-Agent; iPads and Android tablets count as phones:
     * they are personal, portable devices too. */
    static const char *const marks[] = {"Android", "iPhone", "iPad", "Mobile"};
    for (size_t i = 0; ua != NULL && i < sizeof(marks) / sizeof(marks[0]); i++)
        if (memmem(ua, len, marks[i], strlen(marks[i])) != NULL)
            return 1;
    return 0;
}

static int64_t
limit_of(json_t *settings, const char *key)
{
    json_t *v = json_object_get(settings, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

struct expire_ctx {
    int64_t user_id, session_id;
    const char *reason;
};

static int
expire_run(store_t *s, struct api_req *r, void *ctx)
{
    struct expire_ctx *c = ctx;
    int rc = store_session_revoke(s, c->user_id, c->session_id, api_now_ms());
    if (rc == STORE_ENOTFOUND)
        return 0; /* another request of the same session ended it first */
    if (rc == 0)
        rc = api_audit(s, NULL, "session.expire", "session", c->session_id, 0, json_pack("{ss}", "reason", c->reason));
    return rc;
}

static void
expire_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct expire_ctx *c = ctx;
    if (status == 0)
        api_expire_sessions(c->user_id, &c->session_id, 1);
    free(c);
}

int
api_phone_session_expired(store_t *s, const struct store_session *ss)
{
    if (!api_ua_is_phone(ss->user_agent, strlen(ss->user_agent)))
        return 0;
    json_t *set = api_client_settings(s);
    int64_t idle = limit_of(set, "phone_idle_minutes") * 60000, max = limit_of(set, "phone_max_hours") * 3600000;
    json_decref(set);
    int64_t now = api_now_ms();
    const char *reason = NULL;
    /* last_seen_at is recorded at most once a minute (router.c), so idle limits start at 5. */
    if (idle > 0 && now - ss->last_seen_at > idle)
        reason = "idle";
    else if (max > 0 && now - ss->created_at > max)
        reason = "max_age";
    if (reason == NULL)
        return 0;
    struct expire_ctx *c = xmalloc(sizeof(*c));
    c->user_id = ss->user_id;
    c->session_id = ss->id;
    c->reason = reason;
    log_info("auth.phone_session_expired", "user=%lld session=%lld reason=%s", (long long)ss->user_id, (long long)ss->id, reason);
    api_write_detached(expire_run, expire_done, c);
    return 1;
}

/* ---- the sweep: phones that make no request (an app left open on a desk, or closed) are ended
 * too, so their sockets stop receiving messages when the idle limit passes. */

struct sweep_ctx {
    int64_t *ids, *users;
    size_t n;
};

static int
sweep_run(store_t *s, struct api_req *r, void *ctx)
{
    struct sweep_ctx *c = ctx;
    json_t *set = api_client_settings(s);
    int64_t idle = limit_of(set, "phone_idle_minutes") * 60000, max = limit_of(set, "phone_max_hours") * 3600000;
    json_decref(set);
    if (idle == 0 && max == 0)
        return 0;
    int64_t now = api_now_ms();
    int rc = store_sessions_phone_stale(s, now, idle, max, &c->ids, &c->users, &c->n);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        rc = store_session_revoke(s, c->users[i], c->ids[i], now);
        if (rc == 0)
            rc = api_audit(s, NULL, "session.expire", "session", c->ids[i], 0, json_pack("{ss}", "reason", "sweep"));
    }
    return rc;
}

static void
sweep_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct sweep_ctx *c = ctx;
    for (size_t i = 0; status == 0 && i < c->n; i++)
        api_expire_sessions(c->users[i], &c->ids[i], 1);
    if (status == 0 && c->n)
        log_info("auth.phone_sessions_swept", "count=%zu", c->n);
    free(c->ids);
    free(c->users);
    free(c);
}

void
api_phone_sweep(void)
{
    api_write_detached(sweep_run, sweep_done, xcalloc(1, sizeof(struct sweep_ctx)));
}
