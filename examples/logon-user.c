/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * logon-user: the shape of Microsoft's LogonUser / ImpersonateLoggedOnUser /
 * RevertToSelf sample, compiled unchanged against impersonate/advapi.h: log
 * the user on with a password, impersonate, do the work as the user (here:
 * read files), revert, close the token.  On Linux the password goes through
 * the PAM service "impersonate-logon" (see pam.d/impersonate-logon).
 *
 *     logon-user USER DOMAIN PASSWORD FILE...
 *
 * Exit status 0 when logon, impersonation and revert succeeded (whatever
 * the files allowed), 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impersonate/advapi.h"

static void DisplayError(const char *pszAPI)
{
	printf("%s failed with error %lu\n", pszAPI, (unsigned long)GetLastError());
}

static void ShowUser(const char *when)
{
	char szName[256];
	DWORD cchName = sizeof(szName);
	if (GetUserNameA(szName, &cchName))
		printf("%s: %s\n", when, szName);
	else
		DisplayError("GetUserName");
}

/* The work done on the user's behalf: open and read each file. */
static void ReadFiles(const char *who, int argc, char *argv[])
{
	for (int i = 4; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		char line[256] = "";
		if (!f) {
			printf("as %s %s: %s\n", who, argv[i], strerror(errno));
			continue;
		}
		if (fgets(line, sizeof(line), f))
			line[strcspn(line, "\n")] = '\0';
		printf("as %s %s: %s\n", who, argv[i], line);
		fclose(f);
	}
}

int main(int argc, char *argv[])
{
	HANDLE hToken = NULL;

	if (argc < 4) {
		printf("Usage: %s <user> <domain> <password> [file...]\n", argv[0]);
		return 1;
	}

	if (!LogonUserA(argv[1], argv[2], argv[3], LOGON32_LOGON_INTERACTIVE, LOGON32_PROVIDER_DEFAULT,
	                &hToken)) {
		DisplayError("LogonUser");
		return 1;
	}

	if (!ImpersonateLoggedOnUser(hToken)) {
		DisplayError("ImpersonateLoggedOnUser");
		CloseHandle(hToken);
		return 1;
	}
	ShowUser("impersonating");
	ReadFiles("client", argc, argv);

	if (!RevertToSelf()) {
		/* As Microsoft says: a failed revert must not go on as the user. */
		DisplayError("RevertToSelf");
		exit(1);
	}
	ShowUser("reverted");
	ReadFiles("server", argc, argv);

	CloseHandle(hToken);
	return 0;
}
