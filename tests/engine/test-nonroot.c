/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SPEC T11 for a daemon that is not root: uid 1500 holding only CAP_SETUID
 * and CAP_SETGID (what systemd's AmbientCapabilities= gives).  No uid 0 is
 * involved, so the kernel clears nothing by itself: emptying the effective
 * set while impersonating is the library's job.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define DAEMON 1500
#define ALICE 60001
#define SETID ((1ull << CAP_SETUID) | (1ull << CAP_SETGID))

/* Become uid/gid 1500 on this (single-threaded) test process, keeping only
 * CAP_SETUID and CAP_SETGID permitted and effective. */
static void become_unprivileged_daemon(void)
{
	gid_t none[1];
	CHECK_EQ(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
	CHECK_EQ(syscall(SYS_setgroups, 0, none), 0);
	CHECK_EQ(syscall(SYS_setresgid, DAEMON, DAEMON, DAEMON), 0);
	CHECK_EQ(syscall(SYS_setresuid, DAEMON, DAEMON, DAEMON), 0);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	d[0].effective = d[0].permitted = (uint32_t)SETID;
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);
}

static void as_daemon(void *arg)
{
	const char *dir = arg;
	become_unprivileged_daemon();

	struct kcreds own, k, after;
	kc_read(0, &own);
	CHECK_EQ(own.uid[0], DAEMON);
	CHECK_EQ(own.cap_eff, SETID);
	CHECK_EQ(own.cap_prm, SETID);

	struct imp_support sup;
	CHECK_EQ(imp_query_support(&sup), 0);
	CHECK(sup.can_impersonate);

	for (unsigned mode = 0; mode < 2; mode++) {
		imp_token *t;
		gid_t g = ALICE;
		CHECK_EQ(imp_token_new(ALICE, ALICE, &g, 1, mode, &t), 0);
		CHECK_EQ(imp_impersonate(t), 0);
		kc_read(0, &k);
		CHECK_EQ(k.uid[3], ALICE);
		CHECK_EQ(k.uid[0], DAEMON);
		CHECK_EQ(k.uid[2], DAEMON);
		CHECK_EQ(k.cap_eff, 0);     /* the library emptied it */
		CHECK_EQ(k.cap_prm, SETID); /* kept, so revert works */
		CHECK_EQ(try_open(dir, "alice-private", O_RDONLY), 0);
		CHECK_EQ(try_open(dir, "daemon-private", O_RDONLY), EACCES);
		CHECK_EQ(imp_revert(), 0);
		kc_read(0, &after);
		CHECK(kc_equal(&own, &after));
		CHECK_EQ(try_open(dir, "alice-private", O_RDONLY), EACCES);
		CHECK_EQ(try_open(dir, "daemon-private", O_RDONLY), 0);
		imp_token_unref(t);
	}
}

TEST(t11_non_root_daemon_drops_and_regains_its_capabilities)
{
	char *dir = tmpdir_make();
	file_make(dir, "alice-private", ALICE, ALICE, 0600);
	file_make(dir, "daemon-private", DAEMON, DAEMON, 0600);
	harness_in_child(as_daemon, dir);
	tmpdir_remove(dir);
}

/* Without CAP_SETUID/CAP_SETGID: a clear -EPERM, nothing changed, and
 * imp_query_support() says why. */
TEST(t11_without_capabilities_impersonation_is_refused)
{
	become_unprivileged_daemon();
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);

	struct kcreds own, after;
	struct imp_support sup;
	imp_token *t;
	CHECK_EQ(imp_token_new(ALICE, ALICE, NULL, 0, 0, &t), 0);
	kc_read(0, &own);
	CHECK_EQ(imp_query_support(&sup), 0);
	CHECK(!sup.can_impersonate);
	CHECK(strstr(sup.reason, "CAP_SETUID") != NULL);
	CHECK_EQ(imp_impersonate(t), -EPERM);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	imp_token_unref(t);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
