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
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#endif /* IMPERSONATE_WINTYPES_H */
