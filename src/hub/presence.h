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

/*
 * Several nodes (docs/scaling.md): each node's own state of a person, as that node reported
 * it, joins this node's sockets in presence_get. The observer hears when this node's own state
 * of a person changes (called outside the table's lock), to tell the other nodes.
 * presence_remote_set returns the person's new overall state if it changed, or -1.
 */
typedef void (*presence_observer_fn)(int64_t user_id, enum presence_state local_state);
void presence_set_observer(presence_observer_fn fn);
int presence_remote_set(uint64_t node, int64_t user_id, enum presence_state state);
/* Forgets everything a node reported (it stopped, or was not heard from for too long). */
void presence_remote_forget(uint64_t node);

#endif
