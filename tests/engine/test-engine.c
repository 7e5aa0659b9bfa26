/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The per-thread engine (SPEC T1-T5, T9-T12), checked against what the
 * kernel reports in /proc/self/task/<tid>/status for the impersonating thread
 * and an idle sibling, and with real files opened or refused.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
#define BOB 60002
#define CAROL 60003
#define SHARED 60100
#define ROOTS_EXTRA_GROUP 4242 /* a group the service has and clients must not */

static const unsigned modes[] = {IMP_MODE_FS, IMP_MODE_FULL};

static imp_token *token(uid_t uid, unsigned flags, bool shared)
{
	imp_token *t;
	gid_t groups[] = {uid, SHARED};
	CHECK_EQ(imp_token_new(uid, uid, groups, shared ? 2 : 1, flags, &t), 0);
	return t;
}

/* Give the calling thread a supplementary group of its own, per thread (raw
 * syscall), so a leak of the service's groups would show. */
static void give_thread_service_group(void)
{
	gid_t g = ROOTS_EXTRA_GROUP;
	CHECK_EQ(syscall(SYS_setgroups, 1, &g), 0);
}

/* The identity a thread must show while impersonating @uid in @mode. */
static void check_impersonating(const struct kcreds *own, const struct kcreds *k, uid_t uid, unsigned mode)
{
	CHECK_EQ(k->uid[3], uid);
	CHECK_EQ(k->gid[3], uid);
	CHECK_EQ(k->uid[0], own->uid[0]); /* real and saved never change (T10) */
	CHECK_EQ(k->uid[2], own->uid[2]);
	CHECK_EQ(k->gid[0], own->gid[0]);
	CHECK_EQ(k->gid[2], own->gid[2]);
	CHECK_EQ(k->uid[1], mode == IMP_MODE_FULL ? uid : own->uid[1]);
	CHECK_EQ(k->gid[1], mode == IMP_MODE_FULL ? uid : own->gid[1]);
	CHECK(kc_has_group(k, uid));
	CHECK(!kc_has_group(k, ROOTS_EXTRA_GROUP));
	CHECK_EQ(k->cap_eff, 0);               /* T11 */
	CHECK_EQ(k->cap_prm, own->cap_prm);
	CHECK_EQ(k->cap_inh, own->cap_inh);
}

/* SPEC T1 T10 T11: each mode changes the calling thread only; the sibling
 * keeps every slot, its groups and all capability sets. */
TEST(t1_t10_each_mode_changes_only_the_calling_thread)
{
	for (size_t m = 0; m < 2; m++) {
		struct kcreds own, during, sib_before, sib_during, after;
		struct sibling *s = sibling_start();
		imp_token *t = token(ALICE, modes[m], true);

		kc_read(0, &own);
		kc_read(sibling_tid(s), &sib_before);
		CHECK_EQ(imp_impersonate(t), 0);
		kc_read(0, &during);
		kc_read(sibling_tid(s), &sib_during);
		check_impersonating(&own, &during, ALICE, modes[m]);
		CHECK(kc_has_group(&during, SHARED));
		CHECK_EQ(during.ngroups, 2);
		CHECK(kc_equal(&sib_before, &sib_during));
		CHECK_EQ(imp_revert(), 0);
		kc_read(0, &after);
		CHECK(kc_equal(&own, &after));
		kc_read(sibling_tid(s), &sib_during);
		CHECK(kc_equal(&sib_before, &sib_during));
		sibling_stop(s);
		imp_token_unref(t);
	}
}

/* SPEC T1: the library answers per thread too. */
static void *report_impersonating(void *p)
{
	*(int *)p = imp_is_impersonating();
	return NULL;
}

TEST(t1_is_impersonating_answers_per_thread)
{
	imp_token *t = token(ALICE, IMP_MODE_FS, false);
	pthread_t th;
	int other = -1;
	CHECK_EQ(pthread_create(&th, NULL, report_impersonating, &other), 0); /* before: not inherited */
	pthread_join(th, NULL);
	CHECK_EQ(other, 0);
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(imp_is_impersonating(), 1);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_token_unref(t);
}

/* SPEC T2: the credentials saved are the thread's as they are at the first
 * impersonation, whatever they are (here: odd groups, fs ids and an
 * inheritable set chosen per thread), and revert gives back exactly those. */
TEST(t2_saved_at_first_impersonation)
{
	gid_t groups[] = {77, 4242, 9999};
	CHECK_EQ(syscall(SYS_setgroups, 3, groups), 0);
	syscall(SYS_setfsgid, 55);
	struct kcreds own, after;
	kc_read(0, &own);
	CHECK_EQ(own.gid[3], 55);
	CHECK_EQ(own.ngroups, 3);

	imp_token *t = token(BOB, IMP_MODE_FULL, true);
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	imp_token_unref(t);
}

/* SPEC T3 T4: impersonating again switches identity without stacking; one
 * revert restores the T2 credentials and the thread is no longer
 * impersonating. */
TEST(t3_t4_reimpersonation_replaces_and_one_revert_undoes_all)
{
	give_thread_service_group();
	imp_token *a = token(ALICE, IMP_MODE_FS, true), *b = token(BOB, IMP_MODE_FULL, false),
		  *c = token(CAROL, IMP_MODE_FS, false);
	struct kcreds own, k, after;
	kc_read(0, &own);

	CHECK_EQ(imp_impersonate(a), 0);
	CHECK_EQ(imp_impersonate(b), 0);
	kc_read(0, &k);
	check_impersonating(&own, &k, BOB, IMP_MODE_FULL);
	CHECK(!kc_has_group(&k, SHARED)); /* nothing of alice's left */
	CHECK_EQ(imp_impersonate(c), 0);
	CHECK_EQ(imp_impersonate(a), 0);
	kc_read(0, &k);
	check_impersonating(&own, &k, ALICE, IMP_MODE_FS);

	imp_token *cur;
	CHECK_EQ(imp_current_token(&cur), 0);
	CHECK(cur == a);
	imp_token_unref(cur);

	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	CHECK_EQ(imp_is_impersonating(), 0);
	CHECK_EQ(imp_current_token(&cur), -ENOENT);
	imp_token_unref(a);
	imp_token_unref(b);
	imp_token_unref(c);
}

/* SPEC T5: revert when not impersonating succeeds and changes nothing. */
TEST(t5_revert_when_not_impersonating)
{
	give_thread_service_group();
	struct kcreds own, after;
	kc_read(0, &own);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));

	imp_token *t = token(ALICE, IMP_MODE_FS, false);
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(imp_revert(), 0);
	CHECK_EQ(imp_revert(), 0); /* a second revert is a no-op too */
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	imp_token_unref(t);
}

/* SPEC T9: credentials changed behind the library's back while
 * impersonating (here with raw syscalls an unprivileged thread may still
 * make) are restored, and revert reports -EUCLEAN. */
TEST(t9_tampering_is_detected_and_restored)
{
	struct kcreds own, k, after;
	kc_read(0, &own);

	/* fs mode: fsgid back to the real gid is allowed without capabilities. */
	imp_token *t = token(ALICE, IMP_MODE_FS, false);
	CHECK_EQ(imp_impersonate(t), 0);
	syscall(SYS_setfsgid, 0);
	kc_read(0, &k);
	CHECK_EQ(k.gid[3], 0);
	CHECK_EQ(imp_revert(), -EUCLEAN);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	CHECK_EQ(imp_is_impersonating(), 0);
	imp_token_unref(t);

	/* full mode: euid back to the real uid 0, which also raises every
	 * permitted capability into the effective set. */
	t = token(ALICE, IMP_MODE_FULL, false);
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(syscall(SYS_setresuid, -1, 0, -1), 0);
	kc_read(0, &k);
	CHECK_EQ(k.uid[1], 0);
	CHECK(k.cap_eff != 0);
	CHECK_EQ(imp_revert(), -EUCLEAN);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));

	/* Untampered, the same sequence reports plain success. */
	CHECK_EQ(imp_impersonate(t), 0);
	CHECK_EQ(imp_revert(), 0);
	imp_token_unref(t);
}

/* SPEC T10: in both modes the impersonated user cannot signal the thread:
 * a process running as alice gets EPERM from tgkill() on it. */
TEST(t10_client_cannot_signal_the_thread)
{
	for (size_t m = 0; m < 2; m++) {
		imp_token *t = token(ALICE, modes[m], false);
		pid_t pid = getpid(), tid = kc_gettid();
		CHECK_EQ(imp_impersonate(t), 0);
		pid_t child = fork();
		if (child == 0) {
			/* X2: the child starts as root; become alice for real. */
			if (syscall(SYS_setresgid, ALICE, ALICE, ALICE) < 0 ||
			    syscall(SYS_setresuid, ALICE, ALICE, ALICE) < 0)
				_exit(2);
			_exit(syscall(SYS_tgkill, pid, tid, 0) < 0 && errno == EPERM ? 0 : 1);
		}
		int st;
		CHECK_EQ(waitpid(child, &st, 0), child);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), 0);
		CHECK_EQ(imp_revert(), 0);
		imp_token_unref(t);
	}
}

/* SPEC T11: the effective set is empty while impersonating, permitted and
 * inheritable kept, and revert restores all three exactly (here with a
 * non-empty inheritable set and a trimmed effective set). */
TEST(t11_least_privilege_while_impersonating)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	CHECK_EQ(syscall(SYS_capget, &h, d), 0);
	d[0].inheritable = 1u << CAP_NET_BIND_SERVICE;
	d[0].effective &= ~(1u << CAP_SYS_NICE);
	CHECK_EQ(syscall(SYS_capset, &h, d), 0);

	for (size_t m = 0; m < 2; m++) {
		struct kcreds own, k, after;
		kc_read(0, &own);
		CHECK(own.cap_eff != own.cap_prm);
		imp_token *t = token(ALICE, modes[m], false);
		CHECK_EQ(imp_impersonate(t), 0);
		kc_read(0, &k);
		CHECK_EQ(k.cap_eff, 0);
		CHECK_EQ(k.cap_prm, own.cap_prm);
		CHECK_EQ(k.cap_inh, 1u << CAP_NET_BIND_SERVICE);
		CHECK_EQ(imp_revert(), 0);
		kc_read(0, &after);
		CHECK(kc_equal(&own, &after));
		imp_token_unref(t);
	}
}

/* SPEC T11: a token may keep named capabilities, and only those. */
TEST(t11_kept_capabilities_only)
{
	imp_token *base = token(ALICE, IMP_MODE_FULL, false), *t;
	CHECK_EQ(imp_token_with_caps(base, "cap_net_bind_service, cap_chown", &t), 0);
	struct kcreds own, k, after;
	kc_read(0, &own);
	CHECK_EQ(imp_impersonate(t), 0);
	kc_read(0, &k);
	CHECK_EQ(k.cap_eff, (1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_CHOWN));
	CHECK_EQ(k.uid[1], ALICE);
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	imp_token_unref(t);
	imp_token_unref(base);
}

/* SPEC T12: groups are set explicitly every time; an empty list is a list:
 * the service's own groups never leak to the client. */
TEST(t12_empty_group_list_is_set)
{
	give_thread_service_group();
	imp_token *t;
	CHECK_EQ(imp_token_new(ALICE, ALICE, NULL, 0, 0, &t), 0);
	CHECK_EQ(imp_impersonate(t), 0);
	struct kcreds k;
	kc_read(0, &k);
	CHECK_EQ(k.ngroups, 0);
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &k);
	CHECK_EQ(k.ngroups, 1);
	CHECK_EQ(k.groups[0], ROOTS_EXTRA_GROUP);
	imp_token_unref(t);
}

/* ---- Real access checks ---------------------------------------------------- */

struct fixture {
	char *dir;
};

static struct fixture files_make(void)
{
	struct fixture f = {tmpdir_make()};
	char sub[4200];
	file_make(f.dir, "alice-private", ALICE, ALICE, 0600);
	file_make(f.dir, "alice-readable", ALICE, ALICE, 0644);
	file_make(f.dir, "shared-group", 0, SHARED, 0640);
	file_make(f.dir, "root-only", 0, 0, 0600);
	file_make(f.dir, "service-group", 0, ROOTS_EXTRA_GROUP, 0040);
	snprintf(sub, sizeof(sub), "%s/alice-dir", f.dir);
	CHECK_EQ(mkdir(sub, 0700), 0);
	CHECK_EQ(chown(sub, ALICE, ALICE), 0);
	file_make(sub, "inside", ALICE, ALICE, 0644);
	return f;
}

static int open_as(imp_token *t, const char *dir, const char *name, int flags)
{
	CHECK_EQ(imp_impersonate(t), 0);
	int e = try_open(dir, name, flags);
	CHECK_EQ(imp_revert(), 0);
	return e;
}

/* SPEC T10 T11 T12: the kernel's own permission checks, in both modes:
 * owner access, refusal to others, supplementary-group access, no DAC
 * override, no leak of the service's groups, directory search permission. */
TEST(access_checks_in_both_modes)
{
	give_thread_service_group();
	struct fixture f = files_make();
	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = token(ALICE, modes[m], true), *bob = token(BOB, modes[m], true),
			  *carol = token(CAROL, modes[m], false);

		CHECK_EQ(open_as(alice, f.dir, "alice-private", O_RDWR), 0);
		CHECK_EQ(open_as(bob, f.dir, "alice-private", O_RDONLY), EACCES);
		CHECK_EQ(open_as(bob, f.dir, "alice-readable", O_RDONLY), 0);
		CHECK_EQ(open_as(bob, f.dir, "alice-readable", O_WRONLY), EACCES);
		CHECK_EQ(open_as(alice, f.dir, "shared-group", O_RDONLY), 0);
		CHECK_EQ(open_as(bob, f.dir, "shared-group", O_RDONLY), 0);
		CHECK_EQ(open_as(carol, f.dir, "shared-group", O_RDONLY), EACCES);
		CHECK_EQ(open_as(alice, f.dir, "root-only", O_RDONLY), EACCES);
		CHECK_EQ(open_as(alice, f.dir, "service-group", O_RDONLY), EACCES);
		CHECK_EQ(open_as(alice, f.dir, "alice-dir/inside", O_RDONLY), 0);
		CHECK_EQ(open_as(bob, f.dir, "alice-dir/inside", O_RDONLY), EACCES);
		/* ... and the service itself, reverted, still reads everything. */
		CHECK_EQ(try_open(f.dir, "alice-private", O_RDONLY), 0);
		CHECK_EQ(try_open(f.dir, "service-group", O_RDONLY), 0);
		imp_token_unref(alice);
		imp_token_unref(bob);
		imp_token_unref(carol);
	}
	tmpdir_remove(f.dir);
}

/* SPEC T10: files created while impersonating belong to the client. */
TEST(created_files_belong_to_the_client)
{
	struct fixture f = files_make();
	char path[4200];
	CHECK_EQ(chmod(f.dir, 0777), 0);
	for (size_t m = 0; m < 2; m++) {
		imp_token *alice = token(ALICE, modes[m], true);
		snprintf(path, sizeof(path), "%s/new-%zu", f.dir, m);
		CHECK_EQ(imp_impersonate(alice), 0);
		int fd = open(path, O_CREAT | O_WRONLY | O_EXCL | O_CLOEXEC, 0600);
		CHECK_EQ(imp_revert(), 0);
		CHECK(fd >= 0);
		close(fd);
		struct stat st;
		CHECK_EQ(stat(path, &st), 0);
		CHECK_EQ(st.st_uid, ALICE);
		CHECK_EQ(st.st_gid, ALICE);
		imp_token_unref(alice);
	}
	tmpdir_remove(f.dir);
}

/* Bad input changes nothing: NULL and foreign pointers are refused. */
TEST(bad_token_changes_nothing)
{
	struct kcreds own, after;
	kc_read(0, &own);
	uint64_t junk[16] = {0x1234};
	CHECK_EQ(imp_impersonate(NULL), -EINVAL);
	CHECK_EQ(imp_impersonate((imp_token *)junk), -EINVAL);
	kc_read(0, &after);
	CHECK(kc_equal(&own, &after));
	CHECK_EQ(imp_is_impersonating(), 0);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
