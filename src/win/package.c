/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one security package, and the buffers handed to callers (SPEC S5).
 *
 * Seed 000: RevertSecurityContext "is implemented only on platforms and with
 * security packages for which a call to the QuerySecurityPackageInfo
 * function indicates impersonation support".  So the flag is not a constant:
 * it is what imp_query_support() finds for the calling thread now
 * (CAP_SETUID and CAP_SETGID, no libpsx).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "win.h"

#define COMMENT_OK "Per-thread impersonation of identities established by PAM"

#define UNAVAILABLE "impersonation unavailable: "
#define COMMENT_MAX (sizeof(UNAVAILABLE) + sizeof(((struct imp_support *)0)->reason))
#define STRINGS_SIZE (sizeof(IMP_SSP_NAME_A) + COMMENT_MAX)

/* Fill @info, its strings in @strings (STRINGS_SIZE bytes). */
static void describe(SecPkgInfoA *info, char *strings)
{
	struct imp_support sup = {.can_impersonate = false};
	if (imp_query_support(&sup) < 0)
		snprintf(sup.reason, sizeof(sup.reason), "cannot read the thread's capabilities");

	char *name = strings, *comment = strings + sizeof(IMP_SSP_NAME_A);
	memcpy(name, IMP_SSP_NAME_A, sizeof(IMP_SSP_NAME_A));
	if (sup.can_impersonate)
		snprintf(comment, COMMENT_MAX, "%s", COMMENT_OK);
	else
		snprintf(comment, COMMENT_MAX, UNAVAILABLE "%s", sup.reason);
	*info = (SecPkgInfoA){
		.fCapabilities = sup.can_impersonate ? SECPKG_FLAG_IMPERSONATION : 0,
		.wVersion = 1,
		.wRPCID = SECPKG_ID_NONE,
		.cbMaxToken = 0, /* nothing goes on the wire */
		.Name = name,
		.Comment = comment,
	};
}

/* One allocation: FreeContextBuffer() is a plain free(). */
static SecPkgInfoA *package_new(void)
{
	SecPkgInfoA *info = malloc(sizeof(*info) + STRINGS_SIZE);
	if (info)
		describe(info, (char *)(info + 1));
	return info;
}

WIN_PUBLIC SECURITY_STATUS QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName, PSecPkgInfoA *ppPackageInfo)
{
	if (!ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	if (!pszPackageName || strcasecmp(pszPackageName, IMP_SSP_NAME_A) != 0)
		return SEC_E_SECPKG_NOT_FOUND;
	SecPkgInfoA *info = package_new();
	if (!info)
		return SEC_E_INSUFFICIENT_MEMORY;
	*ppPackageInfo = info;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS EnumerateSecurityPackagesA(ULONG *pcPackages, PSecPkgInfoA *ppPackageInfo)
{
	if (!pcPackages || !ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	SecPkgInfoA *info = package_new();
	if (!info)
		return SEC_E_INSUFFICIENT_MEMORY;
	*pcPackages = 1;
	*ppPackageInfo = info;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS FreeContextBuffer(void *pvContextBuffer)
{
	free(pvContextBuffer);
	return SEC_E_OK;
}
