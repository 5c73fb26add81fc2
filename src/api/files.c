/*
 * Files: upload, metadata, download.
 *
 * An upload is hashed (SHA-256), written to a temporary file and fsynced on a job thread,
 * sniffed with libmagic (the client's Content-Type is never trusted), then renamed into
 * data/files/ab/<hash> and recorded by the writer — the rename and the row land in the same
 * step of the writer thread, which is also where unreferenced blobs are removed, so the two
 * can never race. Identical content is stored once.
 */
#include "api/internal.h"
#include "util/docpages.h"
#include "util/doctext.h"
#include "util/limits.h"
#include "util/reqparse.h"
#include "util/log.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <magic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
api_blob_path(const char *hash, char *out, size_t size)
{
    snprintf(out, size, "%s/files/%.2s/%s", api_config()->data, hash, hash);
}

void
api_blobs_gc(store_t *s, char **hashes, size_t n)
{
    char path[1200];
    for (size_t i = 0; i < n; i++) {
        if (store_blob_referenced(s, hashes[i]))
            continue;
        api_blob_path(hashes[i], path, sizeof(path));
        if (unlink(path) != 0 && errno != ENOENT)
            log_warn("files.gc", "hash=%s error=\"%s\"", hashes[i], strerror(errno));
        api_thumb_path(hashes[i], path, sizeof(path));
        unlink(path); /* most blobs have none */
    }
}

struct up_ctx {
    char *name, *data;
    size_t len;
    int held;          /* the guard found an identifier in the content: held for review */
    char *held_detail; /* its hits (kinds and positions, never the numbers), JSON text */
    char *text;        /* the content's text for the search index, when nothing is held */
    char hash[65], type[128], tmp[1200];
    int64_t uploader, id;
    int pages; /* for the paper-saved figures (R24) */
    enum docpages_status pages_status;
};

static void
up_free(struct up_ctx *c)
{
    if (c->tmp[0])
        unlink(c->tmp);
    free(c->name);
    free(c->data);
    free(c->held_detail);
    free(c->text);
    free(c);
}

static int
up_run(store_t *s, struct api_req *r, void *ctx)
{
    struct up_ctx *c = ctx;
    char dir[1200], path[1200];
    snprintf(dir, sizeof(dir), "%s/files/%.2s", api_config()->data, c->hash);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return STORE_EIO;
    api_blob_path(c->hash, path, sizeof(path));
    if (access(path, F_OK) != 0) {
        if (rename(c->tmp, path) != 0)
            return STORE_EIO;
        c->tmp[0] = '\0';
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        if (dfd < 0 || fsync(dfd) != 0) {
            if (dfd >= 0)
                close(dfd);
            return STORE_EIO;
        }
        close(dfd);
    }
    int rc = store_file_insert(s, c->hash, c->name, (int64_t)c->len, c->type, c->uploader, time_now_ms(), &c->id);
    if (rc == 0)
        rc = store_file_set_pages(s, c->id, c->pages, docpages_status_name(c->pages_status));
    /* Searchable from the moment it can be attached; a held file's text is never indexed. */
    if (rc == 0 && !c->held)
        rc = store_search_index_file(s, c->id, c->name, c->text);
    if (rc == 0 && c->held) {
        rc = store_file_set_review(s, c->id, "held", c->held_detail);
        if (rc == 0)
            rc = api_audit(s, r, "pii.file_held", "file", c->id, 0, json_loads(c->held_detail, 0, NULL));
    }
    return rc;
}

static void
up_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct up_ctx *c = ctx;
    if (status == 0) {
        api_reply(r, 201, store_file_json(s, c->id));
        log_info("files.uploaded", "file=%lld size=%zu type=%s", (long long)c->id, c->len, c->type);
    }
    up_free(c);
}

static __thread magic_t magic;

static void
sniff(const char *data, size_t len, char *out, size_t size)
{
    const char *t = NULL;
    if (magic == NULL) {
        magic = magic_open(MAGIC_MIME_TYPE);
        if (magic && magic_load(magic, NULL) != 0) {
            magic_close(magic);
            magic = NULL;
        }
    }
    if (magic)
        t = magic_buffer(magic, data, len);
    snprintf(out, size, "%s", t ? t : "application/octet-stream");
}

/* Files up to this size have their text checked by the personal-information guard. */
#define SCAN_MAX (32u << 20)

/* R16: the text inside the file (text, CSV, Word, Excel, PowerPoint) goes through the same
 * guard as messages, on this job thread; a hit that may not be posted holds the file for an
 * administrator's review instead of letting it be shared. */
static void
scan_content(struct up_ctx *c, const char *data, size_t len)
{
    char *text = doctext_extract(data, len, c->type, 8u << 20);
    if (text == NULL)
        return;
    int block;
    json_t *hits;
    if (api_pii_check(api_job_store(), text, strlen(text), 0, &block, &hits) > 0 && block) {
        c->held = 1;
        c->held_detail = json_dumps(hits, JSON_COMPACT);
    }
    json_decref(hits);
    if (c->held)
        free(text);
    else
        c->text = text;
}

/* Writes all of buf to fd; 0 or -1 (errno set). */
static int
write_all(int fd, const char *buf, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/*
 * On a job thread: hashes and sniffs the upload, makes its temporary file durable, then hands
 * it to the writer. A small upload arrives in c->data; a large one is already in c->tmp.
 */
static void
up_job(struct api_req *r, void *ctx)
{
    struct up_ctx *c = ctx;
    uint8_t h[crypto_hash_sha256_BYTES];
    int fd = -1;
    if (c->data != NULL) {
        crypto_hash_sha256(h, (const uint8_t *)c->data, c->len);
        sniff(c->data, c->len, c->type, sizeof(c->type));
        scan_content(c, c->data, c->len);
        c->pages_status = docpages_count(c->data, c->len, NULL, c->type, &c->pages);
        snprintf(c->tmp, sizeof(c->tmp), "%s/files/tmp/up-XXXXXX", api_config()->data);
        fd = mkstemp(c->tmp);
        if (fd < 0) {
            c->tmp[0] = '\0';
            goto ioerr;
        }
        if (write_all(fd, c->data, c->len) != 0)
            goto ioerr;
        free(c->data);
        c->data = NULL;
    } else if (c->len <= SCAN_MAX) {
        /* Small enough for the guard: read once, then hash, sniff and scan the same bytes. */
        char *all = xmalloc(c->len + 1);
        size_t got = 0;
        ssize_t n = 0;
        fd = open(c->tmp, O_RDONLY | O_CLOEXEC);
        while (fd >= 0 && got < c->len && ((n = read(fd, all + got, c->len - got)) > 0 || (n < 0 && errno == EINTR)))
            got += n > 0 ? (size_t)n : 0;
        if (fd < 0 || got != c->len) {
            free(all);
            goto ioerr;
        }
        crypto_hash_sha256(h, (const uint8_t *)all, c->len);
        sniff(all, c->len < (1u << 20) ? c->len : (1u << 20), c->type, sizeof(c->type)); /* as the chunks below */
        scan_content(c, all, c->len);
        c->pages_status = docpages_count(all, c->len, NULL, c->type, &c->pages);
        free(all);
    } else {
        /* Larger: hashed in chunks, never whole in memory (and not scanned). */
        crypto_hash_sha256_state st;
        char *chunk = xmalloc(1 << 20);
        size_t total = 0;
        ssize_t n;
        fd = open(c->tmp, O_RDONLY | O_CLOEXEC);
        crypto_hash_sha256_init(&st);
        while (fd >= 0 && (n = read(fd, chunk, 1 << 20)) > 0) {
            if (total == 0)
                sniff(chunk, (size_t)n, c->type, sizeof(c->type));
            crypto_hash_sha256_update(&st, (const uint8_t *)chunk, (size_t)n);
            total += (size_t)n;
        }
        free(chunk);
        crypto_hash_sha256_final(&st, h);
        if (fd < 0 || total != c->len)
            goto ioerr;
        c->pages_status = docpages_count(NULL, c->len, c->tmp, c->type, &c->pages);
    }
    sodium_bin2hex(c->hash, sizeof(c->hash), h, sizeof(h));
    if (fsync(fd) != 0)
        goto ioerr;
    close(fd);
    api_write(r, up_run, up_done, c);
    return;
ioerr:
    log_error("files.write", "error=\"%s\"", strerror(errno));
    if (fd >= 0)
        close(fd);
    api_error(r, 507, "insufficient_storage", "ファイルを保存できませんでした。", "The file could not be stored.");
    up_free(c);
    api_finish(r);
}

/* Uploads above this size never sit in our memory: they go to a temporary file at once. */
#define UPLOAD_IN_MEMORY_MAX (1024 * 1024)

static int
h_upload(struct api_req *r)
{
    char raw[1024];
    int n = api_query(r, "name", raw, sizeof(raw));
    if (n < 0)
        return api_invalid(r, "name", "ファイル名を指定してください。", "is required.");
    char *name = memchr(raw, '\0', (size_t)n) ? NULL : reqparse_file_name(raw, (size_t)n, KR_MAX_FILE_NAME);
    if (name == NULL)
        return api_invalid(r, "name", "使用できないファイル名です。", "is not a usable file name.");
    char confirm[8];
    if (api_rate_take(r, API_RATE_UPLOAD) != 0) {
        free(name);
        return API_DONE;
    }
    if (api_pii_guard(r, "name", name, api_query(r, "confirm_pii", confirm, sizeof(confirm)) >= 0 && !strcmp(confirm, "1"), 0) !=
        0) {
        free(name);
        return API_ASYNC;
    }
    if (r->body_len > api_config()->max_upload_mib * 1024 * 1024) {
        free(name);
        return api_error(r, 413, "payload_too_large", "ファイルが大きすぎます。", "The file is too large.");
    }
    struct up_ctx *c = xcalloc(1, sizeof(*c));
    c->name = name;
    c->len = r->body_len;
    c->uploader = r->user.id;
    /* The body belongs to the connection, which may go away while the job runs, so it is
     * copied out now: small bodies to memory, large ones (which h2o already received into a
     * file-backed buffer) to our temporary file, so that memory stays bounded whatever the
     * size. The fsync, the slow part, happens on the job thread. */
    if (c->len <= UPLOAD_IN_MEMORY_MAX) {
        c->data = xmalloc(c->len ? c->len : 1);
        if (c->len)
            memcpy(c->data, r->body, c->len);
    } else {
        snprintf(c->tmp, sizeof(c->tmp), "%s/files/tmp/up-XXXXXX", api_config()->data);
        int fd = mkstemp(c->tmp);
        if (fd < 0 || write_all(fd, r->body, c->len) != 0) {
            log_error("files.write", "error=\"%s\"", strerror(errno));
            if (fd >= 0)
                close(fd);
            up_free(c);
            return api_error(r, 507, "insufficient_storage", "ファイルを保存できませんでした。", "The file could not be stored.");
        }
        close(fd);
    }
    return api_job(r, up_job, c);
}

static int
h_file_meta(struct api_req *r)
{
    if (store_file_can_read(r->thread->store, r->params[0], r->user.id, NULL) != 0)
        return api_not_found(r);
    return api_reply(r, 200, store_file_json(r->thread->store, r->params[0]));
}

static int
inline_type(const char *t)
{
    return !strcmp(t, "image/png") || !strcmp(t, "image/jpeg") || !strcmp(t, "image/gif") || !strcmp(t, "image/webp");
}

char *
api_content_disposition(const char *name, int inline_)
{
    /* RFC 6266 / RFC 8187: the UTF-8 name percent-encoded, plus an ASCII fallback. */
    size_t nl = strlen(name);
    char *disp = xmalloc(nl * 3 + 128), *o = disp;
    o += sprintf(o, "%s; filename=\"download\"; filename*=UTF-8''", inline_ ? "inline" : "attachment");
    for (size_t i = 0; i < nl; i++) {
        unsigned char ch = (unsigned char)name[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._~", ch))
            *o++ = (char)ch;
        else
            o += sprintf(o, "%%%02X", ch);
    }
    *o = '\0';
    return disp;
}

static int
h_file(struct api_req *r)
{
    char hash[65], path[1200];
    if (store_file_can_read(r->thread->store, r->params[0], r->user.id, hash) != 0)
        return api_not_found(r);
    json_t *f = store_file_json(r->thread->store, r->params[0]);
    const char *type = json_string_value(json_object_get(f, "type")), *name = json_string_value(json_object_get(f, "name"));
    struct api_zone zone;
    if (api_zone_of(r, &zone) && !zone.download && !inline_type(type)) {
        /* View-only zone (R17): images are shown, other files are not taken away. */
        json_decref(f);
        return api_error(r, 403, "download_forbidden", "このネットワークからはファイルをダウンロードできません。",
                         "Files cannot be downloaded from this network.");
    }
    api_blob_path(hash, path, sizeof(path));
    char *disp = api_content_disposition(name, inline_type(type));
    r->status = 200;
    r->file.path = xstrdup(path);
    r->file.type = xstrdup(type);
    r->file.disposition = disp;
    json_decref(f);
    return API_DONE;
}

/* GET /api/v1/admin/files/review: uploads the guard held. */
static int
h_review_list(struct api_req *r)
{
    return api_reply(r, 200, json_pack("{so}", "files", store_files_held_json(r->thread->store)));
}

struct review_ctx {
    int64_t id;
    int release;
    char *hash;
};

static int
review_run(store_t *s, struct api_req *r, void *ctx)
{
    struct review_ctx *c = ctx;
    int rc = c->release ? store_file_set_review(s, c->id, "released", NULL) : store_file_delete(s, c->id, &c->hash);
    /* A released file becomes findable by its name; its text, which held the identifier the
     * guard saw, stays out of the index. */
    if (rc == 0 && c->release) {
        json_t *f = store_file_json(s, c->id);
        const char *name = f ? json_string_value(json_object_get(f, "name")) : NULL;
        if (name)
            rc = store_search_index_file(s, c->id, name, NULL);
        json_decref(f);
    }
    if (rc == 0)
        rc = api_audit(s, r, c->release ? "pii.file_released" : "pii.file_deleted", "file", c->id, 0, NULL);
    return rc;
}

static void
review_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct review_ctx *c = ctx;
    if (status == 0) {
        if (c->hash) {
            api_blobs_gc(s, &c->hash, 1);
            store_checkpoint(s);
        }
        api_reply(r, 204, NULL);
    }
    free(c->hash);
    free(c);
}

/* POST /api/v1/admin/files/{id}/release (it may be shared) and DELETE /api/v1/admin/files/{id}
 * (removed for good, from every message that carries it). */
static int
review_act(struct api_req *r, int release)
{
    json_t *f = store_file_json(r->thread->store, r->params[0]);
    if (f == NULL)
        return api_not_found(r);
    json_decref(f);
    struct review_ctx *c = xcalloc(1, sizeof(*c));
    c->id = r->params[0];
    c->release = release;
    return api_write(r, review_run, review_done, c);
}

static int
h_review_release(struct api_req *r)
{
    return review_act(r, 1);
}

static int
h_file_delete(struct api_req *r)
{
    return review_act(r, 0);
}

const struct api_op api_files_ops[] = {
    {API_GET, "/api/v1/admin/files/review", API_ADMIN, h_review_list},
    {API_POST, "/api/v1/admin/files/{}/release", API_ADMIN, h_review_release},
    {API_DELETE, "/api/v1/admin/files/{}", API_ADMIN, h_file_delete},
    {API_POST, "/api/v1/files", 0, h_upload},
    {API_GET, "/api/v1/files/{}", 0, h_file},
    {API_GET, "/api/v1/files/{}/meta", 0, h_file_meta},
    {API_GET, "/api/v1/files/{}/thumb", 0, api_file_thumb},
    {0, NULL, 0, NULL},
};
