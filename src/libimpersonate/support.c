/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Can this process impersonate here and now?  (SPEC X4, S5) */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include "internal.h"
#include "sys.h"

/*
 * libpsx (libcap's POSIX semantics helper) makes cap_set_proc() and friends
 * act on every thread of the process.  Our own capset calls are raw and stay
 * per-thread, but with psx loaded any libcap user in the process (a PAM
 * module, say) would silently change the impersonating threads too, so the
 * per-thread guarantee is gone: refuse (X4).
 */
static bool psx_loaded(void)
{
	return dlsym(RTLD_DEFAULT, "psx_syscall3") != NULL || dlsym(RTLD_DEFAULT, "psx_syscall6") != NULL;
}

bool support_per_thread(void)
{
	static atomic_int cached = -1;
	int v = atomic_load_explicit(&cached, memory_order_relaxed);
	if (v < 0) {
		v = !psx_loaded();
		atomic_store_explicit(&cached, v, memory_order_relaxed);
	}
	return v;
}

IMP_PUBLIC int imp_query_support(struct imp_support *info)
{
	struct sys_caps caps;
	struct imp_support s = {.per_thread = support_per_thread()};
	bool impersonating, inherited;
	int r = sys_capget(&caps);
	if (r == 0)
		r = thread_view(&impersonating, &inherited);
	if (r < 0)
		return r;
	/* While impersonating the effective set is empty by design (T11): judge
	 * by the permitted set, which revert raises again. */
	uint64_t have = impersonating ? caps.prm : caps.eff & caps.prm;
	s.have_setuid = have & CAP_BIT(CAP_SETUID);
	s.have_setgid = have & CAP_BIT(CAP_SETGID);
	s.can_impersonate = s.per_thread && !inherited && s.have_setuid && s.have_setgid;
	s.modes = s.can_impersonate ? (1u << IMP_MODE_FS) | (1u << IMP_MODE_FULL) : 0;
	if (inherited)
		snprintf(s.reason, sizeof(s.reason),
		         "this thread was created while its creator impersonated, or its credentials differ from the process's own");
	else if (!s.per_thread)
		snprintf(s.reason, sizeof(s.reason),
		         "libpsx is loaded: capability changes would affect every thread");
	else if (!s.have_setuid || !s.have_setgid)
		snprintf(s.reason, sizeof(s.reason), "missing %s%s%s in the effective and permitted sets",
		         s.have_setuid ? "" : "CAP_SETUID", !s.have_setuid && !s.have_setgid ? " and " : "",
		         s.have_setgid ? "" : "CAP_SETGID");
	*info = s;
	return 0;
}
