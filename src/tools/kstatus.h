/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel says about one thread: the Uid/Gid/Groups/Cap* lines of
 * /proc/<pid>/task/<tid>/status, read independently of libimpersonate.
 *
 * Reading is split from parsing so that a thread can take the raw text while
 * it impersonates (open/read/close into a caller's buffer: no allocation, no
 * stdio, SPEC T13) and parse it after it reverted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KSTATUS_MAX_GROUPS 4096

struct kstatus {
	uint32_t uid[4]; /* real, effective, saved, fs */
	uint32_t gid[4];
	uint64_t cap_eff, cap_prm, cap_inh;
	size_t ngroups;
	bool truncated; /* more groups than KSTATUS_MAX_GROUPS, or more text than the buffer */
	uint32_t groups[KSTATUS_MAX_GROUPS];
};

/* Read @path into @buf (NUL-terminated, at most @cap - 1 bytes) with plain
 * syscalls.  Returns the length, or -errno. */
ssize_t kstatus_read_raw(const char *path, char *buf, size_t cap);

/* Parse status text.  Returns 0, or -EBADMSG when a Uid/Gid/Cap line is
 * missing. */
int kstatus_parse(const char *text, struct kstatus *k);

/* Read and parse @path ("/proc/thread-self/status", ...). */
int kstatus_read(const char *path, struct kstatus *k);

/* Same ids, groups and capability sets. */
bool kstatus_equal(const struct kstatus *a, const struct kstatus *b);
