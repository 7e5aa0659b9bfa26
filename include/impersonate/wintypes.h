/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate/wintypes.h - the few Windows base types that
 * <impersonate/sspi.h> and <impersonate/com.h> share.  Guarded, so a program
 * that already has them from another Windows-compatibility header can define
 * IMP_WIN_BASE_TYPES_DEFINED first.
 */
#ifndef IMPERSONATE_WINTYPES_H
#define IMPERSONATE_WINTYPES_H

#include <stdint.h>

#ifndef IMP_WIN_BASE_TYPES_DEFINED
#define IMP_WIN_BASE_TYPES_DEFINED
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef uint32_t DWORD;
typedef uint16_t USHORT;
typedef int BOOL;
typedef intptr_t INT_PTR;
typedef uintptr_t ULONG_PTR;
typedef void *PVOID;
typedef void *HANDLE;
typedef int32_t HRESULT;
#endif

/* UTF-16 code units, 16 bits as on Windows (not wchar_t, which is 32 bits
 * here).  u"..." literals have this type. */
#ifndef IMP_WIN_CHAR_TYPES_DEFINED
#define IMP_WIN_CHAR_TYPES_DEFINED
typedef uint16_t WCHAR;
typedef char CHAR;
typedef unsigned char UCHAR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;
typedef char *LPSTR;
typedef const char *LPCSTR;
typedef union _LARGE_INTEGER {
	struct {
		DWORD LowPart;
		LONG HighPart;
	};
	struct {
		DWORD LowPart;
		LONG HighPart;
	} u;
	int64_t QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
#endif

/* Generic text: UTF-16 when UNICODE is defined, else char. */
#ifndef IMP_WIN_TCHAR_DEFINED
#define IMP_WIN_TCHAR_DEFINED
#ifdef UNICODE
typedef WCHAR TCHAR;
#define __TEXT(q) u##q
#else
typedef char TCHAR;
#define __TEXT(q) q
#endif
typedef TCHAR *LPTSTR;
typedef const TCHAR *LPCTSTR;
#define TEXT(q) __TEXT(q)
#endif
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#endif /* IMPERSONATE_WINTYPES_H */
