/*
 * Shared pieces of every handler: answers and errors, JSON bodies and fields, query
 * parameters, event publication and password hashing.
 *
 * Field readers answer the 400 themselves and name the field, so a handler's validation is
 * a straight list of reads; bad input is refused before anything is written.
 */
#include "api/api.h"
#include "api/internal.h"
#include "hub/hub.h"
#include "util/limits.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/reqparse.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct kr_config *config;

void
api_init(const struct kr_config *cfg)
{
    config = cfg;
}

const struct kr_config *
api_config(void)
{
    return config;
}

void
api_finish(struct api_req *r)
{
    r->finish(r);
}

void
api_req_clear(struct api_req *r)
{
    json_decref(r->reply);
    r->reply = NULL;
    free(r->reply_text);
    r->reply_text = NULL;
    r->reply_text_len = 0;
    free(r->set_cookie);
    free(r->file.path);
    free(r->file.type);
    free(r->file.disposition);
    free(r->file.data);
    r->set_cookie = r->file.path = r->file.type = r->file.disposition = r->file.data = NULL;
    r->file.data_len = 0;
}

int
api_reply(struct api_req *r, int status, json_t *body)
{
    r->status = status;
    json_decref(r->reply);
    r->reply = body;
    free(r->reply_text);
    r->reply_text = NULL;
    r->reply_text_len = 0;
    return API_DONE;
}

int
api_reply_text(struct api_req *r, int status, char *text, size_t len)
{
    api_reply(r, status, NULL);
    r->reply_text = text;
    r->reply_text_len = len;
    return API_DONE;
}

int
api_error(struct api_req *r, int status, const char *code, const char *ja, const char *en)
{
    return api_reply(r, status, json_pack("{s{ss ss}}", "error", "code", code, "message", r->lang_en ? en : ja));
}

int
api_store_error(struct api_req *r, int rc)
{
    switch (rc) {
    case STORE_ENOTFOUND:
        return api_not_found(r);
    case STORE_ECONFLICT:
        return api_error(r, 409, "conflict", "既に存在します。", "It already exists.");
    case STORE_EFORBIDDEN:
        return api_forbidden(r);
    case STORE_EFULL:
        return api_error(r, 507, "insufficient_storage", "サーバーの記憶領域が不足しているため保存できませんでした。",
                         "The server's disk is full; nothing was saved.");
    case STORE_EINVAL:
        return api_error(r, 400, "invalid_parameter", "指定された値が正しくありません。", "A parameter does not match the data.");
    default:
        return api_error(r, 500, "internal", "サーバーでエラーが発生しました。", "The server failed.");
    }
}

int
api_not_found(struct api_req *r)
{
    return api_error(r, 404, "not_found", "見つかりません。", "Not found.");
}

int
api_forbidden(struct api_req *r)
{
    return api_error(r, 403, "forbidden", "この操作は許可されていません。", "You are not allowed to do this.");
}

int
api_invalid(struct api_req *r, const char *field, const char *why_ja, const char *why_en)
{
    char ja[256], en[256];
    snprintf(ja, sizeof(ja), "%s: %s", field, why_ja);
    snprintf(en, sizeof(en), "%s: %s", field, why_en);
    return api_error(r, 400, "invalid_parameter", ja, en);
}

json_t *
api_body_object(struct api_req *r)
{
    if (r->content_type == NULL || r->content_type_len < 16 || strncasecmp(r->content_type, "application/json", 16) != 0 ||
        (r->content_type_len > 16 && r->content_type[16] != ';' && r->content_type[16] != ' ')) {
        api_error(r, 415, "unsupported_media_type", "Content-Type は application/json にしてください。",
                  "Content-Type must be application/json.");
        return NULL;
    }
    if (r->body_len > KR_MAX_JSON_BODY) {
        api_error(r, 413, "payload_too_large", "リクエストが大きすぎます。", "The request body is too large.");
        return NULL;
    }
    json_error_t jerr;
    /* jansson rejects invalid UTF-8 and, without JSON_ALLOW_NUL, NUL characters in strings. */
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL || !json_is_object(j)) {
        json_decref(j);
        api_error(r, 400, "invalid_json", "JSON オブジェクトとして読み取れません。", "The body is not a JSON object.");
        return NULL;
    }
    return j;
}

int
api_url_decode(const char *s, size_t n, char *buf, size_t size)
{
    return reqparse_url_decode(s, n, buf, size);
}

int
api_query(const struct api_req *r, const char *name, char *buf, size_t size)
{
    if (r->query == NULL)
        return -1;
    return reqparse_query(r->query, r->query_len > KR_MAX_QUERY ? KR_MAX_QUERY : r->query_len, name, buf, size);
}

int
api_query_int(struct api_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
    char buf[32], *end;
    int n = api_query(r, name, buf, sizeof(buf));
    if (n == -1)
        return -1;
    if (n <= 0)
        goto bad;
    long long v = strtoll(buf, &end, 10);
    if (*end != '\0' || v < min || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    api_invalid(r, name, "範囲外か、整数ではありません。", "out of range or not an integer.");
    return -2;
}

int
api_field_str(struct api_req *r, json_t *obj, const char *key, size_t max_chars, int required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || (json_is_null(v) && !required)) {
        if (required) {
            api_invalid(r, key, "必須です。", "is required.");
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        api_invalid(r, key, "文字列で指定してください。", "must be a string.");
        return -1;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (utf8_count_codepoints(s, len) > max_chars) {
        char ja[96], en[96];
        snprintf(ja, sizeof(ja), "%zu 文字以内にしてください。", max_chars);
        snprintf(en, sizeof(en), "must be at most %zu characters.", max_chars);
        api_invalid(r, key, ja, en);
        return -1;
    }
    if (utf8_has_controls(s, len, UTF8_ALLOW_TAB | UTF8_ALLOW_NEWLINE)) {
        api_invalid(r, key, "使用できない制御文字が含まれています。", "contains control characters.");
        return -1;
    }
    *out = s;
    return 1;
}

int
api_field_int(struct api_req *r, json_t *obj, const char *key, int required, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v)) {
        if (required) {
            api_invalid(r, key, "必須です。", "is required.");
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        api_invalid(r, key, "0 以上の整数で指定してください。", "must be a non-negative integer.");
        return -1;
    }
    *out = json_integer_value(v);
    return 1;
}

int
api_field_bool(struct api_req *r, json_t *obj, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v)) {
        api_invalid(r, key, "true か false で指定してください。", "must be true or false.");
        return -1;
    }
    *out = json_is_true(v);
    return 1;
}

int
api_field_ids(struct api_req *r, json_t *obj, const char *key, size_t max, int64_t **out, size_t *n)
{
    json_t *v = json_object_get(obj, key), *e;
    size_t i;
    *out = NULL;
    *n = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > max) {
        char ja[96], en[96];
        snprintf(ja, sizeof(ja), "%zu 個以内の ID の配列で指定してください。", max);
        snprintf(en, sizeof(en), "must be an array of at most %zu ids.", max);
        api_invalid(r, key, ja, en);
        return -1;
    }
    *out = xmalloc((json_array_size(v) + 1) * sizeof(int64_t));
    json_array_foreach(v, i, e)
    {
        if (!json_is_integer(e) || json_integer_value(e) <= 0) {
            free(*out);
            *out = NULL;
            api_invalid(r, key, "ID は正の整数です。", "ids are positive integers.");
            return -1;
        }
        int64_t id = json_integer_value(e);
        int dup = 0;
        for (size_t k = 0; k < *n; k++)
            dup |= (*out)[k] == id;
        if (!dup)
            (*out)[(*n)++] = id;
    }
    return 1;
}

void
api_publish(json_t *event, const int64_t *users, size_t nusers, int64_t except_user)
{
    char *s = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    if (s == NULL)
        return;
    struct hub_event *ev = hub_event_new(HUB_DELIVER, s, strlen(s), users, nusers);
    ev->except_user = except_user;
    free(s);
    hub_publish(ev);
}

/*
 * Room members by room, per thread, for fan-out: a 1,000-member room would otherwise cost a
 * 1,000-row read for every message. The cache is dropped whenever the store's membership
 * generation moves (database triggers bump it on every join and leave, whoever makes them).
 */
#define MEMBER_CACHE 512
static __thread struct member_cache {
    int64_t generation;
    struct {
        int64_t room, *ids;
        size_t n;
    } slot[MEMBER_CACHE];
} * mcache;

static void
member_cache_clear(struct member_cache *c)
{
    for (size_t i = 0; i < MEMBER_CACHE; i++) {
        free(c->slot[i].ids);
        c->slot[i].ids = NULL;
        c->slot[i].room = 0;
    }
}

/* A thread's cache goes with the thread (the writer's ends at shutdown). */
static pthread_key_t mcache_key;
static pthread_once_t mcache_once = PTHREAD_ONCE_INIT;

static void
member_cache_free(void *p)
{
    member_cache_clear(p);
    free(p);
}

static void
member_cache_key(void)
{
    pthread_key_create(&mcache_key, member_cache_free);
}

/* The room's member ids from this thread's cache (owned by the cache): 0, or -1. */
static int
room_member_ids(store_t *s, int64_t room_id, const int64_t **ids, size_t *n)
{
    if (mcache == NULL) {
        mcache = xcalloc(1, sizeof(*mcache));
        pthread_once(&mcache_once, member_cache_key);
        pthread_setspecific(mcache_key, mcache);
    }
    int64_t gen = store_generation(s, "membership");
    if (gen != mcache->generation) {
        member_cache_clear(mcache);
        mcache->generation = gen;
    }
    size_t k = (size_t)((uint64_t)room_id * 0x9E3779B97F4A7C15ull >> 55) % MEMBER_CACHE;
    if (mcache->slot[k].room != room_id) {
        int64_t *got = NULL;
        size_t ngot = 0;
        if (store_room_member_ids(s, room_id, &got, &ngot) != 0) {
            free(got);
            return -1;
        }
        free(mcache->slot[k].ids);
        mcache->slot[k].room = room_id;
        mcache->slot[k].ids = got;
        mcache->slot[k].n = ngot;
    }
    *ids = mcache->slot[k].ids;
    *n = mcache->slot[k].n;
    return 0;
}

void
api_publish_room(store_t *s, int64_t room_id, json_t *event, int64_t except_user)
{
    const int64_t *ids;
    size_t n;
    if (room_member_ids(s, room_id, &ids, &n) == 0 && n > 0)
        api_publish(event, ids, n, except_user);
    else
        json_decref(event);
}

void
api_publish_room_text(store_t *s, int64_t room_id, const char *event, size_t len, int64_t except_user)
{
    const int64_t *ids;
    size_t n;
    if (room_member_ids(s, room_id, &ids, &n) != 0 || n == 0)
        return;
    struct hub_event *ev = hub_event_new(HUB_DELIVER, event, len, ids, n);
    ev->except_user = except_user;
    hub_publish(ev);
}

struct policy_password_rules
api_password_rules(void)
{
    struct policy_password_rules r = {.min_length = (unsigned)config->password_min_length,
                                      .min_classes = (unsigned)config->password_min_classes};
    return r;
}

int
api_password_hash(const char *password, char out[128])
{
    if (crypto_pwhash_str(out, password, strlen(password), config->argon2_ops, config->argon2_mem_kib * 1024) != 0)
        return -1;
    return 0;
}

int
api_password_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 ? 0 : -1;
}

static char node_name[96];
static unsigned long long request_base;

void
api_set_node(const char *name)
{
    snprintf(node_name, sizeof(node_name), "%s", name);
    /* Request ids unique across nodes: each node counts from its own 2^40 block (X-Request-Id,
     * req= in the log), chosen by its name. */
    request_base = ((hash_str64(name) >> 44) & 0xfffff) << 40;
}

unsigned long long
api_request_base(void)
{
    return request_base;
}

const char *
api_node(void)
{
    return node_name[0] ? node_name : "single";
}
