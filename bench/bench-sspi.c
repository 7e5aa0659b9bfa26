/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-sspi: what the SSPI layer adds to a Kerberos logon.  Interleaved in
 * one run, beside the private KDC of tests/win/with-kdc.sh:
 *
 *   mit    MIT's own loop: gss_init_sec_context, gss_accept_sec_context,
 *          gss_init_sec_context (mutual), both contexts deleted
 *   layer  the same handshake through InitializeSecurityContextA /
 *          AcceptSecurityContext (with the logon: auth_to_local, the PAM
 *          account and session stack, pam_impersonate's token), then
 *          ImpersonateSecurityContext + RevertSecurityContext, and both
 *          contexts deleted (PAM session closed)
 *   pam    the logon's PAM part alone, as the layer runs it: pam_start,
 *          pam_acct_mgmt, pam_open_session, pam_close_session, pam_end for
 *          the same user and service (the administrator's stack: its cost is
 *          the policy's, the same for a password logon)
 *
 * The overhead is reported twice: layer against mit, and layer minus the
 * PAM stack against mit (what the layer's own code adds).
 * Credentials are acquired once for each (the client's ticket cache, the
 * service keytab).  Run as root under nss_wrapper and with-kdc.sh (meson
 * test --benchmark does all three).  Prints a table and the layer's overhead
 * on the medians; with BENCH_TSV=<path> also appends rows
 * "section\tvariant\tx\tmin_us\tmedian_us\tmax_us".  BENCH_ROUNDS sets the
 * number of rounds (default 300).
 */
#include <gssapi/gssapi.h>
#include <security/pam_appl.h>
#include <gssapi/gssapi_krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "impersonate/sspi.h"

#define TARGET "host/localhost"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double report(const char *section, const char *variant, int x, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("| %-6s | %-60s | %3d | %9.2f | %9.2f | %9.2f |\n", section, variant, x, t[0], t[n / 2], t[n - 1]);
	const char *tsv = getenv("BENCH_TSV");
	FILE *f = tsv && *tsv ? fopen(tsv, "ae") : NULL;
	if (f) {
		fprintf(f, "%s\t%s\t%d\t%.2f\t%.2f\t%.2f\n", section, variant, x, t[0], t[n / 2], t[n - 1]);
		fclose(f);
	}
	return t[n / 2];
}

static void die(const char *what, unsigned long code)
{
	fprintf(stderr, "bench-sspi: %s failed: 0x%08lx\n", what, code);
	exit(1);
}

/* ---- MIT's own loop -------------------------------------------------------- */

static gss_cred_id_t mit_client, mit_server;
static gss_name_t mit_target;

static void mit_setup(void)
{
	OM_uint32 minor;
	gss_buffer_desc name = {strlen(TARGET), (void *)TARGET};
	gss_OID_set_desc mechs = {1, (gss_OID)gss_mech_krb5};
	if (gss_import_name(&minor, &name, GSS_KRB5_NT_PRINCIPAL_NAME, &mit_target) ||
	    gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_INITIATE, &mit_client, NULL,
	                     NULL) ||
	    gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &mit_server, NULL, NULL))
		die("gss setup", minor);
}

static void mit_round(void)
{
	OM_uint32 minor, major;
	gss_ctx_id_t ic = GSS_C_NO_CONTEXT, ac = GSS_C_NO_CONTEXT;
	gss_buffer_desc t1 = GSS_C_EMPTY_BUFFER, t2 = GSS_C_EMPTY_BUFFER, t3 = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME;
	major = gss_init_sec_context(&minor, mit_client, &ic, mit_target, gss_mech_krb5,
	                             GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG, 0, NULL, GSS_C_NO_BUFFER, NULL, &t1, NULL,
	                             NULL);
	if (major != GSS_S_CONTINUE_NEEDED)
		die("gss_init_sec_context", major);
	major = gss_accept_sec_context(&minor, &ac, mit_server, &t1, NULL, &src, NULL, &t2, NULL, NULL, NULL);
	if (major != GSS_S_COMPLETE)
		die("gss_accept_sec_context", major);
	major = gss_init_sec_context(&minor, mit_client, &ic, mit_target, gss_mech_krb5,
	                             GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG, 0, NULL, &t2, NULL, &t3, NULL, NULL);
	if (major != GSS_S_COMPLETE)
		die("gss_init_sec_context (mutual)", major);
	gss_release_buffer(&minor, &t1);
	gss_release_buffer(&minor, &t2);
	gss_release_buffer(&minor, &t3);
	gss_release_name(&minor, &src);
	gss_delete_sec_context(&minor, &ic, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &ac, GSS_C_NO_BUFFER);
}

/* ---- The layer ----------------------------------------------------------------- */

static CredHandle sspi_client, sspi_server;

static void layer_setup(void)
{
	SECURITY_STATUS st;
	st = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)"Kerberos", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL,
	                               &sspi_client, NULL);
	if (st == SEC_E_OK)
		st = AcquireCredentialsHandleA(NULL, (SEC_CHAR *)"Kerberos", SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
		                               &sspi_server, NULL);
	if (st != SEC_E_OK)
		die("AcquireCredentialsHandleA", (unsigned long)st);
}

static void layer_round(void)
{
	static unsigned char b1[4096], b2[4096], b3[4096];
	CtxtHandle cc, sc;
	SecBuffer o1 = {sizeof(b1), SECBUFFER_TOKEN, b1}, o2 = {sizeof(b2), SECBUFFER_TOKEN, b2},
	          o3 = {sizeof(b3), SECBUFFER_TOKEN, b3};
	SecBufferDesc d1 = {SECBUFFER_VERSION, 1, &o1}, d2 = {SECBUFFER_VERSION, 1, &o2},
	              d3 = {SECBUFFER_VERSION, 1, &o3};
	ULONG attr;
	SECURITY_STATUS st;
	st = InitializeSecurityContextA(&sspi_client, NULL, (SEC_CHAR *)TARGET,
	                                ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY, 0, SECURITY_NATIVE_DREP, NULL, 0,
	                                &cc, &d1, &attr, NULL);
	if (st != SEC_I_CONTINUE_NEEDED)
		die("InitializeSecurityContextA", (unsigned long)st);
	st = AcceptSecurityContext(&sspi_server, NULL, &d1, 0, SECURITY_NATIVE_DREP, &sc, &d2, &attr, NULL);
	if (st != SEC_E_OK)
		die("AcceptSecurityContext", (unsigned long)st);
	st = InitializeSecurityContextA(&sspi_client, &cc, (SEC_CHAR *)TARGET,
	                                ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY, 0, SECURITY_NATIVE_DREP, &d2, 0,
	                                &cc, &d3, &attr, NULL);
	if (st != SEC_E_OK)
		die("InitializeSecurityContextA (mutual)", (unsigned long)st);
	if ((st = ImpersonateSecurityContext(&sc)) != SEC_E_OK)
		die("ImpersonateSecurityContext", (unsigned long)st);
	if ((st = RevertSecurityContext(&sc)) != SEC_E_OK)
		die("RevertSecurityContext", (unsigned long)st);
	DeleteSecurityContext(&cc);
	DeleteSecurityContext(&sc);
}

/* ---- The PAM stack alone -------------------------------------------------------- */

static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n, (void)msg, (void)resp, (void)data;
	return PAM_CONV_ERR;
}

static void pam_round(void)
{
	static const struct pam_conv conv = {no_conv, NULL};
	pam_handle_t *pamh;
	if (pam_start_confdir(getenv("IMPERSONATE_PAM_SERVICE"), "alice", &conv, getenv("IMPERSONATE_PAM_CONFDIR"),
	                      &pamh) != PAM_SUCCESS ||
	    pam_acct_mgmt(pamh, PAM_SILENT) != PAM_SUCCESS || pam_open_session(pamh, PAM_SILENT) != PAM_SUCCESS)
		die("the PAM stack", 0);
	pam_close_session(pamh, PAM_SILENT);
	pam_end(pamh, PAM_SUCCESS);
}

typedef void (*round_fn)(void);

int main(void)
{
	if (geteuid() != 0 || !getenv("IMP_KDC_DIR")) {
		printf("bench-sspi: needs root and tests/win/with-kdc.sh\n");
		return 77;
	}
	int n = getenv("BENCH_ROUNDS") ? atoi(getenv("BENCH_ROUNDS")) : 300;
	if (n < 10)
		n = 10;
	double *t[3];
	static const round_fn rounds[3] = {mit_round, layer_round, pam_round};
	for (int v = 0; v < 3; v++)
		t[v] = calloc((size_t)n, sizeof(double));
	mit_setup();
	layer_setup();
	for (int i = 0; i < 20; i++) /* service ticket in the cache, code warm */
		for (int v = 0; v < 3; v++)
			rounds[v]();
	for (int i = 0; i < n; i++)
		/* Rotate which goes first, so none always runs on a warmer
		 * cache. */
		for (int k = 0; k < 3; k++) {
			int v = (i + k) % 3;
			double t0 = now_us();
			rounds[v]();
			t[v][i] = now_us() - t0;
		}
	printf("| %-6s | %-60s | %3s | %9s | %9s | %9s |\n", "sect", "variant (microseconds per logon)", "x", "min",
	       "median", "max");
	double m = report("sspi", "mit: gss init+accept+init, delete", 1, t[0], n);
	double l = report("sspi", "layer: ISC+ASC(+PAM logon)+ISC, impersonate+revert, delete", 1, t[1], n);
	double p = report("sspi", "pam: start+acct_mgmt+open_session+close_session+end", 1, t[2], n);
	printf("layer against mit, medians: %+.1f%% (%+.1f us)\n", (l - m) / m * 100.0, l - m);
	printf("layer minus the PAM stack against mit, medians: %+.1f%% (%+.1f us)\n", (l - p - m) / m * 100.0,
	       l - p - m);
	for (int v = 0; v < 3; v++)
		free(t[v]);
	return 0;
}
