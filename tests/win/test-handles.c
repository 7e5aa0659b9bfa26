/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Handle fuzz (SPEC S2): random and bit-flipped CtxtHandle values never
 * crash, are never dereferenced, and always give SEC_E_INVALID_HANDLE with
 * the thread's credentials unchanged; the table stays consistent under
 * concurrent use.
 */
#include <pthread.h>
#include <sys/random.h>

#include "impersonate/sspi.h"
#include "wintest.h"

#define LIVE 64

/* Every handle-taking entry point rejects @h, and nothing changes. */
static void expect_rejected(CtxtHandle *h)
{
	SecPkgContext_NamesA names = {NULL};
	void *tok = NULL;
	CHECK_EQ(ImpersonateSecurityContext(h), SEC_E_INVALID_HANDLE);
	CHECK_EQ(RevertSecurityContext(h), SEC_E_INVALID_HANDLE);
	CHECK_EQ(QueryContextAttributesA(h, SECPKG_ATTR_NAMES, &names), SEC_E_INVALID_HANDLE);
	CHECK_EQ(QuerySecurityContextToken(h, &tok), SEC_E_INVALID_HANDLE);
	CHECK_EQ(DeleteSecurityContext(h), SEC_E_INVALID_HANDLE);
	CHECK(names.sUserName == NULL && tok == NULL);
}

static uint64_t rnd(void)
{
	uint64_t v;
	CHECK_EQ(getrandom(&v, sizeof(v), 0), (ssize_t)sizeof(v));
	return v;
}

/* A table with live, deleted and reused slots, so random indexes land on
 * every kind of slot. */
static void populate(imp_token *tok, CtxtHandle *live, CtxtHandle *dead)
{
	for (int i = 0; i < LIVE; i++) {
		CHECK_EQ(ImpAcceptSecurityContextFromToken(tok, 0, &dead[i], NULL), SEC_E_OK);
		CHECK_EQ(ImpAcceptSecurityContextFromToken(tok, 0, &live[i], NULL), SEC_E_OK);
	}
	for (int i = 0; i < LIVE; i++)
		CHECK_EQ(DeleteSecurityContext(&dead[i]), SEC_E_OK);
}

/* SPEC S2: every single-bit flip of every live handle, and every deleted
 * handle, is rejected by every entry point; the live ones still work. */
TEST(s2_bit_flipped_and_deleted_handles)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle live[LIVE], dead[LIVE];

	populate(alice, live, dead);
	kc_read(0, &own);
	for (int i = 0; i < LIVE; i++) {
		expect_rejected(&dead[i]);
		for (unsigned bit = 0; bit < 2 * 8 * sizeof(ULONG_PTR); bit++) {
			CtxtHandle h = live[i];
			ULONG_PTR *word = bit < 8 * sizeof(ULONG_PTR) ? &h.dwLower : &h.dwUpper;
			*word ^= (ULONG_PTR)1 << (bit % (8 * sizeof(ULONG_PTR)));
			expect_rejected(&h);
		}
	}
	EXPECT_SAME(0, &own);
	for (int i = 0; i < LIVE; i++) {
		CHECK_EQ(ImpersonateSecurityContext(&live[i]), SEC_E_OK);
		CHECK_EQ(RevertSecurityContext(&live[i]), SEC_E_OK);
		CHECK_EQ(DeleteSecurityContext(&live[i]), SEC_E_OK);
	}
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

/* SPEC S2: random values, random values near live ones (same index, small
 * generations, pointer-like words) are rejected; nothing crashes. */
TEST(s2_random_handles)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	CtxtHandle live[LIVE], dead[LIVE];

	populate(alice, live, dead);
	kc_read(0, &own);
	for (int i = 0; i < 200000; i++) {
		uint64_t a = rnd(), b = rnd();
		CtxtHandle h;
		switch (i % 4) {
		case 0: /* anything */
			h = (CtxtHandle){(ULONG_PTR)a, (ULONG_PTR)b};
			break;
		case 1: /* a live slot and small generation, random check */
			h = (CtxtHandle){(ULONG_PTR)((a % 8) << 20 | (b % (2 * LIVE))), (ULONG_PTR)b};
			break;
		case 2: /* a live handle's dwLower, random check */
			h = (CtxtHandle){live[a % LIVE].dwLower, (ULONG_PTR)b};
			break;
		default: /* a live handle's check, random dwLower */
			h = (CtxtHandle){(ULONG_PTR)a, live[b % LIVE].dwUpper};
			break;
		}
		CHECK_EQ(ImpersonateSecurityContext(&h), SEC_E_INVALID_HANDLE);
		if (i % 64 == 0)
			expect_rejected(&h);
	}
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

struct churn {
	imp_token *tok;
	CtxtHandle keep; /* must stay valid throughout */
	int failures;
};

static void *churn_main(void *p)
{
	struct churn *c = p;
	for (int i = 0; i < 3000; i++) {
		CtxtHandle h;
		SecPkgContext_NamesA names;
		if (ImpAcceptSecurityContextFromToken(c->tok, 0, &h, NULL) != SEC_E_OK ||
		    QueryContextAttributesA(&h, SECPKG_ATTR_NAMES, &names) != SEC_E_OK)
			c->failures++;
		else
			FreeContextBuffer(names.sUserName);
		if (ImpersonateSecurityContext(&h) != SEC_E_OK || RevertSecurityContext(&c->keep) != SEC_E_OK)
			c->failures++;
		if (DeleteSecurityContext(&h) != SEC_E_OK || DeleteSecurityContext(&h) != SEC_E_INVALID_HANDLE)
			c->failures++;
		if (ImpersonateSecurityContext(&h) != SEC_E_INVALID_HANDLE)
			c->failures++;
	}
	return NULL;
}

/* SPEC S2, T1: four threads accept, impersonate, revert and delete at once
 * (the table grows, slots are reused): every call returns what it must, a
 * context held throughout stays valid, and every thread ends as itself. */
TEST(s2_table_is_thread_safe)
{
	struct kcreds own;
	imp_token *alice = wt_token(ALICE, ALICE, 0);
	struct churn c[4];
	pthread_t t[4];

	kc_read(0, &own);
	for (int i = 0; i < 4; i++) {
		c[i] = (struct churn){.tok = alice};
		CHECK_EQ(ImpAcceptSecurityContextFromToken(alice, 0, &c[i].keep, NULL), SEC_E_OK);
	}
	for (int i = 0; i < 4; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, churn_main, &c[i]), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(pthread_join(t[i], NULL), 0);
		CHECK_EQ(c[i].failures, 0);
		CHECK_EQ(ImpersonateSecurityContext(&c[i].keep), SEC_E_OK);
		CHECK_EQ(RevertSecurityContext(&c[i].keep), SEC_E_OK);
		CHECK_EQ(DeleteSecurityContext(&c[i].keep), SEC_E_OK);
	}
	EXPECT_SAME(0, &own);
	imp_token_unref(alice);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
