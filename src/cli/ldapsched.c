/*
 * The directory sync on a schedule (`ldap_sync_minutes`): `kairan serve` runs
 * `kairan admin ldap sync` as a child process every so often, so the sync has its own database
 * connection and transaction exactly as when an administrator runs it, and a failed or slow
 * directory never touches the server's threads. The child's summary goes to the server's log.
 */
#include "cli/admin.h"
#include "api/api.h"
#include "store/store.h"
#include "util/log.h"
#include "util/timefmt.h"

#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static struct {
    char config[1024];
    int has_config;
    unsigned period_s, first_s;
    char data[1024], dsn[1024];
} sched;

/* Several nodes share one database: the sync runs on the node that holds the lease, until a
 * little before its next run (docs/scaling.md). One node: always this one. */
static int
this_node_syncs(void)
{
    if (sched.dsn[0] == '\0')
        return 1;
    char err[256];
    struct store_options opt = {.dsn = sched.dsn};
    store_t *s = store_open(sched.data, 0, &opt, err, sizeof(err));
    if (s == NULL) {
        log_warn("ldap.sync", "result=skipped error=\"%s\"", err);
        return 0;
    }
    int held = store_lease(s, "ldap-sync", api_node(), time_now_ms(), (int64_t)sched.period_s * 1000 + 60000);
    store_close(s);
    if (held != 1)
        log_info("ldap.sync", "result=skipped reason=\"another node holds the lease\"");
    return held == 1;
}

static void
run_once(void)
{
    if (!this_node_syncs())
        return;
    char exe[] = "/proc/self/exe", a0[] = "kairan", a1[] = "admin", cflag[] = "--config", a2[] = "ldap", a3[] = "sync";
    char *argv[8];
    int n = 0;
    argv[n++] = a0;
    argv[n++] = a1;
    if (sched.has_config) {
        argv[n++] = cflag;
        argv[n++] = sched.config;
    }
    argv[n++] = a2;
    argv[n++] = a3;
    argv[n] = NULL;
    pid_t pid;
    int rc = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
    if (rc != 0) {
        log_error("ldap.sync", "error=\"%s\"", strerror(rc));
        return;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        log_info("ldap.sync", "result=ok");
    else
        log_warn("ldap.sync", "result=failed exit=%d (see the lines above; run `kairan admin ldap sync --dry-run`)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void *
scheduler(void *arg)
{
    unsigned wait = sched.first_s;
    for (;;) {
        /* A timer, not a synchronisation: nothing waits for this thread. */
        while (wait > 0)
            wait = sleep(wait);
        run_once();
        wait = sched.period_s;
    }
    return NULL;
}

int
ldap_schedule_start(const struct kr_config *cfg, const char *config_path)
{
    if (cfg->ldap_sync_minutes <= 0 || cfg->ldap_uri[0] == '\0')
        return 0;
    sched.period_s = (unsigned)cfg->ldap_sync_minutes * 60;
    snprintf(sched.data, sizeof(sched.data), "%s", cfg->data);
    snprintf(sched.dsn, sizeof(sched.dsn), "%s", cfg->store_dsn);
    sched.first_s = sched.period_s;
    /* Tests see the first run at once instead of after a period. */
    const char *t = getenv("KAIRAN_TEST"), *first = getenv("KAIRAN_TEST_LDAP_FIRST_SECONDS");
    if (t && !strcmp(t, "1") && first)
        sched.first_s = (unsigned)atoi(first);
    if (config_path) {
        snprintf(sched.config, sizeof(sched.config), "%s", config_path);
        sched.has_config = 1;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, scheduler, NULL) != 0)
        return -1;
    pthread_detach(th);
    log_info("ldap.schedule", "every_minutes=%d", cfg->ldap_sync_minutes);
    return 0;
}
