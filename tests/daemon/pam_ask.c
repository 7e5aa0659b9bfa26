/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A PAM module for the daemon's tests: in the account and session steps it
 * asks the client a question through the conversation ("one-time code: ",
 * echo on) and accepts any answer that is not empty.  It stands for the
 * modules that prompt after authentication (a second factor, a password
 * change notice), where a client that never answers must not stall the
 * daemon's other logins.
 */
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

static int ask(pam_handle_t *pamh)
{
	char *answer = NULL;
	int r = pam_prompt(pamh, PAM_PROMPT_ECHO_ON, &answer, "one-time code: ");
	if (r == PAM_SUCCESS && (!answer || !answer[0]))
		r = PAM_PERM_DENIED;
	free(answer);
	return r;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags, (void)argc, (void)argv;
	return ask(pamh);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags, (void)argc, (void)argv;
	return ask(pamh);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh, (void)flags, (void)argc, (void)argv;
	return PAM_SUCCESS;
}
