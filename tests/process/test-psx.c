/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC X4: a process with libcap's libpsx linked in, where libcap's
 * capability calls act on every thread.  The per-thread guarantee is gone,
 * so impersonation must be refused (-ENOTSUP) with nothing changed, and
 * imp_query_support() must say so with a reason.
 *
 * A separate executable: libpsx cannot be unloaded, and it wraps
 * pthread_create (-Wl,-wrap,pthread_create from libpsx.pc).
 */
#include <dlfcn.h>
#include <sys/capability.h>
#include <sys/psx_syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xtest.h"

/* Referenced so that --as-needed keeps libpsx in the executable even if
 * nothing else calls into it. */
long int (*volatile keep_psx)(long int, long int, long int, long int) = psx_syscall3;

static imp_token *user_token(const char *name, unsigned flags)
{
	imp_token *t;
	CHECK_EQ(imp_token_for_user(name, flags, &t), 0);
	return t;
}

/* The premise, measured: libpsx is in the process (as the library would
 * find it), and libcap's cap_set_proc() on one thread changes another
 * thread's capabilities too. */
TEST(x4_psx_is_active_here)
{
	struct worker *w = worker_start();
	struct kcreds before, after;

	CHECK(dlsym(RTLD_DEFAULT, "psx_syscall3") != NULL);
	kc_read(worker_tid(w), &before);
	CHECK(before.cap_eff & (UINT64_C(1) << CAP_NET_RAW));
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_NET_RAW;
	CHECK(c != NULL);
	CHECK_EQ(cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR), 0);
	CHECK_EQ(cap_set_proc(c), 0);
	cap_free(c);
	kc_read(worker_tid(w), &after);
	fprintf(stderr, "# worker CapEff %llx -> %llx after cap_set_proc() on the main thread\n",
	        (unsigned long long)before.cap_eff, (unsigned long long)after.cap_eff);
	CHECK(!(after.cap_eff & (UINT64_C(1) << CAP_NET_RAW)));
	worker_stop(w);
}

/* SPEC X4: imp_query_support() reports no per-thread guarantee, no
 * impersonation and a reason naming libpsx. */
TEST(x4_query_support_reports_no_per_thread_guarantee)
{
	struct imp_support s;

	memset(&s, 0x55, sizeof(s));
	CHECK_EQ(imp_query_support(&s), 0);
	fprintf(stderr, "# reason: %s\n", s.reason);
	CHECK(!s.per_thread);
	CHECK(!s.can_impersonate);
	CHECK_EQ(s.modes, 0);
	CHECK(s.reason[0] != 0);
	CHECK(memchr(s.reason, 0, sizeof(s.reason)) != NULL);
	CHECK(strstr(s.reason, "psx") != NULL);
}

/* SPEC X4: every way to impersonate is refused with -ENOTSUP and nothing
 * changes, on the calling thread or a sibling; the library does not think it
 * impersonates. */
TEST(x4_impersonation_refused_with_nothing_changed)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();
	imp_token *modes[2] = {user_token("alice", IMP_MODE_FS), user_token("alice", IMP_MODE_FULL)}, *cur;
	struct kcreds own, sib;
	imp_call *call;

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	for (int m = 0; m < 2; m++) {
		CHECK_EQ(imp_impersonate(modes[m]), -ENOTSUP);
		CHECK_THREAD_IS(0, &own);
		CHECK_THREAD_IS(sibling_tid(s), &sib);
		CHECK_EQ(imp_is_impersonating(), 0);
		CHECK_EQ(imp_current_token(&cur), -ENOENT);
		CHECK_ACCESS(dir, AS_OWN);

		CHECK_EQ(imp_call_begin(modes[m], &call), 0);
		CHECK_EQ(imp_call_impersonate(call), -ENOTSUP);
		CHECK_THREAD_IS(0, &own);
		CHECK_EQ(imp_call_end(call), 0);
		imp_call_unref(call);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
	}
	/* Nor as a child made the client (it would be safe in a single-threaded
	 * child, but the guarantee is judged per process). */
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		CHECK_EQ(imp_become_client(modes[0]), -ENOTSUP);
		CHECK_THREAD_IS(0, &own);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	imp_token_unref(modes[0]);
	imp_token_unref(modes[1]);
	sibling_stop(s);
	tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
