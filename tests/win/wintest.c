/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wintest.h"

#include <linux/capability.h>
#include <stdio.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAM_PERMIT "/lib/x86_64-linux-gnu/security/pam_permit.so"

imp_token *wt_token(uid_t uid, gid_t gid, unsigned flags)
{
	imp_token *t;
	gid_t groups[] = {gid, SHARED};
	CHECK_EQ(imp_token_new(uid, gid, groups, 2, flags, &t), 0);
	return t;
}

void wt_expect_client(int line, pid_t tid, const struct kcreds *own, uid_t uid, gid_t gid)
{
	struct kcreds k;
	kc_read(tid, &k);
	bool ok = k.uid[3] == uid && k.gid[3] == gid && k.ngroups == 2 && kc_has_group(&k, gid) &&
	          kc_has_group(&k, SHARED) && k.cap_eff == 0 && k.cap_prm == own->cap_prm;
	for (int i = 0; i < 3; i++)
		ok = ok && k.uid[i] == own->uid[i] && k.gid[i] == own->gid[i];
	if (!ok) {
		kc_print("own   ", own);
		kc_print("kernel", &k);
		harness_fail(__FILE__, line, "thread %d is not the client %u:%u", (int)tid, uid, gid);
	}
}

/* ---- PAM ----------------------------------------------------------------- */

static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	return PAM_CONV_ERR;
}

static char *pam_dir; /* one PAM handle at a time per test */

pam_handle_t *wt_pam_start(const char *user, imp_token *tok)
{
	static const struct pam_conv conv = {no_conv, NULL};
	char path[4096];
	pam_handle_t *pamh = NULL;

	pam_dir = tmpdir_make();
	snprintf(path, sizeof(path), "%s/win-test", pam_dir);
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	fprintf(f, "auth required %s\naccount required %s\nsession required %s\n", PAM_PERMIT, PAM_PERMIT,
	        PAM_PERMIT);
	fclose(f);
	CHECK_EQ(pam_start_confdir("win-test", user, &conv, pam_dir, &pamh), PAM_SUCCESS);
	if (tok)
		CHECK_EQ(imp_pam_register(pamh, tok), 0);
	return pamh;
}

void wt_pam_end(pam_handle_t *pamh)
{
	(void)imp_pam_unregister(pamh);
	CHECK_EQ(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	tmpdir_remove(pam_dir);
	pam_dir = NULL;
}

/* ---- Changes behind the library's back ------------------------------------ */

void wt_tamper_fsuid(uid_t uid)
{
	syscall(SYS_setfsuid, uid);
	CHECK_EQ(setfsuid((uid_t)-1), uid);
}

void wt_make_distinctive(const gid_t *groups, int n)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	CHECK_EQ(syscall(SYS_setgroups, n, groups), 0);
	CHECK_EQ(syscall(SYS_capget, &hdr, data), 0);
	data[CAP_NET_RAW / 32].effective &= ~(1u << (CAP_NET_RAW % 32));
	CHECK_EQ(syscall(SYS_capset, &hdr, data), 0);
}
