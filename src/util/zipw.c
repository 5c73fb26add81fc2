/*
 * ZIP writer (see zipw.h). Format: PKWARE APPNOTE 6.3.x — local file headers (4.3.7), central
 * directory (4.3.12) and its end record (4.3.16); general-purpose bit 11 marks UTF-8 names.
 */
#include "util/zipw.h"
#include "util/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct centry {
    char *name;
    uint32_t crc, size, offset;
};

struct zipw {
    FILE *f;
    struct centry *e;
    size_t n, cap;
    uint64_t off;
    int failed;
};

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

struct zipw *
zipw_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return NULL;
    struct zipw *z = xcalloc(1, sizeof(*z));
    z->f = fdopen(fd, "wb");
    if (z->f == NULL) {
        close(fd);
        free(z);
        return NULL;
    }
    return z;
}

static int
write_all(struct zipw *z, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, z->f) != n) {
        z->failed = 1;
        return -1;
    }
    z->off += n;
    return 0;
}

/* The fixed date of every entry: 2000-01-01 00:00 (an export's time is in its manifest). */
#define DOS_TIME 0
#define DOS_DATE ((20 << 9) | (1 << 5) | 1)

static int
header(struct zipw *z, const char *name, uint32_t crc, uint64_t size)
{
    size_t nl = strlen(name);
    if (z->failed || z->n >= 65535 || size > 0xffffffffu || z->off > 0xffffffffu || nl > 0xffff) {
        errno = EFBIG;
        return -1;
    }
    uint8_t h[30];
    put32(h, 0x04034b50);
    put16(h + 4, 20);      /* version needed: 2.0 */
    put16(h + 6, 1 << 11); /* UTF-8 file name */
    put16(h + 8, 0);       /* stored */
    put16(h + 10, DOS_TIME);
    put16(h + 12, DOS_DATE);
    put32(h + 14, crc);
    put32(h + 18, (uint32_t)size);
    put32(h + 22, (uint32_t)size);
    put16(h + 26, (uint16_t)nl);
    put16(h + 28, 0);
    if (z->n == z->cap) {
        z->cap = z->cap ? z->cap * 2 : 32;
        z->e = xrealloc(z->e, z->cap * sizeof(*z->e));
    }
    z->e[z->n].name = xstrdup(name);
    z->e[z->n].crc = crc;
    z->e[z->n].size = (uint32_t)size;
    z->e[z->n].offset = (uint32_t)z->off;
    z->n++;
    return write_all(z, h, sizeof(h)) || write_all(z, name, nl) ? -1 : 0;
}

int
zipw_add(struct zipw *z, const char *name, const void *data, size_t len)
{
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);
    if (header(z, name, crc, len) != 0)
        return -1;
    return write_all(z, data, len);
}

int
zipw_add_file(struct zipw *z, const char *name, const char *path)
{
    char buf[65536];
    size_t n;
    uint64_t size = 0;
    uLong crc = crc32(0, NULL, 0);
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        crc = crc32(crc, (const Bytef *)buf, (uInt)n);
        size += n;
    }
    if (ferror(in) || header(z, name, (uint32_t)crc, size) != 0) {
        fclose(in);
        return -1;
    }
    rewind(in);
    int rc = 0;
    uint64_t copied = 0;
    while (rc == 0 && copied < size && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (n > size - copied)
            n = (size_t)(size - copied);
        rc = write_all(z, buf, n);
        copied += n;
    }
    fclose(in);
    /* The file changed between the two reads: the entry would not match its header. */
    if (rc == 0 && copied != size) {
        z->failed = 1;
        rc = -1;
    }
    return rc;
}

int
zipw_close(struct zipw *z)
{
    uint64_t cd = z->off;
    int rc = z->failed ? -1 : 0;
    /* Without ZIP64 the central directory must start below 4 GiB and hold under 65,536 entries. */
    if (rc == 0 && (cd > 0xffffffffu || z->n > 0xffff)) {
        errno = EFBIG;
        rc = -1;
    }
    for (size_t i = 0; i < z->n && rc == 0; i++) {
        uint8_t h[46];
        size_t nl = strlen(z->e[i].name);
        memset(h, 0, sizeof(h));
        put32(h, 0x02014b50);
        put16(h + 4, (3 << 8) | 20); /* made by: Unix, 2.0 */
        put16(h + 6, 20);
        put16(h + 8, 1 << 11);
        put16(h + 12, DOS_TIME);
        put16(h + 14, DOS_DATE);
        put32(h + 16, z->e[i].crc);
        put32(h + 20, z->e[i].size);
        put32(h + 24, z->e[i].size);
        put16(h + 28, (uint16_t)nl);
        put32(h + 38, 0100644u << 16); /* external attributes: a regular file, rw-r--r-- */
        put32(h + 42, z->e[i].offset);
        rc = write_all(z, h, sizeof(h)) || write_all(z, z->e[i].name, nl) ? -1 : 0;
    }
    if (rc == 0) {
        uint8_t h[22];
        memset(h, 0, sizeof(h));
        put32(h, 0x06054b50);
        put16(h + 8, (uint16_t)z->n);
        put16(h + 10, (uint16_t)z->n);
        put32(h + 12, (uint32_t)(z->off - cd));
        put32(h + 16, (uint32_t)cd);
        rc = write_all(z, h, sizeof(h));
    }
    if (rc == 0 && (fflush(z->f) != 0 || fsync(fileno(z->f)) != 0))
        rc = -1;
    if (fclose(z->f) != 0)
        rc = -1;
    for (size_t i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    free(z);
    return rc;
}

void
zipw_abort(struct zipw *z, const char *path)
{
    z->failed = 1;
    zipw_close(z);
    unlink(path);
}
