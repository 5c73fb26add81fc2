/*
 * libFuzzer target for src/util/reqparse.c: the request's path against every kind of route
 * pattern, its query string, percent-decoding and upload file names.
 */
#include "util/reqparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char buf[256];
    int64_t p[4];
    int n;
    static const char *const patterns[] = {"/api/v1/rooms/{}/messages/{}", "/api/v1/rooms/{}", "/{}/{}/{}/{}/{}", "/api/v1/me"};
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
        reqparse_match(patterns[i], s, size, p, 4, &n);
    reqparse_url_decode(s, size, buf, sizeof(buf));
    static const char *const names[] = {"q", "after", "limit", "name", ""};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        reqparse_query(s, size, names[i], buf, sizeof(buf));
    char *f = reqparse_file_name(s, size, 255);
    if (f != NULL && strlen(f) > 255)
        abort();
    free(f);
    return 0;
}
