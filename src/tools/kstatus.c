/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kstatus.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t kstatus_read_raw(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	return (ssize_t)len;
}

/* The value after "Name:" at the start of a line, or NULL. */
static const char *field(const char *text, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = text; p;) {
		if (strncmp(p, name, n) == 0 && p[n] == ':')
			return p + n + 1;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static bool ids(const char *text, const char *name, uint32_t out[4])
{
	const char *p = field(text, name);
	return p && sscanf(p, "%" SCNu32 " %" SCNu32 " %" SCNu32 " %" SCNu32, &out[0], &out[1], &out[2],
	                   &out[3]) == 4;
}

static bool caps(const char *text, const char *name, uint64_t *out)
{
	const char *p = field(text, name);
	return p && sscanf(p, "%" SCNx64, out) == 1;
}

/* The Groups: line; a line cut short by the reader's buffer has no newline. */
static void groups(const char *text, struct kstatus *k)
{
	const char *p = field(text, "Groups");
	k->ngroups = 0;
	k->truncated = !p || !strchr(p, '\n');
	while (p && *p != '\n' && *p) {
		char *end;
		unsigned long g = strtoul(p, &end, 10);
		if (end == p)
			break;
		if (k->ngroups == KSTATUS_MAX_GROUPS) {
			k->truncated = true;
			break;
		}
		k->groups[k->ngroups++] = (uint32_t)g;
		p = end;
	}
}

int kstatus_parse(const char *text, struct kstatus *k)
{
	if (!ids(text, "Uid", k->uid) || !ids(text, "Gid", k->gid) || !caps(text, "CapEff", &k->cap_eff) ||
	    !caps(text, "CapPrm", &k->cap_prm) || !caps(text, "CapInh", &k->cap_inh))
		return -EBADMSG;
	groups(text, k);
	return 0;
}

int kstatus_read(const char *path, struct kstatus *k)
{
	static const size_t cap = 1 << 20; /* 65536 groups of 10 digits fit */
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	ssize_t n = kstatus_read_raw(path, buf, cap);
	int r = n < 0 ? (int)n : kstatus_parse(buf, k);
	free(buf);
	return r;
}

bool kstatus_equal(const struct kstatus *a, const struct kstatus *b)
{
	return memcmp(a->uid, b->uid, sizeof(a->uid)) == 0 && memcmp(a->gid, b->gid, sizeof(a->gid)) == 0 &&
	       a->cap_eff == b->cap_eff && a->cap_prm == b->cap_prm && a->cap_inh == b->cap_inh &&
	       a->ngroups == b->ngroups && a->truncated == b->truncated &&
	       memcmp(a->groups, b->groups, a->ngroups * sizeof(a->groups[0])) == 0;
}
