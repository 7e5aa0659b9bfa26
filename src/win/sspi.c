/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SSPI contexts over the native API (SPEC S1-S7, seed 000).
 *
 * Every entry point resolves its handle through the table first (contexts.c),
 * takes its own token reference there and drops the lock before calling the
 * engine, so a DeleteSecurityContext() racing with an impersonation cannot
 * free the token under it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "win.h"

static SECURITY_STATUS accept_token(imp_token *tok, ULONG req, PCtxtHandle out, ULONG *attr)
{
	if (!out)
		return SEC_E_INVALID_HANDLE;
	if (imp_token_is_revoked(tok))
		return SEC_E_CONTEXT_EXPIRED; /* K4: a closed session gives nothing */

	unsigned flags = (req & ASC_REQ_IDENTIFY) ? CTX_IDENTIFY : 0;
	CtxtHandle h;
	SECURITY_STATUS st = ctx_issue(tok, flags, &h);
	if (st != SEC_E_OK)
		return st;
	*out = h;
	if (attr)
		*attr = (flags & CTX_IDENTIFY) || (imp_token_flags(tok) & IMP_LEVEL_IDENTIFY) ? ASC_RET_IDENTIFY : 0;
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS ImpAcceptSecurityContextFromPam(struct pam_handle *pamh, ULONG fContextReq,
                                                           PCtxtHandle phNewContext, ULONG *pfContextAttr)
{
	imp_token *tok;
	if (!pamh)
		return SEC_E_INVALID_HANDLE;
	if (imp_token_from_pam(pamh, &tok) < 0)
		return SEC_E_NO_CREDENTIALS;
	SECURITY_STATUS st = accept_token(tok, fContextReq, phNewContext, pfContextAttr);
	imp_token_unref(tok);
	return st;
}

WIN_PUBLIC SECURITY_STATUS ImpAcceptSecurityContextFromToken(imp_token *token, ULONG fContextReq,
                                                             PCtxtHandle phNewContext, ULONG *pfContextAttr)
{
	if (!token)
		return SEC_E_INVALID_TOKEN;
	return accept_token(token, fContextReq, phNewContext, pfContextAttr);
}

WIN_PUBLIC SECURITY_STATUS ImpersonateSecurityContext(PCtxtHandle phContext)
{
	imp_token *tok;
	unsigned flags;
	SECURITY_STATUS st = ctx_get(phContext, &tok, &flags);
	if (st != SEC_E_OK)
		return st; /* S2: nothing changed */
	if (!tok)
		return SEC_E_NO_IMPERSONATION; /* client side, or no logon yet */
	if (flags & CTX_IDENTIFY)
		st = SEC_E_NO_IMPERSONATION; /* S6, K3 */
	else
		st = sec_from_errno(imp_impersonate(tok));
	imp_token_unref(tok);
	return st;
}

WIN_PUBLIC SECURITY_STATUS RevertSecurityContext(PCtxtHandle phContext)
{
	imp_token *tok;
	unsigned flags;
	SECURITY_STATUS st = ctx_get(phContext, &tok, &flags);
	if (st != SEC_E_OK)
		return st;
	if (tok)
		imp_token_unref(tok);
	/* The engine keeps one saved identity per thread frame, so the revert
	 * is the thread's, whichever valid context is named (S3, T4, T5).
	 * -EUCLEAN (restored after tampering, T9) and -EBUSY (X1: nothing of
	 * ours to restore) are both SEC_E_INTERNAL_ERROR. */
	int r = imp_revert();
	if (r == 0)
		return SEC_E_OK;
	return r == -ENOMEM ? SEC_E_INSUFFICIENT_MEMORY : SEC_E_INTERNAL_ERROR;
}

WIN_PUBLIC SECURITY_STATUS DeleteSecurityContext(PCtxtHandle phContext)
{
	return ctx_delete(phContext);
}

WIN_PUBLIC SECURITY_STATUS QuerySecurityContextToken(PCtxtHandle phContext, void **Token)
{
	imp_token *tok;
	unsigned flags;
	SECURITY_STATUS st = ctx_get(phContext, &tok, &flags);
	if (st != SEC_E_OK)
		return st;
	if (!tok)
		return SEC_E_NO_IMPERSONATION; /* client side, or no logon yet */
	if (!Token) {
		imp_token_unref(tok);
		return SEC_E_INVALID_PARAMETER;
	}
	*Token = tok; /* the reference ctx_get() took is the caller's now */
	return SEC_E_OK;
}
