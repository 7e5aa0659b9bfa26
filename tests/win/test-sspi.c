/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SSPI conformance: SPEC S1-S7 and every sentence of seed 000
 * (RevertSecurityContext), checked against what the kernel reports for the
 * calling thread and for a sibling thread.  Each quoted seed sentence is
 * found by check-seed-coverage.py.
 */
#include <stddef.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "impersonate/sspi.h"
#include "wintest.h"

/* A context for @tok (accepted directly). */
static CtxtHandle accept_tok(imp_token *tok, ULONG req)
{
	CtxtHandle h;
	CHECK_EQ(ImpAcceptSecurityContextFromToken(tok, req, &h, NULL), SEC_E_OK);
	return h;
}

/* ---- S1: the accept step --------------------------------------------------- */

/* SPEC S1: a context from a PAM handle on which the module registered a
 * token (here registered by hand exactly as pam_impersonate does); it keeps
 * working after pam_end().
 * SEED 000: "This handle must have been obtained in the call to the
 * AcceptSecurityContext (General) function and used in the call to the
 * ImpersonateSecurityContext function." */
TEST(s1_accept_from_pam_handle)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	pam_handle_t *pamh = wt_pam_start("alice", alice);
	CtxtHandle h;
	ULONG attr = 0xdead;

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpAcceptSecurityContextFromPam(pamh, 0, &h, &attr), SEC_E_OK);
	CHECK_EQ(attr, 0);
	wt_pam_end(pamh);
	imp_token_unref(alice); /* the context holds its own reference */

	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	sibling_stop(s);
}

/* SPEC S1: no token on the PAM handle (the module did not run, or refused):
 * SEC_E_NO_CREDENTIALS, the out-parameters untouched; NULL pointers are
 * SEC_E_INVALID_HANDLE. */
TEST(s1_accept_from_pam_without_token)
{
	pam_handle_t *pamh = wt_pam_start("alice", NULL);
	CtxtHandle h = {0x1234, 0x5678};
	ULONG attr = 0xdead;

	CHECK_EQ(ImpAcceptSecurityContextFromPam(pamh, 0, &h, &attr), SEC_E_NO_CREDENTIALS);
	CHECK_EQ((uint32_t)SEC_E_NO_CREDENTIALS, 0x8009030Eu);
	CHECK_EQ(h.dwLower, 0x1234);
	CHECK_EQ(h.dwUpper, 0x5678);
	CHECK_EQ(attr, 0xdead);
	CHECK_EQ(ImpAcceptSecurityContextFromPam(NULL, 0, &h, NULL), SEC_E_INVALID_HANDLE);
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CHECK_EQ(imp_pam_register(pamh, alice), 0);
	CHECK_EQ(ImpAcceptSecurityContextFromPam(pamh, 0, NULL, NULL), SEC_E_INVALID_HANDLE);
	wt_pam_end(pamh);
	imp_token_unref(alice);
}

/* SPEC S1, K4: a context from a token directly; NULL is SEC_E_INVALID_TOKEN,
 * a revoked token (closed session) SEC_E_CONTEXT_EXPIRED; revoking after the
 * accept makes ImpersonateSecurityContext fail the same way, nothing
 * changed. */
TEST(s1_accept_from_token)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);
	CtxtHandle h, hb;

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpAcceptSecurityContextFromToken(NULL, 0, &h, NULL), SEC_E_INVALID_TOKEN);
	CHECK_EQ((uint32_t)SEC_E_INVALID_TOKEN, 0x80090308u);
	h = accept_tok(alice, 0);
	hb = accept_tok(bob, 0);
	imp_token_revoke(bob);
	CHECK_EQ(ImpAcceptSecurityContextFromToken(bob, 0, &h, NULL), SEC_E_CONTEXT_EXPIRED);
	CHECK_EQ((uint32_t)SEC_E_CONTEXT_EXPIRED, 0x80090317u);
	CHECK_EQ(ImpersonateSecurityContext(&hb), SEC_E_CONTEXT_EXPIRED);
	EXPECT_SAME(0, &own);

	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(ImpersonateSecurityContext(&hb), SEC_E_CONTEXT_EXPIRED); /* T6: still alice */
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(DeleteSecurityContext(&hb), SEC_E_OK);
	imp_token_unref(alice);
	imp_token_unref(bob);
	sibling_stop(s);
}

/* ---- S2: invalid handles ----------------------------------------------------- */

/* SPEC S2: NULL, zero, SecInvalidateHandle(), never-issued, deleted and
 * mixed-up handles give exactly SEC_E_INVALID_HANDLE (0x80090301) and change
 * nothing, whether or not the thread already impersonates.
 * SEED 000: "SEC_E_INVALID_HANDLE" "The handle passed to the function is not
 * valid." */
TEST(s2_invalid_handles_change_nothing)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, 0);
	CtxtHandle ha = accept_tok(alice, 0), hb = accept_tok(bob, 0), dead = accept_tok(bob, 0);
	CHECK_EQ(DeleteSecurityContext(&dead), SEC_E_OK);

	CtxtHandle bad[] = {
		{0, 0},
		{(ULONG_PTR)-1, (ULONG_PTR)-1},
		dead,
		{ha.dwLower, hb.dwUpper},      /* one handle's index, another's check */
		{ha.dwLower + 1, ha.dwUpper},  /* the next slot, this generation */
		{ha.dwLower ^ (1u << 20), ha.dwUpper}, /* this slot, another generation */
		{(ULONG_PTR)1 << 20 | 0xfffff, ha.dwUpper}, /* a slot never issued */
		{(ULONG_PTR)&ha, (ULONG_PTR)&hb}, /* pointers are not handles */
	};
	SecInvalidateHandle(&bad[1]);
	CHECK(!SecIsValidHandle(&bad[1]));

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ((uint32_t)SEC_E_INVALID_HANDLE, 0x80090301u);
	CHECK_EQ(ImpersonateSecurityContext(NULL), SEC_E_INVALID_HANDLE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(ImpersonateSecurityContext(&bad[i]), SEC_E_INVALID_HANDLE);
		EXPECT_SAME(0, &own);
	}
	CHECK_EQ(ImpersonateSecurityContext(&ha), SEC_E_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(ImpersonateSecurityContext(&bad[i]), SEC_E_INVALID_HANDLE);
		EXPECT_CLIENT(0, &own, ALICE, ALICE);
	}
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&hb), SEC_E_OK);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
	imp_token_unref(bob);
	sibling_stop(s);
}

/* ---- S3: RevertSecurityContext ------------------------------------------- */

/* SPEC S3, T4: revert restores the thread's own credentials exactly.
 * SEED 000: "Allows a security package to discontinue the impersonation of
 * the caller and restore its own security context."
 * SEED 000: "Handle of the security context being impersonated."
 * SEED 000: "If the function succeeds, the return value is SEC_E_OK." */
TEST(s3_revert_restores_own_context)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);
	gid_t mine[] = {4242, 4343};

	wt_make_distinctive(mine, 2); /* "its own" is not just root's defaults */
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	CHECK_EQ((uint32_t)SEC_E_OK, 0u);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC S3, T5: on a thread that is not impersonating, SEC_E_OK and nothing
 * changes (also twice in a row after a revert). */
TEST(s3_revert_when_not_impersonating)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);

	kc_read(0, &own);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

/* SPEC S3: an invalid handle gives SEC_E_INVALID_HANDLE and the thread keeps
 * impersonating; the valid one then reverts.
 * SEED 000: "If the function fails, the return value can be one of the
 * following error codes." */
TEST(s3_revert_with_invalid_handle_keeps_impersonation)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0), stale = accept_tok(alice, 0);
	CtxtHandle never = {h.dwLower + 2, h.dwUpper};
	CHECK_EQ(DeleteSecurityContext(&stale), SEC_E_OK);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(RevertSecurityContext(NULL), SEC_E_INVALID_HANDLE);
	CHECK_EQ(RevertSecurityContext(&stale), SEC_E_INVALID_HANDLE);
	CHECK_EQ(RevertSecurityContext(&never), SEC_E_INVALID_HANDLE);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC S3, T3, T4: impersonating through several contexts replaces the
 * identity; one revert (with any of them) restores the credentials saved at
 * the first impersonation. */
TEST(s3_one_revert_undoes_all)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob = wt_token(BOB, BOB, IMP_MODE_FULL);
	CtxtHandle ha = accept_tok(alice, 0), hb = accept_tok(bob, 0);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpersonateSecurityContext(&ha), SEC_E_OK);
	CHECK_EQ(ImpersonateSecurityContext(&hb), SEC_E_OK);
	struct kcreds k;
	kc_read(0, &k);
	CHECK_EQ(k.uid[1], BOB); /* full mode: effective uid too */
	CHECK_EQ(k.uid[3], BOB);
	CHECK_EQ(k.uid[0], 0);
	CHECK_EQ(ImpersonateSecurityContext(&ha), SEC_E_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&hb), SEC_E_OK);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	imp_token_unref(bob);
	sibling_stop(s);
}

/* SPEC S3, T9: credentials changed behind the library's back are restored
 * all the same; the status reports it (SEC_E_INTERNAL_ERROR, 0x80090304). */
TEST(s3_revert_after_tampering_restores_and_reports)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);

	kc_read(0, &own);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_OK);
	wt_tamper_fsuid(0);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_INTERNAL_ERROR);
	CHECK_EQ((uint32_t)SEC_E_INTERNAL_ERROR, 0x80090304u);
	EXPECT_SAME(0, &own);
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_token_unref(alice);
}

/* ---- S4: DeleteSecurityContext ------------------------------------------- */

/* SPEC S4: after delete every call with the handle is SEC_E_INVALID_HANDLE
 * and changes nothing; a token taken before stays usable. */
TEST(s4_delete_invalidates_handle)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0), copy;
	void *tok = NULL;
	SecPkgContext_NamesA names = {NULL};

	CHECK_EQ(QuerySecurityContextToken(&h, &tok), SEC_E_OK);
	copy = h;
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	kc_read(0, &own);
	CHECK_EQ(ImpersonateSecurityContext(&copy), SEC_E_INVALID_HANDLE);
	CHECK_EQ(RevertSecurityContext(&copy), SEC_E_INVALID_HANDLE);
	CHECK_EQ(QueryContextAttributesA(&copy, SECPKG_ATTR_NAMES, &names), SEC_E_INVALID_HANDLE);
	CHECK(names.sUserName == NULL);
	CHECK_EQ(DeleteSecurityContext(&copy), SEC_E_INVALID_HANDLE);
	EXPECT_SAME(0, &own);

	/* The slot is reused by the next context; the old handle stays dead. */
	CtxtHandle again = accept_tok(alice, 0);
	CHECK_EQ(again.dwLower & 0xfffff, copy.dwLower & 0xfffff);
	CHECK_EQ(ImpersonateSecurityContext(&copy), SEC_E_INVALID_HANDLE);
	EXPECT_SAME(0, &own);
	CHECK_EQ(imp_token_uid((imp_token *)tok), ALICE);
	imp_token_unref((imp_token *)tok);
	imp_token_unref(alice);
}

static long worker_impersonate(void *h)
{
	return ImpersonateSecurityContext(h);
}

static long worker_revert(void *h)
{
	return RevertSecurityContext(h);
}

static long worker_native_revert(void *unused)
{
	return imp_revert();
}

/* SPEC S4, K4: a thread impersonating through a context keeps its identity
 * when another thread deletes the context, until it reverts (with a deleted
 * handle it cannot: SEC_E_INVALID_HANDLE; natively it can). */
TEST(s4_delete_while_impersonating_keeps_identity)
{
	struct kcreds own, wown;
	struct worker *w = worker_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);
	imp_token_unref(alice);

	kc_read(0, &own);
	kc_read(worker_tid(w), &wown);
	CHECK_EQ(worker_run(w, worker_impersonate, &h), SEC_E_OK);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	EXPECT_SAME(0, &own);
	CHECK_EQ(worker_run(w, worker_revert, &h), SEC_E_INVALID_HANDLE);
	EXPECT_CLIENT(worker_tid(w), &wown, ALICE, ALICE);
	CHECK_EQ(worker_run(w, worker_native_revert, NULL), 0);
	EXPECT_SAME(worker_tid(w), &wown);
	EXPECT_SAME(0, &own);
	worker_stop(w);
}

/* ---- S5: package info follows what the process can do -------------------- */

/* SPEC S5: as root (CAP_SETUID, CAP_SETGID, no psx) the package reports
 * SECPKG_FLAG_IMPERSONATION (0x100), and impersonation works.
 * SEED 000: "RevertSecurityContext is not available with all security
 * packages on all platforms." */
TEST(s5_package_reports_impersonation_when_able)
{
	PSecPkgInfoA info = NULL, list = NULL;
	ULONG n = 0;

	CHECK_EQ(QuerySecurityPackageInfoA((SEC_CHAR *)"impersonate", &info), SEC_E_OK);
	CHECK_STREQ(info->Name, IMP_SSP_NAME_A);
	CHECK_EQ(info->fCapabilities, 0x100);
	CHECK_EQ(SECPKG_FLAG_IMPERSONATION, 0x100);
	CHECK_EQ(info->wRPCID, SECPKG_ID_NONE);
	CHECK_EQ(FreeContextBuffer(info), SEC_E_OK);
	CHECK_EQ(EnumerateSecurityPackagesA(&n, &list), SEC_E_OK);
	CHECK_EQ(n, 3);
	CHECK_STREQ(list[2].Name, IMP_SSP_NAME_A);
	CHECK_EQ(list[2].fCapabilities, SECPKG_FLAG_IMPERSONATION);
	for (ULONG i = 0; i < n; i++)
		CHECK(list[i].fCapabilities & SECPKG_FLAG_IMPERSONATION);
	CHECK_EQ(FreeContextBuffer(list), SEC_E_OK);
	info = (PSecPkgInfoA)0x1;
	CHECK_EQ(QuerySecurityPackageInfoA((SEC_CHAR *)"NTLM", &info), SEC_E_SECPKG_NOT_FOUND);
	CHECK_EQ((uint32_t)SEC_E_SECPKG_NOT_FOUND, 0x80090305u);
	CHECK(info == (PSecPkgInfoA)0x1);
	CHECK_EQ(QuerySecurityPackageInfoA(NULL, &info), SEC_E_SECPKG_NOT_FOUND);
	CHECK_EQ(FreeContextBuffer(NULL), SEC_E_OK);
}

static void drop_effective(int cap)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	CHECK_EQ(syscall(SYS_capget, &hdr, data), 0);
	data[cap / 32].effective &= ~(1u << (cap % 32));
	CHECK_EQ(syscall(SYS_capset, &hdr, data), 0);
}

/* SPEC S5: without CAP_SETUID in the effective set the package does not
 * report impersonation (and says why), and ImpersonateSecurityContext returns
 * SEC_E_NO_IMPERSONATION (0x8009030B) with nothing changed.
 * SEED 000: "Typically, it is implemented only on platforms and with security
 * packages for which a call to the QuerySecurityPackageInfo function
 * indicates impersonation support." */
TEST(s5_no_flag_and_no_impersonation_without_privilege)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);
	PSecPkgInfoA info;

	drop_effective(CAP_SETUID); /* this thread only (raw capset) */
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(QuerySecurityPackageInfoA((SEC_CHAR *)IMP_SSP_NAME_A, &info), SEC_E_OK);
	CHECK_EQ(info->fCapabilities & SECPKG_FLAG_IMPERSONATION, 0);
	CHECK(strstr(info->Comment, "CAP_SETUID") != NULL);
	FreeContextBuffer(info);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_NO_IMPERSONATION);
	CHECK_EQ((uint32_t)SEC_E_NO_IMPERSONATION, 0x8009030Bu);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
	sibling_stop(s);
}

/* SPEC S5, X4 with libpsx active: test-sspi-psx.c (linked with libpsx). */

/* ---- S6: identify level --------------------------------------------------- */

/* SPEC S6, K3: a context accepted with ASC_REQ_IDENTIFY, or from an
 * identify-level token, can be queried but not impersonated:
 * SEC_E_NO_IMPERSONATION, and a previous impersonation is left as it was. */
TEST(s6_identify_level_context)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0), *bob_id = wt_token(BOB, BOB, IMP_LEVEL_IDENTIFY);
	CtxtHandle hi, hb, ha = accept_tok(alice, 0);
	ULONG attr = 0;
	SecPkgContext_NamesA names;

	CHECK_EQ(ImpAcceptSecurityContextFromToken(alice, ASC_REQ_IDENTIFY, &hi, &attr), SEC_E_OK);
	CHECK_EQ(attr, ASC_RET_IDENTIFY);
	CHECK_EQ(ImpAcceptSecurityContextFromToken(bob_id, 0, &hb, &attr), SEC_E_OK);
	CHECK_EQ(attr, ASC_RET_IDENTIFY);
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(ImpersonateSecurityContext(&hi), SEC_E_NO_IMPERSONATION);
	CHECK_EQ(ImpersonateSecurityContext(&hb), SEC_E_NO_IMPERSONATION);
	EXPECT_SAME(0, &own);
	CHECK_EQ(QueryContextAttributesA(&hb, SECPKG_ATTR_NAMES, &names), SEC_E_OK);
	CHECK_STREQ(names.sUserName, "bob");
	FreeContextBuffer(names.sUserName);

	CHECK_EQ(ImpersonateSecurityContext(&ha), SEC_E_OK);
	CHECK_EQ(ImpersonateSecurityContext(&hi), SEC_E_NO_IMPERSONATION);
	CHECK_EQ(ImpersonateSecurityContext(&hb), SEC_E_NO_IMPERSONATION);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(RevertSecurityContext(&ha), SEC_E_OK);
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
	imp_token_unref(bob_id);
	sibling_stop(s);
}

/* ---- S7: queries ------------------------------------------------------------ */

/* SPEC S7: SECPKG_ATTR_NAMES gives the user name (freed with
 * FreeContextBuffer), QuerySecurityContextToken the token with a reference
 * of its own; SECPKG_ATTR_PACKAGE_INFO names the package; attributes a
 * PAM-accepted context lacks are SEC_E_UNSUPPORTED_FUNCTION, a NULL buffer
 * SEC_E_INVALID_PARAMETER.  Querying changes no credentials. */
TEST(s7_names_and_token)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);
	SecPkgContext_NamesA names = {NULL};
	void *tok = NULL;

	kc_read(0, &own);
	CHECK_EQ(QueryContextAttributesA(&h, SECPKG_ATTR_NAMES, &names), SEC_E_OK);
	CHECK_STREQ(names.sUserName, "alice");
	CHECK_EQ(FreeContextBuffer(names.sUserName), SEC_E_OK);
	CHECK_EQ(QueryContextAttributesA(&h, 99, &names), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(QueryContextAttributesA(&h, SECPKG_ATTR_SIZES, &names), SEC_E_UNSUPPORTED_FUNCTION);
	SecPkgContext_PackageInfoA pkg = {NULL};
	CHECK_EQ(QueryContextAttributesA(&h, SECPKG_ATTR_PACKAGE_INFO, &pkg), SEC_E_OK);
	CHECK_STREQ(pkg.PackageInfo->Name, IMP_SSP_NAME_A);
	CHECK_EQ(FreeContextBuffer(pkg.PackageInfo), SEC_E_OK);
	CHECK_EQ(QueryContextAttributesA(&h, SECPKG_ATTR_NAMES, NULL), SEC_E_INVALID_PARAMETER);
	CHECK_EQ((uint32_t)SEC_E_INVALID_PARAMETER, 0x8009035Du);
	CHECK_EQ(QuerySecurityContextToken(&h, NULL), SEC_E_INVALID_PARAMETER);
	CHECK_EQ(QuerySecurityContextToken(&h, &tok), SEC_E_OK);
	CHECK(tok == (void *)alice);
	CHECK_EQ(imp_token_uid(tok), ALICE);
	CHECK_EQ(imp_token_gid(tok), ALICE);
	CHECK_STREQ(imp_token_user_name(tok), "alice");
	imp_token_unref(alice);
	CHECK_EQ(DeleteSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(imp_token_uid(tok), ALICE); /* ours still */
	imp_token_unref(tok);
	EXPECT_SAME(0, &own);
}

/* ---- The function table ---------------------------------------------------- */

/* SPEC S1-S7 through InitSecurityInterfaceA(), as WinPR/FreeRDP callers use
 * it: the entries are the functions, no slot is NULL (the reserved ones
 * answer SEC_E_UNSUPPORTED_FUNCTION), and a call through the table really
 * switches the thread. */
TEST(s3_function_table)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	PSecurityFunctionTableA t = InitSecurityInterfaceA();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h = accept_tok(alice, 0);

	CHECK(t != NULL);
	CHECK(t == InitSecurityInterfaceA());
	CHECK_EQ(t->dwVersion, SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION);
	CHECK(t->EnumerateSecurityPackagesA == EnumerateSecurityPackagesA);
	CHECK(t->DeleteSecurityContext == DeleteSecurityContext);
	CHECK(t->QueryContextAttributesA == QueryContextAttributesA);
	CHECK(t->ImpersonateSecurityContext == ImpersonateSecurityContext);
	CHECK(t->RevertSecurityContext == RevertSecurityContext);
	CHECK(t->FreeContextBuffer == FreeContextBuffer);
	CHECK(t->QuerySecurityPackageInfoA == QuerySecurityPackageInfoA);
	CHECK(t->QuerySecurityContextToken == QuerySecurityContextToken);
	CHECK(t->AcceptSecurityContext == AcceptSecurityContext);
	CHECK(t->AcquireCredentialsHandleA == AcquireCredentialsHandleA);
	CHECK(t->MakeSignature == MakeSignature && t->EncryptMessage == EncryptMessage);
	void *const *slot = (void *const *)&t->EnumerateSecurityPackagesA;
	for (size_t i = 0; i < (sizeof(*t) - offsetof(SecurityFunctionTableA, EnumerateSecurityPackagesA)) / sizeof(void *); i++)
		CHECK(slot[i] != NULL);
	CHECK_EQ(((SECURITY_STATUS(*)(void))t->Reserved2)(), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(t->ApplyControlToken(&h, NULL), SEC_E_UNSUPPORTED_FUNCTION);

	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(t->ImpersonateSecurityContext(&h), SEC_E_OK);
	EXPECT_CLIENT(0, &own, ALICE, ALICE);
	EXPECT_SAME(sibling_tid(s), &sib);
	CHECK_EQ(t->RevertSecurityContext(&h), SEC_E_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(t->DeleteSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(t->ImpersonateSecurityContext(&h), SEC_E_INVALID_HANDLE);
	imp_token_unref(alice);
	sibling_stop(s);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
