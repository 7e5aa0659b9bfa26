/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate/advapi.h - the advapi32 thread-token calls (LogonUser,
 * ImpersonateLoggedOnUser, RevertToSelf, ...) with real per-thread effect on
 * Linux: a password logon runs a PAM service, a "named pipe" client is the
 * kernel's record of a Unix socket peer, CreateProcessAsUser starts a
 * program as the user in every id slot.  Link with libimpersonate-win.
 *
 *     HANDLE tok;
 *     if (!LogonUserA("alice", NULL, password, LOGON32_LOGON_INTERACTIVE,
 *                     LOGON32_PROVIDER_DEFAULT, &tok)) ... GetLastError()
 *     if (ImpersonateLoggedOnUser(tok)) {
 *             int fd = open(path, O_RDONLY);   // checked as alice
 *             RevertToSelf();
 *     }
 *     CloseHandle(tok);
 *
 * Names, types, values and structure layouts are Microsoft's (securitybaseapi.h,
 * winbase.h, winnt.h, sddl.h, processthreadsapi.h); what each call does on
 * Linux, and how Windows concepts map, is in impersonate-advapi(3).  In short:
 *
 *  - A token HANDLE names a slot of the library's handle table (as SSPI
 *    context handles do): NULL, closed, forged or random values give
 *    ERROR_INVALID_HANDLE, never a crash (SPEC W3).  A token handle carries
 *    the token type (primary / impersonation), the impersonation level and
 *    the access granted, as on Windows.
 *  - The thread token is replaced, not stacked; RevertToSelf() returns to the
 *    thread's own identity (SPEC W1, T3, T4).
 *  - LogonUser runs the PAM service "impersonate-logon" (IMP_LOGON_SERVICE)
 *    unless ImpSetLogonServiceA() chose another.
 *  - ImpersonateNamedPipeClient() takes a connected Unix socket descriptor as
 *    the handle: (HANDLE)(intptr_t)fd.  STARTUPINFO standard handles are
 *    descriptors the same way.
 *  - SIDs of Unix users and groups are S-1-22-1-<uid> and S-1-22-2-<gid>
 *    (Samba's convention, SPEC W4).
 *  - GetLastError()/SetLastError() are per thread; every failing call here
 *    sets the Windows code (SPEC W3).
 *
 * WCHAR is UTF-16, 16 bits as on Windows (impersonate/wintypes.h; u"..."
 * literals in C).  If your portability layer already defines the types of
 * impersonate/wintypes.h, define its guards first; for the types below,
 * define IMP_WIN_ADVAPI_TYPES_DEFINED.
 */
#ifndef IMPERSONATE_ADVAPI_H
#define IMPERSONATE_ADVAPI_H

#include <stdint.h>

#include <impersonate.h>
#include <impersonate/wintypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef WINAPI
#define WINAPI
#endif

/* ---- Types (winnt.h, minwinbase.h, processthreadsapi.h) ----------------- */

#ifndef IMP_WIN_ADVAPI_TYPES_DEFINED
#define IMP_WIN_ADVAPI_TYPES_DEFINED
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef BYTE *LPBYTE;
typedef DWORD *PDWORD, *LPDWORD;
typedef HANDLE *PHANDLE;
typedef HANDLE HLOCAL;
typedef void *LPVOID;
typedef PVOID PSID;
typedef ULONG_PTR SIZE_T;

#define ANYSIZE_ARRAY 1

typedef struct _SID_IDENTIFIER_AUTHORITY {
	BYTE Value[6];
} SID_IDENTIFIER_AUTHORITY, *PSID_IDENTIFIER_AUTHORITY;

typedef struct _SID {
	BYTE Revision;
	BYTE SubAuthorityCount;
	SID_IDENTIFIER_AUTHORITY IdentifierAuthority;
	DWORD SubAuthority[ANYSIZE_ARRAY];
} SID;

typedef struct _SID_AND_ATTRIBUTES {
	PSID Sid;
	DWORD Attributes;
} SID_AND_ATTRIBUTES, *PSID_AND_ATTRIBUTES;

typedef struct _TOKEN_USER {
	SID_AND_ATTRIBUTES User;
} TOKEN_USER, *PTOKEN_USER;

typedef struct _TOKEN_GROUPS {
	DWORD GroupCount;
	SID_AND_ATTRIBUTES Groups[ANYSIZE_ARRAY];
} TOKEN_GROUPS, *PTOKEN_GROUPS;

typedef struct _TOKEN_PRIMARY_GROUP {
	PSID PrimaryGroup;
} TOKEN_PRIMARY_GROUP, *PTOKEN_PRIMARY_GROUP;

typedef enum _TOKEN_TYPE { TokenPrimary = 1, TokenImpersonation } TOKEN_TYPE, *PTOKEN_TYPE;

typedef enum _SECURITY_IMPERSONATION_LEVEL {
	SecurityAnonymous,
	SecurityIdentification,
	SecurityImpersonation,
	SecurityDelegation
} SECURITY_IMPERSONATION_LEVEL, *PSECURITY_IMPERSONATION_LEVEL;

typedef enum _TOKEN_INFORMATION_CLASS {
	TokenUser = 1,
	TokenGroups,
	TokenPrivileges,
	TokenOwner,
	TokenPrimaryGroup,
	TokenDefaultDacl,
	TokenSource,
	TokenType,
	TokenImpersonationLevel,
	TokenStatistics
	/* later classes exist on Windows; this layer answers the ones above
	 * marked in impersonate-advapi(3) */
} TOKEN_INFORMATION_CLASS, *PTOKEN_INFORMATION_CLASS;

typedef enum _SID_NAME_USE {
	SidTypeUser = 1,
	SidTypeGroup,
	SidTypeDomain,
	SidTypeAlias,
	SidTypeWellKnownGroup,
	SidTypeDeletedAccount,
	SidTypeInvalid,
	SidTypeUnknown,
	SidTypeComputer,
	SidTypeLabel,
	SidTypeLogonSession
} SID_NAME_USE, *PSID_NAME_USE;

typedef struct _SECURITY_ATTRIBUTES {
	DWORD nLength;
	LPVOID lpSecurityDescriptor;
	BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

typedef struct _STARTUPINFOA {
	DWORD cb;
	LPSTR lpReserved;
	LPSTR lpDesktop;
	LPSTR lpTitle;
	DWORD dwX;
	DWORD dwY;
	DWORD dwXSize;
	DWORD dwYSize;
	DWORD dwXCountChars;
	DWORD dwYCountChars;
	DWORD dwFillAttribute;
	DWORD dwFlags;
	WORD wShowWindow;
	WORD cbReserved2;
	LPBYTE lpReserved2;
	HANDLE hStdInput;
	HANDLE hStdOutput;
	HANDLE hStdError;
} STARTUPINFOA, *LPSTARTUPINFOA;

typedef struct _STARTUPINFOW {
	DWORD cb;
	LPWSTR lpReserved;
	LPWSTR lpDesktop;
	LPWSTR lpTitle;
	DWORD dwX;
	DWORD dwY;
	DWORD dwXSize;
	DWORD dwYSize;
	DWORD dwXCountChars;
	DWORD dwYCountChars;
	DWORD dwFillAttribute;
	DWORD dwFlags;
	WORD wShowWindow;
	WORD cbReserved2;
	LPBYTE lpReserved2;
	HANDLE hStdInput;
	HANDLE hStdOutput;
	HANDLE hStdError;
} STARTUPINFOW, *LPSTARTUPINFOW;

typedef struct _PROCESS_INFORMATION {
	HANDLE hProcess;
	HANDLE hThread;
	DWORD dwProcessId;
	DWORD dwThreadId;
} PROCESS_INFORMATION, *PPROCESS_INFORMATION, *LPPROCESS_INFORMATION;
#endif /* IMP_WIN_ADVAPI_TYPES_DEFINED */

/* ---- Constants ------------------------------------------------------------ */

#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)

/* LogonUser dwLogonType / dwLogonProvider (winbase.h) */
#define LOGON32_LOGON_INTERACTIVE 2
#define LOGON32_LOGON_NETWORK 3
#define LOGON32_LOGON_BATCH 4
#define LOGON32_LOGON_SERVICE 5
#define LOGON32_LOGON_UNLOCK 7
#define LOGON32_LOGON_NETWORK_CLEARTEXT 8
#define LOGON32_LOGON_NEW_CREDENTIALS 9
#define LOGON32_PROVIDER_DEFAULT 0
#define LOGON32_PROVIDER_WINNT35 1
#define LOGON32_PROVIDER_WINNT40 2
#define LOGON32_PROVIDER_WINNT50 3
#define LOGON32_PROVIDER_VIRTUAL 4

/* Token access rights (winnt.h) */
#define DELETE 0x00010000u
#define READ_CONTROL 0x00020000u
#define WRITE_DAC 0x00040000u
#define WRITE_OWNER 0x00080000u
#define STANDARD_RIGHTS_REQUIRED 0x000F0000u
#define STANDARD_RIGHTS_READ READ_CONTROL
#define STANDARD_RIGHTS_WRITE READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE READ_CONTROL
#define MAXIMUM_ALLOWED 0x02000000u
#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_ALL 0x10000000u
#define TOKEN_ASSIGN_PRIMARY 0x0001u
#define TOKEN_DUPLICATE 0x0002u
#define TOKEN_IMPERSONATE 0x0004u
#define TOKEN_QUERY 0x0008u
#define TOKEN_QUERY_SOURCE 0x0010u
#define TOKEN_ADJUST_PRIVILEGES 0x0020u
#define TOKEN_ADJUST_GROUPS 0x0040u
#define TOKEN_ADJUST_DEFAULT 0x0080u
#define TOKEN_ADJUST_SESSIONID 0x0100u
#define TOKEN_ALL_ACCESS                                                                     \
	(STANDARD_RIGHTS_REQUIRED | TOKEN_ASSIGN_PRIMARY | TOKEN_DUPLICATE | TOKEN_IMPERSONATE | \
	 TOKEN_QUERY | TOKEN_QUERY_SOURCE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS |      \
	 TOKEN_ADJUST_DEFAULT | TOKEN_ADJUST_SESSIONID)
#define TOKEN_READ (STANDARD_RIGHTS_READ | TOKEN_QUERY)
#define TOKEN_WRITE (STANDARD_RIGHTS_WRITE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | TOKEN_ADJUST_DEFAULT)
#define TOKEN_EXECUTE STANDARD_RIGHTS_EXECUTE

/* Group attributes (winnt.h) */
#define SE_GROUP_MANDATORY 0x00000001u
#define SE_GROUP_ENABLED_BY_DEFAULT 0x00000002u
#define SE_GROUP_ENABLED 0x00000004u

#define SID_REVISION 1
#define SECURITY_MAX_SID_SIZE 68

/* CreateProcess flags and STARTUPINFO flags (winbase.h, processthreadsapi.h) */
#define CREATE_SUSPENDED 0x00000004u
#define CREATE_UNICODE_ENVIRONMENT 0x00000400u
#define STARTF_USESTDHANDLES 0x00000100u

/* WaitForSingleObject (synchapi.h, winbase.h) */
#define INFINITE 0xFFFFFFFFu
#define WAIT_OBJECT_0 0x00000000u
#define WAIT_TIMEOUT 0x00000102u
#define WAIT_FAILED 0xFFFFFFFFu
#define STILL_ACTIVE 259u

/* GetLastError() codes set by this layer (winerror.h) */
#define ERROR_SUCCESS 0L
#define ERROR_INVALID_FUNCTION 1L
#define ERROR_FILE_NOT_FOUND 2L
#define ERROR_ACCESS_DENIED 5L
#define ERROR_INVALID_HANDLE 6L
#define ERROR_NOT_ENOUGH_MEMORY 8L
#define ERROR_NOT_SUPPORTED 50L
#define ERROR_INVALID_PARAMETER 87L
#define ERROR_INSUFFICIENT_BUFFER 122L
#define ERROR_BAD_EXE_FORMAT 193L
#define ERROR_PIPE_NOT_CONNECTED 233L
#define ERROR_NO_TOKEN 1008L
#define ERROR_NO_LOGON_SERVERS 1311L
#define ERROR_NO_SUCH_LOGON_SESSION 1312L
#define ERROR_PRIVILEGE_NOT_HELD 1314L
#define ERROR_LOGON_FAILURE 1326L
#define ERROR_ACCOUNT_RESTRICTION 1327L
#define ERROR_NONE_MAPPED 1332L
#define ERROR_INVALID_SID 1337L
#define ERROR_BAD_IMPERSONATION_LEVEL 1346L
#define ERROR_BAD_TOKEN_TYPE 1349L
#define ERROR_INTERNAL_ERROR 1359L
#define ERROR_CANNOT_IMPERSONATE 1368L
#define ERROR_ACCOUNT_EXPIRED 1793L
#define ERROR_PASSWORD_MUST_CHANGE 1907L

/* The PAM service LogonUser runs unless ImpSetLogonServiceA() chose another
 * (pam.d/impersonate-logon is an example). */
#define IMP_LOGON_SERVICE "impersonate-logon"

/* ---- Last error (errhandlingapi.h): per thread --------------------------- */

DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);

/* ---- Logon (winbase.h) ----------------------------------------------------- */

BOOL WINAPI LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                       DWORD dwLogonProvider, PHANDLE phToken);
BOOL WINAPI LogonUserW(LPCWSTR lpszUsername, LPCWSTR lpszDomain, LPCWSTR lpszPassword, DWORD dwLogonType,
                       DWORD dwLogonProvider, PHANDLE phToken);
/* The same logon; of the extra outputs only NULL is supported here: a
 * logon SID, a profile buffer (an LSA structure) or quota limits asked for
 * give ERROR_NOT_SUPPORTED before any logon is tried. */
typedef struct _QUOTA_LIMITS {
	SIZE_T PagedPoolLimit;
	SIZE_T NonPagedPoolLimit;
	SIZE_T MinimumWorkingSetSize;
	SIZE_T MaximumWorkingSetSize;
	SIZE_T PagefileLimit;
	LARGE_INTEGER TimeLimit;
} QUOTA_LIMITS, *PQUOTA_LIMITS;
BOOL WINAPI LogonUserExA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                         DWORD dwLogonProvider, PHANDLE phToken, PSID *ppLogonSid, PVOID *ppProfileBuffer,
                         LPDWORD pdwProfileLength, PQUOTA_LIMITS pQuotaLimits);
BOOL WINAPI LogonUserExW(LPCWSTR lpszUsername, LPCWSTR lpszDomain, LPCWSTR lpszPassword, DWORD dwLogonType,
                         DWORD dwLogonProvider, PHANDLE phToken, PSID *ppLogonSid, PVOID *ppProfileBuffer,
                         LPDWORD pdwProfileLength, PQUOTA_LIMITS pQuotaLimits);
/* Extension: the PAM service (a file name in @confdir, or in the system's
 * PAM directory when @confdir is NULL) for the LogonUser calls of this
 * process from now on; NULL @service restores IMP_LOGON_SERVICE. */
BOOL WINAPI ImpSetLogonServiceA(LPCSTR service, LPCSTR confdir);

/* ---- Thread and process tokens (securitybaseapi.h, processthreadsapi.h) --- */

BOOL WINAPI ImpersonateLoggedOnUser(HANDLE hToken);
BOOL WINAPI RevertToSelf(void);
BOOL WINAPI SetThreadToken(PHANDLE Thread, HANDLE Token);
BOOL WINAPI OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf, PHANDLE TokenHandle);
BOOL WINAPI OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle);
BOOL WINAPI DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                             LPSECURITY_ATTRIBUTES lpTokenAttributes,
                             SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE TokenType,
                             PHANDLE phNewToken);
BOOL WINAPI GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength);
BOOL WINAPI ImpersonateNamedPipeClient(HANDLE hNamedPipe);
BOOL WINAPI CloseHandle(HANDLE hObject);
/* The user the calling thread runs as: the impersonated one, else the
 * process's (winbase.h); *pcbBuffer counts characters with the null. */
BOOL WINAPI GetUserNameA(LPSTR lpBuffer, LPDWORD pcbBuffer);
BOOL WINAPI GetUserNameW(LPWSTR lpBuffer, LPDWORD pcbBuffer);
HANDLE WINAPI GetCurrentProcess(void);
HANDLE WINAPI GetCurrentThread(void);

/* ---- Processes (processthreadsapi.h, synchapi.h) -------------------------- */

BOOL WINAPI CreateProcessAsUserA(HANDLE hToken, LPCSTR lpApplicationName, LPSTR lpCommandLine,
                                 LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                 LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                 DWORD dwCreationFlags, LPVOID lpEnvironment, LPCSTR lpCurrentDirectory,
                                 LPSTARTUPINFOA lpStartupInfo, LPPROCESS_INFORMATION lpProcessInformation);
BOOL WINAPI CreateProcessAsUserW(HANDLE hToken, LPCWSTR lpApplicationName, LPWSTR lpCommandLine,
                                 LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                 LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                 DWORD dwCreationFlags, LPVOID lpEnvironment, LPCWSTR lpCurrentDirectory,
                                 LPSTARTUPINFOW lpStartupInfo, LPPROCESS_INFORMATION lpProcessInformation);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode);

/* ---- SIDs (securitybaseapi.h, sddl.h, winbase.h) --------------------------- */

BOOL WINAPI ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid);
BOOL WINAPI ConvertSidToStringSidW(PSID Sid, LPWSTR *StringSid);
BOOL WINAPI LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName,
                              LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                              PSID_NAME_USE peUse);
BOOL WINAPI LookupAccountSidW(LPCWSTR lpSystemName, PSID Sid, LPWSTR Name, LPDWORD cchName,
                              LPWSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                              PSID_NAME_USE peUse);
BOOL WINAPI EqualSid(PSID pSid1, PSID pSid2);
DWORD WINAPI GetLengthSid(PSID pSid);
BOOL WINAPI IsValidSid(PSID pSid);
HLOCAL WINAPI LocalFree(HLOCAL hMem);

#ifdef __cplusplus
}
#endif
#endif /* IMPERSONATE_ADVAPI_H */
