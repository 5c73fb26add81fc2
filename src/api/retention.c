/*
 * Records management (R15): rooms are classified as work (public records) or casual, each is
 * kept for a period that mirrors the city's document retention classes, and a legal hold on a
 * room under a disclosure request stops every purge.
 *
 * The purge runs from the held-message thread once an hour (and at start): a writer job
 * removes, per room, the messages older than the room's period — content, edits, mentions and
 * attachments — and audits how many. Nothing is purged from a room without a period or under
 * a hold.
 */
#include "api/internal.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

struct purge_ctx {
    char **hashes;
    size_t nhashes;
    int total;
};

static int
purge_run(store_t *s, struct api_req *r, void *ctx)
{
    struct purge_ctx *c = ctx;
    int64_t *rooms = NULL, *days = NULL;
    size_t n = 0;
    (void)r;
    /* Several nodes: the hourly pass runs on one, the holder of the lease (65 minutes, so the
     * holder's next pass renews it; a node that stops cleanly gives it up). */
    int rc = store_lease(s, "retention", api_node(), api_now_ms(), 65LL * 60 * 1000);
    if (rc != 1)
        return rc < 0 ? rc : 0;
    rc = store_retention_rooms(s, &rooms, &days, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        int count = 0;
        char **h = NULL;
        size_t nh = 0;
        int64_t cutoff = api_now_ms() - days[i] * TIME_DAY_MS;
        rc = store_retention_purge(s, rooms[i], cutoff, 5000, &count, &h, &nh);
        if (rc == 0 && count > 0)
            rc = api_audit(s, NULL, "retention.purge", "room", rooms[i], rooms[i],
                           json_pack("{si sI}", "messages", count, "retention_days", (json_int_t)days[i]));
        for (size_t k = 0; k < nh; k++) {
            c->hashes = xrealloc(c->hashes, (c->nhashes + 1) * sizeof(char *));
            c->hashes[c->nhashes++] = h[k];
        }
        free(h);
        c->total += count;
    }
    free(rooms);
    free(days);
    return rc;
}

static void
purge_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct purge_ctx *c = ctx;
    if (status == 0 && c->total > 0) {
        api_blobs_gc(s, c->hashes, c->nhashes);
        store_checkpoint(s); /* purged content must not linger in the WAL */
        log_info("retention.purged", "messages=%d", c->total);
    }
    store_free_strings(c->hashes, c->nhashes);
    free(c);
}

void
api_retention_pass(void)
{
    api_write_detached(purge_run, purge_done, xcalloc(1, sizeof(struct purge_ctx)));
}

struct records_ctx {
    int64_t room_id, days;
    char classification[16];
    int hold, reminder;
};

static int
records_run(store_t *s, struct api_req *r, void *ctx)
{
    struct records_ctx *c = ctx;
    int rc = store_room_records_set(s, c->room_id, c->classification, c->days, c->hold, c->reminder);
    if (rc == 0)
        rc = api_audit(s, r, "room.records", "room", c->room_id, c->room_id,
                       json_pack("{ss sI sb}", "classification", c->classification, "retention_days", (json_int_t)c->days,
                                 "legal_hold", c->hold));
    return rc;
}

static void
records_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct records_ctx *c = ctx;
    if (status == 0)
        api_reply(r, 200, store_room_public_json(s, c->room_id));
    free(c);
}

/* PUT /api/v1/admin/rooms/{id}/records {"classification":"work"|"casual","retention_days":N|null,"legal_hold":bool} */
static int
h_records(struct api_req *r)
{
    struct store_room_info info;
    if (store_room_info(r->thread->store, r->params[0], &info) != 0)
        return api_not_found(r);
    json_t *b = api_body_object(r);
    const char *cls = "work";
    int hold = 0, reminder = 0;
    int64_t days = -1;
    if (b == NULL)
        return API_DONE;
    if (api_field_str(r, b, "classification", 10, 1, &cls) < 0 || api_field_bool(r, b, "legal_hold", &hold) < 0 ||
        api_field_bool(r, b, "approval_reminder", &reminder) < 0)
        goto fail;
    json_t *d = json_object_get(b, "retention_days");
    if (d != NULL && !json_is_null(d)) {
        if (!json_is_integer(d) || json_integer_value(d) < 1 || json_integer_value(d) > 365 * 100) {
            api_invalid(r, "retention_days", "1〜36500 の日数か null（永年）です。",
                        "must be 1-36500 days, or null for permanent.");
            goto fail;
        }
        days = json_integer_value(d);
    }
    if (strcmp(cls, "work") && strcmp(cls, "casual")) {
        api_invalid(r, "classification", "work か casual です。", "must be work or casual.");
        goto fail;
    }
    struct records_ctx *c = xcalloc(1, sizeof(*c));
    c->room_id = r->params[0];
    c->days = days;
    c->hold = hold;
    c->reminder = reminder;
    snprintf(c->classification, sizeof(c->classification), "%s", cls);
    json_decref(b);
    return api_write(r, records_run, records_done, c);
fail:
    json_decref(b);
    return API_DONE;
}

const struct api_op api_retention_ops[] = {
    {API_PUT, "/api/v1/admin/rooms/{}/records", API_ADMIN, h_records},
    {0, NULL, 0, NULL},
};
