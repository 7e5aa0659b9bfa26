/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault injection at every credential syscall (SPEC T6, T7, T8, T9, F3, X2).
 *
 * For each operation (impersonate, re-impersonate, revert, call begin, call
 * end, become client) in both modes, a reference run counts the credential
 * syscalls the operation makes -- reads included: getres*id, getgroups,
 * capget and the setfs*id(-1) queries -- and then one forked child per
 * position makes exactly that syscall fail with EPERM, and, for each
 * set-call, "succeed" without doing anything (seccomp user notification,
 * tests/lib/scwatch.h).  Each child then checks the kernel's view of the
 * thread (/proc, independent of the library):
 *
 *   ok     the call succeeded and the thread has exactly the new identity;
 *   error  the call failed and the thread has exactly the identity it had
 *          before the call (its previous verified identity);
 *   panic  the panic handler ran (T8).
 *
 * Anything else -- a wrong identity, a success that is not the new
 * identity, or a library that later fails to revert cleanly -- fails the
 * test.  Counts are printed per operation and mode.  A single transient
 * fault must never reach the panic handler where a verified state can be
 * reached, which with the engine's retries is always (checked).
 */
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"
#include "scwatch.h"

#define ALICE 60001
#define BOB 60002
#define SERVICE_GROUP 4242

enum op { OP_IMPERSONATE, OP_REIMPERSONATE, OP_REVERT, OP_CALL_BEGIN, OP_CALL_END, OP_BECOME, OP_N };
static const char *const op_names[] = {"impersonate", "re-impersonate", "revert",
                                       "call_begin",  "call_end",       "become_client"};
enum outcome { OUT_OK, OUT_ERROR, OUT_PANIC, OUT_WRONG, OUT_N };
static const char *const out_names[] = {"ok", "error", "panic", "WRONG"};

static const char *const watched_names[] = {"setgroups", "getgroups", "setfsuid", "setfsgid", "setresuid",
                                            "setresgid", "getresuid", "getresgid", "capget",   "capset"};
#define NWATCHED (sizeof(watched_names) / sizeof(watched_names[0]))

struct report {
	int outcome;
	int r;
	long count; /* watched syscalls made by the operation */
	int nr[SCWATCH_LOG];
	long arg0[SCWATCH_LOG];
	char why[160];
	struct kcreds after;
};

static int report_fd = -1;
static struct report rep;

static void send_report(void)
{
	const char *p = (const char *)&rep;
	size_t left = sizeof(rep);
	while (left) {
		ssize_t n = write(report_fd, p, left);
		if (n <= 0)
			_exit(3);
		p += n;
		left -= (size_t)n;
	}
}

static const char *phase = "setup";

static void on_panic(const char *msg)
{
	rep.outcome = strcmp(phase, "op") == 0 ? OUT_PANIC : OUT_WRONG;
	snprintf(rep.why, sizeof(rep.why), "panic in %s: %s", phase, msg);
	send_report();
	_exit(0);
}

static imp_token *token(uid_t uid, unsigned mode)
{
	imp_token *t;
	gid_t groups[] = {uid, 60100, 60200};
	CHECK_EQ(imp_token_new(uid, uid, groups, 3, mode, &t), 0);
	return t;
}

static struct scwatch *watch_cred_syscalls(void)
{
	int nrs[NWATCHED];
	for (size_t i = 0; i < NWATCHED; i++)
		nrs[i] = seccomp_syscall_resolve_name(watched_names[i]);
	return scwatch_start(nrs, NWATCHED);
}

/* One case, in a forked child: set up, run @op with the fault at @nth
 * (0: none), judge against @ref (the reference run's new identity). */
static void run_case(enum op op, unsigned mode, long nth, int err, const struct kcreds *ref)
{
	struct kcreds own, before, k;
	imp_token *alice = token(ALICE, mode), *bob = token(BOB, mode);
	imp_call *call = NULL, *outer_call = NULL;
	gid_t g = SERVICE_GROUP;
	int r = 0, was_impersonating;

	CHECK_EQ(syscall(SYS_setgroups, 1, &g), 0); /* a group of the thread's own */
	imp_set_panic_handler(on_panic);
	struct scwatch *w = watch_cred_syscalls();
	scwatch_stop(w);
	CHECK_EQ(imp_revert(), 0); /* the thread state's first use */
	kc_read(0, &own);

	switch (op) { /* setup: the state the operation starts from */
	case OP_REIMPERSONATE:
	case OP_REVERT:
	case OP_CALL_BEGIN:
		CHECK_EQ(imp_impersonate(alice), 0);
		break;
	case OP_CALL_END:
		CHECK_EQ(imp_impersonate(alice), 0);
		CHECK_EQ(imp_call_begin(bob, &call), 0);
		CHECK_EQ(imp_call_impersonate(call), 0);
		break;
	default:
		break;
	}
	kc_read(0, &before);
	was_impersonating = imp_is_impersonating();

	phase = "op";
	scwatch_fail_at(w, nth, err);
	switch (op) {
	case OP_IMPERSONATE:
		r = imp_impersonate(alice);
		break;
	case OP_REIMPERSONATE:
		r = imp_impersonate(bob);
		break;
	case OP_REVERT:
		r = imp_revert();
		break;
	case OP_CALL_BEGIN:
		r = imp_call_begin(bob, &outer_call);
		break;
	case OP_CALL_END:
		r = imp_call_end(call);
		break;
	case OP_BECOME:
		r = imp_become_client(alice);
		break;
	default:
		break;
	}
	scwatch_stop(w);
	phase = "check";
	kc_read(0, &k);
	rep.r = r;
	rep.after = k;
	rep.count = scwatch_count(w, -1);
	for (long i = 1; i <= rep.count && i <= SCWATCH_LOG; i++) {
		rep.nr[i - 1] = scwatch_nr(w, i);
		rep.arg0[i - 1] = scwatch_arg0(w, i);
	}
	if (nth && !scwatch_fired(w)) {
		rep.outcome = OUT_OK; /* the position was not reached this time */
	} else if (r == 0 || (op == OP_REVERT && r == -EUCLEAN)) {
		rep.outcome = !ref || kc_equal(&k, ref) ? OUT_OK : OUT_WRONG;
		if (rep.outcome == OUT_WRONG)
			snprintf(rep.why, sizeof(rep.why), "returned %d with an identity that is not the new one", r);
	} else {
		bool same = kc_equal(&k, &before) && imp_is_impersonating() == was_impersonating;
		rep.outcome = same ? OUT_ERROR : OUT_WRONG;
		if (!same)
			snprintf(rep.why, sizeof(rep.why), "returned %d but the thread is not as before", r);
	}
	if (rep.outcome == OUT_WRONG) {
		kc_print("before", &before);
		kc_print("after", &k);
	}

	/* The library must still know where the thread is: unwind cleanly. */
	phase = "cleanup";
	if (op != OP_BECOME || r != 0) {
		imp_call *c;
		while (imp_call_current(&c) == 0) {
			int e = imp_call_end(c);
			imp_call_unref(c);
			if (e < 0 && e != -EUCLEAN) {
				rep.outcome = OUT_WRONG;
				snprintf(rep.why, sizeof(rep.why), "cleanup: imp_call_end %d", e);
				break;
			}
		}
		int e = imp_revert();
		kc_read(0, &k);
		if ((e != 0 && e != -EUCLEAN) || !kc_equal(&k, &own)) {
			rep.outcome = OUT_WRONG;
			snprintf(rep.why, sizeof(rep.why), "cleanup: revert %d, own identity %s", e,
			         kc_equal(&k, &own) ? "back" : "NOT back");
		}
	}
	send_report();
	_exit(0);
}

static void fork_case(enum op op, unsigned mode, long nth, int err, const struct kcreds *ref, struct report *out)
{
	int p[2];
	CHECK_EQ(pipe(p), 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		run_case(op, mode, nth, err, ref);
	}
	close(p[1]);
	char *dst = (char *)out;
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(*out) && (n = read(p[0], dst + got, sizeof(*out) - got)) > 0)
		got += (size_t)n;
	close(p[0]);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	if (got != sizeof(*out)) {
		memset(out, 0, sizeof(*out));
		out->outcome = OUT_WRONG;
		snprintf(out->why, sizeof(out->why), "child died (status 0x%x) without a report", st);
	}
}

static bool is_setter(int nr, long arg0)
{
	if (nr == SCMP_SYS(setfsuid) || nr == SCMP_SYS(setfsgid))
		return (int)arg0 != -1;
	return nr == SCMP_SYS(setgroups) || nr == SCMP_SYS(setresuid) || nr == SCMP_SYS(setresgid) ||
	       nr == SCMP_SYS(capset);
}

static struct report ref, res;

/* SPEC T6 T7 T8 F3 X2: every position, both fault kinds, both modes. */
TEST(t6_t8_every_credential_syscall_fails_once)
{
	long totals[OUT_N] = {0};
	bool strict = !getenv("IMP_FAULTS_COUNT_ONLY");
	for (int op = 0; op < OP_N; op++) {
		for (unsigned mode = 0; mode < 2; mode++) {
			long counts[OUT_N] = {0};
			fork_case(op, mode, 0, 0, NULL, &ref);
			if (ref.outcome != OUT_OK || (ref.r != 0)) {
				fprintf(stderr, "# %s mode %u: reference run failed: r=%d %s\n", op_names[op], mode,
				        ref.r, ref.why);
				harness_fail(__FILE__, __LINE__, "reference run");
			}
			for (long nth = 1; nth <= ref.count && nth <= SCWATCH_LOG; nth++) {
				for (int kind = 0; kind < 2; kind++) {
					int err = kind == 0 ? EPERM : 0;
					if (err == 0 && !is_setter(ref.nr[nth - 1], ref.arg0[nth - 1]))
						continue;
					fork_case(op, mode, nth, err, &ref.after, &res);
					counts[res.outcome]++;
					if (res.outcome == OUT_WRONG || (res.outcome == OUT_PANIC && getenv("IMP_FAULTS_VERBOSE")))
						fprintf(stderr, "# %s mode %u: fault %s at #%ld (%s(%ld)): %s r=%d %s\n",
						        op_names[op], mode, err ? "EPERM" : "no-op", nth,
						        seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
						                                         ref.nr[nth - 1]),
						        ref.arg0[nth - 1], out_names[res.outcome], res.r, res.why);
				}
			}
			printf("# %-14s %-4s: %2ld syscalls, cases %3ld: ok %3ld, error %3ld, panic %3ld, wrong %ld\n",
			       op_names[op], mode ? "full" : "fs", ref.count,
			       counts[0] + counts[1] + counts[2] + counts[3], counts[OUT_OK], counts[OUT_ERROR],
			       counts[OUT_PANIC], counts[OUT_WRONG]);
			for (int i = 0; i < OUT_N; i++)
				totals[i] += counts[i];
		}
	}
	printf("# total: ok %ld, error %ld, panic %ld, wrong %ld\n", totals[OUT_OK], totals[OUT_ERROR],
	       totals[OUT_PANIC], totals[OUT_WRONG]);
	fflush(stdout);
	CHECK_EQ(totals[OUT_WRONG], 0);
	if (strict)
		CHECK_EQ(totals[OUT_PANIC], 0);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
