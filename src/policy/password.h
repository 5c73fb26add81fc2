/*
 * Password rules for accounts with a local password (policy is pure: no I/O, no store).
 *
 * The rules follow NIST SP 800-63B §5.1.1.2 rather than the old composition habits: a
 * minimum length counted in characters (so a Japanese passphrase counts as typed), a
 * generous maximum, no reuse of the login, and a list of common passwords. Character
 * classes are only demanded if a city's rules ask for them (min_classes > 1); containing
 * the login as a part is deliberately allowed. The reason codes are stable: the API sends
 * policy_password_reason_code() to clients, which show their own translation.
 */
#ifndef KAIRAN_POLICY_PASSWORD_H
#define KAIRAN_POLICY_PASSWORD_H

/* The longest password accepted, in bytes: bounds the hashing work a request can ask for. */
#define POLICY_PASSWORD_MAX_BYTES 256
#define POLICY_PASSWORD_DEFAULT_MIN_LENGTH 10
#define POLICY_PASSWORD_DEFAULT_MIN_CLASSES 1

enum policy_password_reason {
    POLICY_PASSWORD_OK = 0,
    POLICY_PASSWORD_TOO_SHORT,       /* fewer than min_length code points */
    POLICY_PASSWORD_TOO_LONG,        /* more than POLICY_PASSWORD_MAX_BYTES bytes */
    POLICY_PASSWORD_EQUALS_LOGIN,    /* the login itself, ignoring case and width */
    POLICY_PASSWORD_COMMON,          /* on the common list, one repeated character, or a plain run */
    POLICY_PASSWORD_TOO_FEW_CLASSES, /* fewer than min_classes kinds of characters */
    POLICY_PASSWORD_INVALID_UTF8,
};

/* A city's rules. Zero in a member means "the default". */
struct policy_password_rules {
    unsigned min_length;  /* in code points; default 10 */
    unsigned min_classes; /* of lower, upper, digit, ASCII symbol, non-ASCII; default 1 */
};

/*
 * Checks a NUL-terminated candidate password for the account login (NUL-terminated; NULL
 * or "" skips the login rule). rules NULL means all defaults. Returns POLICY_PASSWORD_OK
 * (0) or the first reason that applies, checked in this order: invalid UTF-8, too long,
 * too short, equals login, common, too few classes. Borrows everything.
 */
enum policy_password_reason policy_password_check(const char *login, const char *password,
                                                  const struct policy_password_rules *rules);

/* A stable snake_case code for the API ("too_short", ...; "ok" for 0). Static string. */
const char *policy_password_reason_code(enum policy_password_reason reason);

/*
 * A sentence for the user, in Japanese or English. They name no numbers, because rules
 * differ per city; callers add the configured minimum where it helps. Static strings; an
 * unknown reason gives a generic message, never NULL.
 */
const char *policy_password_reason_ja(enum policy_password_reason reason);
const char *policy_password_reason_en(enum policy_password_reason reason);

#endif
