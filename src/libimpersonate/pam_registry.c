/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hand-over from pam_impersonate(8) to the application (SPEC P1).
 *
 * Applications cannot read module data (pam_get_data() fails for them), so
 * the module registers the token it made here, keyed by the PAM handle, and
 * the application asks for it with imp_token_from_pam().  The module drops
 * the registration from its pam_set_data() cleanup, i.e. at pam_end(), so a
 * reused handle address never finds a stale token.  Not on any switch path:
 * a mutex is fine.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "internal.h"

struct entry {
	struct entry *next;
	const struct pam_handle *pamh;
	imp_token *token;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries;

static struct entry **find(const struct pam_handle *pamh)
{
	struct entry **e = &entries;
	while (*e && (*e)->pamh != pamh)
		e = &(*e)->next;
	return e;
}

IMP_PUBLIC int imp_pam_register(struct pam_handle *pamh, imp_token *tok)
{
	if (!pamh || !token_valid(tok))
		return -EINVAL;
	struct entry *fresh = malloc(sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;

	imp_token *old = NULL;
	pthread_mutex_lock(&lock);
	struct entry **e = find(pamh);
	if (*e) {
		old = (*e)->token;
		(*e)->token = imp_token_ref(tok);
		free(fresh);
	} else {
		*fresh = (struct entry){.next = NULL, .pamh = pamh, .token = imp_token_ref(tok)};
		*e = fresh;
	}
	pthread_mutex_unlock(&lock);
	imp_token_unref(old);
	return 0;
}

IMP_PUBLIC int imp_pam_unregister(struct pam_handle *pamh)
{
	pthread_mutex_lock(&lock);
	struct entry **e = find(pamh), *gone = *e;
	if (gone)
		*e = gone->next;
	pthread_mutex_unlock(&lock);
	if (!gone)
		return -ENOENT;
	imp_token_unref(gone->token);
	free(gone);
	return 0;
}

IMP_PUBLIC int imp_token_from_pam(struct pam_handle *pamh, imp_token **ret)
{
	imp_token *tok = NULL;
	pthread_mutex_lock(&lock);
	struct entry *e = *find(pamh);
	if (e)
		tok = imp_token_ref(e->token);
	pthread_mutex_unlock(&lock);
	if (!tok)
		return -ENOENT;
	*ret = tok;
	return 0;
}
