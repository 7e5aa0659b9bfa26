/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tokens for local socket peers (SPEC A3): the identity is the kernel's
 * record of the process at the other end (SO_PEERCRED, SO_PEERGROUPS), taken
 * when it connected.  Nothing the peer sends is believed and NSS is not
 * consulted: groups are exactly the kernel's list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define LOGIN_DEFS "/etc/login.defs"
#define DEFAULT_MIN_UID 1000 /* as pam_impersonate(8) without UID_MIN */

/* UID_MIN from login.defs, the rule pam_impersonate(8) uses by default: a
 * missing key gives DEFAULT_MIN_UID, a malformed one fails closed. */
static int uid_min(uid_t *ret)
{
	FILE *f = fopen(LOGIN_DEFS, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;
	*ret = DEFAULT_MIN_UID;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t");
		if (strncmp(p, "UID_MIN", 7) != 0 || !strchr(" \t", p[7]))
			continue;
		p += 7 + strspn(p + 7, " \t");
		char *end;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		end += strspn(end, " \t\r\n");
		if (errno || end == p || *end || *p == '-' || v >= (uid_t)-1)
			r = -EINVAL;
		else
			*ret = (uid_t)v;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

/* @fd is a connected AF_UNIX stream or seqpacket socket, or datagram
 * socketpair end: -ENOTSOCK for anything else, -ENOTCONN when not
 * connected (a listening socket reports its own credentials: refused). */
static int check_socket(int fd)
{
	struct stat st;
	int domain, listening;
	socklen_t len = sizeof(int);
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISSOCK(st.st_mode) || getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    domain != AF_UNIX)
		return -ENOTSOCK;
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || listening)
		return -ENOTCONN;
	struct sockaddr_storage sa;
	len = sizeof(sa);
	if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0)
		return errno == ENOTCONN ? -ENOTCONN : -errno;
	return 0;
}

/* SO_PEERGROUPS into a buffer grown to the kernel's answer. */
static int peer_groups(int fd, gid_t **ret, size_t *n)
{
	socklen_t len = 64 * sizeof(gid_t);
	for (;;) {
		gid_t *g = realloc(*ret, len ? len : sizeof(gid_t));
		if (!g)
			return -ENOMEM;
		*ret = g;
		socklen_t want = len;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &want) == 0) {
			*n = want / sizeof(gid_t);
			return 0;
		}
		if (errno != ERANGE || want <= len)
			return -errno;
		len = want;
	}
}

static int peer_allowed(uid_t uid, unsigned flags)
{
	if (uid == 0)
		return (flags & IMP_PEER_ALLOW_ROOT) ? 0 : -EPERM;
	if (flags & IMP_PEER_ALLOW_SYSTEM)
		return 0;
	uid_t min;
	int r = uid_min(&min);
	if (r < 0)
		return r;
	return uid >= min ? 0 : -EPERM;
}

IMP_PUBLIC int imp_token_from_peer(int fd, unsigned flags, imp_token **ret)
{
	if (fd < 0)
		return -EBADF;
	if (flags & ~(IMP_TOKEN_FLAGS_MASK | IMP_PEER_FLAGS_MASK) & ~IMP_GROUPS_PRIMARY_ONLY)
		return -EINVAL;
	int r = check_socket(fd);
	if (r < 0)
		return r;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.pid <= 0 || cred.uid == (uid_t)-1 || cred.gid == (gid_t)-1)
		return -ENOTCONN; /* no peer credentials recorded */
	r = peer_allowed(cred.uid, flags);
	if (r < 0)
		return r;

	gid_t *groups = NULL;
	size_t n = 0;
	r = peer_groups(fd, &groups, &n);
	if (r == 0) {
		char name[16]; /* no NSS: the name is the decimal uid */
		snprintf(name, sizeof(name), "%u", (unsigned)cred.uid);
		r = token_alloc(cred.uid, cred.gid, groups, n, flags & IMP_TOKEN_FLAGS_MASK & ~IMP_GROUPS_PRIMARY_ONLY,
		                name, ret);
	}
	free(groups);
	return r;
}
