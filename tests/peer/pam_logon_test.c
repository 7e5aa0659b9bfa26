/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PAM module for the logon tests only (never installed): the account
 * states pam_matrix cannot express, chosen by user name.
 *   expired     account: PAM_ACCT_EXPIRED
 *   mustchange  account: PAM_NEW_AUTHTOK_REQD
 *   prompter    auth: asks a visible question (PAM_PROMPT_ECHO_ON)
 * Everyone else: PAM_IGNORE.
 */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

static const char *user_of(pam_handle_t *pamh)
{
	const void *u = NULL;
	return pam_get_item(pamh, PAM_USER, &u) == PAM_SUCCESS && u ? u : "";
}

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	if (strcmp(user_of(pamh), "prompter") != 0)
		return PAM_IGNORE;
	char *answer = NULL;
	int r = pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &answer, "One-time code: ");
	free(answer);
	return r == PAM_SUCCESS ? PAM_SUCCESS : PAM_CONV_ERR;
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	return PAM_IGNORE;
}

int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *u = user_of(pamh);
	if (strcmp(u, "expired") == 0)
		return PAM_ACCT_EXPIRED;
	if (strcmp(u, "mustchange") == 0)
		return PAM_NEW_AUTHTOK_REQD;
	return PAM_IGNORE;
}
