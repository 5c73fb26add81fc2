/*
 * First start and housekeeping of a data directory (see bootstrap.h).
 */
#include "api/bootstrap.h"
#include "api/internal.h"
#include "policy/password.h"
#include "util/log.h"
#include "util/timefmt.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
bootstrap_admin(store_t *s, const struct kr_config *cfg, char *err, size_t errlen)
{
    int64_t n = 0;
    if (store_user_count(s, &n) != 0) {
        snprintf(err, errlen, "cannot read users");
        return -1;
    }
    if (n > 0)
        return 0;
    const char *pw = getenv("KAIRAN_ADMIN_PASSWORD");
    const char *login = getenv("KAIRAN_ADMIN_LOGIN");
    char generated[40], path[1100], hash[128];
    if (login == NULL || login[0] == '\0')
        login = cfg->admin_login;
    if (pw != NULL && pw[0] != '\0') {
        enum policy_password_reason why = policy_password_check(login, pw, NULL);
        if (why != POLICY_PASSWORD_OK) {
            snprintf(err, errlen, "KAIRAN_ADMIN_PASSWORD: %s", policy_password_reason_en(why));
            return -1;
        }
    } else {
        uint8_t raw[18];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(generated, sizeof(generated), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        pw = generated;
    }
    if (api_password_hash(pw, hash) != 0) {
        snprintf(err, errlen, "cannot hash the password (argon2 settings?)");
        return -1;
    }
    struct store_user_in in = {.login = login, .name = "管理者", .kana = "かんりしゃ", .password_hash = hash, .is_admin = 1};
    int64_t id;
    if (store_begin(s) != 0 || store_user_create(s, &in, time_now_ms(), &id) != 0 || store_commit(s) != 0) {
        store_rollback(s);
        snprintf(err, errlen, "cannot create the first administrator");
        return -1;
    }
    if (pw == generated) {
        snprintf(path, sizeof(path), "%s/initial-admin-password", cfg->data);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dprintf(fd, "%s\n", generated) < 0 || fsync(fd) != 0) {
            snprintf(err, errlen, "cannot write %s", path);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        close(fd);
        fprintf(stderr, "kairan: created administrator '%s'; its password is in %s (readable by this user only)\n", login, path);
    } else {
        fprintf(stderr, "kairan: created administrator '%s' with the password from KAIRAN_ADMIN_PASSWORD\n", login);
    }
    sodium_memzero(generated, sizeof(generated));
    log_info("bootstrap.admin", "login=%s", login);
    return 0;
}

void
bootstrap_sweep(store_t *s, const struct kr_config *cfg)
{
    char **hashes = NULL, dir[1100];
    size_t n = 0;
    if (store_begin(s) == 0 && store_files_sweep(s, time_now_ms() - 24LL * 3600 * 1000, &hashes, &n) == 0 && store_commit(s) == 0)
        api_blobs_gc(s, hashes, n);
    else
        store_rollback(s);
    store_free_strings(hashes, n);
    snprintf(dir, sizeof(dir), "%s/files/tmp", cfg->data);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "up-", 3) == 0 || strncmp(e->d_name, "h2o.b.", 6) == 0)
            unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}
