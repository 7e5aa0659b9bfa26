/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * thread-demo: one worker thread impersonates a client while a sibling thread
 * stays untouched; prints what the kernel reports for both, before, during
 * and after.  Run as root.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "impersonate.h"

static pid_t sibling_tid;
static int sibling_pipe[2];

static void show(const char *when, const char *who, pid_t tid)
{
	char path[64], line[512], uid[512] = "", gid[512] = "", groups[512] = "", eff[512] = "";
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "Uid:", 4))
			snprintf(uid, sizeof(uid), "%s", line + 5);
		else if (!strncmp(line, "Gid:", 4))
			snprintf(gid, sizeof(gid), "%s", line + 5);
		else if (!strncmp(line, "Groups:", 7))
			snprintf(groups, sizeof(groups), "%s", line + 8);
		else if (!strncmp(line, "CapEff:", 7))
			snprintf(eff, sizeof(eff), "%s", line + 8);
	}
	fclose(f);
	printf("%-8s %-8s %-22s %-22s %-18s %s\n", when, who, uid, gid, eff, groups);
}

static void *sibling(void *unused)
{
	char c;
	sibling_tid = (pid_t)syscall(SYS_gettid);
	if (read(sibling_pipe[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void both(const char *when)
{
	show(when, "worker", (pid_t)syscall(SYS_gettid));
	show(when, "sibling", sibling_tid);
}

int main(int argc, char **argv)
{
	uid_t uid = argc > 1 ? (uid_t)atoi(argv[1]) : 60001;
	gid_t groups[] = {uid, 60100};
	imp_token *tok;
	pthread_t th;
	struct imp_support sup;

	if (imp_query_support(&sup) == 0 && !sup.can_impersonate) {
		fprintf(stderr, "cannot impersonate here: %s\n", sup.reason);
		return 1;
	}
	if (pipe(sibling_pipe) < 0 || pthread_create(&th, NULL, sibling, NULL) != 0)
		return 1;
	while (!__atomic_load_n(&sibling_tid, __ATOMIC_ACQUIRE))
		usleep(1000);

	int r = imp_token_new(uid, uid, groups, 2, IMP_MODE_FS, &tok);
	if (r < 0) {
		fprintf(stderr, "imp_token_new: %s\n", strerror(-r));
		return 1;
	}
	printf("%-8s %-8s %-22s %-22s %-18s %s\n", "when", "thread", "Uid (r e s fs)", "Gid (r e s fs)",
	       "CapEff", "Groups");
	both("before");
	r = imp_impersonate(tok);
	if (r < 0) {
		fprintf(stderr, "imp_impersonate: %s\n", strerror(-r));
		return 1;
	}
	both("during");
	r = imp_revert();
	both("after");
	close(sibling_pipe[1]);
	pthread_join(th, NULL);
	imp_token_unref(tok);
	return r < 0 ? 1 : 0;
}
