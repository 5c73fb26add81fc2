/*
 * What `kairan serve` does to a data directory before serving: the first administrator and
 * the sweep of abandoned uploads.
 */
#ifndef KAIRAN_API_BOOTSTRAP_H
#define KAIRAN_API_BOOTSTRAP_H

#include "store/store.h"
#include "util/config.h"

/*
 * Creates the first administrator when the store has no user: with KAIRAN_ADMIN_PASSWORD if
 * set, else a generated password written to DATA/initial-admin-password (mode 0600), whose
 * path — never the password — is printed. Returns 0, or -1 with a reason in err.
 */
int bootstrap_admin(store_t *s, const struct kr_config *cfg, char *err, size_t errlen);
/* Removes uploads never attached to a message within a day, and stale temporary files. */
void bootstrap_sweep(store_t *s, const struct kr_config *cfg);

#endif
