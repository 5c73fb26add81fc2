/*
 * Image thumbnails (R22): staff pay their phones' data, so a timeline shows an image as a
 * small JPEG and loads the original only when it is tapped. Thumbnails are made on a job
 * thread (decoding is slow and must never stall a loop thread) with gdk-pixbuf, once per
 * stored blob, and kept beside the blobs, named by the same content hash:
 * data/files/thumbs/ab/abcd….jpg. An image already small enough, one that cannot be decoded
 * or one too large to decode safely is answered with the original itself.
 */
#include "api/internal.h"
#include "util/log.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define THUMB_EDGE 480                      /* longest side in pixels: sharp at 240 CSS px on a 2x phone */
#define THUMB_MAX_PIXELS (50 * 1000 * 1000) /* a bigger image is not decoded (memory bound) */

struct thumb_ctx {
    char hash[65], type[64];
};

void
api_thumb_path(const char *hash, char *out, size_t size)
{
    snprintf(out, size, "%s/files/thumbs/%.2s/%s.jpg", api_config()->data, hash, hash);
}

/* Makes the thumbnail at dst from src: 0, or -1 (then the original is served). */
static int
make_thumb(const char *src, const char *dst, const char *hash)
{
    int w = 0, h = 0, rc = -1;
    GError *err = NULL;
    GdkPixbuf *pb = NULL, *flat = NULL, *turned = NULL;
    if (gdk_pixbuf_get_file_info(src, &w, &h) == NULL || w <= 0 || h <= 0 || (int64_t)w * h > THUMB_MAX_PIXELS)
        return -1;
    if (w <= THUMB_EDGE && h <= THUMB_EDGE)
        return -1; /* already small: the original is the thumbnail */
    pb = gdk_pixbuf_new_from_file_at_scale(src, THUMB_EDGE, THUMB_EDGE, TRUE, &err);
    if (pb == NULL)
        goto done;
    /* A phone's photo is stored sideways with an orientation tag; the thumbnail is upright. */
    turned = gdk_pixbuf_apply_embedded_orientation(pb);
    GdkPixbuf *img = turned ? turned : pb;
    if (gdk_pixbuf_get_has_alpha(img)) { /* JPEG has no transparency: on white, like the timeline */
        flat = gdk_pixbuf_composite_color_simple(img, gdk_pixbuf_get_width(img), gdk_pixbuf_get_height(img), GDK_INTERP_BILINEAR,
                                                 255, 16, 0xffffff, 0xffffff);
        if (flat == NULL)
            goto done;
        img = flat;
    }
    char dir[1200], tmp[1300];
    snprintf(dir, sizeof(dir), "%s/files/thumbs", api_config()->data);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        goto done;
    snprintf(dir, sizeof(dir), "%s/files/thumbs/%.2s", api_config()->data, hash);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        goto done;
    /* Written aside and renamed, so two requests for the same image never see half a file. */
    snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", dst, (long)gettid());
    if (!gdk_pixbuf_save(img, tmp, "jpeg", &err, "quality", "75", NULL)) {
        unlink(tmp);
        goto done;
    }
    if (rename(tmp, dst) != 0) {
        unlink(tmp);
        goto done;
    }
    rc = 0;
done:
    if (err != NULL) {
        log_warn("files.thumb", "hash=%.12s error=\"%s\"", hash, err->message);
        g_error_free(err);
    }
    if (flat)
        g_object_unref(flat);
    if (turned)
        g_object_unref(turned);
    if (pb)
        g_object_unref(pb);
    return rc;
}

static void
thumb_job(struct api_req *r, void *ctx)
{
    struct thumb_ctx *c = ctx;
    char src[1200], dst[1200];
    api_blob_path(c->hash, src, sizeof(src));
    api_thumb_path(c->hash, dst, sizeof(dst));
    struct stat st;
    int have = stat(dst, &st) == 0 || make_thumb(src, dst, c->hash) == 0;
    r->status = 200;
    r->file.path = xstrdup(have ? dst : src);
    r->file.type = xstrdup(have ? "image/jpeg" : c->type);
    r->file.disposition = xstrdup("inline; filename=\"thumbnail\"");
    free(c);
    api_finish(r);
}

/* GET /api/v1/files/{id}/thumb: a JPEG of at most 480 px a side (or the small original). */
int
api_file_thumb(struct api_req *r)
{
    char hash[65];
    if (store_file_can_read(r->thread->store, r->params[0], r->user.id, hash) != 0)
        return api_not_found(r);
    json_t *f = store_file_json(r->thread->store, r->params[0]);
    const char *type = json_string_value(json_object_get(f, "type"));
    if (type == NULL ||
        (strcmp(type, "image/png") && strcmp(type, "image/jpeg") && strcmp(type, "image/gif") && strcmp(type, "image/webp"))) {
        json_decref(f);
        return api_error(r, 415, "not_an_image", "画像ではないファイルには縮小版がありません。", "Only images have thumbnails.");
    }
    struct thumb_ctx *c = xcalloc(1, sizeof(*c));
    snprintf(c->hash, sizeof(c->hash), "%s", hash);
    snprintf(c->type, sizeof(c->type), "%s", type);
    json_decref(f);
    return api_job(r, thumb_job, c);
}
