/*
 * The router: matches a request to an operation in the resources' tables, authenticates it
 * and checks the operation's permission — the one place where "who may call this" is decided.
 *
 * Patterns are literal segments and "{}" for a numeric id; ids are positive 53-bit integers
 * (JSON-safe), anything else in an id's place is 404.
 */
#include "api/internal.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/reqparse.h"
#include "util/timefmt.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct api_op *const tables[] = {
    api_auth_ops,     api_users_ops, api_rooms_ops,  api_messages_ops,  api_files_ops, api_audit_ops,      api_settings_ops,
    api_office_ops,   api_held_ops,  api_export_ops, api_retention_ops, api_zones_ops, api_disclosure_ops, api_notes_ops,
    api_meetings_ops, api_memos_ops, api_paper_ops,  api_search_ops,    api_push_ops};

static const char *
cookie_value(const char *c, size_t len, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *end = c + len;
    while (c < end) {
        while (c < end && (*c == ' ' || *c == ';'))
            c++;
        const char *e = memchr(c, ';', (size_t)(end - c));
        if (e == NULL)
            e = end;
        if ((size_t)(e - c) > nl && memcmp(c, name, nl) == 0 && c[nl] == '=') {
            *vlen = (size_t)(e - c - nl - 1);
            return c + nl + 1;
        }
        c = e;
    }
    return NULL;
}

/* Finds the session of the request's token: 0 and fills r->user, -1 when none is valid, -2
 * when it was a phone's session that has just timed out (R19). */
static int
authenticate(struct api_req *r, int *via_cookie)
{
    const char *tok = NULL;
    size_t tlen = 0;
    *via_cookie = 0;
    if (r->authorization && r->authorization_len > 7 && strncasecmp(r->authorization, "Bearer ", 7) == 0) {
        tok = r->authorization + 7;
        tlen = r->authorization_len - 7;
    } else if (r->cookie && (tok = cookie_value(r->cookie, r->cookie_len, "kairan_session", &tlen)) != NULL) {
        *via_cookie = 1;
    }
    if (tok == NULL || tlen == 0 || tlen > 128)
        return -1;
    uint8_t hash[32];
    crypto_generichash(hash, sizeof(hash), (const uint8_t *)tok, tlen, NULL, 0);
    struct store_session ss;
    if (store_session_lookup(r->thread->store, hash, time_now_ms(), &ss) != 0)
        return -1;
    if (api_phone_session_expired(r->thread->store, &ss))
        return -2;
    r->user.id = ss.user_id;
    r->user.session_id = ss.id;
    r->user.is_admin = ss.is_admin;
    r->user.must_change_password = ss.must_change_password;
    r->user.is_department = ss.kind_department;
    r->user.dept_admin = ss.dept_admin;
    r->user.disclosure_officer = ss.disclosure_officer;
    r->user.totp_enabled = ss.totp_enabled;
    r->user.department_id = ss.department_id;
    memcpy(r->user.login, ss.login, sizeof(r->user.login));
    r->authenticated = 1;
    /* Record activity for the device list, at most once a minute per session. */
    if (api_now_ms() - ss.last_seen_at > 60000)
        api_session_touch(ss.id);
    return 0;
}

static int
origin_allowed(const struct api_req *r)
{
    if (r->origin == NULL)
        return 1;
    return api_origin_ok(r->origin, r->origin_len);
}

int
api_authenticate_ws(struct api_req *r, struct api_user *user)
{
    int via_cookie;
    int rc = !origin_allowed(r) || authenticate(r, &via_cookie) != 0 || r->user.must_change_password;
    store_end_reads(r->thread->store);
    if (rc)
        return -1;
    *user = r->user;
    return 0;
}

int
api_is_admin_request(struct api_req *r)
{
    int via_cookie;
    int rc = authenticate(r, &via_cookie);
    store_end_reads(r->thread->store);
    return rc != 0 ? -1 : r->user.is_admin ? 1 : 0;
}

static int
dispatch(struct api_req *r)
{
    static _Atomic unsigned long long next_request;
    const struct api_op *op = NULL;
    int path_matched = 0;
    if (r->request_id == 0)
        r->request_id = api_request_base() + ++next_request;
    log_set_request(r->request_id);
    api_client_address(r, r->client, sizeof(r->client));
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]) && op == NULL; t++) {
        for (const struct api_op *o = tables[t]; o->pattern != NULL; o++) {
            if (!reqparse_match(o->pattern, r->path, r->path_len, r->params, 4, &r->nparams))
                continue;
            path_matched = 1;
            if (o->method == r->method || (r->method == API_HEAD && o->method == API_GET)) {
                op = o;
                break;
            }
        }
    }
    if (op == NULL) {
        if (path_matched)
            return api_error(r, 405, "method_not_allowed", "このメソッドは使用できません。", "Method not allowed.");
        return api_not_found(r);
    }
    if (!(op->flags & API_PUBLIC)) {
        int via_cookie;
        int arc = authenticate(r, &via_cookie);
        store_end_reads(r->thread->store);
        if (arc == -2)
            return api_error(r, 401, "session_expired",
                             "一定時間が過ぎたため、サインアウトしました。もう一度ログインしてください。",
                             "The session on this phone has timed out. Please log in again.");
        if (arc != 0)
            return api_error(r, 401, "unauthorized", "ログインしてください。", "Please log in.");
        if (via_cookie && r->method != API_GET && r->method != API_HEAD) {
            /* CSRF: a cross-site form can neither set a custom header nor pass the Origin check. */
            if (r->csrf_header == NULL || r->csrf_header_len != 1 || r->csrf_header[0] != '1' || !origin_allowed(r))
                return api_error(r, 403, "forbidden", "リクエストの送信元を確認できません。",
                                 "The request's origin could not be verified.");
        }
        if (r->user.must_change_password && !(op->flags & API_PW_CHANGE_OK))
            return api_error(r, 403, "password_change_required", "パスワードを変更してください。",
                             "You must change your password first.");
        /* With totp_required_for_admins, an administrator without TOTP may only enrol. */
        if (r->user.is_admin && api_config()->totp_required_for_admins && !r->user.totp_enabled && !(op->flags & API_TOTP_SETUP_OK))
            return api_error(r, 403, "totp_setup_required", "管理者は二段階認証（確認コード）の設定が必要です。",
                             "Administrators must set up two-step verification first.");
        struct api_zone zone;
        if (api_zone_of(r, &zone) && api_zone_refuses(r, &zone))
            return API_DONE;
        if ((op->flags & API_ADMIN) && !r->user.is_admin)
            return api_forbidden(r);
        if ((op->flags & API_DISCLOSURE) && !r->user.is_admin && !r->user.disclosure_officer)
            return api_forbidden(r);
    }
    int rc = op->handler(r);
    store_end_reads(r->thread->store);
    return rc;
}

int
api_dispatch(struct api_req *r)
{
    store_generations_scope(r->thread->store, 1);
    int rc = dispatch(r);
    store_generations_scope(r->thread->store, 0);
    log_set_request(0); /* the loop thread goes on to other requests */
    return rc;
}
