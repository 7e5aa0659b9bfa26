/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wire protocol of impersonate-fsd (see PROTOCOL.md beside this file):
 * length-prefixed frames over a Unix stream socket, big-endian integers,
 * strings as a 16-bit length and bytes (no NUL, no terminator).
 *
 * Shared by the daemon, the client and the tests.  Nothing here allocates:
 * frames are read into and built in buffers the caller owns, and decoded
 * requests point into the frame they came from.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define IMPFS_MAX_DATA (64 * 1024)      /* file bytes in one READ or WRITE */
#define IMPFS_MAX_PATH 4095             /* bytes of a path, like PATH_MAX - 1 */
#define IMPFS_MAX_TEXT 512              /* user names, prompts, answers, messages */
#define IMPFS_MAX_FRAME (72 * 1024)     /* type byte + body; the length field's limit */
#define IMPFS_HEADER 5                  /* u32 length + u8 type */
#define IMPFS_BUF_SIZE (IMPFS_HEADER + IMPFS_MAX_FRAME)

enum impfs_type {
	/* client -> daemon */
	IMPFS_AUTH = 0x01,   /* str user (empty: PAM asks) */
	IMPFS_ANSWER = 0x02, /* str answer to the last PROMPT */
	IMPFS_READ = 0x10,   /* u64 offset, str path */
	IMPFS_LIST = 0x11,   /* u64 cookie, str path */
	IMPFS_WRITE = 0x12,  /* u32 flags, u32 mode, str path, data */
	IMPFS_WHOAMI = 0x13, /* empty */
	/* daemon -> client */
	IMPFS_PROMPT = 0x81,    /* u8 style (PAM_PROMPT_ECHO_OFF...), str text */
	IMPFS_AUTH_OK = 0x82,   /* the token: see struct impfs_identity */
	IMPFS_AUTH_FAIL = 0x83, /* str step, u32 PAM status, str message */
	IMPFS_RESULT = 0x90,    /* what the kernel said: see struct impfs_result */
	IMPFS_ERROR = 0xee,     /* u32 errno, str message: the daemon refused */
};

/* WRITE flags. */
#define IMPFS_WRITE_CREATE 0x1u /* O_CREAT */
#define IMPFS_WRITE_TRUNC 0x2u  /* O_TRUNC */
#define IMPFS_WRITE_APPEND 0x4u /* O_APPEND */
#define IMPFS_WRITE_EXCL 0x8u   /* O_EXCL (with CREATE) */
#define IMPFS_WRITE_FLAGS 0xfu

/* RESULT.worker of a request that never reached the pool. */
#define IMPFS_NO_WORKER 0xffffu
/* RESULT.worker of a request the connection served through its io_uring with
 * the client's personality, on no pool thread. */
#define IMPFS_RING_WORKER 0xfffeu

/* A received frame; body points into the caller's receive buffer. */
struct impfs_frame {
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/* Building a frame in a caller-owned buffer.  Overflow is sticky and
 * reported by impfs_finish(). */
struct impfs_buf {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

/* Reading fields of a body.  Running past the end is sticky (bad). */
struct impfs_cur {
	const uint8_t *p;
	size_t left;
	bool bad;
};

struct impfs_request {
	uint8_t type;
	uint64_t offset; /* READ: byte offset; LIST: cookie from the last RESULT */
	uint32_t flags;  /* WRITE */
	uint32_t mode;   /* WRITE: permission bits of a created file (<= 0777) */
	char path[IMPFS_MAX_PATH + 1];
	const uint8_t *data; /* WRITE */
	size_t len;
};

struct impfs_result {
	uint8_t op;      /* the request type answered */
	uint32_t err;    /* 0, or the errno the kernel gave the client */
	uint16_t worker; /* pool thread that served it */
	uint8_t more;    /* LIST: ask again with value as cookie */
	uint64_t value;  /* READ: file size; LIST: next cookie; WRITE: bytes written */
	const uint8_t *data; /* READ: bytes; LIST: entries; WHOAMI: struct impfs_ids */
	size_t len;
};

#define IMPFS_MAX_GROUPS 4096 /* groups carried in AUTH_OK and WHOAMI */

/* AUTH_OK: the token the daemon got from PAM. */
struct impfs_identity {
	char user[IMPFS_MAX_TEXT + 1];
	uint32_t uid, gid;
	uint8_t mode;  /* 0 fs, 1 full */
	uint8_t level; /* 0 impersonate, 1 identify */
	uint16_t ngroups;
	uint32_t groups[IMPFS_MAX_GROUPS];
};

/* WHOAMI: what the kernel reported for the pool thread while it served the
 * request as the client (real, effective, saved, fs). */
struct impfs_ids {
	uint32_t uid[4], gid[4];
	uint64_t cap_eff;
	uint16_t ngroups;
	uint32_t groups[IMPFS_MAX_GROUPS];
};

/* ---- Frames ---------------------------------------------------------------- */

void impfs_start(struct impfs_buf *b, uint8_t *mem, size_t cap, uint8_t type);
void impfs_put_u8(struct impfs_buf *b, uint8_t v);
void impfs_put_u16(struct impfs_buf *b, uint16_t v);
void impfs_put_u32(struct impfs_buf *b, uint32_t v);
void impfs_put_u64(struct impfs_buf *b, uint64_t v);
void impfs_put_bytes(struct impfs_buf *b, const void *p, size_t n);
/* A str field: overflows (sticky) if longer than @max. */
void impfs_put_str(struct impfs_buf *b, const char *s, size_t max);
/* Writes the length; returns 0 or -EMSGSIZE. */
int impfs_finish(struct impfs_buf *b);

void impfs_cur_init(struct impfs_cur *c, const struct impfs_frame *f);
uint8_t impfs_get_u8(struct impfs_cur *c);
uint16_t impfs_get_u16(struct impfs_cur *c);
uint32_t impfs_get_u32(struct impfs_cur *c);
uint64_t impfs_get_u64(struct impfs_cur *c);
/* A str field copied into @dst (room for @cap bytes with the NUL); an
 * embedded NUL or a string that does not fit makes the cursor bad. */
void impfs_get_str(struct impfs_cur *c, char *dst, size_t cap);
/* The rest of the body. */
const uint8_t *impfs_get_rest(struct impfs_cur *c, size_t *len);

/*
 * Send a finished frame (all of it, MSG_NOSIGNAL).  Returns 0 or -errno.
 */
int impfs_send(int fd, const struct impfs_buf *b);

/*
 * impfs_send() that gives up with -ETIMEDOUT when all of @b is not taken by
 * @by (CLOCK_MONOTONIC milliseconds, impfs_now_ms(); 0: no limit), however
 * slowly the peer reads.  The socket's own SO_SNDTIMEO does not matter.
 */
int impfs_send_by(int fd, const struct impfs_buf *b, int64_t by);

/*
 * Read one frame into @buf (IMPFS_BUF_SIZE bytes).
 * Returns 1 and fills @f; 0 on a clean end of stream between frames;
 * -ECONNRESET when the stream ends inside a frame (truncated);
 * -EMSGSIZE when the length field exceeds IMPFS_MAX_FRAME (oversized);
 * -EBADMSG when the length field is 0; -ETIMEDOUT when SO_RCVTIMEO expired;
 * another -errno from recv().
 */
int impfs_recv(int fd, uint8_t *buf, struct impfs_frame *f);

/* CLOCK_MONOTONIC in milliseconds: the clock of every deadline here. */
int64_t impfs_now_ms(void);

/* Limits for impfs_recv_by(); times are impfs_now_ms() values, 0 is none. */
struct impfs_deadline {
	int64_t idle_by;  /* in: the frame's first byte must arrive by then */
	int64_t frame_ms; /* in: then the whole frame within this many ms */
	int64_t end_by;   /* in: and all of it by then, whatever the others say */
	int64_t started;  /* out: when its first byte arrived (0: none did) */
};

/*
 * impfs_recv() bounded by @dl, against a peer that trickles bytes: each
 * limit holds for the whole frame, not for each recv().  Returns as
 * impfs_recv(), -ETIMEDOUT when a limit passed (@dl->started tells whether
 * the frame had begun).  The socket's own SO_RCVTIMEO does not matter.
 */
int impfs_recv_by(int fd, uint8_t *buf, struct impfs_frame *f, struct impfs_deadline *dl);

/* ---- Messages --------------------------------------------------------------- */

/* Returns 0 or -EMSGSIZE (path or data too long). */
int impfs_request_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_request *r);
/* Returns 0, -EBADMSG (malformed body: short, trailing bytes, NUL in the path,
 * too long) or -EOPNOTSUPP (not a request type). */
int impfs_request_decode(const struct impfs_frame *f, struct impfs_request *r);

/* -EINVAL: empty (unless @empty_ok), absolute; -EXDEV: a ".." component.
 * A path that passes is relative and stays beneath the served root, unless a
 * symlink leads out (the daemon's openat2(RESOLVE_BENEATH) refuses that). */
int impfs_check_path(const char *path, bool empty_ok);

void impfs_result_start(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_result *r);
int impfs_result_decode(const struct impfs_frame *f, struct impfs_result *r);

int impfs_identity_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_identity *id);
int impfs_identity_decode(const struct impfs_frame *f, struct impfs_identity *id);

/* WHOAMI data inside a RESULT body. */
void impfs_ids_put(struct impfs_buf *b, const struct impfs_ids *ids);
int impfs_ids_decode(const uint8_t *data, size_t len, struct impfs_ids *ids);

/* LIST entries: u8 type (DT_*), str name; repeated.  Walk them with
 * impfs_entry_next(): returns 1 and fills @type/@name, 0 at the end,
 * -EBADMSG on a malformed list. */
int impfs_entry_next(struct impfs_cur *c, uint8_t *type, char *name, size_t cap);

int impfs_send_error(int fd, uint8_t *mem, size_t cap, int err, const char *message);
/* The frame impfs_send_error() sends, built in @mem.  Returns 0 or -EMSGSIZE. */
int impfs_error_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, int err, const char *message);
/* PROMPT, AUTH_FAIL, ERROR: decoded into the fields that apply. */
struct impfs_notice {
	uint8_t style;     /* PROMPT */
	uint32_t code;     /* AUTH_FAIL: PAM status; ERROR: errno */
	char step[IMPFS_MAX_TEXT + 1]; /* AUTH_FAIL */
	char text[IMPFS_MAX_TEXT + 1]; /* prompt or message */
};
int impfs_notice_decode(const struct impfs_frame *f, struct impfs_notice *n);

/* A name for a frame type, for messages ("READ", "0x42"). */
const char *impfs_type_name(uint8_t type, char *tmp, size_t cap);
