/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Failure paths on the real kernel (SPEC T6, T7, T8, T12).
 *
 * A seccomp filter installed on the test thread only (no TSYNC) makes one
 * credential syscall of a switch fail -- matched by its arguments, so the
 * rollback's own calls still go through -- and the tests check the thread's
 * credentials afterwards.  A user-notification filter records the order of
 * the credential syscalls.
 */
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
#define BOB 60002
#define SHARED 60100

static imp_token *token(uid_t uid, unsigned flags)
{
	imp_token *t;
	gid_t groups[] = {uid, SHARED, 60200, 60201}; /* 4 groups: unlike root's 0 */
	CHECK_EQ(imp_token_new(uid, uid, groups, 4, flags, &t), 0);
	return t;
}

enum step { GROUPS, GID, UID, CAPS };
static const char *const step_names[] = {"groups", "gid", "uid", "caps"};

/* Fail the @step syscall that moves the thread to @uid, with @err (0: claim
 * success and do nothing). */
static void fail_step(enum step step, unsigned mode, uid_t uid, int err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	uint32_t act = SCMP_ACT_ERRNO((uint32_t)err);
	int r = -1;
	CHECK(ctx);
	switch (step) {
	case GROUPS:
		r = seccomp_rule_add(ctx, act, SCMP_SYS(setgroups), 1, SCMP_A0(SCMP_CMP_EQ, 4));
		break;
	case GID:
		r = mode == IMP_MODE_FULL
			    ? seccomp_rule_add(ctx, act, SCMP_SYS(setresgid), 1, SCMP_A1(SCMP_CMP_EQ, uid))
			    : seccomp_rule_add(ctx, act, SCMP_SYS(setfsgid), 1, SCMP_A0(SCMP_CMP_EQ, uid));
		break;
	case UID:
		r = mode == IMP_MODE_FULL
			    ? seccomp_rule_add(ctx, act, SCMP_SYS(setresuid), 1, SCMP_A1(SCMP_CMP_EQ, uid))
			    : seccomp_rule_add(ctx, act, SCMP_SYS(setfsuid), 1, SCMP_A0(SCMP_CMP_EQ, uid));
		break;
	case CAPS: /* capset's data is behind a pointer: fail every capset */
		r = seccomp_rule_add(ctx, act, SCMP_SYS(capset), 0);
		break;
	default:
		break;
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(seccomp_load(ctx), 0);
	seccomp_release(ctx);
}

/* SPEC T6: whichever step fails, in either mode, the thread is exactly as it
 * was and the call reports the error; the sibling never moved. */
TEST(t6_each_failing_step_rolls_back)
{
	for (unsigned mode = 0; mode < 2; mode++) {
		for (int step = GROUPS; step <= CAPS; step++) {
			pid_t pid = fork();
			if (pid == 0) {
				struct kcreds own, after, sib_before, sib_after;
				struct sibling *s = sibling_start();
				imp_token *t = token(ALICE, mode);
				kc_read(0, &own);
				kc_read(sibling_tid(s), &sib_before);
				fail_step(step, mode, ALICE, EPERM);
				int r = imp_impersonate(t);
				kc_read(0, &after);
				kc_read(sibling_tid(s), &sib_after);
				if (r != -EPERM || !kc_equal(&own, &after) || !kc_equal(&sib_before, &sib_after) ||
				    imp_is_impersonating() != 0) {
					fprintf(stderr, "# mode %u step %s: r=%d\n", mode, step_names[step], r);
					kc_print("own", &own);
					kc_print("after", &after);
					_exit(1);
				}
				_exit(0);
			}
			int st;
			CHECK_EQ(waitpid(pid, &st, 0), pid);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
	}
}

/* SPEC T6 T3: a failed re-impersonation leaves the previous impersonation in
 * place, exactly, and the saved credentials still revert. */
TEST(t6_failed_reimpersonation_keeps_the_previous_one)
{
	for (unsigned mode = 0; mode < 2; mode++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct kcreds own, as_alice, after;
			imp_token *alice = token(ALICE, mode), *bob = token(BOB, mode), *cur;
			kc_read(0, &own);
			CHECK_EQ(imp_impersonate(alice), 0);
			kc_read(0, &as_alice);
			/* The switch to bob fails at its uid step, after groups
			 * and gid already moved. */
			fail_step(UID, mode, BOB, EPERM);
			CHECK_EQ(imp_impersonate(bob), -EPERM);
			kc_read(0, &after);
			CHECK(kc_equal(&as_alice, &after));
			CHECK_EQ(imp_current_token(&cur), 0);
			CHECK(cur == alice);
			imp_token_unref(cur);
			CHECK_EQ(imp_revert(), 0);
			kc_read(0, &after);
			CHECK(kc_equal(&own, &after));
			_exit(0);
		}
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
}

/* SPEC T7: a syscall that claims success but changes nothing (seccomp
 * returning 0) is caught by reading the kernel back, never a silent no-op
 * success: setgroups and setres*id are caught by the final read-back (-EIO),
 * setfs*id (which has no error return at all) by the read-back right after
 * it (-EPERM).  Either way nothing changed. */
TEST(t7_silent_no_op_is_caught_by_read_back)
{
	static const int want[2][3] = {
		[IMP_MODE_FS] = {-EIO, -EPERM, -EPERM},
		[IMP_MODE_FULL] = {-EIO, -EIO, -EIO},
	};
	for (unsigned mode = 0; mode < 2; mode++) {
		for (int step = GROUPS; step <= UID; step++) {
			pid_t pid = fork();
			if (pid == 0) {
				struct kcreds own, after;
				imp_token *t = token(ALICE, mode);
				kc_read(0, &own);
				fail_step(step, mode, ALICE, 0);
				int r = imp_impersonate(t);
				kc_read(0, &after);
				if (r != want[mode][step] || !kc_equal(&own, &after)) {
					fprintf(stderr, "# mode %u step %s: r=%d\n", mode, step_names[step], r);
					_exit(1);
				}
				_exit(0);
			}
			int st;
			CHECK_EQ(waitpid(pid, &st, 0), pid);
			CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
	}
}

static int panic_pipe = -1;

static void report_panic(const char *msg)
{
	ssize_t ignored = write(panic_pipe, msg, strlen(msg));
	(void)ignored;
	_exit(42);
}

static void returning_handler(const char *msg)
{
}

/* Impersonate, then make the way back impossible, then revert. */
static void revert_that_cannot_succeed(unsigned mode)
{
	imp_token *t = token(ALICE, mode);
	CHECK_EQ(imp_impersonate(t), 0);
	/* Block every id change back to root; while impersonating the thread
	 * has no CAP_SYS_ADMIN, so it needs no_new_privs for seccomp. */
	CHECK_EQ(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setfsuid), 1, SCMP_A0(SCMP_CMP_EQ, 0)), 0);
	CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setresuid), 0), 0);
	CHECK_EQ(seccomp_load(ctx), 0);
	imp_revert();
}

/* SPEC T8: a revert that cannot restore the saved credentials reaches the
 * panic handler; control never comes back to the caller. */
TEST(t8_failed_revert_reaches_the_panic_handler)
{
	for (unsigned mode = 0; mode < 2; mode++) {
		int p[2];
		CHECK_EQ(pipe(p), 0);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			panic_pipe = p[1];
			imp_set_panic_handler(report_panic);
			revert_that_cannot_succeed(mode);
			_exit(0); /* reached only if revert returned */
		}
		close(p[1]);
		char msg[256] = "";
		ssize_t n = read(p[0], msg, sizeof(msg) - 1);
		close(p[0]);
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		CHECK(WIFEXITED(st));
		CHECK_EQ(WEXITSTATUS(st), 42);
		CHECK(n > 0);
		CHECK(strstr(msg, "cannot restore") != NULL);
	}
}

/* SPEC T8: a handler that returns does not return control either: abort(). */
TEST(t8_returning_panic_handler_still_aborts)
{
	pid_t pid = fork();
	if (pid == 0) {
		imp_set_panic_handler(returning_handler);
		revert_that_cannot_succeed(IMP_MODE_FS);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGABRT);
}

/* ---- SPEC T12: the order, observed ---------------------------------------- */

#define MAX_EVENTS 64
/* The kernel orders each recorded syscall before the filtered thread goes
 * on, but ThreadSanitizer cannot see that: the lock makes the hand-over of
 * the events explicit. */
struct recorder {
	pthread_mutex_t lock;
	int fd;
	int n;
	char events[MAX_EVENTS][32];
	int stop;
};

static void record(struct recorder *r, const struct seccomp_data *d)
{
	const char *name = NULL;
	long a0 = (long)(int)d->args[0];
	if (d->nr == SCMP_SYS(setgroups))
		name = "setgroups";
	else if (d->nr == SCMP_SYS(setfsgid) && a0 != -1)
		name = "setfsgid";
	else if (d->nr == SCMP_SYS(setfsuid) && a0 != -1)
		name = "setfsuid";
	else if (d->nr == SCMP_SYS(setresgid))
		name = "setresgid";
	else if (d->nr == SCMP_SYS(setresuid))
		name = "setresuid";
	else if (d->nr == SCMP_SYS(capset))
		name = "capset";
	pthread_mutex_lock(&r->lock);
	if (name && r->n < MAX_EVENTS)
		snprintf(r->events[r->n++], 32, "%s", name);
	pthread_mutex_unlock(&r->lock);
}

/* The supervisor: a sibling created before the filter, so not filtered. */
static void *supervise(void *p)
{
	struct recorder *r = p;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	if (seccomp_notify_alloc(&req, &resp) < 0)
		return NULL;
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = {.fd = __atomic_load_n(&r->fd, __ATOMIC_ACQUIRE), .events = POLLIN};
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		memset(req, 0, sizeof(*req));
		if (seccomp_notify_receive(r->fd, req) < 0)
			continue;
		record(r, &req->data);
		memset(resp, 0, sizeof(*resp));
		resp->id = req->id;
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		seccomp_notify_respond(r->fd, resp);
	}
	seccomp_notify_free(req, resp);
	return NULL;
}

static void expect_events(struct recorder *r, const char *const *want, int n)
{
	pthread_mutex_lock(&r->lock);
	bool ok = r->n == n;
	for (int i = 0; ok && i < n; i++)
		ok = strcmp(r->events[i], want[i]) == 0;
	if (!ok) {
		for (int i = 0; i < r->n; i++)
			fprintf(stderr, "# event %d: %s\n", i, r->events[i]);
		harness_fail(__FILE__, __LINE__, "wrong credential syscall order");
	}
	r->n = 0;
	pthread_mutex_unlock(&r->lock);
}

TEST(t12_order_in_and_out)
{
	static const char *const fs_in[] = {"setgroups", "setfsgid", "setfsuid", "capset"};
	static const char *const fs_out[] = {"capset", "setfsuid", "setfsgid", "setgroups"};
	static const char *const full_in[] = {"setgroups", "setresgid", "setresuid", "capset"};
	static const char *const full_out[] = {"capset", "setresuid", "setresgid", "setgroups"};
	imp_token *fs = token(ALICE, IMP_MODE_FS), *full = token(ALICE, IMP_MODE_FULL);
	struct recorder r = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};
	static const char *const calls[] = {"setgroups", "setfsgid", "setfsuid", "setresgid", "setresuid",
	                                     "capset"};

	CHECK_EQ(imp_revert(), 0); /* the thread state's first-use read is not recorded */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	for (size_t i = 0; i < 6; i++)
		CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, seccomp_syscall_resolve_name(calls[i]), 0), 0);
	/* The supervisor exists before the filter (so it is not filtered) and
	 * picks up the listener fd once the filter is loaded. */
	pthread_t th;
	CHECK_EQ(pthread_create(&th, NULL, supervise, &r), 0);
	CHECK_EQ(seccomp_load(ctx), 0);
	__atomic_store_n(&r.fd, seccomp_notify_fd(ctx), __ATOMIC_RELEASE);

	CHECK_EQ(imp_impersonate(fs), 0);
	expect_events(&r, fs_in, 4);
	CHECK_EQ(imp_revert(), 0);
	expect_events(&r, fs_out, 4);
	CHECK_EQ(imp_impersonate(full), 0);
	expect_events(&r, full_in, 4);
	CHECK_EQ(imp_revert(), 0);
	expect_events(&r, full_out, 4);

	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	seccomp_release(ctx);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
