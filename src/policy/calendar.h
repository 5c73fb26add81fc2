/*
 * Japan's calendar for a city office: national holidays, business days and office hours (pure: no I/O, no clock).
 *
 * National holidays follow 国民の祝日に関する法律 as it read in each year from 2000 to 2099, with the
 * one-off changes made by special laws (2019's enthronement, the 2020 and 2021 Olympic moves), so an old
 * year's list is what the city actually observed, not today's rules applied backwards. The equinox days
 * use the standard astronomical approximation; because they are only official when announced each
 * February, a city's rules may move any national holiday by an administrator override, and the derived
 * days (振替休日, 国民の休日) are then computed from the moved dates. Everything a city decides for itself
 * (year-end closure, extra closures, extra working days) lives in struct calendar_rules, which the caller
 * owns; this module keeps no state. Times are milliseconds since the epoch, read in Japan time (UTC+9,
 * no summer time) whatever the machine's time zone.
 */
#ifndef KAIRAN_POLICY_CALENDAR_H
#define KAIRAN_POLICY_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The years whose national holidays are known. Outside them only weekends and closures count. */
#define CALENDAR_YEAR_MIN 2000
#define CALENDAR_YEAR_MAX 2099
/* More than any year has (2019 had 22), so a buffer of this size always holds a whole year. */
#define CALENDAR_MAX_HOLIDAYS 32
/* The city's default office hours, in minutes after midnight Japan time: 8:30 to 17:15. */
#define CALENDAR_DEFAULT_START_MINUTE (8 * 60 + 30)
#define CALENDAR_DEFAULT_END_MINUTE (17 * 60 + 15)

struct calendar_date {
    int year, month, day;
};

/* One holiday. name is a static string, or borrowed from the override that added it. */
struct calendar_day {
    int year, month, day;
    const char *name;
};

/*
 * An administrator's change to one year's national holidays, applied before 振替休日 and 国民の休日
 * are derived. With month and day set, the law's holiday on that date moves to new_month/new_day, or
 * is dropped when new_month is 0. With month 0, a holiday named name is added on new_month/new_day
 * (for a future special law). name, when not NULL, also renames a moved holiday.
 */
struct calendar_override {
    int year;
    int month, day;
    int new_month, new_day;
    const char *name;
};

/*
 * A city's own calendar. All arrays are borrowed: they must outlive every call that is given the
 * rules. A zeroed struct means the defaults (year-end closure 12/29 to 1/3, nothing else). A date in
 * working_days is a business day even on a weekend, holiday or in the year-end closure (休日開庁, e.g.
 * for an election); a date in closures is closed whatever else is true, and wins when a date is in both.
 */
struct calendar_rules {
    int year_end_start;                   /* first closed day as MMDD (1229); 0 = 1229 */
    int year_end_end;                     /* last closed day as MMDD (103), may be in the next year; 0 = 103 */
    bool no_year_end;                     /* true: no year-end closure at all */
    const struct calendar_date *closures; /* extra closed days (Okinawa's 6/23, Hiroshima's 8/6) */
    size_t n_closures;
    const struct calendar_date *working_days;
    size_t n_working_days;
    const struct calendar_override *overrides;
    size_t n_overrides;
};

/* True when y-m-d is a real Gregorian date with year 1..9999. */
bool calendar_date_valid(int y, int m, int d);

/* Day of the week of a valid date: 0 = Sunday ... 6 = Saturday (-1 for an invalid date). */
int calendar_weekday(int y, int m, int d);

/*
 * Returns 1 when y-m-d is a national holiday by law (振替休日 and 国民の休日 included) and sets *name
 * (when name is not NULL) to its Japanese name, a static string; returns 0 otherwise, also for an
 * invalid date or a year outside CALENDAR_YEAR_MIN..CALENDAR_YEAR_MAX, leaving *name untouched.
 */
int calendar_holiday(int y, int m, int d, const char **name);

/*
 * Writes year y's national holidays by law, ascending, to out[0..max) and returns how many the year
 * has (more than max means the list was cut; CALENDAR_MAX_HOLIDAYS is always enough). Returns 0 for a
 * year outside the known range. out may be NULL when max is 0.
 */
size_t calendar_holidays_of_year(int y, struct calendar_day *out, size_t max);

/*
 * The same with the city's overrides applied (rules NULL: none), for listing holidays to users. Names
 * of added holidays are borrowed from the rules.
 */
size_t calendar_rules_holidays_of_year(const struct calendar_rules *rules, int y, struct calendar_day *out, size_t max);

/* True when y-m-d is a valid date on which the city's office is open. rules NULL means the defaults. */
bool calendar_is_business_day(const struct calendar_rules *rules, int y, int m, int d);

/*
 * True when now_epoch_ms falls in office hours: a business day, and a Japan-time minute in
 * [start_minute, end_minute). Minutes are after midnight, 0 <= start < end <= 1440; other values,
 * or a time outside years 1..9999, give false.
 */
bool calendar_in_office_hours(const struct calendar_rules *rules, int64_t now_epoch_ms, int start_minute, int end_minute);

/*
 * Sets *out_ms to the first moment at or after now_epoch_ms at which office hours are in effect: now
 * itself during office hours, today's start before it, otherwise the start of the next business day
 * (Friday 18:00 gives Monday 8:30, or Tuesday if Monday is a holiday). Returns 0, -EINVAL for bad
 * minutes (see calendar_in_office_hours) or a time outside years 1..9999, or -ENOENT when the rules
 * leave no business day within two years (then *out_ms is untouched).
 */
int calendar_next_business_start(const struct calendar_rules *rules, int64_t now_epoch_ms, int start_minute, int end_minute,
                                 int64_t *out_ms);

#endif
