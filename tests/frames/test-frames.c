/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Call frames (SPEC F1-F5), checked against what the kernel reports in
 * /proc/self/task/<tid>/status for the dispatch thread, a second thread using
 * the same call and an idle sibling, with real files opened or refused.
 *
 * Tokens come from NSS (tests/fixtures through nss_wrapper).  The process
 * gets two supplementary groups no client has (own_identity_setup), so a
 * restore that lands on the wrong groups shows.  Reference counts are read
 * from the library's internal structs (the tests link the static internal
 * library) to prove that a refused call took no reference.
 */
#include <linux/capability.h>
#include <setjmp.h>
#include <unistd.h>

#include "internal.h"
#include "xtest.h"

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

static size_t call_refs(const imp_call *c)
{
	return atomic_load(&c->refs);
}

static const unsigned modes[] = {IMP_MODE_FS, IMP_MODE_FULL};

/* SPEC F1: a frame begun for a client runs as the thread's own identity;
 * only an explicit impersonation switches to the client, and only this
 * thread. */
TEST(f1_frame_runs_as_own_until_impersonation)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();
	imp_token *alice = user_token("alice", 0);
	imp_call *call, *cur;
	struct kcreds own, sib;

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_ACCESS(dir, AS_OWN);
	CHECK(imp_call_token(call) == alice);
	CHECK(!imp_call_is_complete(call));
	CHECK_EQ(imp_call_current(&cur), 0);
	CHECK(cur == call);
	imp_call_unref(cur);

	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_THREAD_IS(sibling_tid(s), &sib);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_ACCESS(dir, AS_ALICE);

	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_ACCESS(dir, AS_OWN);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_THREAD_IS(sibling_tid(s), &sib);
	CHECK(imp_call_is_complete(call));
	imp_call_unref(call);
	CHECK_EQ(token_refs(alice), 1);
	imp_token_unref(alice);
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* SPEC F1: imp_call_current() names the innermost call of the calling thread,
 * with a reference of its own, and nothing outside a call (before any use of
 * the library, and after the last call ended). */
TEST(f1_call_current_inside_and_outside)
{
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	imp_call *outer, *inner, *cur = (imp_call *)0x1;

	CHECK_EQ(imp_call_current(&cur), -ENOENT);
	CHECK(cur == (imp_call *)0x1); /* out-parameter untouched on failure */
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_EQ(imp_call_current(&cur), -ENOENT);

	CHECK_EQ(imp_call_begin(alice, &outer), 0);
	CHECK_EQ(call_refs(outer), 2); /* ours and the frame's */
	CHECK_EQ(imp_call_current(&cur), 0);
	CHECK(cur == outer);
	CHECK_EQ(call_refs(outer), 3);
	imp_call_unref(cur);

	CHECK_EQ(imp_call_begin(bob, &inner), 0);
	CHECK_EQ(imp_call_current(&cur), 0);
	CHECK(cur == inner);
	imp_call_unref(cur);
	CHECK_EQ(imp_call_end(inner), 0);
	CHECK_EQ(imp_call_current(&cur), 0);
	CHECK(cur == outer);
	imp_call_unref(cur);

	/* Another thread has no call of its own, even while this one has. */
	struct worker *w = worker_start();
	cur = (imp_call *)0x1;
	CHECK_EQ(worker_run(w, w_call_current, &cur), -ENOENT);
	CHECK(cur == (imp_call *)0x1);
	worker_stop(w);

	CHECK_EQ(imp_call_end(outer), 0);
	CHECK_EQ(imp_call_current(&cur), -ENOENT);
	CHECK_EQ(call_refs(outer), 1);
	CHECK_EQ(call_refs(inner), 1);
	imp_call_unref(outer);
	imp_call_unref(inner);
	CHECK_EQ(token_refs(alice), 1);
	CHECK_EQ(token_refs(bob), 1);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC F2: ending the frame reverts a thread still impersonating, in both
 * modes, exactly to its own credentials; the sibling never moves. */
TEST(f2_end_reverts_in_both_modes)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();

	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", modes[m]);
		imp_call *call;
		struct kcreds own, sib;

		kc_read(0, &own);
		kc_read(sibling_tid(s), &sib);
		CHECK_EQ(imp_call_begin(alice, &call), 0);
		CHECK_EQ(imp_call_impersonate(call), 0);
		CHECK_IMPERSONATING(&own, 0, alice);
		CHECK_ACCESS(dir, AS_ALICE);

		CHECK_EQ(imp_call_end(call), 0); /* no imp_revert() */
		CHECK_THREAD_IS(0, &own);
		CHECK_THREAD_IS(sibling_tid(s), &sib);
		CHECK_EQ(imp_is_impersonating(), 0);
		CHECK_ACCESS(dir, AS_OWN);
		CHECK(imp_call_is_complete(call));
		imp_call_unref(call);
		/* The frame's reference to the token went with the revert. */
		CHECK_EQ(token_refs(alice), 1);
		imp_token_unref(alice);
	}
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* SPEC F2: a frame that reverted, or never impersonated, ends with 0 and
 * leaves the thread as it is. */
TEST(f2_end_without_impersonation_changes_nothing)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", 0);
	imp_call *call;
	struct kcreds own;

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	imp_call_unref(call);

	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	imp_call_unref(call);
	imp_token_unref(alice);
}

/*
 * SPEC F3: outer frame impersonating alice; an inner frame begins as the
 * thread's own identity, impersonates bob, and ends with or without its own
 * revert; the outer frame is back exactly as it was (kernel snapshot),
 * impersonation included.  Every mode combination.
 */
TEST(f3_inner_frame_starts_as_own_and_outer_is_restored)
{
	own_identity_setup();
	char *dir = files_make();
	struct sibling *s = sibling_start();
	struct kcreds own, sib, outer_state;

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	for (int variant = 0; variant < 8; variant++) {
		bool inner_reverts = variant & 1;
		imp_token *alice = user_token("alice", modes[(variant >> 1) & 1]);
		imp_token *bob = user_token("bob", modes[(variant >> 2) & 1]);
		imp_call *outer, *inner;
		imp_token *cur;

		CHECK_EQ(imp_call_begin(alice, &outer), 0);
		CHECK_EQ(imp_call_impersonate(outer), 0);
		CHECK_IMPERSONATING(&own, 0, alice);
		kc_read(0, &outer_state);

		CHECK_EQ(imp_call_begin(bob, &inner), 0);
		CHECK_THREAD_IS(0, &own); /* the inner call starts as ourselves */
		CHECK_EQ(imp_is_impersonating(), 0);
		CHECK_EQ(imp_current_token(&cur), -ENOENT);
		CHECK_ACCESS(dir, AS_OWN);

		CHECK_EQ(imp_call_impersonate(inner), 0);
		CHECK_IMPERSONATING(&own, 0, bob);
		CHECK_ACCESS(dir, AS_BOB);
		if (inner_reverts) {
			CHECK_EQ(imp_revert(), 0);
			CHECK_THREAD_IS(0, &own);
		}

		CHECK_EQ(imp_call_end(inner), 0);
		CHECK_THREAD_IS(0, &outer_state);
		CHECK_EQ(imp_is_impersonating(), 1);
		CHECK_EQ(imp_current_token(&cur), 0);
		CHECK(cur == alice);
		imp_token_unref(cur);
		CHECK_ACCESS(dir, AS_ALICE);
		CHECK_THREAD_IS(sibling_tid(s), &sib);

		/* The outer frame's saved credentials survived the inner one. */
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
		CHECK_EQ(imp_call_end(outer), 0);
		CHECK_THREAD_IS(0, &own);
		imp_call_unref(inner);
		imp_call_unref(outer);
		CHECK_EQ(token_refs(alice), 1);
		CHECK_EQ(token_refs(bob), 1);
		imp_token_unref(alice);
		imp_token_unref(bob);
	}
	sibling_stop(s);
	tmpdir_remove(dir);
}

/* SPEC F3: the inner frame has its own saved credentials and impersonation:
 * re-impersonating there (T3) and one revert (T4) return to the thread's own
 * identity, not to the outer client; the outer client comes back at the end,
 * and auto-revert of the outer frame (F2) then reaches own. */
TEST(f3_inner_frame_has_its_own_saved_state)
{
	own_identity_setup();
	char *dir = files_make();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	imp_token *carol = user_token("carol", IMP_MODE_FULL);
	imp_call *outer, *inner;
	struct kcreds own, outer_state;

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(alice, &outer), 0);
	CHECK_EQ(imp_call_impersonate(outer), 0);
	kc_read(0, &outer_state);
	CHECK_EQ(imp_call_begin(bob, &inner), 0);
	CHECK_EQ(imp_call_impersonate(inner), 0);
	CHECK_EQ(imp_impersonate(carol), 0);
	CHECK_IMPERSONATING(&own, 0, carol);
	CHECK_ACCESS(dir, AS_CAROL);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_revert(), 0); /* T5 in the inner frame: still own */
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_call_end(inner), 0);
	CHECK_THREAD_IS(0, &outer_state);
	CHECK_EQ(imp_call_end(outer), 0);
	CHECK_THREAD_IS(0, &own);
	imp_call_unref(inner);
	imp_call_unref(outer);
	imp_token_unref(alice);
	imp_token_unref(bob);
	imp_token_unref(carol);
	tmpdir_remove(dir);
}

/* SPEC F3: an impersonation of the base frame (imp_impersonate() outside any
 * call) is suspended by a call and restored when it ends; a call begun while
 * not impersonating ends as own even if it impersonated. */
TEST(f3_base_frame_impersonation_is_restored)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", IMP_MODE_FULL), *bob = user_token("bob", 0);
	imp_call *call;
	struct kcreds own, base_state;

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(bob, &call), 0);
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_call_unref(call);

	CHECK_EQ(imp_impersonate(alice), 0);
	kc_read(0, &base_state);
	CHECK_EQ(imp_call_begin(bob, &call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &base_state);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	imp_call_unref(call);
	CHECK_EQ(token_refs(alice), 1);
	CHECK_EQ(token_refs(bob), 1);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC F3: three levels, each impersonating a different client in a
 * different mode; each end gives the next level out back exactly. */
TEST(f3_three_levels_each_restored_exactly)
{
	own_identity_setup();
	imp_token *tok[3] = {user_token("alice", IMP_MODE_FULL), user_token("bob", IMP_MODE_FS),
	                     user_token("carol", IMP_MODE_FULL)};
	imp_call *call[3];
	struct kcreds own, level[3];

	kc_read(0, &own);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(imp_call_begin(tok[i], &call[i]), 0);
		CHECK_THREAD_IS(0, &own);
		CHECK_EQ(imp_call_impersonate(call[i]), 0);
		CHECK_IMPERSONATING(&own, 0, tok[i]);
		kc_read(0, &level[i]);
	}
	for (int i = 2; i > 0; i--) {
		CHECK_EQ(imp_call_end(call[i]), 0);
		CHECK_THREAD_IS(0, &level[i - 1]);
	}
	CHECK_EQ(imp_call_end(call[0]), 0);
	CHECK_THREAD_IS(0, &own);
	for (int i = 0; i < 3; i++) {
		imp_call_unref(call[i]);
		CHECK_EQ(token_refs(tok[i]), 1);
		imp_token_unref(tok[i]);
	}
}

/*
 * SPEC F4: one call used from the dispatch thread and a second thread.
 * Impersonating through it on the second thread changes that thread only; a
 * revert on one leaves the other impersonating; ending the call reverts the
 * dispatch thread (F2) but not the second thread, which keeps the client's
 * identity; afterwards impersonating through the call is -ESTALE with
 * nothing changed, and the second thread's revert still works.
 */
TEST(f4_call_shared_across_threads)
{
	own_identity_setup();
	char *dir = files_make();
	struct worker *w = worker_start();
	struct sibling *s = sibling_start();
	imp_token *alice = user_token("alice", 0);
	imp_call *call;
	struct kcreds own, w_own, sib;

	kc_read(0, &own);
	kc_read(worker_tid(w), &w_own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_call_begin(alice, &call), 0);

	/* Second thread only. */
	CHECK_EQ(worker_run(w, w_call_impersonate, call), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);
	CHECK_WORKER_ACCESS(w, dir, AS_ALICE);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_ACCESS(dir, AS_OWN);
	CHECK_THREAD_IS(sibling_tid(s), &sib);

	/* Both; then a revert on the second thread leaves the first as alice. */
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_ACCESS(dir, AS_ALICE);

	/* And the other way round. */
	CHECK_EQ(worker_run(w, w_call_impersonate, call), 0);
	CHECK_EQ(imp_revert(), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_WORKER_ACCESS(w, dir, AS_ALICE);

	/* The end reverts the dispatch thread only. */
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK(imp_call_is_complete(call));
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 1);
	CHECK_WORKER_ACCESS(w, dir, AS_ALICE);

	/* Call complete: no new impersonation through it, on either thread. */
	CHECK_EQ(worker_run(w, w_call_impersonate, call), -ESTALE);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_EQ(imp_call_impersonate(call), -ESTALE);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);

	/* Revert still works on the second thread. */
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_EQ(worker_run(w, w_is_impersonating, NULL), 0);
	CHECK_WORKER_ACCESS(w, dir, AS_OWN);
	CHECK_THREAD_IS(sibling_tid(s), &sib);

	worker_stop(w);
	sibling_stop(s);
	imp_call_unref(call);
	CHECK_EQ(token_refs(alice), 1);
	imp_token_unref(alice);
	tmpdir_remove(dir);
}

/* SPEC F4: the second thread may itself be inside a call of its own; using
 * another thread's call there impersonates in that thread's current frame,
 * and its own call's end reverts it. */
TEST(f4_second_thread_inside_its_own_call)
{
	own_identity_setup();
	struct worker *w = worker_start();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	imp_call *call;
	struct kcreds own, w_own;
	struct w_begin wb = {.tok = bob};

	kc_read(0, &own);
	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_EQ(worker_run(w, w_call_begin, &wb), 0);
	CHECK_EQ(worker_run(w, w_call_impersonate, call), 0);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(worker_run(w, w_call_end, wb.call), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	CHECK_EQ(imp_call_end(call), 0);
	worker_stop(w);
	imp_call_unref(wb.call);
	imp_call_unref(call);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/*
 * SPEC F5: IMP_MAX_CALL_DEPTH frames can be begun; one more is -EOVERFLOW and
 * changes nothing: the kernel state (here the innermost frame impersonating
 * bob), the library's answers, the out-parameter and the reference counts.
 * After ending one frame a new one can be begun again.
 */
TEST(f5_depth_is_bounded_and_overflow_changes_nothing)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", IMP_MODE_FULL);
	imp_call *call[IMP_MAX_CALL_DEPTH + 1], *extra = (imp_call *)0x1, *cur;
	struct kcreds own, before;
	imp_token *t;

	kc_read(0, &own);
	for (int i = 0; i < IMP_MAX_CALL_DEPTH; i++) {
		CHECK_EQ(imp_call_begin(i % 2 ? bob : alice, &call[i]), 0);
		CHECK_EQ(imp_call_impersonate(call[i]), 0);
	}
	CHECK_IMPERSONATING(&own, 0, bob);
	kc_read(0, &before);
	size_t ra = token_refs(alice), rb = token_refs(bob);

	CHECK_EQ(imp_call_begin(alice, &extra), -EOVERFLOW);
	CHECK(extra == (imp_call *)0x1);
	CHECK_THREAD_IS(0, &before);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(imp_current_token(&t), 0);
	CHECK(t == bob);
	imp_token_unref(t);
	CHECK_EQ(imp_call_current(&cur), 0);
	CHECK(cur == call[IMP_MAX_CALL_DEPTH - 1]);
	imp_call_unref(cur);
	CHECK_EQ(token_refs(alice), ra);
	CHECK_EQ(token_refs(bob), rb);

	/* The bound is on depth, not on the number of calls. */
	CHECK_EQ(imp_call_end(call[IMP_MAX_CALL_DEPTH - 1]), 0);
	imp_call_unref(call[IMP_MAX_CALL_DEPTH - 1]);
	CHECK_EQ(imp_call_begin(bob, &call[IMP_MAX_CALL_DEPTH - 1]), 0);
	CHECK_THREAD_IS(0, &own);

	for (int i = IMP_MAX_CALL_DEPTH - 1; i >= 0; i--) {
		CHECK_EQ(imp_call_end(call[i]), 0);
		imp_call_unref(call[i]);
	}
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_EQ(token_refs(alice), 1);
	CHECK_EQ(token_refs(bob), 1);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC F5: ending a frame that is not the innermost is -EBUSY and changes
 * nothing: the inner frame keeps impersonating, the outer call stays
 * active; then both end in order. */
TEST(f5_end_not_innermost_is_ebusy)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	imp_call *outer, *inner;
	struct kcreds own, outer_state, inner_state;

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(alice, &outer), 0);
	CHECK_EQ(imp_call_impersonate(outer), 0);
	kc_read(0, &outer_state);
	CHECK_EQ(imp_call_begin(bob, &inner), 0);
	CHECK_EQ(imp_call_impersonate(inner), 0);
	kc_read(0, &inner_state);

	CHECK_EQ(imp_call_end(outer), -EBUSY);
	CHECK_THREAD_IS(0, &inner_state);
	CHECK(!imp_call_is_complete(outer));
	CHECK(!imp_call_is_complete(inner));
	CHECK_EQ(imp_call_impersonate(outer), 0); /* still usable */
	CHECK_IMPERSONATING(&own, 0, alice);
	CHECK_EQ(imp_call_impersonate(inner), 0);

	CHECK_EQ(imp_call_end(inner), 0);
	CHECK_THREAD_IS(0, &outer_state);
	CHECK_EQ(imp_call_end(outer), 0);
	CHECK_THREAD_IS(0, &own);
	imp_call_unref(inner);
	imp_call_unref(outer);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC F5 (F4): a call can only be ended on the thread that began it:
 * -EXDEV elsewhere, with nothing changed on either thread. */
TEST(f5_end_from_another_thread_is_exdev)
{
	own_identity_setup();
	struct worker *w = worker_start();
	struct worker *fresh = worker_start(); /* never used the library */
	imp_token *alice = user_token("alice", 0);
	imp_call *call;
	struct kcreds own, w_own, during;

	kc_read(0, &own);
	kc_read(worker_tid(w), &w_own);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_EQ(imp_call_impersonate(call), 0);
	CHECK_EQ(worker_run(w, w_call_impersonate, call), 0);
	kc_read(0, &during);

	CHECK_EQ(worker_run(fresh, w_call_end, call), -EXDEV);
	CHECK_EQ(worker_run(w, w_call_end, call), -EXDEV);
	CHECK_THREAD_IS(0, &during);
	CHECK_IMPERSONATING(&w_own, worker_tid(w), alice);
	CHECK(!imp_call_is_complete(call));

	CHECK_EQ(imp_call_end(call), 0);
	CHECK_THREAD_IS(0, &own);
	CHECK_EQ(worker_run(w, w_revert, NULL), 0);
	CHECK_THREAD_IS(worker_tid(w), &w_own);
	worker_stop(fresh);
	worker_stop(w);
	imp_call_unref(call);
	imp_token_unref(alice);
}

/* SPEC F5: a call ended twice is -ESTALE (and changes nothing); something
 * that is not a call is -EINVAL. */
TEST(f5_end_twice_and_bad_calls)
{
	own_identity_setup();
	imp_token *alice = user_token("alice", 0), *bob = user_token("bob", 0);
	imp_call *call;
	struct kcreds own;
	char junk[64] = {0};

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	CHECK_EQ(imp_call_end(call), 0);
	CHECK_EQ(imp_impersonate(bob), 0);
	CHECK_EQ(imp_call_end(call), -ESTALE);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_EQ(imp_call_end(NULL), -EINVAL);
	CHECK_EQ(imp_call_end((imp_call *)junk), -EINVAL);
	CHECK_EQ(imp_call_impersonate(NULL), -EINVAL);
	CHECK_EQ(imp_call_impersonate((imp_call *)junk), -EINVAL);
	CHECK_EQ(imp_call_begin((imp_token *)junk, &call), -EINVAL);
	CHECK_IMPERSONATING(&own, 0, bob);
	CHECK_EQ(imp_revert(), 0);
	imp_call_unref(call);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

static jmp_buf jump_out;

static void impersonate_in_a_call_and_jump(imp_token *tok, imp_call **call)
{
	CHECK_EQ(imp_call_begin(tok, call), 0);
	CHECK_EQ(imp_call_impersonate(*call), 0);
	longjmp(jump_out, 1);
}

/* F2 F5, documented in imp_call_begin(3): longjmp() out of a call frame does
 * not end it -- the library cannot see the jump.  The thread keeps
 * impersonating in the inner frame, imp_call_current() still gives the
 * call, the outer state is untouched underneath; imp_call_end() from the
 * landing point ends it and restores the outer state exactly. */
TEST(f2_longjmp_out_of_a_call_frame_leaves_it_open)
{
	own_identity_setup();
	for (int m = 0; m < 2; m++) {
		imp_token *alice = user_token("alice", modes[m]), *bob = user_token("bob", modes[m]);
		imp_call *volatile call = NULL;
		imp_call *cur;
		struct kcreds own;
		kc_read(0, &own);
		CHECK_EQ(imp_impersonate(bob), 0); /* the outer state to come back to */
		if (setjmp(jump_out) == 0)
			impersonate_in_a_call_and_jump(alice, (imp_call **)&call);
		CHECK_EQ(imp_is_impersonating(), 1);
		CHECK_IMPERSONATING(&own, 0, alice);
		CHECK_EQ(imp_call_current(&cur), 0);
		CHECK(cur == call);
		imp_call_unref(cur);
		CHECK_EQ(imp_call_end(call), 0);
		CHECK_IMPERSONATING(&own, 0, bob);
		CHECK_EQ(imp_call_current(&cur), -ENOENT);
		CHECK_EQ(imp_revert(), 0);
		CHECK_THREAD_IS(0, &own);
		imp_call_unref(call);
		imp_token_unref(alice);
		imp_token_unref(bob);
	}
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
