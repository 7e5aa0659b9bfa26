/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The switch costs what it must and nothing more (SPEC T13; issue 10):
 * no allocation and no lock per round trip or per call frame, counted by
 * wrappers of malloc and the pthread lock calls (tests/lib/allocount.h), and
 * no futex, a bounded number of syscalls in all, counted by the kernel
 * (seccomp user notification, tests/lib/scwatch.h), in a forked child.
 */
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocount.h"
#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"
#include "scwatch.h"

#define ALICE 60001
#define ROUNDS 50

static imp_token *token(unsigned mode, size_t ngroups)
{
	gid_t g[1024];
	imp_token *t;
	for (size_t i = 0; i < ngroups; i++)
		g[i] = ALICE + (gid_t)i;
	CHECK_EQ(imp_token_new(ALICE, ALICE, g, ngroups, mode, &t), 0);
	return t;
}

enum what { ROUND_TRIP, CALL_FRAME, CALL_FRAME_IMPERSONATING };
static const char *const what_names[] = {"round trip", "call frame", "call frame with impersonation"};

static void once(enum what w, imp_token *t)
{
	imp_call *c;
	switch (w) {
	case ROUND_TRIP:
		CHECK_EQ(imp_impersonate(t), 0);
		CHECK_EQ(imp_revert(), 0);
		break;
	case CALL_FRAME:
	case CALL_FRAME_IMPERSONATING:
		CHECK_EQ(imp_call_begin(t, &c), 0);
		if (w == CALL_FRAME_IMPERSONATING)
			CHECK_EQ(imp_call_impersonate(c), 0);
		CHECK_EQ(imp_call_end(c), 0);
		imp_call_unref(c);
		break;
	default:
		break;
	}
}

/* T13: after a warm-up (buffers sized, call objects pooled) nothing. */
TEST(t13_no_allocation_no_lock_per_round_trip_or_call_frame)
{
	if (!allocount_available())
		harness_skip("a sanitizer owns malloc in this build");
	for (unsigned mode = 0; mode < 2; mode++) {
		imp_token *t = token(mode, 16);
		for (int w = ROUND_TRIP; w <= CALL_FRAME_IMPERSONATING; w++) {
			struct allocount n;
			once(w, t);
			allocount_begin();
			for (int i = 0; i < ROUNDS; i++)
				once(w, t);
			allocount_end(&n);
			printf("# %s mode, %s: %ld allocations, %ld frees, %ld locks per %d\n", mode ? "full" : "fs",
			       what_names[w], n.allocs, n.frees, n.locks, ROUNDS);
			CHECK_EQ(n.allocs, 0);
			CHECK_EQ(n.frees, 0);
			CHECK_EQ(n.locks, 0);
		}
		imp_token_unref(t);
	}
}

static void count_syscalls(void *arg)
{
	/* Most a round trip may take: 12 + 10 credential syscalls in fs mode,
	 * 14 + 12 in full mode, plus the dumpable and pdeath-signal prctl()s
	 * (the old engine: 40 and 38). */
	static const long most[2] = {25, 29};
	unsigned mode = *(const unsigned *)arg;
	imp_token *t = token(mode, 16);
	once(ROUND_TRIP, t);
	once(CALL_FRAME_IMPERSONATING, t);
	struct scwatch *w = scwatch_start(NULL, 0); /* for good: hence a child */
	for (int what = ROUND_TRIP; what <= CALL_FRAME_IMPERSONATING; what++) {
		scwatch_reset(w);
		for (int i = 0; i < 10; i++)
			once(what, t);
		scwatch_stop(w);
		long all = scwatch_count(w, -1), futex = scwatch_count(w, SCMP_SYS(futex));
		printf("# %s mode, %s: %.1f syscalls, %.1f futex\n", mode ? "full" : "fs", what_names[what],
		       all / 10.0, futex / 10.0);
		CHECK_EQ(futex, 0);
		if (what == ROUND_TRIP)
			CHECK(all <= 10 * most[mode]);
	}
	fflush(stdout);
	imp_token_unref(t);
}

/* issue 10: every change read back once, nothing read twice; no futex. */
TEST(t7_syscalls_per_round_trip_counted_by_the_kernel)
{
	static const unsigned modes[] = {IMP_MODE_FS, IMP_MODE_FULL};
	for (int m = 0; m < 2; m++)
		harness_in_child(count_syscalls, (void *)&modes[m]);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
