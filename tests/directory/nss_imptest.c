/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnss_imptest.so.2: an NSS group source with no initgroups_dyn, so glibc
 * (and the library) must enumerate it with setgrent/getgrent_r/endgrent.
 * Its groups are the lines "name:gid:member,member" of the file named by
 * $IMP_NSS_TEST_GROUPS; a line "UNAVAIL" makes getgrent_r fail there as a
 * source that stopped answering does (NSS_STATUS_UNAVAIL, errno ENOENT).
 * Used by test-directory (nsswitch.conf "group: files imptest ldap").
 */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *groups;

EXPORT enum nss_status _nss_imptest_setgrent(int stayopen);
EXPORT enum nss_status _nss_imptest_endgrent(void);
EXPORT enum nss_status _nss_imptest_getgrent_r(struct group *g, char *buf, size_t size, int *err);

enum nss_status _nss_imptest_setgrent(int stayopen)
{
	(void)stayopen;
	const char *path = getenv("IMP_NSS_TEST_GROUPS");
	pthread_mutex_lock(&lock);
	if (groups)
		fclose(groups);
	groups = path ? fopen(path, "re") : NULL;
	pthread_mutex_unlock(&lock);
	return groups ? NSS_STATUS_SUCCESS : NSS_STATUS_UNAVAIL;
}

enum nss_status _nss_imptest_endgrent(void)
{
	pthread_mutex_lock(&lock);
	if (groups)
		fclose(groups);
	groups = NULL;
	pthread_mutex_unlock(&lock);
	return NSS_STATUS_SUCCESS;
}

/* "name:gid:a,b" into @g, strings and member pointers in @buf. */
static enum nss_status parse(char *line, struct group *g, char *buf, size_t size, int *err)
{
	size_t len = strlen(line) + 1, nmem = 2;
	for (const char *c = line; *c; c++)
		nmem += *c == ',';
	size_t need = nmem * sizeof(char *) + len;
	if (need > size) {
		*err = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	}
	char **mem = (char **)(void *)buf, *text = buf + nmem * sizeof(char *);
	memcpy(text, line, len);
	char *name = strtok(text, ":"), *gid = strtok(NULL, ":"), *members = strtok(NULL, "");
	if (!name || !gid) {
		*err = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
	size_t n = 0;
	for (char *m = members ? strtok(members, ",") : NULL; m; m = strtok(NULL, ","))
		mem[n++] = m;
	mem[n] = NULL;
	*g = (struct group){.gr_name = name, .gr_passwd = (char *)"x", .gr_gid = (gid_t)atol(gid), .gr_mem = mem};
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_imptest_getgrent_r(struct group *g, char *buf, size_t size, int *err)
{
	char line[4096];
	enum nss_status st = NSS_STATUS_NOTFOUND;
	pthread_mutex_lock(&lock);
	if (!groups) {
		*err = ENOENT;
		st = NSS_STATUS_UNAVAIL;
	} else {
		long at = ftell(groups);
		if (fgets(line, sizeof(line), groups)) {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line, "UNAVAIL") == 0) {
				*err = ENOENT;
				st = NSS_STATUS_UNAVAIL;
			} else {
				st = parse(line, g, buf, size, err);
			}
			if (st == NSS_STATUS_TRYAGAIN) /* the caller grows the buffer and asks again */
				fseek(groups, at, SEEK_SET);
		} else {
			*err = ENOENT;
		}
	}
	pthread_mutex_unlock(&lock);
	return st;
}
