/*
 * Staff from the city's directory (R26): `kairan admin ldap sync [--dry-run]`.
 *
 * Reads every staff entry from LDAP or Active Directory (libldap, StartTLS or ldaps://, paged
 * search), maps its attributes as the configuration says, and creates or updates each person
 * exactly as the CSV import does (the same function, so both give the same result): 氏名, ふりがな,
 * department (from an attribute, or from the entry's ou chain below the search base), 役職,
 * 内線, 勤務先電話, employment type. Someone who changed department moves between department
 * rooms (the April 人事異動); someone who left — an enabled staff account the directory no
 * longer has — is disabled and their sessions end at once; someone re-hired is enabled again.
 * Their messages stay. A run that would disable more than a fifth of the staff is refused unless
 * --allow-mass-disable: an empty answer from a misconfigured directory must not lock out a city.
 * All of it is one transaction, audited; --dry-run shows the changes and keeps none.
 */
#include "cli/admin.h"
#include "cli/adminsock.h"
#include "cli/internal.h"
#include "util/ldapc.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PAGE_SIZE 500

struct seen {
    char **logins;
    size_t n, cap;
};

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
seen_add(struct seen *s, const char *login)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->logins = xrealloc(s->logins, s->cap * sizeof(char *));
    }
    s->logins[s->n++] = xstrdup(login);
}

static int
seen_has(const struct seen *s, const char *login)
{
    return bsearch(&login, s->logins, s->n, sizeof(char *), cmp_str) != NULL;
}

/* The first value of an attribute as a string ("" when absent or unmapped). */
static char *
attr(LDAP *ld, LDAPMessage *e, const char *name)
{
    if (name == NULL || name[0] == '\0')
        return xstrdup("");
    struct berval **v = ldap_get_values_len(ld, e, name);
    char *out = xstrdup("");
    if (v && v[0]) {
        free(out);
        out = xmalloc(v[0]->bv_len + 1);
        memcpy(out, v[0]->bv_val, v[0]->bv_len);
        out[v[0]->bv_len] = '\0';
    }
    ldap_value_free_len(v);
    return out;
}

/* The department path from the entry's DN: its ou values between the entry and the base,
 * outermost first ("ou=文書係,ou=総務課,ou=総務部,<base>" → "総務部 総務課 文書係"). */
static char *
dept_from_dn(const char *dn, const char *base)
{
    LDAPDN edn = NULL, bdn = NULL;
    char *out = xstrdup("");
    if (ldap_str2dn(dn, &edn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS)
        return out;
    int nb = 0, ne = 0;
    if (ldap_str2dn(base, &bdn, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS)
        while (bdn && bdn[nb])
            nb++;
    while (edn[ne])
        ne++;
    size_t len = 0;
    for (int i = ne - nb - 1; i >= 1; i--) {
        LDAPAVA *ava = edn[i][0];
        if (ava->la_attr.bv_len != 2 || strncasecmp(ava->la_attr.bv_val, "ou", 2))
            continue;
        out = xrealloc(out, len + ava->la_value.bv_len + 2);
        if (len)
            out[len++] = ' ';
        memcpy(out + len, ava->la_value.bv_val, ava->la_value.bv_len);
        len += ava->la_value.bv_len;
        out[len] = '\0';
    }
    ldap_dnfree(edn);
    if (bdn)
        ldap_dnfree(bdn);
    return out;
}

struct tally {
    int entries, created, updated, moved, enabled, disabled, refused;
};

/* One entry: mapped and applied (or, in a dry run, applied inside the transaction that is then
 * rolled back, so the report is exactly what a real run would do). */
static void
apply_entry(const struct kr_config *cfg, store_t *s, LDAP *ld, LDAPMessage *e, int dry_run, struct seen *seen, struct tally *t,
            FILE **pwf, char *pwpath, size_t pwsize)
{
    char *dn = ldap_get_dn(ld, e);
    char *login = attr(ld, e, cfg->ldap_attr_login), *name = attr(ld, e, cfg->ldap_attr_name);
    char *kana = attr(ld, e, cfg->ldap_attr_kana), *title = attr(ld, e, cfg->ldap_attr_title);
    char *ext = attr(ld, e, cfg->ldap_attr_extension), *phone = attr(ld, e, cfg->ldap_attr_work_phone);
    char *emp = attr(ld, e, cfg->ldap_attr_employment);
    char *dept = cfg->ldap_attr_department[0] ? attr(ld, e, cfg->ldap_attr_department) : dept_from_dn(dn ? dn : "", cfg->ldap_base);
    for (char *p = dept; *p; p++)
        if (*p == '/' || *p == '>')
            *p = ' '; /* "総務部/総務課" and "総務部 > 総務課" both name a path */
    t->entries++;
    int64_t before_id = 0, id = 0;
    char *before_dept = NULL;
    int was_disabled = 0;
    if (login[0] && store_user_by_login(s, login, &before_id) == 0) {
        json_t *u = store_user_json(s, before_id);
        const char *d = json_string_value(json_object_get(u, "department"));
        before_dept = xstrdup(d ? d : "");
        was_disabled = json_is_true(json_object_get(u, "disabled"));
        json_decref(u);
    }
    struct staff_row row = {login, name, kana, dept, title, ext, phone, emp, ""};
    int created = 0;
    const char *why = admin__upsert_staff(cfg, s, &row, dry_run, pwf, pwpath, pwsize, &id, &created);
    if (why) {
        fprintf(stderr, "%s: %s\n", dn ? dn : login, why);
        t->refused++;
    } else {
        seen_add(seen, login);
        if (created) {
            t->created++;
            if (dry_run)
                printf("would create %s (%s, %s)\n", login, name, dept);
        } else {
            t->updated++;
            json_t *u = store_user_json(s, id);
            const char *now = json_string_value(json_object_get(u, "department"));
            if (before_dept && now && strcmp(before_dept, now)) {
                t->moved++;
                printf("%s %s: %s -> %s\n", dry_run ? "would move" : "moved", login, before_dept, now);
            }
            json_decref(u);
            if (was_disabled) {
                /* Back in the directory (re-hired): the account is enabled again. */
                json_t *f = json_pack("{sb}", "disabled", 0);
                if (store_user_update(s, id, f, time_now_ms()) == 0) {
                    t->enabled++;
                    printf("%s %s\n", dry_run ? "would enable" : "enabled", login);
                }
                json_decref(f);
            }
        }
    }
    free(before_dept);
    free(login), free(name), free(kana), free(title), free(ext), free(phone), free(emp), free(dept);
    ldap_memfree(dn);
}

static int
search_all(const struct kr_config *cfg, store_t *s, LDAP *ld, int dry_run, struct seen *seen, struct tally *t, FILE **pwf,
           char *pwpath, size_t pwsize)
{
    const char *names[] = {cfg->ldap_attr_login,      cfg->ldap_attr_name,       cfg->ldap_attr_kana,
                           cfg->ldap_attr_title,      cfg->ldap_attr_extension,  cfg->ldap_attr_work_phone,
                           cfg->ldap_attr_department, cfg->ldap_attr_employment, NULL};
    char *attrs[9];
    int na = 0;
    for (int i = 0; names[i]; i++)
        if (names[i][0])
            attrs[na++] = (char *)names[i];
    attrs[na] = NULL;
    struct berval *cookie = NULL;
    struct timeval tv = {60, 0};
    int rc;
    do {
        LDAPControl *page = NULL, *ctrls[2] = {NULL, NULL}, **resp = NULL;
        if ((rc = ldap_create_page_control(ld, PAGE_SIZE, cookie, 1, &page)) != LDAP_SUCCESS)
            break;
        ctrls[0] = page;
        LDAPMessage *res = NULL;
        rc = ldap_search_ext_s(ld, cfg->ldap_base, LDAP_SCOPE_SUBTREE, cfg->ldap_filter, attrs, 0, ctrls, NULL, &tv, 0, &res);
        ldap_control_free(page);
        if (rc != LDAP_SUCCESS && rc != LDAP_PARTIAL_RESULTS) {
            ldap_msgfree(res);
            break;
        }
        for (LDAPMessage *e = ldap_first_entry(ld, res); e; e = ldap_next_entry(ld, e))
            apply_entry(cfg, s, ld, e, dry_run, seen, t, pwf, pwpath, pwsize);
        int err = 0;
        ldap_parse_result(ld, res, &err, NULL, NULL, NULL, &resp, 0);
        ber_bvfree(cookie);
        cookie = NULL;
        LDAPControl *pr = resp ? ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, resp, NULL) : NULL;
        ber_int_t estimate;
        struct berval c = {0, NULL};
        if (pr && ldap_parse_pageresponse_control(ld, pr, &estimate, &c) == LDAP_SUCCESS && c.bv_len > 0) {
            cookie = ber_bvdup(&c);
        }
        ber_memfree(c.bv_val);
        ldap_controls_free(resp);
        ldap_msgfree(res);
        rc = err;
    } while (rc == LDAP_SUCCESS && cookie != NULL);
    ber_bvfree(cookie);
    if (rc != LDAP_SUCCESS) {
        fprintf(stderr, "kairan admin ldap: search %s under %s: %s\n", cfg->ldap_filter, cfg->ldap_base, ldap_err2string(rc));
        return -1;
    }
    return 0;
}

int
admin_ldap_sync(const struct kr_config *cfg, store_t *s, int dry_run, int allow_mass_disable)
{
    if (cfg->ldap_uri[0] == '\0' || cfg->ldap_base[0] == '\0') {
        fprintf(stderr, "kairan admin ldap: set ldap_uri and ldap_base in the configuration (see README)\n");
        return 2;
    }
    char err[512];
    LDAP *ld = ldapc_connect(cfg, err, sizeof(err));
    if (ld == NULL) {
        fprintf(stderr, "kairan admin ldap: %s\n", err);
        return 1;
    }
    struct seen seen = {0};
    struct tally t = {0};
    FILE *pwf = NULL;
    char pwpath[1200] = "";
    int ret = 1;
    int64_t *gone = NULL;
    size_t ngone = 0, cap = 0;
    if (store_begin(s) != 0)
        goto out;
    if (search_all(cfg, s, ld, dry_run, &seen, &t, &pwf, pwpath, sizeof(pwpath)) != 0) {
        store_rollback(s);
        goto out;
    }
    qsort(seen.logins, seen.n, sizeof(char *), cmp_str);
    /* Who left: enabled staff accounts (not administrators, not department accounts) the
     * directory no longer has. */
    json_t *all = store_user_list_all(s);
    size_t i, staff = 0;
    json_t *u;
    json_array_foreach(all, i, u)
    {
        const char *kind = json_string_value(json_object_get(u, "kind")), *login = json_string_value(json_object_get(u, "login"));
        if (json_is_true(json_object_get(u, "disabled")) || json_is_true(json_object_get(u, "is_admin")) || kind == NULL ||
            strcmp(kind, "staff") || login == NULL)
            continue;
        staff++;
        if (!seen_has(&seen, login)) {
            if (ngone == cap) {
                cap = cap ? cap * 2 : 64;
                gone = xrealloc(gone, cap * sizeof(int64_t));
            }
            gone[ngone++] = json_integer_value(json_object_get(u, "id"));
            printf("%s %s (%s)\n", dry_run ? "would disable" : "disabled", login, json_string_value(json_object_get(u, "name")));
        }
    }
    json_decref(all);
    if (ngone > 5 && ngone * 5 > staff && !allow_mass_disable) {
        fprintf(stderr,
                "kairan admin ldap: the directory lacks %zu of %zu staff; refusing to disable so many (check ldap_base and "
                "ldap_filter, or add --allow-mass-disable)\n",
                ngone, staff);
        store_rollback(s);
        goto out;
    }
    for (size_t k = 0; k < ngone; k++) {
        json_t *f = json_pack("{sb}", "disabled", 1);
        int64_t *ids = NULL;
        size_t n = 0;
        int rc = store_user_update(s, gone[k], f, time_now_ms());
        json_decref(f);
        if (rc == 0)
            rc = store_sessions_revoke_user(s, gone[k], 0, time_now_ms(), &ids, &n);
        free(ids);
        if (rc != 0) {
            store_rollback(s);
            goto out;
        }
    }
    t.disabled = (int)ngone;
    if (!dry_run && admin__audit(s, "user.ldap_sync", NULL, 0,
                                 json_pack("{ss si si si si si si si}", "uri", cfg->ldap_uri, "entries", t.entries, "created",
                                           t.created, "updated", t.updated, "moved", t.moved, "enabled", t.enabled, "disabled",
                                           t.disabled, "refused", t.refused)) != 0) {
        store_rollback(s);
        goto out;
    }
    if (dry_run) {
        store_rollback(s);
    } else if (store_commit(s) != 0) {
        fprintf(stderr, "kairan admin ldap: the sync could not be committed\n");
        goto out;
    }
    /* After the commit: the running server closes the sessions of those who left at once. */
    for (size_t k = 0; !dry_run && k < ngone; k++) {
        char cmd[64], reply[64];
        snprintf(cmd, sizeof(cmd), "revoke-user %lld", (long long)gone[k]);
        adminsock_request(cfg->data, cmd, reply, sizeof(reply));
    }
    printf("directory %s: %d entries; %d created, %d updated (%d moved department), %d enabled, %d disabled, %d refused%s\n",
           cfg->ldap_uri, t.entries, t.created, t.updated, t.moved, t.enabled, t.disabled, t.refused,
           dry_run ? " (dry run: nothing changed)" : "");
    if (pwf)
        printf("one-time passwords of the new staff are in %s (readable by this user only)\n", pwpath);
    ret = t.refused ? 2 : 0;
out:
    if (pwf)
        fclose(pwf);
    free(gone);
    store_free_strings(seen.logins, seen.n);
    ldap_unbind_ext_s(ld, NULL, NULL);
    return ret;
}
