/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The two function tables (read-only, no NULL slot) and the entry points
 * that cannot exist here: no context export or import, no control tokens,
 * no credentials added to a handle.
 */
#include "package.h"

WIN_PUBLIC SECURITY_STATUS ApplyControlToken(PCtxtHandle phContext, PSecBufferDesc pInput)
{
	(void)phContext, (void)pInput;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WIN_PUBLIC SECURITY_STATUS ExportSecurityContext(PCtxtHandle phContext, ULONG fFlags, PSecBuffer pPackedContext,
                                                 void **pToken)
{
	(void)phContext, (void)fFlags, (void)pPackedContext, (void)pToken;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WIN_PUBLIC SECURITY_STATUS ImportSecurityContextA(SEC_CHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
                                                  PCtxtHandle phContext)
{
	(void)pszPackage, (void)pPackedContext, (void)Token, (void)phContext;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WIN_PUBLIC SECURITY_STATUS ImportSecurityContextW(SEC_WCHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
                                                  PCtxtHandle phContext)
{
	(void)pszPackage, (void)pPackedContext, (void)Token, (void)phContext;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WIN_PUBLIC SECURITY_STATUS AddCredentialsA(PCredHandle hCredentials, SEC_CHAR *pszPrincipal, SEC_CHAR *pszPackage,
                                           ULONG fCredentialUse, void *pAuthData, SEC_GET_KEY_FN pGetKeyFn,
                                           void *pvGetKeyArgument, PTimeStamp ptsExpiry)
{
	(void)hCredentials, (void)pszPrincipal, (void)pszPackage, (void)fCredentialUse, (void)pAuthData;
	(void)pGetKeyFn, (void)pvGetKeyArgument, (void)ptsExpiry;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

WIN_PUBLIC SECURITY_STATUS AddCredentialsW(PCredHandle hCredentials, SEC_WCHAR *pszPrincipal,
                                           SEC_WCHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
                                           SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument, PTimeStamp ptsExpiry)
{
	(void)hCredentials, (void)pszPrincipal, (void)pszPackage, (void)fCredentialUse, (void)pAuthData;
	(void)pGetKeyFn, (void)pvGetKeyArgument, (void)ptsExpiry;
	return SEC_E_UNSUPPORTED_FUNCTION;
}

/* The Reserved slots: a caller that jumps through one gets an answer, not
 * a crash. */
static SECURITY_STATUS reserved(void)
{
	return SEC_E_UNSUPPORTED_FUNCTION;
}
#define RESERVED ((void *)reserved)

static const SecurityFunctionTableA table_a = {
	.dwVersion = SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	.EnumerateSecurityPackagesA = EnumerateSecurityPackagesA,
	.QueryCredentialsAttributesA = QueryCredentialsAttributesA,
	.AcquireCredentialsHandleA = AcquireCredentialsHandleA,
	.FreeCredentialHandle = FreeCredentialsHandle,
	.Reserved2 = RESERVED,
	.InitializeSecurityContextA = InitializeSecurityContextA,
	.AcceptSecurityContext = AcceptSecurityContext,
	.CompleteAuthToken = CompleteAuthToken,
	.DeleteSecurityContext = DeleteSecurityContext,
	.ApplyControlToken = ApplyControlToken,
	.QueryContextAttributesA = QueryContextAttributesA,
	.ImpersonateSecurityContext = ImpersonateSecurityContext,
	.RevertSecurityContext = RevertSecurityContext,
	.MakeSignature = MakeSignature,
	.VerifySignature = VerifySignature,
	.FreeContextBuffer = FreeContextBuffer,
	.QuerySecurityPackageInfoA = QuerySecurityPackageInfoA,
	.Reserved3 = RESERVED,
	.Reserved4 = RESERVED,
	.ExportSecurityContext = ExportSecurityContext,
	.ImportSecurityContextA = ImportSecurityContextA,
	.AddCredentialsA = AddCredentialsA,
	.Reserved8 = RESERVED,
	.QuerySecurityContextToken = QuerySecurityContextToken,
	.EncryptMessage = EncryptMessage,
	.DecryptMessage = DecryptMessage,
};

static const SecurityFunctionTableW table_w = {
	.dwVersion = SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION,
	.EnumerateSecurityPackagesW = EnumerateSecurityPackagesW,
	.QueryCredentialsAttributesW = QueryCredentialsAttributesW,
	.AcquireCredentialsHandleW = AcquireCredentialsHandleW,
	.FreeCredentialsHandle = FreeCredentialsHandle,
	.Reserved2 = RESERVED,
	.InitializeSecurityContextW = InitializeSecurityContextW,
	.AcceptSecurityContext = AcceptSecurityContext,
	.CompleteAuthToken = CompleteAuthToken,
	.DeleteSecurityContext = DeleteSecurityContext,
	.ApplyControlToken = ApplyControlToken,
	.QueryContextAttributesW = QueryContextAttributesW,
	.ImpersonateSecurityContext = ImpersonateSecurityContext,
	.RevertSecurityContext = RevertSecurityContext,
	.MakeSignature = MakeSignature,
	.VerifySignature = VerifySignature,
	.FreeContextBuffer = FreeContextBuffer,
	.QuerySecurityPackageInfoW = QuerySecurityPackageInfoW,
	.Reserved3 = RESERVED,
	.Reserved4 = RESERVED,
	.ExportSecurityContext = ExportSecurityContext,
	.ImportSecurityContextW = ImportSecurityContextW,
	.AddCredentialsW = AddCredentialsW,
	.Reserved8 = RESERVED,
	.QuerySecurityContextToken = QuerySecurityContextToken,
	.EncryptMessage = EncryptMessage,
	.DecryptMessage = DecryptMessage,
};

/* Read-only: one caller writing into a table must not change it for the
 * rest of the process. */
WIN_PUBLIC PSecurityFunctionTableA InitSecurityInterfaceA(void)
{
	return (PSecurityFunctionTableA)&table_a;
}

WIN_PUBLIC PSecurityFunctionTableW InitSecurityInterfaceW(void)
{
	return (PSecurityFunctionTableW)&table_w;
}
