/*
 * Network zones (R17): a city's office PCs sit on the LGWAN side while staff phones come from
 * the Internet, usually through a reverse proxy. Administrators name zones by address range
 * and set, per zone, whether Kairan may be used at all, whether files may be downloaded or
 * only viewed, whether TOTP is required, and whether logins outside office hours are refused.
 * The client's address is the peer's, or — only when the peer is a trusted proxy — the last
 * address its X-Forwarded-For names.
 *
 * The settings are parsed once per thread and kept until the store's settings generation
 * moves, so a request pays one small query, not a JSON parse.
 */
#include "api/internal.h"
#include "util/cidr.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ZONES 32
#define MAX_RANGES 64

struct zone_def {
    struct api_zone z;
    struct cidr ranges[MAX_RANGES];
    int nranges;
};

static __thread struct zones_cache {
    int64_t generation;
    int configured;
    struct cidr proxies[MAX_RANGES];
    int nproxies;
    struct zone_def zones[MAX_ZONES];
    int nzones;
    struct api_zone fallback;
} * zc;

static void
rules_of(json_t *o, struct api_zone *z, const char *default_name)
{
    const char *name = json_string_value(json_object_get(o, "name"));
    snprintf(z->name, sizeof(z->name), "%s", name ? name : default_name);
    json_t *v;
    z->allowed = (v = json_object_get(o, "allowed")) ? json_is_true(v) : 1;
    z->download = (v = json_object_get(o, "download")) ? json_is_true(v) : 1;
    z->totp_required = json_is_true(json_object_get(o, "totp_required"));
    z->refuse_outside_hours = json_is_true(json_object_get(o, "refuse_outside_hours"));
}

static void
load(store_t *s)
{
    if (zc == NULL)
        zc = xcalloc(1, sizeof(*zc));
    int64_t gen = store_generation(s, "settings");
    if (gen == zc->generation && gen != 0)
        return;
    memset(zc, 0, sizeof(*zc));
    zc->generation = gen;
    rules_of(NULL, &zc->fallback, "");
    char *text = store_setting_get(s, "zones");
    json_t *j = text ? json_loads(text, 0, NULL) : NULL, *v;
    free(text);
    size_t i, k;
    if (json_is_object(j)) {
        zc->configured = 1;
        json_array_foreach(json_object_get(j, "trusted_proxies"), i,
                           v) if (zc->nproxies < MAX_RANGES && json_is_string(v) &&
                                  cidr_parse(json_string_value(v), &zc->proxies[zc->nproxies]) == 0) zc->nproxies++;
        json_array_foreach(json_object_get(j, "zones"), i, v)
        {
            if (zc->nzones >= MAX_ZONES)
                break;
            struct zone_def *d = &zc->zones[zc->nzones++];
            rules_of(v, &d->z, "zone");
            json_t *c;
            json_array_foreach(json_object_get(v, "cidrs"), k,
                               c) if (d->nranges < MAX_RANGES &&
                                      cidr_parse(json_string_value(c) ?: "", &d->ranges[d->nranges]) == 0) d->nranges++;
        }
        rules_of(json_object_get(j, "default"), &zc->fallback, "default");
    }
    json_decref(j);
}

void
api_client_address(struct api_req *r, char *out, size_t size)
{
    snprintf(out, size, "%s", r->peer);
    load(r->thread->store);
    if (r->forwarded_for == NULL || r->forwarded_for_len == 0)
        return;
    int trusted = 0;
    for (int i = 0; i < zc->nproxies && !trusted; i++)
        trusted = cidr_contains(&zc->proxies[i], r->peer);
    if (!trusted)
        return;
    /* The proxy appends the address it saw last: take the last entry. */
    const char *f = r->forwarded_for, *end = f + r->forwarded_for_len, *last = f;
    for (const char *p = f; p < end; p++)
        if (*p == ',')
            last = p + 1;
    while (last < end && *last == ' ')
        last++;
    size_t n = (size_t)(end - last);
    while (n > 0 && last[n - 1] == ' ')
        n--;
    if (n > 0 && n < size) {
        memcpy(out, last, n);
        out[n] = '\0';
    }
}

int
api_zone_of(struct api_req *r, struct api_zone *out)
{
    load(r->thread->store);
    if (!zc->configured) {
        memset(out, 0, sizeof(*out));
        out->allowed = out->download = 1;
        return 0;
    }
    for (int i = 0; i < zc->nzones; i++)
        for (int k = 0; k < zc->zones[i].nranges; k++)
            if (cidr_contains(&zc->zones[i].ranges[k], r->client)) {
                *out = zc->zones[i].z;
                return 1;
            }
    *out = zc->fallback;
    return 1;
}

int
api_zone_refuses(struct api_req *r, struct api_zone *z)
{
    if (z->allowed)
        return 0;
    api_error(r, 403, "zone_forbidden", "このネットワークからは利用できません。", "Kairan cannot be used from this network.");
    return 1;
}

/* PUT /api/v1/admin/zones {"trusted_proxies":[…],"zones":[{"name","cidrs":[…],"allowed","download",
 * "totp_required","refuse_outside_hours"}],"default":{…}} — null clears the zones. */
struct zctx {
    char *text;
};

static int
zones_run(store_t *s, struct api_req *r, void *ctx)
{
    struct zctx *c = ctx;
    int rc = store_setting_set(s, "zones", c->text);
    if (rc == 0)
        rc = api_audit(s, r, "settings.zones", "settings", 0, 0, json_loads(c->text, 0, NULL));
    return rc;
}

static void
zones_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct zctx *c = ctx;
    if (status == 0)
        api_reply(r, 200, json_loads(c->text, 0, NULL));
    free(c->text);
    free(c);
}

static int
bad(struct api_req *r, const char *field, json_t *b)
{
    json_decref(b);
    return api_invalid(r, field, "アドレス範囲（CIDR）や設定の形式が正しくありません。", "has an invalid address range or rule.");
}

static int
h_zones_put(struct api_req *r)
{
    json_t *b = api_body_object(r), *v, *c;
    size_t i, k;
    struct cidr tmp;
    if (b == NULL)
        return API_DONE;
    json_t *proxies = json_object_get(b, "trusted_proxies"), *zones = json_object_get(b, "zones");
    if (proxies && !json_is_array(proxies))
        return bad(r, "trusted_proxies", b);
    json_array_foreach(proxies, i, v) if (!json_is_string(v) ||
                                          cidr_parse(json_string_value(v), &tmp) != 0) return bad(r, "trusted_proxies", b);
    if (!json_is_array(zones) || json_array_size(zones) > MAX_ZONES)
        return bad(r, "zones", b);
    json_array_foreach(zones, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        json_t *cidrs = json_object_get(v, "cidrs");
        if (!json_is_object(v) || name == NULL || !name[0] || strlen(name) >= 64 || strpbrk(name, "\"\\") ||
            !json_is_array(cidrs) || json_array_size(cidrs) > MAX_RANGES)
            return bad(r, "zones", b);
        json_array_foreach(cidrs, k, c) if (!json_is_string(c) ||
                                            cidr_parse(json_string_value(c), &tmp) != 0) return bad(r, "zones.cidrs", b);
    }
    struct zctx *ctx = xcalloc(1, sizeof(*ctx));
    ctx->text = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(b);
    return api_write(r, zones_run, zones_done, ctx);
}

static int
h_zones_get(struct api_req *r)
{
    char *text = store_setting_get(r->thread->store, "zones");
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return api_reply(r, 200, j ? j : json_object());
}

const struct api_op api_zones_ops[] = {
    {API_GET, "/api/v1/admin/zones", API_ADMIN, h_zones_get},
    {API_PUT, "/api/v1/admin/zones", API_ADMIN, h_zones_put},
    {0, NULL, 0, NULL},
};
