/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the F (tests/frames), K (tests/tokens) and X
 * (tests/process) tests.  Header-only (static inline) so each test
 * executable takes what it uses and nothing else has to be linked.
 *
 *  - library calls as steps for the worker thread of tests/lib/worker.h,
 *    which runs one function at a time on request, so a test can drive two
 *    threads step by step and read both from /proc between steps;
 *  - the identity the kernel must show while a thread impersonates a token,
 *    derived from the SPEC (T10, T11) and the token's public accessors only,
 *    never from library internals;
 *  - a private directory with one file per test user, and the access each
 *    identity must get to them.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"
#include "worker.h"

#define ALICE 60001
#define BOB 60002
#define CAROL 60003
#define SHARED 60100  /* alice, bob */
#define FINANCE 60101 /* alice */
/* Supplementary groups the service has and no client has, so a leak of the
 * service's groups into an impersonation (or a lost restore) shows. */
#define OWN_GROUP_A 4242
#define OWN_GROUP_B 4343

#define CHECK_KC(a, b)                                                                   \
	do {                                                                             \
		if (!kc_equal((a), (b))) {                                               \
			kc_print(#a, (a));                                               \
			kc_print(#b, (b));                                               \
			harness_fail(__FILE__, __LINE__, "kc_equal(%s, %s)", #a, #b);    \
		}                                                                        \
	} while (0)

/* Give the whole (still single-threaded) test process a distinctive own
 * identity: root with two extra supplementary groups.  glibc's setgroups is
 * fine here only because no other thread exists yet. */
static inline void own_identity_setup(void)
{
	const gid_t g[] = {0, OWN_GROUP_A, OWN_GROUP_B};
	if (setgroups(3, g) != 0)
		harness_fail(__FILE__, __LINE__, "setgroups");
}

/* ---- What the kernel must show -------------------------------------------- */

/* The thread credentials of a thread whose own credentials are @own while it
 * impersonates @tok (SPEC T10 modes, T11 effective set = kept capabilities
 * only, T12 groups = the token's list exactly). */
static inline void kc_expected(const struct kcreds *own, const imp_token *tok, struct kcreds *want)
{
	size_t n;
	const gid_t *g = imp_token_groups(tok, &n);

	*want = *own;
	if ((imp_token_flags(tok) & IMP_MODE_MASK) == IMP_MODE_FULL) {
		want->uid[1] = imp_token_uid(tok);
		want->gid[1] = imp_token_gid(tok);
	}
	want->uid[3] = imp_token_uid(tok);
	want->gid[3] = imp_token_gid(tok);
	want->ngroups = (int)n;
	memcpy(want->groups, g, n * sizeof(gid_t));
	want->cap_eff = own->cap_prm & imp_token_kept_caps(tok);
}

#define CHECK_IMPERSONATING(own, tid, tok)                                                 \
	do {                                                                               \
		struct kcreds xwant_, xnow_;                                                 \
		kc_expected((own), (tok), &xwant_);                                         \
		kc_read((tid), &xnow_);                                                     \
		if (!kc_equal(&xwant_, &xnow_)) {                                            \
			kc_print("expected", &xwant_);                                      \
			kc_print("kernel", &xnow_);                                         \
			harness_fail(__FILE__, __LINE__, "thread %d is not %s as expected", \
			             (int)(tid), imp_token_user_name(tok));                \
		}                                                                          \
	} while (0)

#define CHECK_THREAD_IS(tid, expected)                                          \
	do {                                                                    \
		struct kcreds xnow_;                                             \
		kc_read((tid), &xnow_);                                          \
		if (!kc_equal((expected), &xnow_)) {                             \
			kc_print(#expected, (expected));                        \
			kc_print("kernel", &xnow_);                              \
			harness_fail(__FILE__, __LINE__, "thread %d changed", (int)(tid)); \
		}                                                               \
	} while (0)

/* ---- Files ----------------------------------------------------------------- */

enum who { AS_OWN, AS_ALICE, AS_BOB, AS_CAROL };

/* A private directory with one 0600 file per user, and two group files
 * (0640 root:shared, root:finance) that only the groups open. */
static inline char *files_make(void)
{
	char *dir = tmpdir_make();
	file_make(dir, "root.txt", 0, 0, 0600);
	file_make(dir, "alice.txt", ALICE, ALICE, 0600);
	file_make(dir, "bob.txt", BOB, BOB, 0600);
	file_make(dir, "carol.txt", CAROL, CAROL, 0600);
	file_make(dir, "shared.txt", 0, SHARED, 0640);
	file_make(dir, "finance.txt", 0, FINANCE, 0640);
	return dir;
}

static inline void check_access_at(const char *file, int line, const char *dir, enum who w,
                                   bool all_groups)
{
	static const char *const names[] = {"root.txt", "alice.txt", "bob.txt", "carol.txt"};
	const bool own = w == AS_OWN;

	for (int i = 0; i < 4; i++) {
		int want = own || (int)w == i ? 0 : EACCES;
		int got = try_open(dir, names[i], O_RDONLY);
		if (got != want)
			harness_fail(file, line, "open %s as %d: %d, expected %d", names[i], (int)w, got, want);
	}
	/* With the token's full NSS group list: shared for alice and bob,
	 * finance for alice only (tests/fixtures/group). */
	int sh = own || (all_groups && (w == AS_ALICE || w == AS_BOB)) ? 0 : EACCES;
	int fi = own || (all_groups && w == AS_ALICE) ? 0 : EACCES;
	if (try_open(dir, "shared.txt", O_RDONLY) != sh)
		harness_fail(file, line, "open shared.txt as %d, expected %d", (int)w, sh);
	if (try_open(dir, "finance.txt", O_RDONLY) != fi)
		harness_fail(file, line, "open finance.txt as %d, expected %d", (int)w, fi);
}

/* Access of the calling thread: the full NSS group list of the user. */
#define CHECK_ACCESS(dir, w) check_access_at(__FILE__, __LINE__, (dir), (w), true)

/* ---- Steps for a worker thread (worker.h) ------------------------------- */

/* Library calls in worker_fn shape. */
static inline long w_impersonate(void *tok)
{
	return imp_impersonate(tok);
}

static inline long w_revert(void *unused)
{
	return imp_revert();
}

static inline long w_is_impersonating(void *unused)
{
	return imp_is_impersonating();
}

static inline long w_call_impersonate(void *call)
{
	return imp_call_impersonate(call);
}

static inline long w_call_end(void *call)
{
	return imp_call_end(call);
}

static inline long w_call_current(void *ret)
{
	return imp_call_current(ret);
}

/* imp_call_begin() on the worker. */
struct w_begin {
	imp_token *tok;
	imp_call *call;
};

static inline long w_call_begin(void *arg)
{
	struct w_begin *b = arg;
	return imp_call_begin(b->tok, &b->call);
}

/* Files, as the worker: @arg is a struct w_access. */
struct w_access {
	const char *dir;
	enum who who;
	bool all_groups;
};

static inline long w_check_access(void *arg)
{
	const struct w_access *a = arg;
	check_access_at(__FILE__, __LINE__, a->dir, a->who, a->all_groups);
	return 0;
}

#define CHECK_WORKER_ACCESS(w, d, as)                                              \
	do {                                                                       \
		struct w_access wa_ = {.dir = (d), .who = (as), .all_groups = true}; \
		CHECK_EQ(worker_run((w), w_check_access, &wa_), 0);                 \
	} while (0)
