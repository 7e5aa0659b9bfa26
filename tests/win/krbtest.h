/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers for the tests that run beside the private KDC of with-kdc.sh:
 * credentials for its principals and a handshake through our
 * InitializeSecurityContextA / AcceptSecurityContext.
 */
#pragma once

#include <stdbool.h>

#include "impersonate/sspi.h"
#include "wintest.h"

#define TARGET "host/localhost"
#define TOKEN_MAX 65536

/* Outbound credentials of @package for NAME@IMP_REALM with NAME-pw. */
CredHandle kt_client(const char *package, const char *user);
/* Inbound credentials of @package from the keytab (any key in it). */
CredHandle kt_server(const char *package);

/* One token buffer: SECBUFFER_TOKEN of @size bytes in @buf. */
struct kt_buf {
	SecBuffer b;
	SecBufferDesc d;
	unsigned char data[TOKEN_MAX];
};
void kt_buf_init(struct kt_buf *t, ULONG size);
void kt_buf_set(struct kt_buf *t, const void *data, ULONG len);

struct kt_session {
	CtxtHandle client, server;
	ULONG client_attr, server_attr;
	SECURITY_STATUS client_status, server_status;
	unsigned legs;                 /* tokens sent */
	ULONG first_len, second_len;   /* client's first token, server's reply */
	unsigned char first[TOKEN_MAX]; /* the client's first token */
};

/* The whole handshake with ISC_REQ @req / ASC_REQ @areq; returns the
 * server's last status (SEC_E_OK when both are done).  Handles that were
 * issued are in @s, valid or not. */
SECURITY_STATUS kt_handshake(CredHandle *client, CredHandle *server, const char *target, ULONG req, ULONG areq,
                             struct kt_session *s);
void kt_session_end(struct kt_session *s);

/* One message through EncryptMessage on @from and DecryptMessage on @to. */
void kt_roundtrip(CtxtHandle *from, CtxtHandle *to, const char *text);
