/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Impersonated I/O with no switch: io_uring personalities (SPEC U1, U2).
 *
 * IORING_REGISTER_PERSONALITY records the calling thread's credentials in a
 * ring and returns an id; a request naming that id runs with them.  So a
 * token is registered by impersonating it in a call frame of its own (the
 * caller's state is restored exactly, F3), registering, and ending the
 * frame.  From then on the daemon's I/O needs no credential syscall at all.
 *
 * What the ring holds must end when the token does: every registration is
 * kept in one list, and revoking a token (K4) or dropping its last reference
 * unregisters its personalities (U2).  The library keeps its own descriptor
 * of each ring, so a daemon that closed its descriptor, or reused the
 * number, can never make us unregister on the wrong ring.
 *
 * Only the raw io_uring_register(2) syscall is used: no liburing here.
 * Registration is rare (once per client and ring), so one mutex is enough;
 * the token hooks skip it while nothing is registered at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define IMP_RING_MAGIC 0x72696e67u /* "ring" */

struct imp_ring {
	uint32_t magic;
	int fd; /* the library's own descriptor of the ring, O_CLOEXEC */
};

/* One registered personality. */
struct pers {
	imp_ring *ring;
	const imp_token *tok; /* not referenced: its last unref removes us */
	unsigned id;
	struct pers *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pers *registered;
static atomic_size_t nregistered;

static bool ring_valid(const imp_ring *ring)
{
	return ring && ring->magic == IMP_RING_MAGIC;
}

static long ring_register(int fd, unsigned op, unsigned arg)
{
	long r = syscall(__NR_io_uring_register, fd, op, NULL, arg);
	return r < 0 ? -errno : r;
}

/* A personality that stays registered after its token ended would let
 * requests run as a revoked client: never return with one (SPEC U2). */
static void pers_drop(struct pers *p)
{
	if (ring_register(p->ring->fd, IORING_UNREGISTER_PERSONALITY, p->id) < 0)
		imp_panic("impersonate: cannot unregister an io_uring personality");
	atomic_fetch_sub(&nregistered, 1);
	free(p);
}

/* Unregister every personality for which @match(p, arg) holds. */
static void drop_matching(bool (*match)(const struct pers *, const void *), const void *arg)
{
	if (atomic_load(&nregistered) == 0)
		return;
	pthread_mutex_lock(&lock);
	for (struct pers **pp = &registered; *pp;) {
		struct pers *p = *pp;
		if (match(p, arg)) {
			*pp = p->next;
			pers_drop(p);
		} else {
			pp = &p->next;
		}
	}
	pthread_mutex_unlock(&lock);
}

static bool is_token(const struct pers *p, const void *tok)
{
	return p->tok == tok;
}

/* The token itself or one derived from it (imp_token_with_caps), which is
 * revoked with it. */
static bool derives_from(const struct pers *p, const void *tok)
{
	for (const imp_token *t = p->tok; t; t = t->base)
		if (t == tok)
			return true;
	return false;
}

static bool on_ring(const struct pers *p, const void *ring)
{
	return p->ring == ring;
}

void uring_token_revoked(const imp_token *tok)
{
	drop_matching(derives_from, tok);
}

void uring_token_freed(const imp_token *tok)
{
	drop_matching(is_token, tok);
}

IMP_PUBLIC int imp_ring_new(int ring_fd, imp_ring **ret)
{
	if (ring_fd < 0)
		return -EBADF;
	imp_ring *ring = malloc(sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	ring->magic = IMP_RING_MAGIC;
	ring->fd = fcntl(ring_fd, F_DUPFD_CLOEXEC, 3);
	if (ring->fd < 0) {
		int e = -errno;
		free(ring);
		return e;
	}
	/* Personality ids start at 1, so unregistering 0 changes nothing: an
	 * io_uring answers EINVAL, any other file EOPNOTSUPP. */
	long r = ring_register(ring->fd, IORING_UNREGISTER_PERSONALITY, 0);
	if (r != -EINVAL) {
		close(ring->fd);
		free(ring);
		return r == -EOPNOTSUPP ? -EINVAL : (r < 0 ? (int)r : -EIO);
	}
	*ret = ring;
	return 0;
}

IMP_PUBLIC void imp_ring_free(imp_ring *ring)
{
	if (!ring_valid(ring))
		return;
	drop_matching(on_ring, ring);
	close(ring->fd);
	ring->magic = IMP_DEAD_MAGIC;
	free(ring);
}

/* Register the calling thread's credentials while it impersonates @tok in a
 * frame of its own; the thread is exactly as before afterwards.  The
 * impersonation was verified against the kernel (T7), and tampering found
 * at the end (T9) means the ring may hold something else: drop it. */
static int register_as(imp_token *tok, int fd)
{
	imp_call *call;
	int r = imp_call_begin(tok, &call);
	if (r < 0)
		return r;
	r = imp_call_impersonate(call);
	if (r == 0)
		r = (int)ring_register(fd, IORING_REGISTER_PERSONALITY, 0);
	int end = imp_call_end(call);
	imp_call_unref(call);
	if (r == 0 || (r > 0 && end < 0)) {
		if (r > 0 && ring_register(fd, IORING_UNREGISTER_PERSONALITY, (unsigned)r) < 0)
			imp_panic("impersonate: cannot unregister an io_uring personality");
		return -EIO; /* id 0 would mean "no personality" */
	}
	return r;
}

IMP_PUBLIC int imp_ring_register(imp_ring *ring, imp_token *tok)
{
	if (!ring_valid(ring) || !token_valid(tok))
		return -EINVAL;
	struct pers *p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	int id = register_as(tok, ring->fd);
	if (id < 0) {
		free(p);
		return id;
	}
	*p = (struct pers){.ring = ring, .tok = tok, .id = (unsigned)id};
	atomic_fetch_add(&nregistered, 1);
	/* A revocation that set the flag before we took the lock is seen here;
	 * one after it finds us in the list. */
	pthread_mutex_lock(&lock);
	bool revoked = token_revoked(tok);
	if (!revoked) {
		p->next = registered;
		registered = p;
	}
	pthread_mutex_unlock(&lock);
	if (revoked) {
		pers_drop(p);
		return -EKEYREVOKED;
	}
	return id;
}

IMP_PUBLIC int imp_ring_unregister(imp_ring *ring, int id)
{
	if (!ring_valid(ring) || id <= 0)
		return -EINVAL;
	struct pers *found = NULL;
	pthread_mutex_lock(&lock);
	for (struct pers **pp = &registered; *pp; pp = &(*pp)->next) {
		if ((*pp)->ring == ring && (*pp)->id == (unsigned)id) {
			found = *pp;
			*pp = found->next;
			pers_drop(found);
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return found ? 0 : -ENOENT;
}
