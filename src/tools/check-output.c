/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* impersonate-check: the report, as a table for people or JSON for scripts. */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "check.h"

const char *check_status_text(int status)
{
	switch (status) {
	case EXIT_OK: return "every step worked and every path was allowed";
	case EXIT_ACCESS: return "the kernel refused at least one path to the user";
	case EXIT_PAM: return "PAM refused a step";
	case EXIT_TOKEN: return "PAM gave no token: is pam_impersonate.so in the service's stack?";
	case EXIT_IMPERSONATE: return "impersonating the token was refused";
	case EXIT_REVERT: return "the thread did not get its own credentials back";
	default: return "usage or internal error";
	}
}

static const char *pam_code_name(int code)
{
	static const char *names[] = {
		[PAM_SUCCESS] = "PAM_SUCCESS",         [PAM_OPEN_ERR] = "PAM_OPEN_ERR",
		[PAM_SYMBOL_ERR] = "PAM_SYMBOL_ERR",   [PAM_SERVICE_ERR] = "PAM_SERVICE_ERR",
		[PAM_SYSTEM_ERR] = "PAM_SYSTEM_ERR",   [PAM_BUF_ERR] = "PAM_BUF_ERR",
		[PAM_PERM_DENIED] = "PAM_PERM_DENIED", [PAM_AUTH_ERR] = "PAM_AUTH_ERR",
		[PAM_CRED_INSUFFICIENT] = "PAM_CRED_INSUFFICIENT",
		[PAM_AUTHINFO_UNAVAIL] = "PAM_AUTHINFO_UNAVAIL",
		[PAM_USER_UNKNOWN] = "PAM_USER_UNKNOWN", [PAM_MAXTRIES] = "PAM_MAXTRIES",
		[PAM_NEW_AUTHTOK_REQD] = "PAM_NEW_AUTHTOK_REQD",
		[PAM_ACCT_EXPIRED] = "PAM_ACCT_EXPIRED", [PAM_SESSION_ERR] = "PAM_SESSION_ERR",
		[PAM_CRED_UNAVAIL] = "PAM_CRED_UNAVAIL", [PAM_CRED_EXPIRED] = "PAM_CRED_EXPIRED",
		[PAM_CRED_ERR] = "PAM_CRED_ERR",       [PAM_NO_MODULE_DATA] = "PAM_NO_MODULE_DATA",
		[PAM_CONV_ERR] = "PAM_CONV_ERR",       [PAM_AUTHTOK_ERR] = "PAM_AUTHTOK_ERR",
		[PAM_ABORT] = "PAM_ABORT",             [PAM_IGNORE] = "PAM_IGNORE",
		[PAM_MODULE_UNKNOWN] = "PAM_MODULE_UNKNOWN", [PAM_BAD_ITEM] = "PAM_BAD_ITEM",
		[PAM_CONV_AGAIN] = "PAM_CONV_AGAIN",   [PAM_INCOMPLETE] = "PAM_INCOMPLETE",
	};
	if (code >= 0 && (size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "PAM_?";
}

static const char *err_name(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

/* NULL when NSS does not know the group. */
static const char *group_name(gid_t gid, char *buf, size_t cap)
{
	struct group gr, *found = NULL;
	if (getgrgid_r(gid, &gr, buf, cap, &found) != 0 || !found)
		return NULL;
	return found->gr_name;
}

static const char *mode_name(unsigned flags)
{
	return (flags & IMP_MODE_MASK) == IMP_MODE_FULL ? "full" : "fs";
}

static const char *level_name(unsigned flags)
{
	return (flags & IMP_LEVEL_IDENTIFY) ? "identify" : "impersonate";
}

/* ---- Table --------------------------------------------------------------------------- */

static void table_ids(const char *label, const struct kstatus *k)
{
	printf("  %-16s uid %u %u %u %u  gid %u %u %u %u  groups", label, k->uid[0], k->uid[1], k->uid[2],
	       k->uid[3], k->gid[0], k->gid[1], k->gid[2], k->gid[3]);
	for (size_t i = 0; i < k->ngroups; i++)
		printf(" %u", k->groups[i]);
	printf("%s%s  CapEff %016" PRIx64 "\n", k->ngroups ? "" : " -", k->truncated ? " ..." : "", k->cap_eff);
}

static void table_steps(const struct check_report *r, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < r->nsteps; i++) {
		const struct check_step *s = &r->steps[i];
		if (s->status == PAM_SUCCESS)
			printf("  %-16s ok\n", s->name);
		else
			printf("  %-16s FAILED: %s (%s)\n", s->name, s->text, pam_code_name(s->status));
	}
}

static void table_token(const struct check_report *r)
{
	char buf[4096];
	const imp_token *t = r->token;
	size_t n;
	const gid_t *groups = imp_token_groups(t, &n);
	const char *gname = group_name(imp_token_gid(t), buf, sizeof(buf));
	unsigned flags = imp_token_flags(t);
	uint64_t caps = imp_token_kept_caps(t);

	printf("\ntoken\n  %-16s %s\n  %-16s %u\n  %-16s %u", "user", imp_token_user_name(t), "uid",
	       imp_token_uid(t), "gid", imp_token_gid(t));
	printf(gname ? " (%s)\n" : "%s\n", gname ? gname : "");
	printf("  %-16s", "groups");
	for (size_t i = 0; i < n; i++) {
		gname = group_name(groups[i], buf, sizeof(buf));
		printf("%s %u", i ? "," : "", groups[i]);
		if (gname)
			printf(" (%s)", gname);
	}
	printf("%s\n  %-16s %s\n  %-16s %s\n  %-16s", n ? "" : " none", "mode", mode_name(flags), "level",
	       level_name(flags), "kept caps");
	for (int c = 0; c < 64; c++)
		if (caps & (UINT64_C(1) << c)) {
			char *name = cap_to_name(c);
			printf(" %s", name ? name : "?");
			cap_free(name);
		}
	printf("%s\n", caps ? "" : " none");
}

static void table_thread(const struct check_report *r)
{
	printf("\nimpersonation on a worker thread\n");
	table_ids("before", &r->before);
	if (r->imp_err) {
		printf("  %-16s REFUSED: %s (%s)\n", "impersonate", strerror(-r->imp_err), err_name(-r->imp_err));
		if (!r->support.can_impersonate)
			printf("  %-16s %s\n", "why", r->support.reason);
		return;
	}
	if (r->have_during)
		table_ids("during", &r->during);
	for (size_t i = 0; i < r->nattempts; i++) {
		const struct check_attempt *a = &r->attempts[i];
		printf("  %-5s %-40s ", a->write ? "write" : "open", a->path);
		if (a->err)
			printf("refused: %s (%s)\n", err_name(a->err), strerror(a->err));
		else
			printf("allowed (%s)\n", a->kind);
	}
	printf("  %-16s %s\n", "revert",
	       r->revert == 0 ? "ok" : r->revert == -EUCLEAN ? "restored, but the credentials had been changed "
	                                                     "behind the library's back"
	                                                   : strerror(-r->revert));
	table_ids("after", &r->after);
	printf("  %-16s %s\n", "own credentials", r->restored ? "back, same as before" : "DIFFERENT from before");
}

void check_print_table(const struct check_report *r, int status)
{
	size_t opened = r->nsteps;
	for (size_t i = 0; i < r->nsteps; i++)
		if (!strcmp(r->steps[i].name, "close_session") || !strcmp(r->steps[i].name, "setcred_delete")) {
			opened = i;
			break;
		}
	printf("service %s, user %s, PAM configuration from %s\n\nPAM\n", r->service, r->user,
	       r->confdir ? r->confdir : "/etc/pam.d");
	table_steps(r, 0, opened);
	if (r->token)
		table_token(r);
	else if (!opened || r->steps[opened - 1].status == PAM_SUCCESS)
		printf("\ntoken\n  none: no module registered a token for this PAM handle\n");
	if (r->ran_thread)
		table_thread(r);
	if (opened < r->nsteps) {
		printf("\nPAM\n");
		table_steps(r, opened, r->nsteps);
		if (r->token)
			printf("  %-16s %s\n", "token revoked", r->revoked ? "yes" : "no");
	}
	printf("\nresult %d: %s\n", status, check_status_text(status));
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_ids(const char *key, const struct kstatus *k, bool last)
{
	printf("    \"%s\": {\"uid\": [%u, %u, %u, %u], \"gid\": [%u, %u, %u, %u], \"groups\": [", key, k->uid[0],
	       k->uid[1], k->uid[2], k->uid[3], k->gid[0], k->gid[1], k->gid[2], k->gid[3]);
	for (size_t i = 0; i < k->ngroups; i++)
		printf("%s%u", i ? ", " : "", k->groups[i]);
	printf("], \"cap_eff\": \"%016" PRIx64 "\", \"cap_prm\": \"%016" PRIx64 "\", \"cap_inh\": \"%016" PRIx64
	       "\"}%s\n",
	       k->cap_eff, k->cap_prm, k->cap_inh, last ? "" : ",");
}

static void json_group(gid_t gid)
{
	char buf[4096];
	printf("{\"gid\": %u, \"name\": ", gid);
	json_str(group_name(gid, buf, sizeof(buf)));
	putchar('}');
}

static void json_token(const struct check_report *r)
{
	const imp_token *t = r->token;
	size_t n;
	const gid_t *groups = imp_token_groups(t, &n);
	unsigned flags = imp_token_flags(t);
	uint64_t caps = imp_token_kept_caps(t);
	printf("  \"token\": {\n    \"user\": ");
	json_str(imp_token_user_name(t));
	printf(",\n    \"uid\": %u,\n    \"gid\": ", imp_token_uid(t));
	json_group(imp_token_gid(t));
	printf(",\n    \"groups\": [");
	for (size_t i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		json_group(groups[i]);
	}
	printf("],\n    \"mode\": \"%s\",\n    \"level\": \"%s\",\n    \"kept_caps\": [", mode_name(flags),
	       level_name(flags));
	bool first = true;
	for (int c = 0; c < 64; c++)
		if (caps & (UINT64_C(1) << c)) {
			char *name = cap_to_name(c);
			printf("%s", first ? "" : ", ");
			json_str(name);
			cap_free(name);
			first = false;
		}
	printf("],\n    \"revoked_after_close\": %s\n  },\n", r->revoked ? "true" : "false");
}

static void json_thread(const struct check_report *r)
{
	printf("  \"impersonation\": {\n    \"error\": ");
	json_str(r->imp_err ? err_name(-r->imp_err) : NULL);
	printf(",\n");
	json_ids("before", &r->before, false);
	if (r->have_during)
		json_ids("during", &r->during, false);
	printf("    \"revert\": ");
	json_str(r->imp_err ? NULL : r->revert ? err_name(-r->revert) : "ok");
	printf(",\n    \"restored\": %s,\n", r->restored ? "true" : "false");
	json_ids("after", &r->after, true);
	printf("  },\n  \"access\": [");
	for (size_t i = 0; i < r->nattempts && !r->imp_err; i++) {
		const struct check_attempt *a = &r->attempts[i];
		printf("%s\n    {\"op\": \"%s\", \"path\": ", i ? "," : "", a->write ? "write" : "open");
		json_str(a->path);
		printf(", \"allowed\": %s, \"error\": ", a->err ? "false" : "true");
		json_str(a->err ? err_name(a->err) : NULL);
		printf(", \"kind\": ");
		json_str(a->err ? NULL : a->kind);
		printf("}");
	}
	printf("%s],\n", r->nattempts && !r->imp_err ? "\n  " : "");
}

void check_print_json(const struct check_report *r, int status)
{
	printf("{\n  \"service\": ");
	json_str(r->service);
	printf(",\n  \"user\": ");
	json_str(r->user);
	printf(",\n  \"confdir\": ");
	json_str(r->confdir);
	printf(",\n  \"can_impersonate\": %s,\n  \"support_reason\": ", r->support.can_impersonate ? "true" : "false");
	json_str(r->support.reason);
	printf(",\n  \"pam\": [");
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct check_step *s = &r->steps[i];
		printf("%s\n    {\"step\": \"%s\", \"status\": %d, \"name\": \"%s\", \"text\": ", i ? "," : "", s->name,
		       s->status, pam_code_name(s->status));
		json_str(s->text);
		printf("}");
	}
	printf("\n  ],\n  \"messages\": [");
	for (size_t i = 0; i < r->nmessages; i++) {
		printf("%s", i ? ", " : "");
		json_str(r->messages[i]);
	}
	printf("],\n");
	if (r->token)
		json_token(r);
	else
		printf("  \"token\": null,\n");
	if (r->ran_thread)
		json_thread(r);
	else
		printf("  \"impersonation\": null,\n  \"access\": [],\n");
	printf("  \"exit_status\": %d,\n  \"result\": ", status);
	json_str(check_status_text(status));
	printf("\n}\n");
}
