/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PAM sessions that end in a token (SPEC A1, A3, A5): the administrator's
 * pam.d stack for a service decides, and the token is the one
 * pam_impersonate(8) registered on the handle (P1).
 *
 *   password: authenticate, account, setcred(ESTABLISH), open_session
 *   peer:     account, open_session (the kernel vouched for the user, A3)
 *
 * Ending the session closes it, deletes the credentials and ends the PAM
 * handle, which revokes the token (K4, A5).
 */
#include <errno.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define IMP_SESSION_MAGIC 0x73657373u /* "sess" */

struct imp_session {
	uint32_t magic;
	pam_handle_t *pamh;
	imp_token *token;
	bool cred_set;
};

/* The conversation: the password answers every hidden prompt; visible
 * prompts (a user name, "new password" dialogs are hidden too but come only
 * with PAM_NEW_AUTHTOK_REQD, which is refused before) get no answer, so a
 * stack that asks for anything else fails instead of guessing. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	const char *password = data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			if (password && (r[i].resp = strdup(password)))
				break;
			goto fail;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++) {
		if (r[i].resp)
			explicit_bzero(r[i].resp, strlen(r[i].resp));
		free(r[i].resp);
	}
	free(r);
	return PAM_CONV_ERR;
}

/* PAM status to the documented negative errno. */
static int errno_from_pam(int status)
{
	switch (status) {
	case PAM_SUCCESS:
		return 0;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
		return -EACCES;
	case PAM_ACCT_EXPIRED:
	case PAM_CRED_EXPIRED:
		return -EKEYEXPIRED;
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return -EKEYREJECTED;
	case PAM_PERM_DENIED:
		return -EPERM;
	case PAM_CONV_ERR:
		return -EPROTO;
	case PAM_AUTHINFO_UNAVAIL:
		return -EHOSTUNREACH;
	case PAM_BUF_ERR:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static void session_free(struct imp_session *s, int status)
{
	if (s->pamh) {
		if (s->cred_set)
			pam_setcred(s->pamh, PAM_DELETE_CRED | PAM_SILENT);
		pam_end(s->pamh, status);
	}
	imp_token_revoke(s->token);
	imp_token_unref(s->token);
	s->magic = IMP_DEAD_MAGIC;
	free(s);
}

/* The steps after pam_start(); on failure the handle is ended here. */
static int session_run(struct imp_session *s, bool password, uid_t want_uid, imp_session **ret)
{
	int st = PAM_SUCCESS;
	if (password)
		st = pam_authenticate(s->pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (st == PAM_SUCCESS)
		st = pam_acct_mgmt(s->pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (st == PAM_SUCCESS && password) {
		st = pam_setcred(s->pamh, PAM_ESTABLISH_CRED | PAM_SILENT);
		s->cred_set = st == PAM_SUCCESS;
	}
	if (st == PAM_SUCCESS)
		st = pam_open_session(s->pamh, PAM_SILENT);
	int r = errno_from_pam(st);
	if (r == 0 && imp_token_from_pam(s->pamh, &s->token) < 0)
		r = -ENOENT; /* no pam_impersonate.so in the stack */
	if (r == 0 && want_uid != (uid_t)-1 && s->token->uid != want_uid)
		r = -EPERM; /* the stack made a token for someone else */
	if (r == 0) {
		*ret = s;
		return 0;
	}
	if (st == PAM_SUCCESS && r != -ENOENT)
		pam_close_session(s->pamh, PAM_SILENT);
	session_free(s, st == PAM_SUCCESS ? PAM_SYSTEM_ERR : st);
	return r;
}

static int session_start(const char *service, const char *confdir, const char *user,
                         const char *password, uid_t want_uid, imp_session **ret)
{
	if (!service || !*service || strchr(service, '/') || !user || !*user)
		return -EINVAL;
	struct imp_session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->magic = IMP_SESSION_MAGIC;
	/* The conversation holds @password only during this call. */
	struct pam_conv c = {conv, (void *)password};
	/* pam_start() when no directory is given: the system's, or the one a
	 * wrapper such as pam_wrapper(1) substitutes for it. */
	int st = confdir ? pam_start_confdir(service, user, &c, confdir, &s->pamh)
	                 : pam_start(service, user, &c, &s->pamh);
	if (st != PAM_SUCCESS) {
		s->pamh = NULL;
		session_free(s, st);
		return st == PAM_BUF_ERR ? -ENOMEM : -EIO;
	}
	int r = session_run(s, password != NULL, want_uid, ret);
	if (r == 0) {
		static const struct pam_conv none = {conv, NULL};
		pam_set_item(s->pamh, PAM_CONV, &none); /* forget the password */
	}
	return r;
}

IMP_PUBLIC int imp_session_from_password(const char *service, const char *confdir, const char *user,
                                         const char *password, imp_session **ret)
{
	if (!password)
		return -EINVAL;
	return session_start(service, confdir, user, password, (uid_t)-1, ret);
}

IMP_PUBLIC int imp_session_from_peer(const char *service, const char *confdir, const imp_token *peer,
                                     imp_session **ret)
{
	if (!token_valid(peer))
		return -EINVAL;
	if (token_revoked(peer))
		return -EKEYREVOKED;
	char buf[4096];
	struct passwd pw, *found = NULL;
	int e = getpwuid_r(peer->uid, &pw, buf, sizeof(buf), &found);
	if ((e == 0 || e == ENOENT) && !found)
		return -EACCES; /* PAM would say "user unknown" */
	if (e != 0)
		return -e;
	return session_start(service, confdir, pw.pw_name, NULL, peer->uid, ret);
}

IMP_PUBLIC imp_token *imp_session_token(const imp_session *s)
{
	return s && s->magic == IMP_SESSION_MAGIC ? s->token : NULL;
}

IMP_PUBLIC struct pam_handle *imp_session_pam(const imp_session *s)
{
	return s && s->magic == IMP_SESSION_MAGIC ? s->pamh : NULL;
}

IMP_PUBLIC int imp_session_end(imp_session *s)
{
	if (!s || s->magic != IMP_SESSION_MAGIC)
		return -EINVAL;
	int st = pam_close_session(s->pamh, PAM_SILENT);
	session_free(s, st);
	return st == PAM_SUCCESS ? 0 : -EIO;
}
