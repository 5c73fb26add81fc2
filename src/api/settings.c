/*
 * Settings administrators change while the server runs (today: the viewer watermark of R18),
 * stored in the store's settings table so every node and restart sees the same values.
 */
#include "api/internal.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The settings object with defaults filled in; caller owns it. */
static json_t *
settings_json(store_t *s)
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
    return j;
}

/* GET /api/v1/settings — what every client needs to know. */
static int
h_settings(struct api_req *r)
{
    return api_reply(r, 200, settings_json(r->thread->store));
}

struct set_ctx {
    json_t *changes;
};

static int
set_run(store_t *s, struct api_req *r, void *ctx)
{
    struct set_ctx *c = ctx;
    json_t *cur = settings_json(s);
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
        api_reply(r, 200, settings_json(s));
    json_decref(c->changes);
    free(c);
}

/* PUT /api/v1/admin/settings {"watermark": bool} */
static int
h_settings_put(struct api_req *r)
{
    json_t *b = api_body_object(r);
    int wm;
    if (b == NULL)
        return API_DONE;
    int rc = api_field_bool(r, b, "watermark", &wm);
    json_decref(b);
    if (rc < 0)
        return API_DONE;
    if (rc == 0)
        return api_invalid(r, "watermark", "必須です。", "is required.");
    struct set_ctx *c = xcalloc(1, sizeof(*c));
    c->changes = json_pack("{sb}", "watermark", wm);
    return api_write(r, set_run, set_done, c);
}

const struct api_op api_settings_ops[] = {
    {API_GET, "/api/v1/settings", API_PW_CHANGE_OK, h_settings},
    {API_PUT, "/api/v1/admin/settings", API_ADMIN, h_settings_put},
    {0, NULL, 0, NULL},
};
