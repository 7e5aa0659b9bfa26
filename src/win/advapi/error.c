/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GetLastError/SetLastError: one DWORD per thread (SPEC W3), and the one
 * table from native errors to Windows codes for impersonation (the logon
 * and process tables are beside their calls; all are in
 * impersonate-advapi(3)).
 */
#include <errno.h>

#include "advapi.h"

static __thread DWORD last_error;

WIN_PUBLIC DWORD WINAPI GetLastError(void)
{
	return last_error;
}

WIN_PUBLIC void WINAPI SetLastError(DWORD dwErrCode)
{
	last_error = dwErrCode;
}

BOOL win_fail(DWORD code)
{
	last_error = code;
	return FALSE;
}

DWORD win_error_from_errno(int r)
{
	switch (r) {
	case 0:
		return ERROR_SUCCESS;
	case -EINVAL:
		return ERROR_INVALID_HANDLE; /* not a token: only a handle gets here */
	case -EACCES:                        /* identify-level token (K3) */
		return ERROR_BAD_IMPERSONATION_LEVEL;
	case -EKEYREVOKED: /* the logon session ended (K4, A5) */
		return ERROR_NO_SUCH_LOGON_SESSION;
	case -EPERM: /* no CAP_SETUID/CAP_SETGID, or a kept capability */
		return ERROR_PRIVILEGE_NOT_HELD;
	case -ENOTSUP: /* no per-thread guarantee (X4) */
		return ERROR_NOT_SUPPORTED;
	case -EBUSY: /* created by an impersonating thread (X1) */
		return ERROR_CANNOT_IMPERSONATE;
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	default: /* -EIO (read-back, T7), a syscall's errno (T6) */
		return ERROR_INTERNAL_ERROR;
	}
}
