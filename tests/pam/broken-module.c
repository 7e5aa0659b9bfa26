/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A deliberately broken PAM module for test-pam-dlopen's control cases: it
 * calls a function nobody defines (meson's shared_module links it anyway,
 * as it would pam_impersonate.so without -Wl,--no-undefined) and exports a
 * symbol that is not pam_sm_*.  The checks must catch both.
 */
int imp_test_no_such_function(void);
int pam_sm_authenticate(void *pamh, int flags, int argc, const char **argv);
int broken_module_leaked_helper(void);

int pam_sm_authenticate(void *pamh, int flags, int argc, const char **argv)
{
	return imp_test_no_such_function();
}

int broken_module_leaked_helper(void)
{
	return 1;
}
