/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tokens from a real directory (SPEC K2, A4), run by run-directory.sh inside
 * its private namespaces with slapd and nslcd up: imp_token_for_user() and
 * pam_impersonate.so see exactly the groups `id` sees, for 3 and 1,200
 * groups and a group of 5,000 members; the kernel opens or refuses files by
 * those groups; then, with the directory stopped, no token is made, the
 * error says "source unavailable" (-EHOSTDOWN, never a smaller token or
 * "no such user") within a bound, and tokens made before keep working.
 *
 * Environment from run-directory.sh: IMP_DIR_FILES (the files below),
 * IMP_DIR_PAM (a confdir with service "directory"), IMP_DIR_NSSWITCH (the
 * private nsswitch.conf, rewritten in place), IMP_NSS_TEST_GROUPS (the
 * groups of libnss_imptest.so.2), IMP_DIR_LIMIT_SLAPD
 * (restart with a 500-entry size limit), IMP_DIR_HANG_SLAPD (SIGSTOP:
 * connections accepted, never answered), IMP_DIR_STOP_SLAPD and
 * IMP_DIR_STOP_NSLCD (shell commands that stop them and wait).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "impersonate.h"
#include "kcreds.h"

#define THREE "dirthree" /* LDAP user: dirusers, dirg0001, crowd */
#define MANY "dirmany"   /* LDAP user: 1,200 groups */
#define LOCAL "dirlocal" /* /etc/passwd user whose only extra group is in LDAP */
#define CROWD_GID 79000  /* 5,000 members */
#define SECRET_GID 79001 /* dirlocal's LDAP group; secret.txt 0604 denies it */

/* Generous: the measured times are printed; only a hang fails. */
#define OUTAGE_BOUND_MS 30000.0

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	if (!v)
		harness_skip("run by run-directory.sh only");
	return v;
}

/* `id -G user`, sorted and unique, as the reference. */
static size_t id_groups(const char *user, gid_t *out, size_t max);

/* `id -G user` as id_groups(), or -1 when id fails (no such user). */
static long id_try(const char *user, gid_t *out, size_t max)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "id -G %s 2>/dev/null", user);
	FILE *p = popen(cmd, "r");
	CHECK(p);
	size_t n = 0;
	unsigned long g;
	while (n < max && fscanf(p, "%lu", &g) == 1)
		out[n++] = (gid_t)g;
	if (pclose(p) != 0)
		return -1;
	return (long)id_groups(NULL, out, n);
}

/* `id -G user` (user NULL: the @max gids already in @out), sorted, unique. */
static size_t id_groups(const char *user, gid_t *out, size_t max)
{
	size_t n = max;
	if (user) {
		long r = id_try(user, out, max);
		CHECK(r >= 0);
		return (size_t)r;
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: small, and id's order is NSS's */
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			gid_t t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	size_t u = 0;
	for (size_t i = 0; i < n; i++)
		if (u == 0 || out[u - 1] != out[i])
			out[u++] = out[i];
	return u;
}

static void check_same_as_id(const imp_token *t, const char *user, size_t expect)
{
	static gid_t want[4096];
	size_t n, nwant = id_groups(user, want, 4096);
	const gid_t *got = imp_token_groups(t, &n);
	CHECK_EQ(nwant, expect);
	CHECK_EQ(n, nwant);
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(got[i], want[i]);
}

static imp_token *token_timed(const char *user, const char *label)
{
	imp_token *t = NULL;
	double t0 = now_ms();
	int r = imp_token_for_user(user, 0, &t);
	printf("# timing: imp_token_for_user(%s) %s %.1f ms\n", user, label, now_ms() - t0);
	CHECK_EQ(r, 0);
	return t;
}

/* Open @name under files/ as @t: 0 or the errno.  The kernel decides. */
static int open_as(imp_token *t, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", env("IMP_DIR_FILES"), name);
	CHECK_EQ(imp_impersonate(t), 0);
	struct kcreds k;
	kc_read(0, &k);
	size_t n;
	const gid_t *g = imp_token_groups(t, &n);
	CHECK_EQ(k.ngroups, n); /* the kernel holds the whole list */
	for (size_t i = 0; i < n; i++)
		CHECK(kc_has_group(&k, g[i]));
	int fd = open(path, O_RDONLY);
	int e = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	CHECK_EQ(imp_revert(), 0);
	return e;
}

static void run(const char *what)
{
	double t0 = now_ms();
	int st = system(env(what));
	printf("# timing: %s %.0f ms\n", what, now_ms() - t0);
	CHECK_EQ(st, 0);
}

/* ---- Directory up ------------------------------------------------------------ */

TEST(k2_tokens_have_the_groups_id_sees)
{
	imp_token *three = token_timed(THREE, "3 groups");
	imp_token *many = token_timed(MANY, "1,200 groups");
	imp_token *local = token_timed(LOCAL, "files user, LDAP groups");
	check_same_as_id(three, THREE, 3);
	check_same_as_id(many, MANY, 1200);
	check_same_as_id(local, LOCAL, 2);
	CHECK_EQ(imp_token_uid(three), 71003);
	CHECK_EQ(imp_token_gid(many), 71000);
	double t0 = now_ms();
	imp_token *again = token_timed(MANY, "1,200 groups, again");
	printf("# timing: second 1,200-group token %.1f ms\n", now_ms() - t0);
	imp_token_unref(again);
	imp_token_unref(three);
	imp_token_unref(many);
	imp_token_unref(local);
}

TEST(k2_missing_user_is_enoent)
{
	imp_token *t = NULL;
	CHECK_EQ(imp_token_for_user("dirnosuchuser", 0, &t), -ENOENT);
	CHECK(t == NULL);
}

TEST(k2_group_of_5000_members)
{
	size_t size = 1 << 16;
	char *buf = malloc(size);
	struct group g, *found = NULL;
	int e;
	CHECK(buf);
	while ((e = getgrgid_r(CROWD_GID, &g, buf, size, &found)) == ERANGE) {
		char *more = realloc(buf, size *= 2);
		CHECK(more);
		buf = more;
	}
	CHECK_EQ(e, 0);
	CHECK(found);
	size_t n = 0;
	while (g.gr_mem[n])
		n++;
	CHECK_EQ(n, 5000);
	free(buf);
	imp_token *t = token_timed(THREE, "member of the 5,000");
	size_t ng;
	const gid_t *groups = imp_token_groups(t, &ng);
	bool in = false;
	for (size_t i = 0; i < ng; i++)
		in |= groups[i] == CROWD_GID;
	CHECK(in);
	imp_token_unref(t);
}

TEST(a4_files_opened_or_refused_by_directory_groups)
{
	imp_token *three = token_timed(THREE, "for files"), *many = token_timed(MANY, "for files");
	imp_token *local = token_timed(LOCAL, "for files");
	double t0 = now_ms();
	CHECK_EQ(open_as(many, "g1198.txt"), 0);
	printf("# timing: impersonate 1,200 groups, open, revert %.2f ms\n", now_ms() - t0);
	CHECK_EQ(open_as(three, "g0001.txt"), 0);
	CHECK_EQ(open_as(three, "crowd.txt"), 0);
	CHECK_EQ(open_as(three, "g1198.txt"), EACCES);
	CHECK_EQ(open_as(local, "g0001.txt"), EACCES);
	CHECK_EQ(open_as(three, "secret.txt"), 0);
	CHECK_EQ(open_as(local, "secret.txt"), EACCES); /* its LDAP group denies it */
	imp_token_unref(three);
	imp_token_unref(many);
	imp_token_unref(local);
}

/* SPEC K2: the services, their order, [STATUS=action] and an initgroups
 * line are read as glibc reads them: for each nsswitch.conf the token has
 * what id has (or -ENOENT where id finds no user). */
static const char *const variants[] = {
	"passwd: files ldap\ngroup: ldap files\n",
	"passwd: files ldap\ngroup: files [NOTFOUND=return] ldap\n",
	"passwd: files ldap\ngroup: files [!SUCCESS=return] ldap\n",
	"passwd: files ldap\ngroup: files [SUCCESS=return] ldap\n",
	"passwd: files ldap\ngroup: files ldap\ninitgroups: files\n",
	"passwd: files ldap\ngroup: files\ninitgroups: ldap [SUCCESS=return] files\n",
	"passwd: files ldap\ngroup: files nosuchmodule ldap\n",
	"passwd: files [NOTFOUND=return] ldap\ngroup: files ldap\n",
	"passwd: ldap\ngroup:files ldap # comment\n",
};

static void write_nsswitch(const char *text)
{
	FILE *f = fopen(env("IMP_DIR_NSSWITCH"), "w"); /* in place: it is bind-mounted */
	CHECK(f);
	CHECK(fputs(text, f) >= 0);
	CHECK_EQ(fclose(f), 0);
}

static void same_as_id_with(void *arg)
{
	const char *users[] = {THREE, MANY, LOCAL};
	static gid_t want[4096];
	write_nsswitch(arg);
	for (size_t u = 0; u < 3; u++) {
		imp_token *t = NULL;
		int r = imp_token_for_user(users[u], 0, &t);
		long nwant = id_try(users[u], want, 4096);
		printf("# %s: id %ld groups, token %d\n", users[u], nwant, r);
		if (nwant < 0) {
			CHECK_EQ(r, -ENOENT);
			continue;
		}
		CHECK_EQ(r, 0);
		size_t n;
		const gid_t *got = imp_token_groups(t, &n);
		CHECK_EQ(n, nwant);
		for (size_t i = 0; i < n; i++)
			CHECK_EQ(got[i], want[i]);
		imp_token_unref(t);
	}
}

TEST(k2_nsswitch_read_as_glibc_reads_it)
{
	const char *base = "passwd: files ldap\ngroup:  files ldap\nshadow: files\n";
	bool ok = true;
	for (size_t v = 0; v < sizeof(variants) / sizeof(*variants); v++) {
		char shown[256];
		snprintf(shown, sizeof(shown), "%s", variants[v]);
		for (char *c = shown; (c = strchr(c, '\n'));)
			*c = ';';
		printf("# nsswitch.conf: %s\n", shown);
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			same_as_id_with((void *)variants[v]);
			_exit(0);
		}
		int st;
		CHECK_EQ(waitpid(pid, &st, 0), pid);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	write_nsswitch(base); /* also after a failure: the tests below need it */
	CHECK(ok);
}

/* SPEC K2, A4: a source without initgroups_dyn (libnss_imptest.so.2, built
 * here) is enumerated as glibc enumerates it; when it stops answering, id
 * silently loses its group and the library refuses. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f);
	CHECK(fputs(text, f) >= 0);
	CHECK_EQ(fclose(f), 0);
}

static void enumerated_source(void *arg)
{
	(void)arg;
	static gid_t want[4096];
	imp_token *t = NULL;
	const char *groups = env("IMP_NSS_TEST_GROUPS");
	write_nsswitch("passwd: files ldap\ngroup: files imptest ldap\n");

	write_file(groups, "imptest:79500:dirlocal,dirthree\nother:79501:nobody\n");
	same_as_id_with((void *)"passwd: files ldap\ngroup: files imptest ldap\n");
	CHECK_EQ(imp_token_for_user(THREE, 0, &t), 0);
	size_t n;
	imp_token_groups(t, &n);
	CHECK_EQ(n, 4); /* dirthree's 3 and imptest */
	imp_token_unref(t);

	write_file(groups, "UNAVAIL\nimptest:79500:dirlocal,dirthree\n");
	long seen = id_try(THREE, want, 4096);
	printf("# id -G dirthree, imptest down: %ld groups\n", seen);
	CHECK_EQ(seen, 3); /* glibc: the groups the other sources know */
	t = NULL;
	CHECK_EQ(imp_token_for_user(THREE, 0, &t), -EHOSTDOWN);
	CHECK_EQ(imp_token_for_user(LOCAL, 0, &t), -EHOSTDOWN);
	CHECK(t == NULL);
}

TEST(a4_enumerated_source_and_its_outage)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		enumerated_source(NULL);
		_exit(0);
	}
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	write_nsswitch("passwd: files ldap\ngroup:  files ldap\nshadow: files\n");
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- pam_impersonate.so through real libpam ------------------------------- */

static int conv_none(int n, const struct pam_message **m, struct pam_response **r, void *d)
{
	(void)n, (void)m, (void)r, (void)d;
	return PAM_CONV_ERR; /* the account and session stack never prompts */
}

/* account + open_session of service "directory" for @user: the PAM status,
 * and in *ret the token pam_impersonate registered. */
static int pam_token(const char *user, imp_token **ret)
{
	struct pam_conv conv = {conv_none, NULL};
	pam_handle_t *pamh = NULL;
	CHECK_EQ(pam_start_confdir("directory", user, &conv, env("IMP_DIR_PAM"), &pamh), PAM_SUCCESS);
	int r = pam_acct_mgmt(pamh, 0);
	if (r == PAM_SUCCESS)
		r = pam_open_session(pamh, 0);
	if (r == PAM_SUCCESS) {
		CHECK_EQ(imp_token_from_pam(pamh, ret), 0);
		CHECK_EQ(pam_close_session(pamh, 0), PAM_SUCCESS);
	}
	pam_end(pamh, r);
	return r;
}

TEST(p_pam_token_has_the_groups_id_sees)
{
	imp_token *t = NULL;
	double t0 = now_ms();
	CHECK_EQ(pam_token(MANY, &t), PAM_SUCCESS);
	printf("# timing: pam account+session for 1,200 groups %.1f ms\n", now_ms() - t0);
	check_same_as_id(t, MANY, 1200);
	imp_token_unref(t);
	CHECK_EQ(pam_token(THREE, &t), PAM_SUCCESS);
	check_same_as_id(t, THREE, 3);
	imp_token_unref(t);
}

/* ---- Failing closed -------------------------------------------------------------- */

/* The error and how long it took, for a user whose lookup needs LDAP. */
static void expect_outage(const char *user, const char *label)
{
	imp_token *t = NULL;
	double t0 = now_ms();
	int r = imp_token_for_user(user, 0, &t);
	double ms = now_ms() - t0;
	printf("# timing: imp_token_for_user(%s) %s: %d after %.0f ms\n", user, label, r, ms);
	CHECK_EQ(r, -EHOSTDOWN);
	CHECK(t == NULL);
	CHECK(ms < OUTAGE_BOUND_MS);
}

/* ---- A search cut short ----------------------------------------------------- */

/* slapd restarted with its default size limit (500 entries per search):
 * nslcd's group search for dirmany ends with "size limit exceeded".  glibc's
 * getgrouplist (and id) return the 500 groups that arrived, silently; the
 * library refuses.  Users with few groups are unaffected. */
TEST(a4_search_cut_short_fails_closed)
{
	run("IMP_DIR_LIMIT_SLAPD");
	static gid_t seen[4096];
	size_t n = id_groups(MANY, seen, 4096);
	printf("# id -G %s with a 500-entry size limit: %zu groups\n", MANY, n);
	CHECK(n < 1200); /* what getgrouplist believes */
	expect_outage(MANY, "500-entry size limit");
	imp_token *t = token_timed(THREE, "500-entry size limit");
	check_same_as_id(t, THREE, 3);
	imp_token_unref(t);
}

/* ---- Directory down ----------------------------------------------------------- */

TEST(a4_outage_fails_closed_and_old_tokens_keep_working)
{
	imp_token *three = token_timed(THREE, "before the outage");
	imp_token *local = token_timed(LOCAL, "before the outage");

	run("IMP_DIR_HANG_SLAPD"); /* a server that accepts and never answers */
	expect_outage(THREE, "slapd hung");
	expect_outage(LOCAL, "slapd hung, files user");

	run("IMP_DIR_STOP_SLAPD");
	expect_outage(THREE, "slapd stopped");
	expect_outage(LOCAL, "slapd stopped, files user"); /* was: a token without dirsecret */
	expect_outage("dirnosuchuser", "slapd stopped, unknown user");
	imp_token *t = NULL;
	CHECK_EQ(imp_token_for_user(LOCAL, IMP_GROUPS_PRIMARY_ONLY, &t), 0); /* asked for no groups */
	imp_token_unref(t);

	double t0 = now_ms();
	CHECK_EQ(pam_token(THREE, &t), PAM_AUTHINFO_UNAVAIL);
	printf("# timing: pam account for dirthree, slapd stopped: %.0f ms\n", now_ms() - t0);

	/* Tokens made before: unchanged, still impersonated, still kernel-checked. */
	CHECK_EQ(open_as(three, "g0001.txt"), 0);
	CHECK_EQ(open_as(three, "g1198.txt"), EACCES);
	CHECK_EQ(open_as(local, "secret.txt"), EACCES);

	run("IMP_DIR_STOP_NSLCD");
	expect_outage(THREE, "nslcd stopped");
	expect_outage(LOCAL, "nslcd stopped, files user");
	CHECK_EQ(open_as(three, "crowd.txt"), 0);
	imp_token_unref(three);
	imp_token_unref(local);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return harness_main(argc, argv, HARNESS_ROOT);
}
