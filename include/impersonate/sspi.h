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
 * The whole handshake is here too, for the "Negotiate" (SPNEGO) and
 * "Kerberos" packages on the system's GSSAPI (MIT krb5): AcquireCredentials-
 * Handle, InitializeSecurityContext, AcceptSecurityContext, the message
 * functions.  A context accepted that way is mapped to a local user by the
 * krb5 auth_to_local rules and logged on through the service's PAM account
 * and session stack (pam_impersonate(8) makes the token; SPEC A2): see
 * AcceptSecurityContext() below for how the PAM service is chosen.
 *
 * ANSI ("A") and UTF-16 ("W") entry points: SEC_WCHAR is 16 bits as on
 * Windows (u"..." literals), and UNICODE picks the W names.  Types are
 * Linux-sized: ULONG is 32 bits as on Windows; SEC_ENTRY is empty.  If your portability layer
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

/* ---- Status codes (exact Windows values, winerror.h) -------------------- */

#define SEC_SUCCESS(Status) ((Status) >= 0)

#define SEC_E_OK ((SECURITY_STATUS)0x00000000)
#define SEC_E_INSUFFICIENT_MEMORY ((SECURITY_STATUS)0x80090300u)
#define SEC_E_INVALID_HANDLE ((SECURITY_STATUS)0x80090301u)
#define SEC_E_UNSUPPORTED_FUNCTION ((SECURITY_STATUS)0x80090302u)
#define SEC_E_TARGET_UNKNOWN ((SECURITY_STATUS)0x80090303u)
#define SEC_E_INTERNAL_ERROR ((SECURITY_STATUS)0x80090304u)
#define SEC_E_SECPKG_NOT_FOUND ((SECURITY_STATUS)0x80090305u)
#define SEC_E_NOT_OWNER ((SECURITY_STATUS)0x80090306u)
#define SEC_E_INVALID_TOKEN ((SECURITY_STATUS)0x80090308u)
#define SEC_E_QOP_NOT_SUPPORTED ((SECURITY_STATUS)0x8009030Au)
#define SEC_E_NO_IMPERSONATION ((SECURITY_STATUS)0x8009030Bu)
#define SEC_E_LOGON_DENIED ((SECURITY_STATUS)0x8009030Cu)
#define SEC_E_UNKNOWN_CREDENTIALS ((SECURITY_STATUS)0x8009030Du)
#define SEC_E_NO_CREDENTIALS ((SECURITY_STATUS)0x8009030Eu)
#define SEC_E_MESSAGE_ALTERED ((SECURITY_STATUS)0x8009030Fu)
#define SEC_E_OUT_OF_SEQUENCE ((SECURITY_STATUS)0x80090310u)
#define SEC_E_NO_AUTHENTICATING_AUTHORITY ((SECURITY_STATUS)0x80090311u)
#define SEC_I_CONTINUE_NEEDED ((SECURITY_STATUS)0x00090312)
#define SEC_I_COMPLETE_NEEDED ((SECURITY_STATUS)0x00090313)
#define SEC_I_COMPLETE_AND_CONTINUE ((SECURITY_STATUS)0x00090314)
#define SEC_I_LOCAL_LOGON ((SECURITY_STATUS)0x00090315)
#define SEC_E_BAD_PKGID ((SECURITY_STATUS)0x80090316u)
#define SEC_E_CONTEXT_EXPIRED ((SECURITY_STATUS)0x80090317u)
#define SEC_I_CONTEXT_EXPIRED ((SECURITY_STATUS)0x00090317)
#define SEC_E_INCOMPLETE_MESSAGE ((SECURITY_STATUS)0x80090318u)
#define SEC_E_INCOMPLETE_CREDENTIALS ((SECURITY_STATUS)0x80090320u)
#define SEC_E_BUFFER_TOO_SMALL ((SECURITY_STATUS)0x80090321u)
#define SEC_E_WRONG_PRINCIPAL ((SECURITY_STATUS)0x80090322u)
#define SEC_E_TIME_SKEW ((SECURITY_STATUS)0x80090324u)
#define SEC_E_ILLEGAL_MESSAGE ((SECURITY_STATUS)0x80090326u)
#define SEC_E_ENCRYPT_FAILURE ((SECURITY_STATUS)0x80090329u)
#define SEC_E_DECRYPT_FAILURE ((SECURITY_STATUS)0x80090330u)
#define SEC_E_ALGORITHM_MISMATCH ((SECURITY_STATUS)0x80090331u)
#define SEC_E_BAD_BINDINGS ((SECURITY_STATUS)0x80090346u)
#define SEC_E_INVALID_PARAMETER ((SECURITY_STATUS)0x8009035Du)

/* ---- Strings and times --------------------------------------------------- */

typedef WCHAR SEC_WCHAR; /* UTF-16, 16 bits */

/* TimeStamp: 100-ns intervals since 1601-01-01, as FILETIME.  Here it is
 * UTC (Windows gives local time); "never expires" is 0x7FFFFFFFFFFFFFFF. */
typedef LARGE_INTEGER _SECURITY_INTEGER, SECURITY_INTEGER, *PSECURITY_INTEGER;
typedef SECURITY_INTEGER TimeStamp, *PTimeStamp;

/* ---- Buffers ------------------------------------------------------------- */

typedef struct _SecBuffer {
	ULONG cbBuffer;
	ULONG BufferType;
	void *pvBuffer;
} SecBuffer, *PSecBuffer;

typedef struct _SecBufferDesc {
	ULONG ulVersion;
	ULONG cBuffers;
	PSecBuffer pBuffers;
} SecBufferDesc, *PSecBufferDesc;

#define SECBUFFER_VERSION 0

#define SECBUFFER_EMPTY 0
#define SECBUFFER_DATA 1
#define SECBUFFER_TOKEN 2
#define SECBUFFER_PKG_PARAMS 3
#define SECBUFFER_MISSING 4
#define SECBUFFER_EXTRA 5
#define SECBUFFER_STREAM_TRAILER 6
#define SECBUFFER_STREAM_HEADER 7
#define SECBUFFER_NEGOTIATION_INFO 8
#define SECBUFFER_PADDING 9
#define SECBUFFER_STREAM 10
#define SECBUFFER_MECHLIST 11
#define SECBUFFER_MECHLIST_SIGNATURE 12
#define SECBUFFER_TARGET 13
#define SECBUFFER_CHANNEL_BINDINGS 14
#define SECBUFFER_ATTRMASK 0xF0000000u
#define SECBUFFER_READONLY 0x80000000u
#define SECBUFFER_READONLY_WITH_CHECKSUM 0x10000000u

#define SECURITY_NATIVE_DREP 0x00000010
#define SECURITY_NETWORK_DREP 0x00000000

/* EncryptMessage fQOP / DecryptMessage *pfQOP: integrity only. */
#define SECQOP_WRAP_NO_ENCRYPT 0x80000001u

/* ---- Packages ------------------------------------------------------------ */

/* The packages: "Negotiate" (SPNEGO) and "Kerberos" on the system's GSSAPI,
 * and "Impersonate" (identities established by PAM, no wire tokens). */
#define NEGOSSP_NAME_A "Negotiate"
#define MICROSOFT_KERBEROS_NAME_A "Kerberos"
#define IMP_SSP_NAME_A "Impersonate"
#define NEGOSSP_NAME_W u"Negotiate"
#define MICROSOFT_KERBEROS_NAME_W u"Kerberos"
#define IMP_SSP_NAME_W u"Impersonate"

#define SECPKG_FLAG_INTEGRITY 0x00000001
#define SECPKG_FLAG_PRIVACY 0x00000002
#define SECPKG_FLAG_TOKEN_ONLY 0x00000004
#define SECPKG_FLAG_DATAGRAM 0x00000008
#define SECPKG_FLAG_CONNECTION 0x00000010
#define SECPKG_FLAG_MULTI_REQUIRED 0x00000020
#define SECPKG_FLAG_CLIENT_ONLY 0x00000040
#define SECPKG_FLAG_EXTENDED_ERROR 0x00000080
#define SECPKG_FLAG_IMPERSONATION 0x00000100
#define SECPKG_FLAG_ACCEPT_WIN32_NAME 0x00000200
#define SECPKG_FLAG_STREAM 0x00000400
#define SECPKG_FLAG_NEGOTIABLE 0x00000800
#define SECPKG_FLAG_GSS_COMPATIBLE 0x00001000
#define SECPKG_FLAG_LOGON 0x00002000
#define SECPKG_FLAG_ASCII_BUFFERS 0x00004000
#define SECPKG_FLAG_FRAGMENT 0x00008000
#define SECPKG_FLAG_MUTUAL_AUTH 0x00010000
#define SECPKG_FLAG_DELEGATION 0x00020000
#define SECPKG_FLAG_READONLY_WITH_CHECKSUM 0x00040000
#define SECPKG_ID_NONE 0xFFFF

/* wRPCID values (rpcdce.h). */
#define RPC_C_AUTHN_GSS_NEGOTIATE 9
#define RPC_C_AUTHN_GSS_KERBEROS 16

typedef struct _SecPkgInfoA {
	ULONG fCapabilities; /* SECPKG_FLAG_IMPERSONATION only when it works (S5) */
	USHORT wVersion;
	USHORT wRPCID;
	ULONG cbMaxToken;
	SEC_CHAR *Name;
	SEC_CHAR *Comment; /* says why, when impersonation is unavailable */
} SecPkgInfoA, *PSecPkgInfoA;

typedef struct _SecPkgInfoW {
	ULONG fCapabilities;
	USHORT wVersion;
	USHORT wRPCID;
	ULONG cbMaxToken;
	SEC_WCHAR *Name;
	SEC_WCHAR *Comment;
} SecPkgInfoW, *PSecPkgInfoW;

/* ---- Credentials --------------------------------------------------------- */

#define SECPKG_CRED_INBOUND 0x00000001
#define SECPKG_CRED_OUTBOUND 0x00000002
#define SECPKG_CRED_BOTH 0x00000003
#define SECPKG_CRED_DEFAULT 0x00000004
#define SECPKG_CRED_ATTR_NAMES 1

#define SEC_WINNT_AUTH_IDENTITY_ANSI 0x1
#define SEC_WINNT_AUTH_IDENTITY_UNICODE 0x2

/* User, Domain (the Kerberos realm; empty: the default realm) and Password,
 * lengths in characters without the terminator. */
typedef struct _SEC_WINNT_AUTH_IDENTITY_A {
	unsigned char *User;
	ULONG UserLength;
	unsigned char *Domain;
	ULONG DomainLength;
	unsigned char *Password;
	ULONG PasswordLength;
	ULONG Flags;
} SEC_WINNT_AUTH_IDENTITY_A, *PSEC_WINNT_AUTH_IDENTITY_A;

typedef struct _SEC_WINNT_AUTH_IDENTITY_W {
	unsigned short *User;
	ULONG UserLength;
	unsigned short *Domain;
	ULONG DomainLength;
	unsigned short *Password;
	ULONG PasswordLength;
	ULONG Flags;
} SEC_WINNT_AUTH_IDENTITY_W, *PSEC_WINNT_AUTH_IDENTITY_W;

typedef struct _SecPkgCredentials_NamesA {
	SEC_CHAR *sUserName;
} SecPkgCredentials_NamesA, *PSecPkgCredentials_NamesA;

typedef struct _SecPkgCredentials_NamesW {
	SEC_WCHAR *sUserName;
} SecPkgCredentials_NamesW, *PSecPkgCredentials_NamesW;

typedef void(SEC_ENTRY *SEC_GET_KEY_FN)(void *Arg, void *Principal, ULONG KeyVer, void **Key,
                                        SECURITY_STATUS *Status);

/* ---- Context requirements and attributes --------------------------------- */

#define ISC_REQ_DELEGATE 0x00000001
#define ISC_REQ_MUTUAL_AUTH 0x00000002
#define ISC_REQ_REPLAY_DETECT 0x00000004
#define ISC_REQ_SEQUENCE_DETECT 0x00000008
#define ISC_REQ_CONFIDENTIALITY 0x00000010
#define ISC_REQ_USE_SESSION_KEY 0x00000020
#define ISC_REQ_PROMPT_FOR_CREDS 0x00000040
#define ISC_REQ_USE_SUPPLIED_CREDS 0x00000080
#define ISC_REQ_ALLOCATE_MEMORY 0x00000100
#define ISC_REQ_USE_DCE_STYLE 0x00000200
#define ISC_REQ_DATAGRAM 0x00000400
#define ISC_REQ_CONNECTION 0x00000800
#define ISC_REQ_CALL_LEVEL 0x00001000
#define ISC_REQ_FRAGMENT_SUPPLIED 0x00002000
#define ISC_REQ_EXTENDED_ERROR 0x00004000
#define ISC_REQ_STREAM 0x00008000
#define ISC_REQ_INTEGRITY 0x00010000
#define ISC_REQ_IDENTIFY 0x00020000
#define ISC_REQ_NULL_SESSION 0x00040000
#define ISC_REQ_MANUAL_CRED_VALIDATION 0x00080000
#define ISC_REQ_FRAGMENT_TO_FIT 0x00200000
#define ISC_REQ_FORWARD_CREDENTIALS 0x00400000
#define ISC_REQ_NO_INTEGRITY 0x00800000
#define ISC_REQ_USE_HTTP_STYLE 0x01000000

#define ISC_RET_DELEGATE 0x00000001
#define ISC_RET_MUTUAL_AUTH 0x00000002
#define ISC_RET_REPLAY_DETECT 0x00000004
#define ISC_RET_SEQUENCE_DETECT 0x00000008
#define ISC_RET_CONFIDENTIALITY 0x00000010
#define ISC_RET_USE_SESSION_KEY 0x00000020
#define ISC_RET_USED_COLLECTED_CREDS 0x00000040
#define ISC_RET_USED_SUPPLIED_CREDS 0x00000080
#define ISC_RET_ALLOCATED_MEMORY 0x00000100
#define ISC_RET_USED_DCE_STYLE 0x00000200
#define ISC_RET_DATAGRAM 0x00000400
#define ISC_RET_CONNECTION 0x00000800
#define ISC_RET_INTERMEDIATE_RETURN 0x00001000
#define ISC_RET_CALL_LEVEL 0x00002000
#define ISC_RET_EXTENDED_ERROR 0x00004000
#define ISC_RET_STREAM 0x00008000
#define ISC_RET_INTEGRITY 0x00010000
#define ISC_RET_IDENTIFY 0x00020000
#define ISC_RET_NULL_SESSION 0x00040000
#define ISC_RET_MANUAL_CRED_VALIDATION 0x00080000
#define ISC_RET_FRAGMENT_ONLY 0x00200000
#define ISC_RET_FORWARD_CREDENTIALS 0x00400000
#define ISC_RET_NO_ADDITIONAL_TOKEN 0x02000000

#define ASC_REQ_DELEGATE 0x00000001
#define ASC_REQ_MUTUAL_AUTH 0x00000002
#define ASC_REQ_REPLAY_DETECT 0x00000004
#define ASC_REQ_SEQUENCE_DETECT 0x00000008
#define ASC_REQ_CONFIDENTIALITY 0x00000010
#define ASC_REQ_USE_SESSION_KEY 0x00000020
#define ASC_REQ_SESSION_TICKET 0x00000040
#define ASC_REQ_ALLOCATE_MEMORY 0x00000100
#define ASC_REQ_USE_DCE_STYLE 0x00000200
#define ASC_REQ_DATAGRAM 0x00000400
#define ASC_REQ_CONNECTION 0x00000800
#define ASC_REQ_CALL_LEVEL 0x00001000
#define ASC_REQ_FRAGMENT_SUPPLIED 0x00002000
#define ASC_REQ_EXTENDED_ERROR 0x00008000
#define ASC_REQ_STREAM 0x00010000
#define ASC_REQ_INTEGRITY 0x00020000
#define ASC_REQ_LICENSING 0x00040000
#define ASC_REQ_IDENTIFY 0x00080000 /* an identify-level context (S6) */
#define ASC_REQ_ALLOW_NULL_SESSION 0x00100000
#define ASC_REQ_ALLOW_NON_USER_LOGONS 0x00200000
#define ASC_REQ_ALLOW_CONTEXT_REPLAY 0x00400000
#define ASC_REQ_FRAGMENT_TO_FIT 0x00800000
#define ASC_REQ_NO_TOKEN 0x01000000

#define ASC_RET_DELEGATE 0x00000001
#define ASC_RET_MUTUAL_AUTH 0x00000002
#define ASC_RET_REPLAY_DETECT 0x00000004
#define ASC_RET_SEQUENCE_DETECT 0x00000008
#define ASC_RET_CONFIDENTIALITY 0x00000010
#define ASC_RET_USE_SESSION_KEY 0x00000020
#define ASC_RET_SESSION_TICKET 0x00000040
#define ASC_RET_ALLOCATED_MEMORY 0x00000100
#define ASC_RET_USED_DCE_STYLE 0x00000200
#define ASC_RET_DATAGRAM 0x00000400
#define ASC_RET_CONNECTION 0x00000800
#define ASC_RET_CALL_LEVEL 0x00002000
#define ASC_RET_THIRD_LEG_FAILED 0x00004000
#define ASC_RET_EXTENDED_ERROR 0x00008000
#define ASC_RET_STREAM 0x00010000
#define ASC_RET_INTEGRITY 0x00020000
#define ASC_RET_LICENSING 0x00040000
#define ASC_RET_IDENTIFY 0x00080000
#define ASC_RET_NULL_SESSION 0x00100000
#define ASC_RET_ALLOW_NON_USER_LOGONS 0x00200000
#define ASC_RET_FRAGMENT_ONLY 0x00800000
#define ASC_RET_NO_TOKEN 0x01000000
#define ASC_RET_NO_ADDITIONAL_TOKEN 0x02000000

#define SECPKG_ATTR_SIZES 0
#define SECPKG_ATTR_NAMES 1
#define SECPKG_ATTR_LIFESPAN 2
#define SECPKG_ATTR_PACKAGE_INFO 10
#define SECPKG_ATTR_NATIVE_NAMES 13

typedef struct _SecPkgContext_Sizes {
	ULONG cbMaxToken;
	ULONG cbMaxSignature;    /* MakeSignature's token */
	ULONG cbBlockSize;       /* messages are padded to this */
	ULONG cbSecurityTrailer; /* EncryptMessage's SECBUFFER_TOKEN */
} SecPkgContext_Sizes, *PSecPkgContext_Sizes;

typedef struct _SecPkgContext_NamesA {
	SEC_CHAR *sUserName;
} SecPkgContext_NamesA, *PSecPkgContext_NamesA;

typedef struct _SecPkgContext_NamesW {
	SEC_WCHAR *sUserName;
} SecPkgContext_NamesW, *PSecPkgContext_NamesW;

typedef struct _SecPkgContext_NativeNamesA {
	SEC_CHAR *sClientName;
	SEC_CHAR *sServerName;
} SecPkgContext_NativeNamesA, *PSecPkgContext_NativeNamesA;

typedef struct _SecPkgContext_NativeNamesW {
	SEC_WCHAR *sClientName;
	SEC_WCHAR *sServerName;
} SecPkgContext_NativeNamesW, *PSecPkgContext_NativeNamesW;

typedef struct _SecPkgContext_Lifespan {
	TimeStamp tsStart;
	TimeStamp tsExpiry;
} SecPkgContext_Lifespan, *PSecPkgContext_Lifespan;

typedef struct _SecPkgContext_PackageInfoA {
	PSecPkgInfoA PackageInfo;
} SecPkgContext_PackageInfoA, *PSecPkgContext_PackageInfoA;

typedef struct _SecPkgContext_PackageInfoW {
	PSecPkgInfoW PackageInfo;
} SecPkgContext_PackageInfoW, *PSecPkgContext_PackageInfoW;

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
 * level, S6; a client-side or unfinished context, which has no token; or
 * this thread/process lacks the privilege, S5);
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
 * A context from AcceptSecurityContext() also ends its PAM session
 * (pam_close_session, pam_end) and revokes its token
 * (A5, K4); the GSSAPI context is deleted.
 * Returns SEC_E_OK or SEC_E_INVALID_HANDLE.
 */
SECURITY_STATUS SEC_ENTRY DeleteSecurityContext(PCtxtHandle phContext);

/*
 * QueryContextAttributesA/W() - @pBuffer is the structure for @ulAttribute:
 *   SECPKG_ATTR_NAMES         SecPkgContext_Names: the client's name: the
 *                             local user name on an accepted context (S7),
 *                             the client principal on a client context;
 *   SECPKG_ATTR_NATIVE_NAMES  SecPkgContext_NativeNames: client and server
 *                             principals (GSSAPI contexts only);
 *   SECPKG_ATTR_SIZES         SecPkgContext_Sizes, from the mechanism
 *                             (gss_wrap_size_limit) once complete;
 *   SECPKG_ATTR_LIFESPAN      SecPkgContext_Lifespan (UTC FILETIME);
 *   SECPKG_ATTR_PACKAGE_INFO  SecPkgContext_PackageInfo.
 * Strings and the package info are freed with FreeContextBuffer().
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_UNSUPPORTED_FUNCTION (another
 * attribute, or one this kind of context does not have),
 * SEC_E_INVALID_PARAMETER (@pBuffer NULL) or SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY QueryContextAttributesA(PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer);
SECURITY_STATUS SEC_ENTRY QueryContextAttributesW(PCtxtHandle phContext, ULONG ulAttribute, void *pBuffer);

/*
 * QuerySecurityContextToken() - *@Token receives the context's imp_token with
 * a new reference, which the caller drops with imp_token_unref() (where
 * Windows code calls CloseHandle()).  The token outlives the context (S7).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_INVALID_PARAMETER or
 * SEC_E_NO_IMPERSONATION (a context without a token: client side or
 * unfinished).
 */
SECURITY_STATUS SEC_ENTRY QuerySecurityContextToken(PCtxtHandle phContext, void **Token);

/*
 * QuerySecurityPackageInfoA/W() - describe a package by name
 * (case-insensitive): NEGOSSP_NAME, MICROSOFT_KERBEROS_NAME, IMP_SSP_NAME.
 * fCapabilities has SECPKG_FLAG_IMPERSONATION only when imp_query_support()
 * says the calling thread can impersonate here and now (S5); otherwise
 * Comment says why.  cbMaxToken is 48000 for Kerberos and 48256 for
 * Negotiate (GSSAPI has no maximum; these are Windows' defaults, far above
 * the ~0.8 KB an MIT ticket takes), 0 for Impersonate.  Free with
 * FreeContextBuffer().
 * Returns SEC_E_OK, SEC_E_SECPKG_NOT_FOUND, SEC_E_INVALID_PARAMETER or
 * SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY QuerySecurityPackageInfoA(SEC_CHAR *pszPackageName, PSecPkgInfoA *ppPackageInfo);
SECURITY_STATUS SEC_ENTRY QuerySecurityPackageInfoW(SEC_WCHAR *pszPackageName, PSecPkgInfoW *ppPackageInfo);

/* EnumerateSecurityPackagesA/W() - every package, each as
 * QuerySecurityPackageInfo() describes it; free the array with
 * FreeContextBuffer(). */
SECURITY_STATUS SEC_ENTRY EnumerateSecurityPackagesA(ULONG *pcPackages, PSecPkgInfoA *ppPackageInfo);
SECURITY_STATUS SEC_ENTRY EnumerateSecurityPackagesW(ULONG *pcPackages, PSecPkgInfoW *ppPackageInfo);

/* FreeContextBuffer() - free a buffer this library returned (package infos,
 * names, tokens allocated for *_REQ_ALLOCATE_MEMORY); NULL is fine.
 * Returns SEC_E_OK. */
SECURITY_STATUS SEC_ENTRY FreeContextBuffer(void *pvContextBuffer);

/*
 * AcquireCredentialsHandleA/W() - credentials of @pszPackage:
 *   SECPKG_CRED_INBOUND   a server's: the service keys from the keytab
 *                         (KRB5_KTNAME or the default); @pszPrincipal NULL
 *                         accepts for any key in it, else for that
 *                         principal only ("HTTP/host" or "HTTP/host@REALM");
 *   SECPKG_CRED_OUTBOUND  a client's: @pAuthData NULL uses the caller's
 *                         ticket cache (KRB5CCNAME), for @pszPrincipal if
 *                         given; a SEC_WINNT_AUTH_IDENTITY_A/W gets a fresh
 *                         TGT for User@Domain with Password (no cache).
 *   SECPKG_CRED_BOTH      both.
 * @pvLogonID, @pGetKeyFn, @pvGetKeyArgument must be NULL.  *@ptsExpiry
 * (optional) receives the credentials' expiry.
 * Returns SEC_E_OK; SEC_E_SECPKG_NOT_FOUND; SEC_E_UNSUPPORTED_FUNCTION (the
 * "Impersonate" package has no credentials); SEC_E_INVALID_PARAMETER;
 * SEC_E_NO_CREDENTIALS (no keytab entry, no ticket cache);
 * SEC_E_LOGON_DENIED (wrong password, unknown user); SEC_E_UNKNOWN_CREDENTIALS
 * (malformed @pAuthData or principal); SEC_E_NO_AUTHENTICATING_AUTHORITY
 * (no KDC reachable); SEC_E_INSUFFICIENT_MEMORY.
 */
SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleA(SEC_CHAR *pszPrincipal, SEC_CHAR *pszPackage,
                                                    ULONG fCredentialUse, void *pvLogonID, void *pAuthData,
                                                    SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
                                                    PCredHandle phCredential, PTimeStamp ptsExpiry);
SECURITY_STATUS SEC_ENTRY AcquireCredentialsHandleW(SEC_WCHAR *pszPrincipal, SEC_WCHAR *pszPackage,
                                                    ULONG fCredentialUse, void *pvLogonID, void *pAuthData,
                                                    SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
                                                    PCredHandle phCredential, PTimeStamp ptsExpiry);

/* FreeCredentialsHandle() - invalidate the handle; contexts made with it
 * keep working.  Returns SEC_E_OK or SEC_E_INVALID_HANDLE. */
SECURITY_STATUS SEC_ENTRY FreeCredentialsHandle(PCredHandle phCredential);
/* The older spelling Microsoft's sspi.h keeps as a macro. */
#define FreeCredentialHandle FreeCredentialsHandle

/* QueryCredentialsAttributesA/W() - SECPKG_CRED_ATTR_NAMES only: the
 * principal (SecPkgCredentials_Names, freed with FreeContextBuffer()).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_UNSUPPORTED_FUNCTION,
 * SEC_E_INVALID_PARAMETER, SEC_E_NO_CREDENTIALS (credentials with no name;
 * MIT names inbound credentials for "any key" by the keytab's principal) or
 * SEC_E_INSUFFICIENT_MEMORY. */
SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesA(PCredHandle phCredential, ULONG ulAttribute, void *pBuffer);
SECURITY_STATUS SEC_ENTRY QueryCredentialsAttributesW(PCredHandle phCredential, ULONG ulAttribute, void *pBuffer);

/*
 * InitializeSecurityContextA/W() - the client's side of the handshake.  First
 * call: @phContext NULL, @pInput NULL; later calls: the context and the
 * server's token (SECBUFFER_TOKEN in @pInput).  @pszTargetName is the
 * service principal ("HTTP/host", "host/host@REALM").  The token to send is
 * written to @pOutput's SECBUFFER_TOKEN (into the caller's buffer, or
 * allocated with ISC_REQ_ALLOCATE_MEMORY: FreeContextBuffer()); cbBuffer 0
 * means nothing to send.  @phNewContext receives the handle on the first
 * call (also on SEC_I_CONTINUE_NEEDED; delete it on a later failure).
 * Returns SEC_E_OK, SEC_I_CONTINUE_NEEDED, or SEC_E_INVALID_HANDLE,
 * SEC_E_INVALID_TOKEN (missing or malformed server token), SEC_E_NO_CREDENTIALS,
 * SEC_E_TARGET_UNKNOWN (no such service principal), SEC_E_WRONG_PRINCIPAL,
 * SEC_E_LOGON_DENIED, SEC_E_BUFFER_TOO_SMALL, SEC_E_TIME_SKEW,
 * SEC_E_CONTEXT_EXPIRED, SEC_E_NO_AUTHENTICATING_AUTHORITY,
 * SEC_E_INSUFFICIENT_MEMORY, SEC_E_INTERNAL_ERROR.
 */
SECURITY_STATUS SEC_ENTRY InitializeSecurityContextA(PCredHandle phCredential, PCtxtHandle phContext,
                                                     SEC_CHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
                                                     ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
                                                     PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                     ULONG *pfContextAttr, PTimeStamp ptsExpiry);
SECURITY_STATUS SEC_ENTRY InitializeSecurityContextW(PCredHandle phCredential, PCtxtHandle phContext,
                                                     SEC_WCHAR *pszTargetName, ULONG fContextReq, ULONG Reserved1,
                                                     ULONG TargetDataRep, PSecBufferDesc pInput, ULONG Reserved2,
                                                     PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                     ULONG *pfContextAttr, PTimeStamp ptsExpiry);

/*
 * AcceptSecurityContext() - the server's side: the client's token in
 * @pInput's SECBUFFER_TOKEN, the reply (if any) in @pOutput's as for
 * InitializeSecurityContext().  When the handshake completes the client is
 * logged on, before SEC_E_OK is returned (SPEC A2):
 *   1. the client principal becomes a local user name by the krb5
 *      auth_to_local rules (gss_localname);
 *   2. the account and session parts of the service's PAM stack run for
 *      that user with no conversation and no password step (pam_acct_mgmt,
 *      pam_open_session), as sshd does for a GSSAPI logon.
 *      pam_impersonate(8) in the session part makes the token, so its
 *      options (min_uid, allow_root, groups, mode, level) and every other
 *      account/session module decide;
 *   3. the token becomes the context's (ImpersonateSecurityContext,
 *      QuerySecurityContextToken).
 * The PAM service is $IMPERSONATE_PAM_SERVICE if set, else the program's
 * name (program_invocation_short_name), read from /etc/pam.d, or from
 * $IMPERSONATE_PAM_CONFDIR when that is set (pam_start_confdir).  Both are
 * read with secure_getenv().
 * An unmapped principal, a user PAM refuses (root and system users by the
 * module's defaults), or a stack that makes no token: SEC_E_LOGON_DENIED,
 * no context, and one LOG_AUTHPRIV|LOG_NOTICE syslog line with the
 * principal and the reason.  ASC_REQ_IDENTIFY makes an identify-level
 * context (S6, ASC_RET_IDENTIFY).
 * Other returns: SEC_I_CONTINUE_NEEDED; SEC_E_INVALID_HANDLE;
 * SEC_E_INVALID_TOKEN (missing, malformed, truncated, replayed or foreign
 * token); SEC_E_NO_CREDENTIALS; SEC_E_WRONG_PRINCIPAL (a ticket for a
 * principal not in the keytab); SEC_E_MESSAGE_ALTERED; SEC_E_TIME_SKEW;
 * SEC_E_CONTEXT_EXPIRED; SEC_E_BUFFER_TOO_SMALL; SEC_E_INSUFFICIENT_MEMORY;
 * SEC_E_INTERNAL_ERROR.  A failed first call issues no handle.
 */
SECURITY_STATUS SEC_ENTRY AcceptSecurityContext(PCredHandle phCredential, PCtxtHandle phContext,
                                                PSecBufferDesc pInput, ULONG fContextReq, ULONG TargetDataRep,
                                                PCtxtHandle phNewContext, PSecBufferDesc pOutput,
                                                ULONG *pfContextAttr, PTimeStamp ptsExpiry);

/* CompleteAuthToken() - never needed here (no package returns
 * SEC_I_COMPLETE_NEEDED): SEC_E_OK for a valid context, else
 * SEC_E_INVALID_HANDLE. */
SECURITY_STATUS SEC_ENTRY CompleteAuthToken(PCtxtHandle phContext, PSecBufferDesc pToken);

/*
 * MakeSignature() - a MIC over the SECBUFFER_DATA buffers of @pMessage into
 * its SECBUFFER_TOKEN (at least cbMaxSignature bytes; cbBuffer is set to the
 * signature's length).  VerifySignature() checks one; *@pfQOP (optional) gets
 * 0.  @fQOP must be 0; @MessageSeqNo is ignored (the mechanism numbers
 * messages itself).
 * Returns SEC_E_OK, SEC_E_INVALID_HANDLE, SEC_E_INVALID_TOKEN (no
 * SECBUFFER_TOKEN or a malformed one), SEC_E_BUFFER_TOO_SMALL,
 * SEC_E_QOP_NOT_SUPPORTED, SEC_E_MESSAGE_ALTERED (data or signature
 * changed), SEC_E_OUT_OF_SEQUENCE (replayed, reordered or missing message),
 * SEC_E_CONTEXT_EXPIRED (the context's lifetime is over: checked here,
 * since GSSAPI would still protect messages).
 */
SECURITY_STATUS SEC_ENTRY MakeSignature(PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
                                        ULONG MessageSeqNo);
SECURITY_STATUS SEC_ENTRY VerifySignature(PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
                                          ULONG *pfQOP);

/*
 * EncryptMessage() - seal the SECBUFFER_DATA buffer of @pMessage in place;
 * the header and trailer go to its SECBUFFER_TOKEN (cbSecurityTrailer bytes;
 * cbBuffer is set to what was used), padding to a SECBUFFER_PADDING if one
 * is given (the block size is 1 for the Kerberos enctypes MIT uses).
 * @fQOP: 0, or SECQOP_WRAP_NO_ENCRYPT for integrity only.
 * DecryptMessage() - the reverse, for [SECBUFFER_TOKEN, SECBUFFER_DATA] or
 * for [SECBUFFER_STREAM (the whole message), SECBUFFER_DATA (empty: set to
 * point into the stream)]; *@pfQOP (optional) gets SECQOP_WRAP_NO_ENCRYPT if
 * the message was not encrypted.
 * Returns as MakeSignature() and VerifySignature(), plus
 * SEC_E_INCOMPLETE_MESSAGE (a stream shorter than its token says).
 */
SECURITY_STATUS SEC_ENTRY EncryptMessage(PCtxtHandle phContext, ULONG fQOP, PSecBufferDesc pMessage,
                                         ULONG MessageSeqNo);
SECURITY_STATUS SEC_ENTRY DecryptMessage(PCtxtHandle phContext, PSecBufferDesc pMessage, ULONG MessageSeqNo,
                                         ULONG *pfQOP);

/* What cannot exist here (no context export, no control tokens, no added
 * credentials): each returns SEC_E_UNSUPPORTED_FUNCTION. */
SECURITY_STATUS SEC_ENTRY ApplyControlToken(PCtxtHandle phContext, PSecBufferDesc pInput);
SECURITY_STATUS SEC_ENTRY ExportSecurityContext(PCtxtHandle phContext, ULONG fFlags, PSecBuffer pPackedContext,
                                                void **pToken);
SECURITY_STATUS SEC_ENTRY ImportSecurityContextA(SEC_CHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
                                                 PCtxtHandle phContext);
SECURITY_STATUS SEC_ENTRY ImportSecurityContextW(SEC_WCHAR *pszPackage, PSecBuffer pPackedContext, void *Token,
                                                 PCtxtHandle phContext);
SECURITY_STATUS SEC_ENTRY AddCredentialsA(PCredHandle hCredentials, SEC_CHAR *pszPrincipal,
                                          SEC_CHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
                                          SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument, PTimeStamp ptsExpiry);
SECURITY_STATUS SEC_ENTRY AddCredentialsW(PCredHandle hCredentials, SEC_WCHAR *pszPrincipal,
                                          SEC_WCHAR *pszPackage, ULONG fCredentialUse, void *pAuthData,
                                          SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument, PTimeStamp ptsExpiry);

/* ---- The function tables ------------------------------------------------- */

typedef SECURITY_STATUS(SEC_ENTRY *ENUMERATE_SECURITY_PACKAGES_FN_A)(ULONG *, PSecPkgInfoA *);
typedef SECURITY_STATUS(SEC_ENTRY *ENUMERATE_SECURITY_PACKAGES_FN_W)(ULONG *, PSecPkgInfoW *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_FN_A)(PCredHandle, ULONG, void *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_CREDENTIALS_ATTRIBUTES_FN_W)(PCredHandle, ULONG, void *);
typedef SECURITY_STATUS(SEC_ENTRY *ACQUIRE_CREDENTIALS_HANDLE_FN_A)(SEC_CHAR *, SEC_CHAR *, ULONG, void *, void *,
                                                                   SEC_GET_KEY_FN, void *, PCredHandle, PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *ACQUIRE_CREDENTIALS_HANDLE_FN_W)(SEC_WCHAR *, SEC_WCHAR *, ULONG, void *,
                                                                   void *, SEC_GET_KEY_FN, void *, PCredHandle,
                                                                   PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *FREE_CREDENTIALS_HANDLE_FN)(PCredHandle);
typedef SECURITY_STATUS(SEC_ENTRY *INITIALIZE_SECURITY_CONTEXT_FN_A)(PCredHandle, PCtxtHandle, SEC_CHAR *, ULONG,
                                                                    ULONG, ULONG, PSecBufferDesc, ULONG,
                                                                    PCtxtHandle, PSecBufferDesc, ULONG *,
                                                                    PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *INITIALIZE_SECURITY_CONTEXT_FN_W)(PCredHandle, PCtxtHandle, SEC_WCHAR *,
                                                                    ULONG, ULONG, ULONG, PSecBufferDesc, ULONG,
                                                                    PCtxtHandle, PSecBufferDesc, ULONG *,
                                                                    PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *ACCEPT_SECURITY_CONTEXT_FN)(PCredHandle, PCtxtHandle, PSecBufferDesc, ULONG,
                                                              ULONG, PCtxtHandle, PSecBufferDesc, ULONG *,
                                                              PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *COMPLETE_AUTH_TOKEN_FN)(PCtxtHandle, PSecBufferDesc);
typedef SECURITY_STATUS(SEC_ENTRY *DELETE_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *APPLY_CONTROL_TOKEN_FN)(PCtxtHandle, PSecBufferDesc);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_FN_A)(PCtxtHandle, ULONG, void *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_CONTEXT_ATTRIBUTES_FN_W)(PCtxtHandle, ULONG, void *);
typedef SECURITY_STATUS(SEC_ENTRY *IMPERSONATE_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *REVERT_SECURITY_CONTEXT_FN)(PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *MAKE_SIGNATURE_FN)(PCtxtHandle, ULONG, PSecBufferDesc, ULONG);
typedef SECURITY_STATUS(SEC_ENTRY *VERIFY_SIGNATURE_FN)(PCtxtHandle, PSecBufferDesc, ULONG, ULONG *);
typedef SECURITY_STATUS(SEC_ENTRY *FREE_CONTEXT_BUFFER_FN)(void *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_SECURITY_PACKAGE_INFO_FN_A)(SEC_CHAR *, PSecPkgInfoA *);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_SECURITY_PACKAGE_INFO_FN_W)(SEC_WCHAR *, PSecPkgInfoW *);
typedef SECURITY_STATUS(SEC_ENTRY *EXPORT_SECURITY_CONTEXT_FN)(PCtxtHandle, ULONG, PSecBuffer, void **);
typedef SECURITY_STATUS(SEC_ENTRY *IMPORT_SECURITY_CONTEXT_FN_A)(SEC_CHAR *, PSecBuffer, void *, PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *IMPORT_SECURITY_CONTEXT_FN_W)(SEC_WCHAR *, PSecBuffer, void *, PCtxtHandle);
typedef SECURITY_STATUS(SEC_ENTRY *ADD_CREDENTIALS_FN_A)(PCredHandle, SEC_CHAR *, SEC_CHAR *, ULONG, void *,
                                                        SEC_GET_KEY_FN, void *, PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *ADD_CREDENTIALS_FN_W)(PCredHandle, SEC_WCHAR *, SEC_WCHAR *, ULONG, void *,
                                                        SEC_GET_KEY_FN, void *, PTimeStamp);
typedef SECURITY_STATUS(SEC_ENTRY *QUERY_SECURITY_CONTEXT_TOKEN_FN)(PCtxtHandle, void **);
typedef SECURITY_STATUS(SEC_ENTRY *ENCRYPT_MESSAGE_FN)(PCtxtHandle, ULONG, PSecBufferDesc, ULONG);
typedef SECURITY_STATUS(SEC_ENTRY *DECRYPT_MESSAGE_FN)(PCtxtHandle, PSecBufferDesc, ULONG, ULONG *);

#define SECURITY_SUPPORT_PROVIDER_INTERFACE_VERSION 1

/*
 * The Windows table layouts (version 1: up to DecryptMessage).  No slot is
 * NULL: the Reserved ones hold a function returning
 * SEC_E_UNSUPPORTED_FUNCTION, as do the entries that cannot exist here.
 */
typedef struct _SECURITY_FUNCTION_TABLE_A {
	ULONG dwVersion;
	ENUMERATE_SECURITY_PACKAGES_FN_A EnumerateSecurityPackagesA;
	QUERY_CREDENTIALS_ATTRIBUTES_FN_A QueryCredentialsAttributesA;
	ACQUIRE_CREDENTIALS_HANDLE_FN_A AcquireCredentialsHandleA;
	FREE_CREDENTIALS_HANDLE_FN FreeCredentialHandle;
	void *Reserved2;
	INITIALIZE_SECURITY_CONTEXT_FN_A InitializeSecurityContextA;
	ACCEPT_SECURITY_CONTEXT_FN AcceptSecurityContext;
	COMPLETE_AUTH_TOKEN_FN CompleteAuthToken;
	DELETE_SECURITY_CONTEXT_FN DeleteSecurityContext;
	APPLY_CONTROL_TOKEN_FN ApplyControlToken;
	QUERY_CONTEXT_ATTRIBUTES_FN_A QueryContextAttributesA;
	IMPERSONATE_SECURITY_CONTEXT_FN ImpersonateSecurityContext;
	REVERT_SECURITY_CONTEXT_FN RevertSecurityContext;
	MAKE_SIGNATURE_FN MakeSignature;
	VERIFY_SIGNATURE_FN VerifySignature;
	FREE_CONTEXT_BUFFER_FN FreeContextBuffer;
	QUERY_SECURITY_PACKAGE_INFO_FN_A QuerySecurityPackageInfoA;
	void *Reserved3;
	void *Reserved4;
	EXPORT_SECURITY_CONTEXT_FN ExportSecurityContext;
	IMPORT_SECURITY_CONTEXT_FN_A ImportSecurityContextA;
	ADD_CREDENTIALS_FN_A AddCredentialsA;
	void *Reserved8;
	QUERY_SECURITY_CONTEXT_TOKEN_FN QuerySecurityContextToken;
	ENCRYPT_MESSAGE_FN EncryptMessage;
	DECRYPT_MESSAGE_FN DecryptMessage;
} SecurityFunctionTableA, *PSecurityFunctionTableA;

typedef struct _SECURITY_FUNCTION_TABLE_W {
	ULONG dwVersion;
	ENUMERATE_SECURITY_PACKAGES_FN_W EnumerateSecurityPackagesW;
	QUERY_CREDENTIALS_ATTRIBUTES_FN_W QueryCredentialsAttributesW;
	ACQUIRE_CREDENTIALS_HANDLE_FN_W AcquireCredentialsHandleW;
	FREE_CREDENTIALS_HANDLE_FN FreeCredentialsHandle;
	void *Reserved2;
	INITIALIZE_SECURITY_CONTEXT_FN_W InitializeSecurityContextW;
	ACCEPT_SECURITY_CONTEXT_FN AcceptSecurityContext;
	COMPLETE_AUTH_TOKEN_FN CompleteAuthToken;
	DELETE_SECURITY_CONTEXT_FN DeleteSecurityContext;
	APPLY_CONTROL_TOKEN_FN ApplyControlToken;
	QUERY_CONTEXT_ATTRIBUTES_FN_W QueryContextAttributesW;
	IMPERSONATE_SECURITY_CONTEXT_FN ImpersonateSecurityContext;
	REVERT_SECURITY_CONTEXT_FN RevertSecurityContext;
	MAKE_SIGNATURE_FN MakeSignature;
	VERIFY_SIGNATURE_FN VerifySignature;
	FREE_CONTEXT_BUFFER_FN FreeContextBuffer;
	QUERY_SECURITY_PACKAGE_INFO_FN_W QuerySecurityPackageInfoW;
	void *Reserved3;
	void *Reserved4;
	EXPORT_SECURITY_CONTEXT_FN ExportSecurityContext;
	IMPORT_SECURITY_CONTEXT_FN_W ImportSecurityContextW;
	ADD_CREDENTIALS_FN_W AddCredentialsW;
	void *Reserved8;
	QUERY_SECURITY_CONTEXT_TOKEN_FN QuerySecurityContextToken;
	ENCRYPT_MESSAGE_FN EncryptMessage;
	DECRYPT_MESSAGE_FN DecryptMessage;
} SecurityFunctionTableW, *PSecurityFunctionTableW;

/* InitSecurityInterfaceA/W() - the process-wide tables (read-only; never
 * NULL). */
PSecurityFunctionTableA SEC_ENTRY InitSecurityInterfaceA(void);
PSecurityFunctionTableW SEC_ENTRY InitSecurityInterfaceW(void);
typedef PSecurityFunctionTableA(SEC_ENTRY *INIT_SECURITY_INTERFACE_A)(void);
typedef PSecurityFunctionTableW(SEC_ENTRY *INIT_SECURITY_INTERFACE_W)(void);

#define SECURITY_ENTRYPOINT_ANSIA "InitSecurityInterfaceA"
#define SECURITY_ENTRYPOINT_ANSIW "InitSecurityInterfaceW"

/* Generic names: W with UNICODE, A without. */
#ifdef UNICODE
#define IMP_SSPI_AW_(n) n##W
#else
#define IMP_SSPI_AW_(n) n##A
#endif
#define SecPkgInfo IMP_SSPI_AW_(SecPkgInfo)
#define PSecPkgInfo IMP_SSPI_AW_(PSecPkgInfo)
#define SecPkgContext_Names IMP_SSPI_AW_(SecPkgContext_Names)
#define PSecPkgContext_Names IMP_SSPI_AW_(PSecPkgContext_Names)
#define SecPkgContext_NativeNames IMP_SSPI_AW_(SecPkgContext_NativeNames)
#define PSecPkgContext_NativeNames IMP_SSPI_AW_(PSecPkgContext_NativeNames)
#define SecPkgContext_PackageInfo IMP_SSPI_AW_(SecPkgContext_PackageInfo)
#define PSecPkgContext_PackageInfo IMP_SSPI_AW_(PSecPkgContext_PackageInfo)
#define SecPkgCredentials_Names IMP_SSPI_AW_(SecPkgCredentials_Names)
#define PSecPkgCredentials_Names IMP_SSPI_AW_(PSecPkgCredentials_Names)
#define SEC_WINNT_AUTH_IDENTITY IMP_SSPI_AW_(SEC_WINNT_AUTH_IDENTITY_)
#define PSEC_WINNT_AUTH_IDENTITY IMP_SSPI_AW_(PSEC_WINNT_AUTH_IDENTITY_)
#define SecurityFunctionTable IMP_SSPI_AW_(SecurityFunctionTable)
#define PSecurityFunctionTable IMP_SSPI_AW_(PSecurityFunctionTable)
#define AcquireCredentialsHandle IMP_SSPI_AW_(AcquireCredentialsHandle)
#define QueryCredentialsAttributes IMP_SSPI_AW_(QueryCredentialsAttributes)
#define InitializeSecurityContext IMP_SSPI_AW_(InitializeSecurityContext)
#define QueryContextAttributes IMP_SSPI_AW_(QueryContextAttributes)
#define QuerySecurityPackageInfo IMP_SSPI_AW_(QuerySecurityPackageInfo)
#define EnumerateSecurityPackages IMP_SSPI_AW_(EnumerateSecurityPackages)
#define ImportSecurityContext IMP_SSPI_AW_(ImportSecurityContext)
#define AddCredentials IMP_SSPI_AW_(AddCredentials)
#define InitSecurityInterface IMP_SSPI_AW_(InitSecurityInterface)
#define INIT_SECURITY_INTERFACE IMP_SSPI_AW_(INIT_SECURITY_INTERFACE_)
#define SECURITY_ENTRYPOINT_ANSI IMP_SSPI_AW_(SECURITY_ENTRYPOINT_ANSI)
#define NEGOSSP_NAME IMP_SSPI_AW_(NEGOSSP_NAME_)
#define MICROSOFT_KERBEROS_NAME IMP_SSPI_AW_(MICROSOFT_KERBEROS_NAME_)
#define IMP_SSP_NAME IMP_SSPI_AW_(IMP_SSP_NAME_)
#ifdef UNICODE
typedef SEC_WCHAR *SECURITY_PSTR;
#else
typedef SEC_CHAR *SECURITY_PSTR;
#endif

#ifdef __cplusplus
}
#endif
#endif /* IMPERSONATE_SSPI_H */
