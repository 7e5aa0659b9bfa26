/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Can this process impersonate here and now?  (SPEC X4, S5) */
#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include "internal.h"
#include "sys.h"

/*
 * libpsx (libcap's POSIX semantics helper) makes cap_set_proc() and friends
 * act on every thread of the process.  Our own capset calls are raw and stay
 * per-thread, but with psx active any libcap user in the process (a PAM
 * module, say) would silently change the impersonating threads too, so the
 * per-thread guarantee is gone: refuse (X4).
 *
 * Checked once, when this library is loaded, and that is enough: libpsx
 * takes over libcap only from libcap's own constructor (cap_set_syscall(NULL,
 * NULL) asks for psx_load_syscalls(), which libpsx defines), and libcap is
 * this library's dependency, so it has been initialised -- with or without
 * psx -- before our constructor runs.  A libpsx loaded later (a PAM module's
 * dlopen) cannot take over that libcap any more; tests/process/test-psx-late
 * shows it.  What is checked: psx symbols in the global scope, or a libpsx
 * anywhere in the process (a module may hold it in its local scope, with a
 * libcap it loaded itself).  Code that wires psx into libcap by hand
 * (cap_set_syscall(psx_syscall3, psx_syscall6)) is not detected.
 */
static int find_psx(struct dl_phdr_info *info, size_t size, void *unused)
{
	const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;
	base = base ? base + 1 : info->dlpi_name;
	return base && strncmp(base, "libpsx.so", 9) == 0;
}

static bool psx_loaded(void)
{
	return dlsym(RTLD_DEFAULT, "psx_syscall3") != NULL || dlsym(RTLD_DEFAULT, "psx_syscall6") != NULL ||
	       dl_iterate_phdr(find_psx, NULL) != 0;
}

static atomic_bool per_thread_at_load;

__attribute__((constructor)) static void support_init(void)
{
	atomic_store(&per_thread_at_load, !psx_loaded());
}

bool support_per_thread(void)
{
	return atomic_load_explicit(&per_thread_at_load, memory_order_relaxed);
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
