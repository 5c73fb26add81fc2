/*
 * A 64-bit hash of a string (FNV-1a): for names that must map to the same number in every
 * process, such as a node's name. Not for anything an attacker chooses.
 */
#ifndef KAIRAN_UTIL_HASH_H
#define KAIRAN_UTIL_HASH_H

#include <stdint.h>

static inline uint64_t
hash_str64(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

#endif
