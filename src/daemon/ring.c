/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Impersonated I/O with no switch (SPEC U1): each connection thread has a
 * small io_uring of its own, with the client's token registered as a
 * personality (imp_ring_register(3)).  READ, WRITE and LIST open the file
 * through the ring as the client (IORING_OP_OPENAT2 with RESOLVE_BENEATH,
 * exactly the checks of the switch path), and READ and WRITE move the data
 * through it too, so the connection thread serves the request itself: no
 * credential syscall and no hand-off to a pool thread.
 *
 * The ring never leaves the thread that made it: io_uring descriptors are
 * close-on-exec, the daemon passes no descriptor to anyone, and the
 * personality is unregistered when the PAM session revokes the token (U2).
 *
 * Where io_uring is unavailable (kernel.io_uring_disabled, a seccomp
 * filter, ENOSYS, an old kernel without the opcodes) ring_probe() says so
 * once and every request goes through the pool's verified switch (U3).
 *
 * FSD_BENCH_NO_IMPERSONATION (bench/ only, never installed): the same code
 * with no personality, so requests run as the daemon itself.  It measures
 * what impersonation costs; it is not a mode of the daemon.
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsd.h"

struct fsd_ring {
	struct io_uring ring;
	imp_ring *imp;
	int personality; /* 0 only in the benchmark build without impersonation */
};

static bool available;

int ring_probe(void)
{
	static const int needed[] = {IORING_OP_OPENAT2, IORING_OP_READ, IORING_OP_WRITE, IORING_OP_CLOSE};
	struct io_uring ring;
	int r = io_uring_queue_init(2, &ring, 0);
	if (r < 0)
		return r;
	struct io_uring_probe *probe = io_uring_get_probe_ring(&ring);
	for (size_t i = 0; r == 0 && i < sizeof(needed) / sizeof(needed[0]); i++)
		if (!probe || !io_uring_opcode_supported(probe, needed[i]))
			r = -EOPNOTSUPP;
	io_uring_free_probe(probe);
#ifdef __SANITIZE_THREAD__
	/* ThreadSanitizer cannot follow what the kernel does through a ring:
	 * descriptors it opens and closes (a number closed by one thread and
	 * handed out again by the ring looks like a race) and buffers it fills.
	 * A TSan build serves every request through the pool's switch, the
	 * path TSan can check; ASan and valgrind check the ring. */
	if (r == 0)
		r = -EOPNOTSUPP;
#endif
	imp_ring *imp;
	if (r == 0 && (r = imp_ring_new(ring.ring_fd, &imp)) == 0)
		imp_ring_free(imp);
	io_uring_queue_exit(&ring);
	available = r == 0;
	return r;
}

int ring_open(imp_token *tok, struct fsd_ring **ret)
{
	if (!available)
		return -ENOSYS;
	struct fsd_ring *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	int e = io_uring_queue_init(4, &r->ring, 0);
	if (e < 0) {
		free(r);
		return e;
	}
	e = imp_ring_new(r->ring.ring_fd, &r->imp);
#ifndef FSD_BENCH_NO_IMPERSONATION
	if (e == 0)
		e = r->personality = imp_ring_register(r->imp, tok);
#endif
	if (e < 0) {
		ring_close(r);
		return e;
	}
	*ret = r;
	return 0;
}

void ring_close(struct fsd_ring *r)
{
	if (!r)
		return;
	imp_ring_free(r->imp);
	io_uring_queue_exit(&r->ring);
	free(r);
}

/* Each operation drains the queue, so there is always room for two; the
 * check only keeps a broken ring from crashing the daemon. */
static struct io_uring_sqe *sqe_get(struct fsd_ring *r)
{
	return io_uring_get_sqe(&r->ring);
}

/* After io_uring_prep_*(), which clears the whole SQE, personality included. */
static void as_client(struct fsd_ring *r, struct io_uring_sqe *sqe, uint64_t user_data)
{
	sqe->personality = (uint16_t)r->personality;
	sqe->user_data = user_data;
}

/* Submit what was prepared and wait for @n completions; res[i] is the
 * result of the SQE with user_data i. */
static void submit_wait(struct fsd_ring *r, unsigned n, int *res)
{
	int e;
	while ((e = io_uring_submit_and_wait(&r->ring, n)) == -EINTR)
		;
	for (unsigned got = 0; got < n;) {
		struct io_uring_cqe *cqe;
		int w = io_uring_wait_cqe(&r->ring, &cqe);
		if (w == -EINTR)
			continue;
		if (w < 0)
			break; /* the results stay -EIO */
		if (cqe->user_data < n)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&r->ring, cqe);
		got++;
	}
}

int ring_openat2(struct fsd_ring *r, int dirfd, const char *path, struct open_how *how)
{
	int res = -EIO;
	struct io_uring_sqe *sqe = sqe_get(r);
	if (!sqe)
		return -EAGAIN;
	io_uring_prep_openat2(sqe, dirfd, path, how);
	as_client(r, sqe, 0);
	submit_wait(r, 1, &res);
	return res;
}

/* READ and CLOSE linked in one submission; the close runs whatever the read
 * gave (hard link). */
ssize_t ring_pread_close(struct fsd_ring *r, int fd, void *buf, size_t len, uint64_t off)
{
	int res[2] = {-EIO, -EIO};
	if (io_uring_sq_space_left(&r->ring) < 2) {
		close(fd);
		return -EAGAIN;
	}
	struct io_uring_sqe *sqe = sqe_get(r), *next = sqe_get(r);
	if (!sqe || !next)
		return -EAGAIN; /* not reached: space checked */
	io_uring_prep_read(sqe, fd, buf, (unsigned)len, off);
	sqe->flags |= IOSQE_IO_HARDLINK;
	as_client(r, sqe, 0);
	io_uring_prep_close(next, fd);
	as_client(r, next, 1);
	submit_wait(r, 2, res);
	return res[0];
}

/* At the file's current position (O_APPEND honoured), as write(2). */
ssize_t ring_write(struct fsd_ring *r, int fd, const void *buf, size_t len)
{
	int res = -EIO;
	struct io_uring_sqe *sqe = sqe_get(r);
	if (!sqe)
		return -EAGAIN;
	io_uring_prep_write(sqe, fd, buf, (unsigned)len, (uint64_t)-1);
	as_client(r, sqe, 0);
	submit_wait(r, 1, &res);
	return res;
}

int ring_close_fd(struct fsd_ring *r, int fd)
{
	int res = -EIO;
	struct io_uring_sqe *sqe = sqe_get(r);
	if (!sqe)
		return -EAGAIN;
	io_uring_prep_close(sqe, fd);
	as_client(r, sqe, 0);
	submit_wait(r, 1, &res);
	return res;
}
