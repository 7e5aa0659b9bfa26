/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Negotiate": SPNEGO (RFC 4178) over whatever mechanisms the GSSAPI
 * installation offers (krb5; NTLM where gss-ntlmssp is configured).  With
 * krb5 it is one round trip.  cbMaxToken: Kerberos' plus SPNEGO's framing,
 * as on Windows.
 */
#include <gssapi/gssapi.h>

#include "package.h"

/* 1.3.6.1.5.5.2 */
static const gss_OID_desc spnego_oid = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};

const struct sspi_package package_negotiate = {
	.name = NEGOSSP_NAME_A,
	.comment = "SPNEGO negotiation (MIT GSSAPI)",
	.caps = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY | SECPKG_FLAG_TOKEN_ONLY | SECPKG_FLAG_CONNECTION |
	        SECPKG_FLAG_MULTI_REQUIRED | SECPKG_FLAG_EXTENDED_ERROR | SECPKG_FLAG_ACCEPT_WIN32_NAME |
	        SECPKG_FLAG_NEGOTIABLE | SECPKG_FLAG_GSS_COMPATIBLE | SECPKG_FLAG_MUTUAL_AUTH,
	.rpcid = RPC_C_AUTHN_GSS_NEGOTIATE,
	.max_token = 48256,
	.ops = &gss_ops,
	.mech = &spnego_oid,
};
