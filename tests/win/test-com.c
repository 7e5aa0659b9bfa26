/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * COM conformance: SPEC C1-C6 and every sentence of seed 002
 * (IServerSecurity::RevertToSelf), checked against what the kernel reports
 * for the calling thread and other threads.  Each quoted seed sentence is
 * found by check-seed-coverage.py.
 */
#include <sys/fsuid.h>
#include <unistd.h>

#include "impersonate/com.h"
#include "wintest.h"

#define Impersonate(p) (p)->lpVtbl->ImpersonateClient(p)
#define Revert(p) (p)->lpVtbl->RevertToSelf(p)
#define IsImp(p) (p)->lpVtbl->IsImpersonating(p)
#define Release(p) (p)->lpVtbl->Release(p)

static IServerSecurity *begin(imp_token *client)
{
	IServerSecurity *call = NULL;
	CHECK_EQ(ImpCoCallBegin(client, &call), S_OK);
	CHECK(call != NULL);
	return call;
}

static IServerSecurity *call_context(void)
{
	IServerSecurity *sec = NULL;
	CHECK_EQ(CoGetCallContext(&IID_IServerSecurity, (void **)&sec), S_OK);
	return sec;
}

/* Steps run on a worker thread. */
static long w_impersonate(void *p)
{
	return Impersonate((IServerSecurity *)p);
}

static long w_revert(void *p)
{
	return Revert((IServerSecurity *)p);
}

static long w_is_impersonating(void *p)
{
	return IsImp((IServerSecurity *)p);
}

/* ---- C1: CoGetCallContext ---------------------------------------------------- */

/* SPEC C1, F1: inside a call CoGetCallContext gives that call's object,
 * AddRef'd (the same object each time, for IID_IUnknown too), and the thread
 * still runs as itself until ImpersonateClient. */
TEST(c1_call_context_inside_call)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	IServerSecurity *call = begin(alice);
	EXPECT_SAME(0, &own);
	IServerSecurity *sec = call_context();
	CHECK(sec == call);
	CHECK_EQ(sec->lpVtbl->AddRef(sec), 3); /* dispatcher, sec, this one */
	CHECK_EQ(Release(sec), 2);
	void *unk = NULL;
	CHECK_EQ(CoGetCallContext(&IID_IUnknown, &unk), S_OK);
	CHECK(unk == (void *)call);
	Release((IServerSecurity *)unk);
	void *again = NULL;
	CHECK_EQ(sec->lpVtbl->QueryInterface(sec, &IID_IServerSecurity, &again), S_OK);
	CHECK(again == (void *)sec);
	Release((IServerSecurity *)again);
	CHECK_EQ(IsImp(sec), FALSE);
	Release(sec);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

/* SPEC C1: outside any call (before, and after the call ended)
 * CoGetCallContext returns RPC_E_CALL_COMPLETE (0x80010117) and NULL. */
TEST(c1_outside_call_is_call_complete)
{
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	void *p = (void *)0x1;

	CHECK_EQ(CoGetCallContext(&IID_IServerSecurity, &p), RPC_E_CALL_COMPLETE);
	CHECK_EQ((uint32_t)RPC_E_CALL_COMPLETE, 0x80010117u);
	CHECK(p == NULL);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	p = (void *)0x1;
	CHECK_EQ(CoGetCallContext(&IID_IServerSecurity, &p), RPC_E_CALL_COMPLETE);
	CHECK(p == NULL);
	CHECK_EQ(CoGetCallContext(&IID_IServerSecurity, NULL), E_INVALIDARG);
	imp_token_unref(alice);
}

/* SPEC C1: an unknown IID is E_NOINTERFACE (0x80004002), from CoGetCallContext
 * and from QueryInterface, with a NULL result. */
TEST(c1_unknown_iid_is_no_interface)
{
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	const IID other = {0x0000013D, 0, 0, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}}; /* IClientSecurity */
	void *p = (void *)0x1;

	IServerSecurity *call = begin(alice);
	CHECK_EQ(CoGetCallContext(&other, &p), E_NOINTERFACE);
	CHECK_EQ((uint32_t)E_NOINTERFACE, 0x80004002u);
	CHECK(p == NULL);
	p = (void *)0x1;
	CHECK_EQ(call->lpVtbl->QueryInterface(call, &other, &p), E_NOINTERFACE);
	CHECK(p == NULL);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	imp_token_unref(alice);
}

/* SPEC C1, F1: a call begun natively with imp_call_begin() is a COM call:
 * CoGetCallContext, ImpersonateClient, and imp_call_end()'s auto-revert. */
TEST(c1_native_call_is_a_com_call)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	imp_call *call;

	kc_read(0, &own);
	CHECK_EQ(imp_call_begin(alice, &call), 0);
	IServerSecurity *sec = call_context();
	IServerSecurity *same = call_context();
	CHECK(sec == same);
	Release(same);
	CHECK_EQ(Impersonate(sec), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(imp_call_end(call), 0);
	EXPECT_SAME(0, &own);
	CHECK_EQ(IsImp(sec), FALSE);
	Release(sec);
	imp_call_unref(call);
	imp_token_unref(alice);
}

/* SPEC C1: QueryBlanket describes the client; pPrivs is its user name. */
TEST(c1_query_blanket)
{
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, IMP_LEVEL_IDENTIFY);
	DWORD authn = 1, authz = 1, level = 1, imp = 0, caps = 1;
	OLECHAR *princ = (OLECHAR *)0x1;
	void *privs = NULL;

	IServerSecurity *call = begin(alice);
	CHECK_EQ(call->lpVtbl->QueryBlanket(call, &authn, &authz, &princ, &level, &imp, &privs, &caps), S_OK);
	CHECK_EQ(authn, RPC_C_AUTHN_DEFAULT);
	CHECK_EQ(authz, RPC_C_AUTHZ_NONE);
	CHECK(princ == NULL);
	CHECK_EQ(level, RPC_C_AUTHN_LEVEL_DEFAULT);
	CHECK_EQ(imp, RPC_C_IMP_LEVEL_IMPERSONATE);
	CHECK_STREQ((const char *)privs, "alice");
	CHECK_EQ(caps, EOAC_NONE);
	CHECK_EQ(call->lpVtbl->QueryBlanket(call, NULL, NULL, NULL, NULL, NULL, NULL, NULL), S_OK);
	IServerSecurity *inner = begin(bob);
	CHECK_EQ(inner->lpVtbl->QueryBlanket(inner, NULL, NULL, NULL, NULL, &imp, &privs, NULL), S_OK);
	CHECK_EQ(imp, RPC_C_IMP_LEVEL_IDENTIFY);
	CHECK_STREQ((const char *)privs, "bob");
	CHECK_EQ(ImpCoCallEnd(inner), S_OK);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* ---- C2: return values ----------------------------------------------------- */

/* SPEC C2: ImpersonateClient is S_OK or E_FAIL (0x80004005: identify-level
 * client, nothing changed); RevertToSelf is S_OK; IsImpersonating answers for
 * the calling thread only.
 * SEED 002: "If the method succeeds, the return value is S_OK." */
TEST(c2_status_values_and_calling_thread_only)
{
	struct kcreds own, wown;
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *carol = wt_token(60003, 60003, IMP_LEVEL_IDENTIFY);

	kc_read(0, &own);
	kc_read(worker_tid(w), &wown);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(Impersonate(call), S_OK);
	CHECK_EQ((uint32_t)S_OK, 0u);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(IsImp(call), TRUE);
	CHECK_EQ(worker_run(w, w_is_impersonating, call), FALSE);
	EXPECT_SAME(worker_tid(w), &wown);

	IServerSecurity *inner = begin(carol);
	CHECK_EQ(Impersonate(inner), E_FAIL);
	CHECK_EQ((uint32_t)E_FAIL, 0x80004005u);
	EXPECT_SAME(0, &own);
	CHECK_EQ(Revert(inner), S_OK);
	CHECK_EQ(ImpCoCallEnd(inner), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);

	CHECK_EQ(Revert(call), S_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(IsImp(call), FALSE);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	EXPECT_SAME(worker_tid(w), &wown);
	worker_stop(w);
	imp_token_unref(alice);
	imp_token_unref(carol);
}

/* ---- C3: saved at the first ImpersonateClient, one revert ---------------- */

struct series {
	IServerSecurity *a, *b;
	struct kcreds before;
	gid_t groups[2];
};

/* On the worker: distinctive own credentials, then A, B, A, then one
 * RevertToSelf through B. */
static long w_series(void *p)
{
	struct series *s = p;
	wt_make_distinctive(s->groups, 2);
	kc_read(0, &s->before);
	CHECK_EQ(Impersonate(s->a), S_OK);
	EXPECT_CLIENT(0, &s->before, ALICE, ALICE);
	CHECK_EQ(Impersonate(s->b), S_OK);
	EXPECT_CLIENT(0, &s->before, BOB, BOB);
	CHECK_EQ(Impersonate(s->a), S_OK);
	EXPECT_CLIENT(0, &s->before, ALICE, ALICE);
	CHECK_EQ(IsImp(s->b), TRUE);
	CHECK_EQ(Revert(s->b), S_OK);
	EXPECT_SAME(0, &s->before);
	return IsImp(s->a);
}

/* SPEC C3, T2, T3, T4: a pool thread impersonates through the objects of two
 * different calls; one RevertToSelf restores exactly what the thread had at
 * its first ImpersonateClient (its own distinctive groups and capabilities),
 * and IsImpersonating is then FALSE.  The dispatch thread is untouched.
 * SEED 002: "Restores the authentication information of a thread to what it
 * was before impersonation began."
 * SEED 002: "RevertToSelf restores the authentication information on a thread
 * to the authentication information on the thread before impersonation
 * began."
 * SEED 002: "When ImpersonateClient is called on a thread that is not
 * currently impersonating, COM saves the token currently on the thread."
 * SEED 002: "A subsequent call to RevertToSelf restores the saved token, and
 * IsImpersonating will then return FALSE."
 * SEED 002: "This means that if a series of impersonation calls are made
 * using different IServerSecurity objects, RevertToSelf will restore the
 * token that was on the thread when the first call to ImpersonateClient was
 * made." */
TEST(c3_revert_restores_token_of_first_impersonate_client)
{
	struct kcreds own;
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);
	struct series s = {.groups = {4242, 4343}};

	kc_read(0, &own);
	s.a = begin(alice);
	s.b = begin(bob); /* nested: both calls are active */
	CHECK(s.a != s.b);
	CHECK_EQ(worker_run(w, w_series, &s), FALSE);
	EXPECT_SAME(worker_tid(w), &s.before);
	CHECK_EQ(s.before.ngroups, 2);
	CHECK(kc_has_group(&s.before, 4242));
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpCoCallEnd(s.b), S_OK);
	CHECK_EQ(ImpCoCallEnd(s.a), S_OK);
	worker_stop(w);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* SPEC C3, T4, T5: ten ImpersonateClient calls through two objects, one
 * RevertToSelf; a second one is S_OK and changes nothing.
 * SEED 002: "Also, only one RevertToSelf call is needed to undo any number of
 * ImpersonateClient calls." */
TEST(c3_one_revert_undoes_any_number)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *a = begin(alice);
	IServerSecurity *b = begin(bob); /* nested: both calls are active */
	for (int i = 0; i < 10; i++)
		CHECK_EQ(Impersonate(i % 2 ? a : b), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE); /* the last one was a */
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(Revert(b), S_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(IsImp(a), FALSE);
	CHECK_EQ(IsImp(b), FALSE);
	CHECK_EQ(Revert(a), S_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpCoCallEnd(b), S_OK);
	CHECK_EQ(ImpCoCallEnd(a), S_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	imp_token_unref(bob);
	sibling_stop(s);
}

/* ---- C4: calls: auto-revert, nesting, threads ------------------------------ */

/* SPEC C4, F2: the method never reverts; ending the call does, and the
 * thread is exactly as before.
 * SEED 002: "If the server does not call RevertToSelf before the end of the
 * current call, it will be called automatically by COM." */
TEST(c4_auto_revert_at_end_of_call)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(CoImpersonateClient(), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_token_unref(alice);
	sibling_stop(s);
}

enum inner_end { INNER_REVERT, INNER_CO_REVERT, INNER_NOTHING };

/* Outer call impersonating alice; nested call for bob impersonates and ends
 * as @how says; the outer call finds alice again. */
static void nested(enum inner_end how)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *outer = begin(alice);
	CHECK_EQ(Impersonate(outer), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);

	IServerSecurity *inner = begin(bob);
	EXPECT_SAME(0, &own); /* F3: the nested call starts as the thread itself */
	IServerSecurity *ctx = call_context();
	CHECK(ctx == inner);
	Release(ctx);
	CHECK_EQ(CoImpersonateClient(), S_OK);
	EXPECT_CLIENT(0, &own, BOB, BOB);
	if (how == INNER_REVERT)
		CHECK_EQ(Revert(inner), S_OK);
	else if (how == INNER_CO_REVERT)
		CHECK_EQ(CoRevertToSelf(), S_OK);
	if (how != INNER_NOTHING) {
		EXPECT_SAME(0, &own); /* the inner revert reverts the inner call only */
		CHECK_EQ(IsImp(inner), FALSE);
	}
	CHECK_EQ(ImpCoCallEnd(inner), S_OK);

	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(IsImp(outer), TRUE);
	ctx = call_context();
	CHECK(ctx == outer);
	Release(ctx);
	CHECK_EQ(ImpCoCallEnd(outer), S_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	imp_token_unref(bob);
	sibling_stop(s);
}

/* SPEC C4, F3: the nested call reverts with RevertToSelf; the outer call's
 * impersonation is restored when it returns.
 * SEED 002: "RevertToSelf affects only the current method invocation." */
TEST(c4_nested_invocation_revert_to_self)
{
	nested(INNER_REVERT);
}

/* SPEC C4, F3: the same with CoRevertToSelf, and with no revert at all.
 * SEED 002: "If there are nested method invocations, each invocation can have
 * its own impersonation token and DCOM will correctly restore the
 * impersonation token before returning to them (regardless of whether
 * CoRevertToSelf or RevertToSelf was called)." */
TEST(c4_nested_invocation_co_revert_to_self)
{
	nested(INNER_CO_REVERT);
}

TEST(c4_nested_invocation_without_revert)
{
	nested(INNER_NOTHING);
}

/* SPEC C4, F4: a pool thread uses the dispatch thread's object until the
 * call completes; after that ImpersonateClient is E_FAIL with nothing
 * changed, the pool thread keeps the identity it had (the end of the call
 * reverts only the dispatch thread), and RevertToSelf still works.
 * SEED 002: "It is important to understand that an instance of
 * IServerSecurity is valid on any thread in the apartment until the call
 * represented by IServerSecurity completes." */
TEST(c4_instance_valid_on_any_thread_until_call_completes)
{
	struct kcreds own, wown;
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	kc_read(worker_tid(w), &wown);
	IServerSecurity *call = begin(alice);
	IServerSecurity *sec = call_context(); /* the pool thread's reference */
	CHECK_EQ(worker_run(w, w_impersonate, sec), S_OK);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	EXPECT_SAME(0, &own);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	CHECK_EQ(worker_run(w, w_revert, sec), S_OK);
	EXPECT_SAME(worker_tid(w), &wown);
	CHECK_EQ(worker_run(w, w_impersonate, sec), E_FAIL);
	EXPECT_SAME(worker_tid(w), &wown);
	CHECK_EQ(Impersonate(sec), E_FAIL);
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpCoCallEnd(sec), RPC_E_CALL_COMPLETE);
	Release(sec);
	worker_stop(w);
	imp_token_unref(alice);
}

/* SPEC C4, T1, F4: the dispatch thread and a pool thread both impersonate
 * through one object; each RevertToSelf reverts its own thread only, and an
 * idle sibling never changes.
 * SEED 002: "However, impersonation is local to a particular thread for the
 * duration of the current call on that thread."
 * SEED 002: "Therefore, if two threads in the same apartment use the same
 * IServerSecurity instance to call ImpersonateClient, one thread can call
 * RevertToSelf without affecting the other." */
TEST(c4_two_threads_one_instance)
{
	struct kcreds own, wown, sib;
	struct sibling *s = sibling_start();
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	kc_read(worker_tid(w), &wown);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(Impersonate(call), S_OK);
	CHECK_EQ(worker_run(w, w_impersonate, call), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);

	CHECK_EQ(worker_run(w, w_revert, call), S_OK); /* the pool thread reverts */
	EXPECT_SAME(worker_tid(w), &wown);
	EXPECT_CLIENT(0, &own, ALICE, ALICE); /* the dispatch thread does not */
	CHECK_EQ(IsImp(call), TRUE);
	CHECK_EQ(worker_run(w, w_is_impersonating, call), FALSE);

	CHECK_EQ(worker_run(w, w_impersonate, call), S_OK);
	CHECK_EQ(Revert(call), S_OK); /* and the other way round */
	EXPECT_SAME(0, &own);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	CHECK_EQ(IsImp(call), FALSE);
	CHECK_EQ(worker_run(w, w_is_impersonating, call), TRUE);
	CHECK_EQ(worker_run(w, w_revert, call), S_OK);
	EXPECT_SAME(worker_tid(w), &wown);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	worker_stop(w);
	imp_token_unref(alice);
	sibling_stop(s);
}

static long w_end(void *p)
{
	return ImpCoCallEnd(p);
}

/* SPEC C4, F5: ImpCoCallEnd checks what it is given: not one of our objects
 * (E_INVALIDARG, 0x80070057), another thread's call (RPC_E_WRONG_THREAD),
 * an outer call while a nested one is active (E_FAIL); each changes nothing
 * and keeps the reference. */
TEST(c4_call_end_misuse)
{
	struct kcreds own;
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);
	IServerSecurity fake = {NULL};

	kc_read(0, &own);
	IServerSecurity *outer = begin(alice);
	CHECK_EQ(Impersonate(outer), S_OK);
	IServerSecurity *inner = begin(bob);
	CHECK_EQ(Impersonate(inner), S_OK);
	CHECK_EQ(ImpCoCallEnd(NULL), E_INVALIDARG);
	CHECK_EQ((uint32_t)E_INVALIDARG, 0x80070057u);
	CHECK_EQ(ImpCoCallEnd(&fake), E_INVALIDARG);
	CHECK_EQ(ImpCoCallEnd(outer), E_FAIL);
	CHECK_EQ(worker_run(w, w_end, inner), RPC_E_WRONG_THREAD);
	CHECK_EQ((uint32_t)RPC_E_WRONG_THREAD, 0x8001010Eu);
	EXPECT_CLIENT(0, &own, BOB, BOB);
	CHECK_EQ(ImpCoCallEnd(inner), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(ImpCoCallEnd(outer), S_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpCoCallBegin(NULL, &outer), E_INVALIDARG);
	worker_stop(w);
	imp_token_unref(alice);
	imp_token_unref(bob);
}

/* ---- C5: Co* functions ------------------------------------------------------- */

/* SPEC C5: inside a call CoImpersonateClient/CoRevertToSelf act as the
 * methods of CoGetCallContext's object. */
TEST(c5_co_functions_inside_call)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(CoImpersonateClient(), S_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(IsImp(call), TRUE);
	CHECK_EQ(CoRevertToSelf(), S_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(CoRevertToSelf(), S_OK);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC C5: outside a call both return CoGetCallContext's error,
 * RPC_E_CALL_COMPLETE, and change nothing, even on an impersonating thread. */
TEST(c5_co_functions_outside_call)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	CHECK_EQ(CoImpersonateClient(), RPC_E_CALL_COMPLETE);
	CHECK_EQ(CoRevertToSelf(), RPC_E_CALL_COMPLETE);
	EXPECT_SAME(0, &own);
	CHECK_EQ(imp_impersonate(alice), 0);
	CHECK_EQ(CoRevertToSelf(), RPC_E_CALL_COMPLETE);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(imp_revert(), 0);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

/* ---- C6: changes by other means ---------------------------------------------- */

/* SPEC C6, T9: after ImpersonateClient the thread's fsuid is changed with a
 * raw syscall (our SetThreadToken); RevertToSelf restores the saved
 * credentials all the same and reports it with E_FAIL; the automatic revert
 * at the end of the call does the same and ImpCoCallEnd reports S_FALSE.
 * SEED 002: "If the thread token is modified by other means (through the
 * SetThreadToken or RpcImpersonateClient functions) the result of this
 * function is undefined."
 * SEED 002: "Otherwise, it is E_FAIL." */
TEST(c6_changed_by_other_means_restored_and_reported)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	IServerSecurity *call = begin(alice);
	CHECK_EQ(Impersonate(call), S_OK);
	wt_tamper_fsuid(0);
	CHECK_EQ(Revert(call), E_FAIL);
	EXPECT_SAME(0, &own);
	CHECK_EQ(IsImp(call), FALSE);
	CHECK_EQ(Impersonate(call), S_OK); /* and usable again */
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	wt_tamper_fsuid(0);
	CHECK_EQ(ImpCoCallEnd(call), S_FALSE);
	CHECK_EQ((uint32_t)S_FALSE, 1u);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC C6: RevertToSelf reverts only what impersonation did: credentials the
 * thread set for itself by other means while not impersonating are left
 * alone, and restored exactly after an impersonation.
 * SEED 002: "This method will only revert impersonation changes made by
 * ImpersonateClient." */
TEST(c6_revert_only_undoes_impersonation)
{
	struct kcreds own, mine;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	gid_t groups[] = {4242, 4343};

	kc_read(0, &own);
	IServerSecurity *call = begin(alice);
	wt_make_distinctive(groups, 2); /* by other means, not impersonating */
	kc_read(0, &mine);
	CHECK(!kc_equal(&own, &mine));
	CHECK_EQ(Revert(call), S_OK);
	EXPECT_SAME(0, &mine);
	CHECK_EQ(Impersonate(call), S_OK);
	EXPECT_CLIENT(0, &mine, ALICE, ALICE);
	CHECK_EQ(Revert(call), S_OK);
	EXPECT_SAME(0, &mine);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	EXPECT_SAME(0, &mine);
	imp_token_unref(alice);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
