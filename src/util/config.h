/*
 * Configuration: a `key = value` file, then KAIRAN_<KEY> environment variables over it.
 *
 * Every key has a default (README.md lists them). The file is read once at start; the struct
 * is then read-only and shared by all threads.
 */
#ifndef KAIRAN_UTIL_CONFIG_H
#define KAIRAN_UTIL_CONFIG_H

#include <stddef.h>

struct kr_config {
    char listen[256];     /* host:port */
    char data[1024];      /* data directory (the files; the SQLite database too when store = sqlite) */
    char store[1024];     /* "sqlite", "postgresql", or a postgresql:// URI (then store_dsn is set from it) */
    char store_dsn[1024]; /* libpq connection string when store = postgresql; "" for SQLite */
    char public_url[512]; /* e.g. https://chat.city.lg.jp; used for the Origin check and Secure cookies */
    char web_root[1024];  /* directory of the web client */
    char admin_login[64]; /* login of the first administrator */
    char tls_cert[1024];  /* PEM certificate chain: serve HTTPS itself (else plain HTTP, e.g. behind nginx) */
    char tls_key[1024];   /* PEM private key for tls_cert */
    int threads;          /* loop threads; 0 = one per core */
    int job_threads;      /* threads for password hashing and file work */
    unsigned long long argon2_ops;
    size_t argon2_mem_kib;
    size_t max_upload_mib;
    int keep_deleted_content;
    int log_level;
    int password_min_length;
    int session_days;         /* absolute lifetime of a session */
    int password_min_classes; /* kinds of characters a password needs */
    int password_expiry_days; /* 0: passwords never expire (NIST SP 800-63B) */
    int password_warn_days;   /* warn this many days before expiry */
    int password_history;     /* a new password may not repeat the last N */
    int totp_required_for_admins;
    int rate_sends_per_minute;   /* per person; 0: unlimited */
    int rate_uploads_per_minute; /* per person; 0: unlimited */
    /* Staff from the city's directory (`kairan admin ldap sync`). */
    char ldap_uri[512];                 /* ldap://host or ldaps://host; empty: no directory */
    char ldap_bind_dn[512];             /* empty: anonymous */
    char ldap_bind_password_file[1024]; /* the bind password, read from this file (mode 0600) */
    char ldap_base[512];                /* where staff entries are searched */
    char ldap_filter[512];              /* which entries are staff */
    int ldap_starttls;                  /* upgrade ldap:// with StartTLS */
    /* `kairan serve` syncs the directory this often; 0: only by hand */
    int ldap_sync_minutes;
    /* staff sign in with their directory password (administrators keep Kairan's own) */
    int ldap_auth;
    char ldap_attr_login[64], ldap_attr_name[64], ldap_attr_kana[64], ldap_attr_title[64], ldap_attr_extension[64],
        ldap_attr_work_phone[64], ldap_attr_department[64], ldap_attr_employment[64];
};

/*
 * Fills `cfg` with the defaults, then the file at `path` (NULL: KAIRAN_CONFIG, else
 * ./kairan.conf if it exists), then the environment. On error writes a message to `err`
 * (size errlen) and returns -1.
 */
int config_load(struct kr_config *cfg, const char *path, char *err, size_t errlen);

#endif
