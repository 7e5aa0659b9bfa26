/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for pam_impersonate.so, used by run-example.sh only when the
 * real module is not part of the build.  It does the one thing the example
 * needs from the module: register a token for the PAM user under the handle
 * (setcred ESTABLISH / open_session), drop the registration at pam_end, and
 * revoke the token at close_session / setcred DELETE.  No options, no
 * policy: never install it.
 */
#include <security/pam_modules.h>

#include "impersonate.h"

static void end_registration(pam_handle_t *pamh, void *data, int status)
{
	if (!(status & PAM_DATA_REPLACE))
		(void)imp_pam_unregister(pamh);
}

static int establish(pam_handle_t *pamh)
{
	static char marker;
	const char *user;
	imp_token *tok;

	if (imp_token_from_pam(pamh, &tok) == 0) {
		imp_token_unref(tok);
		return PAM_SUCCESS;
	}
	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || imp_token_for_user(user, 0, &tok) < 0)
		return PAM_USER_UNKNOWN;
	int e = imp_pam_register(pamh, tok);
	imp_token_unref(tok);
	if (e < 0)
		return PAM_SYSTEM_ERR;
	return pam_set_data(pamh, "pam_win_standin", &marker, end_registration);
}

static int revoke(pam_handle_t *pamh)
{
	imp_token *tok;
	if (imp_token_from_pam(pamh, &tok) == 0) {
		imp_token_revoke(tok);
		imp_token_unref(tok);
	}
	return PAM_SUCCESS;
}

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_IGNORE;
}

int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return (flags & PAM_DELETE_CRED) ? revoke(pamh) : establish(pamh);
}

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return establish(pamh);
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return revoke(pamh);
}
