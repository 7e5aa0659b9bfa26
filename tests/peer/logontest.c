/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "logontest.h"

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "kcreds.h"

static char *dir;

/* @module NULL: a stack that makes no token. */
static void write_service(const char *name, const char *module)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	if (!module) {
		fprintf(f, "auth required %1$s passdb=%2$s/passdb\naccount required %3$s\nsession required %3$s\n",
		        PAM_MATRIX, LOGON_FIXTURES, PAM_PERMIT);
		fclose(f);
		return;
	}
	fprintf(f,
	        "auth required %1$s passdb=%2$s/passdb\n"
	        "auth required %3$s\n"
	        "auth required %4$s\n"
	        "account required %1$s passdb=%2$s/passdb\n"
	        "account required %3$s\n"
	        "account required %4$s\n"
	        "session required %4$s\n",
	        PAM_MATRIX, LOGON_FIXTURES, PAM_LOGON_TEST, module);
	fclose(f);
}

const char *logon_confdir(void)
{
	if (dir)
		return dir;
	dir = tmpdir_make();
	write_service(LOGON_SERVICE, PAM_MODULE);
	write_service("no-token", NULL);
	char path[4096];
	snprintf(path, sizeof(path), "%s/other", dir);
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	fprintf(f, "auth required %1$s\naccount required %1$s\nsession required %1$s\n", PAM_DENY);
	fclose(f);
	return dir;
}

void logon_confdir_remove(void)
{
	if (dir)
		tmpdir_remove(dir);
	dir = NULL;
}
