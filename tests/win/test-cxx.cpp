// SPDX-License-Identifier: LGPL-2.1-or-later
// The headers from C++ (the issue: "usable from C and C++"): both compile
// together, IID parameters are references as on Windows, IServerSecurity
// has Windows' C++ call syntax with the C layout, and calls made that way
// really switch the thread.  SPEC S3, C1, C3, C4.
#include <cstddef>
#include <type_traits>

#include "impersonate/com.h"
#include "impersonate/sspi.h"

extern "C" {
#include "harness.h"
#include "kcreds.h"
}

static_assert(sizeof(CtxtHandle) == 2 * sizeof(uintptr_t), "SPEC S: two uintptr_t words");
static_assert(offsetof(CtxtHandle, dwUpper) == sizeof(uintptr_t), "dwLower, then dwUpper");
static_assert(std::is_standard_layout<IServerSecurity>::value, "C layout");
static_assert(sizeof(IServerSecurity) == sizeof(void *), "one vtable pointer, no C++ vptr");
static_assert(sizeof(GUID) == 16, "GUID");

static imp_token *alice()
{
	imp_token *t;
	gid_t groups[] = {60001, 60100};
	CHECK_EQ(imp_token_new(60001, 60001, groups, 2, 0, &t), 0);
	return t;
}

// SPEC C1, C3, C4: member-call syntax and REFIID references.
TEST(c4_cxx_member_calls)
{
	struct kcreds own, k;
	imp_token *tok = alice();
	IServerSecurity *call = nullptr, *sec = nullptr;

	kc_read(0, &own);
	CHECK(IsEqualIID(IID_IServerSecurity, IID_IServerSecurity));
	CHECK(!IsEqualIID(IID_IServerSecurity, IID_IUnknown));
	CHECK_EQ(ImpCoCallBegin(tok, &call), S_OK);
	CHECK_EQ(CoGetCallContext(IID_IServerSecurity, reinterpret_cast<void **>(&sec)), S_OK);
	CHECK(sec == call);
	void *unk = nullptr;
	CHECK_EQ(sec->QueryInterface(IID_IUnknown, &unk), S_OK);
	CHECK(unk == sec);
	CHECK_EQ(sec->Release(), 2u);
	CHECK_EQ(sec->ImpersonateClient(), S_OK);
	CHECK_EQ(sec->ImpersonateClient(), S_OK);
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], 60001);
	CHECK_EQ(k.cap_eff, 0);
	CHECK(sec->IsImpersonating());
	CHECK_EQ(sec->RevertToSelf(), S_OK);
	kc_read(0, &k);
	CHECK(kc_equal(&k, &own));
	CHECK(!sec->IsImpersonating());
	CHECK_EQ(sec->Release(), 1u);
	CHECK_EQ(ImpCoCallEnd(call), S_OK);
	imp_token_unref(tok);
}

// SPEC S3: the SSPI table from C++.
TEST(s3_cxx_function_table)
{
	struct kcreds own, k;
	imp_token *tok = alice();
	CtxtHandle h;
	PSecurityFunctionTableA t = InitSecurityInterfaceA();

	kc_read(0, &own);
	CHECK_EQ(ImpAcceptSecurityContextFromToken(tok, 0, &h, nullptr), SEC_E_OK);
	CHECK_EQ(t->ImpersonateSecurityContext(&h), SEC_E_OK);
	kc_read(0, &k);
	CHECK_EQ(k.uid[3], 60001);
	CHECK_EQ(t->RevertSecurityContext(&h), SEC_E_OK);
	kc_read(0, &k);
	CHECK(kc_equal(&k, &own));
	CHECK_EQ(t->DeleteSecurityContext(&h), SEC_E_OK);
	CHECK_EQ(t->ImpersonateSecurityContext(&h), SEC_E_INVALID_HANDLE);
	imp_token_unref(tok);
}

int main(int argc, char **argv)
{
	return harness_main(argc, argv, HARNESS_ROOT);
}
