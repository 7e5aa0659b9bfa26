/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imp_spawn(): start a program as a token's user, irreversibly (SPEC X2, W5).
 *
 * The child is made with clone(CLONE_VM | CLONE_VFORK): it runs on its own
 * small stack in the parent's memory while the calling thread waits, until
 * it calls execve() or exits.  The child therefore touches nothing the other
 * threads of the daemon may hold (no malloc, no locks, no atfork handlers,
 * no stdio): it makes raw syscalls on data the parent prepared, and reports
 * a failure by writing one int into that shared memory before _exit.
 *
 * Child, in order: every signal handler back to SIG_DFL (a handler running
 * in the child would run on the parent's memory), the parent's signal mask;
 * descriptors: fds[i] becomes descriptor i, everything else is closed;
 * credentials: effective capabilities raised from the permitted set (a
 * thread impersonating has an empty effective set, T11), groups, gid, uid in
 * all four slots, then every capability set and the ambient set emptied, and
 * the whole state read back (T7).  Then execve().
 *
 * The child's uid change resets the dumpable flag of the memory it shares
 * with the parent (X3): the parent puts its own value back afterwards.
 *
 * Under ThreadSanitizer the child must not touch the runtime either: its
 * clone() interceptor treats every clone as a fork and resets the runtime's
 * state in the child, which here is the parent's own memory (every later
 * report of the process is then wrong), and its sigaction() interceptor
 * keeps the handlers in a table the child would overwrite for the parent.
 * So the child's functions are not instrumented by any sanitizer
 * (CHILD_CODE), signals are reset with the raw syscall, and a TSan build
 * calls glibc's __clone.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "creds.h"
#include "internal.h"

/* Sanitizer instrumentation in the child would write the runtime's state
 * (shadow memory, report locks) shared with the parent, and the child's
 * last frames never return to clean up after themselves. */
#define CHILD_CODE __attribute__((no_sanitize("address", "thread", "undefined")))
#ifdef __SANITIZE_THREAD__
extern int __clone(int (*fn)(void *), void *stack, int flags, void *arg, ...);
#define spawn_clone __clone
#else
#define spawn_clone clone
#endif

#define SPAWN_STACK (64 * 1024)
#define SPAWN_MAX_FDS 1024

extern char **environ;

struct spawn_args {
	const imp_token *tok;
	const char *path;
	char *const *argv;
	char *const *envp;
	const int *fds;
	size_t nfds;
	int tmpfd;         /* fds[i] is parked at tmpfd + i: above every source */
	unsigned fdlimit;  /* close() up to here if close_range() is missing */
	sigset_t mask;     /* the parent's mask, restored in the child */
	gid_t *scratch;    /* room for the token's groups, read back */
	volatile int err;  /* written by the child on failure */
};

CHILD_CODE static int neg_errno(long r)
{
	return r < 0 ? -errno : 0;
}

/* The kernel's struct sigaction (rt_sigaction(2)), not glibc's: the layout
 * of the architectures with SA_RESTORER (x86-64, arm64, ...). */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

CHILD_CODE static void child_signals(const struct spawn_args *a)
{
	struct kernel_sigaction dfl = {.handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++) {
		struct kernel_sigaction old;
		if (syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) == 0 &&
		    old.handler != SIG_DFL && old.handler != SIG_IGN)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(dfl.mask));
	}
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &a->mask, NULL, NSIG / 8);
}

CHILD_CODE static int child_fds(const struct spawn_args *a)
{
	for (size_t i = 0; i < a->nfds; i++)
		if (a->fds[i] >= 0 &&
		    syscall(SYS_dup3, a->fds[i], a->tmpfd + (int)i, O_CLOEXEC) < 0)
			return -errno;
	for (size_t i = 0; i < a->nfds; i++) {
		if (a->fds[i] < 0)
			syscall(SYS_close, (int)i);
		else if (syscall(SYS_dup3, a->tmpfd + (int)i, (int)i, 0) < 0)
			return -errno;
	}
	if (syscall(SYS_close_range, (unsigned)a->nfds, ~0u, 0) == 0)
		return 0;
	for (unsigned fd = (unsigned)a->nfds; fd < a->fdlimit; fd++)
		syscall(SYS_close, fd);
	return 0;
}

CHILD_CODE static int child_verify(const struct spawn_args *a)
{
	const imp_token *t = a->tok;
	uid_t u[3];
	gid_t g[3];
	struct sys_caps c;
	if (sys_getresuid(&u[0], &u[1], &u[2]) < 0 || sys_getresgid(&g[0], &g[1], &g[2]) < 0 ||
	    sys_capget(&c) < 0)
		return -EIO;
	for (int i = 0; i < 3; i++)
		if (u[i] != t->uid || g[i] != t->gid)
			return -EIO;
	if (sys_setfsuid((uid_t)-1) != t->uid || sys_setfsgid((gid_t)-1) != t->gid || c.eff ||
	    c.prm || c.inh)
		return -EIO;
	long n = sys_getgroups(t->ngroups, a->scratch);
	if (n != (long)t->ngroups)
		return -EIO;
	for (long i = 0; i < n; i++) /* not memcmp(): no library call here */
		if (a->scratch[i] != t->groups[i])
			return -EIO;
	return 0;
}

CHILD_CODE static int child_creds(const struct spawn_args *a)
{
	const imp_token *t = a->tok;
	struct sys_caps c;
	int r = sys_capget(&c);
	if (r < 0)
		return r;
	c.eff = c.prm;
	if ((r = sys_capset(&c)) < 0 || (r = sys_setgroups(t->ngroups, t->groups)) < 0 ||
	    (r = sys_setresgid(t->gid, t->gid, t->gid)) < 0 ||
	    (r = sys_setresuid(t->uid, t->uid, t->uid)) < 0)
		return r;
	c = (struct sys_caps){0, 0, 0};
	if ((r = sys_capset(&c)) < 0)
		return r;
	r = neg_errno(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	if (r < 0 && r != -EINVAL) /* EINVAL: a kernel without ambient sets */
		return r;
	return child_verify(a);
}

CHILD_CODE static int child_main(void *arg)
{
	struct spawn_args *a = arg;
	child_signals(a);
	int r = child_fds(a);
	if (r == 0)
		r = child_creds(a);
	if (r == 0) {
		syscall(SYS_execve, a->path, a->argv, a->envp);
		r = -errno;
	}
	a->err = r < 0 ? r : -EIO;
	syscall(SYS_exit, 127);
	return 127;
}

/* The caller's input, checked before anything is made. */
static int spawn_check(const imp_token *tok, const char *path, char *const argv[], const int *fds,
                       size_t nfds, int *tmpfd)
{
	if (!token_valid(tok) || !path || !argv || (nfds && !fds) || nfds > SPAWN_MAX_FDS)
		return -EINVAL;
	if (token_revoked(tok))
		return -EKEYREVOKED;
	if (tok->flags & IMP_LEVEL_IDENTIFY)
		return -EACCES;
	int top = (int)nfds;
	for (size_t i = 0; i < nfds; i++) {
		if (fds[i] < 0)
			continue;
		if (fcntl(fds[i], F_GETFD) < 0)
			return -EBADF;
		if (fds[i] >= top)
			top = fds[i] + 1;
	}
	*tmpfd = top;
	return 0;
}

IMP_PUBLIC int imp_spawn(const imp_token *tok, const char *path, char *const argv[], char *const envp[],
                         const int *fds, size_t nfds, pid_t *pid)
{
	struct spawn_args a = {.tok = tok, .path = path, .argv = argv, .fds = fds, .nfds = nfds};
	int r = spawn_check(tok, path, argv, fds, nfds, &a.tmpfd);
	if (r < 0)
		return r;
	struct rlimit rl;
	a.fdlimit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur : 65536;
	a.envp = envp ? envp : environ;

	size_t scratch = (tok->ngroups * sizeof(gid_t) + 4095) & ~(size_t)4095;
	size_t size = SPAWN_STACK + scratch;
	char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (mem == MAP_FAILED)
		return -ENOMEM;
	a.scratch = (gid_t *)(void *)mem; /* mmap: page-aligned */

	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &a.mask);
	int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	pid_t child = spawn_clone(child_main, mem + size, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	r = child < 0 ? -errno : a.err;
	if (dumpable >= 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dumpable)
		prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); /* X3 */
	pthread_sigmask(SIG_SETMASK, &a.mask, NULL);
	munmap(mem, size);

	if (r < 0 && child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	if (r == 0)
		*pid = child;
	return r;
}
