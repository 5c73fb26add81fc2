/*
 * `kairan admin copy-store --to TARGET`: the whole store (the one the config names) into an
 * empty other one — a PostgreSQL database (a postgresql:// URI) when a city moves to several
 * nodes, or a data directory (SQLite) to come back — then each table's rows and checksum on
 * both sides, compared. The files directory is not copied: several nodes share it (or copy it
 * with the usual tools). Run it with the server stopped, so that the source does not change.
 */
#include "cli/admin.h"
#include "cli/internal.h"
#include "store/store.h"
#include "util/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct sums {
    char **table, **sum;
    int64_t *rows;
    size_t n;
};

static int
collect(void *arg, const char *table, int64_t rows, const char *sum)
{
    struct sums *s = arg;
    s->table = xrealloc(s->table, (s->n + 1) * sizeof(char *));
    s->sum = xrealloc(s->sum, (s->n + 1) * sizeof(char *));
    s->rows = xrealloc(s->rows, (s->n + 1) * sizeof(int64_t));
    s->table[s->n] = xstrdup(table);
    s->sum[s->n] = xstrdup(sum);
    s->rows[s->n] = rows;
    s->n++;
    return 0;
}

static void
sums_free(struct sums *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->table[i]);
        free(s->sum[i]);
    }
    free(s->table);
    free(s->sum);
    free(s->rows);
}

static int
progress(void *arg, const char *table, int64_t rows)
{
    (void)arg;
    fprintf(stderr, "copied %-20s %lld rows\n", table, (long long)rows);
    return 0;
}

int
admin_copy_store(const struct kr_config *cfg, store_t *src, const char *to)
{
    char err[512];
    int pg = strncmp(to, "postgresql://", 13) == 0 || strncmp(to, "postgres://", 11) == 0;
    struct store_options opt = {.keep_deleted_content = cfg->keep_deleted_content, .dsn = pg ? to : NULL};
    if (!pg && mkdir(to, 0750) != 0) {
        struct stat st;
        if (stat(to, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "kairan admin: --to %s: not a postgresql:// URI nor a directory that can be made\n", to);
            return 2;
        }
    }
    store_t *dst = store_open(pg ? cfg->data : to, 1, &opt, err, sizeof(err));
    if (dst == NULL) {
        fprintf(stderr, "kairan admin: the target: %s\n", err);
        return 1;
    }
    if (!strcmp(store_engine(src), store_engine(dst)) && !pg && !strcmp(to, cfg->data)) {
        fprintf(stderr, "kairan admin: the target is the source\n");
        store_close(dst);
        return 2;
    }
    fprintf(stderr, "copying the %s store into a %s store\n", store_engine(src), store_engine(dst));
    int rc = store_copy(src, dst, progress, NULL, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "kairan admin: %s; the target was left as it was\n", err);
        store_close(dst);
        return 1;
    }
    struct sums a = {0}, b = {0};
    if (store_table_sums(src, collect, &a) != 0 || store_table_sums(dst, collect, &b) != 0 || a.n != b.n) {
        fprintf(stderr, "kairan admin: cannot verify the copy\n");
        rc = 1;
    } else {
        printf("%-20s %10s  %-16s %s\n", "table", "rows", "checksum", "");
        for (size_t i = 0; i < a.n; i++) {
            int same = a.rows[i] == b.rows[i] && !strcmp(a.sum[i], b.sum[i]);
            printf("%-20s %10lld  %.16s %s\n", a.table[i], (long long)a.rows[i], a.sum[i], same ? "same" : "DIFFERENT");
            if (!same) {
                fprintf(stderr, "kairan admin: table %s differs: %lld rows %.16s in the source, %lld rows %.16s in the target\n",
                        a.table[i], (long long)a.rows[i], a.sum[i], (long long)b.rows[i], b.sum[i]);
                rc = 1;
            }
        }
        if (rc == 0)
            printf("copied and verified: %zu tables, every row count and checksum the same\n", a.n);
    }
    sums_free(&a);
    sums_free(&b);
    store_close(dst);
    return rc;
}
