/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A private PAM configuration for the logon tests (test-session, the
 * advapi tests): a temporary directory holding the service
 * "impersonate-logon" (pam_matrix passwords, pam_logon_test account states,
 * the real pam_impersonate.so), "no-token" (the same without
 * pam_impersonate.so) and "other" (deny).  Users come from
 * tests/peer/fixtures through nss_wrapper (the test's environment).
 */
#pragma once

#define LOGON_SERVICE "impersonate-logon"

/* Make the directory; returns its path (static). */
const char *logon_confdir(void);
void logon_confdir_remove(void);
