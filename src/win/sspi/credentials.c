/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * AcquireCredentialsHandleA, FreeCredentialsHandle,
 * QueryCredentialsAttributesA (the W forms are in unicode.c).
 */
#include <stdlib.h>
#include <string.h>

#include "package.h"

/* A copy of a SEC_WINNT_AUTH_IDENTITY_A/W as UTF-8 strings. */
static SECURITY_STATUS identity_copy(const void *auth, bool wide, struct sspi_identity *id)
{
	const SEC_WINNT_AUTH_IDENTITY_A *a = auth;
	const SEC_WINNT_AUTH_IDENTITY_W *w = auth;
	ULONG flags = wide ? w->Flags : a->Flags;
	*id = (struct sspi_identity){0};
	if (flags == SEC_WINNT_AUTH_IDENTITY_UNICODE) {
		if (utf16_to_utf8(w->User, w->UserLength, &id->user) < 0 ||
		    utf16_to_utf8(w->Domain, w->DomainLength, &id->domain) < 0 ||
		    utf16_to_utf8(w->Password, w->PasswordLength, &id->password) < 0)
			goto bad;
	} else if (flags == SEC_WINNT_AUTH_IDENTITY_ANSI) {
		if ((a->User && !(id->user = strndup((char *)a->User, a->UserLength))) ||
		    (a->Domain && !(id->domain = strndup((char *)a->Domain, a->DomainLength))) ||
		    (a->Password && !(id->password = strndup((char *)a->Password, a->PasswordLength))))
			goto bad;
	} else {
		return SEC_E_UNKNOWN_CREDENTIALS;
	}
	return SEC_E_OK;
bad:
	free(id->user);
	free(id->domain);
	free(id->password);
	return SEC_E_UNKNOWN_CREDENTIALS;
}

static void identity_clear(struct sspi_identity *id)
{
	if (id->password)
		explicit_bzero(id->password, strlen(id->password));
	free(id->user);
	free(id->domain);
	free(id->password);
}

SECURITY_STATUS credentials_acquire(const char *principal, const char *package, ULONG use, void *logon_id,
                                    void *auth, bool wide, SEC_GET_KEY_FN get_key, PCredHandle out,
                                    PTimeStamp expiry)
{
	const struct sspi_package *pkg = package_find(package);
	struct sspi_identity id, *idp = NULL;
	void *state = NULL;
	time_t end;

	if (!pkg)
		return SEC_E_SECPKG_NOT_FOUND;
	if (!pkg->ops)
		return SEC_E_UNSUPPORTED_FUNCTION;
	if (!out || logon_id || get_key)
		return SEC_E_INVALID_PARAMETER;
	use &= ~(ULONG)SECPKG_CRED_DEFAULT;
	if (use != SECPKG_CRED_INBOUND && use != SECPKG_CRED_OUTBOUND && use != SECPKG_CRED_BOTH)
		return SEC_E_INVALID_PARAMETER;
	if (auth) {
		SECURITY_STATUS st = identity_copy(auth, wide, &id);
		if (st != SEC_E_OK)
			return st;
		idp = &id;
	}
	SECURITY_STATUS st = pkg->ops->acquire(pkg, principal, use, idp, &state, &end);
	if (idp)
		identity_clear(idp);
	if (st != SEC_E_OK)
		return st;
	struct sspi_cred *c = cred_new(pkg, use, state);
	if (!c) {
		pkg->ops->cred_free(state);
		return SEC_E_INSUFFICIENT_MEMORY;
	}
	CredHandle h;
	st = handle_issue(HANDLE_CREDENTIALS, &c->base, NULL, 0, &h);
	cred_put(c); /* the table holds it now, or nobody */
	if (st != SEC_E_OK)
		return st;
	*out = h;
	timestamp_set(expiry, end);
	return SEC_E_OK;
}

WIN_PUBLIC SECURITY_STATUS AcquireCredentialsHandleA(SEC_CHAR *pszPrincipal, SEC_CHAR *pszPackage,
                                                     ULONG fCredentialUse, void *pvLogonID, void *pAuthData,
                                                     SEC_GET_KEY_FN pGetKeyFn, void *pvGetKeyArgument,
                                                     PCredHandle phCredential, PTimeStamp ptsExpiry)
{
	(void)pvGetKeyArgument;
	return credentials_acquire(pszPrincipal, pszPackage, fCredentialUse, pvLogonID, pAuthData, false, pGetKeyFn,
	                           phCredential, ptsExpiry);
}

WIN_PUBLIC SECURITY_STATUS FreeCredentialsHandle(PCredHandle phCredential)
{
	return handle_delete(HANDLE_CREDENTIALS, phCredential);
}

WIN_PUBLIC SECURITY_STATUS QueryCredentialsAttributesA(PCredHandle phCredential, ULONG ulAttribute, void *pBuffer)
{
	struct sspi_cred *c;
	SECURITY_STATUS st = cred_get(phCredential, &c);
	if (st != SEC_E_OK)
		return st;
	char *name = NULL;
	if (ulAttribute != SECPKG_CRED_ATTR_NAMES)
		st = SEC_E_UNSUPPORTED_FUNCTION;
	else if (!pBuffer)
		st = SEC_E_INVALID_PARAMETER;
	else if ((st = c->pkg->ops->cred_name(c->state, &name)) == SEC_E_OK)
		((SecPkgCredentials_NamesA *)pBuffer)->sUserName = name;
	cred_put(c);
	return st;
}
