/*
 * libFuzzer target for src/util/doctext.c: ZIP central directories, deflate streams and the
 * XML text of Office files, as an upload brings them.
 */
#include "util/doctext.h"

#include <stdint.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                                        "application/zip", "text/plain"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        free(doctext_extract((const char *)data, size, types[i], 1 << 16));
    return 0;
}
