/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PAM sessions that end in a token (SPEC A1, A3, A5) with the real libpam,
 * pam_matrix passwords, the real pam_impersonate.so and nss_wrapper users:
 * right and wrong passwords, unknown, expired, must-change, a prompt nobody
 * answers, root and a system user; the identity checked against the kernel
 * on a worker thread with a sibling untouched; the token revoked when the
 * session ends.  The peer policy call: account and session for the uid the
 * kernel reported.
 */
#include <grp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"
#include "logontest.h"

#define ALICE 60001
#define SHARED 60100
#define FINANCE 60101

static int logon(const char *user, const char *password, imp_session **s)
{
	return imp_session_from_password(LOGON_SERVICE, logon_confdir(), user, password, s);
}

static long impersonate_on_worker(void *arg)
{
	return imp_impersonate(arg);
}

static long revert_on_worker(void *arg)
{
	return imp_revert();
}

/* SPEC A1, T1, A5, K4: alice's password gives the module's token (NSS
 * groups); impersonated on a worker thread the kernel shows alice there and
 * nothing changes on a sibling; after imp_session_end() the token is
 * revoked: the worker keeps running as alice until it reverts, and a new
 * impersonation fails. */
TEST(a1_right_password_token_and_revoke)
{
	imp_session *s = NULL;
	CHECK_EQ(logon("alice", "alice-secret", &s), 0);
	imp_token *t = imp_token_ref(imp_session_token(s));
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_STREQ(imp_token_user_name(t), "alice");
	CHECK(imp_session_pam(s) != NULL);

	struct worker *w = worker_start();
	struct sibling *sib = sibling_start();
	struct kcreds own, sibk, k;
	kc_read(worker_tid(w), &own);
	kc_read(sibling_tid(sib), &sibk);
	CHECK_EQ(worker_run(w, impersonate_on_worker, t), 0);
	kc_read(worker_tid(w), &k);
	CHECK_EQ(k.uid[3], ALICE);
	CHECK_EQ(k.gid[3], ALICE);
	CHECK(kc_has_group(&k, SHARED) && kc_has_group(&k, FINANCE) && k.ngroups == 3);
	kc_read(sibling_tid(sib), &k);
	CHECK(kc_equal(&k, &sibk));

	CHECK_EQ(imp_session_end(s), 0);
	CHECK(imp_token_is_revoked(t));
	kc_read(worker_tid(w), &k);
	CHECK_EQ(k.uid[3], ALICE); /* K4: still running as alice */
	CHECK_EQ(worker_run(w, revert_on_worker, NULL), 0);
	kc_read(worker_tid(w), &k);
	CHECK(kc_equal(&k, &own));
	CHECK_EQ(worker_run(w, impersonate_on_worker, t), -EKEYREVOKED);
	worker_stop(w);
	sibling_stop(sib);
	imp_token_unref(t);
}

/* SPEC A1: every refusal is a precise error and no session. */
TEST(a1_refusals_are_precise)
{
	imp_session *s = NULL;
	CHECK_EQ(logon("alice", "wrong", &s), -EACCES);
	CHECK_EQ(logon("alice", "", &s), -EACCES);
	CHECK_EQ(logon("nobody-here", "x", &s), -EACCES);
	CHECK_EQ(logon("expired", "expired-secret", &s), -EKEYEXPIRED);
	CHECK_EQ(logon("mustchange", "mustchange-secret", &s), -EKEYREJECTED);
	CHECK_EQ(logon("prompter", "prompter-secret", &s), -EPROTO);
	CHECK_EQ(logon("root", "root-secret", &s), -EPERM);     /* P3 */
	CHECK_EQ(logon("sysuser", "sysuser-secret", &s), -EPERM); /* P3 */
	CHECK_EQ(imp_session_from_password("no-token", logon_confdir(), "alice", "alice-secret", &s), -ENOENT);
	CHECK_EQ(imp_session_from_password("../x", logon_confdir(), "alice", "alice-secret", &s), -EINVAL);
	CHECK_EQ(imp_session_from_password(LOGON_SERVICE, logon_confdir(), "alice", NULL, &s), -EINVAL);
	CHECK_EQ(imp_session_from_password(LOGON_SERVICE, logon_confdir(), NULL, "x", &s), -EINVAL);
	CHECK(s == NULL);
	CHECK_EQ(imp_session_end(NULL), -EINVAL);
	CHECK(imp_session_token(NULL) == NULL);
}

/* A child as @uid (groups: its own gid) makes a socketpair and keeps one
 * end; the other end comes back here. */
static int peer_fd(uid_t uid, pid_t *pid, int *ctl)
{
	int sp[2], c[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c), 0);
	*pid = fork();
	CHECK(*pid >= 0);
	if (*pid == 0) {
		close(c[0]);
		gid_t g = uid;
		if (setgroups(1, &g) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0 ||
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
			_exit(3);
		char byte = 'f';
		struct iovec iov = {&byte, 1};
		char buf[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8))) = {0};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
		                   .msg_controllen = sizeof(buf)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &sp[0], sizeof(int));
		if (sendmsg(c[1], &m, 0) != 1)
			_exit(4);
		if (read(c[1], &byte, 1) < 0) { /* wait for the parent; any end will do */
		}
		_exit(0);
	}
	close(c[1]);
	char byte;
	struct iovec iov = {&byte, 1};
	char buf[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	CHECK_EQ(recvmsg(c[0], &m, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	CHECK(cm != NULL);
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	*ctl = c[0];
	return fd;
}

static void peer_done(pid_t pid, int ctl, int fd)
{
	close(fd);
	close(ctl);
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
}

/* SPEC A3, P1: the peer policy call runs account and session for the uid
 * the kernel reported; the token is the module's (NSS groups), for the
 * peer's uid, and revoked at the end. */
TEST(a3_peer_session_alice)
{
	pid_t pid;
	int ctl, fd = peer_fd(ALICE, &pid, &ctl);
	imp_token *peer, *t;
	imp_session *s = NULL;
	CHECK_EQ(imp_token_from_peer(fd, 0, &peer), 0);
	size_t n;
	imp_token_groups(peer, &n);
	CHECK_EQ(n, 1); /* the kernel's list: only what the peer had */
	CHECK_EQ(imp_session_from_peer(LOGON_SERVICE, logon_confdir(), peer, &s), 0);
	t = imp_token_ref(imp_session_token(s));
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_STREQ(imp_token_user_name(t), "alice");
	imp_token_groups(t, &n);
	CHECK_EQ(n, 3); /* the module's token: alice, shared, finance */
	CHECK_EQ(imp_session_end(s), 0);
	CHECK(imp_token_is_revoked(t));
	CHECK(!imp_token_is_revoked(peer));
	imp_token_unref(t);
	imp_token_unref(peer);
	peer_done(pid, ctl, fd);
}

/* SPEC A3, P3: the administrator's rules decide for peers as for
 * passwords: an expired account, and a system user let through by
 * IMP_PEER_ALLOW_SYSTEM but refused by pam_impersonate's defaults. */
TEST(a3_peer_session_refusals)
{
	imp_token *peer;
	imp_session *s = NULL;
	pid_t pid;
	int ctl, fd = peer_fd(60010, &pid, &ctl);
	CHECK_EQ(imp_token_from_peer(fd, 0, &peer), 0);
	CHECK_EQ(imp_session_from_peer(LOGON_SERVICE, logon_confdir(), peer, &s), -EKEYEXPIRED);
	imp_token_revoke(peer);
	CHECK_EQ(imp_session_from_peer(LOGON_SERVICE, logon_confdir(), peer, &s), -EKEYREVOKED);
	imp_token_unref(peer);
	peer_done(pid, ctl, fd);

	fd = peer_fd(200, &pid, &ctl);
	CHECK_EQ(imp_token_from_peer(fd, 0, &peer), -EPERM);
	CHECK_EQ(imp_token_from_peer(fd, IMP_PEER_ALLOW_SYSTEM, &peer), 0);
	CHECK_EQ(imp_session_from_peer(LOGON_SERVICE, logon_confdir(), peer, &s), -EPERM);
	imp_token_unref(peer);
	peer_done(pid, ctl, fd);

	fd = peer_fd(61234, &pid, &ctl); /* a uid NSS does not know */
	CHECK_EQ(imp_token_from_peer(fd, 0, &peer), 0);
	CHECK_EQ(imp_session_from_peer(LOGON_SERVICE, logon_confdir(), peer, &s), -EACCES);
	imp_token_unref(peer);
	peer_done(pid, ctl, fd);
	CHECK(s == NULL);
}

int main(int argc, char **argv)
{
	logon_confdir();
	int r = harness_main(argc, argv, HARNESS_ROOT);
	logon_confdir_remove();
	return r;
}
