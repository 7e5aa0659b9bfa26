/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Impersonate": identities established by PAM (pam_impersonate(8)) and
 * handed over with ImpAcceptSecurityContextFrom{Pam,Token}().  Nothing goes
 * on the wire, so it has no credentials, no handshake and no message
 * functions: they return SEC_E_UNSUPPORTED_FUNCTION.
 */
#include "package.h"

const struct sspi_package package_impersonate = {
	.name = IMP_SSP_NAME_A,
	.comment = "Per-thread impersonation of identities established by PAM",
	.caps = 0,
	.rpcid = SECPKG_ID_NONE,
	.max_token = 0, /* nothing goes on the wire */
	.ops = NULL,
};
