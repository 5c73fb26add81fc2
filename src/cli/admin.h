/*
 * `kairan admin …`: provisioning and operations on the data directory.
 */
#ifndef KAIRAN_CLI_ADMIN_H
#define KAIRAN_CLI_ADMIN_H

#include "util/config.h"

/* Runs one admin command (argv[0] is its first word). Returns the exit code. */
int admin_main(const struct kr_config *cfg, int argc, char **argv);

#endif
