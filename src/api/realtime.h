/*
 * The API's side of WebSocket sessions, called by the server on the session's loop thread.
 */
#ifndef KAIRAN_API_REALTIME_H
#define KAIRAN_API_REALTIME_H

#include "api/api.h"

/* A session of user_id opened (presence may turn online). */
void api_ws_opened(struct api_thread *t, int64_t user_id);
/* A session closed; `away` is the state the device was in. */
void api_ws_closed(struct api_thread *t, int64_t user_id, int away);
/*
 * Handles one client text frame (JSON). *away is the device's state, updated by a presence
 * frame. Returns a malloc'd JSON text to send back (e.g. pong), or NULL.
 */
char *api_ws_frame(struct api_thread *t, int64_t user_id, const char *data, size_t len, int *away);

#endif
