/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sys.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

/* On i386 and 32-bit arm the 32-bit id variants are the real ones. */
#ifdef SYS_setresuid32
#define NR_setresuid SYS_setresuid32
#define NR_setresgid SYS_setresgid32
#define NR_getresuid SYS_getresuid32
#define NR_getresgid SYS_getresgid32
#define NR_setfsuid SYS_setfsuid32
#define NR_setfsgid SYS_setfsgid32
#define NR_setgroups SYS_setgroups32
#define NR_getgroups SYS_getgroups32
#else
#define NR_setresuid SYS_setresuid
#define NR_setresgid SYS_setresgid
#define NR_getresuid SYS_getresuid
#define NR_getresgid SYS_getresgid
#define NR_setfsuid SYS_setfsuid
#define NR_setfsgid SYS_setfsgid
#define NR_setgroups SYS_setgroups
#define NR_getgroups SYS_getgroups
#endif

static int ret_errno(long r)
{
	return r < 0 ? -errno : (int)r;
}

int sys_setresuid(uid_t r, uid_t e, uid_t s)
{
	return ret_errno(syscall(NR_setresuid, r, e, s));
}

int sys_setresgid(gid_t r, gid_t e, gid_t s)
{
	return ret_errno(syscall(NR_setresgid, r, e, s));
}

int sys_getresuid(uid_t *r, uid_t *e, uid_t *s)
{
	return ret_errno(syscall(NR_getresuid, r, e, s));
}

int sys_getresgid(gid_t *r, gid_t *e, gid_t *s)
{
	return ret_errno(syscall(NR_getresgid, r, e, s));
}

static long fs_prev(long r)
{
	if (r == -1 || (uint32_t)r == UINT32_MAX)
		return errno ? -errno : -EIO;
	return (long)(uint32_t)r;
}

long sys_setfsuid(uid_t fsuid)
{
	errno = 0;
	return fs_prev(syscall(NR_setfsuid, fsuid));
}

long sys_setfsgid(gid_t fsgid)
{
	errno = 0;
	return fs_prev(syscall(NR_setfsgid, fsgid));
}

int sys_setgroups(size_t n, const gid_t *list)
{
	return ret_errno(syscall(NR_setgroups, n, list));
}

long sys_getgroups(size_t cap, gid_t *list)
{
	long r = syscall(NR_getgroups, cap, list);
	return r < 0 ? -errno : r;
}

int sys_capget(struct sys_caps *c)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {{0}}; /* valgrind cannot tell what capget wrote */
	int r = ret_errno(syscall(SYS_capget, &hdr, d));

	if (r < 0)
		return r;
	c->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	c->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	c->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
	return 0;
}

int sys_capset(const struct sys_caps *c)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {
		{.effective = (uint32_t)c->eff, .permitted = (uint32_t)c->prm, .inheritable = (uint32_t)c->inh},
		{.effective = (uint32_t)(c->eff >> 32),
		 .permitted = (uint32_t)(c->prm >> 32),
		 .inheritable = (uint32_t)(c->inh >> 32)},
	};
	return ret_errno(syscall(SYS_capset, &hdr, d));
}
