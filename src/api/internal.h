/*
 * Internals shared by the API's files: operation tables, the async glue to job threads and
 * the writer, and small answer helpers. Not for use outside src/api/.
 */
#ifndef KAIRAN_API_INTERNAL_H
#define KAIRAN_API_INTERNAL_H

#include "api/api.h"
#include "store/writer.h"

/* Operation flags: who may call it. The default is any authenticated user. */
#define API_PUBLIC 0x1        /* no authentication */
#define API_ADMIN 0x2         /* system administrators only */
#define API_PW_CHANGE_OK 0x4  /* allowed while the session must change its password */
#define API_TOTP_SETUP_OK 0x8 /* allowed while an administrator must still enrol TOTP */
#define API_DISCLOSURE 0x10   /* administrators and disclosure officers (情報公開担当) */

struct api_op {
    enum api_method method;
    const char *pattern; /* path with "{}" for each numeric id */
    unsigned flags;
    int (*handler)(struct api_req *r);
};

extern const struct api_op api_auth_ops[], api_users_ops[], api_rooms_ops[], api_messages_ops[], api_files_ops[], api_audit_ops[],
    api_settings_ops[], api_office_ops[], api_held_ops[], api_export_ops[], api_retention_ops[], api_zones_ops[],
    api_disclosure_ops[], api_notes_ops[], api_meetings_ops[], api_memos_ops[], api_paper_ops[], api_search_ops[], api_push_ops[];

int api_not_found(struct api_req *r);
int api_forbidden(struct api_req *r);
int api_invalid(struct api_req *r, const char *field, const char *why_ja, const char *why_en);
int api_url_decode(const char *s, size_t n, char *buf, size_t size);

/*
 * Runs `run` in the writer's next group commit and `done` after the COMMIT, both on the
 * writer thread; then answers the request (api_finish). `done` sets the answer (or leaves an
 * error answer from a failed status to the default) and owns ctx. Returns API_ASYNC.
 */
typedef int (*api_run_fn)(store_t *s, struct api_req *r, void *ctx);
typedef void (*api_done_fn)(store_t *s, struct api_req *r, void *ctx, int status);
int api_write(struct api_req *r, api_run_fn run, api_done_fn done, void *ctx);
/* The same without a request to answer (e.g. a session's last-seen time). */
void api_write_detached(api_run_fn run, api_done_fn done, void *ctx);

/* Runs fn on a job thread; fn must end with api_finish(r) or hand r on (api_write). */
typedef void (*api_job_fn)(struct api_req *r, void *ctx);
int api_job(struct api_req *r, api_job_fn fn, void *ctx);
/* The current job thread's read connection to the store. */
store_t *api_job_store(void);

/* Room access: loads the room and the caller's role; answers 404 itself when not a member. */
int api_room_access(struct api_req *r, int64_t room_id, struct store_room_info *info, char role[16]);

/* Adds "presence" to a User object from the live presence table (and manual 不在). */
void api_user_decorate(json_t *user);
void api_users_decorate(json_t *users);

/* auth.c */
void api_session_touch(int64_t session_id);
int api_origin_ok(const char *origin, size_t len);
/* Publishes session.revoked to the given sessions of a user (their sockets then close). */
void api_revoke_sessions(int64_t user_id, const int64_t *sessions, size_t n);
/* The same with "reason":"expired" (a phone session past the city's limits, R19). */
void api_expire_sessions(int64_t user_id, const int64_t *sessions, size_t n);
/* Publishes session.revoked to every socket of the user (account lock). */
void api_revoke_user(int64_t user_id);

/* audit.c */
/*
 * Appends an audit entry inside the current writer transaction: the actor and address come
 * from r (NULL: the system). `detail` (a JSON object or NULL) is consumed; it must never hold
 * secrets or message text.
 */
int api_audit(store_t *s, const struct api_req *r, const char *action, const char *target_type, int64_t target_id, int64_t room_id,
              json_t *detail);
/* The same from outside the writer: queued as its own writer job. */
void api_audit_detached(const char *action, int64_t actor, const char *address, json_t *detail);
/*
 * Records an entry, then sends the answer already set in r — so that a refusal (a failed
 * login, a blocked identifier) is never answered before its audit entry is on disk. Returns
 * API_ASYNC: the request now belongs to the writer job.
 */
int api_audit_answer(struct api_req *r, const char *action, int64_t actor, const char *address, json_t *detail);

/* auth.c */
/* Adds "password_expires_at" (or null) and "password_expiry_warning" to an object. */
void api_password_age(json_t *obj, int64_t changed_at);
/* 1 if `password` matches one of the user's last password_history passwords (job thread). */
int api_password_reused(store_t *s, int64_t user_id, const char *password);

/* officehours.c */
/* Now in milliseconds, shifted by KAIRAN_TEST_CLOCK_OFFSET (seconds) when KAIRAN_TEST=1. */
int64_t api_now_ms(void);
enum { API_OFFICE_SEND = 0, API_OFFICE_WARN = 1, API_OFFICE_HOLD = 2, API_OFFICE_REFUSED = -1 };
/* What a send gets now: send, warn, hold (with *held_until), or refused (answered 409). */
int api_office_decision(struct api_req *r, int urgent, int64_t *held_until);
/* 1 (answered 403 urgent_forbidden) when the city restricted urgent sends and the caller is
 * none of the chosen roles in this room nor is the room one of the chosen; else 0. */
int api_urgent_refused(struct api_req *r, int64_t room_id);
/* 1 when it is outside the office hours that apply to someone of this department (and the city
 * keeps hours): notifications stay silent then, except for urgent messages (R14). Any thread. */
int api_office_quiet(store_t *s, int64_t department_id);

/* push.c */
/* After a message was committed: a Web Push (no text) to the room's members who have no live
 * connection and a subscription, when the city turned Web Push on. Called on the writer after COMMIT;
 * the recipients are looked up and the pushes sent on a job thread. */
void api_push_message(store_t *s, int64_t room_id, int64_t sender_id, int urgent);
/* R20: 1 (answered 403 login_outside_office_hours) when a phone — or anyone from a zone that
 * refuses it (zone_refuses) — signs in outside office hours and the city refuses that; else 0. */
int api_office_refuses_login(struct api_req *r, int zone_refuses);

/* held.c */
/* Holds a validated send (its fields as JSON, borrowed) until held_until: answers 202. */
int api_hold_send(struct api_req *r, int64_t room_id, const char *cmid, json_t *fields, int64_t held_until);

/* A message's references (mentions, files) that cannot go out: the status, field and text of
 * the error. api_send_refs_check returns NULL when all are fine (messages.c). */
struct api_refs_error {
    int status;
    const char *field, *ja, *en;
};
struct store_msg_in;
const struct api_refs_error *api_send_refs_check(store_t *s, const struct store_msg_in *in);

/* directory.c */
/* Directory search over the in-memory index (each word of `folded` must match). */
json_t *api_directory_search(store_t *s, const char *folded, int64_t department_id, int limit, int offset, int *has_more);

/* zones.c */
struct api_zone {
    char name[64];
    int allowed, download, totp_required, refuse_outside_hours;
};
/* The request's network zone: 1 and *z when zones are configured, else 0 (all allowed). */
int api_zone_of(struct api_req *r, struct api_zone *z);
/* 1 (answered 403 zone_forbidden) when the zone may not use Kairan. */
int api_zone_refuses(struct api_req *r, struct api_zone *z);
/* The client's address: the peer, or a trusted proxy's X-Forwarded-For. The router puts it in
 * r->client for every request; use that. */
void api_client_address(struct api_req *r, char *out, size_t size);

/* settings.c */
/* The client settings with their defaults filled in (new reference). */
json_t *api_client_settings(store_t *s);

/* phone.c */
/* 1 when the User-Agent is a phone's or a tablet's browser. */
int api_ua_is_phone(const char *ua, size_t len);
/* R19: 1 when the session is a phone's and has passed the city's idle timeout or absolute
 * lifetime; the session is then revoked (and its sockets closed) after the check. */
struct store_session;
int api_phone_session_expired(store_t *s, const struct store_session *ss);
/* Queues one pass that ends every phone session past its limits (once a minute, held.c). */
void api_phone_sweep(void);

/* retention.c */
/* Queues one retention pass (purges what has outlived its room's period). */
void api_retention_pass(void);

/* guard.c */
/*
 * Checks `text` (field `field`) for personal identifiers before it is stored. Returns 0 when
 * it may be stored (nothing found, or only warnings and `confirmed`), else sets a 422
 * personal_information / personal_information_confirm answer with the hits' kinds and
 * positions and returns API_PII_PENDING. Audits every hit without the identifier itself.
 */
int api_pii_guard(struct api_req *r, const char *field, const char *text, int confirmed, int64_t room_id);
/* The guard's scan alone: the number of hits, *block when one of them may not be posted, and
 * *list (new reference) of {kind, name, start, length}. Any thread, with that thread's store. */
int api_pii_check(store_t *s, const char *text, size_t len, int lang_en, int *block, json_t **list);
/* api_pii_guard's answer when it refused: the 422 goes out after its audit entry commits, so
 * the caller frees what it holds and returns API_ASYNC. */
#define API_PII_PENDING (-2)

/* ratelimit.c */
enum api_rate { API_RATE_SEND, API_RATE_UPLOAD };
/* Takes one unit of the caller's allowance: 0, or -1 after answering 429 with Retry-After. */
int api_rate_take(struct api_req *r, enum api_rate kind);

/* users.c */
int api_stamp_known(const char *id);
int api_employment_ok(const char *e);

/* files.c */
void api_blob_path(const char *hash, char *out, size_t size);
/* A Content-Disposition value for a download named `name` (UTF-8), inline or attachment. */
char *api_content_disposition(const char *name, int inline_);
/* thumbs.c: the path of a blob's thumbnail, and GET /api/v1/files/{id}/thumb. */
void api_thumb_path(const char *hash, char *out, size_t size);
int api_file_thumb(struct api_req *r);
/* Removes the blobs of `hashes` that no file row refers to any more (writer thread, after commit). */
void api_blobs_gc(store_t *s, char **hashes, size_t n);

/* notes.c */
/* Posts a card message (a note's, a memo's) inside the current writer transaction. */
int api_card_post(store_t *s, int64_t room_id, int64_t author, const char *text, json_t *card, int64_t *message_id);
/* After the commit: sends the card message to the room's members as message.created. */
void api_card_publish(store_t *s, int64_t room_id, int64_t message_id);

/* Realtime hooks (realtime.c) */
void api_presence_publish(store_t *s, int64_t user_id, const char *status);

#endif
