/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kcreds.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

pid_t kc_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

void kc_parse(const char *status_text, struct kcreds *k)
{
	const char *next;

	memset(k, 0, sizeof(*k));
	k->cap_amb = ~0ull;
	for (const char *line = status_text; line && *line; line = next) {
		const char *nl = strchr(line, '\n');
		unsigned long long v;

		next = nl ? nl + 1 : NULL;
		if (sscanf(line, "Uid: %u %u %u %u", &k->uid[0], &k->uid[1], &k->uid[2], &k->uid[3]) == 4)
			continue;
		if (sscanf(line, "Gid: %u %u %u %u", &k->gid[0], &k->gid[1], &k->gid[2], &k->gid[3]) == 4)
			continue;
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			k->cap_eff = v;
		else if (sscanf(line, "CapPrm: %llx", &v) == 1)
			k->cap_prm = v;
		else if (sscanf(line, "CapInh: %llx", &v) == 1)
			k->cap_inh = v;
		else if (sscanf(line, "CapAmb: %llx", &v) == 1)
			k->cap_amb = v;
		else if (strncmp(line, "Groups:", 7) == 0) {
			const char *p = line + 7;
			char *end;
			for (;;) {
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p == '\n' || !*p)
					break;
				unsigned long g = strtoul(p, &end, 10);
				if (end == p || k->ngroups == KCREDS_MAX_GROUPS)
					break;
				k->groups[k->ngroups++] = (gid_t)g;
				p = end;
			}
		}
	}
	if (!strstr(status_text, "\nUid:") || !strstr(status_text, "\nCapPrm:"))
		harness_fail(__FILE__, __LINE__, "not a status file: %s", status_text);
}

/* No allocation unless the status outgrows the stack buffer (a long Groups
 * line): the child of a fork() in a threaded process calls this, and the
 * ASan and TSan allocators, unlike glibc's, keep across fork() the locks
 * other threads held. */
void kc_read(pid_t tid, struct kcreds *k)
{
	char path[64], small[16384];
	size_t size = sizeof(small), n = 0;
	ssize_t r;
	char *text = small;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid ? tid : kc_gettid());
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		harness_fail(__FILE__, __LINE__, "open %s", path);
	/* Whole, however long the Groups line. */
	while ((r = read(fd, text + n, size - n - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			harness_fail(__FILE__, __LINE__, "read %s", path);
		n += (size_t)r;
		if (n + 1 == size) {
			char *more = text == small ? malloc(size * 2) : realloc(text, size * 2);
			if (!more)
				harness_fail(__FILE__, __LINE__, "realloc");
			if (text == small)
				memcpy(more, small, n);
			text = more;
			size *= 2;
		}
	}
	text[n] = 0;
	close(fd);
	kc_parse(text, k);
	if (text != small)
		free(text);
}

bool kc_equal(const struct kcreds *a, const struct kcreds *b)
{
	return memcmp(a->uid, b->uid, sizeof(a->uid)) == 0 && memcmp(a->gid, b->gid, sizeof(a->gid)) == 0 &&
	       a->cap_eff == b->cap_eff && a->cap_prm == b->cap_prm && a->cap_inh == b->cap_inh &&
	       a->ngroups == b->ngroups && memcmp(a->groups, b->groups, sizeof(gid_t) * (size_t)a->ngroups) == 0;
}

void kc_print(const char *label, const struct kcreds *k)
{
	fprintf(stderr, "# %s: uid %u %u %u %u gid %u %u %u %u eff %llx prm %llx groups", label, k->uid[0],
	        k->uid[1], k->uid[2], k->uid[3], k->gid[0], k->gid[1], k->gid[2], k->gid[3],
	        (unsigned long long)k->cap_eff, (unsigned long long)k->cap_prm);
	for (int i = 0; i < k->ngroups && i < 16; i++)
		fprintf(stderr, " %u", k->groups[i]);
	fprintf(stderr, "%s\n", k->ngroups > 16 ? " ..." : "");
}

bool kc_has_group(const struct kcreds *k, gid_t g)
{
	for (int i = 0; i < k->ngroups; i++)
		if (k->groups[i] == g)
			return true;
	return false;
}

char *tmpdir_make(void)
{
	char *d = strdup("/tmp/impersonate-test.XXXXXX");
	if (!d || !mkdtemp(d))
		harness_fail(__FILE__, __LINE__, "mkdtemp");
	chmod(d, 0755);
	return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void tmpdir_remove(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

void file_make(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, name, strlen(name)) < 0 || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		harness_fail(__FILE__, __LINE__, "file_make %s", path);
	close(fd);
}

int try_open(const char *dir, const char *name, int flags)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* Until @pid sits in read(0, ...): the program has started and its dynamic
 * loader is done (ld.so opens the libraries at the lowest free descriptor,
 * so a look at /proc/<pid>/fd any earlier can see one more). */
void kc_wait_reading_stdin(pid_t pid)
{
	char path[64], text[256];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 5000; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			harness_fail(__FILE__, __LINE__, "open %s", path);
		ssize_t n = read(fd, text, sizeof(text) - 1);
		close(fd);
		text[n > 0 ? n : 0] = 0;
		if (strncmp(text, "0 0x0 ", 6) == 0) /* read(2) on descriptor 0 */
			return;
		usleep(1000);
	}
	harness_fail(__FILE__, __LINE__, "%d never blocked in read(0)", (int)pid);
}
