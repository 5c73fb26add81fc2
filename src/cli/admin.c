/*
 * `kairan admin` commands (placeholder until the full set lands).
 */
#include "cli/admin.h"

#include <stdio.h>

int
admin_main(const struct kr_config *cfg, int argc, char **argv)
{
    fprintf(stderr, "kairan admin: not yet available\n");
    return 2;
}
