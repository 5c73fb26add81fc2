/*
 * The admin socket: how `kairan admin` reaches the running server (DATA/admin.sock, 0600).
 *
 * One request per connection: a line "revoke-user ID" or "status", answered with one line.
 */
#ifndef KAIRAN_CLI_ADMINSOCK_H
#define KAIRAN_CLI_ADMINSOCK_H

#include <stddef.h>

/* Sends `cmd` and reads the answer line into reply. Returns 0, or -1 if no server answers. */
int adminsock_request(const char *data_dir, const char *cmd, char *reply, size_t size);
/* Server side: starts a thread serving the socket. Returns 0 or -1. */
int adminsock_start(const char *data_dir);

#endif
