/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LogonUser on PAM (SPEC A1, A5): the password goes through the PAM service
 * (authenticate, account, setcred, open_session, imp_session_from_password);
 * the token is the one pam_impersonate(8) made; the session stays open
 * while a handle to the token exists and is ended by the last CloseHandle,
 * which revokes the token.
 *
 * Domain: NULL, "" or "." is this machine: the PAM user is lpszUsername as
 * given (a "user@REALM" name goes to PAM unchanged).  Any other domain D
 * gives the PAM user "D\user", the form winbind and SSSD accept.
 * Logon type: NETWORK gives an impersonation token (SecurityImpersonation),
 * INTERACTIVE, BATCH, SERVICE, UNLOCK and NETWORK_CLEARTEXT a primary token,
 * as on Windows; NEW_CREDENTIALS is not supported.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advapi.h"

struct logon {
	struct win_object base;
	imp_session *session;
};

static char *service_name, *service_dir; /* NULL: IMP_LOGON_SERVICE, system dir */

static void logon_release(struct win_object *o)
{
	struct logon *l = (struct logon *)o;
	(void)imp_session_end(l->session); /* closes PAM, revokes the token */
	free(l);
}

WIN_PUBLIC BOOL WINAPI ImpSetLogonServiceA(LPCSTR service, LPCSTR confdir)
{
	if (service && (!*service || strchr(service, '/')))
		return win_fail(ERROR_INVALID_PARAMETER);
	char *s = service ? strdup(service) : NULL, *d = confdir ? strdup(confdir) : NULL;
	if ((service && !s) || (confdir && !d)) {
		free(s);
		free(d);
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	}
	win_lock();
	char *old_s = service_name, *old_d = service_dir;
	service_name = s;
	service_dir = d;
	win_unlock();
	free(old_s);
	free(old_d);
	return TRUE;
}

/* The PAM session's errors (imp_session_from_password) as LogonUser's. */
static DWORD logon_error(int r)
{
	switch (r) {
	case -EACCES: /* wrong password, unknown user */
	case -EPROTO: /* a prompt nobody can answer */
		return ERROR_LOGON_FAILURE;
	case -EKEYEXPIRED:
		return ERROR_ACCOUNT_EXPIRED;
	case -EKEYREJECTED:
		return ERROR_PASSWORD_MUST_CHANGE;
	case -EPERM: /* root, system users, pam.d account rules */
		return ERROR_ACCOUNT_RESTRICTION;
	case -EHOSTUNREACH:
		return ERROR_NO_LOGON_SERVERS;
	case -EINVAL:
		return ERROR_INVALID_PARAMETER;
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	default: /* -ENOENT (no token made: configuration), -EIO */
		return ERROR_INTERNAL_ERROR;
	}
}

static DWORD check_type(DWORD type, DWORD provider, bool *impersonation)
{
	if (provider > LOGON32_PROVIDER_VIRTUAL)
		return ERROR_INVALID_PARAMETER;
	if (provider == LOGON32_PROVIDER_VIRTUAL)
		return ERROR_NOT_SUPPORTED;
	switch (type) {
	case LOGON32_LOGON_NETWORK:
		*impersonation = true;
		return 0;
	case LOGON32_LOGON_INTERACTIVE:
	case LOGON32_LOGON_BATCH:
	case LOGON32_LOGON_SERVICE:
	case LOGON32_LOGON_UNLOCK:
	case LOGON32_LOGON_NETWORK_CLEARTEXT:
		*impersonation = false;
		return 0;
	case LOGON32_LOGON_NEW_CREDENTIALS:
		return ERROR_NOT_SUPPORTED;
	default:
		return ERROR_INVALID_PARAMETER;
	}
}

/* The PAM user for @user in @domain (see the top of the file), malloc'd. */
static char *pam_user(const char *user, const char *domain)
{
	if (!domain || !*domain || strcmp(domain, ".") == 0)
		return strdup(user);
	char *s;
	return asprintf(&s, "%s\\%s", domain, user) < 0 ? NULL : s;
}

static BOOL logon(const char *user, const char *domain, const char *password, DWORD type, DWORD provider,
                  PHANDLE out)
{
	bool impersonation;
	if (!user || !*user || !password || !out)
		return win_fail(ERROR_INVALID_PARAMETER);
	DWORD e = check_type(type, provider, &impersonation);
	if (e)
		return win_fail(e);
	char *who = pam_user(user, domain), *svc = NULL, *dir = NULL;
	win_lock();
	svc = strdup(service_name ? service_name : IMP_LOGON_SERVICE);
	dir = service_dir ? strdup(service_dir) : NULL;
	bool nomem = !svc || (service_dir && !dir);
	win_unlock();
	struct logon *l = calloc(1, sizeof(*l));
	if (!who || nomem || !l)
		e = ERROR_NOT_ENOUGH_MEMORY;
	int r = e ? 0 : imp_session_from_password(svc, dir, who, password, &l->session);
	if (r < 0)
		e = logon_error(r);
	if (!e) {
		win_object_init(&l->base, logon_release);
		e = token_issue(imp_session_token(l->session), &l->base, SecurityImpersonation, impersonation,
		                TOKEN_SPECIFIC_RIGHTS, out);
		win_object_unref(&l->base); /* the handle holds the session, or it ends here */
		l = NULL;
	}
	free(l);
	free(who);
	free(svc);
	free(dir);
	return e ? win_fail(e) : TRUE;
}

WIN_PUBLIC BOOL WINAPI LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                                  DWORD dwLogonProvider, PHANDLE phToken)
{
	return logon(lpszUsername, lpszDomain, lpszPassword, dwLogonType, dwLogonProvider, phToken);
}

/* LogonUserEx's extra outputs: none is made here (see advapi.h), so asking
 * for one fails before any logon is tried. */
static bool asks_extra(PSID *sid, PVOID *profile, LPDWORD profile_len, PQUOTA_LIMITS quota)
{
	return sid || profile || profile_len || quota;
}

WIN_PUBLIC BOOL WINAPI LogonUserExA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword,
                                    DWORD dwLogonType, DWORD dwLogonProvider, PHANDLE phToken, PSID *ppLogonSid,
                                    PVOID *ppProfileBuffer, LPDWORD pdwProfileLength, PQUOTA_LIMITS pQuotaLimits)
{
	if (asks_extra(ppLogonSid, ppProfileBuffer, pdwProfileLength, pQuotaLimits))
		return win_fail(ERROR_NOT_SUPPORTED);
	return LogonUserA(lpszUsername, lpszDomain, lpszPassword, dwLogonType, dwLogonProvider, phToken);
}

WIN_PUBLIC BOOL WINAPI LogonUserExW(LPCWSTR lpszUsername, LPCWSTR lpszDomain, LPCWSTR lpszPassword,
                                    DWORD dwLogonType, DWORD dwLogonProvider, PHANDLE phToken, PSID *ppLogonSid,
                                    PVOID *ppProfileBuffer, LPDWORD pdwProfileLength, PQUOTA_LIMITS pQuotaLimits)
{
	if (asks_extra(ppLogonSid, ppProfileBuffer, pdwProfileLength, pQuotaLimits))
		return win_fail(ERROR_NOT_SUPPORTED);
	return LogonUserW(lpszUsername, lpszDomain, lpszPassword, dwLogonType, dwLogonProvider, phToken);
}

void utf8_free_secret(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

WIN_PUBLIC BOOL WINAPI LogonUserW(LPCWSTR lpszUsername, LPCWSTR lpszDomain, LPCWSTR lpszPassword,
                                  DWORD dwLogonType, DWORD dwLogonProvider, PHANDLE phToken)
{
	char *u, *d, *p;
	int eu = utf16_to_utf8(lpszUsername, -1, &u);
	int ed = utf16_to_utf8(lpszDomain, -1, &d);
	int ep = utf16_to_utf8(lpszPassword, -1, &p);
	BOOL ok;
	if (eu == -ENOMEM || ed == -ENOMEM || ep == -ENOMEM)
		ok = win_fail(ERROR_NOT_ENOUGH_MEMORY);
	else if (eu || ed || ep) /* malformed UTF-16: no such account */
		ok = win_fail(ERROR_LOGON_FAILURE);
	else
		ok = logon(u, d, p, dwLogonType, dwLogonProvider, phToken);
	free(u);
	free(d);
	utf8_free_secret(p);
	return ok;
}
