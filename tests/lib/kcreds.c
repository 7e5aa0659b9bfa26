/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "kcreds.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
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

void kc_read(pid_t tid, struct kcreds *k)
{
	char path[64], line[65536];
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid ? tid : kc_gettid());
	FILE *f = fopen(path, "re");
	if (!f)
		harness_fail(__FILE__, __LINE__, "open %s", path);
	memset(k, 0, sizeof(*k));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
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
		else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7, *end;
			for (;;) {
				unsigned long g = strtoul(p, &end, 10);
				if (end == p || k->ngroups == KCREDS_MAX_GROUPS)
					break;
				k->groups[k->ngroups++] = (gid_t)g;
				p = end;
			}
		}
	}
	fclose(f);
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

struct sibling {
	pthread_t thread;
	int pipe[2];
	pid_t tid;
	pthread_mutex_t lock;
	pthread_cond_t ready;
};

static void *sibling_main(void *p)
{
	struct sibling *s = p;
	char c;
	pthread_mutex_lock(&s->lock);
	s->tid = kc_gettid();
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->lock);
	while (read(s->pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

struct sibling *sibling_start(void)
{
	struct sibling *s = calloc(1, sizeof(*s));
	if (!s || pipe(s->pipe) < 0)
		harness_fail(__FILE__, __LINE__, "sibling");
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->ready, NULL);
	pthread_mutex_lock(&s->lock);
	if (pthread_create(&s->thread, NULL, sibling_main, s) != 0)
		harness_fail(__FILE__, __LINE__, "pthread_create");
	while (!s->tid)
		pthread_cond_wait(&s->ready, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return s;
}

pid_t sibling_tid(const struct sibling *s)
{
	return s->tid;
}

void sibling_stop(struct sibling *s)
{
	close(s->pipe[1]);
	pthread_join(s->thread, NULL);
	close(s->pipe[0]);
	free(s);
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
