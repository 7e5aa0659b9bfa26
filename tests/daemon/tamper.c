/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LD_PRELOAD shim for test-check.sh: something else in the process changes
 * the impersonating thread's credentials behind libimpersonate's back, so
 * that impersonate-check's "revert failed" status can be produced for real.
 *
 *   open("...TAMPER-FSUID...")  sets the thread's fsuid back to its real uid
 *                               (allowed without capabilities), as a library
 *                               that "drops privileges" its own way would
 *                               (SPEC T9: revert restores and reports it)
 *   open("...TAMPER-CAPS...")   empties the thread's capability sets, so
 *                               revert cannot restore them (SPEC T8: panic)
 *
 * Both then fail with ENOENT; every other open() is passed through.
 */
/* Both open and open64 are defined here: no redirection of one to the other. */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool tamper(const char *path)
{
	if (strstr(path, "TAMPER-FSUID")) {
		syscall(SYS_setfsuid, getuid());
		return true;
	}
	if (strstr(path, "TAMPER-CAPS")) {
		struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
		struct __user_cap_data_struct d[2] = {{0}};
		syscall(SYS_capset, &h, d);
		return true;
	}
	return false;
}

/* open() or open64() (@name): tamper, or pass the call on. */
static int wrapped(const char *name, const char *path, int flags, va_list ap)
{
	mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
	if (tamper(path)) {
		errno = ENOENT;
		return -1;
	}
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

/* _FORTIFY_SOURCE turns an open() whose flags are not constant into these
 * checking variants (no mode: they reject O_CREAT without one). */
static int wrapped_2(const char *name, const char *path, int flags)
{
	if (tamper(path)) {
		errno = ENOENT;
		return -1;
	}
	int (*real)(const char *, int) = (int (*)(const char *, int))dlsym(RTLD_NEXT, name);
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(path, flags);
}

int __open_2(const char *path, int flags)
{
	return wrapped_2("__open_2", path, flags);
}

int __open64_2(const char *path, int flags)
{
	return wrapped_2("__open64_2", path, flags);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int r = wrapped("open", path, flags, ap);
	va_end(ap);
	return r;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int r = wrapped("open64", path, flags, ap);
	va_end(ap);
	return r;
}
