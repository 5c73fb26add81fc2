/*
 * The admin socket (see adminsock.h). The server side is a plain blocking thread: requests are
 * rare and tiny, and it never touches a loop thread's state — a revocation is published
 * through the hub like any other event.
 */
#include "cli/adminsock.h"
#include "api/api.h"
#include "hub/hub.h"
#include "store/writer.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

void api_revoke_user(int64_t user_id);

static int
sock_path(const char *data_dir, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    return snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/admin.sock", data_dir) >= (int)sizeof(sa->sun_path) ? -1 : 0;
}

int
adminsock_request(const char *data_dir, const char *cmd, char *reply, size_t size)
{
    struct sockaddr_un sa;
    if (sock_path(data_dir, &sa) != 0)
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || dprintf(fd, "%s\n", cmd) < 0) {
        close(fd);
        return -1;
    }
    ssize_t n = read(fd, reply, size - 1);
    close(fd);
    if (n <= 0)
        return -1;
    reply[n] = '\0';
    reply[strcspn(reply, "\n")] = '\0';
    return 0;
}

static int listen_fd = -1;

static void *
serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(listen_fd, NULL, NULL);
        if (c < 0)
            continue;
        char line[256];
        ssize_t n = read(c, line, sizeof(line) - 1);
        if (n > 0) {
            line[n] = '\0';
            line[strcspn(line, "\r\n")] = '\0';
            long long id;
            if (sscanf(line, "revoke-user %lld", &id) == 1 && id > 0) {
                api_revoke_user(id);
                log_info("admin.revoke_user", "user=%lld via=socket", id);
                dprintf(c, "ok\n");
            } else if (!strcmp(line, "status")) {
                struct hub_stats hs;
                struct writer_stats ws;
                hub_get_stats(&hs);
                writer_get_stats(&ws);
                dprintf(c,
                        "ok connections=%zu events=%llu deliveries=%llu slow_drops=%llu commits=%llu writes=%llu max_batch=%llu\n",
                        hub_total_connections(), (unsigned long long)hs.events, (unsigned long long)hs.deliveries,
                        (unsigned long long)hs.dropped_slow, (unsigned long long)ws.batches, (unsigned long long)ws.jobs,
                        (unsigned long long)ws.max_batch);
            } else {
                dprintf(c, "error unknown command\n");
            }
        }
        close(c);
    }
    return NULL;
}

int
adminsock_start(const char *data_dir)
{
    struct sockaddr_un sa;
    pthread_t t;
    if (sock_path(data_dir, &sa) != 0)
        return -1;
    unlink(sa.sun_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    mode_t old = umask(077);
    int rc = listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(listen_fd, 16) != 0;
    umask(old);
    if (rc)
        return -1;
    chmod(sa.sun_path, 0600);
    return pthread_create(&t, NULL, serve, NULL) == 0 ? 0 : -1;
}
