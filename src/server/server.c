/*
 * `kairan serve`: the loop threads, their listeners and the order of start-up.
 *
 * Each loop thread owns an h2o event loop, its own listening socket (SO_REUSEPORT, so the
 * kernel spreads connections), a read connection to the store and a hub. Start-up order:
 * open and migrate the store, create the first administrator if there is none, start the
 * writer and the job threads, then the loops. SIGTERM and SIGINT end the process: every write
 * that was acknowledged is already on disk.
 */
#include "server/server.h"
#include "api/api.h"
#include "api/bootstrap.h"
#include "cli/adminsock.h"
#include "server/internal.h"
#include "server/cluster.h"
#include "store/writer.h"
#include "util/jobs.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <openssl/ssl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static h2o_globalconf_t globalconf;
static SSL_CTX *ssl_ctx; /* NULL: plain HTTP */
static struct loop_thread *threads;
static __thread struct loop_thread *self;
static struct sockaddr_storage listen_addr;
static socklen_t listen_addrlen;

struct loop_thread *
server_self(void)
{
    return self;
}

static int
on_req(h2o_handler_t *h, h2o_req_t *req)
{
    struct loop_thread *lt = self;
    h2o_iovec_t p = req->path_normalized;
    if (h2o_memis(p.base, p.len, H2O_STRLIT("/api/v1/ws")))
        return ws_handle_upgrade(req, lt);
    if (p.len >= 5 && memcmp(p.base, "/api/", 5) == 0)
        return http_handle_api(req, lt);
    if (h2o_memis(p.base, p.len, H2O_STRLIT("/metrics"))) {
        /* Administrators only: counters say how busy the city is. */
        struct api_req r = {0};
        http_fill_req(&r, req, lt);
        int who = api_is_admin_request(&r);
        if (who != 1) {
            static const char no[] = "{\"error\":{\"code\":\"unauthorized\",\"message\":\"ログインしてください。\"}}";
            static const char fb[] = "{\"error\":{\"code\":\"forbidden\",\"message\":\"管理者のみ利用できます。\"}}";
            if (who < 0)
                http_send_json(req, 401, no, sizeof(no) - 1);
            else
                http_send_json(req, 403, fb, sizeof(fb) - 1);
            return 0;
        }
        char *buf = h2o_mem_alloc_pool(&req->pool, 4096);
        int n = api_metrics_text(buf, 4096);
        req->res.status = 200;
        req->res.reason = "OK";
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain; version=0.0.4"));
        req->res.content_length = (size_t)n;
        h2o_send_inline(req, buf, (size_t)n);
        return 0;
    }
    if (h2o_memis(p.base, p.len, H2O_STRLIT("/healthz"))) {
        /* On PostgreSQL a node that cannot reach the database cannot serve: say so, so that a
         * monitor (or nginx) leaves it out. On SQLite the database is this process's file. */
        static const char ok[] = "{\"status\":\"ok\"}";
        static const char down[] = "{\"status\":\"unavailable\",\"error\":{\"code\":\"store_unavailable\","
                                   "\"message\":\"データベースに接続できません。\"}}";
        if (store_ping(lt->api.store) != 0)
            http_send_json(req, 503, down, sizeof(down) - 1);
        else
            http_send_json(req, 200, ok, sizeof(ok) - 1);
        return 0;
    }
    return http_handle_static(req, lt);
}

static void
on_accept(h2o_socket_t *listener, const char *err)
{
    struct loop_thread *lt = listener->data;
    if (err != NULL)
        return;
    /* Accept what is waiting, a bounded number at a time so one busy listener cannot starve the loop. */
    for (int i = 0; i < 64; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (sock == NULL)
            break;
        h2o_accept(&lt->accept_ctx, sock);
    }
}

static int
open_listener(void)
{
    int fd = socket(listen_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    if (bind(fd, (struct sockaddr *)&listen_addr, listen_addrlen) != 0 || listen(fd, 4096) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
on_sweep(h2o_timeout_entry_t *entry)
{
    struct loop_thread *lt = H2O_STRUCT_FROM_MEMBER(struct loop_thread, sweep_entry, entry);
    ws_sweep(lt);
    h2o_timeout_link(lt->loop, &lt->sweep_timeout, &lt->sweep_entry);
}

static int
setup_thread(struct loop_thread *lt, const struct kr_config *cfg, h2o_hostconf_t *host, char *err, size_t errlen)
{
    struct store_options opt = {.keep_deleted_content = cfg->keep_deleted_content, .dsn = cfg->store_dsn};
    lt->api.store = store_open(cfg->data, 0, &opt, err, errlen);
    if (lt->api.store == NULL)
        return -1;
    lt->api.index = lt->index;
    lt->loop = h2o_evloop_create();
    h2o_context_init(&lt->ctx, lt->loop, &globalconf);
    lt->accept_ctx.ctx = &lt->ctx;
    lt->accept_ctx.hosts = globalconf.hosts;
    lt->accept_ctx.ssl_ctx = ssl_ctx;
    lt->queue = h2o_multithread_create_queue(lt->loop);
    h2o_multithread_register_receiver(lt->queue, &lt->done_receiver, http_on_done_messages);
    lt->hub = hub_create(lt->loop, ws_deliver, ws_close_conn, ws_flush, lt);
    h2o_linklist_init_anchor(&lt->sessions);
    h2o_linklist_init_anchor(&lt->to_flush);
    h2o_timeout_init(lt->loop, &lt->sweep_timeout, 10000);
    lt->sweep_entry.cb = on_sweep;
    h2o_timeout_link(lt->loop, &lt->sweep_timeout, &lt->sweep_entry);
    int fd = open_listener();
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        return -1;
    }
    lt->listener = h2o_evloop_socket_create(lt->loop, fd, H2O_SOCKET_FLAG_DONT_READ);
    lt->listener->data = lt;
    h2o_socket_read_start(lt->listener, on_accept);
    (void)host;
    return 0;
}

/*
 * Everything h2o of a loop thread is created on that thread: h2o keeps per-thread state
 * (the socket buffer prototype and its recycling allocator are thread-local), so a socket or
 * context made on one thread and used on another corrupts memory.
 */
static pthread_mutex_t ready_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cv = PTHREAD_COND_INITIALIZER;
static int nready, nfailed;
static const struct kr_config *run_cfg;
static char thread_err[512];

static void *
loop_main(void *arg)
{
    struct loop_thread *lt = arg;
    char err[512];
    self = lt;
    int rc = setup_thread(lt, run_cfg, NULL, err, sizeof(err));
    pthread_mutex_lock(&ready_mu);
    nready++;
    if (rc != 0) {
        nfailed++;
        snprintf(thread_err, sizeof(thread_err), "%s", err);
    }
    pthread_cond_broadcast(&ready_cv);
    pthread_mutex_unlock(&ready_mu);
    if (rc != 0)
        return NULL;
    for (;;)
        h2o_evloop_run(lt->loop, INT32_MAX);
    return NULL;
}

/*
 * HTTPS served by Kairan itself (tls_cert/tls_key): TLS 1.2 or newer, HTTP/2 offered by ALPN
 * for pages and the API; WebSockets use their own HTTP/1.1 connection, as browsers do when a
 * server does not offer WebSockets over HTTP/2.
 */
static int
setup_tls(const struct kr_config *cfg, char *err, size_t errlen)
{
    if (cfg->tls_cert[0] == '\0')
        return 0;
    ssl_ctx = SSL_CTX_new(TLS_server_method());
    if (ssl_ctx == NULL) {
        snprintf(err, errlen, "cannot create the TLS context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ssl_ctx, cfg->tls_cert) != 1) {
        snprintf(err, errlen, "tls_cert %s: cannot load the certificate chain", cfg->tls_cert);
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(ssl_ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ssl_ctx) != 1) {
        snprintf(err, errlen, "tls_key %s: cannot load the key, or it does not match the certificate", cfg->tls_key);
        return -1;
    }
    h2o_ssl_register_alpn_protocols(ssl_ctx, h2o_http2_alpn_protocols);
    return 0;
}

static int
resolve_listen(const char *listen, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || colon == listen || (size_t)(colon - listen) >= sizeof(host)) {
        snprintf(err, errlen, "listen: expected host:port, got '%s'", listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *h = host;
    if (h[0] == '[') {
        h++;
        h[strlen(h) - 1] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    if (getaddrinfo(h, colon + 1, &hints, &res) != 0) {
        snprintf(err, errlen, "listen: cannot resolve '%s'", listen);
        return -1;
    }
    memcpy(&listen_addr, res->ai_addr, res->ai_addrlen);
    listen_addrlen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int
server_run(const struct kr_config *cfg)
{
    char err[1600], dir[1100];
    sigset_t set;
    int sig;
    signal(SIGPIPE, SIG_IGN);
    /* Block the stop signals in every thread we start; the main thread waits for them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    api_init(cfg);
    if (resolve_listen(cfg->listen, err, sizeof(err)) != 0 || setup_tls(cfg, err, sizeof(err)) != 0)
        goto fail;
    if (mkdir(cfg->data, 0750) != 0 && errno != EEXIST) {
        snprintf(err, sizeof(err), "cannot create data directory %s: %s", cfg->data, strerror(errno));
        goto fail;
    }
    snprintf(dir, sizeof(dir), "%s/files", cfg->data);
    mkdir(dir, 0750);
    snprintf(dir, sizeof(dir), "%s/files/tmp", cfg->data);
    mkdir(dir, 0750);

    struct store_options opt = {.keep_deleted_content = cfg->keep_deleted_content, .dsn = cfg->store_dsn};
    store_t *ws = store_open(cfg->data, 1, &opt, err, sizeof(err));
    if (ws == NULL)
        goto fail;
    if (bootstrap_admin(ws, cfg, err, sizeof(err)) != 0) {
        store_close(ws);
        goto fail;
    }
    bootstrap_sweep(ws, cfg);
    if (store_checkpointer_start(ws) != 0)
        log_warn("store.checkpointer", "error=\"cannot start\" action=\"checkpoints inside COMMIT\"");
    if (writer_start(ws) != 0 || jobs_start(cfg->job_threads) != 0) {
        snprintf(err, sizeof(err), "cannot start threads");
        goto fail;
    }
    /* Before the held-message thread, whose lease names this node. */
    if (cluster_start(cfg) != 0) {
        snprintf(err, sizeof(err), "cannot start the threads that join the other nodes");
        goto fail;
    }
    api_held_start();

    /* Large request bodies (uploads) are received into files under data/files/tmp rather than
     * memory: h2o switches a buffer to an mmap'd temporary file past this threshold. */
    h2o_socket_buffer_mmap_settings.threshold = 4 * 1024 * 1024;
    snprintf(h2o_socket_buffer_mmap_settings.fn_template, sizeof(h2o_socket_buffer_mmap_settings.fn_template),
             "%s/files/tmp/h2o.b.XXXXXX", cfg->data);
    h2o_config_init(&globalconf);
    globalconf.server_name = h2o_iovec_init(H2O_STRLIT("kairan"));
    /* Uploads may be large; JSON endpoints check their own, smaller limit. */
    globalconf.max_request_entity_size = (cfg->max_upload_mib + 64) * 1024 * 1024;
    h2o_hostconf_t *host = h2o_config_register_host(&globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof(*handler));
    handler->on_req = on_req;
    /* R22: staff pay their phones' data. The shell and JSON answers go out gzipped when the
     * client accepts it (h2o's filter, on the loop thread; small answers are left alone). */
    h2o_compress_args_t gz = {.min_size = 1024, .gzip = {.quality = 5}, .brotli = {.quality = -1}};
    h2o_compress_register(path, &gz);
    /* h2o's table knows JavaScript only as application/javascript; teach it the type we send. */
    h2o_mimemap_define_mimetype(path->mimemap, "js", "text/javascript", NULL);

    (void)host;
    run_cfg = cfg;
    threads = xcalloc((size_t)cfg->threads, sizeof(*threads));
    for (int i = 0; i < cfg->threads; i++) {
        threads[i].index = i;
        if (pthread_create(&threads[i].tid, NULL, loop_main, &threads[i]) != 0) {
            snprintf(err, sizeof(err), "cannot start loop threads");
            goto fail;
        }
    }
    pthread_mutex_lock(&ready_mu);
    while (nready < cfg->threads)
        pthread_cond_wait(&ready_cv, &ready_mu);
    pthread_mutex_unlock(&ready_mu);
    if (nfailed) {
        snprintf(err, sizeof(err), "%s", thread_err);
        goto fail;
    }
    if (adminsock_start(cfg->data) != 0)
        log_warn("server.admin_socket", "error=\"cannot listen on %s/admin.sock\"", cfg->data);
    const char *scheme = ssl_ctx ? "https" : "http";
    log_info("server.listen", "url=%s://%s threads=%d data=%s", scheme, cfg->listen, cfg->threads, cfg->data);
    fprintf(stderr, "kairan: listening on %s://%s\n", scheme, cfg->listen);

    sigwait(&set, &sig);
    log_info("server.stop", "signal=%d", sig);
    /* Let queued writes finish; nothing is acknowledged before its commit anyway. */
    writer_stop();
    cluster_stop();
    return 0;
fail:
    log_error("server.start", "error=\"%s\"", err);
    fprintf(stderr, "kairan: %s\n", err);
    return 1;
}
