/*
 * Authentication and one's own account: login, logout, profile, password, sessions.
 *
 * Passwords are checked with Argon2id on a job thread, never on a loop thread. A login for an
 * unknown account is verified against a dummy hash of the same cost, so it answers in the same
 * time and with the same 401 as a wrong password (no account enumeration). Tokens are 256
 * random bits; only their BLAKE2b hash is stored.
 */
#include "api/internal.h"
#include "hub/hub.h"
#include "policy/password.h"
#include "util/ldapc.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/totp.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- origins ---- */

int
api_origin_ok(const char *origin, size_t len)
{
    const struct kr_config *c = api_config();
    char mine[300];
    size_t pl = strlen(c->public_url);
    while (pl > 0 && c->public_url[pl - 1] == '/')
        pl--;
    if (pl > 0 && len == pl && strncasecmp(origin, c->public_url, len) == 0)
        return 1;
    snprintf(mine, sizeof(mine), "%s://%s", c->tls_cert[0] ? "https" : "http", c->listen);
    if (len == strlen(mine) && strncasecmp(origin, mine, len) == 0)
        return 1;
    /* The listen address 127.0.0.1 is also reached as localhost. */
    if (strncmp(c->listen, "127.0.0.1:", 10) == 0) {
        snprintf(mine, sizeof(mine), "%s://localhost:%s", c->tls_cert[0] ? "https" : "http", c->listen + 10);
        if (len == strlen(mine) && strncasecmp(origin, mine, len) == 0)
            return 1;
    }
    return 0;
}

/* ---- session activity and revocation ---- */

static int
touch_run(store_t *s, struct api_req *r, void *ctx)
{
    return store_session_touch(s, *(int64_t *)ctx, api_now_ms());
}

static void
touch_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    free(ctx);
}

void
api_session_touch(int64_t session_id)
{
    int64_t *id = xmalloc(sizeof(*id));
    *id = session_id;
    api_write_detached(touch_run, touch_done, id);
}

/* Sends `frame` to the given sessions of user_id, then closes them, on every loop thread. */
static void
close_sessions(int64_t user_id, const int64_t *sessions, size_t n, const char *frame, size_t len)
{
    if (n == 0)
        return;
    struct hub_event *ev = hub_event_new(HUB_REVOKE_SESSIONS, frame, len, &user_id, 1);
    ev->sessions = xmalloc(n * sizeof(int64_t));
    memcpy(ev->sessions, sessions, n * sizeof(int64_t));
    ev->nsessions = n;
    hub_publish(ev);
}

void
api_revoke_sessions(int64_t user_id, const int64_t *sessions, size_t n)
{
    static const char frame[] = "{\"type\":\"session.revoked\"}";
    close_sessions(user_id, sessions, n, frame, sizeof(frame) - 1);
}

void
api_expire_sessions(int64_t user_id, const int64_t *sessions, size_t n)
{
    static const char frame[] = "{\"type\":\"session.revoked\",\"reason\":\"expired\"}";
    close_sessions(user_id, sessions, n, frame, sizeof(frame) - 1);
}

void
api_revoke_user(int64_t user_id)
{
    static const char frame[] = "{\"type\":\"session.revoked\"}";
    hub_publish(hub_event_new(HUB_REVOKE_USER, frame, sizeof(frame) - 1, &user_id, 1));
}

void
api_password_age(json_t *obj, int64_t changed_at)
{
    int64_t days = api_config()->password_expiry_days;
    if (days <= 0 || changed_at <= 0) {
        json_object_set_new(obj, "password_expires_at", json_null());
        json_object_set_new(obj, "password_expiry_warning", json_false());
        return;
    }
    char buf[32];
    int64_t at = changed_at + days * TIME_DAY_MS;
    json_object_set_new(obj, "password_expires_at", json_string(time_format_jst(at, buf)));
    json_object_set_new(obj, "password_expiry_warning",
                        json_boolean(time_now_ms() > at - (int64_t)api_config()->password_warn_days * TIME_DAY_MS));
}

int
api_password_reused(store_t *s, int64_t user_id, const char *password)
{
    char **hashes = NULL;
    size_t n = 0;
    int hit = 0;
    if (api_config()->password_history <= 0)
        return 0;
    if (store_password_history(s, user_id, api_config()->password_history, &hashes, &n) == 0)
        for (size_t i = 0; i < n && !hit; i++)
            hit = api_password_verify(hashes[i], password) == 0;
    store_free_strings(hashes, n);
    return hit;
}

/* ---- login throttling ----
 *
 * Failures are counted per login and per address in memory. From the 10th failure on a login
 * (the 50th from one address) further attempts are refused with 429 for a delay that doubles
 * with each failure (1 minute up to 1 hour), whatever the password — so guessing is slow, and
 * a correct password during the delay does not tell the guesser anything. A success clears
 * the login's count. Unknown logins count like known ones (no enumeration).
 */

#define THROTTLE_BUCKETS 4096
#define THROTTLE_LOGIN_FREE 9
#define THROTTLE_ADDR_FREE 49

struct throttle {
    char key[KR_MAX_LOGIN + 8];
    int failures;
    int64_t until, last;
    struct throttle *next;
};

static struct throttle *throttle_table[THROTTLE_BUCKETS];
static pthread_mutex_t throttle_mu = PTHREAD_MUTEX_INITIALIZER;

static struct throttle **
throttle_bucket(const char *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (uint8_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p)) * 16777619u;
    return &throttle_table[h % THROTTLE_BUCKETS];
}

static struct throttle **
throttle_find(const char *key)
{
    struct throttle **pp = throttle_bucket(key);
    while (*pp && strcasecmp((*pp)->key, key) != 0)
        pp = &(*pp)->next;
    return pp;
}

/* Seconds the key must still wait, or 0. */
static int
throttle_wait(const char *key, int64_t now)
{
    pthread_mutex_lock(&throttle_mu);
    struct throttle *t = *throttle_find(key);
    int64_t w = t && t->until > now ? (t->until - now + 999) / 1000 : 0;
    pthread_mutex_unlock(&throttle_mu);
    return (int)w;
}

static void
throttle_fail(const char *key, int free_failures, int64_t now)
{
    pthread_mutex_lock(&throttle_mu);
    /* Forget what a day of quiet has forgiven, so made-up logins cannot grow the table. */
    for (struct throttle **q = throttle_bucket(key); *q;) {
        struct throttle *t = *q;
        if (now - t->last > TIME_DAY_MS && t->until <= now) {
            *q = t->next;
            free(t);
        } else {
            q = &t->next;
        }
    }
    struct throttle **pp = throttle_find(key);
    if (*pp == NULL) {
        *pp = xcalloc(1, sizeof(**pp));
        snprintf((*pp)->key, sizeof((*pp)->key), "%s", key);
    }
    struct throttle *t = *pp;
    if (now - t->last > TIME_DAY_MS)
        t->failures = 0; /* a day of quiet forgives */
    t->failures++;
    t->last = now;
    if (t->failures > free_failures) {
        int n = t->failures - free_failures - 1;
        int64_t delay = 60000LL << (n < 6 ? n : 6);
        t->until = now + (delay > 3600000 ? 3600000 : delay);
    }
    pthread_mutex_unlock(&throttle_mu);
}

static void
throttle_clear(const char *key)
{
    pthread_mutex_lock(&throttle_mu);
    struct throttle **pp = throttle_find(key), *t = *pp;
    if (t) {
        *pp = t->next;
        free(t);
    }
    pthread_mutex_unlock(&throttle_mu);
}

static int
throttled(struct api_req *r, const char *login)
{
    char lk[KR_MAX_LOGIN + 8], ak[80];
    int64_t now = time_now_ms();
    snprintf(lk, sizeof(lk), "l:%s", login);
    snprintf(ak, sizeof(ak), "a:%s", r->client);
    int w = throttle_wait(lk, now), wa = throttle_wait(ak, now);
    if (wa > w)
        w = wa;
    if (w == 0)
        return 0;
    api_error(r, 429, "rate_limited", "ログインの失敗が続いたため、しばらく待ってから再度お試しください。",
              "Too many failed logins; please wait before trying again.");
    r->retry_after = w;
    return 1;
}

/* ---- login ---- */

struct login_ctx {
    char login[KR_MAX_LOGIN + 1];
    char *password;
    char ua[200], addr[64];
    char token[64];
    uint8_t hash[32];
    int64_t user_id, session_id, password_changed_at, totp_counter;
    char zone[64];
    int zone_totp;
    int must_change, expired, is_admin, totp_enabled;
    int directory; /* the password was checked by the city's directory (ldap_auth) */
    char totp[8];
};

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
    char pw[33];
    uint8_t raw[16];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
    api_password_hash(pw, dummy_hash);
}

static void
login_free(struct login_ctx *c)
{
    if (c->password) {
        sodium_memzero(c->password, strlen(c->password));
        free(c->password);
    }
    free(c);
}

static int
login_run(store_t *s, struct api_req *r, void *ctx)
{
    struct login_ctx *c = ctx;
    int64_t now = api_now_ms(); /* the test clock, so phone session limits can be tested (phone.c) */
    int rc = store_session_create(s, c->user_id, c->hash, c->ua, c->addr, now, now + api_config()->session_days * TIME_DAY_MS,
                                  &c->session_id);
    /* An expired password restricts the new session until it is changed. */
    if (rc == 0 && c->expired)
        rc = store_user_set_must_change(s, c->user_id, 1);
    if (rc == 0 && c->directory)
        rc = store_user_set_must_change(s, c->user_id, 0);
    if (rc == 0 && c->totp_counter)
        rc = store_user_totp_used(s, c->user_id, c->totp_counter);
    if (rc == 0 && c->zone[0])
        rc = store_session_set_zone(s, c->session_id, c->zone);
    if (rc == 0) {
        json_t *zone = c->zone[0] ? json_pack("{ss}", "zone", c->zone) : NULL;
        char *detail = zone ? json_dumps(zone, JSON_COMPACT) : NULL;
        json_decref(zone);
        struct store_audit a = {.actor_id = c->user_id,
                                .action = "auth.login",
                                .target_type = "session",
                                .target_id = c->session_id,
                                .detail = detail,
                                .address = c->addr};
        rc = store_audit_append(s, &a, now);
        free(detail);
    }
    return rc;
}

static void
login_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct login_ctx *c = ctx;
    if (status == 0) {
        json_t *u = store_user_json(s, c->user_id);
        api_user_decorate(u);
        json_t *body = json_pack("{ss so sb}", "token", c->token, "user", u, "must_change_password", c->must_change);
        api_password_age(body, c->password_changed_at);
        json_object_set_new(body, "totp_setup_required",
                            json_boolean(c->is_admin && api_config()->totp_required_for_admins && !c->totp_enabled));
        api_reply(r, 200, body);
        char cookie[256];
        snprintf(cookie, sizeof(cookie), "kairan_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", c->token,
                 api_config()->session_days * 86400,
                 strncasecmp(api_config()->public_url, "https:", 6) == 0 || api_config()->tls_cert[0] ? "; Secure" : "");
        r->set_cookie = xstrdup(cookie);
        log_info("auth.login", "user=%lld session=%lld", (long long)c->user_id, (long long)c->session_id);
    }
    login_free(c);
}

static void
login_job(struct api_req *r, void *ctx)
{
    struct login_ctx *c = ctx;
    struct store_auth a;
    pthread_once(&dummy_once, make_dummy);
    int exists = store_user_auth(api_job_store(), c->login, &a) == 0;
    int found = exists && a.password_hash[0] != '\0';
    int ok;
    if (api_config()->ldap_auth && api_config()->ldap_uri[0] && exists && !a.is_admin) {
        /* Staff sign in with their directory password; administrators keep Kairan's own, so
         * the city can still get in when the directory is down. */
        char err[256];
        int v = ldapc_check_password(api_config(), c->login, c->password, err, sizeof(err));
        if (v < 0) {
            log_warn("auth.ldap", "error=\"%s\"", err);
            api_error(r, 503, "directory_unavailable",
                      "職員認証のサーバーに接続できません。しばらくしてからもう一度お試しください。",
                      "The directory that checks passwords cannot be reached. Please try again later.");
            login_free(c);
            api_finish(r);
            return;
        }
        ok = v == 1;
        found = 1;
        c->directory = 1;
    } else {
        ok = api_password_verify(found ? a.password_hash : dummy_hash, c->password) == 0 && found;
    }
    if (!ok || a.disabled) {
        char key[KR_MAX_LOGIN + 8];
        snprintf(key, sizeof(key), "l:%s", c->login);
        throttle_fail(key, THROTTLE_LOGIN_FREE, time_now_ms());
        snprintf(key, sizeof(key), "a:%s", c->addr);
        throttle_fail(key, THROTTLE_ADDR_FREE, time_now_ms());
        log_info("auth.login_failed", "reason=credentials");
        /* The login name is recorded (it may be mistyped, never a password); the account only
         * when it exists. */
        api_error(r, 401, "unauthorized", "職員番号またはパスワードが違います。", "Wrong login or password.");
        api_audit_answer(r, "auth.login_failed", found ? a.user_id : 0, c->addr, json_pack("{ss}", "login", c->login));
        login_free(c);
        return;
    }
    if (a.locked) {
        log_info("auth.login_failed", "user=%lld reason=locked", (long long)a.user_id);
        api_error(r, 403, "account_locked", "このアカウントはロックされています。管理者に連絡してください。",
                  "This account is locked. Please contact the administrator.");
        api_audit_answer(r, "auth.login_locked", a.user_id, c->addr, NULL);
        login_free(c);
        return;
    }
    char key[KR_MAX_LOGIN + 8];
    snprintf(key, sizeof(key), "l:%s", c->login);
    if (a.totp_enabled) {
        uint8_t secret[64];
        int n = totp_base32_decode(a.totp_secret, secret, sizeof(secret));
        if (c->totp[0] == '\0') {
            api_error(r, 401, "totp_required", "確認コード（6桁）を入力してください。", "Enter the 6-digit verification code.");
            goto fail;
        }
        uint64_t counter = n > 0 ? totp_check(secret, (size_t)n, c->totp, time_now_ms() / 1000) : 0;
        if (counter == 0 || (int64_t)counter <= a.totp_last_counter) {
            throttle_fail(key, THROTTLE_LOGIN_FREE, time_now_ms());
            api_error(r, 401, "unauthorized", "確認コードが違います。", "Wrong verification code.");
            api_audit_answer(r, "auth.login_failed", a.user_id, c->addr, json_pack("{ss}", "reason", "totp"));
            login_free(c);
            return;
        }
        c->totp_counter = (int64_t)counter;
    }
    if (c->zone_totp && !a.totp_enabled) {
        api_error(r, 403, "zone_totp_required",
                  "このネットワークから使うには二段階認証の設定が必要です。庁内のパソコンから設定してください。",
                  "Two-step verification is required from this network; set it up from an office PC first.");
        api_audit_answer(r, "auth.login_failed", a.user_id, c->addr, json_pack("{ss ss}", "reason", "zone_totp", "zone", c->zone));
        login_free(c);
        return;
    }
    throttle_clear(key);
    c->user_id = a.user_id;
    c->must_change = a.must_change_password;
    c->password_changed_at = a.password_changed_at;
    c->is_admin = a.is_admin;
    c->totp_enabled = a.totp_enabled;
    int64_t days = api_config()->password_expiry_days;
    if (c->directory) {
        c->must_change = 0; /* the directory's password policy applies, not Kairan's */
    } else if (days > 0 && a.password_changed_at > 0 && time_now_ms() > a.password_changed_at + days * TIME_DAY_MS) {
        c->expired = 1;
        c->must_change = 1;
    }
    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(c->token, sizeof(c->token), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_generichash(c->hash, sizeof(c->hash), (const uint8_t *)c->token, strlen(c->token), NULL, 0);
    api_write(r, login_run, login_done, c);
    return;
fail:
    login_free(c);
    api_finish(r);
}

static int
h_login(struct api_req *r)
{
    json_t *b = api_body_object(r);
    const char *login = NULL, *password = NULL, *totp = "";
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "login", KR_MAX_LOGIN, 1, &login) < 0 || api_field_str(r, b, "password", 1024, 1, &password) < 0 ||
        api_field_str(r, b, "totp", 6, 0, &totp) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct api_zone zone;
    api_zone_of(r, &zone);
    if (throttled(r, login) || api_zone_refuses(r, &zone) || api_office_refuses_login(r, zone.refuse_outside_hours)) {
        json_decref(b);
        return API_DONE;
    }
    struct login_ctx *c = xcalloc(1, sizeof(*c));
    snprintf(c->login, sizeof(c->login), "%s", login);
    c->password = xstrdup(password);
    snprintf(c->totp, sizeof(c->totp), "%s", totp);
    snprintf(c->ua, sizeof(c->ua), "%.*s", (int)(r->user_agent_len < 199 ? r->user_agent_len : 199),
             r->user_agent ? r->user_agent : "");
    snprintf(c->addr, sizeof(c->addr), "%s", r->client);
    snprintf(c->zone, sizeof(c->zone), "%s", zone.name);
    c->zone_totp = zone.totp_required;
    json_decref(b);
    return api_job(r, login_job, c);
}

/* ---- logout and sessions ---- */

struct revoke_ctx {
    int64_t user_id, session_id;
};

static int
revoke_run(store_t *s, struct api_req *r, void *ctx)
{
    struct revoke_ctx *c = ctx;
    int rc = store_session_revoke(s, c->user_id, c->session_id, time_now_ms());
    if (rc == 0)
        rc = api_audit(s, r, c->session_id == r->user.session_id ? "auth.logout" : "session.revoke", "session", c->session_id, 0,
                       NULL);
    return rc;
}

static void
revoke_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct revoke_ctx *c = ctx;
    if (status == 0) {
        api_revoke_sessions(c->user_id, &c->session_id, 1);
        api_reply(r, 204, NULL);
    }
    free(c);
}

static int
h_logout(struct api_req *r)
{
    struct revoke_ctx *c = xmalloc(sizeof(*c));
    c->user_id = r->user.id;
    c->session_id = r->user.session_id;
    r->set_cookie = xstrdup("kairan_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return api_write(r, revoke_run, revoke_done, c);
}

static int
h_sessions(struct api_req *r)
{
    return api_reply(r, 200, json_pack("{so}", "sessions", store_sessions_json(r->thread->store, r->user.id, r->user.session_id)));
}

struct others_ctx {
    int64_t user_id, keep;
    int64_t *ids;
    size_t n;
};

static int
others_run(store_t *s, struct api_req *r, void *ctx)
{
    struct others_ctx *c = ctx;
    int rc = store_sessions_revoke_user(s, c->user_id, c->keep, time_now_ms(), &c->ids, &c->n);
    if (rc == 0)
        rc = api_audit(s, r, "session.revoke_others", "user", c->user_id, 0, json_pack("{sI}", "count", (json_int_t)c->n));
    return rc;
}

static void
others_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct others_ctx *c = ctx;
    if (status == 0) {
        api_revoke_sessions(c->user_id, c->ids, c->n);
        api_reply(r, 200, json_pack("{sI}", "revoked", (json_int_t)c->n));
    }
    free(c->ids);
    free(c);
}

/* DELETE /api/v1/me/sessions: sign out every other device (e.g. after losing a phone). */
static int
h_sessions_others(struct api_req *r)
{
    struct others_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    c->keep = r->user.session_id;
    return api_write(r, others_run, others_done, c);
}

static int
h_session_delete(struct api_req *r)
{
    struct revoke_ctx *c = xmalloc(sizeof(*c));
    c->user_id = r->user.id;
    c->session_id = r->params[0];
    return api_write(r, revoke_run, revoke_done, c);
}

/* ---- profile ---- */

static json_t *
me_json(store_t *s, int64_t id, int must_change)
{
    json_t *u = store_user_json(s, id);
    if (u == NULL)
        return NULL;
    api_user_decorate(u);
    json_object_set_new(u, "must_change_password", json_boolean(must_change));
    json_object_set_new(u, "delegate_for", store_user_delegate_for(s, id));
    struct store_auth a;
    if (store_user_auth_by_id(s, id, &a) == 0) {
        api_password_age(u, a.password_changed_at);
        json_object_set_new(u, "totp_enabled", json_boolean(a.totp_enabled));
        json_object_set_new(u, "totp_setup_required",
                            json_boolean(a.is_admin && api_config()->totp_required_for_admins && !a.totp_enabled));
    }
    return u;
}

static int
h_me(struct api_req *r)
{
    json_t *u = me_json(r->thread->store, r->user.id, r->user.must_change_password);
    return u ? api_reply(r, 200, u) : api_not_found(r);
}

struct patch_ctx {
    int64_t user_id;
    json_t *fields;
    int absent_changed;
};

static int
patch_run(store_t *s, struct api_req *r, void *ctx)
{
    struct patch_ctx *c = ctx;
    return store_user_update(s, c->user_id, c->fields, time_now_ms());
}

static void
patch_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct patch_ctx *c = ctx;
    if (status == 0) {
        json_t *u = me_json(s, c->user_id, r->user.must_change_password);
        if (c->absent_changed)
            api_presence_publish(s, c->user_id, json_string_value(json_object_get(u, "presence")));
        api_reply(r, 200, u);
    }
    json_decref(c->fields);
    free(c);
}

static int
h_me_patch(struct api_req *r)
{
    static const char *const text_fields[] = {"title", "extension", "work_phone", "status_text"};
    json_t *b = api_body_object(r), *fields;
    if (b == NULL)
        return API_DONE;
    fields = json_object();
    for (size_t i = 0; i < 4; i++) {
        const char *v = NULL;
        int rc = api_field_str(r, b, text_fields[i], KR_MAX_PROFILE_FIELD, 0, &v);
        if (rc < 0)
            goto fail;
        if (rc == 1)
            json_object_set_new(fields, text_fields[i], json_string(v));
    }
    json_t *absent = json_object_get(b, "absent");
    int absent_changed = 0;
    if (absent != NULL) {
        if (json_is_null(absent)) {
            json_object_set_new(fields, "absent", json_null());
        } else if (json_is_object(absent)) {
            const char *until = NULL, *note = "";
            int64_t t;
            if (api_field_str(r, absent, "until", 40, 1, &until) < 0 ||
                api_field_str(r, absent, "note", KR_MAX_ABSENT_NOTE, 0, &note) < 0)
                goto fail;
            if (time_parse(until, &t) != 0) {
                api_invalid(r, "absent.until", "RFC 3339 の日時で指定してください。", "must be an RFC 3339 date-time.");
                goto fail;
            }
            json_object_set_new(fields, "absent", json_pack("{ss ss}", "until", until, "note", note));
        } else {
            api_invalid(r, "absent", "null または {until, note} で指定してください。", "must be null or {until, note}.");
            goto fail;
        }
        absent_changed = 1;
    }
    json_decref(b);
    struct patch_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    c->fields = fields;
    c->absent_changed = absent_changed;
    return api_write(r, patch_run, patch_done, c);
fail:
    json_decref(b);
    json_decref(fields);
    return API_DONE;
}

/* ---- password change ---- */

struct pw_ctx {
    int64_t user_id, session_id;
    char *current, *next;
    char hash[128];
    int64_t *revoked;
    size_t nrevoked;
};

static void
pw_free(struct pw_ctx *c)
{
    if (c->current) {
        sodium_memzero(c->current, strlen(c->current));
        free(c->current);
    }
    if (c->next) {
        sodium_memzero(c->next, strlen(c->next));
        free(c->next);
    }
    free(c->revoked);
    free(c);
}

static int
pw_run(store_t *s, struct api_req *r, void *ctx)
{
    struct pw_ctx *c = ctx;
    int64_t now = time_now_ms();
    int rc = store_user_set_password(s, c->user_id, c->hash, 0, now);
    if (rc == 0)
        rc = store_sessions_revoke_user(s, c->user_id, c->session_id, now, &c->revoked, &c->nrevoked);
    if (rc == 0)
        rc = api_audit(s, r, "user.password_change", "user", c->user_id, 0, NULL);
    return rc;
}

static void
pw_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct pw_ctx *c = ctx;
    if (status == 0) {
        api_revoke_sessions(c->user_id, c->revoked, c->nrevoked);
        api_reply(r, 204, NULL);
        log_info("auth.password_changed", "user=%lld", (long long)c->user_id);
    }
    pw_free(c);
}

static void
pw_job(struct api_req *r, void *ctx)
{
    struct pw_ctx *c = ctx;
    struct store_auth a;
    if (store_user_auth_by_id(api_job_store(), c->user_id, &a) != 0 || a.password_hash[0] == '\0' ||
        api_password_verify(a.password_hash, c->current) != 0) {
        /* 400, not 401: the session itself is fine, and a client must not sign out over it. */
        api_invalid(r, "current_password", "現在のパスワードが違います。", "is not the current password.");
        goto fail;
    }
    struct policy_password_rules rules = api_password_rules();
    enum policy_password_reason why = policy_password_check(r->user.login, c->next, &rules);
    if (why != POLICY_PASSWORD_OK) {
        api_invalid(r, "new_password", policy_password_reason_ja(why), policy_password_reason_en(why));
        goto fail;
    }
    if (api_password_reused(api_job_store(), c->user_id, c->next)) {
        api_invalid(r, "new_password", "最近使ったパスワードは使えません。", "must differ from your recent passwords.");
        goto fail;
    }
    if (api_password_hash(c->next, c->hash) != 0) {
        api_error(r, 500, "internal", "サーバーでエラーが発生しました。", "The server failed.");
        goto fail;
    }
    api_write(r, pw_run, pw_done, c);
    return;
fail:
    pw_free(c);
    api_finish(r);
}

static int
h_password(struct api_req *r)
{
    if (api_config()->ldap_auth && api_config()->ldap_uri[0] && !r->user.is_admin)
        return api_error(r, 409, "password_in_directory", "パスワードは職員認証（ディレクトリ）の側で変更してください。",
                         "Change your password in the city's directory (your Windows sign-in).");
    json_t *b = api_body_object(r);
    const char *cur = NULL, *next = NULL;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "current_password", 1024, 1, &cur) < 0 || api_field_str(r, b, "new_password", 1024, 1, &next) < 0) {
        json_decref(b);
        return API_DONE;
    }
    struct pw_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    c->session_id = r->user.session_id;
    c->current = xstrdup(cur);
    c->next = xstrdup(next);
    json_decref(b);
    return api_job(r, pw_job, c);
}

/* ---- TOTP second factor ---- */

struct totp_ctx {
    int64_t user_id, counter;
    char secret[64];
    int enable;
    char step[16]; /* "begin", "confirm", "disable", "reset" */
};

static int
totp_run(store_t *s, struct api_req *r, void *ctx)
{
    struct totp_ctx *c = ctx;
    int rc;
    if (!strcmp(c->step, "begin"))
        rc = store_user_totp_set(s, c->user_id, c->secret, 0);
    else if (!strcmp(c->step, "confirm"))
        rc = store_user_totp_set(s, c->user_id, c->secret, 1);
    else
        rc = store_user_totp_set(s, c->user_id, NULL, 0);
    if (rc == 0 && c->counter)
        rc = store_user_totp_used(s, c->user_id, c->counter);
    if (rc == 0 && strcmp(c->step, "begin")) {
        char action[32];
        snprintf(action, sizeof(action), "user.totp_%s", c->step);
        rc = api_audit(s, r, action, "user", c->user_id, 0, NULL);
    }
    return rc;
}

static void
totp_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct totp_ctx *c = ctx;
    if (status == 0) {
        if (!strcmp(c->step, "begin")) {
            char uri[256];
            /* The otpauth URI authenticator apps read (as a QR code or typed in). */
            snprintf(uri, sizeof(uri), "otpauth://totp/Kairan:%s?secret=%s&issuer=Kairan&digits=6&period=30", r->user.login,
                     c->secret);
            api_reply(r, 200, json_pack("{ss ss}", "secret", c->secret, "uri", uri));
        } else {
            api_reply(r, 204, NULL);
        }
    }
    sodium_memzero(c->secret, sizeof(c->secret));
    free(c);
}

/* POST /api/v1/me/totp: a new secret to enrol (not in force until confirmed). Refused while
 * TOTP is on: a new secret would turn it off without a code (DELETE asks for one). */
static int
h_totp_begin(struct api_req *r)
{
    uint8_t raw[TOTP_SECRET_BYTES];
    struct store_auth a;
    int on = store_user_auth_by_id(r->thread->store, r->user.id, &a) == 0 && a.totp_enabled;
    sodium_memzero(&a, sizeof(a));
    if (on)
        return api_error(r, 409, "conflict", "2段階認証は既に有効です。変更するには先に無効にしてください。",
                         "TOTP is already on; turn it off first.");
    struct totp_ctx *c = xcalloc(1, sizeof(*c));
    randombytes_buf(raw, sizeof(raw));
    totp_base32(raw, sizeof(raw), c->secret);
    sodium_memzero(raw, sizeof(raw));
    c->user_id = r->user.id;
    snprintf(c->step, sizeof(c->step), "begin");
    return api_write(r, totp_run, totp_done, c);
}

/* Reads {"code"} and checks it against the user's secret (pending or enabled). */
static int
totp_code(struct api_req *r, struct store_auth *a, uint64_t *counter)
{
    json_t *b = api_body_object(r);
    const char *code = NULL;
    if (b == NULL)
        return -1;
    if (api_field_str(r, b, "code", 6, 1, &code) < 0) {
        json_decref(b);
        return -1;
    }
    uint8_t key[64];
    int n = -1;
    if (store_user_auth_by_id(r->thread->store, r->user.id, a) == 0 && a->totp_secret[0])
        n = totp_base32_decode(a->totp_secret, key, sizeof(key));
    *counter = n > 0 ? totp_check(key, (size_t)n, code, time_now_ms() / 1000) : 0;
    json_decref(b);
    if (*counter == 0 || (int64_t)*counter <= a->totp_last_counter) {
        api_invalid(r, "code", "確認コードが違います。", "is not the current code.");
        return -1;
    }
    return 0;
}

/* POST /api/v1/me/totp/confirm {"code"}: the first code from the app turns TOTP on. */
static int
h_totp_confirm(struct api_req *r)
{
    struct store_auth a;
    uint64_t counter;
    if (totp_code(r, &a, &counter) != 0)
        return API_DONE;
    struct totp_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    c->counter = (int64_t)counter;
    snprintf(c->secret, sizeof(c->secret), "%s", a.totp_secret);
    snprintf(c->step, sizeof(c->step), "confirm");
    return api_write(r, totp_run, totp_done, c);
}

/* DELETE /api/v1/me/totp {"code"}: turning it off needs a current code. */
static int
h_totp_disable(struct api_req *r)
{
    struct store_auth a;
    uint64_t counter;
    if (totp_code(r, &a, &counter) != 0)
        return API_DONE;
    struct totp_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->user.id;
    snprintf(c->step, sizeof(c->step), "disable");
    return api_write(r, totp_run, totp_done, c);
}

/* POST /api/v1/admin/users/{id}/totp/reset: the phone with the app was lost. */
static int
h_totp_reset(struct api_req *r)
{
    struct totp_ctx *c = xcalloc(1, sizeof(*c));
    c->user_id = r->params[0];
    snprintf(c->step, sizeof(c->step), "reset");
    return api_write(r, totp_run, totp_done, c);
}

const struct api_op api_auth_ops[] = {
    {API_POST, "/api/v1/auth/login", API_PUBLIC, h_login},
    {API_POST, "/api/v1/auth/logout", API_PW_CHANGE_OK | API_TOTP_SETUP_OK, h_logout},
    {API_GET, "/api/v1/me", API_PW_CHANGE_OK | API_TOTP_SETUP_OK, h_me},
    {API_POST, "/api/v1/me/totp", API_TOTP_SETUP_OK, h_totp_begin},
    {API_POST, "/api/v1/me/totp/confirm", API_TOTP_SETUP_OK, h_totp_confirm},
    {API_DELETE, "/api/v1/me/totp", 0, h_totp_disable},
    {API_POST, "/api/v1/admin/users/{}/totp/reset", API_ADMIN, h_totp_reset},
    {API_PATCH, "/api/v1/me", 0, h_me_patch},
    {API_PUT, "/api/v1/me/password", API_PW_CHANGE_OK, h_password},
    {API_GET, "/api/v1/me/sessions", 0, h_sessions},
    {API_DELETE, "/api/v1/me/sessions", 0, h_sessions_others},
    {API_DELETE, "/api/v1/me/sessions/{}", 0, h_session_delete},
    {0, NULL, 0, NULL},
};
