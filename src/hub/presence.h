/*
 * Presence: whether a person is online, away or offline, from their live sockets on every
 * loop thread.
 *
 * A person is online if any device says so, away if all connected devices are away, and
 * offline with no socket. The table is shared by all threads behind one mutex; it changes only
 * when sockets open, close or report a state, which is rare next to message traffic.
 */
#ifndef KAIRAN_HUB_PRESENCE_H
#define KAIRAN_HUB_PRESENCE_H

#include <stdint.h>

enum presence_state { PRESENCE_OFFLINE = 0, PRESENCE_ONLINE = 1, PRESENCE_AWAY = 2 };

/*
 * Records a device moving from state `from` to `to` (OFFLINE for connect/disconnect).
 * Returns the person's new aggregate state if it changed, or -1 if it did not.
 */
int presence_change(int64_t user_id, enum presence_state from, enum presence_state to);
enum presence_state presence_get(int64_t user_id);
const char *presence_name(enum presence_state s);

#endif
