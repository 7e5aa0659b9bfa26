/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file operations a pool thread runs while it impersonates a client.
 *
 * Everything here happens inside the impersonation window, so it is plain
 * syscalls into buffers the connection provided: no malloc, no stdio, no
 * logging, no NSS (SPEC T13).  Paths are resolved with openat2() relative to
 * the served root with RESOLVE_BENEATH, so neither "..", an absolute path nor
 * a symlink can lead out of it, whatever the connection thread let through.
 * The whole operation (open, read/write, close) runs as the client: the
 * kernel checks permissions at open, and a write must also be the client's
 * so that, for example, a set-user-ID bit is cleared as for any user's write.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fsd.h"
#include "kstatus.h"

#define RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)

/* With @ring, through the connection's io_uring as the client's
 * personality; without, the calling thread's openat2() (glibc 2.36 has no
 * wrapper).  Same open_how either way. */
static int open_beneath(struct fsd_ring *ring, int rootfd, const char *path, uint64_t flags, uint64_t mode)
{
	/* openat2() rejects flags O_PATH does not take, O_NOCTTY among them. */
	flags |= O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY);
	struct open_how how = {.flags = flags, .mode = mode, .resolve = RESOLVE_FLAGS};
	if (ring)
		return ring_openat2(ring, rootfd, path[0] ? path : ".", &how);
	long fd = syscall(SYS_openat2, rootfd, path[0] ? path : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* pread() then close(); one submission on a ring. */
static ssize_t pread_close(struct fsd_ring *ring, int fd, void *buf, size_t len, off_t off)
{
	if (ring)
		return ring_pread_close(ring, fd, buf, len, (uint64_t)off);
	ssize_t n = pread(fd, buf, len, off);
	n = n < 0 ? -errno : n;
	close(fd);
	return n;
}

static ssize_t write_some(struct fsd_ring *ring, int fd, const void *buf, size_t len)
{
	if (ring)
		return ring_write(ring, fd, buf, len);
	ssize_t n = write(fd, buf, len);
	return n < 0 ? -errno : n;
}

static int close_fd(struct fsd_ring *ring, int fd)
{
	if (ring)
		return ring_close_fd(ring, fd);
	return close(fd) < 0 ? -errno : 0;
}

int ops_check_openat2(int rootfd)
{
	int fd = open_beneath(NULL, rootfd, ".", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Regular files only: a FIFO, device or socket in the tree is not served. */
static int regular(int fd, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return errno;
	if (S_ISDIR(st->st_mode))
		return EISDIR;
	return S_ISREG(st->st_mode) ? 0 : EINVAL;
}

static int op_read(struct job *j, struct fsd_ring *ring)
{
	const struct impfs_request *r = j->req;
	if (r->offset > INT64_MAX)
		return EINVAL;
	/* O_NONBLOCK: a FIFO must not hang the thread at open. */
	int fd = open_beneath(ring, j->rootfd, r->path, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return -fd;
	struct stat st;
	int err = regular(fd, &st);
	if (err) {
		close(fd);
		return err;
	}
	ssize_t n = pread_close(ring, fd, j->buf, j->cap < IMPFS_MAX_DATA ? j->cap : IMPFS_MAX_DATA, (off_t)r->offset);
	if (n < 0)
		err = (int)-n;
	if (!err) {
		j->len = (size_t)n;
		j->value = (uint64_t)st.st_size;
	}
	return err;
}

/* io_uring has no getdents: the directory is opened as the client (that is
 * where the kernel checks the right to list it), then read by the thread. */
static int op_list(struct job *j, struct fsd_ring *ring)
{
	const struct impfs_request *r = j->req;
	if (r->offset > INT64_MAX)
		return EINVAL;
	int fd = open_beneath(ring, j->rootfd, r->path, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return -fd;
	int err = 0;
	ssize_t n = 0;
	if (lseek(fd, (off_t)r->offset, SEEK_SET) < 0)
		err = errno;
	else if ((n = getdents64(fd, j->buf, j->cap < IMPFS_MAX_DATA ? j->cap : IMPFS_MAX_DATA)) < 0)
		err = errno;
	close(fd);
	if (err)
		return err;
	/* The cookie of the next batch is the d_off of the last entry. */
	uint64_t next = r->offset;
	for (ssize_t off = 0; off < n;) {
		const struct dirent64 *d = (const void *)(j->buf + off); /* aligned records */
		next = (uint64_t)d->d_off;
		off += d->d_reclen;
	}
	j->len = (size_t)n;
	j->value = next;
	j->more = n > 0;
	return 0;
}

static int write_all(struct fsd_ring *ring, int fd, const uint8_t *p, size_t len, uint64_t *done)
{
	while (*done < len) {
		ssize_t n = write_some(ring, fd, p + *done, len - *done);
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)-n;
		*done += (uint64_t)n;
	}
	return 0;
}

/* The write too runs as the client (a set-user-ID bit is cleared as for
 * any user's write), on the ring or on the impersonating thread. */
static int op_write(struct job *j, struct fsd_ring *ring)
{
	const struct impfs_request *r = j->req;
	uint64_t flags = O_WRONLY | O_NONBLOCK;
	flags |= (r->flags & IMPFS_WRITE_CREATE) ? O_CREAT : 0;
	flags |= (r->flags & IMPFS_WRITE_TRUNC) ? O_TRUNC : 0;
	flags |= (r->flags & IMPFS_WRITE_APPEND) ? O_APPEND : 0;
	flags |= (r->flags & IMPFS_WRITE_EXCL) ? O_EXCL : 0;
	int fd = open_beneath(ring, j->rootfd, r->path, flags, (flags & O_CREAT) ? r->mode : 0);
	if (fd < 0)
		return -fd;
	uint64_t done = 0;
	struct stat st;
	int err = regular(fd, &st);
	if (!err)
		err = write_all(ring, fd, r->data, r->len, &done);
	int c = close_fd(ring, fd);
	if (c < 0 && !err)
		err = -c;
	j->value = done;
	return err;
}

/* The kernel's view of this thread while it serves the client. */
static int op_whoami(struct job *j)
{
	ssize_t n = kstatus_read_raw("/proc/thread-self/status", (char *)j->buf, j->cap);
	if (n < 0)
		return (int)-n;
	j->len = (size_t)n;
	return 0;
}

void ops_run(struct job *j, struct fsd_ring *ring)
{
	j->len = 0;
	j->value = 0;
	j->more = false;
	switch (j->req->type) {
	case IMPFS_READ:
		j->err = op_read(j, ring);
		break;
	case IMPFS_LIST:
		j->err = op_list(j, ring);
		break;
	case IMPFS_WRITE:
		j->err = op_write(j, ring);
		break;
	case IMPFS_WHOAMI:
		j->err = op_whoami(j);
		break;
	default:
		j->err = EOPNOTSUPP;
		break;
	}
}
