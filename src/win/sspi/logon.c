/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The logon of an accepted client (SPEC A2): the local user that
 * auth_to_local gave goes through the account and session parts of the
 * service's PAM stack (pam_acct_mgmt, pam_open_session; no auth part, no
 * password step, as sshd does for GSSAPI logons), and
 * pam_impersonate(8) there makes the token.  The administrator's pam.d
 * decides for Kerberos logons exactly as for password logons.
 *
 * The PAM service: $IMPERSONATE_PAM_SERVICE, else the program's name;
 * /etc/pam.d, or $IMPERSONATE_PAM_CONFDIR (pam_start_confdir).  Both read
 * with secure_getenv().
 *
 * A refusal is the one thing this library logs (LOG_AUTHPRIV), as Windows
 * records failed logons: who, as whom, and why.  Nothing here runs inside an
 * impersonation window.
 */
#include <errno.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "package.h"

struct logon {
	pam_handle_t *pamh;
	imp_token *tok;
	bool session;
};

/* No prompts: the client proved who it is with its ticket. */
static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n, (void)msg, (void)resp, (void)data;
	return PAM_CONV_ERR;
}

static SECURITY_STATUS denied(const char *principal, const char *user, const char *service, const char *why)
{
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "SSPI logon of %s as %s (PAM service %s) denied: %s", principal, user,
	       service, why);
	return SEC_E_LOGON_DENIED;
}

void logon_close(struct logon *l)
{
	if (!l)
		return;
	if (l->tok) {
		imp_token_revoke(l->tok); /* K4: whatever the stack does */
		imp_token_unref(l->tok);
	}
	if (l->session)
		pam_close_session(l->pamh, PAM_SILENT);
	if (l->pamh)
		pam_end(l->pamh, PAM_SUCCESS);
	free(l);
}

SECURITY_STATUS logon_open(const char *principal, const char *user, struct logon **out, imp_token **tok)
{
	static const struct pam_conv conv = {no_conv, NULL};
	const char *service = secure_getenv("IMPERSONATE_PAM_SERVICE");
	const char *confdir = secure_getenv("IMPERSONATE_PAM_CONFDIR");
	const char *why = NULL;
	if (!service || !*service)
		service = program_invocation_short_name;

	struct logon *l = calloc(1, sizeof(*l));
	if (!l)
		return SEC_E_INSUFFICIENT_MEMORY;
	int r = confdir && *confdir ? pam_start_confdir(service, user, &conv, confdir, &l->pamh)
	                            : pam_start(service, user, &conv, &l->pamh);
	if (r != PAM_SUCCESS) {
		free(l);
		return denied(principal, user, service, "pam_start failed");
	}
	if ((r = pam_acct_mgmt(l->pamh, PAM_SILENT)) != PAM_SUCCESS)
		why = "account refused";
	else if ((r = pam_open_session(l->pamh, PAM_SILENT)) != PAM_SUCCESS)
		why = "session refused";
	else if ((l->session = true, imp_token_from_pam(l->pamh, &l->tok)) < 0)
		why = "the stack made no token (is pam_impersonate.so in it?)";
	if (why) {
		char text[256];
		snprintf(text, sizeof(text), "%s: %s", why, r != PAM_SUCCESS ? pam_strerror(l->pamh, r) : "-");
		l->tok = NULL;
		logon_close(l);
		return denied(principal, user, service, text);
	}
	*out = l;
	*tok = imp_token_ref(l->tok);
	return SEC_E_OK;
}
