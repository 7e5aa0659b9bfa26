/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The impersonate-fsd wire protocol: framing and message layouts (PROTOCOL.md). */
#include "proto.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- Building ---------------------------------------------------------------- */

static uint8_t *room(struct impfs_buf *b, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return NULL;
	}
	uint8_t *p = b->p + b->len;
	b->len += n;
	return p;
}

static void put_be(struct impfs_buf *b, uint64_t v, size_t n)
{
	uint8_t *p = room(b, n);
	for (size_t i = 0; p && i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

void impfs_start(struct impfs_buf *b, uint8_t *mem, size_t cap, uint8_t type)
{
	*b = (struct impfs_buf){.p = mem, .len = 0, .cap = cap, .overflow = false};
	put_be(b, 0, 4); /* length, filled by impfs_finish() */
	impfs_put_u8(b, type);
}

void impfs_put_u8(struct impfs_buf *b, uint8_t v)
{
	put_be(b, v, 1);
}

void impfs_put_u16(struct impfs_buf *b, uint16_t v)
{
	put_be(b, v, 2);
}

void impfs_put_u32(struct impfs_buf *b, uint32_t v)
{
	put_be(b, v, 4);
}

void impfs_put_u64(struct impfs_buf *b, uint64_t v)
{
	put_be(b, v, 8);
}

void impfs_put_bytes(struct impfs_buf *b, const void *p, size_t n)
{
	uint8_t *dst = room(b, n);
	if (dst && n)
		memcpy(dst, p, n);
}

void impfs_put_str(struct impfs_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max || n > UINT16_MAX) {
		b->overflow = true;
		return;
	}
	impfs_put_u16(b, (uint16_t)n);
	impfs_put_bytes(b, s, n);
}

int impfs_finish(struct impfs_buf *b)
{
	if (b->overflow || b->len < IMPFS_HEADER || b->len - 4 > IMPFS_MAX_FRAME)
		return -EMSGSIZE;
	uint32_t n = (uint32_t)(b->len - 4);
	for (int i = 0; i < 4; i++)
		b->p[i] = (uint8_t)(n >> (8 * (3 - i)));
	return 0;
}

/* ---- Reading ------------------------------------------------------------------ */

void impfs_cur_init(struct impfs_cur *c, const struct impfs_frame *f)
{
	*c = (struct impfs_cur){.p = f->body, .left = f->len, .bad = false};
}

static const uint8_t *take(struct impfs_cur *c, size_t n)
{
	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

static uint64_t get_be(struct impfs_cur *c, size_t n)
{
	const uint8_t *p = take(c, n);
	uint64_t v = 0;
	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

uint8_t impfs_get_u8(struct impfs_cur *c)
{
	return (uint8_t)get_be(c, 1);
}

uint16_t impfs_get_u16(struct impfs_cur *c)
{
	return (uint16_t)get_be(c, 2);
}

uint32_t impfs_get_u32(struct impfs_cur *c)
{
	return (uint32_t)get_be(c, 4);
}

uint64_t impfs_get_u64(struct impfs_cur *c)
{
	return get_be(c, 8);
}

void impfs_get_str(struct impfs_cur *c, char *dst, size_t cap)
{
	size_t n = impfs_get_u16(c);
	const uint8_t *p = take(c, n);
	if (!p || n >= cap || memchr(p, 0, n)) {
		c->bad = true;
		if (cap)
			dst[0] = 0;
		return;
	}
	memcpy(dst, p, n);
	dst[n] = 0;
}

const uint8_t *impfs_get_rest(struct impfs_cur *c, size_t *len)
{
	*len = c->bad ? 0 : c->left;
	return take(c, *len);
}

/* ---- Socket I/O --------------------------------------------------------------- */

int64_t impfs_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t earliest(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Wait until @fd is ready for @events or @by passes (0: no limit).
 * Returns 0 (ready, or interrupted: try again) or -ETIMEDOUT. */
static int wait_until(int fd, short events, int64_t by)
{
	int ms = -1;
	if (by) {
		int64_t left = by - impfs_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		ms = left > INT_MAX ? INT_MAX : (int)left;
	}
	struct pollfd p = {.fd = fd, .events = events};
	int r = poll(&p, 1, ms);
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* @by < 0: a plain blocking send, bounded only by the socket's SO_SNDTIMEO. */
static int send_frame(int fd, const struct impfs_buf *b, int64_t by)
{
	size_t off = 0;
	while (off < b->len) {
		if (by >= 0) {
			int w = wait_until(fd, POLLOUT, by);
			if (w < 0)
				return w;
		}
		ssize_t n = send(fd, b->p + off, b->len - off, MSG_NOSIGNAL | (by >= 0 ? MSG_DONTWAIT : 0));
		if (n < 0 && (errno == EINTR || (errno == EAGAIN && by >= 0)))
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		off += (size_t)n;
	}
	return 0;
}

int impfs_send(int fd, const struct impfs_buf *b)
{
	return send_frame(fd, b, -1);
}

int impfs_send_by(int fd, const struct impfs_buf *b, int64_t by)
{
	return send_frame(fd, b, by < 0 ? 0 : by);
}

/* Exactly @n bytes, within @dl (NULL: a plain blocking recv, bounded only
 * by the socket's SO_RCVTIMEO).  Returns the count read before an end of
 * stream, or -errno. */
static ssize_t recv_all(int fd, uint8_t *p, size_t n, struct impfs_deadline *dl)
{
	size_t got = 0;
	while (got < n) {
		if (dl) {
			int64_t by = dl->started ? earliest(dl->frame_ms ? dl->started + dl->frame_ms : 0, dl->end_by)
			                         : earliest(dl->idle_by, dl->end_by);
			int w = wait_until(fd, POLLIN, by);
			if (w < 0)
				return w;
		}
		ssize_t r = recv(fd, p + got, n - got, dl ? MSG_DONTWAIT : 0);
		if (r < 0 && (errno == EINTR || (errno == EAGAIN && dl)))
			continue;
		if (r < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if (r == 0)
			break;
		if (dl && !dl->started)
			dl->started = impfs_now_ms();
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int recv_frame(int fd, uint8_t *buf, struct impfs_frame *f, struct impfs_deadline *dl)
{
	ssize_t r = recv_all(fd, buf, 4, dl);
	if (r < 0)
		return (int)r;
	if (r == 0)
		return 0;
	if (r < 4)
		return -ECONNRESET;
	uint32_t len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	if (len == 0)
		return -EBADMSG;
	if (len > IMPFS_MAX_FRAME)
		return -EMSGSIZE;
	r = recv_all(fd, buf + 4, len, dl);
	if (r < 0)
		return (int)r;
	if ((size_t)r < len)
		return -ECONNRESET;
	*f = (struct impfs_frame){.type = buf[4], .body = buf + IMPFS_HEADER, .len = len - 1};
	return 1;
}

int impfs_recv(int fd, uint8_t *buf, struct impfs_frame *f)
{
	return recv_frame(fd, buf, f, NULL);
}

int impfs_recv_by(int fd, uint8_t *buf, struct impfs_frame *f, struct impfs_deadline *dl)
{
	dl->started = 0;
	return recv_frame(fd, buf, f, dl);
}

/* ---- Requests ------------------------------------------------------------------ */

int impfs_request_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_request *r)
{
	impfs_start(b, mem, cap, r->type);
	switch (r->type) {
	case IMPFS_READ:
	case IMPFS_LIST:
		impfs_put_u64(b, r->offset);
		impfs_put_str(b, r->path, IMPFS_MAX_PATH);
		break;
	case IMPFS_WRITE:
		if (r->len > IMPFS_MAX_DATA)
			return -EMSGSIZE;
		impfs_put_u32(b, r->flags);
		impfs_put_u32(b, r->mode);
		impfs_put_str(b, r->path, IMPFS_MAX_PATH);
		impfs_put_bytes(b, r->data, r->len);
		break;
	case IMPFS_WHOAMI:
		break;
	default:
		return -EINVAL;
	}
	return impfs_finish(b);
}

int impfs_request_decode(const struct impfs_frame *f, struct impfs_request *r)
{
	struct impfs_cur c;
	impfs_cur_init(&c, f);
	r->type = f->type;
	r->offset = 0;
	r->flags = r->mode = 0;
	r->path[0] = 0;
	r->data = NULL;
	r->len = 0;
	switch (f->type) {
	case IMPFS_READ:
	case IMPFS_LIST:
		r->offset = impfs_get_u64(&c);
		impfs_get_str(&c, r->path, sizeof(r->path));
		break;
	case IMPFS_WRITE:
		r->flags = impfs_get_u32(&c);
		r->mode = impfs_get_u32(&c);
		impfs_get_str(&c, r->path, sizeof(r->path));
		r->data = impfs_get_rest(&c, &r->len);
		if (r->len > IMPFS_MAX_DATA)
			return -EBADMSG;
		break;
	case IMPFS_WHOAMI:
		break;
	default:
		return -EOPNOTSUPP;
	}
	return c.bad || c.left ? -EBADMSG : 0;
}

int impfs_check_path(const char *path, bool empty_ok)
{
	if (!path[0])
		return empty_ok ? 0 : -EINVAL;
	if (path[0] == '/')
		return -EINVAL;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -EXDEV;
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

/* ---- Results -------------------------------------------------------------------- */

void impfs_result_start(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_result *r)
{
	impfs_start(b, mem, cap, IMPFS_RESULT);
	impfs_put_u8(b, r->op);
	impfs_put_u32(b, r->err);
	impfs_put_u16(b, r->worker);
	impfs_put_u8(b, r->more);
	impfs_put_u64(b, r->value);
}

int impfs_result_decode(const struct impfs_frame *f, struct impfs_result *r)
{
	struct impfs_cur c;
	if (f->type != IMPFS_RESULT)
		return -EBADMSG;
	impfs_cur_init(&c, f);
	r->op = impfs_get_u8(&c);
	r->err = impfs_get_u32(&c);
	r->worker = impfs_get_u16(&c);
	r->more = impfs_get_u8(&c);
	r->value = impfs_get_u64(&c);
	r->data = impfs_get_rest(&c, &r->len);
	return c.bad ? -EBADMSG : 0;
}

static void put_groups(struct impfs_buf *b, const uint32_t *groups, uint16_t n)
{
	impfs_put_u16(b, n);
	for (uint16_t i = 0; i < n; i++)
		impfs_put_u32(b, groups[i]);
}

static uint16_t get_groups(struct impfs_cur *c, uint32_t *groups)
{
	uint16_t n = impfs_get_u16(c);
	if (n > IMPFS_MAX_GROUPS) {
		c->bad = true;
		return 0;
	}
	for (uint16_t i = 0; i < n; i++)
		groups[i] = impfs_get_u32(c);
	return n;
}

int impfs_identity_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, const struct impfs_identity *id)
{
	impfs_start(b, mem, cap, IMPFS_AUTH_OK);
	impfs_put_str(b, id->user, IMPFS_MAX_TEXT);
	impfs_put_u32(b, id->uid);
	impfs_put_u32(b, id->gid);
	impfs_put_u8(b, id->mode);
	impfs_put_u8(b, id->level);
	put_groups(b, id->groups, id->ngroups);
	return impfs_finish(b);
}

int impfs_identity_decode(const struct impfs_frame *f, struct impfs_identity *id)
{
	struct impfs_cur c;
	if (f->type != IMPFS_AUTH_OK)
		return -EBADMSG;
	impfs_cur_init(&c, f);
	impfs_get_str(&c, id->user, sizeof(id->user));
	id->uid = impfs_get_u32(&c);
	id->gid = impfs_get_u32(&c);
	id->mode = impfs_get_u8(&c);
	id->level = impfs_get_u8(&c);
	id->ngroups = get_groups(&c, id->groups);
	return c.bad || c.left ? -EBADMSG : 0;
}

void impfs_ids_put(struct impfs_buf *b, const struct impfs_ids *ids)
{
	for (int i = 0; i < 4; i++)
		impfs_put_u32(b, ids->uid[i]);
	for (int i = 0; i < 4; i++)
		impfs_put_u32(b, ids->gid[i]);
	impfs_put_u64(b, ids->cap_eff);
	put_groups(b, ids->groups, ids->ngroups);
}

int impfs_ids_decode(const uint8_t *data, size_t len, struct impfs_ids *ids)
{
	struct impfs_frame f = {.type = IMPFS_RESULT, .body = data, .len = len};
	struct impfs_cur c;
	impfs_cur_init(&c, &f);
	for (int i = 0; i < 4; i++)
		ids->uid[i] = impfs_get_u32(&c);
	for (int i = 0; i < 4; i++)
		ids->gid[i] = impfs_get_u32(&c);
	ids->cap_eff = impfs_get_u64(&c);
	ids->ngroups = get_groups(&c, ids->groups);
	return c.bad || c.left ? -EBADMSG : 0;
}

int impfs_entry_next(struct impfs_cur *c, uint8_t *type, char *name, size_t cap)
{
	if (c->left == 0 && !c->bad)
		return 0;
	*type = impfs_get_u8(c);
	impfs_get_str(c, name, cap);
	return c->bad ? -EBADMSG : 1;
}

/* ---- Notices -------------------------------------------------------------------- */

int impfs_error_encode(struct impfs_buf *b, uint8_t *mem, size_t cap, int err, const char *message)
{
	impfs_start(b, mem, cap, IMPFS_ERROR);
	impfs_put_u32(b, (uint32_t)err);
	impfs_put_str(b, message, IMPFS_MAX_TEXT);
	return impfs_finish(b);
}

int impfs_send_error(int fd, uint8_t *mem, size_t cap, int err, const char *message)
{
	struct impfs_buf b;
	int r = impfs_error_encode(&b, mem, cap, err, message);
	return r < 0 ? r : impfs_send(fd, &b);
}

int impfs_notice_decode(const struct impfs_frame *f, struct impfs_notice *n)
{
	struct impfs_cur c;
	impfs_cur_init(&c, f);
	n->style = 0;
	n->code = 0;
	n->step[0] = n->text[0] = 0;
	switch (f->type) {
	case IMPFS_PROMPT:
		n->style = impfs_get_u8(&c);
		break;
	case IMPFS_AUTH_FAIL:
		impfs_get_str(&c, n->step, sizeof(n->step));
		n->code = impfs_get_u32(&c);
		break;
	case IMPFS_ERROR:
		n->code = impfs_get_u32(&c);
		break;
	default:
		return -EBADMSG;
	}
	impfs_get_str(&c, n->text, sizeof(n->text));
	return c.bad || c.left ? -EBADMSG : 0;
}

const char *impfs_type_name(uint8_t type, char *tmp, size_t cap)
{
	switch (type) {
	case IMPFS_AUTH: return "AUTH";
	case IMPFS_ANSWER: return "ANSWER";
	case IMPFS_READ: return "READ";
	case IMPFS_LIST: return "LIST";
	case IMPFS_WRITE: return "WRITE";
	case IMPFS_WHOAMI: return "WHOAMI";
	case IMPFS_PROMPT: return "PROMPT";
	case IMPFS_AUTH_OK: return "AUTH_OK";
	case IMPFS_AUTH_FAIL: return "AUTH_FAIL";
	case IMPFS_RESULT: return "RESULT";
	case IMPFS_ERROR: return "ERROR";
	default:
		snprintf(tmp, cap, "0x%02x", type);
		return tmp;
	}
}
