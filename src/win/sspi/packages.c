/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The package list, and the package descriptions handed to callers (SPEC S5).
 *
 * Seed 000: RevertSecurityContext "is implemented only on platforms and with
 * security packages for which a call to the QuerySecurityPackageInfo
 * function indicates impersonation support".  So the flag is not a constant:
 * it is what imp_query_support() finds for the calling thread now
 * (CAP_SETUID and CAP_SETGID, no libpsx), for every package.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "package.h"

/* Negotiate first: what a caller enumerating packages should pick. */
static const struct sspi_package *const packages[] = {
	&package_negotiate,
	&package_kerberos,
	&package_impersonate,
};
#define NPACKAGES (sizeof(packages) / sizeof(packages[0]))

#define UNAVAILABLE "impersonation unavailable: "
#define COMMENT_MAX (sizeof(UNAVAILABLE) + sizeof(((struct imp_support *)0)->reason) + 64)
#define NAME_MAX_ 32
#define STRINGS_SIZE (NAME_MAX_ + COMMENT_MAX)

const struct sspi_package *package_find(const char *name)
{
	for (size_t i = 0; name && i < NPACKAGES; i++)
		if (strcasecmp(name, packages[i]->name) == 0)
			return packages[i];
	return NULL;
}

/* Fill @info, its strings in @strings (STRINGS_SIZE bytes). */
static void describe(const struct sspi_package *pkg, const struct imp_support *sup, SecPkgInfoA *info,
                     char *strings)
{
	char *name = strings, *comment = strings + NAME_MAX_;
	snprintf(name, NAME_MAX_, "%s", pkg->name);
	if (sup->can_impersonate)
		snprintf(comment, COMMENT_MAX, "%s", pkg->comment);
	else
		snprintf(comment, COMMENT_MAX, "%s; " UNAVAILABLE "%s", pkg->comment, sup->reason);
	*info = (SecPkgInfoA){
		.fCapabilities = pkg->caps | (sup->can_impersonate ? SECPKG_FLAG_IMPERSONATION : 0),
		.wVersion = 1,
		.wRPCID = pkg->rpcid,
		.cbMaxToken = pkg->max_token,
		.Name = name,
		.Comment = comment,
	};
}

static void query_support(struct imp_support *sup)
{
	*sup = (struct imp_support){.can_impersonate = false};
	if (imp_query_support(sup) < 0)
		snprintf(sup->reason, sizeof(sup->reason), "cannot read the thread's capabilities");
}

/* @n descriptions in one allocation: FreeContextBuffer() is a plain free(). */
static SecPkgInfoA *infos_new(const struct sspi_package *const *pkgs, size_t n)
{
	struct imp_support sup;
	SecPkgInfoA *info = malloc(n * (sizeof(*info) + STRINGS_SIZE));
	if (!info)
		return NULL;
	query_support(&sup);
	char *strings = (char *)(info + n);
	for (size_t i = 0; i < n; i++)
		describe(pkgs[i], &sup, &info[i], strings + i * STRINGS_SIZE);
	return info;
}

SecPkgInfoA *package_info(const struct sspi_package *pkg)
{
	return infos_new(&pkg, 1);
}

WIN_PUBLIC SECURITY_STATUS QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName, PSecPkgInfoA *ppPackageInfo)
{
	if (!ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	const struct sspi_package *pkg = package_find(pszPackageName);
	if (!pkg)
		return SEC_E_SECPKG_NOT_FOUND;
	SecPkgInfoA *info = package_info(pkg);
	if (!info)
		return SEC_E_INSUFFICIENT_MEMORY;
	*ppPackageInfo = info;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS EnumerateSecurityPackagesA(ULONG *pcPackages, PSecPkgInfoA *ppPackageInfo)
{
	if (!pcPackages || !ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	SecPkgInfoA *info = infos_new(packages, NPACKAGES);
	if (!info)
		return SEC_E_INSUFFICIENT_MEMORY;
	*pcPackages = NPACKAGES;
	*ppPackageInfo = info;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS FreeContextBuffer(void *pvContextBuffer)
{
	free(pvContextBuffer);
	return SEC_E_OK;
}
