/*
 * Backups that restore (`kairan admin backup|restore|check`).
 *
 * A backup is a directory: `kairan.db`, a consistent copy of the database made online with
 * SQLite's backup API while the server runs; `files/ab/<hash>`, every blob the copy refers to,
 * checked against its hash as it is copied; and `MANIFEST`, written last, naming each file with
 * its SHA-256 and size — a directory without a manifest is not a backup. Restore checks the
 * manifest before it touches anything, refuses a schema newer than the binary and a running
 * server, and keeps the database it replaces. Check verifies what a restore would rely on: the
 * database's integrity, every referenced file and its hash, and the audit chain.
 */
#include "cli/admin.h"
#include "cli/adminsock.h"
#include "store/store.h"
#include "util/timefmt.h"
#include "util/xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_HEAD "# kairan backup 1"

static int
fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* SHA-256 (hex) and size of a file; copies it to `to` as well when not NULL (fsynced). */
static int
hash_copy(const char *from, const char *to, char hex[65], long long *size)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
    if (in < 0)
        return -1;
    if (to && (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
        close(in);
        return -1;
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    static char buf[1 << 16];
    ssize_t n;
    long long total = 0;
    int rc = 0;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        crypto_hash_sha256_update(&st, (const unsigned char *)buf, (size_t)n);
        total += n;
        for (ssize_t off = 0; out >= 0 && off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w <= 0) {
                rc = -1;
                break;
            }
            off += w;
        }
    }
    if (n < 0)
        rc = -1;
    close(in);
    if (out >= 0) {
        if (fsync(out) != 0)
            rc = -1;
        close(out);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, 65, h, sizeof(h));
    *size = total;
    return rc;
}

static int
dir_empty_or_missing(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

static store_t *
open_copy(const char *dir, char *err, size_t errlen)
{
    struct store_options opt = {0};
    return store_open(dir, 0, &opt, err, errlen);
}

/* Copies a PostgreSQL store into a new SQLite file at `to` (through a scratch directory). */
static int
pg_snapshot(store_t *s, const char *dir, const char *to, char *err, size_t errlen)
{
    char scratch[2100], db[2200];
    snprintf(scratch, sizeof(scratch), "%s/.snapshot", dir);
    snprintf(db, sizeof(db), "%s/kairan.db", scratch);
    if (mkdir(scratch, 0700) != 0) {
        snprintf(err, errlen, "cannot create %.400s: %s", scratch, strerror(errno));
        return -1;
    }
    struct store_options opt = {0};
    store_t *copy = store_open(scratch, 1, &opt, err, errlen);
    int rc = copy ? store_copy(s, copy, NULL, NULL, err, errlen) : -1;
    if (copy) {
        store_checkpoint(copy);
        store_close(copy);
    }
    if (rc == 0 && rename(db, to) != 0) {
        snprintf(err, errlen, "cannot move the snapshot: %s", strerror(errno));
        rc = -1;
    }
    const char *left[] = {"kairan.db", "kairan.db-wal", "kairan.db-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(db, sizeof(db), "%s/%s", scratch, left[i]);
        unlink(db);
    }
    rmdir(scratch);
    return rc;
}

int
admin_backup(const struct kr_config *cfg, store_t *s, const char *dir)
{
    char path[2048], tmp[2100], err[512];
    if (!dir_empty_or_missing(dir)) {
        fprintf(stderr, "kairan admin backup: %s is not empty; give a new directory\n", dir);
        return 1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "kairan admin backup: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    int64_t started = time_now_ms();
    snprintf(path, sizeof(path), "%s/kairan.db", dir);
    snprintf(tmp, sizeof(tmp), "%s/kairan.db.partial", dir);
    if (store_shared(s)) {
        /* PostgreSQL: the database as it was at one moment (a repeatable-read snapshot), copied
         * into an SQLite file beside the files; restore copies it back (docs/scaling.md). */
        if (pg_snapshot(s, dir, tmp, err, sizeof(err)) != 0 || fsync_path(tmp, 0) != 0 || rename(tmp, path) != 0) {
            fprintf(stderr, "kairan admin backup: %s\n", err[0] ? err : strerror(errno));
            unlink(tmp);
            return 1;
        }
    } else if (store_backup_to(s, tmp, err, sizeof(err)) != 0 || fsync_path(tmp, 0) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "kairan admin backup: %s\n", err[0] ? err : strerror(errno));
        unlink(tmp);
        return 1;
    }
    /* The blobs the copy refers to — not those of the live database, which may have moved on. */
    store_t *copy = open_copy(dir, err, sizeof(err));
    if (copy == NULL) {
        fprintf(stderr, "kairan admin backup: the copy does not open: %s\n", err);
        return 1;
    }
    char **hashes;
    size_t n;
    int schema = store_schema_version(copy);
    int rc = store_file_hashes(copy, &hashes, &n);
    store_close(copy);
    if (rc != 0) {
        fprintf(stderr, "kairan admin backup: cannot list the files\n");
        return 1;
    }
    size_t mlen = 0, mcap = 4096;
    char *manifest = xmalloc(mcap);
    char hex[65], line[2300];
    long long size, bytes = 0;
    int bad = 0;
    snprintf(tmp, sizeof(tmp), "%s/files", dir);
    mkdir(tmp, 0700);
    if (hash_copy(path, NULL, hex, &size) != 0) {
        fprintf(stderr, "kairan admin backup: cannot read %s\n", path);
        bad = 1;
    }
    mlen = (size_t)snprintf(manifest, mcap, "%s schema=%d files=%zu created=%s\n%s  %lld  kairan.db\n", MANIFEST_HEAD, schema, n,
                            time_format_jst(started, line), hex, size);
    bytes += size;
    for (size_t i = 0; i < n && !bad; i++) {
        const char *h = hashes[i];
        char from[2048], to[2200];
        snprintf(from, sizeof(from), "%s/files/%.2s/%s", cfg->data, h, h);
        snprintf(tmp, sizeof(tmp), "%s/files/%.2s", dir, h);
        mkdir(tmp, 0700);
        snprintf(to, sizeof(to), "%s/%s", tmp, h);
        if (hash_copy(from, to, hex, &size) != 0 || strcmp(hex, h) != 0) {
            fprintf(stderr, "kairan admin backup: file %s is missing or damaged in %s/files (run 'kairan admin check')\n", h,
                    cfg->data);
            bad = 1;
            break;
        }
        int l = snprintf(line, sizeof(line), "%s  %lld  files/%.2s/%s\n", hex, size, h, h);
        if (mlen + (size_t)l + 1 > mcap) {
            mcap = (mlen + (size_t)l + 1) * 2;
            manifest = xrealloc(manifest, mcap);
        }
        memcpy(manifest + mlen, line, (size_t)l + 1);
        mlen += (size_t)l;
        bytes += size;
    }
    store_free_strings(hashes, n);
    if (!bad) {
        /* The manifest last, atomically: its presence says the backup is whole. */
        snprintf(tmp, sizeof(tmp), "%s/MANIFEST.partial", dir);
        snprintf(path, sizeof(path), "%s/MANIFEST", dir);
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fwrite(manifest, 1, mlen, f) != mlen || fflush(f) != 0 || fsync(fileno(f)) != 0) {
            bad = 1;
            fprintf(stderr, "kairan admin backup: cannot write the manifest: %s\n", strerror(errno));
        }
        if (f)
            fclose(f);
        if (!bad && (rename(tmp, path) != 0 || fsync_path(dir, 1) != 0))
            bad = 1;
    }
    free(manifest);
    if (bad)
        return 1;
    char when[32];
    char *last = NULL;
    if (asprintf(&last, "{\"at\":\"%s\",\"dir\":\"%s\",\"files\":%zu,\"bytes\":%lld}", time_format_jst(started, when), dir, n,
                 bytes) > 0) {
        store_setting_set(s, "last_backup", last); /* for `kairan admin status`; the backup stands without it */
        free(last);
    }
    printf("{\"dir\":\"%s\",\"schema\":%d,\"files\":%zu,\"bytes\":%lld}\n", dir, schema, n, bytes);
    return 0;
}

/* Checks every line of DIR/MANIFEST: 0 when all files are there with their size and hash. */
static int
verify_manifest(const char *dir, int *schema)
{
    char path[2048], line[2300];
    snprintf(path, sizeof(path), "%s/MANIFEST", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "kairan admin restore: %s has no MANIFEST: not a complete backup\n", dir);
        return -1;
    }
    int ok = fgets(line, sizeof(line), f) != NULL && !strncmp(line, MANIFEST_HEAD, strlen(MANIFEST_HEAD));
    char *sp = ok ? strstr(line, "schema=") : NULL;
    *schema = sp ? atoi(sp + 7) : -1;
    int count = 0, have_db = 0;
    while (ok && fgets(line, sizeof(line), f) != NULL) {
        char want[65], rel[2048], hex[65];
        long long size, got;
        if (sscanf(line, "%64s %lld %2047s", want, &size, rel) != 3 || strstr(rel, "..") || rel[0] == '/') {
            fprintf(stderr, "kairan admin restore: bad manifest line: %s", line);
            ok = 0;
            break;
        }
        char full[4200];
        snprintf(full, sizeof(full), "%s/%s", dir, rel);
        if (hash_copy(full, NULL, hex, &got) != 0 || got != size || strcmp(hex, want) != 0) {
            fprintf(stderr, "kairan admin restore: %s is missing or does not match the manifest\n", rel);
            ok = 0;
            break;
        }
        have_db |= !strcmp(rel, "kairan.db");
        count++;
    }
    fclose(f);
    if (ok && !have_db) {
        fprintf(stderr, "kairan admin restore: the manifest names no kairan.db\n");
        ok = 0;
    }
    return ok ? count : -1;
}

int
admin_restore(const struct kr_config *cfg, const char *dir, int force)
{
    char err[512], path[2048], to[2200], reply[64];
    int schema;
    if (verify_manifest(dir, &schema) < 0)
        return 1;
    store_t *copy = open_copy(dir, err, sizeof(err));
    if (copy == NULL) {
        fprintf(stderr, "kairan admin restore: %s\n", err); /* e.g. a schema newer than this kairan */
        return 1;
    }
    char **hashes;
    size_t n;
    int rc = store_file_hashes(copy, &hashes, &n);
    store_close(copy);
    if (rc != 0)
        return 1;
    if (adminsock_request(cfg->data, "status", reply, sizeof(reply)) == 0) {
        fprintf(stderr, "kairan admin restore: a server is running on %s; stop it first\n", cfg->data);
        store_free_strings(hashes, n);
        return 1;
    }
    store_t *target = NULL;
    if (cfg->store_dsn[0]) {
        /* PostgreSQL: into an empty database only (create a new one, or drop and create it). */
        struct store_options opt = {.dsn = cfg->store_dsn};
        target = store_open(cfg->data, 1, &opt, err, sizeof(err));
        int empty = target ? store_is_empty(target) : -1;
        if (empty != 1) {
            fprintf(stderr, "kairan admin restore: %s\n",
                    target == NULL ? err
                    : empty == 0   ? "the PostgreSQL database is not empty: restore into a new database (createdb), "
                                     "or drop and create it first"
                                   : "cannot read the PostgreSQL database");
            store_close(target);
            store_free_strings(hashes, n);
            return 1;
        }
        (void)force;
    }
    snprintf(path, sizeof(path), "%s/kairan.db", cfg->data);
    if (target == NULL && access(path, F_OK) == 0 && !force) {
        fprintf(stderr,
                "kairan admin restore: %s already holds a database; add --force to replace it (it is kept as "
                "kairan.db.before-restore-TIME)\n",
                cfg->data);
        store_free_strings(hashes, n);
        return 1;
    }
    mkdir(cfg->data, 0750);
    snprintf(to, sizeof(to), "%s/files", cfg->data);
    mkdir(to, 0750);
    /* Blobs first (content-addressed: one already there is the same file), the database last. */
    for (size_t i = 0; i < n; i++) {
        char from[2048], hex[65];
        long long size;
        snprintf(from, sizeof(from), "%s/files/%.2s/%s", dir, hashes[i], hashes[i]);
        snprintf(to, sizeof(to), "%s/files/%.2s", cfg->data, hashes[i]);
        mkdir(to, 0750);
        snprintf(to, sizeof(to), "%s/files/%.2s/%s", cfg->data, hashes[i], hashes[i]);
        if (access(to, F_OK) == 0)
            continue;
        char part[2300];
        snprintf(part, sizeof(part), "%s.restoring", to);
        if (hash_copy(from, part, hex, &size) != 0 || strcmp(hex, hashes[i]) != 0 || rename(part, to) != 0) {
            fprintf(stderr, "kairan admin restore: cannot copy file %s\n", hashes[i]);
            unlink(part);
            store_free_strings(hashes, n);
            return 1;
        }
    }
    store_free_strings(hashes, n);
    if (target != NULL) {
        copy = open_copy(dir, err, sizeof(err));
        int crc = copy ? store_copy(copy, target, NULL, NULL, err, sizeof(err)) : -1;
        store_close(copy);
        store_close(target);
        if (crc != 0) {
            fprintf(stderr, "kairan admin restore: %s\n", err);
            return 1;
        }
        printf("{\"restored\":\"%s\",\"schema\":%d,\"files\":%zu,\"store\":\"postgresql\"}\n", dir, schema, n);
        return 0;
    }
    char from[2048], part[2300], hex[65], stamp[32];
    long long size;
    snprintf(from, sizeof(from), "%s/kairan.db", dir);
    snprintf(part, sizeof(part), "%s/kairan.db.restoring", cfg->data);
    if (hash_copy(from, part, hex, &size) != 0) {
        fprintf(stderr, "kairan admin restore: cannot copy the database: %s\n", strerror(errno));
        unlink(part);
        return 1;
    }
    if (access(path, F_OK) == 0) {
        /* The replaced database is kept, with its WAL, under a dated name. */
        snprintf(stamp, sizeof(stamp), "%lld", (long long)(time_now_ms() / 1000));
        const char *sfx[] = {"", "-wal", "-shm"};
        for (int k = 0; k < 3; k++) {
            char a[2100], b[2200];
            snprintf(a, sizeof(a), "%s%s", path, sfx[k]);
            snprintf(b, sizeof(b), "%s/kairan.db.before-restore-%s%s", cfg->data, stamp, sfx[k]);
            if (access(a, F_OK) == 0 && rename(a, b) != 0) {
                fprintf(stderr, "kairan admin restore: cannot move %s aside: %s\n", a, strerror(errno));
                return 1;
            }
        }
    }
    if (rename(part, path) != 0 || fsync_path(cfg->data, 1) != 0) {
        fprintf(stderr, "kairan admin restore: cannot put the database in place: %s\n", strerror(errno));
        return 1;
    }
    printf("{\"restored\":\"%s\",\"schema\":%d,\"files\":%zu}\n", dir, schema, n);
    return 0;
}

int
admin_check(const struct kr_config *cfg, store_t *s)
{
    char msg[512];
    int problems = 0;
    if (store_integrity(s, msg, sizeof(msg)) != 0) {
        printf("database: %s\n", msg);
        problems++;
    } else {
        printf("database: ok (schema %d)\n", store_schema_version(s));
    }
    char **hashes;
    size_t n;
    if (store_file_hashes(s, &hashes, &n) != 0) {
        printf("files: cannot list\n");
        problems++;
    } else {
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            char path[2048], hex[65];
            long long size;
            snprintf(path, sizeof(path), "%s/files/%.2s/%s", cfg->data, hashes[i], hashes[i]);
            if (hash_copy(path, NULL, hex, &size) != 0) {
                printf("file %s: missing\n", hashes[i]);
                bad++;
            } else if (strcmp(hex, hashes[i]) != 0) {
                printf("file %s: content does not match its hash\n", hashes[i]);
                bad++;
            }
        }
        printf("files: %zu checked, %zu bad\n", n, bad);
        problems += bad > 0;
        store_free_strings(hashes, n);
    }
    int64_t count = 0, bad_id = 0;
    int v = store_audit_verify(s, &count, &bad_id);
    if (v == 0) {
        printf("audit chain: ok (%lld entries)\n", (long long)count);
    } else {
        printf("audit chain: broken at entry %lld\n", (long long)bad_id);
        problems++;
    }
    return problems ? 1 : 0;
}

int
admin_migrate(const struct kr_config *cfg)
{
    char err[512];
    struct store_options opt = {.keep_deleted_content = cfg->keep_deleted_content, .dsn = cfg->store_dsn};
    store_t *s = store_open(cfg->data, 0, &opt, err, sizeof(err));
    if (s == NULL) {
        fprintf(stderr, "kairan admin migrate: %s\n", err); /* e.g. a schema newer than this kairan */
        return 1;
    }
    int before = store_schema_version(s);
    store_close(s);
    /* Each migration runs in its own transaction: an interrupted upgrade resumes where it stopped. */
    if ((s = store_open(cfg->data, 1, &opt, err, sizeof(err))) == NULL) {
        fprintf(stderr, "kairan admin migrate: %s\n", err);
        return 1;
    }
    int after = store_schema_version(s);
    store_close(s);
    printf("schema %d -> %d%s\n", before, after, before == after ? " (already current)" : "");
    return 0;
}

int
admin_status(const struct kr_config *cfg, store_t *s)
{
    char reply[512], path[2048];
    int running = adminsock_request(cfg->data, "status", reply, sizeof(reply)) == 0;
    reply[strcspn(reply, "\r\n")] = '\0';
    printf("server: %s\n", running ? "running" : "not running");
    if (running && !strncmp(reply, "ok ", 3)) {
        /* "connections=… events=…" as one line per figure. */
        for (char *tok = strtok(reply + 3, " "); tok; tok = strtok(NULL, " ")) {
            char *eq = strchr(tok, '=');
            if (eq) {
                *eq = '\0';
                printf("%s: %s\n", tok, eq + 1);
            }
        }
    }
    long long db = 0;
    const char *sfx[] = {"", "-wal"};
    for (int k = 0; k < 2; k++) {
        struct stat st;
        snprintf(path, sizeof(path), "%s/kairan.db%s", cfg->data, sfx[k]);
        if (stat(path, &st) == 0)
            db += st.st_size;
    }
    if (store_shared(s)) /* the connection string may hold a password: never printed */
        printf("database: PostgreSQL (store = postgresql), schema %d\nfiles: %s/files\n", store_schema_version(s), cfg->data);
    else
        printf("database: %s/kairan.db, %.1f MiB, schema %d\n", cfg->data, (double)db / (1 << 20), store_schema_version(s));
    char *last = store_setting_get(s, "last_backup");
    json_t *j = last ? json_loads(last, 0, NULL) : NULL;
    if (j)
        printf("last backup: %s to %s (%lld files)\n", json_string_value(json_object_get(j, "at")),
               json_string_value(json_object_get(j, "dir")), (long long)json_integer_value(json_object_get(j, "files")));
    else
        printf("last backup: none recorded\n");
    json_decref(j);
    free(last);
    return 0;
}
