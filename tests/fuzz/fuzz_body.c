/*
 * libFuzzer target for JSON request bodies as the API reads them (src/api/common.c): the
 * body check (type, size, JSON object) and every kind of field reader. The few functions
 * common.c calls in other modules are stubbed: a body never reaches them.
 */
#include "api/common.c"

#include <stdint.h>
#include <stdlib.h>

struct hub_event *
hub_event_new(enum hub_event_kind kind, const char *json, size_t len, const int64_t *users, size_t nusers)
{
    abort();
}

void
hub_publish(struct hub_event *ev)
{
    abort();
}

int
store_room_member_ids(store_t *s, int64_t room_id, int64_t **ids, size_t *n)
{
    abort();
}

int64_t
store_generation(store_t *s, const char *name)
{
    abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct api_req r = {0};
    r.content_type = "application/json; charset=utf-8";
    r.content_type_len = strlen(r.content_type);
    r.body = (const char *)data;
    r.body_len = size;
    json_t *b = api_body_object(&r);
    if (b != NULL) {
        const char *s;
        int64_t i, *ids = NULL;
        int v;
        size_t n;
        api_field_str(&r, b, "text", 10000, 0, &s);
        api_field_str(&r, b, "name", 100, 1, &s);
        api_field_int(&r, b, "seq", 1, &i);
        api_field_bool(&r, b, "archived", &v);
        if (api_field_ids(&r, b, "member_ids", 5000, &ids, &n) == 1)
            free(ids);
        json_decref(b);
    }
    api_req_clear(&r);
    return 0;
}
