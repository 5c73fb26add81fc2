/*
 * Configuration loading.
 *
 * The file format is deliberately tiny (key = value, # comments) so that an administrator can
 * edit it with any editor on a closed network; every key can also come from the environment as
 * KAIRAN_<KEY>, which is what tests and containers use. Unknown keys are an error, so a typo
 * never silently falls back to a default.
 */
#include "util/config.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum kind { K_STR, K_INT, K_U64, K_SIZE, K_BOOL, K_LEVEL };

struct key {
    const char *name;
    enum kind kind;
    size_t off;
    size_t size; /* for strings */
};

#define S(f) K_STR, offsetof(struct kr_config, f), sizeof(((struct kr_config *)0)->f)
#define N(k, f) k, offsetof(struct kr_config, f), 0
static const struct key keys[] = {
    {"listen", S(listen)},
    {"data", S(data)},
    {"store", S(store)},
    {"store_dsn", S(store_dsn)},
    {"public_url", S(public_url)},
    {"web_root", S(web_root)},
    {"admin_login", S(admin_login)},
    {"tls_cert", S(tls_cert)},
    {"tls_key", S(tls_key)},
    {"threads", N(K_INT, threads)},
    {"job_threads", N(K_INT, job_threads)},
    {"argon2_ops", N(K_U64, argon2_ops)},
    {"argon2_mem_kib", N(K_SIZE, argon2_mem_kib)},
    {"max_upload_mib", N(K_SIZE, max_upload_mib)},
    {"keep_deleted_content", N(K_BOOL, keep_deleted_content)},
    {"log_level", N(K_LEVEL, log_level)},
    {"password_min_length", N(K_INT, password_min_length)},
    {"session_days", N(K_INT, session_days)},
    {"password_min_classes", N(K_INT, password_min_classes)},
    {"password_expiry_days", N(K_INT, password_expiry_days)},
    {"password_warn_days", N(K_INT, password_warn_days)},
    {"password_history", N(K_INT, password_history)},
    {"totp_required_for_admins", N(K_BOOL, totp_required_for_admins)},
    {"rate_sends_per_minute", N(K_INT, rate_sends_per_minute)},
    {"rate_uploads_per_minute", N(K_INT, rate_uploads_per_minute)},
    {"ldap_uri", S(ldap_uri)},
    {"ldap_bind_dn", S(ldap_bind_dn)},
    {"ldap_bind_password_file", S(ldap_bind_password_file)},
    {"ldap_base", S(ldap_base)},
    {"ldap_filter", S(ldap_filter)},
    {"ldap_starttls", N(K_BOOL, ldap_starttls)},
    {"ldap_sync_minutes", N(K_INT, ldap_sync_minutes)},
    {"ldap_auth", N(K_BOOL, ldap_auth)},
    {"ldap_attr_login", S(ldap_attr_login)},
    {"ldap_attr_name", S(ldap_attr_name)},
    {"ldap_attr_kana", S(ldap_attr_kana)},
    {"ldap_attr_title", S(ldap_attr_title)},
    {"ldap_attr_extension", S(ldap_attr_extension)},
    {"ldap_attr_work_phone", S(ldap_attr_work_phone)},
    {"ldap_attr_department", S(ldap_attr_department)},
    {"ldap_attr_employment", S(ldap_attr_employment)},
};
#undef S
#undef N

static int
set_key(struct kr_config *cfg, const struct key *k, const char *val, char *err, size_t errlen)
{
    char *p = (char *)cfg + k->off, *end;
    switch (k->kind) {
    case K_STR:
        if (strlen(val) >= k->size) {
            snprintf(err, errlen, "%s: value too long", k->name);
            return -1;
        }
        strcpy(p, val);
        return 0;
    case K_BOOL:
        if (!strcasecmp(val, "true") || !strcmp(val, "1") || !strcasecmp(val, "yes") || !strcasecmp(val, "on"))
            *(int *)p = 1;
        else if (!strcasecmp(val, "false") || !strcmp(val, "0") || !strcasecmp(val, "no") || !strcasecmp(val, "off"))
            *(int *)p = 0;
        else
            goto bad;
        return 0;
    case K_LEVEL: {
        int l = log_parse_level(val);
        if (l < 0)
            goto bad;
        *(int *)p = l;
        return 0;
    }
    default: {
        errno = 0;
        unsigned long long v = strtoull(val, &end, 10);
        if (errno || end == val || *end != '\0' || val[0] == '-')
            goto bad;
        if (k->kind == K_INT) {
            if (v > 1000000)
                goto bad;
            *(int *)p = (int)v;
        } else if (k->kind == K_U64) {
            *(unsigned long long *)p = v;
        } else {
            *(size_t *)p = (size_t)v;
        }
        return 0;
    }
    }
bad:
    snprintf(err, errlen, "%s: invalid value", k->name);
    return -1;
}

static const struct key *
find_key(const char *name)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int
load_file(struct kr_config *cfg, const char *path, int must_exist, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        if (!must_exist && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[2048];
    int lineno = 0, ret = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
            ret = -1;
            break;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        size_t vl = strlen(v);
        if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
            v[vl - 1] = '\0';
            v++;
        }
        const struct key *key = find_key(k);
        if (key == NULL) {
            snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, k);
            ret = -1;
            break;
        }
        char kerr[200];
        if (set_key(cfg, key, v, kerr, sizeof(kerr)) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, kerr);
            ret = -1;
            break;
        }
    }
    fclose(f);
    return ret;
}

int
config_load(struct kr_config *cfg, const char *path, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->listen, "127.0.0.1:8080");
    strcpy(cfg->data, "./data");
    strcpy(cfg->store, "sqlite");
    strcpy(cfg->web_root, "./web");
    strcpy(cfg->admin_login, "admin");
    cfg->threads = 0;
    cfg->job_threads = 2;
    /* libsodium's "moderate"-like cost: about 0.3 s and 64 MiB per hash on an office server. */
    cfg->argon2_ops = 3;
    cfg->argon2_mem_kib = 64 * 1024;
    cfg->max_upload_mib = 100;
    cfg->keep_deleted_content = 0;
    cfg->log_level = LOG_INFO;
    cfg->password_min_length = 10;
    cfg->session_days = 30;
    cfg->password_min_classes = 1;
    /* The city's guide asks for periodic changes (R19); a city following NIST sets 0. */
    cfg->password_expiry_days = 180;
    cfg->password_warn_days = 14;
    cfg->password_history = 5;
    cfg->totp_required_for_admins = 0;
    cfg->rate_sends_per_minute = 600;
    cfg->rate_uploads_per_minute = 60;
    /* OpenLDAP's inetOrgPerson; Active Directory: see README ("Staff from the directory"). */
    strcpy(cfg->ldap_filter, "(objectClass=inetOrgPerson)");
    strcpy(cfg->ldap_attr_login, "uid");
    strcpy(cfg->ldap_attr_name, "cn");
    strcpy(cfg->ldap_attr_title, "title");
    strcpy(cfg->ldap_attr_work_phone, "telephoneNumber");
    strcpy(cfg->ldap_attr_employment, "employeeType");

    if (path == NULL)
        path = getenv("KAIRAN_CONFIG");
    if (path != NULL) {
        if (load_file(cfg, path, 1, err, errlen) != 0)
            return -1;
    } else if (load_file(cfg, "kairan.conf", 0, err, errlen) != 0) {
        return -1;
    }

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char env[64] = "KAIRAN_";
        size_t j = strlen(env);
        for (const char *p = keys[i].name; *p && j < sizeof(env) - 1; p++)
            env[j++] = (char)toupper((unsigned char)*p);
        env[j] = '\0';
        const char *v = getenv(env);
        if (v != NULL && set_key(cfg, &keys[i], v, err, errlen) != 0)
            return -1;
    }
    /* KAIRAN_STORE may hold the URI itself: postgresql:///kairan?host=/run/postgresql */
    if (strncmp(cfg->store, "postgresql://", 13) == 0 || strncmp(cfg->store, "postgres://", 11) == 0) {
        snprintf(cfg->store_dsn, sizeof(cfg->store_dsn), "%s", cfg->store);
        strcpy(cfg->store, "postgresql");
    }
    if (strcmp(cfg->store, "sqlite") == 0) {
        cfg->store_dsn[0] = '\0';
    } else if (strcmp(cfg->store, "postgresql") != 0) {
        snprintf(err, errlen, "store must be sqlite, postgresql or a postgresql:// URI");
        return -1;
    } else if (cfg->store_dsn[0] == '\0') {
        snprintf(err, errlen, "store = postgresql needs store_dsn (a libpq connection string or URI)");
        return -1;
    }
    if (cfg->argon2_ops < 1 || cfg->argon2_mem_kib < 8) {
        snprintf(err, errlen, "argon2_ops must be >= 1 and argon2_mem_kib >= 8");
        return -1;
    }
    if ((cfg->tls_cert[0] != '\0') != (cfg->tls_key[0] != '\0')) {
        snprintf(err, errlen, "tls_cert and tls_key go together");
        return -1;
    }
    if (cfg->max_upload_mib < 1 || cfg->max_upload_mib > 4096) {
        snprintf(err, errlen, "max_upload_mib must be 1..4096");
        return -1;
    }
    if (cfg->threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->threads = n > 0 ? (int)n : 1;
    }
    if (cfg->threads > 64)
        cfg->threads = 64;
    if (cfg->job_threads < 1)
        cfg->job_threads = 1;
    log_set_level((enum log_level)cfg->log_level);
    return 0;
}
