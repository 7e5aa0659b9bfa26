/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "krbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

CredHandle kt_client(const char *package, const char *user)
{
	char pw[128];
	CHECK(user); /* gcc -fsanitize=address,undefined cannot prove it otherwise */
	snprintf(pw, sizeof(pw), "%.*s-pw", (int)strcspn(user, "/"), user);
	SEC_WINNT_AUTH_IDENTITY_A id = {
		.User = (unsigned char *)user,
		.UserLength = (ULONG)strlen(user),
		.Domain = (unsigned char *)getenv("IMP_REALM"),
		.DomainLength = (ULONG)strlen(getenv("IMP_REALM")),
		.Password = (unsigned char *)pw,
		.PasswordLength = (ULONG)strlen(pw),
		.Flags = SEC_WINNT_AUTH_IDENTITY_ANSI,
	};
	CredHandle h;
	TimeStamp exp;
	CHECK_EQ(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package, SECPKG_CRED_OUTBOUND, NULL, &id, NULL, NULL, &h,
	                                   &exp),
	         SEC_E_OK);
	return h;
}

CredHandle kt_server(const char *package)
{
	CredHandle h;
	CHECK_EQ(AcquireCredentialsHandleA(NULL, (SEC_CHAR *)package, SECPKG_CRED_INBOUND, NULL, NULL, NULL, NULL, &h,
	                                   NULL),
	         SEC_E_OK);
	return h;
}

void kt_buf_init(struct kt_buf *t, ULONG size)
{
	t->b = (SecBuffer){.cbBuffer = size, .BufferType = SECBUFFER_TOKEN, .pvBuffer = t->data};
	t->d = (SecBufferDesc){.ulVersion = SECBUFFER_VERSION, .cBuffers = 1, .pBuffers = &t->b};
}

void kt_buf_set(struct kt_buf *t, const void *data, ULONG len)
{
	kt_buf_init(t, len);
	memcpy(t->data, data, len);
}

SECURITY_STATUS kt_handshake(CredHandle *client, CredHandle *server, const char *target, ULONG req, ULONG areq,
                             struct kt_session *s)
{
	static struct kt_buf in, out; /* one handshake at a time per process */
	bool first = true, server_first = true;
	memset(s, 0, sizeof(*s));
	SecInvalidateHandle(&s->client);
	SecInvalidateHandle(&s->server);
	kt_buf_init(&out, TOKEN_MAX);
	s->client_status = InitializeSecurityContextA(client, NULL, (SEC_CHAR *)target, req, 0,
	                                              SECURITY_NATIVE_DREP, NULL, 0, &s->client, &out.d,
	                                              &s->client_attr, NULL);
	for (int round = 0; round < 8; round++) {
		if (s->client_status != SEC_E_OK && s->client_status != SEC_I_CONTINUE_NEEDED)
			return s->client_status;
		if (out.b.cbBuffer == 0)
			return s->server_status; /* nothing more to send */
		if (first) {
			memcpy(s->first, out.data, out.b.cbBuffer);
			s->first_len = out.b.cbBuffer;
			first = false;
		}
		s->legs++;
		kt_buf_set(&in, out.data, out.b.cbBuffer);
		kt_buf_init(&out, TOKEN_MAX);
		s->server_status = AcceptSecurityContext(server, server_first ? NULL : &s->server, &in.d, areq,
		                                         SECURITY_NATIVE_DREP, &s->server, &out.d, &s->server_attr,
		                                         NULL);
		server_first = false;
		if (s->server_status != SEC_E_OK && s->server_status != SEC_I_CONTINUE_NEEDED)
			return s->server_status;
		if (out.b.cbBuffer == 0) {
			if (s->server_status == SEC_E_OK && s->client_status == SEC_I_CONTINUE_NEEDED)
				return SEC_E_INTERNAL_ERROR; /* client still waiting */
			return s->server_status;
		}
		s->legs++;
		if (!s->second_len)
			s->second_len = out.b.cbBuffer;
		kt_buf_set(&in, out.data, out.b.cbBuffer);
		kt_buf_init(&out, TOKEN_MAX);
		s->client_status = InitializeSecurityContextA(client, &s->client, (SEC_CHAR *)target, req, 0,
		                                              SECURITY_NATIVE_DREP, &in.d, 0, &s->client, &out.d,
		                                              &s->client_attr, NULL);
		if (s->client_status == SEC_E_OK && s->server_status == SEC_E_OK && out.b.cbBuffer == 0)
			return SEC_E_OK;
	}
	return SEC_E_INTERNAL_ERROR;
}

void kt_session_end(struct kt_session *s)
{
	if (SecIsValidHandle(&s->client))
		(void)DeleteSecurityContext(&s->client);
	if (SecIsValidHandle(&s->server))
		(void)DeleteSecurityContext(&s->server);
}

void kt_roundtrip(CtxtHandle *from, CtxtHandle *to, const char *text)
{
	SecPkgContext_Sizes sz;
	unsigned char token[256], data[256];
	size_t len = strlen(text);
	CHECK_EQ(QueryContextAttributesA(from, SECPKG_ATTR_SIZES, &sz), SEC_E_OK);
	CHECK(sz.cbSecurityTrailer <= sizeof(token));
	memcpy(data, text, len);
	SecBuffer b[2] = {{sz.cbSecurityTrailer, SECBUFFER_TOKEN, token}, {(ULONG)len, SECBUFFER_DATA, data}};
	SecBufferDesc d = {SECBUFFER_VERSION, 2, b};
	CHECK_EQ(EncryptMessage(from, 0, &d, 0), SEC_E_OK);
	CHECK(memcmp(data, text, len) != 0); /* sealed in place */
	ULONG qop = 0xdead;
	CHECK_EQ(DecryptMessage(to, &d, 0, &qop), SEC_E_OK);
	CHECK_EQ(qop, 0);
	CHECK_EQ(b[1].cbBuffer, len);
	CHECK(memcmp(b[1].pvBuffer, text, len) == 0);
}
