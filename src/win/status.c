/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Native errors (negative errno, see impersonate.h) to Windows codes.  The
 * same tables are in impersonate-win(3): keep them in step.
 */
#include <errno.h>

#include "win.h"

SECURITY_STATUS sec_from_errno(int r)
{
	switch (r) {
	case 0:
		return SEC_E_OK;
	case -EACCES: /* identify-level token (K3, S6) */
	case -EPERM:  /* no CAP_SETUID/CAP_SETGID, or a kept capability (S5) */
	case -EBUSY:  /* thread created by an impersonating thread (X1) */
		return SEC_E_NO_IMPERSONATION;
	case -ENOTSUP: /* no per-thread guarantee here (X4, S5) */
		return SEC_E_UNSUPPORTED_FUNCTION;
	case -EKEYREVOKED: /* PAM session closed (K4) */
		return SEC_E_CONTEXT_EXPIRED;
	case -ENOMEM:
		return SEC_E_INSUFFICIENT_MEMORY;
	default: /* -EUCLEAN (revert found tampering, T9), -EIO (read-back, T7),
	          * a syscall's errno (T6) */
		return SEC_E_INTERNAL_ERROR;
	}
}

/* For the dispatcher calls only: IServerSecurity methods return S_OK or
 * E_FAIL (SPEC C2) whatever the native error was. */
HRESULT hr_from_errno(int r)
{
	switch (r) {
	case 0:
		return S_OK;
	case -EUCLEAN: /* ended, restored after tampering (C6) */
		return S_FALSE;
	case -EINVAL:
		return E_INVALIDARG;
	case -ENOMEM:
		return E_OUTOFMEMORY;
	case -ESTALE:
		return RPC_E_CALL_COMPLETE;
	case -EXDEV:
		return RPC_E_WRONG_THREAD;
	default: /* -EOVERFLOW (F5), -EBUSY (X1 or inner calls active) */
		return E_FAIL;
	}
}
