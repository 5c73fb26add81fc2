/*
 * The server: loop threads with their listeners, the HTTP entry point, static files and
 * WebSocket sessions. `kairan serve` calls server_run and never returns until stopped.
 */
#ifndef KAIRAN_SERVER_SERVER_H
#define KAIRAN_SERVER_SERVER_H

#include "util/config.h"

/* Opens the store (creating the first administrator if needed), starts every thread and
 * serves until SIGTERM or SIGINT. Returns the process exit code. */
int server_run(const struct kr_config *cfg);

#endif
