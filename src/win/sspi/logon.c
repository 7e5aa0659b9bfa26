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
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "package.h"

struct logon {
	pam_handle_t *pamh;
	imp_token *tok;
	bool session;
};

/*
 * libpam dlopen()s the stack's modules at each pam_start() and dlclose()s
 * them at pam_end(): when no other session is open that is a full load and
 * unload per logon (about 2 ms here, most of a logon's cost).  So the
 * objects the first logons bring in are kept loaded for the life of the
 * process, as they are anyway while any session is open: one more dlopen()
 * reference each, never dropped.
 */
static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)info, (void)size;
	++*(size_t *)data;
	return 0;
}

static size_t objects_loaded(void)
{
	size_t n = 0;
	dl_iterate_phdr(count_objects, &n);
	return n;
}

struct pin_list {
	size_t skip, n;
	char *names[64];
};

static int collect_new(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	struct pin_list *p = data;
	if (p->skip) {
		p->skip--;
		return 0;
	}
	if (info->dlpi_name && *info->dlpi_name && p->n < 64)
		p->names[p->n++] = strdup(info->dlpi_name);
	return 0;
}

/* Pin what was loaded since @before objects were (dlopen() cannot be
 * called from inside dl_iterate_phdr()). */
static void pin_new_objects(size_t before)
{
	struct pin_list p = {.skip = before, .n = 0};
	if (objects_loaded() <= before)
		return;
	dl_iterate_phdr(collect_new, &p);
	for (size_t i = 0; i < p.n; i++) {
		if (p.names[i])
			(void)dlopen(p.names[i], RTLD_NOW | RTLD_NOLOAD);
		free(p.names[i]);
	}
}

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
	size_t before = objects_loaded();
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
	pin_new_objects(before);
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
