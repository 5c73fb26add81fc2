/*
 * The paper saved (R24): for every note with attached documents, its pages times the distinct
 * people other than its author who opened it on screen are sheets not printed. They count for
 * the department of the note's room (a department room's own, else that of its first owner)
 * in the month (Japan time) each person first opened it. Yen = round(sheets × the cost per
 * sheet the city sets; by default the guide's own figure, ¥21,643 / 8,778 sheets). A note
 * whose page count cannot be read is listed as unknown and never counted as zero.
 */
#include "api/internal.h"
#include "util/strbuf.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_COST (21643.0 / 8778.0)

static double
cost_per_sheet(store_t *s)
{
    /* Set with PUT /api/v1/admin/settings {"paper_cost_per_sheet": yen}. */
    char *v = store_setting_get(s, "client");
    json_t *j = v ? json_loads(v, 0, NULL) : NULL;
    free(v);
    double c = json_number_value(json_object_get(j, "paper_cost_per_sheet"));
    json_decref(j);
    return c > 0 && c < 1000 ? c : DEFAULT_COST;
}

/* "YYYY-MM" → the first millisecond of that month in Japan; -1 if not a month. */
static int64_t
month_start(const char *s, int *y, int *m)
{
    if (strlen(s) != 7 || s[4] != '-' || sscanf(s, "%4d-%2d", y, m) != 2 || *y < 2000 || *y > 2099 || *m < 1 || *m > 12)
        return -1;
    char iso[40];
    snprintf(iso, sizeof(iso), "%04d-%02d-01T00:00:00+09:00", *y, *m);
    int64_t ms;
    return time_parse(iso, &ms) == 0 ? ms : -1;
}

struct agg {
    json_t *dept;    /* department id (as text) → {department_id, department, sheets} */
    json_t *month;   /* "YYYY-MM" → sheets */
    json_t *unknown; /* note id (as text) → {note_id, room_id, title} */
    int64_t sheets;
};

static int
add_row(void *arg, const struct store_paper_row *row)
{
    struct agg *a = arg;
    char key[32];
    if (row->pages < 0) {
        snprintf(key, sizeof(key), "%lld", (long long)row->note_id);
        if (!json_object_get(a->unknown, key))
            json_object_set_new(a->unknown, key,
                                json_pack("{sI sI ss}", "note_id", (json_int_t)row->note_id, "room_id", (json_int_t)row->room_id,
                                          "title", row->title));
        return 0;
    }
    a->sheets += row->pages;
    snprintf(key, sizeof(key), "%lld", (long long)row->department_id);
    json_t *d = json_object_get(a->dept, key);
    if (d == NULL) {
        d = json_pack("{so ss sI}", "department_id", row->department_id ? json_integer(row->department_id) : json_null(),
                      "department", row->department_id ? row->department : "（部署なし）", "sheets", (json_int_t)0);
        json_object_set_new(a->dept, key, d);
    }
    json_object_set_new(d, "sheets", json_integer(json_integer_value(json_object_get(d, "sheets")) + row->pages));
    char when[32];
    time_format_jst(row->opened_at, when);
    when[7] = '\0';
    json_t *mo = json_object_get(a->month, when);
    json_object_set_new(a->month, when, json_integer((mo ? json_integer_value(mo) : 0) + row->pages));
    return 0;
}

static json_int_t
yen(int64_t sheets, double cost)
{
    return (json_int_t)llround((double)sheets * cost);
}

static json_t *
figures(store_t *s, int64_t from, int64_t to, double cost)
{
    struct agg a = {json_object(), json_object(), json_object(), 0};
    store_paper_rows(s, from, to, add_row, &a);
    json_t *by_dept = json_array(), *by_month = json_array(), *unknown = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(a.dept, k, v)
    {
        json_object_set_new(v, "yen", json_integer(yen(json_integer_value(json_object_get(v, "sheets")), cost)));
        json_array_append(by_dept, v);
    }
    /* Months in order: JSON objects keep insertion order, and rows come by time. */
    json_object_foreach(a.month, k, v)
        json_array_append_new(by_month, json_pack("{ss sI sI}", "month", k, "sheets", (json_int_t)json_integer_value(v), "yen",
                                                  yen(json_integer_value(v), cost)));
    json_object_foreach(a.unknown, k, v) json_array_append(unknown, v);
    json_t *out = json_pack("{sI sI so so so}", "sheets", (json_int_t)a.sheets, "yen", yen(a.sheets, cost), "by_department",
                            by_dept, "by_month", by_month, "unknown", unknown);
    json_decref(a.dept);
    json_decref(a.month);
    json_decref(a.unknown);
    return out;
}

/* UTF-8 to CP932 for older Excel; what CP932 cannot hold becomes 〓 (JAPAN-NOTES). */
static char *
to_cp932(const char *in, size_t len, size_t *outlen)
{
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 2 + 16, left = cap;
    char *out = xmalloc(cap), *o = out;
    char *ip = (char *)in;
    size_t il = len;
    while (il > 0) {
        if (iconv(cd, &ip, &il, &o, &left) != (size_t)-1)
            break;
        if (errno == EILSEQ || errno == EINVAL) {
            /* Skip one UTF-8 character and write 〓 (0x81 0xAC) in its place. */
            size_t n = 1;
            while (n < il && ((unsigned char)ip[n] & 0xC0) == 0x80)
                n++;
            ip += n;
            il -= n;
            if (left < 2)
                break;
            *o++ = (char)0x81;
            *o++ = (char)0xAC;
            left -= 2;
        } else {
            break;
        }
    }
    iconv_close(cd);
    *outlen = (size_t)(o - out);
    return out;
}

/* A CSV field, quoted, with its quotes doubled. */
static void
csv_field(struct sb *b, const char *s)
{
    sb_str(b, "\"");
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        sb_add(b, s, (size_t)(q - s + 1));
        sb_str(b, "\"");
    }
    sb_str(b, s);
    sb_str(b, "\"");
}

/* One line per department and month, then totals: what a manager pastes into a report. */
static int
reply_csv(struct api_req *r, store_t *s, int64_t from, int64_t to, double cost, int cp932, const char *from_s, const char *to_s)
{
    struct sb b = {0};
    sb_str(&b, cp932 ? "" : "\xEF\xBB\xBF");
    sb_str(&b, "\"月\",\"部署\",\"削減枚数\",\"削減額（円）\"\r\n");
    /* Per month and department: one pass per month keeps the store query simple. */
    int y, m;
    int64_t start = month_start(from_s, &y, &m);
    int64_t total = 0;
    while (start < to) {
        int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        char next[32], label[32];
        snprintf(next, sizeof(next), "%04d-%02d", ny, nm);
        snprintf(label, sizeof(label), "%04d-%02d", y, m);
        int64_t end = month_start(next, &ny, &nm);
        json_t *f = figures(s, start, end, cost);
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(f, "by_department"), i, d)
        {
            csv_field(&b, label);
            sb_str(&b, ",");
            csv_field(&b, json_string_value(json_object_get(d, "department")));
            sb_fmt(&b, ",%lld,%lld\r\n", (long long)json_integer_value(json_object_get(d, "sheets")),
                   (long long)json_integer_value(json_object_get(d, "yen")));
        }
        total += json_integer_value(json_object_get(f, "sheets"));
        json_decref(f);
        start = end;
        y = ny;
        m = nm;
    }
    sb_fmt(&b, "\"合計\",\"\",%lld,%lld\r\n", (long long)total, (long long)yen(total, cost));
    char *buf = b.p;
    size_t len = b.n;
    if (cp932) {
        size_t n;
        char *enc = to_cp932(buf, len, &n);
        free(buf);
        if (enc == NULL)
            return api_error(r, 500, "internal", "CP932 に変換できませんでした。", "CP932 conversion failed.");
        buf = enc;
        len = n;
    }
    r->status = 200;
    r->file.data = buf;
    r->file.data_len = len;
    r->file.type = xstrdup(cp932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8");
    char name[64];
    snprintf(name, sizeof(name), "paper-saved-%s-%s.csv", from_s, to_s);
    r->file.disposition = api_content_disposition(name, 0);
    return API_DONE;
}

static int
h_paper(struct api_req *r)
{
    if (!r->user.is_admin && !r->user.dept_admin)
        return api_error(r, 403, "forbidden", "管理職（所属管理者）と管理者だけが見られます。",
                         "Only department administrators and administrators see this.");
    char from_s[16] = "", to_s[16] = "", format[8] = "", enc[16] = "";
    char now_s[32];
    time_format_jst(api_now_ms(), now_s);
    if (api_query(r, "from", from_s, sizeof(from_s)) < 0) {
        /* The city's fiscal year (年度) starts in April. */
        int y = atoi(now_s), m = atoi(now_s + 5);
        snprintf(from_s, sizeof(from_s), "%04d-04", m >= 4 ? y : y - 1);
    }
    if (api_query(r, "to", to_s, sizeof(to_s)) < 0)
        snprintf(to_s, sizeof(to_s), "%.7s", now_s);
    api_query(r, "format", format, sizeof(format));
    api_query(r, "encoding", enc, sizeof(enc));
    int fy, fm, ty, tm;
    int64_t from = month_start(from_s, &fy, &fm), to_first = month_start(to_s, &ty, &tm);
    if (from < 0)
        return api_invalid(r, "from", "YYYY-MM の形式で指定してください。", "must be a month as YYYY-MM.");
    if (to_first < 0)
        return api_invalid(r, "to", "YYYY-MM の形式で指定してください。", "must be a month as YYYY-MM.");
    if (to_first < from)
        return api_invalid(r, "to", "from より後の月にしてください。", "must not be before from.");
    if (ty * 12 + tm - (fy * 12 + fm) > 120)
        return api_invalid(r, "to", "期間は 10 年までです。", "the period is at most ten years.");
    if (*format && strcmp(format, "json") && strcmp(format, "csv"))
        return api_invalid(r, "format", "json か csv です。", "must be json or csv.");
    if (*enc && strcasecmp(enc, "utf-8") && strcasecmp(enc, "cp932"))
        return api_invalid(r, "encoding", "utf-8 か cp932 です。", "must be utf-8 or cp932.");
    char next[32];
    snprintf(next, sizeof(next), "%04d-%02d", tm == 12 ? ty + 1 : ty, tm == 12 ? 1 : tm + 1);
    int64_t to = month_start(next, &ty, &tm);
    store_t *s = r->thread->store;
    double cost = cost_per_sheet(s);
    if (!strcmp(format, "csv"))
        return reply_csv(r, s, from, to, cost, !strcasecmp(enc, "cp932"), from_s, to_s);
    json_t *out = figures(s, from, to, cost);
    /* A department administrator sees which notes could not be counted, but not the titles of
     * rooms they are not in. */
    if (!r->user.is_admin) {
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(out, "unknown"), i, u)
        {
            if (store_member_role(s, json_integer_value(json_object_get(u, "room_id")), r->user.id, NULL) != 0)
                json_object_set_new(u, "title", json_null());
        }
    }
    json_t *all = figures(s, 0, INT64_MAX, cost);
    json_object_set_new(out, "from", json_string(from_s));
    json_object_set_new(out, "to", json_string(to_s));
    json_object_set_new(out, "cost_per_sheet", json_real(cost));
    json_object_set_new(out, "since_adoption",
                        json_pack("{sO sO}", "sheets", json_object_get(all, "sheets"), "yen", json_object_get(all, "yen")));
    json_decref(all);
    return api_reply(r, 200, out);
}

const struct api_op api_paper_ops[] = {
    {API_GET, "/api/v1/paper-saved", 0, h_paper},
    {0, NULL, 0, NULL},
};
