/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SIDs of Unix identities (SPEC W4): S-1-22-1-<uid> for users and
 * S-1-22-2-<gid> for groups, Samba's convention; LookupAccountSid names them
 * through NSS, in the domains "Unix User" and "Unix Group" as Samba does.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advapi.h"

#define SID_MAX_SUB_AUTHORITIES 15
#define UNIX_AUTHORITY 22

DWORD unix_sid(void *out, DWORD kind, uint32_t id)
{
	BYTE b[UNIX_SID_LEN] = {SID_REVISION, 2, 0, 0, 0, 0, 0, UNIX_AUTHORITY};
	memcpy(b + 8, &kind, 4);
	memcpy(b + 12, &id, 4);
	memcpy(out, b, sizeof(b));
	return UNIX_SID_LEN;
}

WIN_PUBLIC BOOL WINAPI IsValidSid(PSID pSid)
{
	const BYTE *b = pSid;
	return b && b[0] == SID_REVISION && b[1] <= SID_MAX_SUB_AUTHORITIES;
}

WIN_PUBLIC DWORD WINAPI GetLengthSid(PSID pSid)
{
	const BYTE *b = pSid;
	return b ? 8u + 4u * b[1] : 0;
}

WIN_PUBLIC BOOL WINAPI EqualSid(PSID pSid1, PSID pSid2)
{
	if (!IsValidSid(pSid1) || !IsValidSid(pSid2))
		return win_fail(ERROR_INVALID_SID);
	SetLastError(ERROR_SUCCESS);
	DWORD n = GetLengthSid(pSid1);
	return n == GetLengthSid(pSid2) && memcmp(pSid1, pSid2, n) == 0;
}

WIN_PUBLIC HLOCAL WINAPI LocalFree(HLOCAL hMem)
{
	free(hMem); /* everything this layer hands out for LocalFree is malloc'd */
	return NULL;
}

/* "S-1-22-1-60001": the authority in decimal below 2^32, else in hex, as
 * Windows writes it. */
static char *sid_text(PSID sid)
{
	const BYTE *b = sid;
	uint64_t auth = 0;
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | b[i];
	char *s = malloc(16 + 24 + b[1] * 11u), *p = s;
	if (!s)
		return NULL;
	p += auth < (UINT64_C(1) << 32) ? sprintf(p, "S-%u-%" PRIu64, b[0], auth)
	                                 : sprintf(p, "S-%u-0x%012" PRIX64, b[0], auth);
	for (unsigned i = 0; i < b[1]; i++) {
		uint32_t sub;
		memcpy(&sub, b + 8 + 4 * i, 4);
		p += sprintf(p, "-%" PRIu32, sub);
	}
	return s;
}

WIN_PUBLIC BOOL WINAPI ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid)
{
	if (!IsValidSid(Sid))
		return win_fail(ERROR_INVALID_SID);
	if (!StringSid)
		return win_fail(ERROR_INVALID_PARAMETER);
	char *s = sid_text(Sid);
	if (!s)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	*StringSid = s;
	return TRUE;
}

WIN_PUBLIC BOOL WINAPI ConvertSidToStringSidW(PSID Sid, LPWSTR *StringSid)
{
	LPSTR a;
	if (!StringSid)
		return win_fail(ERROR_INVALID_PARAMETER);
	if (!ConvertSidToStringSidA(Sid, &a))
		return FALSE;
	WCHAR *w = utf8_to_utf16(a);
	free(a);
	if (!w)
		return win_fail(ERROR_NOT_ENOUGH_MEMORY);
	*StringSid = w;
	return TRUE;
}

/* The name of a Unix SID through NSS, malloc'd; *@use and *@domain set.
 * 0 or a Windows error code. */
static DWORD unix_name(PSID sid, char **name, const char **domain, SID_NAME_USE *use)
{
	const BYTE *b = sid;
	uint32_t kind, id;
	if (!IsValidSid(sid))
		return ERROR_INVALID_SID;
	static const BYTE unix_auth[6] = {0, 0, 0, 0, 0, UNIX_AUTHORITY};
	if (b[1] != 2 || memcmp(b + 2, unix_auth, 6) != 0)
		return ERROR_NONE_MAPPED;
	memcpy(&kind, b + 8, 4);
	memcpy(&id, b + 12, 4);
	char buf[4096];
	const char *found = NULL;
	if (kind == 1) {
		struct passwd pw, *r = NULL;
		if (getpwuid_r(id, &pw, buf, sizeof(buf), &r) == 0 && r)
			found = r->pw_name;
		*domain = "Unix User";
		*use = SidTypeUser;
	} else if (kind == 2) {
		struct group gr, *r = NULL;
		if (getgrgid_r(id, &gr, buf, sizeof(buf), &r) == 0 && r)
			found = r->gr_name;
		*domain = "Unix Group";
		*use = SidTypeGroup;
	}
	if (!found)
		return ERROR_NONE_MAPPED;
	*name = strdup(found);
	return *name ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

/* Copy @name and @domain (already in the caller's character size @w) into
 * the buffers, Windows' way: too small (or a count of 0) sets both counts
 * to the sizes needed with the terminating null; success sets them to the
 * lengths without it. */
static BOOL copy_out(const void *name, size_t nlen, void *nbuf, LPDWORD ncch, const void *dom, size_t dlen,
                     void *dbuf, LPDWORD dcch, size_t w)
{
	if (*ncch < nlen + 1 || *dcch < dlen + 1 || !nbuf || !dbuf) {
		*ncch = (DWORD)nlen + 1;
		*dcch = (DWORD)dlen + 1;
		return win_fail(ERROR_INSUFFICIENT_BUFFER);
	}
	memcpy(nbuf, name, (nlen + 1) * w);
	memcpy(dbuf, dom, (dlen + 1) * w);
	*ncch = (DWORD)nlen;
	*dcch = (DWORD)dlen;
	return TRUE;
}

WIN_PUBLIC BOOL WINAPI LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName,
                                         LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                         PSID_NAME_USE peUse)
{
	if (!cchName || !cchReferencedDomainName || !peUse)
		return win_fail(ERROR_INVALID_PARAMETER);
	if (lpSystemName && *lpSystemName)
		return win_fail(ERROR_NONE_MAPPED); /* only this machine */
	char *name;
	const char *dom;
	SID_NAME_USE use;
	DWORD e = unix_name(Sid, &name, &dom, &use);
	if (e)
		return win_fail(e);
	BOOL ok = copy_out(name, strlen(name), Name, cchName, dom, strlen(dom), ReferencedDomainName,
	                   cchReferencedDomainName, 1);
	if (ok)
		*peUse = use;
	free(name);
	return ok;
}

WIN_PUBLIC BOOL WINAPI LookupAccountSidW(LPCWSTR lpSystemName, PSID Sid, LPWSTR Name, LPDWORD cchName,
                                         LPWSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                         PSID_NAME_USE peUse)
{
	if (!cchName || !cchReferencedDomainName || !peUse)
		return win_fail(ERROR_INVALID_PARAMETER);
	if (lpSystemName && *lpSystemName)
		return win_fail(ERROR_NONE_MAPPED);
	char *name;
	const char *dom;
	SID_NAME_USE use;
	DWORD e = unix_name(Sid, &name, &dom, &use);
	if (e)
		return win_fail(e);
	WCHAR *wn = utf8_to_utf16(name), *wd = utf8_to_utf16(dom);
	free(name);
	BOOL ok = wn && wd ? copy_out(wn, utf16_len(wn), Name, cchName, wd, utf16_len(wd), ReferencedDomainName,
	                              cchReferencedDomainName, sizeof(WCHAR))
	                   : win_fail(ERROR_NOT_ENOUGH_MEMORY);
	if (ok)
		*peUse = use;
	free(wn);
	free(wd);
	return ok;
}
