/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the kernel reports for one thread, read from
 * /proc/self/task/<tid>/status (independent of the library under test), plus
 * helpers for private files.  Sibling threads are in worker.h (included).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "worker.h"

#define KCREDS_MAX_GROUPS 4096

struct kcreds {
	uid_t uid[4]; /* real, effective, saved, fs */
	gid_t gid[4];
	uint64_t cap_eff, cap_prm, cap_inh;
	uint64_t cap_amb; /* ~0 without a CapAmb line; not compared by kc_equal() */
	int ngroups;
	gid_t groups[KCREDS_MAX_GROUPS];
};

pid_t kc_gettid(void);
/* Read thread @tid of this process (0: the calling thread).  Aborts the test
 * on failure. */
void kc_read(pid_t tid, struct kcreds *k);
/* The text of a status file (e.g. /proc/self/status as a child printed it)
 * into @k.  Aborts the test if it is not one. */
void kc_parse(const char *status_text, struct kcreds *k);
/* Until process @pid blocks in read(2) on its descriptor 0 (its program is
 * loaded, ld.so done with the descriptors it opened). */
void kc_wait_reading_stdin(pid_t pid);
bool kc_equal(const struct kcreds *a, const struct kcreds *b);
void kc_print(const char *label, const struct kcreds *k);
bool kc_has_group(const struct kcreds *k, gid_t g);

/* A private directory under /tmp, removed by the test's own process exit is
 * not guaranteed: call tmpdir_remove(). */
char *tmpdir_make(void);
void tmpdir_remove(char *dir);
/* Create @dir/@name with @content, owner @uid:@gid and @mode. */
void file_make(const char *dir, const char *name, uid_t uid, gid_t gid, mode_t mode);
/* open(2) for reading: 0 on success, else errno. */
int try_open(const char *dir, const char *name, int flags);
