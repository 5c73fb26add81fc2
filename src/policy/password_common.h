/*
 * Internal to the password policy: the common-password list defined in password_common.c.
 */
#ifndef KAIRAN_POLICY_PASSWORD_COMMON_H
#define KAIRAN_POLICY_PASSWORD_COMMON_H

#include <stddef.h>

/* Lower case ASCII entries, policy__password_common_count of them. */
extern const char *const policy__password_common[];
extern const size_t policy__password_common_count;

#endif
