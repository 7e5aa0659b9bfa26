/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC S5, X4: in a process where libpsx is active (linked in, so libcap's
 * capability changes would be process-wide) the package reports no
 * impersonation and ImpersonateSecurityContext refuses.  A separate
 * executable: a libpsx merely dlopen()ed later cannot take over libcap and
 * changes nothing (tests/process/test-psx-late.c).
 */
#include <sys/psx_syscall.h>

#include "impersonate/sspi.h"
#include "wintest.h"

/* Referenced so that --as-needed keeps libpsx in the executable. */
long int (*volatile keep_psx)(long int, long int, long int, long int) = psx_syscall3;

/* SPEC S5, X4: with libpsx active (capability changes would become
 * process-wide) the flag is gone and ImpersonateSecurityContext returns
 * SEC_E_UNSUPPORTED_FUNCTION (0x80090302), nothing changed. */
TEST(s5_no_flag_and_unsupported_with_psx)
{
	struct kcreds own, sib;
	struct sibling *s = sibling_start();
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle h;
	PSecPkgInfoA info;

	CHECK_EQ(ImpAcceptSecurityContextFromToken(alice, 0, &h, NULL), SEC_E_OK);
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(QuerySecurityPackageInfoA((SEC_CHAR *)IMP_SSP_NAME_A, &info), SEC_E_OK);
	CHECK_EQ(info->fCapabilities & SECPKG_FLAG_IMPERSONATION, 0);
	CHECK(strstr(info->Comment, "libpsx") != NULL);
	FreeContextBuffer(info);
	CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ((uint32_t)SEC_E_UNSUPPORTED_FUNCTION, 0x80090302u);
	EXPECT_SAME(0, &own);
	EXPECT_SAME(sibling_tid(s), &sib);
	imp_token_unref(alice);
	sibling_stop(s);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
