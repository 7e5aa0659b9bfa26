/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Kerberos": the krb5 GSSAPI mechanism (RFC 4121), one round trip with
 * mutual authentication.  cbMaxToken is Windows' default MaxTokenSize
 * (GSSAPI has no maximum; an MIT AP-REQ without a PAC is under 1 KB).
 */
#include <gssapi/gssapi_krb5.h>

#include "package.h"

/* 1.2.840.113554.1.2.2 */
static const gss_OID_desc krb5_oid = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};

const struct sspi_package package_kerberos = {
	.name = MICROSOFT_KERBEROS_NAME_A,
	.comment = "Kerberos V5 (MIT GSSAPI krb5 mechanism)",
	.caps = SECPKG_FLAG_INTEGRITY | SECPKG_FLAG_PRIVACY | SECPKG_FLAG_TOKEN_ONLY | SECPKG_FLAG_CONNECTION |
	        SECPKG_FLAG_EXTENDED_ERROR | SECPKG_FLAG_ACCEPT_WIN32_NAME | SECPKG_FLAG_NEGOTIABLE |
	        SECPKG_FLAG_GSS_COMPATIBLE | SECPKG_FLAG_MUTUAL_AUTH,
	.rpcid = RPC_C_AUTHN_GSS_KERBEROS,
	.max_token = 48000,
	.ops = &gss_ops,
	.mech = &krb5_oid,
};
