/*
 * `kairan admin …`: provisioning and operations on the data directory.
 */
#ifndef KAIRAN_CLI_ADMIN_H
#define KAIRAN_CLI_ADMIN_H

#include "util/config.h"

/* Runs one admin command (argv[0] is its first word). Returns the exit code. */
int admin_main(const struct kr_config *cfg, int argc, char **argv);

/* backup.c: backups that restore. Each returns the command's exit code. */
typedef struct store store_t;
int admin_backup(const struct kr_config *cfg, store_t *s, const char *dir);
int admin_restore(const struct kr_config *cfg, const char *dir, int force);
int admin_check(const struct kr_config *cfg, store_t *s);
int admin_migrate(const struct kr_config *cfg);
int admin_status(const struct kr_config *cfg, store_t *s);
/* copy-store --to URI|DIR: the whole store into an empty one, verified table by table. */
int admin_copy_store(const struct kr_config *cfg, store_t *src, const char *to);
/* ldapsync.c: staff from the city's directory. */
int admin_ldap_sync(const struct kr_config *cfg, store_t *s, int dry_run, int allow_mass_disable);
/* ldapsched.c: runs the sync every ldap_sync_minutes from `kairan serve` (0: does nothing). */
int ldap_schedule_start(const struct kr_config *cfg, const char *config_path);

#endif
