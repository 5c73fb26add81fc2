/*
 * Unit tests for src/util/cidr.c: IPv4 and IPv6 ranges, prefix edges, IPv4-mapped IPv6, and
 * malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/cidr.c"

static void
test_ipv4(void **state)
{
    struct cidr c;
    assert_int_equal(cidr_parse("10.0.0.0/8", &c), 0);
    assert_true(cidr_contains(&c, "10.255.1.2"));
    assert_false(cidr_contains(&c, "11.0.0.1"));
    assert_true(cidr_contains(&c, "::ffff:10.1.1.1"));
    assert_int_equal(cidr_parse("192.168.1.128/25", &c), 0);
    assert_true(cidr_contains(&c, "192.168.1.200"));
    assert_false(cidr_contains(&c, "192.168.1.127"));
    assert_int_equal(cidr_parse("127.0.0.1", &c), 0);
    assert_true(cidr_contains(&c, "127.0.0.1"));
    assert_false(cidr_contains(&c, "127.0.0.2"));
    assert_int_equal(cidr_parse("0.0.0.0/0", &c), 0);
    assert_true(cidr_contains(&c, "8.8.8.8"));
    assert_false(cidr_contains(&c, "2001:db8::1"));
}

static void
test_ipv6(void **state)
{
    struct cidr c;
    assert_int_equal(cidr_parse("2001:db8::/32", &c), 0);
    assert_true(cidr_contains(&c, "2001:db8:1::5"));
    assert_false(cidr_contains(&c, "2001:db9::1"));
    assert_false(cidr_contains(&c, "10.0.0.1"));
    assert_int_equal(cidr_parse("fe80::/10", &c), 0);
    assert_true(cidr_contains(&c, "febf::1"));
    assert_false(cidr_contains(&c, "fec0::1"));
}

static void
test_bad(void **state)
{
    struct cidr c;
    assert_int_equal(cidr_parse("10.0.0.0/33", &c), -1);
    assert_int_equal(cidr_parse("10.0.0.0/", &c), -1);
    assert_int_equal(cidr_parse("10.0.0/8", &c), -1);
    assert_int_equal(cidr_parse("/8", &c), -1);
    assert_int_equal(cidr_parse("2001:db8::/129", &c), -1);
    assert_int_equal(cidr_parse("10.0.0.0/-1", &c), -1);
    assert_int_equal(cidr_parse("", &c), -1);
    assert_int_equal(cidr_parse("10.0.0.0/8", &c), 0);
    assert_false(cidr_contains(&c, "not an address"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
