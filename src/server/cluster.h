/*
 * Several nodes on one PostgreSQL database: events cross between nodes (cluster.c).
 */
#ifndef KAIRAN_SERVER_CLUSTER_H
#define KAIRAN_SERVER_CLUSTER_H

#include "util/config.h"

/* Starts relaying when the store is PostgreSQL (else does nothing): 0, or -1. */
int cluster_start(const struct kr_config *cfg);
/* Sends what is queued, says goodbye, and stops. */
void cluster_stop(void);
/* This node's name ("host-pid-random"), or "" with one node. */
const char *cluster_node(void);

#endif
