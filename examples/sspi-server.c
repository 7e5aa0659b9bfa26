/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sspi-server: a server written the way a Windows SSPI server is written,
 * going through the InitSecurityInterfaceA() table: check that the package
 * can impersonate, accept the client, impersonate it, act as the client on
 * files, revert, delete the context.  The one Linux-specific step is the
 * accept: the client's identity is established by PAM (pam_impersonate(8) in
 * the service's stack) instead of AcceptSecurityContext's token exchange.
 *
 *     sspi-server [-c PAM-CONFDIR] [-s SERVICE] USER FILE...
 *
 * For each FILE it prints what the client gets when opening it, then what
 * the server gets after reverting.  Run as root (or with CAP_SETUID and
 * CAP_SETGID).  Exit status: 0 when every SSPI and PAM step succeeded
 * (whatever the files' permissions said), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "impersonate/sspi.h"

static PSecurityFunctionTableA sspi;

/* No prompts: the client was authenticated by the transport (a Unix socket's
 * peer credentials, a TLS certificate, ...) before PAM runs. */
static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n, (void)msg, (void)resp, (void)data;
	return PAM_CONV_ERR;
}

static int fail(const char *what, SECURITY_STATUS st)
{
	fprintf(stderr, "sspi-server: %s failed: 0x%08X\n", what, (unsigned)st);
	return 1;
}

/* The package must say it can impersonate here (RevertSecurityContext's
 * remarks: only packages whose QuerySecurityPackageInfo says so). */
static int check_package(void)
{
	PSecPkgInfoA pkg;
	SECURITY_STATUS st = sspi->QuerySecurityPackageInfoA((SEC_CHAR *)IMP_SSP_NAME_A, &pkg);
	if (st != SEC_E_OK)
		return fail("QuerySecurityPackageInfoA", st);
	int can = (pkg->fCapabilities & SECPKG_FLAG_IMPERSONATION) != 0;
	printf("package %s: %s\n", pkg->Name, can ? "impersonation supported" : pkg->Comment);
	sspi->FreeContextBuffer(pkg);
	return can ? 0 : 1;
}

/* What the calling thread gets from open(2): the first line, or the error. */
static void show_open(const char *who, const char *path)
{
	char line[256] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("as %-6s %s: %s\n", who, path, strerror(errno));
		return;
	}
	ssize_t n = read(fd, line, sizeof(line) - 1);
	close(fd);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	printf("as %-6s %s: %s\n", who, path, line);
}

/* Impersonate, act, revert: the shape of every request. */
static int serve_file(CtxtHandle *ctx, const char *path)
{
	SECURITY_STATUS st = sspi->ImpersonateSecurityContext(ctx);
	if (st != SEC_E_OK)
		return fail("ImpersonateSecurityContext", st);
	show_open("client", path);
	st = sspi->RevertSecurityContext(ctx);
	if (st != SEC_E_OK) {
		/* Never go on with the wrong identity. */
		fail("RevertSecurityContext", st);
		abort();
	}
	show_open("server", path);
	return 0;
}

static int serve(pam_handle_t *pamh, char **files, int nfiles)
{
	CtxtHandle ctx;
	ULONG attrs;
	SecPkgContext_NamesA names;

	SECURITY_STATUS st = ImpAcceptSecurityContextFromPam(pamh, 0, &ctx, &attrs);
	if (st != SEC_E_OK)
		return fail("ImpAcceptSecurityContextFromPam", st);
	st = sspi->QueryContextAttributesA(&ctx, SECPKG_ATTR_NAMES, &names);
	if (st != SEC_E_OK)
		return fail("QueryContextAttributesA", st);
	printf("client: %s\n", names.sUserName);
	sspi->FreeContextBuffer(names.sUserName);

	int r = 0;
	for (int i = 0; i < nfiles && r == 0; i++)
		r = serve_file(&ctx, files[i]);
	st = sspi->DeleteSecurityContext(&ctx);
	return st == SEC_E_OK ? r : fail("DeleteSecurityContext", st);
}

static int pam_step(pam_handle_t *pamh, const char *what, int r)
{
	if (r != PAM_SUCCESS)
		fprintf(stderr, "sspi-server: %s: %s\n", what, pam_strerror(pamh, r));
	return r;
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = "sspi-server";
	static const struct pam_conv conv = {no_conv, NULL};
	pam_handle_t *pamh = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "c:s:")) != -1) {
		if (opt == 'c')
			confdir = optarg;
		else if (opt == 's')
			service = optarg;
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: sspi-server [-c PAM-CONFDIR] [-s SERVICE] USER FILE...\n");
		return 2;
	}

	sspi = InitSecurityInterfaceA();
	if (check_package() != 0)
		return 1;
	int r = confdir ? pam_start_confdir(service, argv[optind], &conv, confdir, &pamh)
	                : pam_start(service, argv[optind], &conv, &pamh);
	if (r != PAM_SUCCESS) {
		fprintf(stderr, "sspi-server: pam_start: %s\n", pam_strerror(pamh, r));
		return 1;
	}
	if (pam_step(pamh, "pam_authenticate", pam_authenticate(pamh, PAM_SILENT)) == PAM_SUCCESS &&
	    pam_step(pamh, "pam_acct_mgmt", pam_acct_mgmt(pamh, PAM_SILENT)) == PAM_SUCCESS &&
	    pam_step(pamh, "pam_setcred", pam_setcred(pamh, PAM_ESTABLISH_CRED)) == PAM_SUCCESS) {
		if (pam_step(pamh, "pam_open_session", pam_open_session(pamh, PAM_SILENT)) == PAM_SUCCESS) {
			r = serve(pamh, argv + optind + 1, argc - optind - 1);
			pam_close_session(pamh, PAM_SILENT);
		} else {
			r = 1;
		}
		pam_setcred(pamh, PAM_DELETE_CRED);
	} else {
		r = 1;
	}
	pam_end(pamh, r == 0 ? PAM_SUCCESS : PAM_ABORT);
	return r;
}
