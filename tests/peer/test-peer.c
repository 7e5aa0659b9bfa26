/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * imp_token_from_peer() (SPEC A3): a forked child switches to a test uid and
 * groups and connects; the daemon side gets exactly the kernel's record of
 * it.  Root and system users are refused by default; descriptors that are
 * not connected Unix sockets give errors, never a token.
 */
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define ALICE 60001
static const gid_t alice_groups[] = {60100, 60001, 60200};
static const gid_t alice_sorted[] = {60001, 60100, 60200};

/* In a forked child: become @uid/@gid with @groups, process-wide (the child
 * is single-threaded). */
static void child_become(uid_t uid, gid_t gid, const gid_t *groups, size_t n)
{
	if (setgroups(n, groups) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		_exit(3);
}

static void send_fd(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u = {0};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	                   .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &m, 0) != 1)
		_exit(4);
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	                   .msg_controllen = sizeof(u.buf)};
	CHECK_EQ(recvmsg(sock, &m, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	CHECK(c && c->cmsg_type == SCM_RIGHTS);
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* A child as @uid makes a socketpair and sends one end back: the peer of
 * that end is the child, as the kernel recorded it. */
static int socketpair_from(uid_t uid, pid_t *pid)
{
	int ctl[2];
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl), 0);
	*pid = fork();
	CHECK(*pid >= 0);
	if (*pid == 0) {
		close(ctl[0]);
		child_become(uid, uid, alice_groups, 3);
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
			_exit(5);
		send_fd(ctl[1], sp[0]);
		char b;
		if (read(ctl[1], &b, 1) < 0) { /* hold sp[1] until the parent is done */
		}
		_exit(0);
	}
	close(ctl[1]);
	int fd = recv_fd(ctl[0]);
	return fd * 1000 + ctl[0]; /* both back to the caller */
}

static void reap(pid_t pid, int ctl)
{
	close(ctl);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void expect_alice(imp_token *t)
{
	size_t n;
	const gid_t *g = imp_token_groups(t, &n);
	CHECK_EQ(imp_token_uid(t), ALICE);
	CHECK_EQ(imp_token_gid(t), ALICE);
	CHECK_EQ(n, 3);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(g[i], alice_sorted[i]);
	CHECK_STREQ(imp_token_user_name(t), "60001"); /* no NSS on the way */
}

/* SPEC A3: socketpair made by a child running as alice with groups
 * {60100, 60001, 60200}: the token is exactly that; impersonating it gives
 * the kernel-reported identity on this thread and nothing on a sibling. */
TEST(a3_socketpair_peer_exact)
{
	pid_t pid;
	int both = socketpair_from(ALICE, &pid);
	int fd = both / 1000, ctl = both % 1000;
	imp_token *t = NULL;
	CHECK_EQ(imp_token_from_peer(fd, 0, &t), 0);
	expect_alice(t);

	struct sibling *s = sibling_start();
	struct kcreds own, sib, now;
	kc_read(0, &own);
	kc_read(sibling_tid(s), &sib);
	CHECK_EQ(imp_impersonate(t), 0);
	kc_read(0, &now);
	CHECK_EQ(now.uid[3], ALICE);
	CHECK_EQ(now.gid[3], ALICE);
	CHECK_EQ(now.ngroups, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(now.groups[i], alice_sorted[i]);
	kc_read(sibling_tid(s), &now);
	CHECK(kc_equal(&now, &sib));
	CHECK_EQ(imp_revert(), 0);
	kc_read(0, &now);
	CHECK(kc_equal(&now, &own));
	sibling_stop(s);
	imp_token_unref(t);
	close(fd);
	reap(pid, ctl);
}

/* SPEC A3: a named socket; the peer connects after switching.  The
 * listening socket itself is not a peer (-ENOTCONN). */
TEST(a3_named_socket_peer_exact)
{
	char *dir = tmpdir_make();
	chmod(dir, 0777);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(l >= 0);
	CHECK_EQ(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	chmod(sa.sun_path, 0777);
	CHECK_EQ(listen(l, 1), 0);
	imp_token *t = (imp_token *)&sa;
	CHECK_EQ(imp_token_from_peer(l, IMP_PEER_ALLOW_ROOT, &t), -ENOTCONN);
	CHECK(t == (imp_token *)&sa); /* untouched */

	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		child_become(ALICE, ALICE, alice_groups, 3);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(6);
		char b;
		if (read(c, &b, 1) < 0) { /* wait for the parent; any end will do */
		}
		_exit(0);
	}
	int fd = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_EQ(imp_token_from_peer(fd, 0, &t), 0);
	expect_alice(t);
	imp_token_unref(t);
	close(fd);
	close(l);
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tmpdir_remove(dir);
}

/* SPEC A3, P3: a root peer (this test process made the pair) is refused
 * unless IMP_PEER_ALLOW_ROOT; a system user (uid 200) unless
 * IMP_PEER_ALLOW_SYSTEM. */
TEST(a3_root_and_system_refused_by_default)
{
	int sp[2];
	imp_token *t = NULL;
	CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	CHECK_EQ(imp_token_from_peer(sp[0], 0, &t), -EPERM);
	CHECK_EQ(imp_token_from_peer(sp[0], IMP_PEER_ALLOW_SYSTEM, &t), -EPERM);
	CHECK(t == NULL);
	CHECK_EQ(imp_token_from_peer(sp[0], IMP_PEER_ALLOW_ROOT, &t), 0);
	CHECK_EQ(imp_token_uid(t), 0);
	imp_token_unref(t);
	t = NULL;

	pid_t pid;
	int both = socketpair_from(200, &pid);
	int fd = both / 1000, ctl = both % 1000;
	CHECK_EQ(imp_token_from_peer(fd, 0, &t), -EPERM);
	CHECK_EQ(imp_token_from_peer(fd, IMP_PEER_ALLOW_ROOT, &t), -EPERM);
	CHECK_EQ(imp_token_from_peer(fd, IMP_PEER_ALLOW_SYSTEM | IMP_LEVEL_IDENTIFY, &t), 0);
	CHECK_EQ(imp_token_uid(t), 200);
	CHECK_EQ(imp_token_flags(t), IMP_LEVEL_IDENTIFY);
	CHECK_EQ(imp_impersonate(t), -EACCES); /* K3 */
	imp_token_unref(t);
	close(fd);
	reap(pid, ctl);
	close(sp[0]);
	close(sp[1]);
}

/* SPEC A3, A6: anything but a connected Unix socket gives an error. */
TEST(a3_not_a_connected_unix_socket)
{
	imp_token *t = NULL;
	int p[2];
	CHECK_EQ(pipe(p), 0);
	int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	int lone = socket(AF_UNIX, SOCK_STREAM, 0);
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_EQ(imp_token_from_peer(p[0], 0, &t), -ENOTSOCK);
	CHECK_EQ(imp_token_from_peer(file, 0, &t), -ENOTSOCK);
	CHECK_EQ(imp_token_from_peer(tcp, 0, &t), -ENOTSOCK);
	CHECK_EQ(imp_token_from_peer(udp, 0, &t), -ENOTSOCK);
	CHECK_EQ(imp_token_from_peer(lone, IMP_PEER_ALLOW_ROOT, &t), -ENOTCONN);
	CHECK_EQ(imp_token_from_peer(dg, IMP_PEER_ALLOW_ROOT, &t), -ENOTCONN);
	CHECK_EQ(imp_token_from_peer(-1, 0, &t), -EBADF);
	close(file);
	CHECK_EQ(imp_token_from_peer(file, 0, &t), -EBADF);
	CHECK_EQ(imp_token_from_peer(100000, 0, &t), -EBADF);
	CHECK_EQ(imp_token_from_peer(lone, 0x8000, &t), -EINVAL);
	CHECK(t == NULL);
	close(p[0]);
	close(p[1]);
	close(tcp);
	close(udp);
	close(lone);
	close(dg);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
