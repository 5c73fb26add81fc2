/*
 * A minimal ZIP writer (stored entries, UTF-8 names) for export archives.
 *
 * Exports hold text, CSV and already-compressed attachments (PDF, Office files, images), so
 * storing without compression costs little and keeps the writer small and obviously correct.
 * Limits: 65,535 entries, 4 GiB per entry and archive (no ZIP64) — an export past them fails
 * with an error rather than writing a broken archive.
 */
#ifndef KAIRAN_UTIL_ZIPW_H
#define KAIRAN_UTIL_ZIPW_H

#include <stddef.h>
#include <stdint.h>

struct zipw;

/* Creates the archive file at path (mode 0600). NULL on error (errno set). */
struct zipw *zipw_open(const char *path);
/* Adds an entry from memory. 0 or -1. */
int zipw_add(struct zipw *z, const char *name, const void *data, size_t len);
/* Adds an entry from a file on disk. 0 or -1. */
int zipw_add_file(struct zipw *z, const char *name, const char *path);
/* Writes the central directory, fsyncs and closes. 0 or -1. Frees z either way. */
int zipw_close(struct zipw *z);
/* Closes and removes a half-written archive. */
void zipw_abort(struct zipw *z, const char *path);

#endif
