/*
 * Disclosure export (R15, 情報公開): a ZIP for a disclosure request — one readable document per
 * room, messages.csv for Excel, the attachments, a manifest with each file's SHA-256 — and its
 * masked edition (黒塗り) for partial disclosure. Used by the API and by `kairan admin export`.
 */
#ifndef KAIRAN_API_EXPORT_H
#define KAIRAN_API_EXPORT_H

#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

struct export_mask {
    int64_t message_id;
    size_t start, length; /* UTF-16 code units of the message text, as the review client counts */
    char ground[128];     /* the legal ground (不開示事由), e.g. 条例第7条第1号 */
};

struct export_spec {
    const int64_t *rooms;
    size_t nrooms;
    int64_t from_ms, to_ms;
    int cp932;                       /* messages.csv in CP932 for older Excel (else UTF-8 with BOM) */
    const struct export_mask *masks; /* non-empty: the masked edition */
    size_t nmasks;
    int masked;                   /* the masked edition even with no span (attachments withheld) */
    const int64_t *release_files; /* attachments released into the masked edition */
    size_t nrelease;
    const int64_t *people; /* non-empty: only messages these people sent or posted */
    size_t npeople;
    char **keywords; /* non-empty: only messages whose text holds one of them (folded: width, case, kana) */
    size_t nkeywords;
    const char *requested_by; /* for the README */
    const char *files_dir;    /* DATA/files */
};

/*
 * Writes the export to out_path (mode 0600). On success returns 0 and a summary object in
 * *summary ({"rooms","messages","files","masked_spans","replaced_rows","sha256"}; caller
 * decrefs); on failure -1 with a reason in err.
 */
int export_build(store_t *s, const struct export_spec *spec, const char *out_path, json_t **summary, char *err, size_t errlen);

#endif
