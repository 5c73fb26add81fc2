/*
 * Shared by the admin command's files (admin.c, import.c, ldapsync.c, backup.c). Not used
 * outside src/cli/.
 */
#ifndef KAIRAN_CLI_INTERNAL_H
#define KAIRAN_CLI_INTERNAL_H

#include "store/store.h"
#include "util/config.h"

#include <jansson.h>
#include <stdio.h>

/* One staff member as the CSV import and the directory sync see it (UTF-8, "" when absent). */
struct staff_row {
    const char *login, *name, *kana, *dept, *title, *ext, *phone, *emp, *code;
};

size_t admin__split_path(char *s, char **parts, size_t max);
void admin__generate_password(char out[32]);
int admin__audit(store_t *s, const char *action, const char *target_type, int64_t target, json_t *detail);
FILE *admin__password_file(const struct kr_config *cfg, char *path, size_t size);
const char *admin__upsert_staff(const struct kr_config *cfg, store_t *s, const struct staff_row *r, int dry_run, FILE **pwf,
                                char *pwpath, size_t pwsize, int64_t *out_id, int *created);

#endif
