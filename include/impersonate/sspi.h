/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate/sspi.h - the SSPI calls a Windows server uses to impersonate
 * an accepted client, with real per-thread effect on Linux.
 *
 * Link with libimpersonate-win (pkg-config libimpersonate-win).  A context
 * handle is made from a PAM handle on which pam_impersonate(8) established a
 * token, or from a token directly (the AcceptSecurityContext step, SPEC S1);
 * after that the code reads as it does on Windows:
 *
 *     PSecurityFunctionTableA sspi = InitSecurityInterfaceA();
 *     CtxtHandle ctx;
 *     if (ImpAcceptSecurityContextFromPam(pamh, 0, &ctx, NULL) != SEC_E_OK) ...
 *     if (sspi->ImpersonateSecurityContext(&ctx) == SEC_E_OK) {
 *             int fd = open(path, O_RDONLY);      // checked as the client
 *             sspi->RevertSecurityContext(&ctx);
 *     }
 *     sspi->DeleteSecurityContext(&ctx);
 *
 * Only the calling thread changes (see impersonate.h).  Handles are an index
 * and a generation checked against a table; no value passed in a handle is
 * ever used as a pointer, so a NULL, stale, deleted or random handle gives
 * SEC_E_INVALID_HANDLE (SPEC S2).  Every function is thread-safe.
 * How each native error becomes a SECURITY_STATUS: impersonate-win(3).
 *
 * Only the ANSI ("A") entry points exist.  Types are Linux-sized: ULONG is
 * 32 bits as on Windows; SEC_ENTRY is empty.  If your portability layer
 * already defines LONG, ULONG, USHORT, BOOL, HANDLE, ULONG_PTR and friends,
 * define IMP_WIN_BASE_TYPES_DEFINED before including this header.
 */
#ifndef IMPERSONATE_SSPI_H
#define IMPERSONATE_SSPI_H

#include <stdint.h>

#include <impersonate.h>
#include <impersonate/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif


/* ---- SSPI types ---------------------------------------------------------- */

#ifndef SEC_ENTRY
#define SEC_ENTRY
#endif

typedef char SEC_CHAR;
typedef LONG SECURITY_STATUS;

/* SPEC S: struct { uintptr_t dwLower, dwUpper; }.  For our contexts both
 * words are opaque check values, never pointers. */
typedef struct _SecHandle {
	ULONG_PTR dwLower;
	ULONG_PTR dwUpper;
} SecHandle, *PSecHandle;
typedef SecHandle CredHandle, *PCredHandle;
typedef SecHandle CtxtHandle, *PCtxtHandle;

#define SecInvalidateHandle(x)                                              \
	((PSecHandle)(x))->dwLower = (ULONG_PTR)(INT_PTR)-1;                \
	((PSecHandle)(x))->dwUpper = (ULONG_PTR)(INT_PTR)-1
#define SecIsValidHandle(x)                                                 \
	((((PSecHandle)(x))->dwLower != (ULONG_PTR)(INT_PTR)-1) &&          \
	 (((PSecHandle)(x))->dwUpper != (ULONG_PTR)(INT_PTR)-1))

/* ---- Status codes (exact Windows values; SPEC S lists the first seven) --- */

#define SEC_SUCCESS(Status) ((Status) >= 0)

#define SEC_E_OK ((SECURITY_STATUS)0x00000000)
#define SEC_E_INSUFFICIENT_MEMORY ((SECURITY_STATUS)0x80090300u)
#define SEC_E_INVALID_HANDLE ((SECURITY_STATUS)0x80090301u)
#define SEC_E_UNSUPPORTED_FUNCTION ((SECURITY_STATUS)0x80090302u)
#define SEC_E_INTERNAL_ERROR ((SECURITY_STATUS)0x80090304u)
#define SEC_E_SECPKG_NOT_FOUND ((SECURITY_STATUS)0x80090305u)
#define SEC_E_NO_IMPERSONATION ((SECURITY_STATUS)0x8009030Bu)
/* Also returned, with their Windows meanings: */
#define SEC_E_INVALID_TOKEN ((SECURITY_STATUS)0x80090308u)   /* accept: no token given */
#define SEC_E_NO_CREDENTIALS ((SECURITY_STATUS)0x8009030Eu)  /* accept: PAM made no token */
#define SEC_E_CONTEXT_EXPIRED ((SECURITY_STATUS)0x80090317u) /* token revoked (K4) */
#define SEC_E_INVALID_PARAMETER ((SECURITY_STATUS)0x8009035Du) /* NULL out-parameter */

/* ---- Packages ------------------------------------------------------------ */

/* Our one package: identities established by PAM, impersonated per thread. */
#define IMP_SSP_NAME_A "Impersonate"

#define SECPKG_FLAG_IMPERSONATION 0x00000100
#define SECPKG_ID_NONE 0xFFFF

typedef struct _SecPkgInfoA {
	ULONG fCapabilities; /* SECPKG_FLAG_IMPERSONATION only when it works (S5) */
	USHORT wVersion;
	USHORT wRPCID;
	ULONG cbMaxToken;
	SEC_CHAR *Name;
	SEC_CHAR *Comment; /* says why, when impersonation is unavailable */
} SecPkgInfoA, *PSecPkgInfoA;

/* ---- Context attributes and accept flags --------------------------------- */

#define SECPKG_ATTR_NAMES 1

typedef struct _SecPkgContext_NamesA {
	SEC_CHAR *sUserName;
} SecPkgContext_NamesA, *PSecPkgContext_NamesA;

#define ASC_REQ_IDENTIFY 0x00080000 /* accept an identify-level context (S6) */
#define ASC_RET_IDENTIFY 0x00080000

/* ---- The accept step (SPEC S1): our extension --------------------------- */

/*
 * ImpAcceptSecurityContextFromPam() - make a context for the identity
 * pam_impersonate(8) established on @pamh (auth setcred ESTABLISH or session
 * open).  Call it after pam_setcred()/pam_open_session(), where a Windows
 * server would call AcceptSecurityContext.
 * @fContextReq: ASC_REQ_IDENTIFY makes an identify-level context (queryable,
 *     never impersonated, S6); other bits are ignored.
 * @phNewContext: receives the handle (written only on success).
 * @pfContextAttr: optional; receives ASC_RET_IDENTIFY for an identify-level
 *     context (requested, or the token itself is identify-level), else 0.
 * The context holds its own reference to the token: it stays usable after
 * pam_end(), until DeleteSecurityContext(), or until the PAM session that
 * made it is closed (the token is then revoked: SEC_E_CONTEXT_EXPIRED).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE (@pamh or @phNewContext NULL),
 * SEC_E_NO_CREDENTIALS (no token registered for @pamh), SEC_E_CONTEXT_EXPIRED
 * (token already revoked) or SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY ImpAcceptSecurityContextFromPam(struct pam_handle *pamh, ULONG fContextReq,
                                                          PCtxtHandle phNewContext, ULONG *pfContextAttr);

/*
 * ImpAcceptSecurityContextFromToken() - the same for a token the caller made
 * (imp_token_for_user() and friends).  The context takes its own reference;
 * the caller keeps its own.  Returns as above, with SEC_E_INVALID_TOKEN for a
 * NULL @token.
 */
SECURITY_STATUS SEC_ENTRY ImpAcceptSecurityContextFromToken(imp_token *token, ULONG fContextReq,
                                                            PCtxtHandle phNewContext, ULONG *pfContextAttr);

/* ---- SSPI functions ------------------------------------------------------ */

/*
 * ImpersonateSecurityContext() - run the calling thread as the context's
 * client (imp_impersonate()).  The first impersonation saves the thread's own
 * credentials; impersonating again replaces the identity (T2, T3).
 * Returns SEC_E_OK; SEC_E_INVALID_HANDLE (NULL, never issued, deleted or
 * garbage handle: nothing changes, S2); SEC_E_NO_IMPERSONATION (identify
 * level, S6; or this thread/process lacks the privilege, S5);
 * SEC_E_UNSUPPORTED_FUNCTION (per-thread credentials cannot be guaranteed
 * here, S5/X4); SEC_E_CONTEXT_EXPIRED (the token was revoked, K4);
 * SEC_E_INSUFFICIENT_MEMORY; SEC_E_INTERNAL_ERROR (the kernel refused or read
 * back something else; the thread is as before, T6).
 */
SECURITY_STATUS SEC_ENTRY ImpersonateSecurityContext(PCtxtHandle phContext);

/*
 * RevertSecurityContext() - end the calling thread's impersonation and
 * restore its own credentials (S3, T4): one call undoes any number of
 * ImpersonateSecurityContext() calls.  On a thread that is not impersonating
 * it returns SEC_E_OK and changes nothing (T5).  The handle must be valid; it
 * is checked, not matched: the thread's impersonation ends whichever valid
 * context made it (a thread whose context was deleted under it reverts with
 * any valid context, or imp_revert()).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE (nothing changes), or
 * SEC_E_INTERNAL_ERROR when the thread's credentials had been changed behind
 * the library's back: they ARE restored, the status reports the tampering
 * (T9).  A revert that cannot restore never returns (T8).
 */
SECURITY_STATUS SEC_ENTRY RevertSecurityContext(PCtxtHandle phContext);

/*
 * DeleteSecurityContext() - invalidate the handle (every later use gives
 * SEC_E_INVALID_HANDLE) and drop the context's token reference.  Threads
 * impersonating through it keep their identity until they revert (S4, K4).
 * Returns SEC_E_OK or SEC_E_INVALID_HANDLE.
 */
SECURITY_STATUS SEC_ENTRY DeleteSecurityContext(PCtxtHandle phContext);

/*
 * QueryContextAttributesA() - SECPKG_ATTR_NAMES only: @pBuffer is a
 * SecPkgContext_NamesA whose sUserName receives the client's user name,
 * freed with FreeContextBuffer() (S7).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_UNSUPPORTED_FUNCTION (another
 * attribute), SEC_E_INVALID_PARAMETER (@pBuffer NULL) or
 * SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY QueryContextAttributesA(PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer);

/*
 * QuerySecurityContextToken() - *@Token receives the context's imp_token with
 * a new reference, which the caller drops with imp_token_unref() (where
 * Windows code calls CloseHandle()).  The token outlives the context (S7).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE or SEC_E_INVALID_PARAMETER.
 */
SECURITY_STATUS SEC_ENTRY QuerySecurityContextToken(PCtxtHandle phContext, void **Token);

/*
 * QuerySecurityPackageInfoA() - describe IMP_SSP_NAME_A (case-insensitive).
 * fCapabilities has SECPKG_FLAG_IMPERSONATION only when imp_query_support()
 * says the calling thread can impersonate here and now (S5); otherwise
 * Comment says why.  Free with FreeContextBuffer().
 * Returns SEC_E_OK, SEC_E_SECPKG_NOT_FOUND, SEC_E_INVALID_PARAMETER or
 * SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName, PSecPkgInfoA *ppPackageInfo);

/* EnumerateSecurityPackagesA() - one package, as QuerySecurityPackageInfoA()
 * describes it; free the array with FreeContextBuffer(). */
SECURITY_STATUS SEC_ENTRY EnumerateSecurityPackagesA(ULONG *pcPackages, PSecPkgInfoA *ppPackageInfo);

/* FreeContextBuffer() - free a buffer this library returned; NULL is fine.
 * Returns SEC_E_OK. */
SECURITY_STATUS SEC_ENTRY FreeContextBuffer(void *pvContextBuffer);

/* ---- The function table -------------------------------------------------- */

typedef SECURITY_STATUS(SEC_ENTRY *ENUMERATE_SECURITY_PACKAGES_FN_A)(ULONG *, PSecPkgInfoA *);
typedef SECURITY_STATUS(SEC_ENTRY *DELETE_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_FN_A)(PCtxtHandle, ULONG, void *);
typedef SECURITY_STATUS(SEC_ENTRY *IMPERSONATE_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *REVERT_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *FREE_CONTEXT_BUFFER_FN)(void *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_SECURITY_PACKAGE_INFO_FN_A)(SEC_CHAR *, PSecPkgInfoA *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_SECURITY_CONTEXT_TOKEN_FN)(PCtxtHandle, void **);

#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION 1

/*
 * The Windows table layout.  Entries this library does not provide (there
 * are no credentials, tokens on the wire or message protection here) are
 * typed void * and NULL, so code calling them fails to compile instead of
 * crashing; the accept step is ImpAcceptSecurityContextFrom*() above.
 */
typedef struct _SECURITY_FUNCTION_TABLE_A {
	ULONG dwVersion;
	ENUMERATE_SECURITY_PACKAGES_FN_A EnumerateSecurityPackagesA;
	void *QueryCredentialsAttributesA;
	void *AcquireCredentialsHandleA;
	void *FreeCredentialHandle;
	void *Reserved2;
	void *InitializeSecurityContextA;
	void *AcceptSecurityContext;
	void *CompleteAuthToken;
	DELETE_SECURITY_CONTEXT_FN DeleteSecurityContext;
	void *ApplyControlToken;
	QUERY_CONTEXT_ATTRIBUTES_FN_A QueryContextAttributesA;
	IMPERSONATE_SECURITY_CONTEXT_FN ImpersonateSecurityContext;
	REVERT_SECURITY_CONTEXT_FN RevertSecurityContext;
	void *MakeSignature;
	void *VerifySignature;
	FREE_CONTEXT_BUFFER_FN FreeContextBuffer;
	QUERY_SECURITY_PACKAGE_INFO_FN_A QuerySecurityPackageInfoA;
	void *Reserved3;
	void *Reserved4;
	void *ExportSecurityContext;
	void *ImportSecurityContextA;
	void *AddCredentialsA;
	void *Reserved8;
	QUERY_SECURITY_CONTEXT_TOKEN_FN QuerySecurityContextToken;
	void *EncryptMessage;
	void *DecryptMessage;
} SecurityFunctionTableA, *PSecurityFunctionTableA;

/* InitSecurityInterfaceA() - the process-wide table (read-only; never
 * NULL). */
PSecurityFunctionTableA SEC_ENTRY InitSecurityInterfaceA(void);
typedef PSecurityFunctionTableA(SEC_ENTRY *INIT_SECURITY_INTERFACE_A)(void);

#define SECURITY_ENTRYPOINT_ANSIA "InitSecurityInterfaceA"

/* Generic names map to the ANSI entry points (there are no W ones). */
#ifndef UNICODE
#define SecPkgInfo SecPkgInfoA
#define PSecPkgInfo PSecPkgInfoA
#define SecPkgContext_Names SecPkgContext_NamesA
#define PSecPkgContext_Names PSecPkgContext_NamesA
#define SecurityFunctionTable SecurityFunctionTableA
#define PSecurityFunctionTable PSecurityFunctionTableA
#define QueryContextAttributes QueryContextAttributesA
#define QuerySecurityPackageInfo QuerySecurityPackageInfoA
#define EnumerateSecurityPackages EnumerateSecurityPackagesA
#define InitSecurityInterface InitSecurityInterfaceA
#define INIT_SECURITY_INTERFACE INIT_SECURITY_INTERFACE_A
#define SECURITY_ENTRYPOINT_ANSI SECURITY_ENTRYPOINT_ANSIA
#endif

#ifdef __cplusplus
}
#endif
#endif /* IMPERSONATE_SSPI_H */
