/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC T13: nothing slow inside the impersonation window.  After a thread's
 * first switch (which sizes its buffers), impersonate/revert round trips
 * must not allocate, touch files or sockets (NSS, config), or write (log).
 *
 * Allocation is counted by replacing malloc and friends in this executable
 * (glibc supports that); the rest by a seccomp filter on the test thread
 * that kills the process on any such syscall.
 */
#include <malloc.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread bool counting;
static __thread unsigned long allocations;

void *malloc(size_t n)
{
	allocations += counting;
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	allocations += counting;
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	allocations += counting;
	return __libc_realloc(p, n);
}

void *memalign(size_t align, size_t n)
{
	allocations += counting;
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	*p = memalign(align, n);
	return *p ? 0 : ENOMEM;
}

void free(void *p)
{
	allocations += counting && p;
	__libc_free(p);
}

static imp_token *big_token(uid_t uid, unsigned flags)
{
	gid_t groups[300];
	imp_token *t;
	for (int i = 0; i < 300; i++)
		groups[i] = 70000 + (gid_t)i;
	CHECK_EQ(imp_token_new(uid, uid, groups, 300, flags, &t), 0);
	return t;
}

/* Kill the process on any syscall that file, socket or log access needs. */
static void forbid_io(void)
{
	static const char *const calls[] = {"open", "openat", "openat2", "socket", "connect", "write",
	                                     "writev", "sendto", "sendmsg", "mmap", "brk", "futex"};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(ctx);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, seccomp_syscall_resolve_name(calls[i]), 0), 0);
	CHECK_EQ(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}

static void round_trips(void *unused)
{
	imp_token *small_fs, *big_full;
	gid_t g = 60001;
	CHECK_EQ(imp_token_new(60001, 60001, &g, 1, IMP_MODE_FS, &small_fs), 0);
	big_full = big_token(60002, IMP_MODE_FULL);

	/* Warm-up: the first switches size the thread's buffers. */
	CHECK_EQ(imp_impersonate(big_full), 0);
	CHECK_EQ(imp_revert(), 0);

	forbid_io();
	counting = true;
	int bad = 0;
	for (int i = 0; i < 100; i++) {
		bad |= imp_impersonate(i % 2 ? small_fs : big_full);
		bad |= imp_impersonate(i % 2 ? big_full : small_fs); /* T3 path too */
		bad |= imp_revert();
	}
	counting = false;
	if (bad)
		_exit(3);
	if (allocations) {
		/* stderr is a write: report through the exit code */
		_exit(4);
	}
	_exit(0);
}

/* SPEC T13: 100 round trips (fs and full, 1 and 300 groups, with
 * re-impersonation) allocate nothing and make no file, socket, write, mmap,
 * brk or futex (lock) syscall. */
TEST(t13_nothing_slow_inside_the_window)
{
	pid_t pid = fork();
	if (pid == 0)
		round_trips(NULL);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		harness_fail(__FILE__, __LINE__, "killed by signal %d: a forbidden syscall", WTERMSIG(st));
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* The counting itself works: making a token (NSS, allocation) is seen. */
TEST(t13_the_probe_sees_allocation_and_io)
{
	counting = true;
	imp_token *t = big_token(60001, 0);
	counting = false;
	CHECK(allocations > 0);
	imp_token_unref(t);

	pid_t pid = fork();
	if (pid == 0) {
		forbid_io();
		imp_token *u;
		_exit(imp_token_for_user("alice", 0, &u) == 0 ? 0 : 5); /* NSS opens files */
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGSYS);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
