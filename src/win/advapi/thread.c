/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calling thread's token (SPEC W1, W2): ImpersonateLoggedOnUser,
 * SetThreadToken, ImpersonateNamedPipeClient, RevertToSelf.  The engine
 * does the work (imp_impersonate/imp_revert: T1-T12); replacing the token
 * is T3, one revert undoes all is T4.  The thread also remembers at which
 * level it impersonates, for OpenThreadToken.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advapi.h"

static __thread const imp_token *noted_token;
static __thread unsigned noted_level;

void thread_note(const imp_token *tok, unsigned level)
{
	noted_token = tok;
	noted_level = level;
}

unsigned thread_level(const imp_token *tok)
{
	return tok == noted_token ? noted_level : SecurityImpersonation;
}

static BOOL impersonate(imp_token *tok, unsigned level)
{
	int r = imp_impersonate(tok);
	if (r < 0)
		return win_fail(win_error_from_errno(r)); /* T6: nothing changed */
	thread_note(tok, level);
	return TRUE;
}

/* @need: rights the handle must grant; @primary_ok: whether a primary token
 * is accepted (ImpersonateLoggedOnUser) or refused (SetThreadToken). */
static BOOL impersonate_handle(HANDLE h, DWORD need, bool primary_ok)
{
	imp_token *tok;
	unsigned f;
	DWORD e = token_get(h, need, &tok, &f, NULL);
	if (e)
		return win_fail(e);
	unsigned level = f & TOKF_LEVEL_MASK;
	BOOL ok;
	if (!(f & TOKF_IMPERSONATION) && !primary_ok)
		ok = win_fail(ERROR_BAD_TOKEN_TYPE);
	else if ((f & TOKF_IMPERSONATION) && level < SecurityImpersonation)
		ok = win_fail(ERROR_BAD_IMPERSONATION_LEVEL); /* SPEC W2, K3 */
	else
		ok = impersonate(tok, (f & TOKF_IMPERSONATION) ? level : SecurityImpersonation);
	imp_token_unref(tok); /* the thread holds its own reference */
	return ok;
}

WIN_PUBLIC BOOL WINAPI ImpersonateLoggedOnUser(HANDLE hToken)
{
	return impersonate_handle(hToken, TOKEN_QUERY | TOKEN_IMPERSONATE, true);
}

WIN_PUBLIC BOOL WINAPI RevertToSelf(void)
{
	int r = imp_revert();
	if (r == -EBUSY || r == -ENOMEM)
		return win_fail(r == -EBUSY ? ERROR_CANNOT_IMPERSONATE : ERROR_NOT_ENOUGH_MEMORY);
	thread_note(NULL, 0);
	if (r == -EUCLEAN) /* restored, but changed behind our back (T9) */
		SetLastError(ERROR_INTERNAL_ERROR);
	return TRUE;
}

WIN_PUBLIC BOOL WINAPI SetThreadToken(PHANDLE Thread, HANDLE Token)
{
	if (Thread && *Thread != WIN_PSEUDO_THREAD)
		return win_fail(ERROR_INVALID_HANDLE); /* only the calling thread */
	if (!Token)
		return RevertToSelf();
	return impersonate_handle(Token, TOKEN_IMPERSONATE, false);
}

/* The "pipe" is a connected Unix socket descriptor: the client is the
 * kernel's record of the peer (SPEC A3), refused for root and system users
 * as imp_token_from_peer() does by default. */
WIN_PUBLIC BOOL WINAPI ImpersonateNamedPipeClient(HANDLE hNamedPipe)
{
	intptr_t v = (intptr_t)hNamedPipe;
	if (v <= 0 || v > INT_MAX)
		return win_fail(ERROR_INVALID_HANDLE);
	imp_token *tok;
	int r = imp_token_from_peer((int)v, 0, &tok);
	switch (r) {
	case 0:
		break;
	case -ENOTCONN:
		return win_fail(ERROR_PIPE_NOT_CONNECTED);
	case -EPERM:
		return win_fail(ERROR_ACCESS_DENIED);
	case -ENOMEM:
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	default: /* -EBADF, -ENOTSOCK: not a pipe */
		return win_fail(ERROR_INVALID_HANDLE);
	}
	BOOL ok = impersonate(tok, SecurityImpersonation);
	imp_token_unref(tok);
	return ok;
}

/* The name of the user the thread runs as: the impersonated token's, else
 * the process's real user through NSS (decimal when NSS has none). */
static char *thread_user_name(void)
{
	imp_token *tok;
	if (imp_current_token(&tok) == 0) {
		char *n = strdup(imp_token_user_name(tok));
		imp_token_unref(tok);
		return n;
	}
	char buf[4096], num[16];
	struct passwd pw, *found = NULL;
	uid_t uid = getuid();
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		return strdup(found->pw_name);
	snprintf(num, sizeof(num), "%u", (unsigned)uid);
	return strdup(num);
}

WIN_PUBLIC BOOL WINAPI GetUserNameA(LPSTR lpBuffer, LPDWORD pcbBuffer)
{
	if (!pcbBuffer)
		return win_fail(ERROR_INVALID_PARAMETER);
	char *n = thread_user_name();
	if (!n)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	DWORD need = (DWORD)strlen(n) + 1;
	BOOL ok = TRUE;
	if (!lpBuffer || *pcbBuffer < need)
		ok = win_fail(ERROR_INSUFFICIENT_BUFFER);
	else
		memcpy(lpBuffer, n, need);
	*pcbBuffer = need; /* with the terminating null, either way */
	free(n);
	return ok;
}

WIN_PUBLIC BOOL WINAPI GetUserNameW(LPWSTR lpBuffer, LPDWORD pcbBuffer)
{
	if (!pcbBuffer)
		return win_fail(ERROR_INVALID_PARAMETER);
	char *n = thread_user_name();
	WCHAR *w = utf8_to_utf16(n);
	free(n);
	if (!w)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	DWORD need = (DWORD)utf16_len(w) + 1;
	BOOL ok = TRUE;
	if (!lpBuffer || *pcbBuffer < need)
		ok = win_fail(ERROR_INSUFFICIENT_BUFFER);
	else
		memcpy(lpBuffer, w, need * sizeof(WCHAR));
	*pcbBuffer = need;
	free(w);
	return ok;
}
