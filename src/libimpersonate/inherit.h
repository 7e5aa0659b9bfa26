/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Recognising threads created by an impersonating thread (SPEC X1). */
#pragma once

#include <stdbool.h>

#include "creds.h"

/* Remember @own as the process's own credentials (ids and capabilities). */
void inherit_note_own(const struct imp_creds *own);

/* true if a thread seeing @cur on its first use of the library was most
 * likely created while its creator impersonated. */
bool inherit_suspect(const struct imp_creds *cur, bool someone_impersonating);
