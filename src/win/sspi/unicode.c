/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The W entry points: UTF-16 (16-bit SEC_WCHAR, as on Windows) converted to
 * and from the UTF-8 the A bodies use.  Unpaired surrogates are an error,
 * never replaced: a name must mean one thing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "package.h"

size_t utf16_len(const WCHAR *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int utf16_to_utf8(const WCHAR *in, long len, char **out)
{
	*out = NULL;
	if (!in)
		return 0;
	size_t n = len < 0 ? utf16_len(in) : (size_t)len;
	char *s = malloc(n * 3 + 1), *p = s;
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = in[i];
		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF)
			c = 0x10000 + ((c - 0xD800) << 10) + (in[++i] - 0xDC00u);
		else if ((c >= 0xD800 && c <= 0xDFFF) || c == 0) {
			free(s);
			return -EILSEQ;
		}
		if (c < 0x80) {
			*p++ = (char)c;
		} else if (c < 0x800) {
			*p++ = (char)(0xC0 | (c >> 6));
			*p++ = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			*p++ = (char)(0xE0 | (c >> 12));
			*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*p++ = (char)(0x80 | (c & 0x3F));
		} else {
			*p++ = (char)(0xF0 | (c >> 18));
			*p++ = (char)(0x80 | ((c >> 12) & 0x3F));
			*p++ = (char)(0x80 | ((c >> 6) & 0x3F));
			*p++ = (char)(0x80 | (c & 0x3F));
		}
	}
	*p = '\0';
	*out = s;
	return 0;
}

/* NULL on malformed UTF-8 or no memory. */
WCHAR *utf8_to_utf16(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in);
	WCHAR *w = malloc((n + 1) * sizeof(WCHAR)), *p = w;
	if (!w)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t c = s[i];
		int more = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
		if (more < 0 || i + (size_t)more >= n + (more ? 0 : 1))
			goto bad;
		c = more ? c & (0x3F >> more) : c;
		for (int k = 1; k <= more; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto bad;
			c = (c << 6) | (s[i + k] & 0x3F);
		}
		i += (size_t)more + 1;
		if (c >= 0x10000) {
			c -= 0x10000;
			*p++ = (WCHAR)(0xD800 + (c >> 10));
			*p++ = (WCHAR)(0xDC00 + (c & 0x3FF));
		} else {
			*p++ = (WCHAR)c;
		}
	}
	*p = 0;
	return w;
bad:
	free(w);
	return NULL;
}

/* A UTF-16 argument as UTF-8; SEC_E_INVALID_PARAMETER if malformed. */
static SECURITY_STATUS narrow(const WCHAR *in, char **out)
{
	int r = utf16_to_utf8(in, -1, out);
	return r == 0 ? SEC_E_OK : r == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_INVALID_PARAMETER;
}

WIN_PUBLIC SECURITY_STATUS AcquireCredentialsHandleW(SEC_WCHAR *pszPrincipal, SEC_WCHAR *pszPackage,
                                                     ULONG fCredentialUse, void *pvLogonID, void *pAuthData,
                                                     SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
                                                     PCredHandle phCredential, PTimeStamp ptsExpiry)
{
	(void)pvGetKeyArgument;
	char *principal = NULL, *package = NULL;
	SECURITY_STATUS st = narrow(pszPrincipal, &principal);
	if (st == SEC_E_OK && (st = narrow(pszPackage, &package)) == SEC_E_OK)
		st = credentials_acquire(principal, package, fCredentialUse, pvLogonID, pAuthData, true, pGetKeyFn,
		                         phCredential, ptsExpiry);
	free(principal);
	free(package);
	return st;
}

WIN_PUBLIC SECURITY_STATUS QueryCredentialsAttributesW(PCredHandle phCredential, ULONG ulAttribute, void *pBuffer)
{
	SecPkgCredentials_NamesA a;
	SECURITY_STATUS st = QueryCredentialsAttributesA(phCredential, ulAttribute, pBuffer ? &a : NULL);
	if (st != SEC_E_OK)
		return st;
	WCHAR *w = utf8_to_utf16(a.sUserName);
	free(a.sUserName);
	if (!w)
		return SEC_E_INSUFFICIENT_MEMORY;
	((SecPkgCredentials_NamesW *)pBuffer)->sUserName = w;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS InitializeSecurityContextW(PCredHandle phCredential, PCtxtHandle phContext,
                                                      SEC_WCHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
                                                      ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
                                                      PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                      ULONG *pfContextAttr, PTimeStamp ptsExpiry)
{
	(void)Reserved1, (void)TargetDataRep, (void)Reserved2;
	char *target = NULL;
	SECURITY_STATUS st = narrow(pszTargetName, &target);
	if (st == SEC_E_INVALID_PARAMETER)
		st = SEC_E_TARGET_UNKNOWN;
	if (st == SEC_E_OK)
		st = context_initialize(phCredential, phContext, target, fContextReq, pInput, phNewContext, pOutput,
		                        pfContextAttr, ptsExpiry);
	free(target);
	return st;
}

SecPkgInfoW *package_info_wide(const SecPkgInfoA *a, size_t n);

WIN_PUBLIC SECURITY_STATUS QuerySecurityPackageInfoW(SEC_WCHAR *pszPackageName, PSecPkgInfoW *ppPackageInfo)
{
	char *name = NULL;
	PSecPkgInfoA a;
	if (!ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	if (narrow(pszPackageName, &name) != SEC_E_OK) /* no such name */
		return SEC_E_SECPKG_NOT_FOUND;
	SECURITY_STATUS st = QuerySecurityPackageInfoA(name, &a);
	free(name);
	if (st != SEC_E_OK)
		return st;
	SecPkgInfoW *w = package_info_wide(a, 1);
	free(a);
	if (!w)
		return SEC_E_INSUFFICIENT_MEMORY;
	*ppPackageInfo = w;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS EnumerateSecurityPackagesW(ULONG *pcPackages, PSecPkgInfoW *ppPackageInfo)
{
	ULONG n;
	PSecPkgInfoA a;
	if (!pcPackages || !ppPackageInfo)
		return SEC_E_INVALID_PARAMETER;
	SECURITY_STATUS st = EnumerateSecurityPackagesA(&n, &a);
	if (st != SEC_E_OK)
		return st;
	SecPkgInfoW *w = package_info_wide(a, n);
	free(a);
	if (!w)
		return SEC_E_INSUFFICIENT_MEMORY;
	*pcPackages = n;
	*ppPackageInfo = w;
	return SEC_E_OK;
}
