/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built without liburing: no rings, every request through the pool's switch
 * (SPEC U3).  The ring operations are never reached. */
#include <errno.h>

#include "fsd.h"

int ring_probe(void)
{
	return -ENOSYS;
}

int ring_open(imp_token *tok, struct fsd_ring **ret)
{
	return -ENOSYS;
}

void ring_close(struct fsd_ring *r)
{
}

int ring_openat2(struct fsd_ring *r, int dirfd, const char *path, struct open_how *how)
{
	return -ENOSYS;
}

ssize_t ring_pread_close(struct fsd_ring *r, int fd, void *buf, size_t len, uint64_t off)
{
	return -ENOSYS;
}

ssize_t ring_write(struct fsd_ring *r, int fd, const void *buf, size_t len)
{
	return -ENOSYS;
}

int ring_close_fd(struct fsd_ring *r, int fd)
{
	return -ENOSYS;
}
