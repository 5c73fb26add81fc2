/*
 * Office hours and Japan's calendar in the API (R14, R20): the calendar endpoints, the
 * administrators' closures and office-hours mode, the disaster switch, and the decision a send
 * gets outside office hours (send, warn, hold until the next business morning, or refuse).
 *
 * The rules themselves are pure (src/policy/calendar.c); this file loads the city's settings
 * from the store for each decision, so every node and restart sees the same rules. Time is
 * Japan time whatever the machine's zone; tests may shift the clock with
 * KAIRAN_TEST_CLOCK_OFFSET (seconds), honoured only when KAIRAN_TEST=1.
 */
#include "api/internal.h"
#include "policy/calendar.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t clock_offset_ms;

static void
read_offset(void)
{
    const char *t = getenv("KAIRAN_TEST"), *o = getenv("KAIRAN_TEST_CLOCK_OFFSET");
    if (t && !strcmp(t, "1") && o)
        clock_offset_ms = (int64_t)strtoll(o, NULL, 10) * 1000;
}

int64_t
api_now_ms(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_offset);
    return time_now_ms() + clock_offset_ms;
}

static json_t *
setting(store_t *s, const char *key)
{
    char *v = store_setting_get(s, key);
    json_t *j = v ? json_loads(v, 0, NULL) : NULL;
    free(v);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    return j;
}

/* "HH:MM" → minutes, or -1. */
static int
parse_hhmm(const char *s)
{
    int h, m;
    char tail;
    if (s == NULL || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || strlen(s) != 5 || h < 0 || h > 24 || m < 0 || m > 59 ||
        h * 60 + m > 24 * 60)
        return -1;
    return h * 60 + m;
}

/* "YYYY-MM-DD" → date, or -1. */
static int
parse_date(const char *s, struct calendar_date *d)
{
    char tail;
    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &d->year, &d->month, &d->day, &tail) != 3 ||
        !calendar_date_valid(d->year, d->month, d->day))
        return -1;
    return 0;
}

/* The city's calendar rules from the settings; the arrays are owned by *hold (json_decref). */
struct rules_buf {
    struct calendar_rules rules;
    struct calendar_date closures[400], working[100];
    struct calendar_override overrides[60];
    char names[60][64];
};

static void
load_rules(store_t *s, struct rules_buf *b)
{
    json_t *cal = setting(s, "calendar"), *e;
    size_t i;
    memset(b, 0, sizeof(*b));
    json_array_foreach(json_object_get(cal, "closures"), i, e)
    {
        if (b->rules.n_closures < 400 &&
            parse_date(json_string_value(json_object_get(e, "date")), &b->closures[b->rules.n_closures]) == 0)
            b->rules.n_closures++;
    }
    json_array_foreach(json_object_get(cal, "working_days"), i, e)
    {
        if (b->rules.n_working_days < 100 &&
            parse_date(json_string_value(json_object_get(e, "date")), &b->working[b->rules.n_working_days]) == 0)
            b->rules.n_working_days++;
    }
    /* A national holiday the government moved (an equinox announced a year ahead). */
    json_array_foreach(json_object_get(cal, "holiday_overrides"), i, e)
    {
        struct calendar_date from, to;
        if (b->rules.n_overrides >= 60 || parse_date(json_string_value(json_object_get(e, "date")), &from) != 0 ||
            parse_date(json_string_value(json_object_get(e, "new_date")), &to) != 0)
            continue;
        size_t k = b->rules.n_overrides++;
        snprintf(b->names[k], sizeof(b->names[k]), "%s", json_string_value(json_object_get(e, "name")) ?: "");
        b->overrides[k] =
            (struct calendar_override){from.year, from.month, from.day, to.month, to.day, b->names[k][0] ? b->names[k] : NULL};
    }
    b->rules.closures = b->closures;
    b->rules.working_days = b->working;
    b->rules.overrides = b->overrides;
    json_decref(cal);
}

struct office {
    int start, end;
    char mode[8]; /* off, warn, hold, block */
    int disaster;
    int refuse_phone_logins; /* R20: phones may not sign in outside office hours */
};

/*
 * The hours that apply to someone in department `dept`: the closest override on the way up
 * the department tree (a fire or hospital department may be always on), else the city's.
 */
static json_t *
hours_for(store_t *s, json_t *oh, int64_t dept)
{
    json_t *over = json_object_get(oh, "departments");
    if (!json_is_object(over) || json_object_size(over) == 0 || dept == 0)
        return oh;
    json_t *all = store_departments_json(s), *d;
    for (int guard = 0; dept != 0 && guard < 32; guard++) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)dept);
        json_t *o = json_object_get(over, key);
        if (json_is_object(o)) {
            json_decref(all);
            return o;
        }
        int64_t parent = 0;
        size_t i;
        json_array_foreach(all, i, d) if (json_integer_value(json_object_get(d, "id")) == dept) parent =
            json_integer_value(json_object_get(d, "parent_id"));
        dept = parent;
    }
    json_decref(all);
    return oh;
}

static void
load_office_for(store_t *s, int64_t dept, struct office *o)
{
    json_t *all = setting(s, "office_hours"), *dis = setting(s, "disaster");
    json_t *oh = hours_for(s, all, dept);
    int st = parse_hhmm(json_string_value(json_object_get(oh, "start")));
    int en = parse_hhmm(json_string_value(json_object_get(oh, "end")));
    const char *mode = json_string_value(json_object_get(oh, "mode"));
    o->start = st >= 0 ? st : CALENDAR_DEFAULT_START_MINUTE;
    o->end = en >= 0 ? en : CALENDAR_DEFAULT_END_MINUTE;
    snprintf(o->mode, sizeof(o->mode), "%s", mode ? mode : "off");
    o->disaster = json_is_true(json_object_get(dis, "on"));
    o->refuse_phone_logins = json_is_true(json_object_get(all, "refuse_phone_logins"));
    json_decref(all);
    json_decref(dis);
}

/*
 * The send path asks for the hours on every message: per thread, the city's hours and the
 * calendar rules are parsed once per change of the settings (their generation counter), and
 * only a department with hours of its own walks the tree.
 */
static __thread struct {
    store_t *store;
    int64_t generation;
    struct office city;
    int overrides; /* some department has hours of its own */
    int rules_loaded;
    struct rules_buf rules;
} oc;

static void
office_cache(store_t *s)
{
    int64_t gen = store_generation(s, "settings");
    if (oc.store == s && gen == oc.generation && gen != 0)
        return;
    oc.store = s;
    oc.generation = gen;
    oc.rules_loaded = 0;
    load_office_for(s, 0, &oc.city);
    json_t *all = setting(s, "office_hours"), *over = json_object_get(all, "departments");
    oc.overrides = json_is_object(over) && json_object_size(over) > 0;
    json_decref(all);
}

static void
load_office(store_t *s, struct office *o)
{
    office_cache(s);
    *o = oc.city;
}

/* The hours for someone in department `dept` (0: the city's). */
static void
office_of(store_t *s, int64_t dept, struct office *o)
{
    office_cache(s);
    if (dept == 0 || !oc.overrides)
        *o = oc.city;
    else
        load_office_for(s, dept, o);
}

/* The calendar rules (closures, working days), valid until the settings change. */
static const struct calendar_rules *
rules_of(store_t *s)
{
    office_cache(s);
    if (!oc.rules_loaded) {
        load_rules(s, &oc.rules);
        oc.rules_loaded = 1;
    }
    return &oc.rules.rules;
}

int
api_office_decision(struct api_req *r, int urgent, int64_t *held_until)
{
    struct office o;
    office_of(r->thread->store, r->user.department_id, &o);
    if (!strcmp(o.mode, "off") || o.disaster || urgent)
        return API_OFFICE_SEND;
    const struct calendar_rules *rules = rules_of(r->thread->store);
    int64_t now = api_now_ms();
    if (calendar_in_office_hours(rules, now, o.start, o.end))
        return API_OFFICE_SEND;
    if (!strcmp(o.mode, "warn"))
        return API_OFFICE_WARN;
    if (!strcmp(o.mode, "hold") && calendar_next_business_start(rules, now, o.start, o.end, held_until) == 0)
        return API_OFFICE_HOLD;
    char ja[200], en[200];
    snprintf(ja, sizeof(ja),
             "執務時間外（%02d:%02d〜%02d:%02d 以外・閉庁日）は送信できません。緊急の場合は「緊急」として送信してください。",
             o.start / 60, o.start % 60, o.end / 60, o.end % 60);
    snprintf(en, sizeof(en), "Messages cannot be sent outside office hours (%02d:%02d-%02d:%02d on business days) unless urgent.",
             o.start / 60, o.start % 60, o.end / 60, o.end % 60);
    api_error(r, 409, "outside_office_hours", ja, en);
    return API_OFFICE_REFUSED;
}

int
api_office_quiet(store_t *s, int64_t department_id)
{
    struct office o;
    office_of(s, department_id, &o);
    if (!strcmp(o.mode, "off") || o.disaster)
        return 0;
    return !calendar_in_office_hours(rules_of(s), api_now_ms(), o.start, o.end);
}

int
api_urgent_refused(struct api_req *r, int64_t room_id)
{
    json_t *oh = setting(r->thread->store, "office_hours"), *u = json_object_get(oh, "urgent"), *v;
    int allowed = !json_is_object(u); /* by default every member may */
    size_t i;
    json_array_foreach(json_object_get(u, "room_ids"), i, v) allowed |= json_integer_value(v) == room_id;
    json_array_foreach(json_object_get(u, "roles"), i, v)
    {
        const char *role = json_string_value(v);
        char mine[16];
        if (!role)
            continue;
        if (!strcmp(role, "admin"))
            allowed |= r->user.is_admin;
        else if (!strcmp(role, "dept_admin"))
            allowed |= r->user.dept_admin;
        else if (!strcmp(role, "owner"))
            allowed |= store_member_role(r->thread->store, room_id, r->user.id, mine) == 0 && !strcmp(mine, "owner");
    }
    json_decref(oh);
    if (allowed)
        return 0;
    api_error(r, 403, "urgent_forbidden", "このルームで緊急送信ができるのは、市が指定した人だけです。",
              "Only the people the city chose may send urgent messages in this room.");
    return 1;
}

int
api_office_refuses_login(struct api_req *r, int zone_refuses)
{
    struct office o;
    load_office(r->thread->store, &o);
    if (o.disaster)
        return 0;
    int phone = api_ua_is_phone(r->user_agent, r->user_agent_len);
    if (!(phone && o.refuse_phone_logins) && !zone_refuses)
        return 0;
    if (calendar_in_office_hours(rules_of(r->thread->store), api_now_ms(), o.start, o.end))
        return 0;
    api_error(r, 403, "login_outside_office_hours", "執務時間外はこの端末・ネットワークからログインできません。",
              "Signing in from this device or network is not allowed outside office hours.");
    return 1;
}

/* GET /api/v1/calendar/holidays?year=YYYY */
static int
h_holidays(struct api_req *r)
{
    int64_t year;
    int q = api_query_int(r, "year", CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX, &year);
    if (q == -2)
        return API_DONE;
    if (q == -1)
        return api_invalid(r, "year", "必須です（2000〜2099）。", "is required (2000-2099).");
    struct calendar_day days[CALENDAR_MAX_HOLIDAYS];
    size_t n = calendar_rules_holidays_of_year(rules_of(r->thread->store), (int)year, days, CALENDAR_MAX_HOLIDAYS);
    json_t *arr = json_array();
    for (size_t i = 0; i < n && i < CALENDAR_MAX_HOLIDAYS; i++) {
        char d[16];
        snprintf(d, sizeof(d), "%04d-%02d-%02d", days[i].year, days[i].month, days[i].day);
        json_array_append_new(arr, json_pack("{ss ss}", "date", d, "name", days[i].name));
    }
    return api_reply(r, 200, json_pack("{sI so}", "year", (json_int_t)year, "holidays", arr));
}

/* GET /api/v1/calendar — the city's rules as clients show them. */
static int
h_calendar(struct api_req *r)
{
    struct office o;
    load_office(r->thread->store, &o);
    json_t *cal = setting(r->thread->store, "calendar"), *dis = setting(r->thread->store, "disaster");
    char st[16], en[16];
    snprintf(st, sizeof(st), "%02d:%02d", o.start / 60, o.start % 60);
    snprintf(en, sizeof(en), "%02d:%02d", o.end / 60, o.end % 60);
    int64_t now = api_now_ms();
    json_t *out = json_pack(
        "{s{ss ss ss sb} so so so sb}", "office_hours", "start", st, "end", en, "mode", o.mode, "refuse_phone_logins",
        o.refuse_phone_logins, "closures",
        json_incref(json_object_get(cal, "closures")) ? json_object_get(cal, "closures") : json_array(), "working_days",
        json_incref(json_object_get(cal, "working_days")) ? json_object_get(cal, "working_days") : json_array(), "disaster",
        json_incref(dis), "in_office_hours", calendar_in_office_hours(rules_of(r->thread->store), now, o.start, o.end));
    json_t *ov = json_object_get(cal, "holiday_overrides");
    json_object_set(out, "holiday_overrides", json_is_array(ov) ? ov : json_array());
    json_decref(cal);
    json_decref(dis);
    return api_reply(r, 200, out);
}

struct set_ctx {
    char key[24];
    json_t *value;
    char action[40];
};

static int
set_run(store_t *s, struct api_req *r, void *ctx)
{
    struct set_ctx *c = ctx;
    char *text = json_dumps(c->value, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = store_setting_set(s, c->key, text);
    free(text);
    if (rc == 0)
        rc = api_audit(s, r, c->action, "settings", 0, 0, json_deep_copy(c->value));
    return rc;
}

static void
set_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct set_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 200, json_incref(c->value));
    json_decref(c->value);
    free(c);
}

static int
save(struct api_req *r, const char *key, json_t *value, const char *action)
{
    struct set_ctx *c = xcalloc(1, sizeof(*c));
    snprintf(c->key, sizeof(c->key), "%s", key);
    snprintf(c->action, sizeof(c->action), "%s", action);
    c->value = value;
    return api_write(r, set_run, set_done, c);
}

/* Reads {"start","end","mode"} (times default to 08:30–17:15); answers 400 naming the field.
 * `inherit` is a mode only for a department's own hours. */
static int
read_hours(struct api_req *r, json_t *b, int allow_inherit, const char **start, const char **end, const char **mode)
{
    *start = "08:30";
    *end = "17:15";
    *mode = NULL;
    if (api_field_str(r, b, "start", 5, 0, start) < 0 || api_field_str(r, b, "end", 5, 0, end) < 0 ||
        api_field_str(r, b, "mode", 8, 1, mode) < 0)
        return -1;
    int st = parse_hhmm(*start), en = parse_hhmm(*end);
    if (st < 0) {
        api_invalid(r, "start", "HH:MM で指定してください。", "must be HH:MM.");
        return -1;
    }
    if (en < 0 || en <= st) {
        api_invalid(r, "end", "HH:MM で、start より後にしてください。", "must be HH:MM after start.");
        return -1;
    }
    if ((strcmp(*mode, "inherit") || !allow_inherit) && strcmp(*mode, "off") && strcmp(*mode, "warn") && strcmp(*mode, "hold") &&
        strcmp(*mode, "block")) {
        api_invalid(r, "mode", "off, warn, hold, block（所属は inherit も）のいずれかです。",
                    "must be off, warn, hold or block (inherit for a department).");
        return -1;
    }
    return 0;
}

/* PUT /api/v1/admin/office-hours {"start":"08:30","end":"17:15","mode":"off|warn|hold|block"} */
static int
h_office_put(struct api_req *r)
{
    json_t *b = api_body_object(r);
    const char *start, *end, *mode;
    if (b == NULL)
        return API_DONE;
    if (read_hours(r, b, 0, &start, &end, &mode) != 0)
        goto fail;
    int refuse = 0;
    if (api_field_bool(r, b, "refuse_phone_logins", &refuse) < 0)
        goto fail;
    /* Who may send urgent messages: {"roles":[…],"room_ids":[…]}, or null for every member. */
    json_t *urgent = json_object_get(b, "urgent");
    if (urgent && !json_is_null(urgent)) {
        json_t *roles = json_object_get(urgent, "roles"), *rooms = json_object_get(urgent, "room_ids"), *x;
        size_t i;
        int ok = json_is_object(urgent) && (!roles || json_is_array(roles)) && (!rooms || json_is_array(rooms));
        json_array_foreach(roles, i, x) ok &=
            json_is_string(x) && (!strcmp(json_string_value(x), "owner") || !strcmp(json_string_value(x), "dept_admin") ||
                                  !strcmp(json_string_value(x), "admin"));
        json_array_foreach(rooms, i, x) ok &= json_is_integer(x) && json_integer_value(x) > 0;
        if (!ok) {
            api_invalid(r, "urgent", "{\"roles\": [owner, dept_admin, admin], \"room_ids\": [ルーム ID]} か null です。",
                        "must be {\"roles\": [owner|dept_admin|admin…], \"room_ids\": [ids]} or null.");
            goto fail;
        }
    }
    /* The city's hours; departments' own hours stay as they are. */
    json_t *v = setting(r->thread->store, "office_hours");
    json_t *city = json_pack("{ss ss ss sb}", "start", start, "end", end, "mode", mode, "refuse_phone_logins", refuse);
    json_object_update(v, city);
    json_decref(city);
    if (urgent && json_is_null(urgent))
        json_object_del(v, "urgent");
    else if (urgent)
        json_object_set(v, "urgent", urgent);
    json_decref(b);
    return save(r, "office_hours", v, "settings.office_hours");
fail:
    json_decref(b);
    return API_DONE;
}

/* PUT /api/v1/admin/office-hours/departments/{id} {"start","end","mode"} — a department's own
 * hours (and its sub-departments'); {"mode":"inherit"} removes the override. */
static int
h_office_dept(struct api_req *r)
{
    if (!store_department_exists(r->thread->store, r->params[0]))
        return api_not_found(r);
    json_t *b = api_body_object(r);
    const char *start, *end, *mode;
    if (b == NULL)
        return API_DONE;
    if (read_hours(r, b, 1, &start, &end, &mode) != 0)
        goto fail;
    json_t *all = setting(r->thread->store, "office_hours"), *over = json_object_get(all, "departments");
    if (!json_is_object(over)) {
        over = json_object();
        json_object_set_new(all, "departments", over);
    }
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)r->params[0]);
    if (!strcmp(mode, "inherit"))
        json_object_del(over, key);
    else
        json_object_set_new(over, key, json_pack("{ss ss ss}", "start", start, "end", end, "mode", mode));
    json_decref(b);
    return save(r, "office_hours", all, "settings.office_hours_department");
fail:
    json_decref(b);
    return API_DONE;
}

/* POST /api/v1/admin/calendar/closures {"date","name"} and …/working-days: add a day. */
static int
add_day(struct api_req *r, const char *list)
{
    json_t *b = api_body_object(r);
    const char *date = NULL, *name = "";
    struct calendar_date d;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "date", 10, 1, &date) < 0 || api_field_str(r, b, "name", 100, 0, &name) < 0)
        goto fail;
    if (parse_date(date, &d) != 0) {
        api_invalid(r, "date", "存在する日付を YYYY-MM-DD で指定してください。", "must be a real date, YYYY-MM-DD.");
        goto fail;
    }
    char today[32];
    time_format_jst(api_now_ms(), today);
    if (strncmp(date, today, 10) < 0) {
        api_invalid(r, "date", "過去の日付は指定できません。", "must not be in the past.");
        goto fail;
    }
    json_t *cal = setting(r->thread->store, "calendar"), *arr = json_object_get(cal, list), *e;
    size_t i;
    if (!json_is_array(arr)) {
        arr = json_array();
        json_object_set_new(cal, list, arr);
    }
    json_array_foreach(arr, i, e) if (!strcmp(json_string_value(json_object_get(e, "date")) ?: "", date))
    {
        json_decref(cal);
        api_error(r, 409, "conflict", "その日は既に登録されています。", "That day is already listed.");
        goto fail;
    }
    if (json_array_size(arr) >= 300) {
        json_decref(cal);
        api_invalid(r, "date", "登録できる日数の上限です。", "too many days listed.");
        goto fail;
    }
    json_array_append_new(arr, json_pack("{ss ss}", "date", date, "name", name));
    json_decref(b);
    return save(r, "calendar", cal, !strcmp(list, "closures") ? "calendar.closure_add" : "calendar.working_day_add");
fail:
    json_decref(b);
    return API_DONE;
}

/* POST /api/v1/admin/calendar/holiday-overrides {"date","new_date","name"?}: a national holiday of
 * the law moved to another day of the same year (the equinoxes are announced a year ahead), 振替休日
 * and 国民の休日 then derived from the new date. The same date again replaces the earlier move. */
static int
h_holiday_override(struct api_req *r)
{
    json_t *b = api_body_object(r);
    const char *date = NULL, *new_date = NULL, *name = "", *law_name = NULL;
    struct calendar_date d, nd;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "date", 10, 1, &date) < 0 || api_field_str(r, b, "new_date", 10, 1, &new_date) < 0 ||
        api_field_str(r, b, "name", 60, 0, &name) < 0)
        goto fail;
    if (parse_date(date, &d) != 0 || !calendar_holiday(d.year, d.month, d.day, &law_name)) {
        api_invalid(r, "date", "法律で定められた祝日の日付を YYYY-MM-DD で指定してください。",
                    "must be a national holiday, YYYY-MM-DD.");
        goto fail;
    }
    if (parse_date(new_date, &nd) != 0 || nd.year != d.year) {
        api_invalid(r, "new_date", "同じ年の日付を YYYY-MM-DD で指定してください。",
                    "must be a date of the same year, YYYY-MM-DD.");
        goto fail;
    }
    json_t *cal = setting(r->thread->store, "calendar"), *arr = json_object_get(cal, "holiday_overrides");
    if (!json_is_array(arr)) {
        arr = json_array();
        json_object_set_new(cal, "holiday_overrides", arr);
    }
    for (size_t i = json_array_size(arr); i-- > 0;)
        if (!strcmp(json_string_value(json_object_get(json_array_get(arr, i), "date")) ?: "", date))
            json_array_remove(arr, i);
    json_array_append_new(arr, json_pack("{ss ss ss}", "date", date, "new_date", new_date, "name", *name ? name : law_name));
    json_decref(b);
    return save(r, "calendar", cal, "calendar.holiday_override");
fail:
    json_decref(b);
    return API_DONE;
}

static int
h_closure_add(struct api_req *r)
{
    return add_day(r, "closures");
}

static int
h_working_day_add(struct api_req *r)
{
    return add_day(r, "working_days");
}

/* PUT /api/v1/admin/disaster {"on": bool, "note"} — 災害モード lifts the hold for everyone. */
static int
h_disaster(struct api_req *r)
{
    json_t *b = api_body_object(r);
    int on = 0;
    const char *note = "";
    if (b == NULL)
        return API_DONE;
    if (api_field_bool(r, b, "on", &on) < 0 || api_field_str(r, b, "note", 200, 0, &note) < 0) {
        json_decref(b);
        return API_DONE;
    }
    char since[32];
    json_t *v = json_pack("{sb ss ss}", "on", on, "note", note, "since", time_format_jst(api_now_ms(), since));
    json_decref(b);
    return save(r, "disaster", v, on ? "disaster.on" : "disaster.off");
}

const struct api_op api_office_ops[] = {
    {API_GET, "/api/v1/calendar/holidays", 0, h_holidays},
    {API_GET, "/api/v1/calendar", 0, h_calendar},
    {API_PUT, "/api/v1/admin/office-hours", API_ADMIN, h_office_put},
    {API_PUT, "/api/v1/admin/office-hours/departments/{}", API_ADMIN, h_office_dept},
    {API_POST, "/api/v1/admin/calendar/closures", API_ADMIN, h_closure_add},
    {API_POST, "/api/v1/admin/calendar/holiday-overrides", API_ADMIN, h_holiday_override},
    {API_POST, "/api/v1/admin/calendar/working-days", API_ADMIN, h_working_day_add},
    {API_PUT, "/api/v1/admin/disaster", API_ADMIN, h_disaster},
    {0, NULL, 0, NULL},
};
