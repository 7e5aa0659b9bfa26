/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the SSPI context table (src/win/contexts.c) and the COM
 * call objects (src/win/com.c), driven through the public API by a script
 * of operations read from the input: accept, delete, forge or bit-flip a
 * handle, impersonate and revert, begin and end COM calls (nested, out of
 * order, twice).
 *
 * What must hold (SPEC S2, C1-C6): a handle that is not live is rejected
 * with SEC_E_INVALID_HANDLE by every entry point; an ended or unknown call
 * object gives E_INVALIDARG; nothing crashes or leaks; after every
 * operation the thread is back to its own credentials unless the script
 * left an impersonation open, and at the end of each input it is.
 */
#include <assert.h>
#include <string.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "impersonate.h"
#include "impersonate/com.h"
#include "impersonate/sspi.h"

#define SLOTS 16

static imp_token *token;

struct own {
	uid_t euid, fsuid;
	gid_t egid, fsgid;
};

static struct own own_now(void)
{
	return (struct own){geteuid(), (uid_t)setfsuid((uid_t)-1), getegid(), (gid_t)setfsgid((gid_t)-1)};
}

static bool same(struct own a, struct own b)
{
	return a.euid == b.euid && a.fsuid == b.fsuid && a.egid == b.egid && a.fsgid == b.fsgid;
}

static void reject_all(CtxtHandle *h)
{
	SecPkgContext_NamesA names = {NULL};
	void *tok = NULL;
	assert(ImpersonateSecurityContext(h) == SEC_E_INVALID_HANDLE);
	assert(RevertSecurityContext(h) == SEC_E_INVALID_HANDLE);
	assert(QueryContextAttributesA(h, SECPKG_ATTR_NAMES, &names) == SEC_E_INVALID_HANDLE);
	assert(QuerySecurityContextToken(h, &tok) == SEC_E_INVALID_HANDLE);
	assert(DeleteSecurityContext(h) == SEC_E_INVALID_HANDLE);
	assert(!names.sUserName && !tok);
}

static bool is_live(const CtxtHandle *h, const CtxtHandle *live, const bool *used)
{
	for (int i = 0; i < SLOTS; i++)
		if (used[i] && live[i].dwLower == h->dwLower && live[i].dwUpper == h->dwUpper)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!token)
		assert(imp_token_new(60001, 60001, NULL, 0, IMP_MODE_FS, &token) == 0);
	CtxtHandle live[SLOTS], dead[SLOTS];
	bool used[SLOTS] = {false}, gone[SLOTS] = {false};
	IServerSecurity *calls[SLOTS];
	int depth = 0;
	const struct own own = own_now();

	while (size >= 2) {
		uint8_t op = data[0] % 8, i = data[1] % SLOTS;
		data += 2, size -= 2;
		CtxtHandle h;
		switch (op) {
		case 0: /* accept into slot i */
			if (used[i])
				break;
			assert(ImpAcceptSecurityContextFromToken(token, data[-1] & 1 ? ASC_REQ_IDENTIFY : 0, &live[i], NULL) ==
			       SEC_E_OK);
			used[i] = true;
			break;
		case 1: /* delete slot i: live, or already deleted */
			if (used[i]) {
				assert(DeleteSecurityContext(&live[i]) == SEC_E_OK);
				dead[i] = live[i], used[i] = false, gone[i] = true;
			} else if (gone[i]) {
				reject_all(&dead[i]);
			}
			break;
		case 2: /* a forged handle from the input */
			if (size < sizeof(h))
				break;
			memcpy(&h, data, sizeof(h));
			data += sizeof(h), size -= sizeof(h);
			if (!is_live(&h, live, used))
				reject_all(&h);
			break;
		case 3: /* one bit of a live handle flipped */
			if (!used[i])
				break;
			h = live[i];
			((uint8_t *)&h)[data[-1] % sizeof(h)] ^= (uint8_t)(1u << (data[-2] % 8));
			if (!is_live(&h, live, used))
				reject_all(&h);
			break;
		case 4: /* impersonate and revert through slot i */
			if (!used[i] || depth)
				break;
			if (ImpersonateSecurityContext(&live[i]) == SEC_E_OK)
				assert(RevertSecurityContext(&live[i]) == SEC_E_OK);
			break;
		case 5: /* begin a (nested) COM call */
			if (depth < SLOTS && ImpCoCallBegin(token, &calls[depth]) == S_OK)
				depth++;
			break;
		case 6: /* CoImpersonateClient / CoRevertToSelf in the current call */
			if (depth && CoImpersonateClient() == S_OK)
				assert(CoRevertToSelf() == S_OK);
			break;
		case 7: /* end the innermost call, then try it again */
			if (!depth)
				break;
			assert(ImpCoCallEnd(calls[--depth]) == S_OK);
			assert(ImpCoCallEnd(calls[depth]) == E_INVALIDARG);
			break;
		default:
			break;
		}
		assert(depth || same(own, own_now()));
	}
	while (depth)
		assert(ImpCoCallEnd(calls[--depth]) == S_OK);
	for (int i = 0; i < SLOTS; i++)
		if (used[i])
			assert(DeleteSecurityContext(&live[i]) == SEC_E_OK);
	assert(same(own, own_now()));
	return 0;
}
