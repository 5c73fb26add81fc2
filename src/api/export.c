/*
 * The disclosure export (see export.h).
 *
 * The masked edition removes masked text from every file — it is replaced by ■, one per
 * character, never hidden under a layer — withholds attachments unless each is released, and
 * lists every masked place with its legal ground (masking.csv), as a partial-disclosure
 * decision needs. Times appear in Western and Japanese era form. Characters CP932 cannot hold
 * become 〓 in a CP932 CSV, and the README says which rows changed.
 */
#include "api/export.h"
#include "util/kana.h"
#include "util/strbuf.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "util/zipw.h"

#include <iconv.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
sb_html(struct sb *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            sb_str(b, "&lt;");
            break;
        case '>':
            sb_str(b, "&gt;");
            break;
        case '&':
            sb_str(b, "&amp;");
            break;
        case '"':
            sb_str(b, "&quot;");
            break;
        case '\n':
            sb_str(b, "<br>");
            break;
        default:
            sb_add(b, s, 1);
        }
    }
}

/* A CSV field for Excel: always quoted, quotes doubled. */
static void
sb_csv(struct sb *b, const char *s)
{
    sb_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            sb_add(b, "\"", 1);
        sb_add(b, s, 1);
    }
    sb_add(b, "\"", 1);
}

/* 2026-11-26 14:05 (令和8年11月26日 14:05) */
static void
fmt_time(int64_t ms, char *western, char *wareki)
{
    char iso[32];
    time_format_jst(ms, iso);
    int y = atoi(iso), m = atoi(iso + 5), d = atoi(iso + 8);
    snprintf(western, 32, "%.10s %.5s", iso, iso + 11);
    int ymd = y * 10000 + m * 100 + d;
    if (ymd >= 20190501)
        snprintf(wareki, 64, "令和%d年%d月%d日 %.5s", y - 2018, m, d, iso + 11);
    else
        snprintf(wareki, 64, "平成%d年%d月%d日 %.5s", y - 1988, m, d, iso + 11);
}

/* Replaces the UTF-16 spans of `masks` for message `id` in text with ■ (one per character). */
static char *
apply_masks(const char *text, int64_t id, const struct export_spec *spec, int *count)
{
    struct sb out = {0};
    size_t len = strlen(text), i = 0, u16 = 0;
    *count = 0;
    for (size_t k = 0; k < spec->nmasks; k++)
        if (spec->masks[k].message_id == id)
            (*count)++;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(text + i, len - i, &cp);
        if (n == 0)
            n = 1;
        size_t units = cp >= 0x10000 ? 2 : 1;
        int masked = 0;
        for (size_t k = 0; k < spec->nmasks && !masked; k++) {
            const struct export_mask *m = &spec->masks[k];
            masked = m->message_id == id && u16 >= m->start && u16 < m->start + m->length;
        }
        if (masked)
            sb_str(&out, "■");
        else
            sb_add(&out, text + i, n);
        i += n;
        u16 += units;
    }
    if (out.p == NULL)
        sb_str(&out, "");
    return out.p;
}

/* UTF-8 → CP932; characters CP932 lacks become 〓. Returns the number of replacements. */
static int
to_cp932(const char *in, size_t len, struct sb *out)
{
    iconv_t cd = iconv_open("CP932", "UTF-8");
    int replaced = 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(in + i, len - i, &cp);
        if (n == 0)
            n = 1;
        char buf[8], *src = (char *)in + i, *dst = buf;
        size_t il = n, ol = sizeof(buf);
        if (cd == (iconv_t)-1 || iconv(cd, &src, &il, &dst, &ol) == (size_t)-1) {
            sb_add(out, "\x81\xac", 2); /* 〓 in CP932 */
            replaced++;
            if (cd != (iconv_t)-1)
                iconv(cd, NULL, NULL, NULL, NULL);
        } else {
            sb_add(out, buf, sizeof(buf) - ol);
        }
        i += n;
    }
    if (cd != (iconv_t)-1)
        iconv_close(cd);
    return replaced;
}

struct run {
    const struct export_spec *spec;
    struct zipw *z;
    struct sb html, csv, masking, manifest;
    json_t *room;
    int64_t room_id;
    int messages, files, masked_spans, mask_no;
    char err[256];
    json_t *seen_files;
};

static void
manifest_add(struct run *r, const char *name, const void *data, size_t len)
{
    uint8_t h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    sb_fmt(&r->manifest, "%s  %zu  %s\r\n", hex, len, name);
}

static int
add_mem(struct run *r, const char *name, const void *data, size_t len)
{
    manifest_add(r, name, data, len);
    return zipw_add(r->z, name, data, len);
}

/* The request's people and keywords: 1 when the message is within them. */
static int
wanted(const struct export_spec *spec, const struct store_export_row *m)
{
    if (spec->npeople) {
        int found = 0;
        for (size_t i = 0; i < spec->npeople && !found; i++)
            found = spec->people[i] == m->sender_id || spec->people[i] == m->author_id;
        if (!found)
            return 0;
    }
    if (spec->nkeywords == 0)
        return 1;
    char *folded = NULL;
    if (m->text == NULL || kana_fold(m->text, strlen(m->text), &folded) != 0)
        return 0;
    int hit = 0;
    for (size_t i = 0; i < spec->nkeywords && !hit; i++)
        hit = strstr(folded, spec->keywords[i]) != NULL;
    free(folded);
    return hit;
}

static int
on_row(void *arg, const struct store_export_row *m)
{
    struct run *r = arg;
    if (!wanted(r->spec, m))
        return 0;
    char when[32], wareki[64], edited[32], ew[64];
    fmt_time(m->created_at, when, wareki);
    int nmask = 0;
    int deleted = m->deleted_at != 0;
    const char *raw = m->text ? m->text : "";
    char *text = apply_masks(raw, m->id, r->spec, &nmask);
    int withhold = r->spec->nmasks > 0 || r->spec->masked;
    r->messages++;
    r->masked_spans += nmask;
    const char *state = deleted ? (m->text_kept ? "送信取消（記録として保存）" : "送信取消") : m->edited_at ? "編集済み" : "";
    /* The readable timeline. */
    sb_fmt(&r->html, "<div class=\"m\"><div class=\"h\">#%lld %s（%s） <b>", (long long)m->seq, when, wareki);
    sb_html(&r->html, m->sender);
    sb_str(&r->html, "</b> ");
    sb_html(&r->html, m->department);
    if (m->title[0]) {
        sb_str(&r->html, " / ");
        sb_html(&r->html, m->title);
    }
    if (m->urgent)
        sb_str(&r->html, " <span class=\"u\">緊急</span>");
    if (state[0])
        sb_fmt(&r->html, " <span class=\"s\">%s</span>", state);
    sb_str(&r->html, "</div>");
    if (m->reply_seq)
        sb_fmt(&r->html, "<div class=\"r\">返信先 #%lld</div>", (long long)m->reply_seq);
    if (deleted && !m->text_kept)
        sb_str(&r->html, "<div class=\"t d\">（メッセージの送信を取り消しました）</div>");
    else {
        sb_str(&r->html, "<div class=\"t\">");
        sb_html(&r->html, text);
        sb_str(&r->html, "</div>");
    }
    if (m->stamp)
        sb_fmt(&r->html, "<div class=\"t\">［スタンプ: %s］</div>", m->stamp);
    /* Attachments. */
    struct sb names = {0};
    json_t *files = json_loads(m->files, 0, NULL), *f;
    size_t i;
    json_array_foreach(files, i, f)
    {
        int64_t fid = json_integer_value(json_object_get(f, "id"));
        const char *fname = json_string_value(json_object_get(f, "name")), *hash = json_string_value(json_object_get(f, "hash"));
        int released = !withhold;
        for (size_t k = 0; k < r->spec->nrelease && !released; k++)
            released = r->spec->release_files[k] == fid;
        char zname[400];
        snprintf(zname, sizeof(zname), "attachments/%lld-%s", (long long)fid, fname ? fname : "file");
        if (names.n)
            sb_str(&names, " / ");
        sb_str(&names, fname ? fname : "");
        if (!released) {
            sb_str(&r->html, "<div class=\"f\">添付: ");
            sb_html(&r->html, fname ? fname : "");
            sb_str(&r->html, "（不開示）</div>");
            continue;
        }
        sb_str(&r->html, "<div class=\"f\">添付: ");
        sb_html(&r->html, zname);
        sb_str(&r->html, "</div>");
        char key[32];
        snprintf(key, sizeof(key), "%lld", (long long)fid);
        if (json_object_get(r->seen_files, key) || hash == NULL)
            continue;
        json_object_set_new(r->seen_files, key, json_true());
        char path[1200];
        snprintf(path, sizeof(path), "%s/%.2s/%s", r->spec->files_dir, hash, hash);
        /* The manifest's hash of an attachment is its content hash, which the store keeps. */
        sb_fmt(&r->manifest, "%s  %lld  %s\r\n", hash, (long long)json_integer_value(json_object_get(f, "size")), zname);
        if (zipw_add_file(r->z, zname, path) != 0) {
            snprintf(r->err, sizeof(r->err), "attachment %lld could not be read", (long long)fid);
            json_decref(files);
            free(names.p);
            free(text);
            return -1;
        }
        r->files++;
    }
    json_decref(files);
    sb_str(&r->html, "</div>\n");
    /* messages.csv: one row per message. */
    if (m->edited_at)
        fmt_time(m->edited_at, edited, ew);
    char seqs[24], reply[24];
    snprintf(seqs, sizeof(seqs), "%lld", (long long)m->seq);
    snprintf(reply, sizeof(reply), "%lld", (long long)m->reply_seq);
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", (long long)r->room_id);
    const char *fields[] = {rid,
                            json_string_value(json_object_get(r->room, "name")),
                            seqs,
                            when,
                            wareki,
                            m->sender,
                            m->department,
                            m->title,
                            deleted && !m->text_kept ? "" : text,
                            m->stamp ? m->stamp : "",
                            m->reply_seq ? reply : "",
                            names.p ? names.p : "",
                            state,
                            m->urgent ? "緊急" : ""};
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        if (k)
            sb_add(&r->csv, ",", 1);
        sb_csv(&r->csv, fields[k] ? fields[k] : "");
    }
    sb_add(&r->csv, "\r\n", 2);
    /* masking.csv: where each masked part is and on which ground. */
    for (size_t k = 0; k < r->spec->nmasks; k++) {
        const struct export_mask *mk = &r->spec->masks[k];
        if (mk->message_id != m->id)
            continue;
        sb_fmt(&r->masking, "%d,%lld,%lld,%zu,%zu,", ++r->mask_no, (long long)r->room_id, (long long)m->seq, mk->start, mk->length);
        sb_csv(&r->masking, mk->ground);
        sb_add(&r->masking, "\r\n", 2);
    }
    free(names.p);
    free(text);
    return 0;
}

int
export_build(store_t *s, const struct export_spec *spec, const char *out_path, json_t **summary, char *err, size_t errlen)
{
    struct run r = {.spec = spec};
    int replaced = 0;
    r.seen_files = json_object();
    r.z = zipw_open(out_path);
    if (r.z == NULL) {
        snprintf(err, errlen, "cannot create %s", out_path);
        json_decref(r.seen_files);
        return -1;
    }
    int masked = spec->nmasks > 0 || spec->masked;
    sb_str(&r.csv, "ルームID,ルーム名,番号,日時,日時（和暦）,送信者,所属,役職,本文,スタンプ,返信先,添付ファイル,状態,緊急\r\n");
    sb_str(&r.masking, "番号,ルームID,メッセージ番号,位置（UTF-16）,長さ,不開示事由\r\n");
    for (size_t i = 0; i < spec->nrooms; i++) {
        r.room_id = spec->rooms[i];
        r.room = store_room_public_json(s, r.room_id);
        if (r.room == NULL) {
            snprintf(err, errlen, "room %lld does not exist", (long long)r.room_id);
            goto fail;
        }
        free(r.html.p);
        memset(&r.html, 0, sizeof(r.html));
        sb_str(&r.html, "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>");
        sb_html(&r.html, json_string_value(json_object_get(r.room, "name")));
        sb_str(&r.html, "</title><style>body{font-family:sans-serif;max-width:50em;margin:2em auto}.m{border-bottom:1px solid #ccc;"
                        "padding:.5em 0}.h{color:#444;font-size:.9em}.t{white-space:normal;margin:.3em 0}.d{color:#888}"
                        ".u{color:#fff;background:#b3261e;padding:0 .3em}.s{color:#a60}.r,.f{color:#555;font-size:.9em}"
                        "</style></head><body><h1>");
        sb_html(&r.html, json_string_value(json_object_get(r.room, "name")));
        sb_str(&r.html, "</h1>\n");
        if (store_export_room(s, r.room_id, spec->from_ms, spec->to_ms, on_row, &r) != 0) {
            snprintf(err, errlen, "%s", r.err[0] ? r.err : "cannot read the room");
            goto fail;
        }
        sb_str(&r.html, "</body></html>\n");
        char name[64];
        snprintf(name, sizeof(name), "room-%lld.html", (long long)r.room_id);
        if (add_mem(&r, name, r.html.p, r.html.n) != 0) {
            snprintf(err, errlen, "cannot write the archive");
            goto fail;
        }
        json_decref(r.room);
        r.room = NULL;
    }
    /* messages.csv for Excel: UTF-8 with BOM by default, CP932 on request. */
    struct sb csv = {0};
    if (spec->cp932) {
        replaced = to_cp932(r.csv.p, r.csv.n, &csv);
    } else {
        sb_add(&csv, "\xEF\xBB\xBF", 3);
        sb_add(&csv, r.csv.p, r.csv.n);
    }
    int rc = add_mem(&r, "messages.csv", csv.p, csv.n);
    free(csv.p);
    if (rc == 0 && masked) {
        struct sb m = {0};
        sb_add(&m, "\xEF\xBB\xBF", 3);
        sb_add(&m, r.masking.p, r.masking.n);
        rc = add_mem(&r, "masking.csv", m.p, m.n);
        free(m.p);
    }
    char from[32], to[32];
    struct sb readme = {0};
    sb_fmt(&readme,
           "Kairan 情報公開用エクスポート\r\n\r\n版: %s\r\n期間: %s 〜 %s\r\nルーム数: %zu\r\nメッセージ数: %d\r\n添付ファイル数: "
           "%d\r\n",
           masked ? "部分開示（黒塗り）版" : "全文版", spec->from_ms ? time_format_jst(spec->from_ms, from) : "（最初から）",
           spec->to_ms < INT64_MAX ? time_format_jst(spec->to_ms, to) : "（現在まで）", spec->nrooms, r.messages, r.files);
    if (spec->npeople) {
        sb_fmt(&readme, "対象者（利用者 ID）:");
        for (size_t k = 0; k < spec->npeople; k++)
            sb_fmt(&readme, " %lld", (long long)spec->people[k]);
        sb_fmt(&readme, "\r\n");
    }
    if (spec->nkeywords)
        sb_fmt(&readme, "キーワード: %zu 語（いずれかを含むメッセージ）\r\n", spec->nkeywords);
    if (spec->requested_by)
        sb_fmt(&readme, "作成者: %s\r\n", spec->requested_by);
    if (masked)
        sb_fmt(&readme,
               "黒塗り箇所: %d（一覧: masking.csv）。黒塗りした文字は ■ に置き換えて削除しています。\r\n"
               "添付ファイルは個別に開示を指定したものだけを収録しています。\r\n",
               r.masked_spans);
    if (spec->cp932)
        sb_fmt(&readme, "messages.csv は Shift_JIS (CP932) です。CP932 にない文字 %d 字を 〓 に置き換えました。\r\n", replaced);
    else
        sb_str(&readme, "messages.csv は UTF-8（BOM 付き）です。Excel でそのまま開けます。\r\n");
    sb_str(&readme, "各ファイルの SHA-256 は manifest.txt にあります。\r\n");
    if (rc == 0)
        rc = add_mem(&r, "README.txt", readme.p, readme.n);
    free(readme.p);
    if (rc == 0)
        rc = zipw_add(r.z, "manifest.txt", r.manifest.p ? r.manifest.p : "", r.manifest.n);
    if (rc != 0) {
        snprintf(err, errlen, "cannot write the archive");
        goto fail;
    }
    if (zipw_close(r.z) != 0) {
        r.z = NULL;
        snprintf(err, errlen, "cannot finish the archive");
        goto fail;
    }
    r.z = NULL;
    /* The archive's own hash, for the disclosure record. */
    FILE *f = fopen(out_path, "rb");
    crypto_hash_sha256_state st;
    uint8_t h[32], buf[65536];
    char hex[65];
    size_t n;
    crypto_hash_sha256_init(&st);
    while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_hash_sha256_update(&st, buf, n);
    if (f)
        fclose(f);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    *summary = json_pack("{sI si si si si ss sb}", "rooms", (json_int_t)spec->nrooms, "messages", r.messages, "files", r.files,
                         "masked_spans", r.masked_spans, "replaced_characters", replaced, "sha256", hex, "masked", masked);
    free(r.html.p);
    free(r.csv.p);
    free(r.masking.p);
    free(r.manifest.p);
    json_decref(r.seen_files);
    return 0;
fail:
    if (r.z)
        zipw_abort(r.z, out_path);
    json_decref(r.room);
    free(r.html.p);
    free(r.csv.p);
    free(r.masking.p);
    free(r.manifest.p);
    json_decref(r.seen_files);
    return -1;
}

/* ---- the API: POST /api/v1/admin/exports, GET /api/v1/admin/exports/{id} ---- */

#include "api/internal.h"
#include "util/limits.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

struct export_job {
    int64_t *rooms, *release, *people;
    size_t nrooms, nrelease, npeople, nkeywords;
    char **keywords;
    struct export_mask *masks;
    size_t nmasks;
    struct export_spec spec;
    char path[1200], requested_by[200];
    int64_t id;
    json_t *summary;
};

static void
export_job_free(struct export_job *c)
{
    free(c->rooms);
    free(c->release);
    free(c->masks);
    free(c->people);
    store_free_strings(c->keywords, c->nkeywords);
    json_decref(c->summary);
    free(c);
}

static int
export_audit_run(store_t *s, struct api_req *r, void *ctx)
{
    struct export_job *c = ctx;
    json_t *rooms = json_array();
    for (size_t i = 0; i < c->nrooms; i++)
        json_array_append_new(rooms, json_integer(c->rooms[i]));
    json_t *people = json_array();
    for (size_t i = 0; i < c->npeople; i++)
        json_array_append_new(people, json_integer(c->people[i]));
    /* The keywords themselves stay out of the log: only how many narrowed the export. */
    return api_audit(s, r, "export.create", "export", c->id, 0,
                     json_pack("{so so sI sO}", "rooms", rooms, "user_ids", people, "keywords", (json_int_t)c->nkeywords, "summary",
                               c->summary));
}

static void
export_audit_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    struct export_job *c = ctx;
    if (status == 0) {
        json_t *out = json_deep_copy(c->summary);
        json_object_set_new(out, "id", json_integer(c->id));
        json_object_set_new(out, "download", json_sprintf("/api/v1/admin/exports/%lld", (long long)c->id));
        api_reply(r, 201, out);
    } else {
        unlink(c->path);
    }
    export_job_free(c);
}

static void
export_job_run(struct api_req *r, void *ctx)
{
    struct export_job *c = ctx;
    char err[256], dir[1100];
    snprintf(dir, sizeof(dir), "%s/exports", api_config()->data);
    mkdir(dir, 0700);
    c->id = api_now_ms();
    snprintf(c->path, sizeof(c->path), "%s/%lld.zip", dir, (long long)c->id);
    if (export_build(api_job_store(), &c->spec, c->path, &c->summary, err, sizeof(err)) != 0) {
        api_error(r, 400, "invalid_parameter", "エクスポートを作成できませんでした。", err);
        export_job_free(c);
        api_finish(r);
        return;
    }
    api_write(r, export_audit_run, export_audit_done, c);
}

static int
h_export(struct api_req *r)
{
    json_t *b = api_body_object(r), *v;
    const char *from = NULL, *to = NULL, *enc = "utf-8";
    size_t i;
    if (b == NULL)
        return API_DONE;
    struct export_job *c = xcalloc(1, sizeof(*c));
    if (api_field_ids(r, b, "room_ids", 500, &c->rooms, &c->nrooms) < 0 || api_field_str(r, b, "from", 40, 0, &from) < 0 ||
        api_field_str(r, b, "to", 40, 0, &to) < 0 || api_field_str(r, b, "encoding", 10, 0, &enc) < 0 ||
        api_field_ids(r, b, "release_file_ids", 1000, &c->release, &c->nrelease) < 0 ||
        api_field_bool(r, b, "masked", &c->spec.masked) < 0 || api_field_ids(r, b, "user_ids", 500, &c->people, &c->npeople) < 0)
        goto fail;
    json_t *kw = json_object_get(b, "keywords");
    if (kw && (!json_is_array(kw) || json_array_size(kw) > 50)) {
        api_invalid(r, "keywords", "50 語までの文字列の配列です。", "must be an array of at most 50 strings.");
        goto fail;
    }
    c->keywords = xcalloc(json_array_size(kw) + 1, sizeof(char *));
    json_array_foreach(kw, i, v)
    {
        char *f = NULL;
        const char *w = json_string_value(v);
        if (w == NULL || json_string_length(v) > 200 || kana_fold(w, json_string_length(v), &f) != 0 || f[0] == '\0') {
            free(f);
            api_invalid(r, "keywords", "各語は 1〜200 文字の文字列です。", "each keyword must be a string of 1-200 characters.");
            goto fail;
        }
        c->keywords[c->nkeywords++] = f;
    }
    if (c->nrooms == 0) {
        api_invalid(r, "room_ids", "ルームを 1 つ以上指定してください。", "name at least one room.");
        goto fail;
    }
    for (i = 0; i < c->nrooms; i++)
        if (store_room_info(r->thread->store, c->rooms[i], &(struct store_room_info){0}) != 0) {
            api_invalid(r, "room_ids", "存在しないルームが含まれています。", "contains a room that does not exist.");
            goto fail;
        }
    c->spec.to_ms = INT64_MAX;
    if (from && time_parse(from, &c->spec.from_ms) != 0) {
        api_invalid(r, "from", "RFC 3339 の日時で指定してください。", "must be an RFC 3339 date-time.");
        goto fail;
    }
    if (to && time_parse(to, &c->spec.to_ms) != 0) {
        api_invalid(r, "to", "RFC 3339 の日時で指定してください。", "must be an RFC 3339 date-time.");
        goto fail;
    }
    if (c->spec.to_ms <= c->spec.from_ms) {
        api_invalid(r, "to", "from より後にしてください。", "must be after from.");
        goto fail;
    }
    if (strcmp(enc, "utf-8") && strcmp(enc, "cp932")) {
        api_invalid(r, "encoding", "utf-8 か cp932 です。", "must be utf-8 or cp932.");
        goto fail;
    }
    json_t *masks = json_object_get(b, "masks");
    if (masks && (!json_is_array(masks) || json_array_size(masks) > 10000)) {
        api_invalid(r, "masks", "黒塗り箇所の配列です。", "must be an array of masked spans.");
        goto fail;
    }
    c->masks = xcalloc(json_array_size(masks) + 1, sizeof(*c->masks));
    json_array_foreach(masks, i, v)
    {
        json_t *mid = json_object_get(v, "message_id"), *st = json_object_get(v, "start"), *ln = json_object_get(v, "length");
        const char *ground = json_string_value(json_object_get(v, "ground"));
        if (!json_is_integer(mid) || !json_is_integer(st) || !json_is_integer(ln) || json_integer_value(st) < 0 ||
            json_integer_value(ln) <= 0 || ground == NULL || ground[0] == '\0' || strlen(ground) >= 128) {
            api_invalid(r, "masks", "各箇所に message_id, start, length, ground（不開示事由）が必要です。",
                        "each span needs message_id, start, length and ground.");
            goto fail;
        }
        c->masks[i].message_id = json_integer_value(mid);
        c->masks[i].start = (size_t)json_integer_value(st);
        c->masks[i].length = (size_t)json_integer_value(ln);
        snprintf(c->masks[i].ground, sizeof(c->masks[i].ground), "%s", ground);
        c->nmasks++;
    }
    snprintf(c->requested_by, sizeof(c->requested_by), "%s", r->user.login);
    c->spec.rooms = c->rooms;
    c->spec.nrooms = c->nrooms;
    c->spec.cp932 = !strcmp(enc, "cp932");
    c->spec.masks = c->masks;
    c->spec.nmasks = c->nmasks;
    c->spec.release_files = c->release;
    c->spec.nrelease = c->nrelease;
    c->spec.people = c->people;
    c->spec.npeople = c->npeople;
    c->spec.keywords = c->keywords;
    c->spec.nkeywords = c->nkeywords;
    c->spec.requested_by = c->requested_by;
    static __thread char files_dir[1100];
    snprintf(files_dir, sizeof(files_dir), "%s/files", api_config()->data);
    c->spec.files_dir = files_dir;
    json_decref(b);
    return api_job(r, export_job_run, c);
fail:
    json_decref(b);
    export_job_free(c);
    return API_DONE;
}

static int
h_export_get(struct api_req *r)
{
    char path[1200];
    struct stat st;
    snprintf(path, sizeof(path), "%s/exports/%lld.zip", api_config()->data, (long long)r->params[0]);
    if (stat(path, &st) != 0)
        return api_not_found(r);
    r->status = 200;
    r->file.path = xstrdup(path);
    r->file.type = xstrdup("application/zip");
    char disp[128];
    snprintf(disp, sizeof(disp), "attachment; filename=\"kairan-export-%lld.zip\"", (long long)r->params[0]);
    r->file.disposition = xstrdup(disp);
    return API_DONE;
}

const struct api_op api_export_ops[] = {
    {API_POST, "/api/v1/admin/exports", API_DISCLOSURE, h_export},
    {API_GET, "/api/v1/admin/exports/{}", API_DISCLOSURE, h_export_get},
    {0, NULL, 0, NULL},
};

/* ---- the masking review (黒塗り) in the client ---- */

/* GET /api/v1/admin/rooms — every room, for choosing what a disclosure request covers. */
static int
h_admin_rooms(struct api_req *r)
{
    return api_reply(r, 200, json_pack("{so}", "rooms", store_rooms_all_json(r->thread->store)));
}

struct read_audit {
    int64_t room;
};

static int
read_audit_run(store_t *s, struct api_req *r, void *ctx)
{
    struct read_audit *c = ctx;
    return api_audit(s, r, "disclosure.read", "room", c->room, c->room, NULL);
}

static void
read_audit_done(store_t *s, struct api_req *r, void *ctx, int status)
{
    free(ctx);
}

/* GET /api/v1/admin/rooms/{id}/messages?after=&limit= — the disclosure officer reads a room
 * they are not a member of; each read is audited. */
static int
h_admin_room_messages(struct api_req *r)
{
    struct store_room_info info;
    int64_t after = 0, limit = KR_PAGE_MAX;
    if (store_room_info(r->thread->store, r->params[0], &info) != 0)
        return api_not_found(r);
    if (api_query_int(r, "after", 0, INT64_C(1) << 53, &after) == -2 || api_query_int(r, "limit", 1, KR_PAGE_MAX, &limit) == -2)
        return API_DONE;
    int more = 0;
    json_t *msgs = store_messages_page(r->thread->store, r->params[0], after, -1, (int)limit, &more);
    struct read_audit *c = xcalloc(1, sizeof(*c));
    c->room = r->params[0];
    api_write_detached(read_audit_run, read_audit_done, c);
    return api_reply(r, 200, json_pack("{so sb}", "messages", msgs, "has_more", more));
}

/* POST /api/v1/admin/pii/scan {"texts":[…]} — the guard's hits, as suggestions for masking. */
static int
h_pii_scan(struct api_req *r)
{
    json_t *b = api_body_object(r), *texts, *t;
    size_t i;
    if (b == NULL)
        return API_DONE;
    texts = json_object_get(b, "texts");
    if (!json_is_array(texts) || json_array_size(texts) > 1000) {
        json_decref(b);
        return api_invalid(r, "texts", "1000 件以内の文字列の配列です。", "must be an array of at most 1000 strings.");
    }
    json_t *out = json_array();
    json_array_foreach(texts, i, t)
    {
        int block;
        json_t *hits;
        const char *s = json_string_value(t);
        api_pii_check(r->thread->store, s ? s : "", s ? strlen(s) : 0, r->lang_en, &block, &hits);
        json_array_append_new(out, hits);
    }
    json_decref(b);
    return api_reply(r, 200, json_pack("{so}", "results", out));
}

const struct api_op api_disclosure_ops[] = {
    {API_GET, "/api/v1/admin/rooms", API_DISCLOSURE, h_admin_rooms},
    {API_GET, "/api/v1/admin/rooms/{}/messages", API_DISCLOSURE, h_admin_room_messages},
    {API_POST, "/api/v1/admin/pii/scan", API_DISCLOSURE, h_pii_scan},
    {0, NULL, 0, NULL},
};
