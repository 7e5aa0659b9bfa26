/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SSPI handshake on real Kerberos (run by with-kdc.sh beside a private
 * MIT KDC): Kerberos and Negotiate through our InitializeSecurityContext and
 * AcceptSecurityContext, interop with MIT's own GSSAPI both ways, the logon
 * through PAM and auth_to_local (SPEC A2), impersonation checked against the
 * kernel (S1, S3, S4, K4, A5), message protection, and every failure with
 * its exact status.
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "krbtest.h"

#define FINANCE 60101

static const char *const packages[] = {MICROSOFT_KERBEROS_NAME_A, NEGOSSP_NAME_A};

/* A server context for @user through @package. */
static void accept_user(const char *package, const char *user, struct kt_session *s)
{
	CredHandle c = kt_client(package, user), sv = kt_server(package);
	CHECK_EQ(kt_handshake(&c, &sv, TARGET,
	                      ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY | ISC_REQ_REPLAY_DETECT, 0, s),
	         SEC_E_OK);
	CHECK_EQ(FreeCredentialsHandle(&c), SEC_E_OK);
	CHECK_EQ(FreeCredentialHandle(&sv), SEC_E_OK);
}

/* ---- The handshake ------------------------------------------------------------ */

/* SPEC A2: krb5 is one round trip with mutual authentication: the client's
 * AP-REQ (SEC_I_CONTINUE_NEEDED), the server's AP-REP (SEC_E_OK), the
 * client done (SEC_E_OK, nothing more to send); SPNEGO over krb5 the same
 * with its framing.  Attributes and sizes come from the mechanism. */
TEST(a2_handshake_kerberos_and_negotiate)
{
	for (int i = 0; i < 2; i++) {
		struct kt_session s;
		CredHandle c = kt_client(packages[i], "alice"), sv = kt_server(packages[i]);
		CHECK_EQ(kt_handshake(&c, &sv, TARGET, ISC_REQ_MUTUAL_AUTH | ISC_REQ_CONFIDENTIALITY, 0, &s), SEC_E_OK);
		printf("# %s: %u tokens, %u and %u bytes\n", packages[i], s.legs, s.first_len, s.second_len);
		CHECK_EQ(s.legs, 2);
		CHECK(s.first_len > 500 && s.first_len < 2000);
		CHECK(s.second_len > 100 && s.second_len < 400);
		CHECK(s.client_attr & ISC_RET_MUTUAL_AUTH);
		CHECK(s.client_attr & ISC_RET_CONFIDENTIALITY);
		CHECK(s.server_attr & ASC_RET_MUTUAL_AUTH);

		SecPkgContext_NamesA n;
		CHECK_EQ(QueryContextAttributesA(&s.server, SECPKG_ATTR_NAMES, &n), SEC_E_OK);
		CHECK_STREQ(n.sUserName, "alice"); /* the local user (S7) */
		FreeContextBuffer(n.sUserName);
		CHECK_EQ(QueryContextAttributesA(&s.client, SECPKG_ATTR_NAMES, &n), SEC_E_OK);
		CHECK_STREQ(n.sUserName, "alice@IMPTEST.LOCAL");
		FreeContextBuffer(n.sUserName);
		SecPkgContext_NativeNamesA nn;
		CHECK_EQ(QueryContextAttributesA(&s.server, SECPKG_ATTR_NATIVE_NAMES, &nn), SEC_E_OK);
		CHECK_STREQ(nn.sClientName, "alice@IMPTEST.LOCAL");
		CHECK_STREQ(nn.sServerName, "host/localhost@IMPTEST.LOCAL");
		FreeContextBuffer(nn.sClientName);
		FreeContextBuffer(nn.sServerName);
		SecPkgContext_Sizes sz;
		CHECK_EQ(QueryContextAttributesA(&s.server, SECPKG_ATTR_SIZES, &sz), SEC_E_OK);
		printf("# sizes: token %u signature %u block %u trailer %u\n", sz.cbMaxToken, sz.cbMaxSignature,
		       sz.cbBlockSize, sz.cbSecurityTrailer);
		CHECK_EQ(sz.cbMaxToken, i == 0 ? 48000 : 48256);
		CHECK_EQ(sz.cbMaxSignature, 28);
		CHECK_EQ(sz.cbSecurityTrailer, 60);
		CHECK_EQ(sz.cbBlockSize, 1);
		SecPkgContext_Lifespan life;
		CHECK_EQ(QueryContextAttributesA(&s.client, SECPKG_ATTR_LIFESPAN, &life), SEC_E_OK);
		CHECK(life.tsExpiry.QuadPart > life.tsStart.QuadPart);
		CHECK(life.tsExpiry.QuadPart - life.tsStart.QuadPart <= INT64_C(10) * 3600 * 10000000 + 10000000);
		SecPkgContext_PackageInfoA pi;
		CHECK_EQ(QueryContextAttributesA(&s.server, SECPKG_ATTR_PACKAGE_INFO, &pi), SEC_E_OK);
		CHECK_STREQ(pi.PackageInfo->Name, packages[i]);
		FreeContextBuffer(pi.PackageInfo);
		kt_roundtrip(&s.client, &s.server, "from the client");
		kt_roundtrip(&s.server, &s.client, "from the server");
		kt_session_end(&s);
		CHECK_EQ(FreeCredentialsHandle(&c), SEC_E_OK);
		CHECK_EQ(FreeCredentialsHandle(&c), SEC_E_INVALID_HANDLE);
		CHECK_EQ(FreeCredentialsHandle(&sv), SEC_E_OK);
	}
}

/* Outbound credentials from the caller's ticket cache (KRB5CCNAME, kinit'd
 * by with-kdc.sh) and their name; the W forms with UTF-16 strings. */
TEST(a2_ticket_cache_and_wide_forms)
{
	CredHandle c, sv = kt_server(NEGOSSP_NAME_A);
	struct kt_session s;
	CHECK_EQ(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)NEGOSSP_NAME_A, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL,
	                                   NULL, &c, NULL),
	         SEC_E_OK);
	SecPkgCredentials_NamesA cn;
	CHECK_EQ(QueryCredentialsAttributesA(&c, SECPKG_CRED_ATTR_NAMES, &cn), SEC_E_OK);
	CHECK_STREQ(cn.sUserName, "alice@IMPTEST.LOCAL");
	FreeContextBuffer(cn.sUserName);
	/* MIT names an acceptor for "any key" by the keytab's one principal. */
	CHECK_EQ(QueryCredentialsAttributesA(&sv, SECPKG_CRED_ATTR_NAMES, &cn), SEC_E_OK);
	CHECK_STREQ(cn.sUserName, "host/localhost@IMPTEST.LOCAL");
	FreeContextBuffer(cn.sUserName);
	CHECK_EQ(QueryCredentialsAttributesA(&c, 99, &cn), SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(kt_handshake(&c, &sv, TARGET, 0, 0, &s), SEC_E_OK);
	kt_session_end(&s);
	FreeCredentialsHandle(&c);

	/* W: names in, names out in UTF-16. */
	PSecurityFunctionTableW t = InitSecurityInterfaceW();
	SEC_WINNT_AUTH_IDENTITY_W id = {
		.User = (unsigned short *)u"bob", .UserLength = 3,
		.Domain = (unsigned short *)u"IMPTEST.LOCAL", .DomainLength = 13,
		.Password = (unsigned short *)u"bob-pw", .PasswordLength = 6,
		.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};
	CHECK_EQ(t->AcquireCredentialsHandleW(NULL, (SEC_WCHAR *)u"Kerberos", SECPKG_CRED_OUTBOUND, NULL, &id, NULL,
	                                      NULL, &c, NULL),
	         SEC_E_OK);
	SecPkgCredentials_NamesW wn;
	CHECK_EQ(t->QueryCredentialsAttributesW(&c, SECPKG_CRED_ATTR_NAMES, &wn), SEC_E_OK);
	CHECK(memcmp(wn.sUserName, u"bob@IMPTEST.LOCAL", sizeof(u"bob@IMPTEST.LOCAL")) == 0);
	t->FreeContextBuffer(wn.sUserName);
	CredHandle kv = kt_server(MICROSOFT_KERBEROS_NAME_A);
	struct kt_buf out, in;
	CtxtHandle cc, sc;
	kt_buf_init(&out, TOKEN_MAX);
	CHECK_EQ(t->InitializeSecurityContextW(&c, NULL, (SEC_WCHAR *)u"host/localhost", ISC_REQ_MUTUAL_AUTH, 0,
	                                       SECURITY_NATIVE_DREP, NULL, 0, &cc, &out.d, NULL, NULL),
	         SEC_I_CONTINUE_NEEDED);
	kt_buf_set(&in, out.data, out.b.cbBuffer);
	kt_buf_init(&out, TOKEN_MAX);
	CHECK_EQ(t->AcceptSecurityContext(&kv, NULL, &in.d, 0, SECURITY_NATIVE_DREP, &sc, &out.d, NULL, NULL),
	         SEC_E_OK);
	SecPkgContext_NamesW n;
	CHECK_EQ(t->QueryContextAttributesW(&sc, SECPKG_ATTR_NAMES, &n), SEC_E_OK);
	CHECK(memcmp(n.sUserName, u"bob", sizeof(u"bob")) == 0);
	t->FreeContextBuffer(n.sUserName);
	SecPkgContext_PackageInfoW pi;
	CHECK_EQ(t->QueryContextAttributesW(&sc, SECPKG_ATTR_PACKAGE_INFO, &pi), SEC_E_OK);
	CHECK(memcmp(pi.PackageInfo->Name, u"Kerberos", sizeof(u"Kerberos")) == 0);
	t->FreeContextBuffer(pi.PackageInfo);
	PSecPkgInfoW info, list;
	ULONG count;
	CHECK_EQ(t->QuerySecurityPackageInfoW((SEC_WCHAR *)u"negotiate", &info), SEC_E_OK);
	CHECK(memcmp(info->Name, u"Negotiate", sizeof(u"Negotiate")) == 0);
	CHECK_EQ(info->cbMaxToken, 48256);
	CHECK_EQ(info->wRPCID, RPC_C_AUTHN_GSS_NEGOTIATE);
	t->FreeContextBuffer(info);
	CHECK_EQ(t->EnumerateSecurityPackagesW(&count, &list), SEC_E_OK);
	CHECK_EQ(count, 3);
	CHECK(memcmp(list[1].Name, u"Kerberos", sizeof(u"Kerberos")) == 0);
	CHECK_EQ(list[1].wRPCID, RPC_C_AUTHN_GSS_KERBEROS);
	CHECK(memcmp(list[2].Name, u"Impersonate", sizeof(u"Impersonate")) == 0);
	t->FreeContextBuffer(list);
	CHECK_EQ(t->QuerySecurityPackageInfoW((SEC_WCHAR *)u"NTLM", &info), SEC_E_SECPKG_NOT_FOUND);
	CHECK_EQ(DeleteSecurityContext(&cc), SEC_E_OK);
	CHECK_EQ(DeleteSecurityContext(&sc), SEC_E_OK);
	FreeCredentialsHandle(&c);
	FreeCredentialsHandle(&kv);
	FreeCredentialsHandle(&sv);
}


/* ISC_REQ_ALLOCATE_MEMORY / ASC_REQ_ALLOCATE_MEMORY: the layer allocates the
 * output tokens (freed with FreeContextBuffer) and says so in the
 * attributes. */
TEST(a2_allocate_memory)
{
	CredHandle c = kt_client(MICROSOFT_KERBEROS_NAME_A, "bob"), sv = kt_server(MICROSOFT_KERBEROS_NAME_A);
	SecBuffer ob = {0, SECBUFFER_TOKEN, NULL}, ib;
	SecBufferDesc od = {SECBUFFER_VERSION, 1, &ob}, id = {SECBUFFER_VERSION, 1, &ib};
	CtxtHandle cc, sc;
	ULONG attr = 0;
	CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH | ISC_REQ_ALLOCATE_MEMORY,
	                                    0, 0, NULL, 0, &cc, &od, &attr, NULL),
	         SEC_I_CONTINUE_NEEDED);
	CHECK(ob.pvBuffer != NULL && ob.cbBuffer > 500);
	CHECK(attr & ISC_RET_ALLOCATED_MEMORY);
	ib = ob;
	ob = (SecBuffer){0, SECBUFFER_TOKEN, NULL};
	CHECK_EQ(AcceptSecurityContext(&sv, NULL, &id, ASC_REQ_ALLOCATE_MEMORY, 0, &sc, &od, &attr, NULL), SEC_E_OK);
	CHECK(attr & ASC_RET_ALLOCATED_MEMORY);
	CHECK(ob.pvBuffer != NULL && ob.cbBuffer > 100);
	CHECK_EQ(FreeContextBuffer(ib.pvBuffer), SEC_E_OK);
	ib = ob;
	ob = (SecBuffer){0, SECBUFFER_TOKEN, NULL};
	CHECK_EQ(InitializeSecurityContextA(&c, &cc, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH | ISC_REQ_ALLOCATE_MEMORY,
	                                    0, 0, &id, 0, &cc, &od, &attr, NULL),
	         SEC_E_OK);
	CHECK_EQ(ob.cbBuffer, 0);
	CHECK_EQ(FreeContextBuffer(ib.pvBuffer), SEC_E_OK);
	CHECK_EQ(FreeContextBuffer(ob.pvBuffer), SEC_E_OK);
	DeleteSecurityContext(&cc);
	DeleteSecurityContext(&sc);
	FreeCredentialsHandle(&c);
	FreeCredentialsHandle(&sv);
}

/* A context outlives its ticket: GSSAPI would still seal messages, the
 * layer says SEC_E_CONTEXT_EXPIRED (brief's tickets live 4 seconds). */
TEST(a6_context_expired)
{
	CredHandle c = kt_client(MICROSOFT_KERBEROS_NAME_A, "brief");
	struct kt_buf out;
	CtxtHandle cc;
	kt_buf_init(&out, TOKEN_MAX);
	CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_CONFIDENTIALITY, 0, 0, NULL, 0, &cc,
	                                    &out.d, NULL, NULL),
	         SEC_E_OK); /* no mutual authentication: done at once */
	SecPkgContext_Lifespan life;
	CHECK_EQ(QueryContextAttributesA(&cc, SECPKG_ATTR_LIFESPAN, &life), SEC_E_OK);
	CHECK(life.tsExpiry.QuadPart - life.tsStart.QuadPart <= INT64_C(5) * 10000000);
	unsigned char tok[64], data[4] = "abcd";
	SecBuffer b[2] = {{60, SECBUFFER_TOKEN, tok}, {4, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	CHECK_EQ(EncryptMessage(&cc, 0, &d, 0), SEC_E_OK);
	sleep(5);
	b[0].cbBuffer = 60;
	CHECK_EQ(EncryptMessage(&cc, 0, &d, 0), SEC_E_CONTEXT_EXPIRED);
	CHECK_EQ(MakeSignature(&cc, 0, &d, 0), SEC_E_CONTEXT_EXPIRED);
	CHECK_EQ((uint32_t)SEC_E_CONTEXT_EXPIRED, 0x80090317u);
	DeleteSecurityContext(&cc);
	FreeCredentialsHandle(&c);
}

/* ---- Who the client becomes (A2) ---------------------------------------------- */

struct imp_args {
	CtxtHandle *h;
	const char *dir;
	int own_file, root_file;
};

static long impersonate_and_open(void *p)
{
	struct imp_args *a = p;
	SECURITY_STATUS st = ImpersonateSecurityContext(a->h);
	if (st != SEC_E_OK)
		return st;
	a->own_file = try_open(a->dir, "alice.txt", 0);
	a->root_file = try_open(a->dir, "root.txt", 0);
	return 0;
}

static long revert(void *p)
{
	return RevertSecurityContext(p);
}

/* SPEC A2, S1, S3: the accepted client is the local user auth_to_local and
 * PAM gave, and a worker thread impersonating the context gets exactly that
 * user's credentials from the kernel (fsuid, fsgid, alice's NSS groups, no
 * effective capabilities), opens alice's file and not root's, while a
 * sibling thread is untouched; the revert restores the worker. */
TEST(a2_impersonate_after_accept)
{
	struct kt_session s;
	struct kcreds own, sib, k;
	char *dir = tmpdir_make();
	file_make(dir, "alice.txt", ALICE, ALICE, 0600);
	file_make(dir, "root.txt", 0, 0, 0600);
	struct worker *w = worker_start();
	struct sibling *sb = sibling_start();
	kc_read(worker_tid(w), &own);
	kc_read(sibling_tid(sb), &sib);

	accept_user(NEGOSSP_NAME_A, "alice", &s);
	struct imp_args a = {&s.server, dir, -1, -1};
	CHECK_EQ(worker_run(w, impersonate_and_open, &a), SEC_E_OK);
	kc_read(worker_tid(w), &k);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK_EQ(k.gid[3], ALICE);
	CHECK(kc_has_group(&k, SHARED) && kc_has_group(&k, FINANCE) && kc_has_group(&k, ALICE));
	CHECK_EQ(k.ngroups, 3);
	CHECK_EQ(k.cap_eff, 0);
	CHECK_EQ(a.own_file, 0);
	CHECK_EQ(a.root_file, EACCES);
	EXPECT_SAME(sibling_tid(sb), &sib);
	EXPECT_SAME(0, &own); /* the main thread too */
	CHECK_EQ(worker_run(w, revert, &s.server), SEC_E_OK);
	EXPECT_SAME(worker_tid(w), &own);

	/* The client side has no token. */
	CHECK_EQ(ImpersonateSecurityContext(&s.client), SEC_E_NO_IMPERSONATION);
	void *tok = NULL;
	CHECK_EQ(QuerySecurityContextToken(&s.client, &tok), SEC_E_NO_IMPERSONATION);
	EXPECT_SAME(0, &own);
	kt_session_end(&s);
	worker_stop(w);
	sibling_stop(sb);
	tmpdir_remove(dir);
}

/* SPEC A2: asmith@IMPTEST.LOCAL becomes alice by the realm's auth_to_local
 * rule (gss_localname), not by its name. */
TEST(a2_auth_to_local_rule)
{
	struct kt_session s;
	accept_user(MICROSOFT_KERBEROS_NAME_A, "asmith", &s);
	void *tok;
	CHECK_EQ(QuerySecurityContextToken(&s.server, &tok), SEC_E_OK);
	CHECK_EQ(imp_token_uid(tok), ALICE);
	CHECK_STREQ(imp_token_user_name(tok), "alice");
	imp_token_unref(tok);
	kt_session_end(&s);
}

/* SPEC A2, P3: an unmapped principal (two components), a principal whose
 * local user does not exist, root and a system user (refused by
 * pam_impersonate's defaults) and a service whose account stack refuses:
 * SEC_E_LOGON_DENIED (0x8009030C) from AcceptSecurityContext, and no handle
 * issued. */
TEST(a2_logon_denied)
{
	const char *users[] = {"carol/admin", "ghost", "root", "sysuser", "alice"};
	for (int p = 0; p < 2; p++)
		for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
			if (i == 4)
				setenv("IMPERSONATE_PAM_SERVICE", "sspi-refuse", 1);
			CredHandle c = kt_client(packages[p], users[i]), sv = kt_server(packages[p]);
			struct kt_buf out, in;
			CtxtHandle cc, sc = {0x1234, 0x5678};
			ULONG attr = 0xdead;
			kt_buf_init(&out, TOKEN_MAX);
			CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, NULL,
			                                    0, &cc, &out.d, NULL, NULL),
			         SEC_I_CONTINUE_NEEDED);
			kt_buf_set(&in, out.data, out.b.cbBuffer);
			kt_buf_init(&out, TOKEN_MAX);
			SECURITY_STATUS st = AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc, &out.d, &attr, NULL);
			printf("# %s %s: 0x%08x\n", packages[p], users[i], (unsigned)st);
			CHECK_EQ(st, SEC_E_LOGON_DENIED);
			CHECK_EQ(sc.dwLower, 0x1234);
			CHECK_EQ(sc.dwUpper, 0x5678);
			CHECK_EQ(attr, 0xdead);
			DeleteSecurityContext(&cc);
			FreeCredentialsHandle(&c);
			FreeCredentialsHandle(&sv);
			unsetenv("IMPERSONATE_PAM_SERVICE");
			setenv("IMPERSONATE_PAM_SERVICE", "sspi-test", 1);
		}
	CHECK_EQ((uint32_t)SEC_E_LOGON_DENIED, 0x8009030Cu);
}

/* SPEC S4, K4, A5: DeleteSecurityContext ends the PAM session and revokes
 * the token: a thread impersonating keeps its identity until it reverts, a
 * new impersonation of the token fails with -EKEYREVOKED. */
TEST(a5_delete_revokes)
{
	struct kt_session s;
	struct kcreds own, k;
	accept_user(MICROSOFT_KERBEROS_NAME_A, "alice", &s);
	void *tok;
	kc_read(0, &own);
	CHECK_EQ(QuerySecurityContextToken(&s.server, &tok), SEC_E_OK);
	CHECK_EQ(ImpersonateSecurityContext(&s.server), SEC_E_OK);
	CHECK_EQ(DeleteSecurityContext(&s.server), SEC_E_OK);
	CHECK(imp_token_is_revoked(tok));
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], ALICE); /* still alice until the revert */
	CHECK_EQ(RevertSecurityContext(&s.client), SEC_E_OK);
	EXPECT_SAME(0, &own);
	CHECK_EQ(imp_impersonate(tok), -EKEYREVOKED);
	CHECK_EQ(ImpersonateSecurityContext(&s.server), SEC_E_INVALID_HANDLE);
	imp_token_unref(tok);
	DeleteSecurityContext(&s.client);
}

/* SPEC S6: ASC_REQ_IDENTIFY gives an identify-level context: queryable,
 * never impersonated. */
TEST(s6_identify_level_accept)
{
	struct kt_session s;
	struct kcreds own;
	CredHandle c = kt_client(MICROSOFT_KERBEROS_NAME_A, "bob"), sv = kt_server(MICROSOFT_KERBEROS_NAME_A);
	CHECK_EQ(kt_handshake(&c, &sv, TARGET, 0, ASC_REQ_IDENTIFY, &s), SEC_E_OK);
	CHECK(s.server_attr & ASC_RET_IDENTIFY);
	kc_read(0, &own);
	CHECK_EQ(ImpersonateSecurityContext(&s.server), SEC_E_NO_IMPERSONATION);
	EXPECT_SAME(0, &own);
	SecPkgContext_NamesA n;
	CHECK_EQ(QueryContextAttributesA(&s.server, SECPKG_ATTR_NAMES, &n), SEC_E_OK);
	CHECK_STREQ(n.sUserName, "bob");
	FreeContextBuffer(n.sUserName);
	kt_session_end(&s);
	FreeCredentialsHandle(&c);
	FreeCredentialsHandle(&sv);
}

/* ---- Failures, each with its exact status --------------------------------------- */

TEST(a6_credential_failures)
{
	CredHandle h = {0x1234, 0x5678};
	SEC_WINNT_AUTH_IDENTITY_A id = {(unsigned char *)"alice", 5, NULL, 0, (unsigned char *)"wrong", 5,
	                                SEC_WINNT_AUTH_IDENTITY_ANSI};
	for (int p = 0; p < 2; p++) {
		SEC_CHAR *pkg = (SEC_CHAR *)packages[p];
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL, &h, NULL),
		         SEC_E_LOGON_DENIED);
		SEC_WINNT_AUTH_IDENTITY_A nobody = id;
		nobody.User = (unsigned char *)"nobody-here";
		nobody.UserLength = 11;
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL, &nobody, NULL, NULL, &h, NULL),
		         SEC_E_LOGON_DENIED);
		SEC_WINNT_AUTH_IDENTITY_A badflags = id;
		badflags.Flags = 7;
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL, &badflags, NULL, NULL, &h,
		                                   NULL),
		         SEC_E_UNKNOWN_CREDENTIALS);
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, 0x40, NULL, NULL, NULL, NULL, &h, NULL),
		         SEC_E_INVALID_PARAMETER);
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, NULL, NULL),
		         SEC_E_INVALID_PARAMETER);
		/* No ticket cache. */
		setenv("KRB5CCNAME", "FILE:/nonexistent/ccache", 1);
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &h, NULL),
		         SEC_E_NO_CREDENTIALS);
		/* No keytab, or no key for the principal asked for. */
		char *kt = strdup(getenv("KRB5_KTNAME"));
		setenv("KRB5_KTNAME", "FILE:/nonexistent/keytab", 1);
		CHECK_EQ(AcquireCredentialsHandleA(NULL, pkg, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, &h, NULL),
		         SEC_E_NO_CREDENTIALS);
		setenv("KRB5_KTNAME", kt, 1);
		free(kt);
		CHECK_EQ(AcquireCredentialsHandleA((SEC_CHAR *)"HTTP/localhost", pkg, SECPKG_CRED_INBOUND, NULL, NULL,
		                                   NULL, NULL, &h, NULL),
		         SEC_E_NO_CREDENTIALS);
	}
	CHECK_EQ(h.dwLower, 0x1234);
	CHECK_EQ(h.dwUpper, 0x5678);
	CHECK_EQ(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)"NTLM", SECPKG_CRED_OUTBOUND, NULL, NULL, NULL, NULL, &h,
	                                   NULL),
	         SEC_E_SECPKG_NOT_FOUND);
	CHECK_EQ(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)IMP_SSP_NAME_A, SECPKG_CRED_INBOUND, NULL, NULL, NULL,
	                                   NULL, &h, NULL),
	         SEC_E_UNSUPPORTED_FUNCTION);
	CHECK_EQ(FreeCredentialsHandle(&h), SEC_E_INVALID_HANDLE);
	CHECK_EQ(FreeCredentialsHandle(NULL), SEC_E_INVALID_HANDLE);
}

TEST(a6_handshake_failures)
{
	for (int p = 0; p < 2; p++) {
		SEC_CHAR *pkg = (SEC_CHAR *)packages[p];
		CredHandle c = kt_client(packages[p], "alice"), sv = kt_server(packages[p]);
		struct kt_buf out, in;
		CtxtHandle cc = {0x1, 0x2}, sc = {0x3, 0x4};

		/* An unknown service principal. */
		kt_buf_init(&out, TOKEN_MAX);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)"host/nowhere", 0, 0, 0, NULL, 0, &cc,
		                                    &out.d, NULL, NULL),
		         SEC_E_TARGET_UNKNOWN);
		CHECK(cc.dwLower == 0x1 && cc.dwUpper == 0x2);
		/* A token for a principal the server has no key for. */
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)"HTTP/localhost", ISC_REQ_MUTUAL_AUTH, 0, 0,
		                                    NULL, 0, &cc, &out.d, NULL, NULL),
		         SEC_I_CONTINUE_NEEDED);
		kt_buf_set(&in, out.data, out.b.cbBuffer);
		kt_buf_init(&out, TOKEN_MAX);
		SECURITY_STATUS st = AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL);
		printf("# %s wrong principal: 0x%08x\n", pkg, (unsigned)st);
		CHECK_EQ(st, SEC_E_WRONG_PRINCIPAL);
		CHECK(sc.dwLower == 0x3 && sc.dwUpper == 0x4);
		CHECK_EQ(DeleteSecurityContext(&cc), SEC_E_OK);
		cc = (CtxtHandle){0x1, 0x2};

		/* Buffers: no token, no output buffer, one too small. */
		kt_buf_init(&out, TOKEN_MAX);
		CHECK_EQ(AcceptSecurityContext(&sv, NULL, NULL, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_INVALID_TOKEN);
		kt_buf_init(&in, 0);
		CHECK_EQ(AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_INVALID_TOKEN);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, 0, 0, 0, NULL, 0, &cc, NULL, NULL,
		                                    NULL),
		         SEC_E_INVALID_TOKEN);
		kt_buf_init(&out, 16);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, 0, 0, 0, NULL, 0, &cc, &out.d, NULL,
		                                    NULL),
		         SEC_E_BUFFER_TOO_SMALL);
		CHECK(cc.dwLower == 0x1 && cc.dwUpper == 0x2);
		CHECK(sc.dwLower == 0x3 && sc.dwUpper == 0x4);

		/* Handles: garbage, the wrong kind, the wrong direction. */
		kt_buf_init(&out, TOKEN_MAX);
		CredHandle bad = {0x77, 0x88};
		CHECK_EQ(InitializeSecurityContextA(&bad, NULL, (SEC_CHAR *)TARGET, 0, 0, 0, NULL, 0, &cc, &out.d, NULL,
		                                    NULL),
		         SEC_E_INVALID_HANDLE);
		CHECK_EQ(InitializeSecurityContextA(&sv, NULL, (SEC_CHAR *)TARGET, 0, 0, 0, NULL, 0, &cc, &out.d, NULL,
		                                    NULL),
		         SEC_E_NO_CREDENTIALS);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, NULL, 0,
		                                    &cc, &out.d, NULL, NULL),
		         SEC_I_CONTINUE_NEEDED);
		kt_buf_set(&in, out.data, out.b.cbBuffer);
		kt_buf_init(&out, TOKEN_MAX);
		CHECK_EQ(AcceptSecurityContext(&c, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_NO_CREDENTIALS);
		CHECK_EQ(AcceptSecurityContext((CredHandle *)&cc, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL),
		         SEC_E_INVALID_HANDLE);
		CHECK_EQ(AcceptSecurityContext(&sv, &cc, &in.d, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_INVALID_HANDLE);
		CHECK_EQ(FreeCredentialsHandle((CredHandle *)&cc), SEC_E_INVALID_HANDLE);
		CHECK_EQ(DeleteSecurityContext((CtxtHandle *)&c), SEC_E_INVALID_HANDLE);
		/* The message functions before the handshake is done. */
		SecBuffer b[2] = {{0, SECBUFFER_TOKEN, NULL}, {0, SECBUFFER_DATA, NULL}};
		SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
		CHECK_EQ(EncryptMessage(&cc, 0, &d, 0), SEC_E_INVALID_HANDLE);
		CHECK_EQ(CompleteAuthToken(&cc, NULL), SEC_E_OK);
		CHECK_EQ(CompleteAuthToken(&bad, NULL), SEC_E_INVALID_HANDLE);
		/* The server's answer, then the same AP-REQ again: a replay. */
		CHECK_EQ(AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_OK);
		kt_buf_init(&out, TOKEN_MAX);
		CtxtHandle sc2 = {0x5, 0x6};
		st = AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc2, &out.d, NULL, NULL);
		printf("# %s replay: 0x%08x\n", pkg, (unsigned)st);
		CHECK_EQ(st, SEC_E_INVALID_TOKEN);
		CHECK(sc2.dwLower == 0x5 && sc2.dwUpper == 0x6);
		/* A finished context takes no more tokens. */
		CHECK_EQ(AcceptSecurityContext(&sv, &sc, &in.d, 0, 0, &sc, &out.d, NULL, NULL), SEC_E_OUT_OF_SEQUENCE);
		DeleteSecurityContext(&cc);
		DeleteSecurityContext(&sc);
		FreeCredentialsHandle(&c);
		FreeCredentialsHandle(&sv);
	}
}

/* ---- Message protection ---------------------------------------------------------- */

/* Encrypt/Decrypt and Make/VerifySignature both ways; a flipped byte in the
 * data or the token is SEC_E_MESSAGE_ALTERED, a replayed message
 * SEC_E_OUT_OF_SEQUENCE; integrity-only wrapping reports its QOP; the
 * stream form; buffers too small. */
TEST(a6_message_protection)
{
	for (int p = 0; p < 2; p++) {
		struct kt_session s;
		accept_user(packages[p], "bob", &s);
		unsigned char tok[128], data[64], copy_tok[128], copy_data[64];
		SecBuffer b[2] = {{60, SECBUFFER_TOKEN, tok}, {11, SECBUFFER_DATA, data}};
		SecBufferDesc d = {SECBUFFER_VERSION, 2, b};

		/* A flipped byte in the data, then in the token. */
		for (int where = 0; where < 2; where++) {
			memcpy(data, "hello world", 11);
			b[0].cbBuffer = 60;
			b[1].cbBuffer = 11;
			CHECK_EQ(EncryptMessage(&s.client, 0, &d, 0), SEC_E_OK);
			CHECK_EQ(b[0].cbBuffer, 60);
			((unsigned char *)b[where].pvBuffer)[5] ^= 0x01;
			CHECK_EQ(DecryptMessage(&s.server, &d, 0, NULL), SEC_E_MESSAGE_ALTERED);
		}
		/* A good one after the bad ones, then its replay. */
		memcpy(data, "hello world", 11);
		b[0].cbBuffer = 60;
		b[1].cbBuffer = 11;
		CHECK_EQ(EncryptMessage(&s.client, SECQOP_WRAP_NO_ENCRYPT, &d, 0), SEC_E_OK);
		CHECK(memcmp(data, "hello world", 11) == 0); /* integrity only */
		memcpy(copy_tok, tok, b[0].cbBuffer);
		memcpy(copy_data, data, 11);
		ULONG qop = 0;
		ULONG toklen = b[0].cbBuffer;
		CHECK_EQ(DecryptMessage(&s.server, &d, 0, &qop), SEC_E_OK);
		CHECK_EQ(qop, SECQOP_WRAP_NO_ENCRYPT);
		memcpy(tok, copy_tok, toklen);
		memcpy(data, copy_data, 11);
		b[0].cbBuffer = toklen;
		b[1].cbBuffer = 11;
		CHECK_EQ(DecryptMessage(&s.server, &d, 0, &qop), SEC_E_OUT_OF_SEQUENCE);

		/* The stream form: header, data. */
		unsigned char stream[128];
		memcpy(data, "streamed", 8);
		b[0].cbBuffer = 60;
		b[1].cbBuffer = 8;
		CHECK_EQ(EncryptMessage(&s.server, 0, &d, 0), SEC_E_OK);
		memcpy(stream, tok, b[0].cbBuffer);
		memcpy(stream + b[0].cbBuffer, data, 8);
		SecBuffer sb[2] = {{b[0].cbBuffer + 8, SECBUFFER_STREAM, stream}, {0, SECBUFFER_DATA, NULL}};
		SecBufferDesc sd = {SECBUFFER_VERSION, 2, sb};
		CHECK_EQ(DecryptMessage(&s.client, &sd, 0, NULL), SEC_E_OK);
		CHECK_EQ(sb[1].cbBuffer, 8);
		CHECK(memcmp(sb[1].pvBuffer, "streamed", 8) == 0);

		/* Signatures. */
		memcpy(data, "signed text", 11);
		b[0].cbBuffer = 28;
		b[1].cbBuffer = 11;
		CHECK_EQ(MakeSignature(&s.server, 0, &d, 0), SEC_E_OK);
		CHECK_EQ(b[0].cbBuffer, 28);
		CHECK_EQ(VerifySignature(&s.client, &d, 0, &qop), SEC_E_OK);
		CHECK_EQ(MakeSignature(&s.server, 0, &d, 0), SEC_E_OK);
		data[0] ^= 0x20;
		CHECK_EQ(VerifySignature(&s.client, &d, 0, NULL), SEC_E_MESSAGE_ALTERED);
		b[0].cbBuffer = 27;
		CHECK_EQ(MakeSignature(&s.server, 0, &d, 0), SEC_E_BUFFER_TOO_SMALL);
		CHECK_EQ(MakeSignature(&s.server, 1, &d, 0), SEC_E_QOP_NOT_SUPPORTED);
		b[0].cbBuffer = 59;
		CHECK_EQ(EncryptMessage(&s.server, 0, &d, 0), SEC_E_BUFFER_TOO_SMALL);
		CHECK_EQ(EncryptMessage(&s.server, 5, &d, 0), SEC_E_QOP_NOT_SUPPORTED);
		/* No token buffer; a bad descriptor; the Impersonate package's
		 * contexts have no session keys. */
		b[0].BufferType = SECBUFFER_EMPTY;
		CHECK_EQ(EncryptMessage(&s.server, 0, &d, 0), SEC_E_INVALID_TOKEN);
		CHECK_EQ(MakeSignature(&s.server, 0, &d, 0), SEC_E_INVALID_TOKEN);
		CHECK_EQ(DecryptMessage(&s.server, NULL, 0, NULL), SEC_E_INVALID_TOKEN);
		imp_token *t = wt_token(ALICE, ALICE, 0);
		CtxtHandle pamctx;
		CHECK_EQ(ImpAcceptSecurityContextFromToken(t, 0, &pamctx, NULL), SEC_E_OK);
		b[0].BufferType = SECBUFFER_TOKEN;
		b[0].cbBuffer = 60;
		CHECK_EQ(EncryptMessage(&pamctx, 0, &d, 0), SEC_E_INVALID_HANDLE);
		DeleteSecurityContext(&pamctx);
		imp_token_unref(t);
		kt_session_end(&s);
	}
	CHECK_EQ((uint32_t)SEC_E_MESSAGE_ALTERED, 0x8009030Fu);
	CHECK_EQ((uint32_t)SEC_E_OUT_OF_SEQUENCE, 0x80090310u);
}


/* ---- Token bytes fuzzed (A6) ---------------------------------------------------------- */

static bool is_refusal(SECURITY_STATUS st)
{
	return st == SEC_E_INVALID_TOKEN || st == SEC_E_LOGON_DENIED || st == SEC_E_MESSAGE_ALTERED ||
	       st == SEC_E_WRONG_PRINCIPAL || st == SEC_E_OUT_OF_SEQUENCE || st == SEC_E_TIME_SKEW ||
	       st == SEC_E_CONTEXT_EXPIRED || st == SEC_E_INVALID_HANDLE;
}

struct fuzz_count {
	unsigned refused, continued, accepted;
};

/* Feed @tok to a fresh AcceptSecurityContext: a refusal leaves the handle
 * untouched; a second leg (SPNEGO may ask) gives a context that cannot
 * impersonate; a success (a flipped bit in a field Kerberos does not
 * protect) can only be alice, whose ticket it is. */
static void fuzz_accept(CredHandle *sv, const void *tok, size_t len, struct fuzz_count *n)
{
	static struct kt_buf in, out;
	CtxtHandle sc = {0x4242, 0x4343};
	kt_buf_set(&in, tok, (ULONG)len);
	kt_buf_init(&out, TOKEN_MAX);
	SECURITY_STATUS st = AcceptSecurityContext(sv, NULL, &in.d, 0, 0, &sc, &out.d, NULL, NULL);
	if (st == SEC_E_OK) {
		SecPkgContext_NamesA nm;
		CHECK_EQ(QueryContextAttributesA(&sc, SECPKG_ATTR_NAMES, &nm), SEC_E_OK);
		CHECK_STREQ(nm.sUserName, "alice");
		FreeContextBuffer(nm.sUserName);
		CHECK_EQ(DeleteSecurityContext(&sc), SEC_E_OK);
		n->accepted++;
	} else if (st == SEC_I_CONTINUE_NEEDED) {
		CHECK_EQ(ImpersonateSecurityContext(&sc), SEC_E_NO_IMPERSONATION);
		CHECK_EQ(DeleteSecurityContext(&sc), SEC_E_OK);
		n->continued++;
	} else {
		if (!is_refusal(st))
			harness_fail(__FILE__, __LINE__, "status 0x%08x for a bad token", (unsigned)st);
		CHECK(sc.dwLower == 0x4242 && sc.dwUpper == 0x4343);
		n->refused++;
	}
}

/* SPEC A6: the client's first token corrupted (one bit flipped at every
 * byte), truncated (every shorter length), replayed, and foreign tokens
 * (random bytes, the other package's token, the server's own reply, empty
 * SPNEGO): an error code, never a crash, never a context for anyone but the
 * ticket's owner.  The client side gets a corrupted or truncated reply. */
TEST(a6_fuzz_tokens)
{
	unsigned seed = 12345;
	for (int p = 0; p < 2; p++) {
		struct fuzz_count n = {0};
		CredHandle c = kt_client(packages[p], "alice"), sv = kt_server(packages[p]);
		CredHandle other = kt_client(packages[1 - p], "alice");
		struct kt_buf t, o;
		CtxtHandle cc;
		unsigned char tok[TOKEN_MAX], bad[TOKEN_MAX];
		kt_buf_init(&t, TOKEN_MAX);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, NULL, 0, &cc,
		                                    &t.d, NULL, NULL),
		         SEC_I_CONTINUE_NEEDED);
		size_t len = t.b.cbBuffer;
		memcpy(tok, t.data, len);

		for (size_t i = 0; i < len; i++) { /* corrupted */
			memcpy(bad, tok, len);
			bad[i] ^= (unsigned char)(1u << (i % 8));
			fuzz_accept(&sv, bad, len, &n);
		}
		for (size_t l = 1; l < len; l++) /* truncated */
			fuzz_accept(&sv, tok, l, &n);
		for (int k = 0; k < 200; k++) { /* random */
			size_t l = 1 + (size_t)(rand_r(&seed) % 1500);
			for (size_t i = 0; i < l; i++)
				bad[i] = (unsigned char)rand_r(&seed);
			if (k % 2) /* with a plausible start: the GSS or SPNEGO framing */
				memcpy(bad, tok, l < 16 ? l : 16);
			fuzz_accept(&sv, bad, l, &n);
		}
		/* The other package's token. */
		kt_buf_init(&o, TOKEN_MAX);
		CtxtHandle oc;
		CHECK_EQ(InitializeSecurityContextA(&other, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, NULL, 0,
		                                    &oc, &o.d, NULL, NULL),
		         SEC_I_CONTINUE_NEEDED);
		fuzz_accept(&sv, o.data, o.b.cbBuffer, &n);
		DeleteSecurityContext(&oc);
		/* The real one, accepted; then replayed; then its reply to the
		 * server. */
		unsigned before = n.accepted;
		kt_buf_set(&t, tok, (ULONG)len);
		kt_buf_init(&o, TOKEN_MAX);
		CtxtHandle sc;
		SECURITY_STATUS st = AcceptSecurityContext(&sv, NULL, &t.d, 0, 0, &sc, &o.d, NULL, NULL);
		/* A corrupted copy may have been accepted first (an unprotected
		 * field): then this is its replay. */
		CHECK(st == SEC_E_OK || (before > 0 && st == SEC_E_INVALID_TOKEN));
		size_t rlen = o.b.cbBuffer;
		unsigned char reply[TOKEN_MAX];
		memcpy(reply, o.data, rlen);
		fuzz_accept(&sv, tok, len, &n);
		if (st == SEC_E_OK) {
			fuzz_accept(&sv, reply, rlen, &n);
			/* The client side: the reply corrupted or truncated. */
			for (size_t l = 0; l < rlen; l += 7) {
				CtxtHandle c2;
				kt_buf_init(&t, TOKEN_MAX);
				CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0,
				                                    NULL, 0, &c2, &t.d, NULL, NULL),
				         SEC_I_CONTINUE_NEEDED);
				memcpy(bad, reply, rlen);
				bad[l] ^= 0x10;
				kt_buf_set(&o, bad, (ULONG)(l % 2 ? l + 1 : rlen));
				kt_buf_init(&t, TOKEN_MAX);
				st = InitializeSecurityContextA(&c, &c2, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, &o.d,
				                                0, &c2, &t.d, NULL, NULL);
				if (!is_refusal(st) && st != SEC_E_INTERNAL_ERROR)
					harness_fail(__FILE__, __LINE__, "ISC: status 0x%08x for a bad reply", (unsigned)st);
				CHECK_EQ(DeleteSecurityContext(&c2), SEC_E_OK);
			}
			DeleteSecurityContext(&sc);
		}
		printf("# %s: %zu-byte token: %u refused, %u asked for more, %u accepted (unprotected bits)\n",
		       packages[p], len, n.refused, n.continued, n.accepted);
		CHECK(n.refused > 2 * len);
		DeleteSecurityContext(&cc);
		FreeCredentialsHandle(&c);
		FreeCredentialsHandle(&other);
		FreeCredentialsHandle(&sv);
	}
}

/* SPEC A6: sealed messages truncated at every length and corrupted: an
 * error code, never a crash; the context still works afterwards. */
TEST(a6_fuzz_messages)
{
	struct kt_session s;
	accept_user(NEGOSSP_NAME_A, "alice", &s);
	unsigned char tok[64], data[32], stream[128], bad[128];
	memcpy(data, "0123456789abcdef", 16);
	SecBuffer b[2] = {{60, SECBUFFER_TOKEN, tok}, {16, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	CHECK_EQ(EncryptMessage(&s.client, 0, &d, 0), SEC_E_OK);
	size_t len = b[0].cbBuffer + 16;
	memcpy(stream, tok, b[0].cbBuffer);
	memcpy(stream + b[0].cbBuffer, data, 16);
	for (size_t l = 1; l <= len; l++) {
		memcpy(bad, stream, len);
		if (l == len)
			bad[len / 2] ^= 0x04;
		SecBuffer sb[2] = {{(ULONG)l, SECBUFFER_STREAM, bad}, {0, SECBUFFER_DATA, NULL}};
		SecBufferDesc sd = {SECBUFFER_VERSION, 2, sb};
		SECURITY_STATUS st = DecryptMessage(&s.server, &sd, 0, NULL);
		if (!is_refusal(st) && st != SEC_E_INCOMPLETE_MESSAGE)
			harness_fail(__FILE__, __LINE__, "length %zu: status 0x%08x", l, (unsigned)st);
	}
	SecBuffer sb[2] = {{(ULONG)len, SECBUFFER_STREAM, stream}, {0, SECBUFFER_DATA, NULL}};
	SecBufferDesc sd = {SECBUFFER_VERSION, 2, sb};
	CHECK_EQ(DecryptMessage(&s.server, &sd, 0, NULL), SEC_E_OK);
	CHECK(sb[1].cbBuffer == 16 && memcmp(sb[1].pvBuffer, "0123456789abcdef", 16) == 0);
	kt_session_end(&s);
}

/* ---- Interop with MIT's own GSSAPI ------------------------------------------------ */

static gss_OID mech_of(int p)
{
	static gss_OID_desc spnego = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
	return p == 0 ? (gss_OID)gss_mech_krb5 : &spnego;
}

/* MIT's gss_init_sec_context (alice's ticket cache) against our
 * AcceptSecurityContext, and a message each way (gss_wrap -> our
 * DecryptMessage stream form; our EncryptMessage -> gss_unwrap_iov). */
TEST(a2_interop_mit_client)
{
	for (int p = 0; p < 2; p++) {
		OM_uint32 minor, major, flags;
		gss_ctx_id_t g = GSS_C_NO_CONTEXT;
		gss_name_t target;
		gss_buffer_desc name = {strlen("host@localhost"), (void *)"host@localhost"}, out = GSS_C_EMPTY_BUFFER;
		CHECK_EQ(gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &target), GSS_S_COMPLETE);
		major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &g, target, mech_of(p),
		                             GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG, 0, NULL,
		                             GSS_C_NO_BUFFER, NULL, &out, &flags, NULL);
		CHECK_EQ(major, GSS_S_CONTINUE_NEEDED);
		CredHandle sv = kt_server(packages[p]);
		struct kt_buf in, reply;
		CtxtHandle sc;
		kt_buf_set(&in, out.value, (ULONG)out.length);
		gss_release_buffer(&minor, &out);
		kt_buf_init(&reply, TOKEN_MAX);
		CHECK_EQ(AcceptSecurityContext(&sv, NULL, &in.d, 0, 0, &sc, &reply.d, NULL, NULL), SEC_E_OK);
		gss_buffer_desc rep = {reply.b.cbBuffer, reply.data};
		CHECK_EQ(gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &g, target, mech_of(p),
		                              GSS_C_MUTUAL_FLAG | GSS_C_CONF_FLAG, 0, NULL, &rep, NULL, &out, NULL, NULL),
		         GSS_S_COMPLETE);
		gss_release_buffer(&minor, &out);
		SecPkgContext_NamesA n;
		CHECK_EQ(QueryContextAttributesA(&sc, SECPKG_ATTR_NAMES, &n), SEC_E_OK);
		CHECK_STREQ(n.sUserName, "alice");
		FreeContextBuffer(n.sUserName);

		gss_buffer_desc msg = {9, (void *)"from MIT!"}, wrapped;
		int conf;
		CHECK_EQ(gss_wrap(&minor, g, 1, GSS_C_QOP_DEFAULT, &msg, &conf, &wrapped), GSS_S_COMPLETE);
		SecBuffer sb[2] = {{(ULONG)wrapped.length, SECBUFFER_STREAM, wrapped.value}, {0, SECBUFFER_DATA, NULL}};
		SecBufferDesc sd = {SECBUFFER_VERSION, 2, sb};
		CHECK_EQ(DecryptMessage(&sc, &sd, 0, NULL), SEC_E_OK);
		CHECK(sb[1].cbBuffer == 9 && memcmp(sb[1].pvBuffer, "from MIT!", 9) == 0);
		gss_release_buffer(&minor, &wrapped);

		unsigned char tok[64 + 12];
		memcpy(tok + 60, "from SSPI!!!", 12);
		SecBuffer b[2] = {{60, SECBUFFER_TOKEN, tok}, {12, SECBUFFER_DATA, tok + 60}};
		SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
		CHECK_EQ(EncryptMessage(&sc, 0, &d, 0), SEC_E_OK);
		CHECK_EQ(b[0].cbBuffer, 60);
		gss_iov_buffer_desc iov[2] = {{GSS_IOV_BUFFER_TYPE_STREAM, {72, tok}}, {GSS_IOV_BUFFER_TYPE_DATA, {0, 0}}};
		CHECK_EQ(gss_unwrap_iov(&minor, g, &conf, NULL, iov, 2), GSS_S_COMPLETE);
		CHECK(conf && iov[1].buffer.length == 12 && memcmp(iov[1].buffer.value, "from SSPI!!!", 12) == 0);

		gss_delete_sec_context(&minor, &g, GSS_C_NO_BUFFER);
		gss_release_name(&minor, &target);
		DeleteSecurityContext(&sc);
		FreeCredentialsHandle(&sv);
	}
}

/* Our InitializeSecurityContextA against MIT's gss_accept_sec_context (the
 * keytab), and a signature each way. */
TEST(a2_interop_mit_server)
{
	for (int p = 0; p < 2; p++) {
		OM_uint32 minor, major;
		gss_ctx_id_t g = GSS_C_NO_CONTEXT;
		gss_name_t client = GSS_C_NO_NAME;
		gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
		CredHandle c = kt_client(packages[p], "bob");
		struct kt_buf tok, in;
		CtxtHandle cc;
		kt_buf_init(&tok, TOKEN_MAX);
		CHECK_EQ(InitializeSecurityContextA(&c, NULL, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, NULL, 0,
		                                    &cc, &tok.d, NULL, NULL),
		         SEC_I_CONTINUE_NEEDED);
		gss_buffer_desc t = {tok.b.cbBuffer, tok.data};
		major = gss_accept_sec_context(&minor, &g, GSS_C_NO_CREDENTIAL, &t, NULL, &client, NULL, &out, NULL, NULL,
		                               NULL);
		CHECK_EQ(major, GSS_S_COMPLETE);
		gss_buffer_desc disp;
		CHECK_EQ(gss_display_name(&minor, client, &disp, NULL), GSS_S_COMPLETE);
		CHECK(disp.length == strlen("bob@IMPTEST.LOCAL") && memcmp(disp.value, "bob@IMPTEST.LOCAL", disp.length) == 0);
		gss_release_buffer(&minor, &disp);
		kt_buf_set(&in, out.value, (ULONG)out.length);
		gss_release_buffer(&minor, &out);
		kt_buf_init(&tok, TOKEN_MAX);
		CHECK_EQ(InitializeSecurityContextA(&c, &cc, (SEC_CHAR *)TARGET, ISC_REQ_MUTUAL_AUTH, 0, 0, &in.d, 0, &cc,
		                                    &tok.d, NULL, NULL),
		         SEC_E_OK);
		CHECK_EQ(tok.b.cbBuffer, 0);

		unsigned char sig[28], data[5] = "hello";
		SecBuffer b[2] = {{5, SECBUFFER_DATA, data}, {28, SECBUFFER_TOKEN, sig}};
		SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
		CHECK_EQ(MakeSignature(&cc, 0, &d, 0), SEC_E_OK);
		gss_buffer_desc m = {5, data}, mic = {b[1].cbBuffer, sig};
		CHECK_EQ(gss_verify_mic(&minor, g, &m, &mic, NULL), GSS_S_COMPLETE);
		CHECK_EQ(gss_get_mic(&minor, g, GSS_C_QOP_DEFAULT, &m, &out), GSS_S_COMPLETE);
		CHECK(out.length <= sizeof(sig));
		memcpy(sig, out.value, out.length);
		b[1].cbBuffer = (ULONG)out.length;
		gss_release_buffer(&minor, &out);
		CHECK_EQ(VerifySignature(&cc, &d, 0, NULL), SEC_E_OK);

		gss_release_name(&minor, &client);
		gss_delete_sec_context(&minor, &g, GSS_C_NO_BUFFER);
		DeleteSecurityContext(&cc);
		FreeCredentialsHandle(&c);
	}
}

int main(int argc, char **argv)
{
	if (!getenv("IMP_KDC_DIR")) {
		printf("1..0 # SKIP run by with-kdc.sh\n");
		return 77;
	}
	return harness_main(argc, argv, HARNESS_ROOT);
}
