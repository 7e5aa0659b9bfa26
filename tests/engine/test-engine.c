/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-thread engine: SPEC T1-T12, checked against what the kernel reports. */
#include <fcntl.h>
#include <linux/capability.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
#define BOB 60002
#define SHARED 60100

static imp_token *token(uid_t uid, gid_t gid, unsigned flags)
{
	imp_token *t;
	gid_t groups[] = {gid, SHARED};
	CHECK_EQ(imp_token_new(uid, gid, groups, 2, flags, &t), 0);
	return t;
}

/* SPEC T1 T10 T11: fs mode changes fsuid/fsgid/groups of this thread only. */
TEST(t1_fs_mode_changes_only_this_thread)
{
	struct kcreds before, during, sib_before, sib_during, after;
	struct sibling *s = sibling_start();
	imp_token *t = token(ALICE, ALICE, IMP_MODE_FS);

	kc_read(0, &before);
	kc_read(sibling_tid(s), &sib_before);
	CHECK_EQ(imp_impersonate(t), 0);
	kc_read(0, &during);
	kc_read(sibling_tid(s), &sib_during);
	CHECK_EQ(during.uid[3], ALICE);
	CHECK_EQ(during.gid[3], ALICE);
	CHECK_EQ(during.uid[0], 0);
	CHECK_EQ(during.uid[1], 0);
	CHECK_EQ(during.uid[2], 0);
	CHECK_EQ(during.ngroups, 2);
	CHECK(kc_has_group(&during, SHARED));
	CHECK_EQ(during.cap_eff, 0);
	CHECK_EQ(during.cap_prm, before.cap_prm);
	CHECK(kc_equal(&sib_before, &sib_during));
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &after);
	CHECK(kc_equal(&before, &after));
	sibling_stop(s);
	imp_token_unref(t);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
