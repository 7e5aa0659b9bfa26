/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static _Atomic(imp_panic_fn) panic_handler;

IMP_PUBLIC imp_panic_fn imp_set_panic_handler(imp_panic_fn fn)
{
	return atomic_exchange(&panic_handler, fn);
}

/* write(2) only: the panic can come from a fork child handler or a thread
 * with no effective capabilities; stdio may hold locks. */
void imp_panic(const char *message)
{
	imp_panic_fn fn = atomic_load(&panic_handler);

	if (fn) {
		fn(message);
	} else {
		ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
		ignored = write(STDERR_FILENO, "\n", 1);
		(void)ignored;
	}
	abort();
}
