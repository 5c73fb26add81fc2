/*
 * Internals shared by the server's files: the loop thread and the WebSocket entry points.
 */
#ifndef KAIRAN_SERVER_INTERNAL_H
#define KAIRAN_SERVER_INTERNAL_H

#define H2O_USE_LIBUV 0
#include <h2o.h>
#include <h2o/http1.h>

#include "api/api.h"
#include "hub/hub.h"

struct loop_thread {
    int index;
    pthread_t tid;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    struct api_thread api;
    hub_t *hub;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t done_receiver;
    h2o_socket_t *listener;
    h2o_linklist_t sessions; /* every WebSocket session of this thread */
    h2o_linklist_t to_flush; /* sessions holding hub deliveries for one write (ws_flush) */
    h2o_timeout_t sweep_timeout;
    h2o_timeout_entry_t sweep_entry;
};

/* The loop thread running the caller (NULL outside loop threads). */
struct loop_thread *server_self(void);

/* ws.c */
/* Handles GET /api/v1/ws: authenticates, upgrades and starts a session. */
int ws_handle_upgrade(h2o_req_t *req, struct loop_thread *lt);
void ws_deliver(struct hub_conn *c, struct refbuf *frame);
void ws_close_conn(struct hub_conn *c);
/* Writes what ws_deliver queued (the hub calls it after each run of deliveries). */
void ws_flush(void *loop_thread);
/* Sends pings to quiet sessions and closes dead ones; called periodically per thread. */
void ws_sweep(struct loop_thread *lt);

/* http.c: fills the parts of an api_req that come from the HTTP request. */
void http_fill_req(struct api_req *r, h2o_req_t *req, struct loop_thread *lt);
void http_send_json(h2o_req_t *req, int status, const char *body, size_t len);
int http_handle_api(h2o_req_t *req, struct loop_thread *lt);
int http_handle_static(h2o_req_t *req, struct loop_thread *lt);
void http_on_done_messages(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages);

#endif
