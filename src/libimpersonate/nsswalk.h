/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User and group resolution that tells an unavailable source from an
 * answer (SPEC K2, A4).  getgrouplist() and initgroups() drop every NSS
 * status, so a directory outage reads as "fewer groups"; these helpers ask
 * the nsswitch.conf services themselves and fail with -EHOSTDOWN instead.
 */
#pragma once

#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

/* getpwnam_r() with a buffer grown until the entry fits (*buf is realloc'd;
 * the caller frees it).  Returns 0, -ENOENT (every source answered "no such
 * user"), -EHOSTDOWN (a source could not answer), -ERANGE or -ENOMEM. */
int nss_user(const char *name, struct passwd *pw, char **buf);

/* Every group of @user, @gid included, in one query per source: *list is
 * malloc'd (the caller frees it).  Returns 0, -EHOSTDOWN (a group source
 * could not answer: the list would be incomplete), -E2BIG (more than
 * @max groups) or -ENOMEM. */
int nss_groups(const char *user, gid_t gid, size_t max, gid_t **list, size_t *count);
