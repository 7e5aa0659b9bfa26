/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process-wide effects (SPEC X1-X3, X5; X4 is test-psx.c), checked against
 * what the kernel reports for threads of this process
 * (/proc/self/task/<tid>/status) and for children (/proc/self/status as the
 * child prints it), with real file access.
 *
 * Linked with the static internal library: the X1 leak test reads a token's
 * reference count from struct imp_token.
 */
#include <malloc.h>
#include <poll.h>
#include <setjmp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <spawn.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "internal.h"
#include "xtest.h"

extern char **environ;

static const unsigned modes[] = {IMP_MODE_FS, IMP_MODE_FULL};

static imp_token *user_token(const char *name, unsigned flags)
{
	imp_token *t;
	CHECK_EQ(imp_token_for_user(name, flags, &t), 0);
	return t;
}

static size_t token_refs(const imp_token *t)
{
	return atomic_load(&t->refs);
}

static void read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	while (n + 1 < size && (r = read(fd, buf + n, size - n - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			harness_fail(__FILE__, __LINE__, "read");
		n += (size_t)r;
	}
	buf[n] = 0;
}

static void wait_ok(pid_t pid)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		harness_fail(__FILE__, __LINE__, "child status %#x", st);
}

enum start { BY_POSIX_SPAWN, BY_VFORK, BY_SYSTEM };

/* What a child started by @how from the calling thread runs as, printed by
 * the child itself after exec (cat /proc/self/status); also CapAmb. */
static void child_status(enum start how, struct kcreds *k)
{
	static char text[16384];
	int p[2];
	pid_t pid;

	/* The exec'd child gains capabilities, so it runs in secure-execution
	 * mode and ld.so would only complain about nss_wrapper's LD_PRELOAD. */
	unsetenv("LD_PRELOAD");
	CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	switch (how) {
	case BY_POSIX_SPAWN: {
		posix_spawn_file_actions_t fa;
		char *argv[] = {(char *)"cat", (char *)"/proc/self/status", NULL};
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, p[1], 1);
		CHECK_EQ(posix_spawn(&pid, "/bin/cat", &fa, NULL, argv, environ), 0);
		posix_spawn_file_actions_destroy(&fa);
		close(p[1]);
		read_all(p[0], text, sizeof(text));
		wait_ok(pid);
		break;
	}
	case BY_VFORK:
		pid = vfork();
		if (pid == 0) {
			dup2(p[1], 1);
			execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
			_exit(127);
		}
		CHECK(pid > 0);
		close(p[1]);
		read_all(p[0], text, sizeof(text));
		wait_ok(pid);
		break;
	case BY_SYSTEM: {
		char cmd[64];
		int fd = dup(p[1]); /* without O_CLOEXEC: the shell's cat writes to it */
		close(p[1]);
		snprintf(cmd, sizeof(cmd), "cat /proc/self/status >&%d", fd);
		CHECK_EQ(system(cmd), 0);
		close(fd);
		read_all(p[0], text, sizeof(text));
		break;
	}
	default:
		harness_fail(__FILE__, __LINE__, "how");
	}
	close(p[0]);
	kc_parse(text, k);
}

/* ---- X1 ------------------------------------------------------------------- */

struct x1_arg {
	const struct kcreds *creator;
	imp_token *other;
	const char *dir;
	enum who who;
	bool wait_for_revert;
	pthread_barrier_t *step;
};

/* Runs on a thread created by an impersonating thread. */
static void *x1_child(void *p)
{
	struct x1_arg *a = p;
	imp_token *cur = (imp_token *)0x1;
	imp_call *call;

	if (a->wait_for_revert) { /* first use of the library after the creator reverted */
		pthread_barrier_wait(a->step);
		pthread_barrier_wait(a->step);
	}
	CHECK_THREAD_IS(0, a->creator); /* the kernel copied the creator's creds */
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(imp_impersonate(a->other), -EBUSY);
	CHECK_THREAD_IS(0, a->creator);
	CHECK_EQ(imp_revert(), -EBUSY); /* nothing of its own to restore */
	CHECK_THREAD_IS(0, a->creator);
	CHECK_EQ(imp_call_begin(a->other, &call), -EBUSY);
	CHECK_EQ(imp_current_token(&cur), -ENOENT);
	CHECK_EQ(imp_is_impersonating(), 1);
	check_access_at(__FILE__, __LINE__, a->dir, a->who, true);
	return NULL;
}

/* SPEC X1: a thread created while impersonating has the impersonated kernel
 * credentials (it really opens files as the client), the library says it is
 * impersonating, and refuses to impersonate (-EBUSY) with nothing changed;
 * the creator's revert does not touch it.  Both modes. */
TEST(x1_thread_created_while_impersonating)
{
	own_identity_setup();
	char *dir = files_make();

	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", modes[m]), *bob = user_token("bob", 0);
		struct kcreds own, during;
		pthread_t th;

		kc_read(0, &own);
		CHECK_EQ(imp_impersonate(alice), 0);
		kc_read(0, &during);
		struct x1_arg a = {.creator = &during, .other = bob, .dir = dir, .who = AS_ALICE};
		CHECK_EQ(pthread_create(&th, NULL, x1_child, &a), 0);
		pthread_join(th, NULL);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
		imp_token_unref(alice);
		imp_token_unref(bob);
	}
	tmpdir_remove(dir);
}

/* One variant of the test below, in the calling (forked) process. */
static void recognised_after_revert(const char *dir, const char *keep)
{
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0), *tok = alice;
	struct kcreds own, during;
	pthread_barrier_t step;
	pthread_t th;

	if (keep)
		CHECK_EQ(imp_token_with_caps(alice, keep, &tok), 0);
	kc_read(0, &own);
	pthread_barrier_init(&step, NULL, 2);
	CHECK_EQ(imp_impersonate(tok), 0);
	kc_read(0, &during);
	struct x1_arg a = {.creator = &during, .other = bob, .dir = dir, .who = AS_ALICE, .wait_for_revert = true,
	                   .step = &step};
	CHECK_EQ(pthread_create(&th, NULL, x1_child, &a), 0);
	pthread_barrier_wait(&step);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	pthread_barrier_wait(&step);
	pthread_join(th, NULL);
}

/* SPEC X1: the same when the new thread first uses the library after its
 * creator has reverted (a pool thread started during a request and used
 * later): it still runs as the client and must still be recognised, also
 * with a token that keeps capabilities (X5 uses one that keeps cap_setgid).
 * Each variant in its own child, so all are reported. */
TEST(x1_thread_recognised_after_creator_reverted)
{
	own_identity_setup();
	char *dir = files_make();
	static const char *const keep[] = {NULL, "cap_net_bind_service", "cap_setgid", "cap_setuid",
	                                   "cap_setuid,cap_setgid"};
	int failed = 0;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		fflush(stderr);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			recognised_after_revert(dir, keep[i]);
			_exit(0);
		}
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		fprintf(stderr, "# token keeping %s: %s\n", keep[i] ? keep[i] : "nothing", ok ? "ok" : "FAILED");
		failed += !ok;
	}
	CHECK_EQ(failed, 0);
	tmpdir_remove(dir);
}

/* SPEC X1 (control): a thread that existed before the impersonation and uses
 * the library for the first time while another thread impersonates is not
 * mistaken for an inherited one: it impersonates and reverts normally. */
TEST(x1_older_thread_is_not_inherited)
{
	own_identity_setup();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", IMP_MODE_FULL);
	struct kcreds own, w_own;

	kc_read(0, &own);
	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 0);
	CHECK_EQ(worker_run(w, w_impersonate, bob), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), bob);
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	worker_stop(w);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

struct exit_arg {
	imp_token *a, *b;
};

/* Impersonate in the base frame and in two nested calls, then exit without
 * reverting or ending anything. */
static void *exit_impersonating(void *p)
{
	struct exit_arg *e = p;
	imp_call *c1, *c2;

	CHECK_EQ(imp_impersonate(e->a), 0);
	CHECK_EQ(imp_call_begin(e->b, &c1), 0);
	CHECK_EQ(imp_call_impersonate(c1), 0);
	CHECK_EQ(imp_call_begin(e->a, &c2), 0);
	CHECK_EQ(imp_call_impersonate(c2), 0);
	imp_call_unref(c1);
	imp_call_unref(c2);
	return NULL;
}

static void run_exiting_threads(struct exit_arg *e, int n)
{
	enum { BATCH = 4 };
	for (int i = 0; i < n; i += BATCH) {
		pthread_t th[BATCH];
		for (int j = 0; j < BATCH; j++)
			CHECK_EQ(pthread_create(&th[j], NULL, exit_impersonating, e), 0);
		for (int j = 0; j < BATCH; j++)
			pthread_join(th[j], NULL);
	}
}

/*
 * SPEC X1: threads that exit while impersonating (in nested calls too) leak
 * no memory: 2000 of them leave the allocator's in-use total within a small
 * bound (64 kB: the allocator's own arena noise measured here is a few kB
 * and does not grow with the count; one leaked per-thread state would be
 * several kB per thread, 10 MB in all), the tokens'
 * reference counts are back to one, and the process-wide count of
 * impersonating threads is back to zero (seen through X3: the next
 * impersonation saves the dumpable flag afresh).  The process has more than
 * 32 groups and the token 100, so the per-thread buffers really grow.
 */
TEST(x1_threads_exiting_while_impersonating_leak_nothing)
{
	gid_t own_groups[40], tg[100];
	for (int i = 0; i < 40; i++)
		own_groups[i] = 5000 + (gid_t)i;
	for (int i = 0; i < 100; i++)
		tg[i] = 90000 + (gid_t)i;
	CHECK_EQ(setgroups(40, own_groups), 0);
	imp_token *big, *bob = user_token("bob", IMP_MODE_FULL);
	CHECK_EQ(imp_token_new(ALICE, ALICE, tg, 100, 0, &big), 0);
	struct exit_arg e = {.a = big, .b = bob};
	struct kcreds own;

	kc_read(0, &own);
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
	run_exiting_threads(&e, 100); /* warm up: thread stacks, arenas */
	size_t before = mallinfo2().uordblks;
	run_exiting_threads(&e, 2000);
	size_t after = mallinfo2().uordblks;
	fprintf(stderr, "# in use before %zu after %zu\n", before, after);
	CHECK(after < before + 65536);
	CHECK_EQ(atomic_load(&big->refs), 1);
	CHECK_EQ(atomic_load(&bob->refs), 1);
	CHECK_THREAD_IS(0, &own);

	/* No thread impersonates any more: a new impersonation must save the
	 * flag as it is now (0), not reuse the 1 saved while they ran. */
	CHECK_EQ(prctl(PR_SET_DUMPABLE, 0), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0);
	imp_token_unref(big);
	imp_token_unref(bob);
}

/* ---- X2 ------------------------------------------------------------------- */

/* SPEC X2: a child forked by an impersonating thread runs as the process's
 * own identity (every slot, groups, capabilities; files), the library in
 * the child is not impersonating and works; the parent thread still
 * impersonates.  Both modes. */
TEST(x2_fork_child_runs_as_own)
{
	own_identity_setup();
	char *dir = files_make();

	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", modes[m]), *bob = user_token("bob", 0);
		struct kcreds own, during;

		kc_read(0, &own);
		CHECK_EQ(imp_impersonate(alice), 0);
		kc_read(0, &during);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			CHECK_THREAD_IS(0, &own);
			CHECK_EQ(imp_is_impersonating(), 0);
			CHECK_ACCESS(dir, AS_OWN);
			CHECK_EQ(imp_revert(), 0);
			CHECK_THREAD_IS(0, &own);
			CHECK_EQ(imp_impersonate(bob), 0);
			CHECK_IMPERSONATING(&own, 0, bob);
			CHECK_EQ(imp_revert(), 0);
			CHECK_THREAD_IS(0, &own);
			_exit(0);
		}
		wait_ok(pid);
		CHECK_THREAD_IS(0, &during);
		CHECK_EQ(imp_is_impersonating(), 1);
		CHECK_ACCESS(dir, AS_ALICE);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
		imp_token_unref(alice);
		imp_token_unref(bob);
	}
	tmpdir_remove(dir);
}

struct fork_arg {
	const struct kcreds *own;
	imp_call *inner;
};

static long fork_in_call(void *p)
{
	struct fork_arg *a = p;
	imp_call *cur;
	pid_t pid = fork();
	if (pid == 0) {
		CHECK_THREAD_IS(0, a->own);
		CHECK_EQ(imp_is_impersonating(), 0);
		CHECK_EQ(imp_call_current(&cur), -ENOENT);
		CHECK(imp_call_is_complete(a->inner)); /* its calls end in the child */
		CHECK_EQ(imp_call_end(a->inner), -ESTALE);
		CHECK_THREAD_IS(0, a->own);
		_exit(0);
	}
	CHECK(pid > 0);
	wait_ok(pid);
	return 0;
}


/* SPEC X2: the same from a worker thread inside nested calls (outer
 * impersonating alice, inner bob) while the main thread impersonates carol:
 * the child is own, its calls are complete, and neither thread of the parent
 * is touched. */
TEST(x2_fork_from_nested_call_on_a_worker)
{
	own_identity_setup();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", IMP_MODE_FULL);
	imp_token *carol = user_token("carol", 0);
	struct w_begin outer = {.tok = alice}, inner = {.tok = bob};
	struct kcreds w_own, w_during, main_during;

	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(imp_impersonate(carol), 0);
	kc_read(0, &main_during);
	CHECK_EQ(worker_run(w, w_call_begin, &outer), 0);
	CHECK_EQ(worker_run(w, w_call_impersonate, outer.call), 0);
	CHECK_EQ(worker_run(w, w_call_begin, &inner), 0);
	CHECK_EQ(worker_run(w, w_call_impersonate, inner.call), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), bob);
	kc_read(worker_tid(w), &w_during);

	struct fork_arg fa = {.own = &w_own, .inner = inner.call};
	CHECK_EQ(worker_run(w, fork_in_call, &fa), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_during);
	CHECK_THREAD_IS(0, &main_during);
	CHECK(!imp_call_is_complete(inner.call));

	CHECK_EQ(worker_run(w, w_call_end, inner.call), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(worker_run(w, w_call_end, outer.call), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_EQ(imp_revert(), 0);
	worker_stop(w);
	imp_call_unref(inner.call);
	imp_call_unref(outer.call);
	imp_token_unref(alice);
	imp_token_unref(bob);
	imp_token_unref(carol);
}

static void *fork_on_inherited_thread(void *p)
{
	const struct kcreds *own = p;

	CHECK_EQ(imp_is_impersonating(), 1); /* X1 */
	pid_t pid = fork();
	if (pid == 0) {
		CHECK_THREAD_IS(0, own);
		CHECK_EQ(imp_is_impersonating(), 0);
		_exit(0);
	}
	CHECK(pid > 0);
	wait_ok(pid);
	return NULL;
}

/* SPEC X2 with X1: a thread created by an impersonating thread is itself
 * impersonating (X1); a child it forks must run as the process's own
 * identity like any other forked child, not as the client. */
TEST(x2_fork_from_inherited_thread_runs_as_own)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", 0);
	struct kcreds own;
	pthread_t th;

	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(pthread_create(&th, NULL, fork_on_inherited_thread, &own), 0);
	pthread_join(th, NULL);
	CHECK_EQ(imp_revert(), 0);
	imp_token_unref(alice);
}

static uint64_t bounding_set(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	unsigned long long v = 0;
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapBnd: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * SPEC X2: posix_spawn(), vfork() and system() run no fork handlers, so the
 * child starts with the impersonating thread's credentials and exec then
 * applies the kernel's root rules (capabilities(7)).  What the exec'd child
 * gets, as measured here and asserted so a change shows:
 *
 *  fs mode:   uid 0 0 0 0, gid 0 0 0 0 (exec resets fsuid/fsgid to the
 *             effective ids), the CLIENT's groups, and the full bounding set
 *             permitted and effective: root with the client's groups.
 *  full mode: uid 0 C C C, gid 0 C C C (exec makes saved and fs ids the
 *             effective ones), the client's groups, no effective
 *             capabilities but the full bounding set PERMITTED (real uid 0):
 *             it can make itself root again.  Through system(), the shell
 *             (dash or bash without -p) does just that: it resets the
 *             effective ids to the real ones, so the command runs as
 *             uid/gid 0 0 0 0, full capabilities, the client's groups.
 *
 * In no case is the child confined to the client: use fork() (X2 above) or
 * imp_become_client() in the child before exec.
 */
TEST(x2_spawned_children_inherit_the_impersonation)
{
	own_identity_setup();
	const uint64_t bnd = bounding_set();
	static const enum start how[] = {BY_POSIX_SPAWN, BY_VFORK, BY_SYSTEM};
	static const char *const names[] = {"posix_spawn", "vfork", "system"};

	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", modes[m]);
		size_t n;
		const gid_t *g = imp_token_groups(alice, &n);

		CHECK_EQ(imp_impersonate(alice), 0);
		for (size_t h = 0; h < 3; h++) {
			struct kcreds k, want = {.ngroups = (int)n};
			bool root_again = modes[m] == IMP_MODE_FS || how[h] == BY_SYSTEM;

			child_status(how[h], &k);
			memcpy(want.groups, g, n * sizeof(gid_t));
			for (int i = 1; i < 4; i++) {
				want.uid[i] = root_again ? 0 : ALICE;
				want.gid[i] = root_again ? 0 : ALICE;
			}
			want.cap_prm = bnd;
			want.cap_eff = root_again ? bnd : 0;
			fprintf(stderr, "# %s, %s mode:\n", names[h], m ? "full" : "fs");
			kc_print("  child", &k);
			if (!kc_equal(&want, &k)) {
				kc_print("expected", &want);
				harness_fail(__FILE__, __LINE__, "%s child", names[h]);
			}
			CHECK_EQ(k.cap_amb, 0);
		}
		CHECK_EQ(imp_revert(), 0);
		imp_token_unref(alice);
	}
}

/*
 * SPEC X2: imp_become_client() in a child forked by an impersonating thread
 * switches it irreversibly to the client: real, effective, saved and fs
 * uid/gid all the client's, its groups, no capability in any set (ambient
 * too), files as the client; setresuid/setresgid/setgroups back to root fail
 * (raw and glibc), imp_revert() does not bring root back, and a program it
 * execs is the client too.  The parent thread still impersonates.
 */
TEST(x2_become_client_in_forked_child)
{
	own_identity_setup();
	char *dir = files_make();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	struct kcreds during;

	CHECK_EQ(imp_impersonate(alice), 0);
	kc_read(0, &during);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct kcreds want = {.ngroups = 2, .groups = {BOB, SHARED}}, spawned;

		for (int i = 0; i < 4; i++) {
			want.uid[i] = BOB;
			want.gid[i] = BOB;
		}
		CHECK_EQ(imp_become_client(bob), 0);
		CHECK_THREAD_IS(0, &want);
		CHECK_ACCESS(dir, AS_BOB);
		errno = 0;
		CHECK_EQ(syscall(SYS_setresuid, 0, 0, 0), -1);
		CHECK_EQ(errno, EPERM);
		CHECK_EQ(syscall(SYS_setresgid, 0, 0, 0), -1);
		CHECK_EQ(syscall(SYS_setgroups, 0, NULL), -1);
		CHECK_EQ(setuid(0), -1);
		CHECK_EQ(setresuid(0, 0, 0), -1);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &want);
		child_status(BY_POSIX_SPAWN, &spawned);
		CHECK_KC(&want, &spawned);
		CHECK_EQ(spawned.cap_amb, 0);
		_exit(0);
	}
	wait_ok(pid);
	CHECK_THREAD_IS(0, &during);
	CHECK_EQ(imp_revert(), 0);
	imp_token_unref(alice);
	imp_token_unref(bob);
	tmpdir_remove(dir);
}

/* SPEC X2 (K3, K4): imp_become_client() refuses identify-level and revoked
 * tokens with nothing changed. */
TEST(x2_become_client_refuses_unusable_tokens)
{
	imp_token *id = user_token("alice", IMP_LEVEL_IDENTIFY), *rev = user_token("bob", 0);
	struct kcreds own;

	imp_token_revoke(rev);
	kc_read(0, &own);
	CHECK_EQ(imp_become_client(id), -EACCES);
	CHECK_EQ(imp_become_client(rev), -EKEYREVOKED);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(id);
	imp_token_unref(rev);
}

/* ---- X3 ------------------------------------------------------------------- */

static int suid_dumpable(void)
{
	FILE *f = fopen("/proc/sys/fs/suid_dumpable", "re");
	int v = -1;
	CHECK(f != NULL);
	CHECK_EQ(fscanf(f, "%d", &v), 1);
	fclose(f);
	return v;
}

/* SPEC X3: while impersonating, the kernel has reset the process's dumpable
 * flag to fs.suid_dumpable; after revert it is what it was before (1, and
 * also 0: the library restores, it does not force).  Both modes. */
TEST(x3_dumpable_restored_after_revert)
{
	imp_token *alice[2] = {user_token("alice", IMP_MODE_FS), user_token("alice", IMP_MODE_FULL)};
	const int during_want = suid_dumpable();

	for (size_t m = 0; m < 2; m++) {
		for (int before = 1; before >= 0; before--) {
			CHECK_EQ(prctl(PR_SET_DUMPABLE, before), 0);
			CHECK_EQ(imp_impersonate(alice[m]), 0);
			int during = prctl(PR_GET_DUMPABLE);
			CHECK_EQ(imp_revert(), 0);
			fprintf(stderr, "# %s mode: dumpable %d -> %d while impersonating -> %d\n",
			        m ? "full" : "fs", before, during, prctl(PR_GET_DUMPABLE));
			CHECK_EQ(during, during_want);
			CHECK_EQ(prctl(PR_GET_DUMPABLE), before);
		}
	}
	imp_token_unref(alice[0]);
	imp_token_unref(alice[1]);
}

/* SPEC X3: every way back to own restores the flag: revert after a T3
 * switch, the auto-revert of a call's end (F2), an inner call's start and
 * end while the outer one impersonates (F3), a forked child (X2). */
TEST(x3_dumpable_restored_on_every_path)
{
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", IMP_MODE_FULL);
	const int low = suid_dumpable();
	imp_call *outer, *inner;

	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), low);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);

	CHECK_EQ(imp_call_begin(alice, &outer), 0);
	CHECK_EQ(imp_call_impersonate(outer), 0);
	CHECK_EQ(imp_call_begin(bob, &inner), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1); /* the inner call runs as own */
	CHECK_EQ(imp_call_impersonate(inner), 0);
	CHECK_EQ(imp_call_end(inner), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), low); /* the outer client is back */

	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
		_exit(0);
	}
	wait_ok(pid);
	CHECK_EQ(imp_call_end(outer), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	imp_call_unref(inner);
	imp_call_unref(outer);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC X3: two threads with overlapping impersonations; once both reverted
 * the flag is what it was before the first began. */
TEST(x3_dumpable_overlapping_threads)
{
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);

	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
	CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	fprintf(stderr, "# one thread reverted, one impersonating: dumpable %d\n", prctl(PR_GET_DUMPABLE));
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	worker_stop(w);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

struct loop_arg {
	imp_token *tok;
	int rounds;
	pthread_barrier_t *start;
};

static void *impersonate_loop(void *p)
{
	struct loop_arg *a = p;
	pthread_barrier_wait(a->start);
	for (int i = 0; i < a->rounds; i++) {
		CHECK_EQ(imp_impersonate(a->tok), 0);
		CHECK_EQ(imp_revert(), 0);
	}
	return NULL;
}

/*
 * SPEC X3 under concurrency: two threads impersonating and reverting at once
 * in short overlapping bursts; after each burst, when both have reverted,
 * the flag must be 1 again.  A stress check (about 2 s): the deterministic
 * version of the interleaving that breaks it is the next test.
 */
TEST(x3_dumpable_restored_under_concurrency)
{
	enum { THREADS = 2, ROUNDS = 500 };
	imp_token *alice = user_token("alice", 0);
	struct timespec t0, t;
	int bad = 0, bursts = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		pthread_t th[THREADS];
		pthread_barrier_t start;
		struct loop_arg a = {.tok = alice, .rounds = ROUNDS, .start = &start};

		CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
		pthread_barrier_init(&start, NULL, THREADS);
		for (int i = 0; i < THREADS; i++)
			CHECK_EQ(pthread_create(&th[i], NULL, impersonate_loop, &a), 0);
		for (int i = 0; i < THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&start);
		bad += prctl(PR_GET_DUMPABLE) != 1;
		bursts++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 2);
	fprintf(stderr, "# %d of %d bursts left the process undumpable\n", bad, bursts);
	CHECK_EQ(bad, 0);
	imp_token_unref(alice);
}

/* Installed on one worker only (no TSYNC): its prctl(PR_GET_DUMPABLE) calls
 * stop in the kernel until the listener answers.  @arg receives the
 * listener fd. */
static long w_hold_get_dumpable(void *arg)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(ctx != NULL);
	CHECK_EQ(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0), 0); /* root: CAP_SYS_ADMIN */
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_GET_DUMPABLE)),
	         0);
	CHECK_EQ(seccomp_load(ctx), 0);
	int fd = seccomp_notify_fd(ctx);
	CHECK(fd >= 0);
	*(int *)arg = dup(fd);
	seccomp_release(ctx);
	return 0;
}

struct listener {
	int fd;
	atomic_bool stop;
};

/* Let one held prctl() go on; false if none arrived within @ms. */
static bool release_one(int fd, int ms)
{
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	if (poll(&p, 1, ms) != 1)
		return false;
	CHECK_EQ(seccomp_notify_alloc(&req, &resp), 0);
	memset(req, 0, sizeof(*req));
	CHECK_EQ(seccomp_notify_receive(fd, req), 0);
	memset(resp, 0, sizeof(*resp));
	resp->id = req->id;
	resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	int r = seccomp_notify_respond(fd, resp);
	CHECK(r == 0 || r == -ENOENT); /* -ENOENT: the caller is gone */
	seccomp_notify_free(req, resp);
	return true;
}

/* After the held call: let every later one through at once. */
static long w_release_all(void *arg)
{
	struct listener *l = arg;
	while (!atomic_load(&l->stop))
		release_one(l->fd, 20);
	return 0;
}

/*
 * SPEC X3, the interleaving the stress test above hits by chance, made
 * certain: thread A starts the process's first impersonation and is held
 * (seccomp user notification, A only) in its prctl(PR_GET_DUMPABLE), the
 * call that saves the flag to restore later; meanwhile thread B impersonates,
 * which makes the kernel reset the flag to fs.suid_dumpable.  Then A goes on.
 * Once both have reverted the flag must be 1, as it was before either
 * started.  (A correct library either saved the flag before B could switch,
 * or makes B wait: the test allows both.)
 */
TEST(x3_dumpable_saved_before_another_thread_switches)
{
	struct worker *a = worker_start(), *b = worker_start(), *l = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	struct listener lst = {.fd = -1};
	long r = -1;

	CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
	CHECK_EQ(worker_run(a, w_hold_get_dumpable, &lst.fd), 0);
	worker_post(a, w_impersonate, alice);
	bool held = false;
	struct pollfd p = {.fd = lst.fd, .events = POLLIN};
	held = poll(&p, 1, 2000) == 1; /* A is inside prctl(PR_GET_DUMPABLE) */
	fprintf(stderr, "# A %s prctl(PR_GET_DUMPABLE) while starting\n", held ? "is held in" : "never called");

	worker_post(b, w_impersonate, bob);
	bool b_done = worker_wait(b, 500, &r);
	fprintf(stderr, "# B's impersonation %s while A is held; dumpable now %d\n",
	        b_done ? "completed" : "waits", prctl(PR_GET_DUMPABLE));
	if (b_done)
		CHECK_EQ(r, 0);
	if (held)
		CHECK(release_one(lst.fd, 0));
	worker_post(l, w_release_all, &lst);
	CHECK(worker_wait(a, -1, &r));
	CHECK_EQ(r, 0);
	if (!b_done) {
		CHECK(worker_wait(b, -1, &r));
		CHECK_EQ(r, 0);
	}

	CHECK_EQ(worker_run(b, w_revert, NULL), 0);
	CHECK_EQ(worker_run(a, w_revert, NULL), 0);
	fprintf(stderr, "# after both reverted: dumpable %d (was 1)\n", prctl(PR_GET_DUMPABLE));
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	atomic_store(&lst.stop, true);
	CHECK(worker_wait(l, -1, &r));
	worker_stop(a);
	worker_stop(b);
	worker_stop(l);
	close(lst.fd);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* ---- X4 (control; the refusal is test-psx.c) ----------------------------- */

/* SPEC X4: without libpsx the per-thread guarantee holds and is reported,
 * also while impersonating (judged by the permitted set). */
TEST(x4_per_thread_reported_without_psx)
{
	imp_token *alice = user_token("alice", 0);
	struct imp_support s;

	CHECK_EQ(imp_query_support(&s), 0);
	CHECK(s.per_thread);
	CHECK(s.can_impersonate);
	CHECK(s.have_setuid && s.have_setgid);
	CHECK_EQ(s.modes, (1u << IMP_MODE_FS) | (1u << IMP_MODE_FULL));
	CHECK_STREQ(s.reason, "");
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(imp_query_support(&s), 0);
	CHECK(s.per_thread && s.can_impersonate);
	CHECK_EQ(imp_revert(), 0);
	imp_token_unref(alice);
}

/* ---- X5 ------------------------------------------------------------------- */

enum glibc_call { G_SETGROUPS, G_SETRESGID, G_SETRESUID, G_INITGROUPS };
static const char *const glibc_names[] = {"setgroups", "setresgid(-1, 4242, -1)", "setresuid(-1, bob, -1)",
                                          "initgroups"};

static void call_glibc(enum glibc_call c)
{
	const gid_t g = 0;
	switch (c) {
	case G_SETGROUPS:
		(void)setgroups(1, &g);
		break;
	case G_SETRESGID:
		/* The result is what the test looks at, through /proc. */
		if (setresgid((gid_t)-1, OWN_GROUP_A, (gid_t)-1) != 0) {
		}
		break;
	case G_SETRESUID:
		if (setresuid((uid_t)-1, BOB, (uid_t)-1) != 0) {
		}
		break;
	case G_INITGROUPS:
		(void)initgroups("root", 0);
		break;
	default:
		break;
	}
}

/* SPEC X5: while one thread impersonates (effective set empty), a glibc
 * setgroups()/setresgid()/setresuid()/initgroups() in another thread
 * succeeds on that thread and fails (EPERM) on the impersonating one, and
 * glibc aborts the whole process.  Run in a forked child per call. */
TEST(x5_glibc_setid_elsewhere_aborts_the_process)
{
	imp_token *alice[2] = {user_token("alice", IMP_MODE_FS), user_token("alice", IMP_MODE_FULL)};

	for (int m = 0; m < 2; m++) {
		for (int c = G_SETGROUPS; c <= G_INITGROUPS; c++) {
			fflush(stderr);
			pid_t pid = fork();
			CHECK(pid >= 0);
			if (pid == 0) {
				struct worker *w = worker_start();
				CHECK_EQ(worker_run(w, w_impersonate, alice[m]), 0);
				call_glibc((enum glibc_call)c);
				_exit(3); /* survived */
			}
			int st;
			CHECK_EQ(waitpid(pid, &st, 0), pid);
			fprintf(stderr, "# %s mode, %s in another thread: %s %d\n", m ? "full" : "fs",
			        glibc_names[c], WIFSIGNALED(st) ? "signal" : "exit",
			        WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			CHECK(WIFSIGNALED(st));
			CHECK_EQ(WTERMSIG(st), SIGABRT);
		}
	}
	imp_token_unref(alice[0]);
	imp_token_unref(alice[1]);
}

/*
 * SPEC X5: a glibc setresuid(0, 0, 0) in another thread does NOT abort: the
 * impersonating thread may take ids it already holds in its real/saved slots
 * without CAP_SETUID, so the call succeeds everywhere and silently ends the
 * impersonation on the kernel side: fs mode, fsuid back to 0 (root's files
 * open, the client's do not); full mode, euid back to 0, which also gives it
 * its whole permitted set as effective capabilities.  The library still
 * believes it impersonates; imp_revert() finds the change, restores the own
 * credentials and reports -EUCLEAN (T9).
 */
TEST(x5_glibc_setresuid_to_own_ids_silently_undoes_the_impersonation)
{
	own_identity_setup();
	char *dir = files_make();

	for (int m = 0; m < 2; m++) {
		struct worker *w = worker_start();
		imp_token *alice = user_token("alice", modes[m]);
		struct kcreds w_own, now;

		kc_read(worker_tid(w), &w_own);
		CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
		CHECK_EQ(setresuid(0, 0, 0), 0);
		kc_read(worker_tid(w), &now);
		kc_print(m ? "full mode, after setresuid(0,0,0)" : "fs mode, after setresuid(0,0,0)", &now);
		for (int i = 0; i < 4; i++)
			CHECK_EQ(now.uid[i], 0);
		CHECK_EQ(now.gid[3], ALICE);
		CHECK(kc_has_group(&now, FINANCE));
		CHECK_EQ(now.cap_eff, m ? w_own.cap_prm : 0);
		CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);
		struct w_access a = {.dir = dir, .who = m ? AS_OWN : AS_ALICE};
		if (m) {
			CHECK_EQ(worker_run(w, w_check_access, &a), 0);
		} else {
			/* fsuid 0 without capabilities: owner of root.txt, not alice */
			CHECK_EQ(try_open(dir, "root.txt", O_RDONLY), 0);
		}
		CHECK_EQ(worker_run(w, w_revert, NULL), -EUCLEAN);
		CHECK_THREAD_IS(worker_tid(w), &w_own);
		worker_stop(w);
		imp_token_unref(alice);
	}
	tmpdir_remove(dir);
}

static long w_try_open_root(void *dir)
{
	return try_open(dir, "root.txt", O_RDONLY);
}

static long w_try_open_alice(void *dir)
{
	return try_open(dir, "alice.txt", O_RDONLY);
}

/* SPEC X5 (fs mode, the thread's view of files after setresuid(0,0,0)
 * elsewhere): it opens root's file and no longer alice's. */
TEST(x5_glibc_setresuid_fs_mode_file_access)
{
	char *dir = files_make();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0);

	CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
	CHECK_EQ(worker_run(w, w_try_open_root, dir), EACCES);
	CHECK_EQ(worker_run(w, w_try_open_alice, dir), 0);
	CHECK_EQ(setresuid(0, 0, 0), 0);
	CHECK_EQ(worker_run(w, w_try_open_root, dir), 0);
	CHECK_EQ(worker_run(w, w_try_open_alice, dir), EACCES);
	CHECK_EQ(worker_run(w, w_revert, NULL), -EUCLEAN);
	worker_stop(w);
	imp_token_unref(alice);
	tmpdir_remove(dir);
}

/*
 * SPEC X5 T9: with a token that keeps cap_setgid, a glibc setgroups() in
 * another thread succeeds on the impersonating thread too: no abort, its
 * groups are silently overwritten (the client loses its groups, gets the
 * caller's).  imp_revert() then reports -EUCLEAN and restores the thread's
 * own credentials exactly (its own groups, not the new process list).
 */
TEST(x5_kept_setgid_lets_glibc_setgroups_overwrite_the_groups)
{
	own_identity_setup();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *keep;
	struct kcreds w_own, main_after, now;
	const gid_t newg = 7777;

	CHECK_EQ(imp_token_with_caps(alice, "cap_setgid", &keep), 0);
	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(worker_run(w, w_impersonate, keep), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), keep);
	CHECK_EQ(setgroups(1, &newg), 0);
	kc_read(0, &main_after);
	CHECK_EQ(main_after.ngroups, 1);
	CHECK_EQ(main_after.groups[0], newg);
	kc_read(worker_tid(w), &now);
	kc_print("impersonating thread after setgroups elsewhere", &now);
	CHECK_EQ(now.uid[3], ALICE);
	CHECK_EQ(now.gid[3], ALICE);
	CHECK_EQ(now.ngroups, 1);
	CHECK_EQ(now.groups[0], newg);
	CHECK_EQ(now.cap_eff, UINT64_C(1) << CAP_SETGID);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);

	CHECK_EQ(worker_run(w, w_revert, NULL), -EUCLEAN);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 0);
	worker_stop(w);
	imp_token_unref(keep);
	imp_token_unref(alice);
}

/* SPEC X5: glibc setuid(0) in another thread: without CAP_SETUID the
 * impersonating thread may still take uid 0 (its real and saved uid), so
 * the call succeeds everywhere, no abort; the fs (and in full mode
 * effective) uid goes back to 0 behind the library's back, and revert
 * finds it, restores the own credentials and reports -EUCLEAN (T9). */
TEST(x5_glibc_setuid_elsewhere_is_found_at_revert)
{
	for (int m = 0; m < 2; m++) {
		struct worker *w = worker_start();
		imp_token *alice = user_token("alice", modes[m]);
		struct kcreds w_own, now;
		kc_read(worker_tid(w), &w_own);
		CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
		CHECK_EQ(setuid(0), 0);
		kc_read(worker_tid(w), &now);
		CHECK_EQ(now.uid[1], 0);
		CHECK_EQ(now.uid[3], 0);
		CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);
		CHECK_EQ(worker_run(w, w_revert, NULL), -EUCLEAN);
		CHECK_THREAD_IS(worker_tid(w), &w_own);
		worker_stop(w);
		imp_token_unref(alice);
	}
}

/* ---- Cancellation, signals (issue 11 item 7) -------------------------------- */

struct cancel_arg {
	imp_token *tok;
	pthread_barrier_t ready;
	bool cleanup_reverts;
	int cleanup_result;
};

static void cleanup_revert(void *p)
{
	struct cancel_arg *a = p;
	if (a->cleanup_reverts)
		a->cleanup_result = imp_revert();
}

static void *impersonate_then_wait(void *p)
{
	struct cancel_arg *a = p;
	CHECK_EQ(imp_impersonate(a->tok), 0);
	pthread_cleanup_push(cleanup_revert, a);
	pthread_barrier_wait(&a->ready);
	for (;;)
		pause(); /* a cancellation point */
	pthread_cleanup_pop(0);
	return NULL;
}

/* X1 X3, documented in imp_impersonate(3): a thread cancelled while it
 * impersonates ends with its kernel credentials; the library frees its
 * state, drops its token reference and puts the process's dumpable flag
 * back.  A cleanup handler may revert (imp_revert() is an ordinary call
 * there).  Other threads and the process carry on as before. */
TEST(x1_thread_cancelled_while_impersonating)
{
	char *dir = files_make();
	for (int m = 0; m < 2; m++) {
		for (int handler = 0; handler < 2; handler++) {
			struct cancel_arg a = {.tok = user_token("alice", modes[m]), .cleanup_reverts = handler,
			                       .cleanup_result = 1};
			struct kcreds own;
			pthread_t th;
			void *ret;
			kc_read(0, &own);
			CHECK_EQ(prctl(PR_SET_DUMPABLE, 1), 0);
			CHECK_EQ(pthread_barrier_init(&a.ready, NULL, 2), 0);
			CHECK_EQ(pthread_create(&th, NULL, impersonate_then_wait, &a), 0);
			pthread_barrier_wait(&a.ready);
			CHECK_EQ(token_refs(a.tok), 2);
			CHECK_EQ(pthread_cancel(th), 0);
			CHECK_EQ(pthread_join(th, &ret), 0);
			CHECK(ret == PTHREAD_CANCELED);
			CHECK_EQ(a.cleanup_result, handler ? 0 : 1);
			CHECK_EQ(token_refs(a.tok), 1);          /* no leak (X1) */
			CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);     /* X3 */
			CHECK_THREAD_IS(0, &own);
			CHECK_EQ(imp_impersonate(a.tok), 0);     /* the process carries on */
			CHECK_ACCESS(dir, AS_ALICE);
			CHECK_EQ(imp_revert(), 0);
			CHECK_THREAD_IS(0, &own);
			pthread_barrier_destroy(&a.ready);
			imp_token_unref(a.tok);
		}
	}
	tmpdir_remove(dir);
}

static const char *signal_dir;
/* Lock-free atomics: safe in a signal handler, and they order the results
 * before signal_done for the reader (and for TSan). */
static atomic_int signal_done;
static atomic_long signal_fsuid;
static atomic_int signal_open_root, signal_open_alice;

/* Async-signal-safe: raw syscalls and open(2) only, no library call; errno
 * is the interrupted code's. */
static void on_usr1(int sig)
{
	int saved = errno;
	atomic_store(&signal_fsuid, syscall(SYS_setfsuid, -1));
	atomic_store(&signal_open_root, try_open(signal_dir, "root.txt", O_RDONLY));
	atomic_store(&signal_open_alice, try_open(signal_dir, "alice.txt", O_RDONLY));
	atomic_store(&signal_done, 1);
	errno = saved;
}

static void signal_worker(struct worker *w)
{
	atomic_store(&signal_done, 0);
	CHECK_EQ(syscall(SYS_tgkill, getpid(), worker_tid(w), SIGUSR1), 0);
	for (int i = 0; i < 10000 && !signal_done; i++)
		usleep(1000);
	CHECK(signal_done);
}

/* T1, documented in imp_impersonate(3): a signal handler runs on the
 * interrupted thread with that thread's credentials: while it impersonates,
 * as the client (root's file refused, alice's opened); after revert, as
 * itself. */
TEST(t1_signal_handler_runs_with_the_threads_identity)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigemptyset(&sa.sa_mask);
	CHECK_EQ(sigaction(SIGUSR1, &sa, NULL), 0);
	signal_dir = files_make();
	for (int m = 0; m < 2; m++) {
		struct worker *w = worker_start();
		imp_token *alice = user_token("alice", modes[m]);
		CHECK_EQ(worker_run(w, w_impersonate, alice), 0);
		signal_worker(w);
		CHECK_EQ(signal_fsuid, ALICE);
		CHECK_EQ(signal_open_root, EACCES);
		CHECK_EQ(signal_open_alice, 0);
		CHECK_EQ(worker_run(w, w_revert, NULL), 0);
		signal_worker(w);
		CHECK_EQ(signal_fsuid, 0);
		CHECK_EQ(signal_open_root, 0);
		worker_stop(w);
		imp_token_unref(alice);
	}
	tmpdir_remove((char *)signal_dir);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
