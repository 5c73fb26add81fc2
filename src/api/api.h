/*
 * The API layer: every /api/v1 endpoint's logic, independent of the HTTP library.
 *
 * The server turns each HTTP request into a `struct api_req` (method, path parameters, query,
 * body, the few headers that matter) and calls api_dispatch on the loop thread. A handler
 * either answers at once (API_DONE: r->status and r->reply are set) or hands work to a job
 * thread or the writer and answers later (API_ASYNC), by calling api_finish(r) from any thread;
 * the server then sends the answer on the request's loop thread. Permissions are declared in
 * each resource's operation table and checked in one place (router.c).
 */
#ifndef KAIRAN_API_API_H
#define KAIRAN_API_API_H

#include "store/store.h"
#include "util/config.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum api_method { API_GET, API_POST, API_PUT, API_PATCH, API_DELETE, API_HEAD, API_OTHER };

enum { API_DONE = 0, API_ASYNC = 1 };

/* Per loop thread (or job thread) state the API may use. */
struct api_thread {
    store_t *store; /* this thread's read connection */
    int index;
};

struct api_user {
    int64_t id, session_id, department_id;
    int is_admin, must_change_password, is_department, dept_admin, totp_enabled, disclosure_officer;
    char login[72];
};

struct api_req {
    /* Input, filled by the server; borrowed, valid until the answer is sent. */
    enum api_method method;
    const char *path;
    size_t path_len;
    const char *query;
    size_t query_len;
    const char *body;
    size_t body_len;
    const char *content_type, *authorization, *cookie, *origin, *csrf_header, *user_agent, *range, *forwarded_for;
    size_t content_type_len, authorization_len, cookie_len, origin_len, csrf_header_len, user_agent_len, range_len,
        forwarded_for_len;
    char peer[64];
    char client[64];               /* set by the router: the peer, or the address a trusted proxy forwarded */
    unsigned long long request_id; /* set by the router; in log lines (req=) and X-Request-Id */
    int lang_en;
    struct api_thread *thread;

    /* Set by the router. */
    struct api_user user;
    int authenticated;
    int64_t params[4];
    int nparams;

    /* Output. */
    int status;
    json_t *reply;    /* owned; NULL for an empty body */
    char *reply_text; /* owned: or this JSON text, already serialised (then reply is NULL) */
    size_t reply_text_len;
    char *set_cookie; /* owned */
    int retry_after;  /* seconds, for 429 */
    struct {
        char *path;        /* owned: the file to send instead of JSON */
        char *type;        /* owned */
        char *disposition; /* owned: Content-Disposition value */
        char *data;        /* owned: or these bytes instead of a file (a CSV made for the request) */
        size_t data_len;
    } file;

    /* Async completion, provided by the server. */
    void (*finish)(struct api_req *r);
    void *server_data;
};

/* Wires the API to the configuration; call once before serving. */
void api_init(const struct kr_config *cfg);
const struct kr_config *api_config(void);
/* This node's name among several (the holder of leases, docs/scaling.md); "" alone. */
void api_set_node(const char *name);
const char *api_node(void);
/* Where this node's request ids start (0 alone). */
unsigned long long api_request_base(void);

/* Routes and runs one request on a loop thread. Returns API_DONE or API_ASYNC. */
int api_dispatch(struct api_req *r);
/* Frees what the request's output owns (not the request itself). */
void api_req_clear(struct api_req *r);

/* Prometheus text of the server's counters into buf; returns the length (snprintf). */
int api_metrics_text(char *buf, size_t size);
/* 1 if the request authenticates as a system administrator, 0 as someone else, -1 not at all. */
int api_is_admin_request(struct api_req *r);

/* Starts the thread that releases held (out-of-hours) messages when they come due. */
void api_held_start(void);

/* 1 if an Origin header value is one of the configured public origins. */
int api_origin_ok(const char *origin, size_t len);
/* Authenticates a WebSocket upgrade (Bearer or cookie): 0 and *user, or -1. */
int api_authenticate_ws(struct api_req *r, struct api_user *user);

/* ---- helpers for handlers (common.c) ---- */

/* Completes an API_ASYNC request from any thread. */
void api_finish(struct api_req *r);
/* Sets an error answer: the message in Japanese, or English when the client prefers it. */
int api_error(struct api_req *r, int status, const char *code, const char *ja, const char *en);
/* Sets a JSON answer (takes ownership of body). */
int api_reply(struct api_req *r, int status, json_t *body);
/* Sets an answer that is already JSON text (takes ownership of the malloc'd text). */
int api_reply_text(struct api_req *r, int status, char *text, size_t len);
int api_store_error(struct api_req *r, int rc);
/* Parses the JSON object body, answering 415/400/413 itself when it cannot: NULL then. */
json_t *api_body_object(struct api_req *r);
/* Reads a query parameter into buf (URL-decoded, NUL-terminated); returns its length, -1 if
 * absent, -2 if it cannot be decoded or does not fit. */
int api_query(const struct api_req *r, const char *name, char *buf, size_t size);
/* Parses a query parameter as an integer in [min, max]; -1 absent, -2 invalid (answered). */
int api_query_int(struct api_req *r, const char *name, int64_t min, int64_t max, int64_t *out);

/*
 * Field readers: each returns 0 when the field is absent (leaving *out), 1 when read, and -1
 * after answering 400 invalid_parameter naming the field (wrong type, too long, bad UTF-8).
 */
int api_field_str(struct api_req *r, json_t *obj, const char *key, size_t max_chars, int required, const char **out);
int api_field_int(struct api_req *r, json_t *obj, const char *key, int required, int64_t *out);
int api_field_bool(struct api_req *r, json_t *obj, const char *key, int *out);
/* An array of ids (max n); *out is malloc'd (caller frees). */
int api_field_ids(struct api_req *r, json_t *obj, const char *key, size_t max, int64_t **out, size_t *n);

/* Serialises and publishes an event object to `users` (json is consumed). */
void api_publish(json_t *event, const int64_t *users, size_t nusers, int64_t except_user);
/* Publishes to every member of a room, read with store `s`. */
void api_publish_room(store_t *s, int64_t room_id, json_t *event, int64_t except_user);
/* The same for an event already serialised (the text is copied). */
void api_publish_room_text(store_t *s, int64_t room_id, const char *event, size_t len, int64_t except_user);

#include "policy/password.h"
/* The city's password rules from the configuration. */
struct policy_password_rules api_password_rules(void);

/* 1 if s is a valid login: 1–KR_MAX_LOGIN of a-z A-Z 0-9 . _ - @ */
int api_login_ok(const char *s);

/* 1 if e is a known employment type (正規, 再任用, 会計年度任用 or empty). */
int api_employment_ok(const char *e);

/* Password hashing with the configured Argon2id cost; call only off the loop threads. */
int api_password_hash(const char *password, char out[128]);
int api_password_verify(const char *hash, const char *password);

#endif
