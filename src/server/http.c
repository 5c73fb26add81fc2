/*
 * The HTTP entry point: turns an h2o request into an API request, sends the answer (JSON or
 * a file), and serves the web client's static files with the security headers every page
 * gets.
 *
 * An API request that completes later (API_ASYNC) keeps a guard in the h2o request's pool:
 * if the client goes away first, the pool's disposal clears the guard, and the late answer is
 * dropped instead of touching a freed request. Both happen on the request's loop thread.
 */
#include "server/internal.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char csp_page[] = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
                               "connect-src 'self'; font-src 'self'; media-src 'self' blob:; object-src 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

struct pending {
    struct api_req r;
    h2o_multithread_message_t msg;
    h2o_req_t *req;
    struct guard *guard;
    struct loop_thread *lt;
};

struct guard {
    struct pending *p;
};

/* h2o keeps the header value's pointer until the response is written: copy it into the
 * request's pool, since callers pass stack buffers and strings they free. */
static void
add(h2o_req_t *req, const h2o_token_t *tok, const char *v)
{
    h2o_iovec_t c = h2o_strdup(&req->pool, v, strlen(v));
    h2o_add_header(&req->pool, &req->res.headers, tok, NULL, c.base, c.len);
}

static void
add_str(h2o_req_t *req, const char *name, const char *v)
{
    h2o_iovec_t c = h2o_strdup(&req->pool, v, strlen(v));
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, c.base, c.len);
}

static void
security_headers(h2o_req_t *req)
{
    add_str(req, "x-content-type-options", "nosniff");
    add_str(req, "x-frame-options", "DENY");
    add_str(req, "referrer-policy", "no-referrer");
}

void
http_send_json(h2o_req_t *req, int status, const char *body, size_t len)
{
    req->res.status = status;
    req->res.reason = status == 201   ? "Created"
                      : status == 202 ? "Accepted"
                      : status == 204 ? "No Content"
                      : status < 300  ? "OK"
                                      : "Error";
    add(req, H2O_TOKEN_CONTENT_TYPE, "application/json; charset=utf-8");
    add(req, H2O_TOKEN_CACHE_CONTROL, "no-store");
    security_headers(req);
    /* Only what a GET reads is compressed: never the answers that carry a token (login) or
     * echo what was just sent, so a secret never shares a compressed body with chosen text. */
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) ||
        (req->path_normalized.len >= 12 && memcmp(req->path_normalized.base, "/api/v1/auth", 12) == 0))
        req->res.mime_attr = &h2o_mime_attributes_as_is;
    /* A known length keeps the connection alive: h2o 2.2 chunks only 200 answers and closes
     * the connection after any other status of unknown length (lib/handler/chunked.c). */
    if (status != 204) /* RFC 9110 §8.6: no Content-Length on a 204 */
        req->res.content_length = len;
    h2o_send_inline(req, body, len);
}

static const char *
header(h2o_req_t *req, const h2o_token_t *tok, size_t *len)
{
    ssize_t i = h2o_find_header(&req->headers, tok, -1);
    if (i < 0) {
        *len = 0;
        return NULL;
    }
    *len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

static const char *
header_str(h2o_req_t *req, const char *name, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0) {
        *len = 0;
        return NULL;
    }
    *len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

static enum api_method
method_of(h2o_iovec_t m)
{
    if (h2o_memis(m.base, m.len, H2O_STRLIT("GET")))
        return API_GET;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("POST")))
        return API_POST;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("PUT")))
        return API_PUT;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("PATCH")))
        return API_PATCH;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("DELETE")))
        return API_DELETE;
    if (h2o_memis(m.base, m.len, H2O_STRLIT("HEAD")))
        return API_HEAD;
    return API_OTHER;
}

void
http_fill_req(struct api_req *r, h2o_req_t *req, struct loop_thread *lt)
{
    r->method = method_of(req->method);
    r->path = req->path_normalized.base;
    r->path_len = req->path_normalized.len;
    if (req->query_at != SIZE_MAX) {
        r->query = req->path.base + req->query_at + 1;
        r->query_len = req->path.len - req->query_at - 1;
    }
    r->body = req->entity.base;
    r->body_len = req->entity.base ? req->entity.len : 0;
    r->content_type = header(req, H2O_TOKEN_CONTENT_TYPE, &r->content_type_len);
    r->authorization = header(req, H2O_TOKEN_AUTHORIZATION, &r->authorization_len);
    r->cookie = header(req, H2O_TOKEN_COOKIE, &r->cookie_len);
    r->origin = header_str(req, "origin", &r->origin_len);
    r->user_agent = header(req, H2O_TOKEN_USER_AGENT, &r->user_agent_len);
    r->range = header(req, H2O_TOKEN_RANGE, &r->range_len);
    r->csrf_header = header_str(req, "x-kairan-request", &r->csrf_header_len);
    r->forwarded_for = header_str(req, "x-forwarded-for", &r->forwarded_for_len);
    size_t al;
    const char *al_v = header(req, H2O_TOKEN_ACCEPT_LANGUAGE, &al);
    r->lang_en = al_v != NULL && al >= 2 && strncasecmp(al_v, "en", 2) == 0;
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl > 0 && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, r->peer, sizeof(r->peer));
    else if (sl > 0 && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, r->peer, sizeof(r->peer));
    r->thread = &lt->api;
}

/*
 * Answers a single-range request (RFC 9110 §14) for a stored file; h2o's file sender does not
 * do ranges. Returns 0 when answered, -1 to fall back to the whole file.
 */
static int
send_range(h2o_req_t *req, const struct api_req *r)
{
    char spec[64];
    if (r->range_len >= sizeof(spec) || r->range_len < 7 || strncmp(r->range, "bytes=", 6) != 0)
        return -1;
    memcpy(spec, r->range + 6, r->range_len - 6);
    spec[r->range_len - 6] = '\0';
    if (strchr(spec, ','))
        return -1; /* several ranges: send the whole file, which RFC 9110 allows */
    int fd = open(r->file.path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    long long size = st.st_size, first, last;
    char *dash = strchr(spec, '-'), *end;
    if (dash == NULL)
        goto unsat_or_whole;
    *dash = '\0';
    if (spec[0] == '\0') {
        long long n = strtoll(dash + 1, &end, 10);
        if (*end || n <= 0)
            goto unsat_or_whole;
        first = n >= size ? 0 : size - n;
        last = size - 1;
    } else {
        first = strtoll(spec, &end, 10);
        if (*end || first < 0)
            goto unsat_or_whole;
        if (dash[1] == '\0') {
            last = size - 1;
        } else {
            last = strtoll(dash + 1, &end, 10);
            if (*end || last < first)
                goto unsat_or_whole;
            if (last >= size)
                last = size - 1;
        }
    }
    if (first >= size) {
        close(fd);
        char cr[64];
        snprintf(cr, sizeof(cr), "bytes */%lld", size);
        add(req, H2O_TOKEN_CONTENT_RANGE, cr);
        static const char body[] = "{\"error\":{\"code\":\"range_not_satisfiable\",\"message\":\"Range not satisfiable\"}}";
        http_send_json(req, 416, body, sizeof(body) - 1);
        return 0;
    }
    /* Bound what one request reads into memory; clients continue with the next range. */
    if (last - first + 1 > 16LL * 1024 * 1024)
        last = first + 16LL * 1024 * 1024 - 1;
    size_t n = (size_t)(last - first + 1);
    char *buf = h2o_mem_alloc_pool(&req->pool, n);
    ssize_t got = pread(fd, buf, n, first);
    close(fd);
    if (got != (ssize_t)n)
        return -1;
    char cr[96];
    snprintf(cr, sizeof(cr), "bytes %lld-%lld/%lld", first, last, size);
    add(req, H2O_TOKEN_CONTENT_RANGE, cr);
    add(req, H2O_TOKEN_CONTENT_TYPE, r->file.type);
    req->res.status = 206;
    req->res.reason = "Partial Content";
    req->res.content_length = n;
    static h2o_generator_t generator = {NULL, NULL}; /* one final send: never asked to proceed */
    h2o_iovec_t body = h2o_iovec_init(buf, n);
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
    return 0;
unsat_or_whole:
    close(fd);
    return -1;
}

static void
send_answer(struct pending *p)
{
    h2o_req_t *req = p->req;
    struct api_req *r = &p->r;
    if (r->set_cookie)
        add(req, H2O_TOKEN_SET_COOKIE, r->set_cookie);
    if (r->request_id) {
        char rid[24];
        snprintf(rid, sizeof(rid), "%llu", r->request_id);
        add_str(req, "x-request-id", rid);
    }
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", r->retry_after);
        add(req, H2O_TOKEN_RETRY_AFTER, ra);
    }
    if (r->file.data) {
        req->res.status = 200;
        req->res.reason = "OK";
        security_headers(req);
        add(req, H2O_TOKEN_CONTENT_TYPE, r->file.type);
        add(req, H2O_TOKEN_CONTENT_DISPOSITION, r->file.disposition);
        add(req, H2O_TOKEN_CACHE_CONTROL, "no-store");
        req->res.content_length = r->file.data_len;
        h2o_send_inline(req, r->file.data, r->file.data_len);
        return;
    }
    if (r->file.path) {
        security_headers(req);
        add(req, H2O_TOKEN_CONTENT_DISPOSITION, r->file.disposition);
        add_str(req, "content-security-policy", "sandbox; default-src 'none'");
        add(req, H2O_TOKEN_CACHE_CONTROL, "private, no-cache");
        add(req, H2O_TOKEN_ACCEPT_RANGES, "bytes");
        if (r->range != NULL && send_range(req, r) == 0)
            return;
        if (h2o_file_send(req, 200, "OK", r->file.path, h2o_iovec_init(r->file.type, strlen(r->file.type)), 0) == 0)
            return;
        log_error("files.send", "error=missing_blob");
        req->res.headers = (h2o_headers_t){NULL};
        static const char nf[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"ファイルが見つかりません。\"}}";
        http_send_json(req, 404, nf, sizeof(nf) - 1);
        return;
    }
    if (r->reply_text) {
        http_send_json(req, r->status, r->reply_text, r->reply_text_len);
        return;
    }
    if (r->reply == NULL) {
        http_send_json(req, r->status ? r->status : 204, "", 0);
        return;
    }
    char *s = json_dumps(r->reply, JSON_COMPACT);
    http_send_json(req, r->status, s, strlen(s));
    free(s);
}

static void
pending_free(struct pending *p)
{
    api_req_clear(&p->r);
    free(p);
}

static void
on_guard_dispose(void *g)
{
    struct guard *guard = g;
    if (guard->p != NULL) {
        guard->p->req = NULL;
        guard->p->guard = NULL;
    }
}

/* Called from any thread when an API_ASYNC request has its answer. */
static void
on_finish(struct api_req *r)
{
    struct pending *p = (struct pending *)r;
    h2o_multithread_send_message(&p->lt->done_receiver, &p->msg);
}

void
http_on_done_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        struct pending *p = H2O_STRUCT_FROM_MEMBER(struct pending, msg.link, messages->next);
        h2o_linklist_unlink(&p->msg.link);
        if (p->req != NULL) {
            if (p->guard)
                p->guard->p = NULL;
            send_answer(p);
        }
        pending_free(p);
    }
}

int
http_handle_api(h2o_req_t *req, struct loop_thread *lt)
{
    struct pending *p = xcalloc(1, sizeof(*p));
    p->req = req;
    p->lt = lt;
    http_fill_req(&p->r, req, lt);
    p->r.finish = on_finish;
    if (api_dispatch(&p->r) == API_DONE) {
        send_answer(p);
        pending_free(p);
        return 0;
    }
    p->guard = h2o_mem_alloc_shared(&req->pool, sizeof(*p->guard), on_guard_dispose);
    p->guard->p = p;
    return 0;
}

static const char *
mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/*
 * Answers 304 when the client's If-None-Match names the file's current ETag (h2o's file sender
 * makes it from the modification time and size, and does not answer conditional requests
 * itself). The installed app revalidates its cached shell on every start, so an unchanged
 * shell costs phones only headers (R22). Returns 1 when answered.
 */
static int
not_modified(h2o_req_t *req, const char *path)
{
    size_t inm_len;
    const char *inm = header_str(req, "if-none-match", &inm_len);
    struct stat st;
    if (inm == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    char etag[64];
    int n = snprintf(etag, sizeof(etag), "\"%08x-%zx\"", (unsigned)st.st_mtime, (size_t)st.st_size);
    if (memmem(inm, inm_len, etag, (size_t)n) == NULL)
        return 0;
    add(req, H2O_TOKEN_ETAG, etag);
    req->res.status = 304;
    req->res.reason = "Not Modified";
    h2o_send_inline(req, NULL, 0);
    return 1;
}

int
http_handle_static(h2o_req_t *req, struct loop_thread *lt)
{
    const struct kr_config *cfg = api_config();
    h2o_iovec_t p = req->path_normalized;
    char path[2048];
    if (p.len == 0 || p.base[0] != '/' || p.len > 512 || memmem(p.base, p.len, "..", 2) || memchr(p.base, '\0', p.len)) {
        static const char nf[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"見つかりません。\"}}";
        http_send_json(req, 404, nf, sizeof(nf) - 1);
        return 0;
    }
    int is_index = p.len == 1 || h2o_memis(p.base, p.len, H2O_STRLIT("/index.html"));
    snprintf(path, sizeof(path), "%s%.*s", cfg->web_root, (int)p.len, p.base);
    if (is_index)
        snprintf(path, sizeof(path), "%s/index.html", cfg->web_root);
    security_headers(req);
    add_str(req, "content-security-policy", csp_page);
    add(req, H2O_TOKEN_CACHE_CONTROL, "no-cache");
    const char *type = mime_of(path);
    if (not_modified(req, path))
        return 0;
    if (h2o_file_send(req, 200, "OK", path, h2o_iovec_init(type, strlen(type)), 0) == 0)
        return 0;
    /* Unknown paths of the single-page client fall back to index.html (deep links). */
    if (memchr(p.base + 1, '.', p.len - 1) == NULL) {
        snprintf(path, sizeof(path), "%s/index.html", cfg->web_root);
        if (h2o_file_send(req, 200, "OK", path, h2o_iovec_init(H2O_STRLIT("text/html; charset=utf-8")), 0) == 0)
            return 0;
    }
    req->res.headers = (h2o_headers_t){NULL};
    static const char nf[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"見つかりません。\"}}";
    http_send_json(req, 404, nf, sizeof(nf) - 1);
    return 0;
}
