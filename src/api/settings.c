/*
 * Settings administrators change while the server runs (the viewer watermark of R18, the PII
 * guard's optional kinds, the limits for staff phones of R19, and the cost of a printed sheet
 * for R24),
 * stored in the store's settings table so every node and restart sees the same values.
 */
#include "api/internal.h"
#include "policy/pii.h"

#include <stdio.h>
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* R19: the defaults for phones — the app lock after 5 minutes in the background, a phone's
 * session ends after 30 minutes without use and 12 hours after login (0: no limit).
 * R17: no message is kept on a phone unless the city allows an encrypted offline copy of the
 * last hours (phone_offline_cache_hours, 0: off), at most so many messages a room. */
static const struct {
    const char *key;
    int def, min, max;
    int zero_ok; /* 0 is allowed besides min..max (off, or "at once" for the lock) */
} phone_limits[] = {
    {"phone_lock_minutes", 5, 0, 60, 1},
    {"phone_idle_minutes", 30, 5, 1440, 1},
    {"phone_max_hours", 12, 1, 720, 1},
    {"phone_offline_cache_hours", 0, 1, 72, 1},
    {"phone_offline_cache_messages", 50, 10, 200, 0},
};

json_t *
api_client_settings(store_t *s)
{
    char *v = store_setting_get(s, "client");
    json_t *j = v ? json_loads(v, 0, NULL) : NULL;
    free(v);
    if (!json_is_object(j)) {
        json_decref(j);
        j = json_object();
    }
    if (!json_is_boolean(json_object_get(j, "watermark")))
        json_object_set_new(j, "watermark", json_false());
    /* R18: on staff's own phones the watermark is on unless the city turns it off. */
    if (!json_is_boolean(json_object_get(j, "phone_watermark")))
        json_object_set_new(j, "phone_watermark", json_true());
    /* Web Push needs the push services on the Internet: off unless the city turns it on. */
    if (!json_is_boolean(json_object_get(j, "web_push")))
        json_object_set_new(j, "web_push", json_false());
    for (size_t i = 0; i < sizeof(phone_limits) / sizeof(phone_limits[0]); i++)
        if (!json_is_integer(json_object_get(j, phone_limits[i].key)))
            json_object_set_new(j, phone_limits[i].key, json_integer(phone_limits[i].def));
    return j;
}

/* GET /api/v1/settings — what every client needs to know. */
static int
h_settings(struct api_req *r)
{
    return api_reply(r, 200, api_client_settings(r->thread->store));
}

struct set_ctx {
    json_t *changes;
};

static int
set_run(store_t *s, struct api_req *r, void *ctx)
{
    struct set_ctx *c = ctx;
    json_t *cur = api_client_settings(s);
    json_object_update(cur, c->changes);
    char *text = json_dumps(cur, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(cur);
    int rc = store_setting_set(s, "client", text);
    free(text);
    if (rc == 0)
        rc = api_audit(s, r, "settings.update", "settings", 0, 0, json_deep_copy(c->changes));
    return rc;
}

static void
set_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct set_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 200, api_client_settings(s));
    json_decref(c->changes);
    free(c);
}

/* PUT /api/v1/admin/settings {"watermark": bool, "phone_watermark": bool, "pii": {"credit_card": "block"|"warn"|"off", …},
 * "phone_lock_minutes", "phone_idle_minutes", "phone_max_hours", "phone_offline_cache_hours",
 * "phone_offline_cache_messages": integers, "paper_cost_per_sheet": yen} */
static int
h_settings_put(struct api_req *r)
{
    json_t *b = api_body_object(r), *changes = json_object(), *pii, *v;
    int wm;
    const char *k;
    char field[80];
    if (b == NULL) {
        json_decref(changes);
        return API_DONE;
    }
    int rc = api_field_bool(r, b, "watermark", &wm);
    if (rc < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(changes, "watermark", json_boolean(wm));
    /* R24: the cost of one printed sheet in yen, for the paper-saved figures. */
    if ((v = json_object_get(b, "paper_cost_per_sheet")) != NULL) {
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) >= 1000) {
            api_invalid(r, "paper_cost_per_sheet", "0 より大きく 1000 未満の円で指定してください。",
                        "must be a number of yen above 0 and below 1000.");
            goto fail;
        }
        json_object_set_new(changes, "paper_cost_per_sheet", json_real(json_number_value(v)));
    }
    if ((rc = api_field_bool(r, b, "phone_watermark", &wm)) < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(changes, "phone_watermark", json_boolean(wm));
    if ((rc = api_field_bool(r, b, "web_push", &wm)) < 0)
        goto fail;
    if (rc == 1)
        json_object_set_new(changes, "web_push", json_boolean(wm));
    for (size_t i = 0; i < sizeof(phone_limits) / sizeof(phone_limits[0]); i++) {
        json_t *n = json_object_get(b, phone_limits[i].key);
        if (n == NULL)
            continue;
        json_int_t x = json_is_integer(n) ? json_integer_value(n) : -1;
        /* 0 turns a limit off, except the lock, where 0 means "as soon as the app is left". */
        int zero = phone_limits[i].zero_ok && x == 0;
        if (!zero && (x < phone_limits[i].min || x > phone_limits[i].max)) {
            char ja[96], en[96];
            snprintf(ja, sizeof(ja), "%s%d〜%d の整数です。", phone_limits[i].zero_ok ? "0 または " : "", phone_limits[i].min,
                     phone_limits[i].max);
            snprintf(en, sizeof(en), "must be %san integer from %d to %d.", phone_limits[i].zero_ok ? "0 or " : "",
                     phone_limits[i].min, phone_limits[i].max);
            api_invalid(r, phone_limits[i].key, ja, en);
            goto fail;
        }
        json_object_set_new(changes, phone_limits[i].key, json_integer(x));
    }
    if ((pii = json_object_get(b, "pii")) != NULL) {
        if (!json_is_object(pii)) {
            api_invalid(r, "pii", "識別子ごとの設定のオブジェクトです。", "must be an object of identifier settings.");
            goto fail;
        }
        json_object_foreach(pii, k, v)
        {
            enum pii_kind kind = pii_kind_from_code(k, strlen(k));
            const char *m = json_string_value(v);
            snprintf(field, sizeof(field), "pii.%.60s", k);
            /* My Number is always guarded; the optional kinds are the administrators' choice. */
            if (kind == 0 || kind == PII_MY_NUMBER || kind == PII_MY_NUMBER_UNCONFIRMED) {
                api_invalid(r, field, "設定できる識別子ではありません。", "is not an identifier that can be set.");
                goto fail;
            }
            if (m == NULL || (strcmp(m, "block") && strcmp(m, "warn") && strcmp(m, "off"))) {
                api_invalid(r, field, "block, warn, off のいずれかです。", "must be block, warn or off.");
                goto fail;
            }
        }
        json_object_set(changes, "pii", pii);
    }
    if (json_object_size(changes) == 0) {
        api_invalid(r, "watermark", "変更する設定がありません。", "no setting to change.");
        goto fail;
    }
    json_decref(b);
    struct set_ctx *c = xcalloc(1, sizeof(*c));
    c->changes = changes;
    return api_write(r, set_run, set_done, c);
fail:
    json_decref(b);
    json_decref(changes);
    return API_DONE;
}

const struct api_op api_settings_ops[] = {
    {API_GET, "/api/v1/settings", API_PW_CHANGE_OK, h_settings},
    {API_PUT, "/api/v1/admin/settings", API_ADMIN, h_settings_put},
    {0, NULL, 0, NULL},
};
