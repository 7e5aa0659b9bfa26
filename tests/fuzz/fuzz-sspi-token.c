/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the token bytes a client sends to an SSPI server
 * (AcceptSecurityContext, packages Kerberos and Negotiate, src/win/sspi/).
 *
 * The input's first byte chooses the package, ASC_REQ_ALLOCATE_MEMORY or a
 * caller buffer (of a size from the second byte, often too small), the
 * buffer type (a token or a wrong type), and whether the rest is sent as one
 * token or split into two legs of one handshake.  The server's credentials
 * are real: a keytab with a fixed key for HTTP/localhost@FUZZ.TEST, written
 * at start into a private directory with its own krb5.conf (no KDC: a token
 * cannot be checked against one, and none is needed to parse it).
 *
 * What must hold (SPEC A6, S2): no crash, no sanitizer report, no leak; no
 * input gives SEC_E_OK (only a client holding the service's key could); an
 * error leaves the caller's context handle as it was; a context left in
 * progress by SEC_I_CONTINUE_NEEDED cannot be impersonated and is deleted.
 */
#include <assert.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "impersonate/sspi.h"

#define PRINCIPAL "HTTP/localhost@FUZZ.TEST"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CredHandle server[2];
static const char *const packages[2] = {MICROSOFT_KERBEROS_NAME_A, NEGOSSP_NAME_A};

static void die(const char *what)
{
	fprintf(stderr, "fuzz-sspi-token: %s\n", what);
	abort();
}

/* A keytab holding one aes256 key for PRINCIPAL. */
static void write_keytab(const char *path)
{
	krb5_context k;
	krb5_keytab kt = NULL;
	krb5_keytab_entry e;
	char name[4200];
	static unsigned char key[32] = {0x6b, 0x65, 0x79};
	snprintf(name, sizeof(name), "FILE:%s", path);
	memset(&e, 0, sizeof(e));
	if (krb5_init_context(&k) || krb5_kt_resolve(k, name, &kt) || krb5_parse_name(k, PRINCIPAL, &e.principal))
		die("krb5 setup");
	e.vno = 1;
	e.key.magic = KV5M_KEYBLOCK;
	e.key.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
	e.key.length = sizeof(key);
	e.key.contents = key;
	if (krb5_kt_add_entry(k, kt, &e))
		die("krb5_kt_add_entry");
	krb5_free_principal(k, e.principal);
	krb5_kt_close(k, kt);
	krb5_free_context(k);
}

static void setup_realm(void)
{
	static char dir[] = "/tmp/fuzz-sspi.XXXXXX";
	char path[4096];
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/krb5.conf", dir);
	FILE *f = fopen(path, "we");
	if (!f)
		die("krb5.conf");
	fprintf(f, "[libdefaults]\n default_realm = FUZZ.TEST\n dns_lookup_kdc = false\n"
	           " dns_lookup_realm = false\n dns_canonicalize_hostname = false\n rdns = false\n"
	           "[realms]\n FUZZ.TEST = {\n  kdc = 127.0.0.1:9\n }\n"
	           "[domain_realm]\n localhost = FUZZ.TEST\n");
	fclose(f);
	setenv("KRB5_CONFIG", path, 1);
	snprintf(path, sizeof(path), "%s/keytab", dir);
	write_keytab(path);
	setenv("KRB5_KTNAME", path, 1);
	snprintf(path, sizeof(path), "FILE:%s/ccache", dir);
	setenv("KRB5CCNAME", path, 1);
	setenv("KRB5RCACHEDIR", dir, 1);
	setenv("KRB5RCACHETYPE", "none", 1); /* a replayed input is not what is fuzzed */
	/* The directory stays for the process's life: the keytab is read at
	 * every accept.  It is small; /tmp is cleaned by the system. */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setup_realm();
	for (int p = 0; p < 2; p++)
		if (AcquireCredentialsHandleA(NULL, (SEC_CHAR *)packages[p], SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL,
		                              &server[p], NULL) != SEC_E_OK)
			die("AcquireCredentialsHandle inbound (keytab)");
	return 0;
}

/* One leg: @len bytes of @data as the client's token. */
static SECURITY_STATUS accept_leg(CredHandle *cred, CtxtHandle *ctx, bool have_ctx, const uint8_t *data,
                                  size_t len, uint8_t mode, uint8_t outsize)
{
	uint8_t out_room[256];
	void *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
	assert(copy);
	memcpy(copy, data, len);
	SecBuffer in = {(ULONG)len, (mode & 4) ? SECBUFFER_DATA : SECBUFFER_TOKEN, copy};
	SecBufferDesc ind = {SECBUFFER_VERSION, 1, &in};
	bool alloc = mode & 2;
	SecBuffer out = {alloc ? 0 : outsize, SECBUFFER_TOKEN, alloc ? NULL : out_room};
	SecBufferDesc outd = {SECBUFFER_VERSION, 1, &out};
	ULONG attrs = 0;
	TimeStamp ts;
	CtxtHandle before = *ctx;
	SECURITY_STATUS st = AcceptSecurityContext(cred, have_ctx ? ctx : NULL, &ind,
	                                           ASC_REQ_MUTUAL_AUTH | (alloc ? ASC_REQ_ALLOCATE_MEMORY : 0),
	                                           SECURITY_NATIVE_DREP, ctx, &outd, &attrs, &ts);
	free(copy);
	assert(st != SEC_E_OK);        /* only the service's key could make one */
	if (alloc && out.pvBuffer)     /* the layer's allocation, freed the Windows way */
		assert(FreeContextBuffer(out.pvBuffer) == SEC_E_OK);
	if (!alloc)
		assert(out.cbBuffer <= outsize);
	if (st != SEC_I_CONTINUE_NEEDED && !have_ctx) /* no context on an error */
		assert(ctx->dwLower == before.dwLower && ctx->dwUpper == before.dwUpper);
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t mode = data[0], outsize = data[1];
	data += 2;
	size -= 2;
	CredHandle *cred = &server[mode & 1];
	CtxtHandle ctx = {0x1234, 0x5678};
	size_t first = (mode & 8) ? size / 2 : size;
	uid_t fsuid = (uid_t)setfsuid((uid_t)-1);

	if (accept_leg(cred, &ctx, false, data, first, mode, outsize) == SEC_I_CONTINUE_NEEDED) {
		/* In progress: not an authenticated client. */
		assert(ImpersonateSecurityContext(&ctx) != SEC_E_OK);
		if (mode & 8)
			(void)accept_leg(cred, &ctx, true, data + first, size - first, mode, outsize);
		(void)DeleteSecurityContext(&ctx); /* a failed leg may have ended it already */
	}
	assert((uid_t)setfsuid((uid_t)-1) == fsuid); /* nothing impersonated */
	return 0;
}
