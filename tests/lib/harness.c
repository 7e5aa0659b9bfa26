/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harness.h"

#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TESTS 256

static struct {
	const char *name;
	harness_fn fn;
} tests[MAX_TESTS];
static int ntests;

void harness_register(const char *name, harness_fn fn)
{
	if (ntests == MAX_TESTS) {
		fprintf(stderr, "harness: too many tests\n");
		abort();
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d)\n", errno);
	fflush(stderr);
	_exit(1);
}

void harness_skip(const char *why)
{
	fprintf(stderr, "# skip: %s\n", why);
	fflush(stderr);
	_exit(77);
}

void harness_in_child(void (*fn)(void *), void *arg)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		harness_fail(__FILE__, __LINE__, "fork");
	if (pid == 0) {
		fn(arg);
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		harness_fail(__FILE__, __LINE__, "child failed (status 0x%x)", st);
}

static int run_one(int i)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		tests[i].fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return 1;
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 77)) {
		printf("ok %d - %s%s\n", i + 1, tests[i].name, WEXITSTATUS(st) == 77 ? " # SKIP" : "");
		return 0;
	}
	if (WIFSIGNALED(st))
		printf("not ok %d - %s (signal %d)\n", i + 1, tests[i].name, WTERMSIG(st));
	else
		printf("not ok %d - %s (exit %d)\n", i + 1, tests[i].name, WEXITSTATUS(st));
	return 1;
}

/* HARNESS_SKIP="case case ...": cases a checking tool cannot run (set by
 * scripts/run-checks, which says why beside each name). */
static bool skipped_by_env(const char *name)
{
	const char *list = getenv("HARNESS_SKIP");
	size_t n = strlen(name);
	for (const char *p = list; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

int harness_main(int argc, char **argv, unsigned flags)
{
	if ((flags & HARNESS_ROOT) && geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 77;
	}
	int failed = 0, ran = 0;
	printf("1..%d\n", argc > 1 ? argc - 1 : ntests);
	for (int i = 0; i < ntests; i++) {
		bool wanted = argc <= 1;
		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], tests[i].name) == 0;
		if (wanted && skipped_by_env(tests[i].name)) {
			printf("ok %d - %s # SKIP (HARNESS_SKIP)\n", i + 1, tests[i].name);
			ran++;
		} else if (wanted) {
			failed += run_one(i);
			ran++;
		}
	}
	if (ran == 0) {
		fprintf(stderr, "no test matched\n");
		return 1;
	}
	return failed ? 1 : 0;
}
