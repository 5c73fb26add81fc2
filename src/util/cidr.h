/*
 * Address ranges (CIDR, IPv4 and IPv6) for network zones: "10.0.0.0/8", "192.168.1.5",
 * "2001:db8::/32". Pure; used to place a request in the LGWAN or the Internet zone.
 */
#ifndef KAIRAN_UTIL_CIDR_H
#define KAIRAN_UTIL_CIDR_H

#include <stdint.h>

struct cidr {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    int bits;
};

/* Parses "address[/bits]"; 0 or -1. */
int cidr_parse(const char *s, struct cidr *out);
/* 1 if the textual address `addr` lies in the range. IPv4-mapped IPv6 matches IPv4 ranges. */
int cidr_contains(const struct cidr *c, const char *addr);

#endif
