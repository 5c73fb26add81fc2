/*
 * Every bound on what the network or a file can make Kairan hold, in one place.
 *
 * A peer can only grow a buffer, a queue or a count up to one of these numbers; past it the
 * request or connection gets an ordinary error. docs/api.md and README.md quote them.
 */
#ifndef KAIRAN_UTIL_LIMITS_H
#define KAIRAN_UTIL_LIMITS_H

/* HTTP */
#define KR_MAX_JSON_BODY (256 * 1024) /* bytes of a JSON request body */
#define KR_MAX_PATH_PARAMS 4          /* {id} segments in one route */
#define KR_MAX_QUERY 4096             /* bytes of a query string we look at */
#define KR_DEFAULT_MAX_UPLOAD_MIB 100 /* files: max_upload_mib */

/* Messages and rooms */
#define KR_MAX_TEXT_CHARS 10000 /* code points of a message text */
#define KR_MAX_CLIENT_MSG_ID 64 /* bytes of a client_msg_id */
#define KR_MAX_MENTIONS 50
#define KR_MAX_FILES_PER_MESSAGE 10
#define KR_MAX_ROOM_NAME 100 /* code points */
#define KR_MAX_ROOM_TOPIC 1000
#define KR_MAX_ROOM_MEMBERS 5000 /* members named in one request */
#define KR_MAX_PROFILE_FIELD 100 /* title, extension, work_phone, status_text */
#define KR_MAX_ABSENT_NOTE 200
#define KR_MAX_NAME 100 /* a person's or department's name */
#define KR_MAX_LOGIN 64
#define KR_MAX_FILE_NAME 255   /* bytes, after cleaning */
#define KR_MAX_NOTE_TITLE 200  /* code points of a note's title */
#define KR_MAX_NOTE_BODY 50000 /* code points of a note's Markdown body */
#define KR_MAX_NOTE_FILES 20   /* attachments of one note */
#define KR_MAX_MEETING_PLACE 100
#define KR_MAX_AGENDA_ITEMS 30
#define KR_MAX_AGENDA_ITEM 200
#define KR_MAX_MEMO_FIELD 100 /* caller's name, organisation, callback number */
#define KR_MAX_MEMO_BODY 2000
#define KR_PAGE_DEFAULT 50
#define KR_PAGE_MAX 200

/* WebSocket */
#define KR_WS_MAX_CLIENT_FRAME 4096 /* bytes of one client frame's payload */
#define KR_WS_MAX_QUEUE_BYTES (4 * 1024 * 1024)
#define KR_WS_MAX_QUEUE_FRAMES 4096
#define KR_WS_PING_AFTER_MS 30000
#define KR_WS_IDLE_CLOSE_MS 90000

/* Writer */
#define KR_WRITER_MAX_BATCH 512 /* jobs in one group commit */
/* A group commit this large, with more jobs already waiting, may leave its messages' search
 * indexing to a later commit (store_index_defer): only under a heavy load, so that at an
 * office's pace a message is searchable as soon as its send is answered. */
#define KR_WRITER_DEFER_INDEX_JOBS 32

#endif
