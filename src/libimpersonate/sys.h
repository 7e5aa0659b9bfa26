/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Raw per-thread credential syscalls.
 *
 * glibc's set*id()/setgroups() wrappers broadcast the change to every thread
 * of the process (nptl(7)); the kernel itself keeps credentials per thread.
 * These wrappers go straight to the kernel, so they change the calling thread
 * only.  They return 0 or -errno (setfs*id: see below).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int sys_setresuid(uid_t r, uid_t e, uid_t s);
int sys_setresgid(gid_t r, gid_t e, gid_t s);
int sys_getresuid(uid_t *r, uid_t *e, uid_t *s);
int sys_getresgid(gid_t *r, gid_t *e, gid_t *s);

/* setfsuid/setfsgid return the previous value whether or not the change
 * happened: read the result back.  Passing -1 changes nothing and returns the
 * current value.  No real id is (uid_t)-1, so a call that fails outright
 * (seccomp, a security module) is told apart: -errno, never taken as an id. */
long sys_setfsuid(uid_t fsuid);
long sys_setfsgid(gid_t fsgid);

int sys_setgroups(size_t n, const gid_t *list);
/* Returns the count, or -EINVAL when more than @cap groups are set. */
long sys_getgroups(size_t cap, gid_t *list);

/* Effective, permitted and inheritable sets of the calling thread, 64 bits. */
struct sys_caps {
	uint64_t eff, prm, inh;
};
int sys_capget(struct sys_caps *c);
int sys_capset(const struct sys_caps *c);
