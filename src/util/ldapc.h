/*
 * The city's directory (LDAP / Active Directory) as Kairan talks to it: a connection bound
 * with the service account of the configuration (StartTLS when asked), and a password check
 * by binding as the person. Used by the directory sync (cli/ldapsync.c) and, with ldap_auth,
 * by login (api/auth.c, on a job thread).
 */
#ifndef KAIRAN_UTIL_LDAPC_H
#define KAIRAN_UTIL_LDAPC_H

#include "util/config.h"

#include <ldap.h>

/* Connects and binds with ldap_bind_dn (anonymous when empty). NULL with a reason in err. */
LDAP *ldapc_connect(const struct kr_config *cfg, char *err, size_t errlen);

/* 1 when `password` is right for the staff entry whose login attribute is `login`, 0 when it
 * is wrong or no such entry exists, -1 when the directory cannot be reached (err says why). */
int ldapc_check_password(const struct kr_config *cfg, const char *login, const char *password, char *err, size_t errlen);

#endif
