/*
 * Japan's calendar: national holidays by the law of each year, business days, office hours (see calendar.h).
 *
 * A year is computed in two steps, as the law itself is written. First the 国民の祝日 (第2条 and the
 * special laws), moved by the city's overrides; then the days the law derives from them, 振替休日
 * (第3条第2項) and 国民の休日 (第3条第3項), in the form each had that year: before 2007 a Sunday holiday
 * moved only to the Monday after it, and a day between two holidays was a holiday unless it was a
 * Sunday or that Monday; since 2007 the substitute is the next day that is not itself a 祝日. Deriving
 * after the overrides is the point of the split: moving an equinox can create or remove a 国民の休日.
 * Nothing is cached, because a year costs a few hundred operations and a cache would be mutable state.
 */
#include "policy/calendar.h"

#include <errno.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_MINUTE INT64_C(60000)
/* Japan Standard Time is UTC+9 all year (no summer time since 1951). */
#define JST_OFFSET_MS (9 * INT64_C(3600000))
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the dates calendar_date_valid() accepts. */
#define EPOCH_MS_MIN INT64_C(-62135596800000)
#define EPOCH_MS_MAX INT64_C(253402300799999)
/* How far calendar_next_business_start() looks before deciding the rules close every day. */
#define SEARCH_DAYS 732

/* The names the law gives. Kept in one place so that tests and callers compare the same strings. */
static const char N_GANJITSU[] = "元日";
static const char N_SEIJIN[] = "成人の日";
static const char N_KENKOKU[] = "建国記念の日";
static const char N_TENNO[] = "天皇誕生日";
static const char N_SHUNBUN[] = "春分の日";
static const char N_SHOWA[] = "昭和の日";
static const char N_KENPO[] = "憲法記念日";
static const char N_MIDORI[] = "みどりの日";
static const char N_KODOMO[] = "こどもの日";
static const char N_UMI[] = "海の日";
static const char N_YAMA[] = "山の日";
static const char N_KEIRO[] = "敬老の日";
static const char N_SHUBUN[] = "秋分の日";
static const char N_TAIIKU[] = "体育の日";
static const char N_SPORTS[] = "スポーツの日";
static const char N_BUNKA[] = "文化の日";
static const char N_KINRO[] = "勤労感謝の日";
static const char N_SOKUI[] = "即位の日";
static const char N_SOKUIREI[] = "即位礼正殿の儀の行われる日";
static const char N_FURIKAE[] = "振替休日";
static const char N_KOKUMIN[] = "国民の休日";

static bool
is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool
calendar_date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* The inverse of days_from_civil(). */
static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* 1970-01-01 was a Thursday (4). */
static int
weekday_of_days(int64_t days)
{
    int64_t w = (days + 4) % 7;

    return (int)(w < 0 ? w + 7 : w);
}

int
calendar_weekday(int y, int m, int d)
{
    if (!calendar_date_valid(y, m, d))
        return -1;
    return weekday_of_days(days_from_civil(y, m, d));
}

/* Day of the month of the n-th Monday of y-m (Happy Monday system, 祝日法 as amended 1998 and 2001). */
static int
nth_monday(int y, int m, int n)
{
    int w = weekday_of_days(days_from_civil(y, m, 1));

    return 1 + (8 - w) % 7 + 7 * (n - 1);
}

/*
 * The equinox days by the approximation valid 1980-2099 (see JAPAN-NOTES.md). The floor of a positive
 * value is a plain conversion; the constants keep it well clear of an integer for every year in range.
 */
static int
vernal_equinox(int y)
{
    return (int)(20.8431 + 0.242194 * (y - 1980) - (int)((y - 1980) / 4));
}

static int
autumnal_equinox(int y)
{
    return (int)(23.2488 + 0.242194 * (y - 1980) - (int)((y - 1980) / 4));
}

static void
add(struct calendar_day *out, size_t *n, int y, int m, int d, const char *name)
{
    if (*n < CALENDAR_MAX_HOLIDAYS)
        out[(*n)++] = (struct calendar_day){y, m, d, name};
}

/* The 国民の祝日 of year y as the law and the special laws of that year set them (unsorted). */
static size_t
law_holidays(int y, struct calendar_day *out)
{
    size_t n = 0;

    add(out, &n, y, 1, 1, N_GANJITSU);
    add(out, &n, y, 1, nth_monday(y, 1, 2), N_SEIJIN); /* Happy Monday since 2000 */
    add(out, &n, y, 2, 11, N_KENKOKU);
    if (y >= 2020)
        add(out, &n, y, 2, 23, N_TENNO);
    add(out, &n, y, 3, vernal_equinox(y), N_SHUNBUN);
    /* 4/29 was みどりの日 until 2006; from 2007 it is 昭和の日 and みどりの日 moved to 5/4. */
    add(out, &n, y, 4, 29, y <= 2006 ? N_MIDORI : N_SHOWA);
    /* 2019's enthronement law made these two days holidays treated as 祝日; 4/30 and 5/2 follow as 国民の休日. */
    if (y == 2019) {
        add(out, &n, y, 5, 1, N_SOKUI);
        add(out, &n, y, 10, 22, N_SOKUIREI);
    }
    add(out, &n, y, 5, 3, N_KENPO);
    if (y >= 2007)
        add(out, &n, y, 5, 4, N_MIDORI);
    add(out, &n, y, 5, 5, N_KODOMO);
    /* The Olympic special measures law moved 海の日, スポーツの日 and 山の日 in 2020 and again in 2021. */
    if (y == 2020) {
        add(out, &n, y, 7, 23, N_UMI);
        add(out, &n, y, 7, 24, N_SPORTS);
        add(out, &n, y, 8, 10, N_YAMA);
    } else if (y == 2021) {
        add(out, &n, y, 7, 22, N_UMI);
        add(out, &n, y, 7, 23, N_SPORTS);
        add(out, &n, y, 8, 8, N_YAMA);
    } else {
        add(out, &n, y, 7, y < 2003 ? 20 : nth_monday(y, 7, 3), N_UMI); /* Happy Monday since 2003 */
        if (y >= 2016)
            add(out, &n, y, 8, 11, N_YAMA);
        add(out, &n, y, 10, nth_monday(y, 10, 2), y < 2020 ? N_TAIIKU : N_SPORTS);
    }
    add(out, &n, y, 9, y < 2003 ? 15 : nth_monday(y, 9, 3), N_KEIRO); /* Happy Monday since 2003 */
    add(out, &n, y, 9, autumnal_equinox(y), N_SHUBUN);
    add(out, &n, y, 11, 3, N_BUNKA);
    add(out, &n, y, 11, 23, N_KINRO);
    if (y <= 2018)
        add(out, &n, y, 12, 23, N_TENNO);
    return n;
}

/* Applies the overrides for year y to the law's list in place; returns the new count. */
static size_t
apply_overrides(int y, struct calendar_day *days, size_t n, const struct calendar_override *ov, size_t n_ov)
{
    for (size_t i = 0; i < n_ov; i++) {
        const struct calendar_override *o = &ov[i];
        bool to_valid = o->new_month != 0 && calendar_date_valid(y, o->new_month, o->new_day);

        if (o->year != y)
            continue;
        if (o->month == 0) {
            if (to_valid && o->name != NULL)
                add(days, &n, y, o->new_month, o->new_day, o->name);
            continue;
        }
        for (size_t j = 0; j < n; j++) {
            if (days[j].month != o->month || days[j].day != o->day)
                continue;
            if (to_valid) {
                days[j].month = o->new_month;
                days[j].day = o->new_day;
                if (o->name != NULL)
                    days[j].name = o->name;
            } else if (o->new_month == 0) {
                days[j] = days[--n];
            }
            break;
        }
    }
    return n;
}

/*
 * Year y's holidays, law and overrides, derived days included, ascending. y must be in range. Two
 * overrides landing on the same date keep one entry, so a date never appears twice.
 */
static size_t
year_holidays(int y, const struct calendar_override *ov, size_t n_ov, struct calendar_day *out)
{
    struct calendar_day law[CALENDAR_MAX_HOLIDAYS];
    const char *shuku[367] = {0}; /* by day of the year, 0-based; one spare for the day after 12/31 */
    const char *derived[367] = {0};
    int64_t jan1 = days_from_civil(y, 1, 1);
    int len = is_leap(y) ? 366 : 365;
    int w0 = weekday_of_days(jan1);
    size_t n = law_holidays(y, law);

    n = apply_overrides(y, law, n, ov, n_ov);
    for (size_t i = 0; i < n; i++)
        shuku[days_from_civil(y, law[i].month, law[i].day) - jan1] = law[i].name;

    for (int i = 0; i < len; i++) {
        int j = i + 1;
        if (shuku[i] == NULL || (w0 + i) % 7 != 0)
            continue;
        if (y >= 2007) {
            while (j < len && shuku[j] != NULL)
                j++;
        } else if (shuku[j] != NULL) {
            continue; /* the old law moved only to Monday, and Monday was a holiday anyway */
        }
        if (j < len)
            derived[j] = N_FURIKAE;
    }
    for (int i = 1; i + 1 < len; i++)
        if (shuku[i] == NULL && derived[i] == NULL && shuku[i - 1] != NULL && shuku[i + 1] != NULL && (w0 + i) % 7 != 0)
            derived[i] = N_KOKUMIN;

    n = 0;
    for (int i = 0; i < len && n < CALENDAR_MAX_HOLIDAYS; i++) {
        const char *name = shuku[i] != NULL ? shuku[i] : derived[i];
        if (name != NULL) {
            int yy, m, d;
            civil_from_days(jan1 + i, &yy, &m, &d);
            out[n++] = (struct calendar_day){yy, m, d, name};
        }
    }
    return n;
}

static size_t
copy_year(const struct calendar_rules *rules, int y, struct calendar_day *out, size_t max)
{
    struct calendar_day days[CALENDAR_MAX_HOLIDAYS];
    size_t n;

    if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX)
        return 0;
    n = rules != NULL ? year_holidays(y, rules->overrides, rules->n_overrides, days) : year_holidays(y, NULL, 0, days);
    if (out != NULL)
        memcpy(out, days, (n < max ? n : max) * sizeof(*out));
    return n;
}

size_t
calendar_holidays_of_year(int y, struct calendar_day *out, size_t max)
{
    return copy_year(NULL, y, out, max);
}

size_t
calendar_rules_holidays_of_year(const struct calendar_rules *rules, int y, struct calendar_day *out, size_t max)
{
    return copy_year(rules, y, out, max);
}

/* The holiday's name on y-m-d under the rules' overrides, or NULL. */
static const char *
holiday_name(const struct calendar_rules *rules, int y, int m, int d)
{
    struct calendar_day days[CALENDAR_MAX_HOLIDAYS];
    size_t n;

    if (!calendar_date_valid(y, m, d))
        return NULL;
    n = copy_year(rules, y, days, CALENDAR_MAX_HOLIDAYS);
    for (size_t i = 0; i < n; i++)
        if (days[i].month == m && days[i].day == d)
            return days[i].name;
    return NULL;
}

int
calendar_holiday(int y, int m, int d, const char **name)
{
    const char *found = holiday_name(NULL, y, m, d);

    if (found == NULL)
        return 0;
    if (name != NULL)
        *name = found;
    return 1;
}

static bool
in_dates(const struct calendar_date *dates, size_t n, int y, int m, int d)
{
    for (size_t i = 0; i < n; i++)
        if (dates[i].year == y && dates[i].month == m && dates[i].day == d)
            return true;
    return false;
}

/* The closure may wrap into the next year (12/29..1/3) or not (a city closing 12/28..12/31 only). */
static bool
in_year_end(const struct calendar_rules *rules, int m, int d)
{
    int start = 1229, end = 103, mmdd = m * 100 + d;

    if (rules != NULL) {
        if (rules->no_year_end)
            return false;
        if (rules->year_end_start != 0)
            start = rules->year_end_start;
        if (rules->year_end_end != 0)
            end = rules->year_end_end;
    }
    if (start <= end)
        return mmdd >= start && mmdd <= end;
    return mmdd >= start || mmdd <= end;
}

bool
calendar_is_business_day(const struct calendar_rules *rules, int y, int m, int d)
{
    int w;

    if (!calendar_date_valid(y, m, d))
        return false;
    if (rules != NULL) {
        if (in_dates(rules->closures, rules->n_closures, y, m, d))
            return false;
        if (in_dates(rules->working_days, rules->n_working_days, y, m, d))
            return true;
    }
    w = calendar_weekday(y, m, d);
    if (w == 0 || w == 6 || in_year_end(rules, m, d))
        return false;
    return holiday_name(rules, y, m, d) == NULL;
}

static bool
business_day_number(const struct calendar_rules *rules, int64_t days)
{
    int y, m, d;

    civil_from_days(days, &y, &m, &d);
    return calendar_is_business_day(rules, y, m, d);
}

static bool
args_ok(int64_t now_ms, int start_minute, int end_minute)
{
    return start_minute >= 0 && start_minute < end_minute && end_minute <= 24 * 60 && now_ms >= EPOCH_MS_MIN &&
           now_ms <= EPOCH_MS_MAX;
}

/* Splits an epoch time into the Japan-time day number and the milliseconds into that day. */
static void
split_jst(int64_t now_ms, int64_t *day, int64_t *ms_of_day)
{
    int64_t local = now_ms + JST_OFFSET_MS;

    *day = local / MS_PER_DAY;
    *ms_of_day = local % MS_PER_DAY;
    if (*ms_of_day < 0) {
        *ms_of_day += MS_PER_DAY;
        (*day)--;
    }
}

bool
calendar_in_office_hours(const struct calendar_rules *rules, int64_t now_epoch_ms, int start_minute, int end_minute)
{
    int64_t day, ms;

    if (!args_ok(now_epoch_ms, start_minute, end_minute))
        return false;
    split_jst(now_epoch_ms, &day, &ms);
    return ms >= start_minute * MS_PER_MINUTE && ms < end_minute * MS_PER_MINUTE && business_day_number(rules, day);
}

int
calendar_next_business_start(const struct calendar_rules *rules, int64_t now_epoch_ms, int start_minute, int end_minute,
                             int64_t *out_ms)
{
    int64_t day, ms, start_ms = start_minute * MS_PER_MINUTE;

    if (!args_ok(now_epoch_ms, start_minute, end_minute))
        return -EINVAL;
    split_jst(now_epoch_ms, &day, &ms);
    if (ms < end_minute * MS_PER_MINUTE && business_day_number(rules, day)) {
        *out_ms = ms >= start_ms ? now_epoch_ms : day * MS_PER_DAY + start_ms - JST_OFFSET_MS;
        return 0;
    }
    for (int k = 1; k <= SEARCH_DAYS; k++) {
        if (business_day_number(rules, day + k)) {
            *out_ms = (day + k) * MS_PER_DAY + start_ms - JST_OFFSET_MS;
            return 0;
        }
    }
    return -ENOENT;
}
