/*
 * The personal-information guard (R16): text is checked before it is stored.
 *
 * A My Number with a valid check digit and an identifying word nearby is refused (422
 * personal_information); a valid check digit alone asks the sender to confirm (422
 * personal_information_confirm, resend with "confirm_pii": true). Optional identifiers
 * (residence card, pension, resident code, driver's licence, credit card) are off until an
 * administrator sets each to "warn" or "block" (PUT /api/v1/admin/settings {"pii":{…}}).
 * Answers name the kind and position (UTF-16 code units, as clients count) and never echo the
 * number; nothing of the refused text is stored or logged, and the audit entry holds only the
 * kind, field and position.
 */
#include "api/internal.h"
#include "policy/pii.h"
#include "util/xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* The administrators' choice per optional kind: 0 off, 1 warn, 2 block. */
static void
parse_modes(store_t *s, int modes[PII_KIND_MAX + 1])
{
    memset(modes, 0, sizeof(int) * (PII_KIND_MAX + 1));
    char *v = store_setting_get(s, "client");
    json_t *j = v ? json_loads(v, 0, NULL) : NULL, *pii = json_object_get(j, "pii"), *m;
    const char *k;
    free(v);
    json_object_foreach(pii, k, m)
    {
        enum pii_kind kind = pii_kind_from_code(k, strlen(k));
        const char *mode = json_string_value(m);
        if (kind == 0 || mode == NULL)
            continue;
        modes[kind] = !strcmp(mode, "block") ? 2 : !strcmp(mode, "warn") ? 1 : 0;
    }
    json_decref(j);
}

/* Every message is checked: per thread, the setting is parsed once per change of the settings. */
static __thread struct {
    store_t *store;
    int64_t generation;
    int modes[PII_KIND_MAX + 1];
} mc;

static void
load_modes(store_t *s, int modes[PII_KIND_MAX + 1])
{
    int64_t gen = store_generation(s, "settings");
    if (mc.store != s || gen != mc.generation || gen == 0) {
        mc.store = s;
        mc.generation = gen;
        parse_modes(s, mc.modes);
    }
    memcpy(modes, mc.modes, sizeof(mc.modes));
}

int
api_pii_check(store_t *s, const char *text, size_t len, int lang_en, int *block, json_t **list)
{
    int modes[PII_KIND_MAX + 1];
    struct pii_hit hits[16];
    struct pii_options opt = {0};
    *block = 0;
    *list = json_array();
    if (text == NULL || len == 0)
        return 0;
    load_modes(s, modes);
    for (int k = PII_RESIDENCE_CARD; k <= PII_KIND_MAX; k++)
        if (modes[k])
            opt.kinds |= PII_KIND_BIT(k);
    size_t n = pii_scan(text, len, &opt, hits, 16);
    if (n > 16)
        n = 16;
    for (size_t i = 0; i < n; i++) {
        enum pii_kind k = hits[i].kind;
        *block |= k == PII_MY_NUMBER || (k != PII_MY_NUMBER_UNCONFIRMED && modes[k] == 2);
        json_array_append_new(*list, json_pack("{ss ss sI sI}", "kind", pii_kind_code(k), "name",
                                               lang_en ? pii_kind_name_en(k) : pii_kind_name_ja(k), "start",
                                               (json_int_t)hits[i].utf16_offset, "length", (json_int_t)hits[i].utf16_length));
    }
    return (int)n;
}

int
api_pii_guard(struct api_req *r, const char *field, const char *text, int confirmed, int64_t room_id)
{
    int block;
    json_t *list;
    if (text == NULL || text[0] == '\0')
        return 0;
    int n = api_pii_check(r->thread->store, text, strlen(text), r->lang_en, &block, &list);
    if (n == 0 || (!block && confirmed)) {
        if (n > 0)
            api_audit_detached("pii.confirmed", r->user.id, r->client,
                               json_pack("{ss sI sO}", "field", field, "room_id", (json_int_t)room_id, "hits", list));
        json_decref(list);
        return 0;
    }
    json_t *audit = json_pack("{ss sI sO}", "field", field, "room_id", (json_int_t)room_id, "hits", list);
    if (block)
        api_error(r, 422, "personal_information",
                  "個人番号（マイナンバー）などの個人情報は送信できません。該当箇所を削除してください。",
                  "Personal identifiers such as My Number cannot be posted; remove the highlighted part.");
    else
        api_error(r, 422, "personal_information_confirm",
                  "個人番号などの個人情報の可能性があります。個人情報でないことを確認して再送信してください。",
                  "This may contain a personal identifier; confirm that it does not and send again.");
    json_t *err = json_object_get(r->reply, "error");
    json_object_set_new(err, "field", json_string(field));
    json_object_set_new(err, "hits", list);
    api_audit_answer(r, block ? "pii.blocked" : "pii.warned", r->user.id, r->client, audit);
    return API_PII_PENDING;
}
