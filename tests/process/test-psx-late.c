/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC X4, issue 11 item 5: libpsx loaded after the library (a PAM module's
 * dlopen) cannot make libcap process-wide -- libcap asks for psx only from
 * its constructor, which ran before -- so the per-thread guarantee holds
 * and impersonation stays allowed.  Shown on the real kernel: with libpsx
 * loaded and its symbols global, libcap's cap_set_proc() on one thread
 * leaves another thread's capabilities alone, and an impersonation changes
 * the calling thread only.  Contrast: test-psx.c, psx linked in.
 */
#include <dlfcn.h>
#include <sys/capability.h>
#include <unistd.h>

#include "xtest.h"

static void check_per_thread_after_loading_psx(bool query_first)
{
	struct imp_support s;
	struct worker *w = worker_start();
	struct kcreds before, after, own;
	imp_token *alice;

	if (query_first) { /* the library looked before the load */
		CHECK_EQ(imp_query_support(&s), 0);
		CHECK(s.per_thread);
	}
	void *psx = dlopen("libpsx.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (!psx)
		harness_skip("libpsx.so.2 not installed");
	CHECK(dlsym(RTLD_DEFAULT, "psx_syscall3") != NULL);

	/* libcap is still per-thread: the worker keeps CAP_NET_RAW. */
	kc_read(worker_tid(w), &before);
	CHECK(before.cap_eff & (UINT64_C(1) << CAP_NET_RAW));
	cap_t c = cap_get_proc();
	cap_value_t v = CAP_NET_RAW;
	CHECK(c != NULL);
	CHECK_EQ(cap_set_flag(c, CAP_EFFECTIVE, 1, &v, CAP_CLEAR), 0);
	CHECK_EQ(cap_set_proc(c), 0);
	cap_free(c);
	kc_read(worker_tid(w), &after);
	CHECK_KC(&before, &after);
	kc_read(0, &own);
	CHECK(!(own.cap_eff & (UINT64_C(1) << CAP_NET_RAW)));

	/* so the library rightly still says per-thread, and is */
	CHECK_EQ(imp_query_support(&s), 0);
	CHECK(s.per_thread && s.can_impersonate);
	CHECK_EQ(imp_token_for_user("alice", IMP_MODE_FS, &alice), 0);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_THREAD_IS(worker_tid(w), &after);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	imp_token_unref(alice);
	worker_stop(w);
}

TEST(x4_psx_loaded_after_the_first_check_stays_inactive)
{
	check_per_thread_after_loading_psx(true);
}

/* The check is made when the library is loaded, not at its first use: a
 * harmless psx loaded in between is not taken for an active one. */
TEST(x4_psx_loaded_before_the_first_use_stays_inactive)
{
	check_per_thread_after_loading_psx(false);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
