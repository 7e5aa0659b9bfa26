/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Token handles: issue, check, duplicate, query, close (SPEC W2, W3, W4).
 *
 * A token handle is a slot of the library's one handle table (contexts.c)
 * holding an imp_token, the Windows attributes of this handle (type,
 * impersonation level, rights granted) and, for LogonUser tokens, a
 * reference on the logon session: the session ends when its last handle is
 * closed (A5), which revokes the token (K4).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advapi.h"

DWORD token_access(DWORD desired)
{
	if (desired & (MAXIMUM_ALLOWED | GENERIC_ALL))
		return TOKEN_SPECIFIC_RIGHTS;
	DWORD a = desired & TOKEN_SPECIFIC_RIGHTS;
	if (desired & GENERIC_READ)
		a |= TOKEN_QUERY;
	if (desired & GENERIC_WRITE)
		a |= TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | TOKEN_ADJUST_DEFAULT;
	return a; /* GENERIC_EXECUTE (TOKEN_EXECUTE) grants no specific right */
}

DWORD token_issue(imp_token *tok, struct win_object *logon, unsigned level, bool impersonation,
                  DWORD access, HANDLE *out)
{
	unsigned flags = (level & TOKF_LEVEL_MASK) | (impersonation ? TOKF_IMPERSONATION : 0) |
	                 (access & TOKEN_SPECIFIC_RIGHTS) << TOKF_ACCESS_SHIFT;
	return whandle_issue(HANDLE_TOKEN, logon, tok, flags, out) == 0 ? ERROR_SUCCESS
	                                                                   : ERROR_NOT_ENOUGH_MEMORY;
}

DWORD token_get(HANDLE h, DWORD need, imp_token **tok, unsigned *flags, struct win_object **logon)
{
	unsigned f;
	imp_token *t = NULL;
	struct win_object *o = NULL;
	if (whandle_get(h, HANDLE_TOKEN, &t, &f, logon ? &o : NULL) < 0)
		return ERROR_INVALID_HANDLE;
	if ((f >> TOKF_ACCESS_SHIFT & need) != need) {
		imp_token_unref(t);
		win_object_unref(o);
		return ERROR_ACCESS_DENIED;
	}
	if (tok)
		*tok = t;
	else
		imp_token_unref(t);
	if (flags)
		*flags = f;
	if (logon)
		*logon = o;
	return ERROR_SUCCESS;
}

WIN_PUBLIC HANDLE WINAPI GetCurrentProcess(void)
{
	return WIN_PSEUDO_PROCESS;
}

WIN_PUBLIC HANDLE WINAPI GetCurrentThread(void)
{
	return WIN_PSEUDO_THREAD;
}

WIN_PUBLIC BOOL WINAPI CloseHandle(HANDLE hObject)
{
	if (hObject == WIN_PSEUDO_PROCESS || hObject == WIN_PSEUDO_THREAD)
		return TRUE; /* as on Windows: closing a pseudo-handle does nothing */
	return whandle_close(hObject) == 0 ? TRUE : win_fail(ERROR_INVALID_HANDLE);
}

WIN_PUBLIC BOOL WINAPI DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                                        LPSECURITY_ATTRIBUTES lpTokenAttributes,
                                        SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE type,
                                        PHANDLE phNewToken)
{
	imp_token *tok;
	unsigned f;
	struct win_object *logon;
	DWORD e = token_get(hExistingToken, TOKEN_DUPLICATE, &tok, &f, &logon);
	if (e)
		return win_fail(e);
	unsigned have = f & TOKF_LEVEL_MASK, want = (unsigned)ImpersonationLevel;
	bool src_imp = f & TOKF_IMPERSONATION;
	if (!phNewToken || want > SecurityDelegation ||
	    (type != TokenPrimary && type != TokenImpersonation))
		e = ERROR_INVALID_PARAMETER;
	/* A level is never raised, and a primary token needs one that can act. */
	else if (src_imp && (want > have || (type == TokenPrimary && have < SecurityImpersonation)))
		e = ERROR_BAD_IMPERSONATION_LEVEL;
	else
		e = token_issue(tok, logon, type == TokenPrimary ? SecurityImpersonation : want,
		                type == TokenImpersonation,
		                dwDesiredAccess ? token_access(dwDesiredAccess) : f >> TOKF_ACCESS_SHIFT,
		                phNewToken);
	imp_token_unref(tok);
	win_object_unref(logon);
	return e ? win_fail(e) : TRUE;
}

/* The process's own identity: real ids (impersonation never changes them,
 * T10), and the supplementary groups of this thread when it does not
 * impersonate, else those of the main thread. */
static int process_groups(gid_t *g, size_t cap, size_t *n)
{
	if (imp_is_impersonating() == 0) {
		int k = getgroups((int)cap, g);
		if (k < 0)
			return -errno;
		*n = (size_t)k;
		return 0;
	}
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	char line[4096];
	int r = -EIO;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		*n = 0;
		for (char *p = line + 7, *end; *n < cap; p = end) {
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			g[(*n)++] = (gid_t)v;
		}
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

WIN_PUBLIC BOOL WINAPI OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle)
{
	if (ProcessHandle != WIN_PSEUDO_PROCESS)
		return win_fail(ERROR_INVALID_HANDLE); /* only this process */
	if (!TokenHandle)
		return win_fail(ERROR_INVALID_PARAMETER);
	uid_t ru, eu, su;
	gid_t rg, eg, sg, groups[1024];
	size_t n = 0;
	imp_token *tok;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    process_groups(groups, 1024, &n) < 0 || imp_token_new(ru, rg, groups, n, 0, &tok) < 0)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	DWORD e = token_issue(tok, NULL, SecurityImpersonation, false, token_access(DesiredAccess), TokenHandle);
	imp_token_unref(tok);
	return e ? win_fail(e) : TRUE;
}

WIN_PUBLIC BOOL WINAPI OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf,
                                       PHANDLE TokenHandle)
{
	if (ThreadHandle != WIN_PSEUDO_THREAD)
		return win_fail(ERROR_INVALID_HANDLE); /* only the calling thread */
	if (!TokenHandle)
		return win_fail(ERROR_INVALID_PARAMETER);
	imp_token *tok;
	int r = imp_current_token(&tok);
	if (r == -ENOENT)
		return win_fail(ERROR_NO_TOKEN); /* SPEC W2 */
	if (r < 0)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	DWORD e = token_issue(tok, NULL, thread_level(tok), true, token_access(DesiredAccess), TokenHandle);
	imp_token_unref(tok);
	return e ? win_fail(e) : TRUE;
}

/* ---- GetTokenInformation ------------------------------------------------------ */

/* Bytes the answer for @cls needs, or 0 for a class this layer does not
 * answer (ERROR_INVALID_PARAMETER, as Windows for an unknown class). */
static DWORD info_size(TOKEN_INFORMATION_CLASS cls, size_t ngroups)
{
	switch (cls) {
	case TokenUser:
		return (DWORD)(sizeof(TOKEN_USER) + UNIX_SID_LEN);
	case TokenGroups:
		return (DWORD)(offsetof(TOKEN_GROUPS, Groups) + ngroups * (sizeof(SID_AND_ATTRIBUTES) + UNIX_SID_LEN));
	case TokenPrimaryGroup:
		return (DWORD)(sizeof(TOKEN_PRIMARY_GROUP) + UNIX_SID_LEN);
	case TokenType:
		return sizeof(TOKEN_TYPE);
	case TokenImpersonationLevel:
		return sizeof(SECURITY_IMPERSONATION_LEVEL);
	default:
		return 0;
	}
}

/* One SID_AND_ATTRIBUTES at @at, its SID at @sid (both inside @buf);
 * written with memcpy: the caller's buffer need not be aligned. */
static void put_sid_attr(BYTE *at, BYTE *sid, DWORD kind, uint32_t id, DWORD attributes)
{
	SID_AND_ATTRIBUTES sa = {sid, attributes};
	unix_sid(sid, kind, id);
	memcpy(at, &sa, sizeof(sa));
}

static void info_fill(TOKEN_INFORMATION_CLASS cls, const imp_token *tok, unsigned f, BYTE *buf)
{
	size_t n;
	const gid_t *g = imp_token_groups(tok, &n);
	DWORD v;
	switch (cls) {
	case TokenUser:
		put_sid_attr(buf, buf + sizeof(TOKEN_USER), 1, imp_token_uid(tok), 0);
		break;
	case TokenGroups: {
		DWORD count = (DWORD)n;
		BYTE *arr = buf + offsetof(TOKEN_GROUPS, Groups), *sids = arr + n * sizeof(SID_AND_ATTRIBUTES);
		memcpy(buf, &count, sizeof(count));
		for (size_t i = 0; i < n; i++)
			put_sid_attr(arr + i * sizeof(SID_AND_ATTRIBUTES), sids + i * UNIX_SID_LEN, 2, g[i],
			             SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED);
		break;
	}
	case TokenPrimaryGroup: {
		TOKEN_PRIMARY_GROUP pg = {buf + sizeof(TOKEN_PRIMARY_GROUP)};
		unix_sid(pg.PrimaryGroup, 2, imp_token_gid(tok));
		memcpy(buf, &pg, sizeof(pg));
		break;
	}
	case TokenType:
		v = (f & TOKF_IMPERSONATION) ? TokenImpersonation : TokenPrimary;
		memcpy(buf, &v, sizeof(v));
		break;
	case TokenImpersonationLevel:
		v = f & TOKF_LEVEL_MASK;
		memcpy(buf, &v, sizeof(v));
		break;
	default:
		break;
	}
}

WIN_PUBLIC BOOL WINAPI GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                           LPVOID TokenInformation, DWORD TokenInformationLength,
                                           PDWORD ReturnLength)
{
	imp_token *tok;
	unsigned f;
	DWORD e = token_get(TokenHandle, TOKEN_QUERY, &tok, &f, NULL);
	if (e)
		return win_fail(e);
	size_t n;
	imp_token_groups(tok, &n);
	DWORD need = info_size(TokenInformationClass, n);
	if (!ReturnLength || (!TokenInformation && TokenInformationLength) || need == 0 ||
	    (TokenInformationClass == TokenImpersonationLevel && !(f & TOKF_IMPERSONATION)))
		e = ERROR_INVALID_PARAMETER; /* a primary token has no level */
	else if ((*ReturnLength = need) > TokenInformationLength)
		e = ERROR_INSUFFICIENT_BUFFER; /* nothing written but the length */
	else
		info_fill(TokenInformationClass, tok, f, TokenInformation);
	imp_token_unref(tok);
	return e ? win_fail(e) : TRUE;
}
