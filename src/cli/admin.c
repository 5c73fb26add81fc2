/*
 * `kairan admin …`: provisioning on the data directory, safe while the server runs.
 *
 * Each command opens its own store connection and changes the data in one transaction
 * (SQLite's locking serialises it with the server's writer). Changes that must reach live
 * sessions at once — a lock, a disabled account — are then told to the running server through
 * its admin socket (DATA/admin.sock, mode 0600); when no server runs, the command says so and
 * the change takes effect at the next start. Generated passwords are written to a file
 * readable only by the invoking user, never printed or logged.
 */
#include "cli/admin.h"
#include "api/api.h"
#include "api/export.h"
#include "cli/adminsock.h"
#include "policy/password.h"
#include "store/store.h"
#include "util/limits.h"
#include "util/csv.h"
#include "util/kana.h"
#include "util/timefmt.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct opts {
    const char *name, *kana, *password, *department, *title, *extension, *work_phone, *employment, *code, *role, *action, *to;
    int admin, dept_account, must_change, disable, enable, dry_run, json, force, mass_disable;
    const char *pos[3];
    int npos;
};

/* The options every command understands: those taking a value, then the flags. */
static const struct {
    const char *name;
    size_t off;
} value_opts[] = {
    {"--name", offsetof(struct opts, name)},
    {"--kana", offsetof(struct opts, kana)},
    {"--password", offsetof(struct opts, password)},
    {"--department", offsetof(struct opts, department)},
    {"--title", offsetof(struct opts, title)},
    {"--extension", offsetof(struct opts, extension)},
    {"--work-phone", offsetof(struct opts, work_phone)},
    {"--employment", offsetof(struct opts, employment)},
    {"--code", offsetof(struct opts, code)},
    {"--role", offsetof(struct opts, role)},
    {"--action", offsetof(struct opts, action)},
    {"--to", offsetof(struct opts, to)},
};

static const struct {
    const char *name;
    size_t off;
} flag_opts[] = {
    {"--admin", offsetof(struct opts, admin)},
    {"--department-account", offsetof(struct opts, dept_account)},
    {"--must-change-password", offsetof(struct opts, must_change)},
    {"--disable", offsetof(struct opts, disable)},
    {"--enable", offsetof(struct opts, enable)},
    {"--dry-run", offsetof(struct opts, dry_run)},
    {"--force", offsetof(struct opts, force)},
    {"--allow-mass-disable", offsetof(struct opts, mass_disable)},
    {"--json", offsetof(struct opts, json)},
};

static int
parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        size_t k;
        int known = 0;
        for (k = 0; k < sizeof(value_opts) / sizeof(value_opts[0]) && !known; k++)
            if (!strcmp(a, value_opts[k].name)) {
                if (++i >= argc) {
                    fprintf(stderr, "kairan admin: %s needs a value\n", a);
                    return -1;
                }
                *(const char **)((char *)o + value_opts[k].off) = argv[i];
                known = 1;
            }
        for (k = 0; k < sizeof(flag_opts) / sizeof(flag_opts[0]) && !known; k++)
            if (!strcmp(a, flag_opts[k].name)) {
                *(int *)((char *)o + flag_opts[k].off) = 1;
                known = 1;
            }
        if (known)
            continue;
        if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "kairan admin: unknown option %s\n", a);
            return -1;
        }
        if (o->npos >= 3) {
            fprintf(stderr, "kairan admin: too many arguments\n");
            return -1;
        }
        o->pos[o->npos++] = a;
    }
    return 0;
}

/* Splits "総務部 総務課 文書係" (spaces, full-width spaces, / or ＞) into parts, in place;
 * shared with import.c. */
size_t
admin__split_path(char *s, char **parts, size_t max)
{
    size_t n = 0;
    char *p = s;
    while (*p && n < max) {
        while (*p == ' ' || *p == '/' || !strncmp(p, "\u3000", 3) || !strncmp(p, "\uff1e", 3) || *p == '>')
            p += (*p == ' ' || *p == '/' || *p == '>') ? 1 : 3;
        if (!*p)
            break;
        parts[n++] = p;
        while (*p && *p != ' ' && *p != '/' && *p != '>' && strncmp(p, "\u3000", 3) && strncmp(p, "\uff1e", 3))
            p++;
        if (*p) {
            int w = (*p == ' ' || *p == '/' || *p == '>') ? 1 : 3;
            *p = '\0';
            p += w;
        }
    }
    return n;
}

static int
department_id_for(store_t *s, const char *path, int64_t *id)
{
    char *copy = xstrdup(path), *parts[8];
    size_t n = admin__split_path(copy, parts, 8);
    int rc = n == 0 ? STORE_EINVAL : store_department_ensure_path(s, (const char *const *)parts, n, id);
    free(copy);
    return rc;
}

void
admin__generate_password(char out[32])
{
    uint8_t raw[12];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, 32, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/*
 * Opens (once per run) the CSV of one-time passwords, DATA/initial-passwords/<time>.csv with
 * mode 0600, and returns its path in `path`. Shared by user add, reset-password and import-csv.
 * The stream stays open until the process exits.
 */
FILE *
admin__password_file(const struct kr_config *cfg, char *path, size_t size)
{
    static FILE *f;
    static char saved[1200];
    if (f == NULL) {
        char dir[1100];
        snprintf(dir, sizeof(dir), "%s/initial-passwords", cfg->data);
        mkdir(dir, 0700);
        snprintf(saved, sizeof(saved), "%s/%lld.csv", dir, (long long)time_now_ms());
        int fd = open(saved, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
            fprintf(stderr, "kairan admin: cannot write %s: %s\n", saved, strerror(errno));
            return NULL;
        }
        fprintf(f, "職員番号,初期パスワード\r\n");
    }
    snprintf(path, size, "%s", saved);
    return f;
}

static int
hash_password(const char *login, const char *pw, char hash[128], int check)
{
    if (check) {
        struct policy_password_rules rules = api_password_rules();
        enum policy_password_reason why = policy_password_check(login, pw, &rules);
        if (why != POLICY_PASSWORD_OK) {
            fprintf(stderr, "kairan admin: password: %s\n", policy_password_reason_en(why));
            return -1;
        }
    }
    return api_password_hash(pw, hash);
}

static store_t *
open_store(const struct kr_config *cfg)
{
    char err[512];
    struct store_options opt = {.keep_deleted_content = cfg->keep_deleted_content, .dsn = cfg->store_dsn};
    mkdir(cfg->data, 0750);
    store_t *s = store_open(cfg->data, 1, &opt, err, sizeof(err));
    if (s == NULL)
        fprintf(stderr, "kairan admin: %s\n", err);
    return s;
}

static void
notify_server(const struct kr_config *cfg, const char *cmd)
{
    char reply[256];
    if (adminsock_request(cfg->data, cmd, reply, sizeof(reply)) == 0)
        printf("the running server applied it (%s)\n", reply);
    else
        printf("no server is running; the change applies when it starts\n");
}

/* Records an admin-command action in the audit log, inside the caller's transaction. */
static int
cli_audit(store_t *s, const char *action, const char *target_type, int64_t target, json_t *detail)
{
    json_t *d = detail ? detail : json_object();
    json_object_set_new(d, "via", json_string("kairan admin"));
    char *text = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(d);
    struct store_audit a = {.action = action, .target_type = target_type, .target_id = target, .detail = text};
    int rc = store_audit_append(s, &a, time_now_ms());
    free(text);
    return rc;
}

int
admin__audit(store_t *s, const char *action, const char *target_type, int64_t target, json_t *detail)
{
    return cli_audit(s, action, target_type, target, detail);
}

static int
cmd_user_add(const struct kr_config *cfg, store_t *s, struct opts *o)
{
    if (o->npos != 1 || o->name == NULL) {
        fprintf(stderr, "usage: kairan admin user add LOGIN --name NAME [--kana K] [--password P] [--department PATH] "
                        "[--title T] [--extension E] [--work-phone W] [--employment 正規|再任用|会計年度任用] [--admin] "
                        "[--department-account] [--must-change-password]\n");
        return 2;
    }
    if (!api_login_ok(o->pos[0])) {
        fprintf(stderr, "kairan admin: the login may hold only a-z, A-Z, 0-9, '.', '_', '-' and '@' (at most %d)\n", KR_MAX_LOGIN);
        return 2;
    }
    if (o->employment && !api_employment_ok(o->employment)) {
        fprintf(stderr, "kairan admin: --employment must be 正規, 再任用 or 会計年度任用\n");
        return 2;
    }
    char hash[128], gen[32], path[1200];
    const char *pw = o->password;
    int generated = 0;
    if (pw == NULL) {
        admin__generate_password(gen);
        pw = gen;
        generated = 1;
    }
    if (hash_password(o->pos[0], pw, hash, !generated) != 0)
        return 1;
    struct store_user_in in = {.login = o->pos[0],
                               .name = o->name,
                               .kana = o->kana,
                               .title = o->title,
                               .extension = o->extension,
                               .work_phone = o->work_phone,
                               .employment = o->employment,
                               .kind = o->dept_account ? "department" : "staff",
                               .password_hash = hash,
                               .is_admin = o->admin,
                               .must_change_password = o->must_change || generated};
    int64_t id;
    if (store_begin(s) != 0)
        return 1;
    if (o->department && department_id_for(s, o->department, &in.department_id) != 0)
        goto fail;
    int rc = store_user_create(s, &in, time_now_ms(), &id);
    if (rc == STORE_ECONFLICT) {
        fprintf(stderr, "kairan admin: login %s already exists\n", o->pos[0]);
        goto fail;
    }
    int64_t *j = NULL, *l = NULL;
    size_t nj = 0, nl = 0;
    if (rc != 0 || store_sync_department_rooms(s, id, time_now_ms(), &j, &nj, &l, &nl) != 0 ||
        cli_audit(s, "user.create", "user", id, json_pack("{ss sb}", "login", o->pos[0], "is_admin", o->admin)) != 0)
        goto fail;
    free(j);
    free(l);
    if (store_commit(s) != 0)
        goto fail;
    printf("created user %s (id %lld)\n", o->pos[0], (long long)id);
    if (generated) {
        FILE *f = admin__password_file(cfg, path, sizeof(path));
        if (f) {
            fprintf(f, "%s,%s\r\n", o->pos[0], gen);
            printf("its one-time password is in %s\n", path);
        }
    }
    return 0;
fail:
    store_rollback(s);
    return 1;
}

static int
find_user(store_t *s, const char *login, int64_t *id)
{
    if (store_user_by_login(s, login, id) != 0) {
        fprintf(stderr, "kairan admin: no user with login %s\n", login);
        return -1;
    }
    return 0;
}

static int
cmd_user_update(const struct kr_config *cfg, store_t *s, struct opts *o)
{
    int64_t id, dept = 0;
    if (o->npos != 1) {
        fprintf(stderr, "usage: kairan admin user update LOGIN [--name N] [--kana K] [--department PATH] [--title T] "
                        "[--extension E] [--work-phone W] [--employment E] [--disable|--enable] [--role admin|dept_admin|user]\n");
        return 2;
    }
    if (find_user(s, o->pos[0], &id) != 0 || store_begin(s) != 0)
        return 1;
    json_t *f = json_object();
    if (o->name)
        json_object_set_new(f, "name", json_string(o->name));
    if (o->kana)
        json_object_set_new(f, "kana", json_string(o->kana));
    if (o->title)
        json_object_set_new(f, "title", json_string(o->title));
    if (o->extension)
        json_object_set_new(f, "extension", json_string(o->extension));
    if (o->work_phone)
        json_object_set_new(f, "work_phone", json_string(o->work_phone));
    if (o->employment) {
        if (!api_employment_ok(o->employment)) {
            fprintf(stderr, "kairan admin: --employment must be 正規, 再任用 or 会計年度任用\n");
            goto fail;
        }
        json_object_set_new(f, "employment", json_string(o->employment));
    }
    if (o->department) {
        if (department_id_for(s, o->department, &dept) != 0)
            goto fail;
        json_object_set_new(f, "department_id", json_integer(dept));
    }
    if (o->disable || o->enable)
        json_object_set_new(f, "disabled", json_boolean(o->disable));
    if (o->role) {
        if (strcmp(o->role, "admin") && strcmp(o->role, "dept_admin") && strcmp(o->role, "user")) {
            fprintf(stderr, "kairan admin: --role must be admin, dept_admin or user\n");
            goto fail;
        }
        json_object_set_new(f, "is_admin", json_boolean(!strcmp(o->role, "admin")));
        json_object_set_new(f, "dept_admin", json_boolean(!strcmp(o->role, "dept_admin")));
    }
    int64_t *j = NULL, *l = NULL, *rev = NULL;
    size_t nj = 0, nl = 0, nr = 0;
    if (store_user_update(s, id, f, time_now_ms()) != 0 || store_sync_department_rooms(s, id, time_now_ms(), &j, &nj, &l, &nl) != 0)
        goto fail;
    if (o->disable && store_sessions_revoke_user(s, id, 0, time_now_ms(), &rev, &nr) != 0)
        goto fail;
    if (o->role && cli_audit(s, "user.role", "user", id, json_pack("{ss}", "role", o->role)) != 0)
        goto fail;
    if (cli_audit(s, "user.update", "user", id, NULL) != 0)
        goto fail;
    free(j);
    free(l);
    free(rev);
    json_decref(f);
    if (store_commit(s) != 0)
        return 1;
    printf("updated user %s\n", o->pos[0]);
    if (o->disable) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "revoke-user %lld", (long long)id);
        notify_server(cfg, cmd);
    }
    return 0;
fail:
    json_decref(f);
    store_rollback(s);
    return 1;
}

static int
cmd_user_lock(const struct kr_config *cfg, store_t *s, struct opts *o, int lock)
{
    int64_t id, *rev = NULL;
    size_t nr = 0;
    if (o->npos != 1) {
        fprintf(stderr, "usage: kairan admin user %s LOGIN\n", lock ? "lock" : "unlock");
        return 2;
    }
    if (find_user(s, o->pos[0], &id) != 0 || store_begin(s) != 0)
        return 1;
    if (store_user_set_lock(s, id, lock, time_now_ms()) != 0 ||
        (lock && store_sessions_revoke_user(s, id, 0, time_now_ms(), &rev, &nr) != 0) ||
        cli_audit(s, lock ? "user.lock" : "user.unlock", "user", id, NULL) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        free(rev);
        return 1;
    }
    free(rev);
    printf("%s user %s\n", lock ? "locked" : "unlocked", o->pos[0]);
    if (lock) {
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "revoke-user %lld", (long long)id);
        notify_server(cfg, cmd);
    }
    return 0;
}

static int
cmd_user_reset(const struct kr_config *cfg, store_t *s, struct opts *o)
{
    int64_t id, *rev = NULL;
    size_t nr = 0;
    char gen[32], hash[128], path[1200];
    if (o->npos != 1) {
        fprintf(stderr, "usage: kairan admin user reset-password LOGIN [--password P]\n");
        return 2;
    }
    if (find_user(s, o->pos[0], &id) != 0)
        return 1;
    const char *pw = o->password;
    if (pw == NULL) {
        admin__generate_password(gen);
        pw = gen;
    }
    if (hash_password(o->pos[0], pw, hash, o->password != NULL) != 0 || store_begin(s) != 0)
        return 1;
    if (store_user_set_password(s, id, hash, 1, time_now_ms()) != 0 ||
        store_sessions_revoke_user(s, id, 0, time_now_ms(), &rev, &nr) != 0 ||
        cli_audit(s, "user.password_reset", "user", id, NULL) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        free(rev);
        return 1;
    }
    free(rev);
    printf("reset the password of %s; it must be changed at the next login\n", o->pos[0]);
    if (o->password == NULL) {
        FILE *f = admin__password_file(cfg, path, sizeof(path));
        if (f) {
            fprintf(f, "%s,%s\r\n", o->pos[0], gen);
            printf("the one-time password is in %s\n", path);
        }
    }
    char cmd[64];
    snprintf(cmd, sizeof(cmd), "revoke-user %lld", (long long)id);
    notify_server(cfg, cmd);
    return 0;
}

static int
cmd_user_list(store_t *s, struct opts *o)
{
    json_t *all = store_user_list_all(s), *u;
    size_t i;
    if (o->json) {
        char *t = json_dumps(all, JSON_INDENT(1));
        puts(t);
        free(t);
    } else {
        json_array_foreach(all, i, u)
        {
            printf("%s\t%s\t%s\t%s\t%s%s%s\n", json_string_value(json_object_get(u, "login")),
                   json_string_value(json_object_get(u, "name")), json_string_value(json_object_get(u, "department")),
                   json_string_value(json_object_get(u, "title")), json_is_true(json_object_get(u, "is_admin")) ? "admin " : "",
                   json_is_true(json_object_get(u, "locked")) ? "locked " : "",
                   json_is_true(json_object_get(u, "disabled")) ? "disabled" : "");
        }
    }
    json_decref(all);
    return 0;
}

static int
cmd_department(store_t *s, struct opts *o, const char *verb)
{
    if (!strcmp(verb, "list")) {
        json_t *all = store_departments_json(s), *d;
        size_t i;
        json_array_foreach(all, i, d)
            printf("%lld\t%s\t%s\n", (long long)json_integer_value(json_object_get(d, "id")),
                   json_is_string(json_object_get(d, "code")) ? json_string_value(json_object_get(d, "code")) : "-",
                   json_string_value(json_object_get(d, "path")));
        json_decref(all);
        return 0;
    }
    if (strcmp(verb, "add") || o->npos != 1) {
        fprintf(stderr, "usage: kairan admin department add \"総務部 総務課 文書係\" [--code CODE]\n"
                        "       kairan admin department list\n");
        return 2;
    }
    int64_t id;
    if (store_begin(s) != 0)
        return 1;
    if (department_id_for(s, o->pos[0], &id) != 0) {
        store_rollback(s);
        fprintf(stderr, "kairan admin: invalid department path\n");
        return 1;
    }
    if (o->code && store_department_set_code(s, id, o->code) != 0) {
        store_rollback(s);
        fprintf(stderr, "kairan admin: code %s is already used\n", o->code);
        return 1;
    }
    if (cli_audit(s, "department.create", "department", id, json_pack("{ss}", "path", o->pos[0])) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        return 1;
    }
    printf("department %s (id %lld)\n", o->pos[0], (long long)id);
    return 0;
}

static int
cmd_delegate(store_t *s, struct opts *o, const char *verb)
{
    int64_t a, u;
    int on = !strcmp(verb, "add");
    if ((!on && strcmp(verb, "remove")) || o->npos != 2) {
        fprintf(stderr, "usage: kairan admin delegate add|remove DEPARTMENT_ACCOUNT_LOGIN STAFF_LOGIN\n");
        return 2;
    }
    if (find_user(s, o->pos[0], &a) != 0 || find_user(s, o->pos[1], &u) != 0)
        return 1;
    json_t *acc = store_user_json(s, a);
    int is_dept = acc && !strcmp(json_string_value(json_object_get(acc, "kind")), "department");
    json_decref(acc);
    if (!is_dept) {
        fprintf(stderr, "kairan admin: %s is not a department account\n", o->pos[0]);
        return 1;
    }
    if (store_begin(s) != 0 || store_delegate_set(s, a, u, on) != 0 ||
        cli_audit(s, on ? "delegate.add" : "delegate.remove", "user", a, json_pack("{sI}", "user_id", (json_int_t)u)) != 0 ||
        store_commit(s) != 0) {
        store_rollback(s);
        return 1;
    }
    printf("%s may %s post for %s\n", o->pos[1], on ? "now" : "no longer", o->pos[0]);
    return 0;
}

int admin_import_csv(const struct kr_config *cfg, store_t *s, const char *file, int dry_run);

/*
 * kairan admin export --room ID [--room ID …] [--from T] [--to T] --out FILE.zip [--cp932]
 *                     [--masks FILE.json] [--release FILE_ID …]
 * The same archive as POST /api/v1/admin/exports, written by the command; audited.
 */
static int
cmd_export(const struct kr_config *cfg, store_t *s, int argc, char **argv)
{
    int64_t rooms[500], release[1000], people[500];
    size_t nrooms = 0, nrelease = 0, npeople = 0;
    char *keywords[50];
    size_t nkeywords = 0;
    struct export_spec spec = {.to_ms = INT64_MAX};
    const char *out = NULL, *masks_file = NULL;
    char files_dir[1100], err[256];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--cp932")) {
            spec.cp932 = 1;
            continue;
        }
        if (!strcmp(a, "--masked")) {
            spec.masked = 1;
            continue;
        }
        if (v == NULL)
            goto usage;
        i++;
        if (!strcmp(a, "--room") && nrooms < 500 && atoll(v) > 0)
            rooms[nrooms++] = atoll(v);
        else if (!strcmp(a, "--release") && nrelease < 1000 && atoll(v) > 0)
            release[nrelease++] = atoll(v);
        else if (!strcmp(a, "--user") && npeople < 500 && atoll(v) > 0)
            people[npeople++] = atoll(v);
        else if (!strcmp(a, "--keyword") && nkeywords < 50 && *v && kana_fold(v, strlen(v), &keywords[nkeywords]) == 0 &&
                 keywords[nkeywords][0])
            nkeywords++;
        else if (!strcmp(a, "--from") && time_parse(v, &spec.from_ms) == 0)
            ;
        else if (!strcmp(a, "--to") && time_parse(v, &spec.to_ms) == 0)
            ;
        else if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--masks"))
            masks_file = v;
        else {
            fprintf(stderr, "kairan admin export: bad option or value: %s %s\n", a, v);
            return 2;
        }
    }
    if (nrooms == 0 || out == NULL)
        goto usage;
    struct export_mask *masks = NULL;
    json_t *mj = NULL;
    if (masks_file) {
        json_error_t je;
        mj = json_load_file(masks_file, 0, &je);
        if (!json_is_array(mj)) {
            fprintf(stderr, "kairan admin export: %s: expected a JSON array of {message_id, start, length, ground}\n", masks_file);
            json_decref(mj);
            return 2;
        }
        masks = xcalloc(json_array_size(mj) + 1, sizeof(*masks));
        size_t i;
        json_t *m;
        json_array_foreach(mj, i, m)
        {
            const char *g = json_string_value(json_object_get(m, "ground"));
            masks[spec.nmasks].message_id = json_integer_value(json_object_get(m, "message_id"));
            masks[spec.nmasks].start = (size_t)json_integer_value(json_object_get(m, "start"));
            masks[spec.nmasks].length = (size_t)json_integer_value(json_object_get(m, "length"));
            snprintf(masks[spec.nmasks].ground, sizeof(masks[0].ground), "%s", g ? g : "");
            if (masks[spec.nmasks].message_id <= 0 || masks[spec.nmasks].length == 0 || g == NULL || !g[0]) {
                fprintf(stderr, "kairan admin export: %s: entry %zu needs message_id, start, length and ground\n", masks_file,
                        i + 1);
                free(masks);
                json_decref(mj);
                return 2;
            }
            spec.nmasks++;
        }
    }
    snprintf(files_dir, sizeof(files_dir), "%s/files", cfg->data);
    spec.rooms = rooms;
    spec.nrooms = nrooms;
    spec.masks = masks;
    spec.release_files = release;
    spec.nrelease = nrelease;
    spec.requested_by = "kairan admin";
    spec.files_dir = files_dir;
    spec.people = people;
    spec.npeople = npeople;
    spec.keywords = keywords;
    spec.nkeywords = nkeywords;
    json_t *summary = NULL;
    int rc = export_build(s, &spec, out, &summary, err, sizeof(err));
    for (size_t k = 0; k < nkeywords; k++)
        free(keywords[k]);
    free(masks);
    json_decref(mj);
    if (rc != 0) {
        fprintf(stderr, "kairan admin export: %s\n", err);
        return 1;
    }
    if (store_begin(s) != 0 || cli_audit(s, "export.create", "export", 0, json_pack("{sO}", "summary", summary)) != 0 ||
        store_commit(s) != 0) {
        store_rollback(s);
        json_decref(summary);
        unlink(out);
        fprintf(stderr, "kairan admin export: could not record the export in the audit log; nothing was kept\n");
        return 1;
    }
    char *t = json_dumps(summary, JSON_COMPACT);
    printf("%s\n%s\n", out, t);
    free(t);
    json_decref(summary);
    return 0;
usage:
    fprintf(stderr, "usage: kairan admin export --room ID [--room ID ...] [--from RFC3339] [--to RFC3339] --out FILE.zip\n"
                    "                          [--cp932] [--masked] [--masks FILE.json] [--release FILE_ID ...]\n"
                    "                          [--user USER_ID ...] [--keyword WORD ...]\n");
    return 2;
}

static int
cmd_audit(store_t *s, struct opts *o, const char *verb)
{
    if (!strcmp(verb, "verify")) {
        int64_t count = 0, bad = 0;
        int rc = store_audit_verify(s, &count, &bad);
        if (rc == 0) {
            printf("audit log intact: %lld entries\n", (long long)count);
            return 0;
        }
        if (rc == 1)
            fprintf(stderr,
                    "kairan admin: audit log broken at entry %lld (altered, inserted or removed); the %lld entries before it are "
                    "intact\n",
                    (long long)bad, (long long)count);
        return 1;
    }
    if (!strcmp(verb, "search")) {
        int more = 0;
        int64_t actor = 0;
        if (o->npos == 1 && find_user(s, o->pos[0], &actor) != 0)
            return 1;
        json_t *e = store_audit_search(s, o->action, actor, 0, 0, INT64_MAX, 0, 200, &more), *x;
        size_t i;
        if (o->json) {
            char *t = json_dumps(e, JSON_INDENT(1));
            puts(t);
            free(t);
        } else {
            json_array_foreach(e, i, x)
            {
                char *d = json_dumps(json_object_get(x, "detail"), JSON_COMPACT);
                json_t *login = json_object_get(x, "actor_login");
                printf("%lld\t%s\t%s\t%s\t%s:%lld\t%s\n", (long long)json_integer_value(json_object_get(x, "id")),
                       json_string_value(json_object_get(x, "at")), json_is_string(login) ? json_string_value(login) : "-",
                       json_string_value(json_object_get(x, "action")), json_string_value(json_object_get(x, "target_type")),
                       (long long)json_integer_value(json_object_get(x, "target_id")), d);
                free(d);
            }
        }
        json_decref(e);
        return 0;
    }
    fprintf(stderr, "usage: kairan admin audit verify\n       kairan admin audit search [LOGIN] [--action PREFIX] [--json]\n");
    return 2;
}

static int
help(void)
{
    fprintf(stderr,
            "usage: kairan admin COMMAND\n"
            "  user add LOGIN --name NAME [options]   create a user (see 'user add' for options)\n"
            "  user list [--json]                     list users\n"
            "  user update LOGIN [options]            change a user's profile, department, --disable/--enable\n"
            "  user lock LOGIN | user unlock LOGIN    lock (lost phone) or unlock an account\n"
            "  user reset-password LOGIN [--password P]\n"
            "  import-csv FILE [--dry-run]            import staff from a CSV (UTF-8, UTF-8 with BOM, or CP932)\n"
            "  department add PATH [--code C] | department list\n"
            "  delegate add|remove DEPT_ACCOUNT STAFF  who may post for a department account\n"
            "  audit verify                           check the audit log's hash chain (exit 1 names the first bad entry)\n"
            "  audit search [LOGIN] [--action PREFIX] [--json]\n"
            "  backup DIR                             a consistent copy while the server runs (database, files, MANIFEST)\n"
            "  restore DIR [--force]                  check DIR's MANIFEST, then put it in place (server stopped)\n"
            "  check                                  database integrity, every file and its hash, the audit chain\n"
            "  copy-store --to URI|DIR                the whole store into an empty PostgreSQL database or data directory,\n"
            "                                         verified by row counts and checksums (server stopped)\n"
            "  migrate                                apply pending schema migrations (the server also does at start)\n"
            "  status                                 the running server's connections and writes, database size, last backup\n"
            "  export --room ID [...] [--from T] [--to T] [--user ID ...] [--keyword W ...] --out FILE.zip [--cp932] "
            "[--masks FILE.json]\n");
    return 2;
}

int
admin_main(const struct kr_config *cfg, int argc, char **argv)
{
    struct opts o;
    if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help"))
        return help();
    api_init(cfg);
    int two = argc >= 2 && (!strcmp(argv[0], "user") || !strcmp(argv[0], "department") || !strcmp(argv[0], "delegate") ||
                            !strcmp(argv[0], "audit") || !strcmp(argv[0], "ldap"));
    /* export takes repeated options of its own. */
    if (strcmp(argv[0], "export") != 0 && parse_opts(argc - 1 - two, argv + 1 + two, &o) != 0)
        return 2;
    if (!strcmp(argv[0], "migrate"))
        return admin_migrate(cfg);
    /* restore must not open (and so create or migrate) the database it is about to replace. */
    if (!strcmp(argv[0], "restore")) {
        if (o.npos != 1) {
            fprintf(stderr, "usage: kairan admin restore DIR [--force]\n");
            return 2;
        }
        return admin_restore(cfg, o.pos[0], o.force);
    }
    store_t *s = open_store(cfg);
    if (s == NULL)
        return 1;
    int rc = 2;
    if (!strcmp(argv[0], "user") && two) {
        const char *v = argv[1];
        if (!strcmp(v, "add"))
            rc = cmd_user_add(cfg, s, &o);
        else if (!strcmp(v, "list"))
            rc = cmd_user_list(s, &o);
        else if (!strcmp(v, "update"))
            rc = cmd_user_update(cfg, s, &o);
        else if (!strcmp(v, "lock") || !strcmp(v, "unlock"))
            rc = cmd_user_lock(cfg, s, &o, !strcmp(v, "lock"));
        else if (!strcmp(v, "reset-password"))
            rc = cmd_user_reset(cfg, s, &o);
        else
            rc = help();
    } else if (!strcmp(argv[0], "department") && two) {
        rc = cmd_department(s, &o, argv[1]);
    } else if (!strcmp(argv[0], "audit") && two) {
        rc = cmd_audit(s, &o, argv[1]);
    } else if (!strcmp(argv[0], "ldap") && two && !strcmp(argv[1], "sync")) {
        rc = admin_ldap_sync(cfg, s, o.dry_run, o.mass_disable);
    } else if (!strcmp(argv[0], "delegate") && two) {
        rc = cmd_delegate(s, &o, argv[1]);
    } else if (!strcmp(argv[0], "export")) {
        rc = cmd_export(cfg, s, argc - 1, argv + 1);
    } else if (!strcmp(argv[0], "backup")) {
        if (o.npos != 1) {
            fprintf(stderr, "usage: kairan admin backup DIR\n");
            rc = 2;
        } else {
            rc = admin_backup(cfg, s, o.pos[0]);
        }
    } else if (!strcmp(argv[0], "copy-store")) {
        if (o.to == NULL || o.npos != 0) {
            fprintf(stderr, "usage: kairan admin copy-store --to postgresql://…|DIR\n");
            rc = 2;
        } else {
            rc = admin_copy_store(cfg, s, o.to);
        }
    } else if (!strcmp(argv[0], "check")) {
        rc = admin_check(cfg, s);
    } else if (!strcmp(argv[0], "status")) {
        rc = admin_status(cfg, s);
    } else if (!strcmp(argv[0], "import-csv")) {
        if (o.npos != 1) {
            fprintf(stderr, "usage: kairan admin import-csv FILE [--dry-run]\n");
            rc = 2;
        } else {
            rc = admin_import_csv(cfg, s, o.pos[0], o.dry_run);
        }
    } else {
        rc = help();
    }
    store_close(s);
    return rc;
}
