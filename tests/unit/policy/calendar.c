/*
 * Unit tests for src/policy/calendar.c: holidays against an independent table, business days, office hours.
 *
 * The table is tests/unit/policy/holidays_2000_2050.txt, written from the npm package
 * @holiday-jp/holiday_jp by make-holiday-fixture.mjs; meson passes this directory in
 * KAIRAN_UNIT_DIR. The package names substitute holidays "<holiday> 振替休日", every 国民の休日
 * "休日" and 2019's two enthronement days "休日（祝日扱い）", so names are compared after mapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "policy/calendar.c"

#define FIXTURE_MAX 1200

struct fixture_day {
    int y, m, d;
    char name[64];
};

static struct fixture_day fixture[FIXTURE_MAX];
static size_t fixture_len;

static int
load_fixture(void **state)
{
    const char *dir = getenv("KAIRAN_UNIT_DIR");
    char path[4096], line[256];
    FILE *f;

    if (dir == NULL) {
        fprintf(stderr, "KAIRAN_UNIT_DIR is not set (meson sets it to tests/unit)\n");
        return -1;
    }
    snprintf(path, sizeof(path), "%s/policy/holidays_2000_2050.txt", dir);
    f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (fixture_len < FIXTURE_MAX && fgets(line, sizeof(line), f) != NULL) {
        struct fixture_day *fd = &fixture[fixture_len];
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (sscanf(line, "%d-%d-%d %63[^\n]", &fd->y, &fd->m, &fd->d, fd->name) == 4)
            fixture_len++;
    }
    fclose(f);
    return fixture_len > 800 ? 0 : -1;
}

/* The name calendar.c gives to the holiday the package names fd->name. */
static const char *
expected_name(const struct fixture_day *fd)
{
    size_t len = strlen(fd->name), suffix = strlen(" 振替休日");

    if (len > suffix && strcmp(fd->name + len - suffix, " 振替休日") == 0)
        return "振替休日";
    if (strcmp(fd->name, "休日") == 0)
        return "国民の休日";
    if (strcmp(fd->name, "休日（祝日扱い）") == 0)
        return fd->m == 5 ? "即位の日" : "即位礼正殿の儀の行われる日";
    if (strcmp(fd->name, "体育の日（スポーツの日）") == 0)
        return "体育の日"; /* renamed スポーツの日 from 2020 */
    return fd->name;
}

static void
test_fixture_days_are_holidays(void **state)
{
    for (size_t i = 0; i < fixture_len; i++) {
        const struct fixture_day *fd = &fixture[i];
        const char *name = NULL;
        if (calendar_holiday(fd->y, fd->m, fd->d, &name) != 1)
            fail_msg("%04d-%02d-%02d (%s) is not a holiday", fd->y, fd->m, fd->d, fd->name);
        assert_string_equal(name, expected_name(fd));
    }
}

static void
test_computed_holidays_are_in_fixture(void **state)
{
    size_t total = 0;

    for (int y = 2000; y <= 2050; y++) {
        struct calendar_day days[CALENDAR_MAX_HOLIDAYS];
        size_t n = calendar_holidays_of_year(y, days, CALENDAR_MAX_HOLIDAYS);
        assert_in_range(n, 15, CALENDAR_MAX_HOLIDAYS);
        for (size_t i = 0; i < n; i++) {
            bool found = false;
            assert_int_equal(days[i].year, y);
            if (i > 0)
                assert_true(days[i - 1].month * 100 + days[i - 1].day < days[i].month * 100 + days[i].day);
            for (size_t j = 0; j < fixture_len && !found; j++) {
                const struct fixture_day *fd = &fixture[j];
                if (fd->y == y && fd->m == days[i].month && fd->d == days[i].day) {
                    assert_string_equal(days[i].name, expected_name(fd));
                    found = true;
                }
            }
            if (!found)
                fail_msg("%04d-%02d-%02d %s is not in the fixture", y, days[i].month, days[i].day, days[i].name);
        }
        total += n;
    }
    assert_int_equal(total, fixture_len);
}

static void
expect_holiday(int y, int m, int d, const char *want)
{
    const char *name = NULL;
    int got = calendar_holiday(y, m, d, &name);

    if (want == NULL) {
        if (got != 0 || name != NULL)
            fail_msg("%04d-%02d-%02d: want no holiday, got %d (%s)", y, m, d, got, name ? name : "-");
        return;
    }
    if (got != 1 || strcmp(name, want) != 0)
        fail_msg("%04d-%02d-%02d: want %s, got %d (%s)", y, m, d, want, got, name ? name : "-");
}

static void
test_rules_by_year(void **state)
{
    /* みどりの日 moved in 2007, and the old 5/4 国民の休日 (never on a Sunday or a substitute Monday). */
    expect_holiday(2006, 4, 29, "みどりの日");
    expect_holiday(2006, 5, 4, "国民の休日");
    expect_holiday(2003, 5, 4, NULL); /* Sunday: not a 国民の休日 under the old law */
    expect_holiday(2007, 4, 29, "昭和の日");
    expect_holiday(2007, 5, 4, "みどりの日");
    /* Happy Monday: 成人の日 from 2000, 海の日 and 敬老の日 from 2003. */
    expect_holiday(2000, 1, 10, "成人の日");
    expect_holiday(2002, 7, 20, "海の日");
    expect_holiday(2002, 9, 15, "敬老の日"); /* a Sunday: the substitute is 9/16 */
    expect_holiday(2002, 9, 16, "振替休日");
    expect_holiday(2003, 7, 21, "海の日");
    /* The emperor's birthday. */
    expect_holiday(2018, 12, 23, "天皇誕生日");
    expect_holiday(2018, 12, 24, "振替休日");
    expect_holiday(2019, 12, 23, NULL);
    expect_holiday(2019, 2, 23, NULL);
    expect_holiday(2020, 2, 23, "天皇誕生日");
    expect_holiday(2020, 2, 24, "振替休日");
    /* 2019: ten days in a row, the enthronement days. */
    expect_holiday(2019, 4, 30, "国民の休日");
    expect_holiday(2019, 5, 1, "即位の日");
    expect_holiday(2019, 5, 2, "国民の休日");
    expect_holiday(2019, 5, 6, "振替休日");
    expect_holiday(2019, 10, 22, "即位礼正殿の儀の行われる日");
    expect_holiday(2019, 10, 14, "体育の日");
    /* The Olympic years. */
    expect_holiday(2020, 7, 23, "海の日");
    expect_holiday(2020, 7, 24, "スポーツの日");
    expect_holiday(2020, 8, 10, "山の日");
    expect_holiday(2020, 8, 11, NULL);
    expect_holiday(2020, 10, 12, NULL);
    expect_holiday(2021, 7, 22, "海の日");
    expect_holiday(2021, 7, 23, "スポーツの日");
    expect_holiday(2021, 8, 8, "山の日");
    expect_holiday(2021, 8, 9, "振替休日");
    expect_holiday(2022, 10, 10, "スポーツの日");
    /* 山の日 from 2016. */
    expect_holiday(2015, 8, 11, NULL);
    expect_holiday(2016, 8, 11, "山の日");
    /* The 2007 substitute rule: the next day that is not a holiday (JAPAN-NOTES.md examples). */
    expect_holiday(2026, 5, 6, "振替休日");
    expect_holiday(2026, 9, 22, "国民の休日");
    expect_holiday(2026, 9, 23, "秋分の日");
    /* Beyond the fixture, to the end of the range. */
    expect_holiday(2099, 3, 20, "春分の日");
    expect_holiday(2099, 9, 23, "秋分の日");
    expect_holiday(2099, 1, 1, "元日");
    /* Outside the range, invalid dates, and a NULL name pointer. */
    expect_holiday(1999, 1, 1, NULL);
    expect_holiday(2100, 1, 1, NULL);
    expect_holiday(2026, 2, 29, NULL);
    expect_holiday(2026, 13, 1, NULL);
    assert_int_equal(calendar_holiday(2026, 1, 1, NULL), 1);
}

static void
test_year_list(void **state)
{
    struct calendar_day days[CALENDAR_MAX_HOLIDAYS];

    assert_int_equal(calendar_holidays_of_year(2019, days, CALENDAR_MAX_HOLIDAYS), 22);
    /* A short buffer gets the first entries; the full count tells the caller it was cut. */
    memset(days, 0, sizeof(days));
    assert_int_equal(calendar_holidays_of_year(2026, days, 2), 18);
    assert_int_equal(days[1].month, 1);
    assert_int_equal(days[1].day, 12);
    assert_null(days[2].name);
    assert_int_equal(calendar_holidays_of_year(2026, NULL, 0), 18);
    assert_int_equal(calendar_holidays_of_year(1999, days, CALENDAR_MAX_HOLIDAYS), 0);
    assert_int_equal(calendar_holidays_of_year(2100, days, CALENDAR_MAX_HOLIDAYS), 0);
}

static void
test_weekday_and_dates(void **state)
{
    assert_int_equal(calendar_weekday(2000, 1, 1), 6);
    assert_int_equal(calendar_weekday(2026, 5, 3), 0);
    assert_int_equal(calendar_weekday(2024, 2, 29), 4);
    assert_int_equal(calendar_weekday(1970, 1, 1), 4);
    assert_int_equal(calendar_weekday(1, 1, 1), 1);
    assert_int_equal(calendar_weekday(2023, 2, 29), -1);
    assert_true(calendar_date_valid(2000, 2, 29));
    assert_false(calendar_date_valid(2100, 2, 29));
    assert_false(calendar_date_valid(2026, 4, 31));
    assert_false(calendar_date_valid(0, 1, 1));
    assert_false(calendar_date_valid(2026, 0, 1));
}

static void
test_business_days(void **state)
{
    const struct calendar_date closures[] = {{2026, 6, 23}, {2026, 6, 27}};
    const struct calendar_date working[] = {{2026, 6, 27}, {2026, 6, 28}, {2026, 5, 4}, {2026, 12, 29}};
    struct calendar_rules rules = {.closures = closures, .n_closures = 2, .working_days = working, .n_working_days = 4};

    assert_true(calendar_is_business_day(NULL, 2026, 6, 22));  /* Monday */
    assert_false(calendar_is_business_day(NULL, 2026, 6, 20)); /* Saturday */
    assert_false(calendar_is_business_day(NULL, 2026, 6, 21)); /* Sunday */
    assert_false(calendar_is_business_day(NULL, 2026, 5, 6));  /* 振替休日 on a Wednesday */
    assert_false(calendar_is_business_day(NULL, 2026, 2, 30));
    /* The default year-end closure, 12/29 to 1/3, on weekdays too. */
    assert_true(calendar_is_business_day(NULL, 2026, 12, 28));
    assert_false(calendar_is_business_day(NULL, 2026, 12, 29));
    assert_false(calendar_is_business_day(NULL, 2026, 12, 31));
    assert_false(calendar_is_business_day(NULL, 2027, 1, 2));
    assert_true(calendar_is_business_day(NULL, 2027, 1, 4));
    assert_false(calendar_is_business_day(NULL, 2030, 1, 3)); /* a Thursday */
    /* Extra closures and working days; a closure wins over a working day. */
    assert_false(calendar_is_business_day(&rules, 2026, 6, 23));
    assert_false(calendar_is_business_day(&rules, 2026, 6, 27));
    assert_true(calendar_is_business_day(&rules, 2026, 6, 28));
    assert_true(calendar_is_business_day(&rules, 2026, 5, 4));
    assert_true(calendar_is_business_day(&rules, 2026, 12, 29));
    assert_true(calendar_is_business_day(&rules, 2026, 6, 22));
    /* A city whose closure is 12/28 to 12/31 only, and one without any. */
    rules = (struct calendar_rules){.year_end_start = 1228, .year_end_end = 1231};
    assert_false(calendar_is_business_day(&rules, 2026, 12, 28));
    assert_true(calendar_is_business_day(&rules, 2027, 1, 4));
    assert_true(calendar_is_business_day(&rules, 2030, 1, 3));
    rules = (struct calendar_rules){.no_year_end = true};
    assert_true(calendar_is_business_day(&rules, 2026, 12, 29));
    assert_false(calendar_is_business_day(&rules, 2027, 1, 1)); /* 元日 stays a holiday */
    /* Outside the holiday range only weekends and the closure count. */
    assert_true(calendar_is_business_day(NULL, 2100, 2, 11));
}

static void
test_overrides(void **state)
{
    /* The 2026 autumn: 敬老の日 9/21, 国民の休日 9/22, 秋分の日 9/23. An announcement moves 秋分 to 9/24. */
    const struct calendar_override moved[] = {{2026, 9, 23, 9, 24, NULL}};
    const struct calendar_override dropped_added[] = {{2026, 9, 23, 0, 0, NULL}, {2026, 0, 0, 6, 15, "特別な休日"}};
    struct calendar_rules rules = {.overrides = moved, .n_overrides = 1};
    struct calendar_day days[CALENDAR_MAX_HOLIDAYS];
    size_t n;

    assert_true(calendar_is_business_day(&rules, 2026, 9, 22));
    assert_true(calendar_is_business_day(&rules, 2026, 9, 23));
    assert_false(calendar_is_business_day(&rules, 2026, 9, 24));
    assert_true(calendar_is_business_day(&rules, 2027, 9, 24)); /* other years untouched */
    n = calendar_rules_holidays_of_year(&rules, 2026, days, CALENDAR_MAX_HOLIDAYS);
    assert_int_equal(n, 17);
    for (size_t i = 0; i < n; i++)
        if (days[i].month == 9 && days[i].day == 24)
            assert_string_equal(days[i].name, "秋分の日");
    /* The law's own list is not affected by a city's overrides. */
    assert_int_equal(calendar_holiday(2026, 9, 23, NULL), 1);

    rules = (struct calendar_rules){.overrides = dropped_added, .n_overrides = 2};
    assert_true(calendar_is_business_day(&rules, 2026, 9, 23));
    assert_false(calendar_is_business_day(&rules, 2026, 6, 15));
    n = calendar_rules_holidays_of_year(&rules, 2026, days, CALENDAR_MAX_HOLIDAYS);
    assert_int_equal(n, 17);
    assert_int_equal(days[10].month, 6); /* after Golden Week's four */
    assert_int_equal(days[10].day, 15);
    assert_string_equal(days[10].name, "特別な休日");
}

/* Milliseconds since the epoch of a Japan-time wall clock reading. */
static int64_t
jst(int y, int m, int d, int hh, int mm)
{
    return days_from_civil(y, m, d) * MS_PER_DAY + (hh * 60 + mm) * MS_PER_MINUTE - JST_OFFSET_MS;
}

#define OPEN CALENDAR_DEFAULT_START_MINUTE
#define CLOSE CALENDAR_DEFAULT_END_MINUTE

static void
expect_next(const struct calendar_rules *rules, int64_t now, int64_t want)
{
    int64_t got = -1;

    assert_int_equal(calendar_next_business_start(rules, now, OPEN, CLOSE, &got), 0);
    assert_int_equal(got, want);
}

static void
test_next_business_start(void **state)
{
    const struct calendar_date closures[] = {{2026, 6, 8}};
    struct calendar_rules rules = {.closures = closures, .n_closures = 1};
    int64_t out = 42;

    /* The answer must not depend on the machine's time zone. */
    setenv("TZ", "America/New_York", 1);
    tzset();

    expect_next(NULL, jst(2026, 6, 5, 18, 0), jst(2026, 6, 8, 8, 30));    /* Friday evening → Monday */
    expect_next(&rules, jst(2026, 6, 5, 18, 0), jst(2026, 6, 9, 8, 30));  /* Monday closed by the city */
    expect_next(NULL, jst(2026, 7, 17, 18, 0), jst(2026, 7, 21, 8, 30));  /* Monday is 海の日 */
    expect_next(NULL, jst(2026, 5, 1, 17, 15), jst(2026, 5, 7, 8, 30));   /* Golden Week with 振替休日 */
    expect_next(NULL, jst(2026, 12, 28, 17, 15), jst(2027, 1, 4, 8, 30)); /* the year-end closure */
    expect_next(NULL, jst(2026, 12, 31, 3, 0), jst(2027, 1, 4, 8, 30));   /* from inside it */
    expect_next(NULL, jst(2027, 1, 1, 23, 59), jst(2027, 1, 4, 8, 30));   /* 元日 at 23:59 (14:59 UTC) */
    expect_next(NULL, jst(2026, 6, 8, 0, 0), jst(2026, 6, 8, 8, 30));     /* midnight */
    expect_next(NULL, jst(2026, 6, 8, 7, 0), jst(2026, 6, 8, 8, 30));     /* early morning: today */
    expect_next(NULL, jst(2026, 6, 8, 8, 30), jst(2026, 6, 8, 8, 30));    /* at the start: now */
    expect_next(NULL, jst(2026, 6, 8, 12, 0), jst(2026, 6, 8, 12, 0));    /* in hours: now */
    expect_next(NULL, jst(2026, 6, 8, 17, 15) - 1, jst(2026, 6, 8, 17, 15) - 1);
    expect_next(NULL, jst(2026, 6, 8, 17, 15), jst(2026, 6, 9, 8, 30));   /* the end is outside */
    expect_next(NULL, jst(2026, 6, 8, 0, 0) - 1, jst(2026, 6, 8, 8, 30)); /* Sunday 23:59:59.999 */
    expect_next(NULL, jst(2099, 12, 28, 18, 0), jst(2100, 1, 4, 8, 30));  /* past the holiday range */

    /* Other hours: always-on business days, and bad arguments. */
    assert_int_equal(calendar_next_business_start(NULL, jst(2026, 6, 6, 9, 0), 0, 1440, &out), 0);
    assert_int_equal(out, jst(2026, 6, 8, 0, 0));
    assert_int_equal(calendar_next_business_start(NULL, 0, 600, 600, &out), -EINVAL);
    assert_int_equal(calendar_next_business_start(NULL, 0, -1, 600, &out), -EINVAL);
    assert_int_equal(calendar_next_business_start(NULL, 0, 0, 1441, &out), -EINVAL);
    assert_int_equal(calendar_next_business_start(NULL, INT64_MAX, OPEN, CLOSE, &out), -EINVAL);
    assert_int_equal(calendar_next_business_start(NULL, INT64_MIN, OPEN, CLOSE, &out), -EINVAL);
    /* Rules that close every day: a clear error, the output untouched. */
    out = 42;
    rules = (struct calendar_rules){.year_end_start = 101, .year_end_end = 1231};
    assert_int_equal(calendar_next_business_start(&rules, jst(2026, 6, 8, 9, 0), OPEN, CLOSE, &out), -ENOENT);
    assert_int_equal(out, 42);
    unsetenv("TZ");
    tzset();
}

static void
test_office_hours(void **state)
{
    const struct calendar_date working[] = {{2026, 6, 6}};
    struct calendar_rules rules = {.working_days = working, .n_working_days = 1};

    assert_false(calendar_in_office_hours(NULL, jst(2026, 6, 8, 8, 29), OPEN, CLOSE));
    assert_false(calendar_in_office_hours(NULL, jst(2026, 6, 8, 8, 30) - 1, OPEN, CLOSE));
    assert_true(calendar_in_office_hours(NULL, jst(2026, 6, 8, 8, 30), OPEN, CLOSE));
    assert_true(calendar_in_office_hours(NULL, jst(2026, 6, 8, 17, 15) - 1, OPEN, CLOSE));
    assert_false(calendar_in_office_hours(NULL, jst(2026, 6, 8, 17, 15), OPEN, CLOSE));
    assert_false(calendar_in_office_hours(NULL, jst(2026, 6, 6, 10, 0), OPEN, CLOSE));   /* Saturday */
    assert_true(calendar_in_office_hours(&rules, jst(2026, 6, 6, 10, 0), OPEN, CLOSE));  /* 休日開庁 */
    assert_false(calendar_in_office_hours(NULL, jst(2026, 9, 22, 10, 0), OPEN, CLOSE));  /* 国民の休日 */
    assert_false(calendar_in_office_hours(NULL, jst(2026, 12, 29, 10, 0), OPEN, CLOSE)); /* year-end */
    /* 10:00 JST on Monday is 01:00 UTC the same day, 9:00 JST on Tuesday is 00:00 UTC. */
    assert_true(calendar_in_office_hours(NULL, jst(2026, 6, 9, 9, 0), OPEN, CLOSE));
    assert_int_equal(jst(2026, 6, 9, 9, 0) % MS_PER_DAY, 0);
    assert_false(calendar_in_office_hours(NULL, jst(2026, 6, 8, 10, 0), 600, 600));
    assert_false(calendar_in_office_hours(NULL, INT64_MAX, OPEN, CLOSE));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_days_are_holidays),
        cmocka_unit_test(test_computed_holidays_are_in_fixture),
        cmocka_unit_test(test_rules_by_year),
        cmocka_unit_test(test_year_list),
        cmocka_unit_test(test_weekday_and_dates),
        cmocka_unit_test(test_business_days),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_next_business_start),
        cmocka_unit_test(test_office_hours),
    };
    return cmocka_run_group_tests_name("policy/calendar", tests, load_fixture, NULL);
}
