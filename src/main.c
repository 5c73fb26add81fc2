/*
 * kairan: the command line — `serve`, `admin …` and `version`.
 *
 * Everything the commands do lives in the modules; this file only parses the first words.
 */
#include "cli/admin.h"
#include "server/server.h"
#include "util/config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int
usage(void)
{
    fprintf(stderr, "usage: kairan serve [--config FILE]\n"
                    "       kairan admin [--config FILE] COMMAND …   (kairan admin help)\n"
                    "       kairan version\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *config_path = NULL;
    char err[512];
    struct kr_config cfg;
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("kairan %s\n", KAIRAN_VERSION);
        return 0;
    }
    int i = 2;
    if (argc > 3 && strcmp(argv[2], "--config") == 0) {
        config_path = argv[3];
        i = 4;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "kairan: libsodium failed to initialise\n");
        return 1;
    }
    if (config_load(&cfg, config_path, err, sizeof(err)) != 0) {
        fprintf(stderr, "kairan: config: %s\n", err);
        return 2;
    }
    if (strcmp(argv[1], "serve") == 0) {
        if (i != argc)
            return usage();
        if (ldap_schedule_start(&cfg, config_path) != 0)
            fprintf(stderr, "kairan: cannot start the directory sync schedule\n");
        return server_run(&cfg);
    }
    if (strcmp(argv[1], "admin") == 0)
        return admin_main(&cfg, argc - i, argv + i);
    return usage();
}
