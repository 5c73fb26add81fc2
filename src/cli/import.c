/*
 * `kairan admin import-csv`: staff from a CSV as Japanese Excel writes it.
 *
 * The encoding is settled first (UTF-8 with or without BOM, else CP932), then each record is
 * imported in its own savepoint of one transaction: a bad line is reported with its line
 * number and skipped, the rest are imported. Re-importing updates existing staff (matched by
 * 職員番号). New staff get one-time passwords written to a file readable only by the invoking
 * user. Exit code: 0 all lines imported, 2 some lines were refused, 1 nothing could be done.
 */
#include "cli/internal.h"
#include "api/api.h"
#include "store/store.h"
#include "util/csv.h"
#include "util/limits.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
field(const struct csv_field *f, size_t nf, int idx)
{
    if (idx < 0 || (size_t)idx >= nf)
        return xstrdup("");
    const char *p = f[idx].ptr;
    size_t n = f[idx].len;
    /* Trim ASCII and full-width spaces around the value, in any mix. */
    for (;;) {
        if (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        else if (n >= 3 && !strncmp(p, "\u3000", 3))
            p += 3, n -= 3;
        else
            break;
    }
    for (;;) {
        if (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        else if (n >= 3 && !strncmp(p + n - 3, "\u3000", 3))
            n -= 3;
        else
            break;
    }
    return xstrndup(p, n);
}

/* The API's limits, in characters (code points). */
static int
too_long(const char *v, size_t max)
{
    return utf8_count_codepoints(v, strlen(v)) > max;
}

static const char *
employment_of(const char *v)
{
    if (!strcmp(v, "") || !strcmp(v, "正規") || !strcmp(v, "正規職員"))
        return !strcmp(v, "") ? "" : "正規";
    if (!strcmp(v, "再任用") || !strcmp(v, "再任用職員"))
        return "再任用";
    if (!strcmp(v, "会計年度任用") || !strcmp(v, "会計年度任用職員"))
        return "会計年度任用";
    return NULL;
}

static int
read_file(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 65536, n = 0;
    char *b = xmalloc(cap);
    size_t r;
    while ((r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            if (cap >= 64u * 1024 * 1024) {
                fclose(f);
                free(b);
                errno = EFBIG;
                return -1;
            }
            cap *= 2;
            b = xrealloc(b, cap);
        }
    }
    fclose(f);
    *buf = b;
    *len = n;
    return 0;
}

/*
 * Creates or updates one staff member (CSV import and directory sync alike) inside its own
 * savepoint: department by code or path, profile, a one-time password for a new account (to the
 * password file), and department rooms following the department. NULL, or why it was refused.
 */
const char *
admin__upsert_staff(const struct kr_config *cfg, store_t *s, const struct staff_row *r, int dry_run, FILE **pwf, char *pwpath,
                    size_t pwsize, int64_t *out_id, int *created)
{
    const char *login = r->login, *name = r->name, *kana = r->kana, *dept = r->dept, *title = r->title, *ext = r->ext,
               *phone = r->phone, *emp = r->emp, *code = r->code;
    const char *why = NULL, *employment = employment_of(emp);
    int64_t dept_id = 0, id = 0;
    if (!api_login_ok(login))
        why = "職員番号 is missing or has characters other than letters, digits and . _ - @";
    else if (name[0] == '\0')
        why = "氏名 is missing";
    else if (too_long(name, KR_MAX_NAME) || too_long(kana, KR_MAX_NAME))
        why = "氏名 or ふりがな is longer than 100 characters";
    else if (too_long(title, KR_MAX_PROFILE_FIELD) || too_long(ext, KR_MAX_PROFILE_FIELD) || too_long(phone, KR_MAX_PROFILE_FIELD))
        why = "役職, 内線 or 勤務先電話 is longer than 100 characters";
    else if (employment == NULL)
        why = "雇用区分 must be 正規, 再任用 or 会計年度任用";
    if (why == NULL && store_savepoint(s) != 0)
        why = "database error";
    if (why == NULL) {
        int ok = 1;
        if (code[0] && store_department_by_code(s, code, &dept_id) == 0) {
            /* The department code wins over the name: names change, codes do not. */
        } else if (dept[0]) {
            char *parts[8], *copy = xstrdup(dept); /* split in place */
            size_t np = admin__split_path(copy, parts, 8);
            ok = np > 0 && store_department_ensure_path(s, (const char *const *)parts, np, &dept_id) == 0;
            free(copy);
            if (ok && code[0])
                store_department_set_code(s, dept_id, code);
        }
        if (!ok) {
            why = "所属 could not be created";
        } else if (store_user_by_login(s, login, &id) == 0) {
            json_t *upd = json_pack("{ss ss ss ss ss ss}", "name", name, "kana", kana, "title", title, "extension", ext,
                                    "work_phone", phone, "employment", employment);
            if (dept_id)
                json_object_set_new(upd, "department_id", json_integer(dept_id));
            if (store_user_update(s, id, upd, time_now_ms()) != 0)
                why = "the user could not be updated";
            json_decref(upd);
            if (why == NULL)
                *created = 0;
        } else {
            char gen[32], hash[128];
            admin__generate_password(gen);
            struct store_user_in in = {.login = login,
                                       .name = name,
                                       .kana = kana,
                                       .title = title,
                                       .extension = ext,
                                       .work_phone = phone,
                                       .employment = employment,
                                       .department_id = dept_id,
                                       .password_hash = hash,
                                       .must_change_password = 1};
            if (!dry_run && api_password_hash(gen, hash) != 0)
                why = "password hashing failed";
            else if (dry_run)
                snprintf(hash, sizeof(hash), "!");
            if (why == NULL && store_user_create(s, &in, time_now_ms(), &id) != 0)
                why = "the user could not be created";
            if (why == NULL && !dry_run) {
                if (*pwf == NULL)
                    *pwf = admin__password_file(cfg, pwpath, pwsize);
                if (*pwf)
                    fprintf(*pwf, "%s,%s\r\n", login, gen);
            }
            sodium_memzero(gen, sizeof(gen));
            if (why == NULL)
                *created = 1;
        }
        if (why == NULL) {
            int64_t *j = NULL, *l = NULL;
            size_t nj, nl;
            if (store_sync_department_rooms(s, id, time_now_ms(), &j, &nj, &l, &nl) != 0)
                why = "department rooms could not be updated";
            free(j);
            free(l);
        }
        if (why == NULL) {
            store_release(s);
        } else {
            store_rollback_to(s);
        }
    }
    *out_id = id;
    return why;
}

int
admin_import_csv(const struct kr_config *cfg, store_t *s, const char *file, int dry_run)
{
    char *raw = NULL, *text = NULL;
    size_t rawlen, textlen;
    const char *enc = NULL;
    int created = 0, updated = 0, bad = 0, ret = 1;
    FILE *pwf = NULL;
    char pwpath[1200] = "";
    if (read_file(file, &raw, &rawlen) != 0) {
        fprintf(stderr, "kairan admin: %s: %s\n", file, strerror(errno));
        return 1;
    }
    if (csv_to_utf8(raw, rawlen, &text, &textlen, &enc) != 0) {
        fprintf(stderr, "kairan admin: %s: line %zu: neither UTF-8 nor CP932 (Shift_JIS)\n", file,
                csv_line_at(raw, rawlen, textlen));
        free(raw);
        return 1;
    }
    struct csv_reader *rd = xmalloc(sizeof(*rd));
    struct csv_field f[CSV_MAX_FIELDS];
    size_t nf, line;
    int idx[CSV_COL_COUNT];
    csv_reader_init(rd, text, textlen);
    int rc = csv_reader_next(rd, f, &nf, &line);
    if (rc != 1 || csv_header_index(f, nf, idx, NULL) < 0 || idx[CSV_COL_LOGIN] < 0 || idx[CSV_COL_NAME] < 0) {
        fprintf(stderr, "kairan admin: %s: line 1: the header must name at least 職員番号 and 氏名\n", file);
        goto Exit;
    }
    if (store_begin(s) != 0)
        goto Exit;
    for (;;) {
        rc = csv_reader_next(rd, f, &nf, &line);
        if (rc == 0)
            break;
        if (rc < 0) {
            fprintf(stderr, "%s: line %zu: %s\n", file, line, csv_error_en(rc));
            bad++;
            continue;
        }
        char *login = field(f, nf, idx[CSV_COL_LOGIN]), *name = field(f, nf, idx[CSV_COL_NAME]);
        char *kana = field(f, nf, idx[CSV_COL_KANA]), *dept = field(f, nf, idx[CSV_COL_DEPT]);
        char *title = field(f, nf, idx[CSV_COL_TITLE]), *ext = field(f, nf, idx[CSV_COL_EXTENSION]);
        char *phone = field(f, nf, idx[CSV_COL_WORK_PHONE]), *emp = field(f, nf, idx[CSV_COL_EMPLOYMENT]);
        char *code = field(f, nf, idx[CSV_COL_DEPT_CODE]);
        struct staff_row row = {login, name, kana, dept, title, ext, phone, emp, code};
        int was_created = 0;
        int64_t id = 0;
        const char *why = admin__upsert_staff(cfg, s, &row, dry_run, &pwf, pwpath, sizeof(pwpath), &id, &was_created);
        if (why == NULL)
            *(was_created ? &created : &updated) += 1;
        if (why != NULL) {
            fprintf(stderr, "%s: line %zu: %s\n", file, line, why);
            bad++;
        }
        free(login), free(name), free(kana), free(dept), free(title), free(ext), free(phone), free(emp), free(code);
    }
    if (!dry_run && admin__audit(s, "user.import", NULL, 0,
                                 json_pack("{ss si si si}", "file_encoding", enc, "created", created, "updated", updated, "refused",
                                           bad)) != 0) {
        store_rollback(s);
        goto Exit;
    }
    if (dry_run) {
        store_rollback(s);
    } else if (store_commit(s) != 0) {
        fprintf(stderr, "kairan admin: the import could not be committed\n");
        goto Exit;
    }
    printf("%s (%s): %d created, %d updated, %d refused%s\n", file, enc, created, updated, bad,
           dry_run ? " (dry run: nothing changed)" : "");
    if (pwf)
        printf("one-time passwords of the new staff are in %s (readable by this user only)\n", pwpath);
    ret = bad ? 2 : 0;
Exit:
    free(rd);
    free(raw);
    free(text);
    return ret;
}
