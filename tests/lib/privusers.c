/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "privusers.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* The kernel ignores source and type for a bind mount and a propagation
 * change; "none" rather than NULL because valgrind 3.19 checks them. */

static void bind(const char *src, const char *dst)
{
	if (!src || mount(src, dst, "none", MS_BIND, NULL) != 0)
		harness_fail(__FILE__, __LINE__, "bind %s over %s: %s", src ? src : "(unset)", dst,
		             strerror(errno));
}

void private_users(const char *passwd, const char *group, const char *nsswitch)
{
	if (geteuid() != 0)
		return;
	/* Private, and not propagated back to the machine's namespace. */
	if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
		harness_fail(__FILE__, __LINE__, "private mount namespace: %s", strerror(errno));
	bind(passwd, "/etc/passwd");
	bind(group, "/etc/group");
	bind(nsswitch, "/etc/nsswitch.conf");
	/* A running nscd would answer from the machine's files: hide its socket. */
	struct stat st;
	if (stat("/var/run/nscd", &st) == 0 && S_ISDIR(st.st_mode) &&
	    mount("none", "/var/run/nscd", "tmpfs", 0, "size=4k") != 0)
		harness_fail(__FILE__, __LINE__, "hide nscd: %s", strerror(errno));
}
