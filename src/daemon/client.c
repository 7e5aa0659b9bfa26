/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-fs - the client of impersonate-fsd(8).  Connects, answers the
 * PAM conversation the daemon relays (password prompts from the terminal or
 * from a file descriptor), then reads, lists or writes files as the
 * authenticated user.  See impersonate-fs(1).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ask.h"
#include "proto.h"

#define DEFAULT_SOCKET "/run/impersonate-fsd/socket"

/* Exit statuses (impersonate-fs(1)). */
enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_AUTH = 3, EXIT_PROTO = 4 };

struct client {
	int fd;
	int pwfd; /* answers to prompts; -1: the terminal */
	struct impfs_identity id;
	uint8_t in[IMPFS_BUF_SIZE];
	uint8_t out[IMPFS_BUF_SIZE];
};

/* One exchange: what came back for a request. */
struct reply {
	bool refused; /* the daemon sent ERROR (it checked the request itself) */
	struct impfs_result res;
	struct impfs_notice err;
};

static const char *errname(int e)
{
	static __thread char tmp[16];
	const char *n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(tmp, sizeof(tmp), "E%d", e);
	return tmp;
}

/* ---- Connecting and authenticating ----------------------------------------------- */

static int connect_to(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "impersonate-fs: %s: path too long\n", path);
		return -1;
	}
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "impersonate-fs: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int answer(struct client *c, const struct impfs_notice *n)
{
	if (n->style == 3 /* PAM_ERROR_MSG */ || n->style == 4 /* PAM_TEXT_INFO */) {
		fprintf(stderr, "%s\n", n->text);
		return 0;
	}
	char *a = ask_answer(c->pwfd, n->text, n->style == 2 /* PAM_PROMPT_ECHO_ON */);
	if (!a) {
		fprintf(stderr, "impersonate-fs: no answer to \"%s\": %s\n", n->text,
		        errno == ENXIO ? "no terminal (use --password-fd)" : strerror(errno));
		return -1;
	}
	struct impfs_buf b;
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_ANSWER);
	impfs_put_str(&b, a, IMPFS_MAX_TEXT);
	ask_free(a);
	int r = impfs_finish(&b);
	if (r == 0)
		r = impfs_send(c->fd, &b);
	explicit_bzero(c->out, b.len);
	return r;
}

/* Returns 0 when authenticated, else an exit status. */
static int authenticate(struct client *c, const char *user)
{
	struct impfs_buf b;
	struct impfs_frame f;
	struct impfs_notice n;
	impfs_start(&b, c->out, sizeof(c->out), IMPFS_AUTH);
	impfs_put_str(&b, user ? user : "", IMPFS_MAX_TEXT);
	if (impfs_finish(&b) < 0 || impfs_send(c->fd, &b) < 0)
		return EXIT_PROTO;
	for (;;) {
		if (impfs_recv(c->fd, c->in, &f) != 1) {
			fprintf(stderr, "impersonate-fs: the daemon closed the connection\n");
			return EXIT_PROTO;
		}
		if (f.type == IMPFS_AUTH_OK)
			return impfs_identity_decode(&f, &c->id) == 0 ? 0 : EXIT_PROTO;
		if (impfs_notice_decode(&f, &n) < 0)
			return EXIT_PROTO;
		if (f.type == IMPFS_AUTH_FAIL) {
			fprintf(stderr, "impersonate-fs: authentication failed at %s: %s\n", n.step, n.text);
			return EXIT_AUTH;
		}
		if (f.type == IMPFS_ERROR) {
			fprintf(stderr, "impersonate-fs: %s (%s)\n", n.text, errname((int)n.code));
			return EXIT_PROTO;
		}
		if (answer(c, &n) < 0)
			return EXIT_AUTH;
	}
}

/* Send @req and read its reply.  Returns 0 or an exit status. */
static int call(struct client *c, const struct impfs_request *req, struct reply *rep)
{
	struct impfs_buf b;
	struct impfs_frame f;
	if (impfs_request_encode(&b, c->out, sizeof(c->out), req) < 0) {
		fprintf(stderr, "impersonate-fs: request too long\n");
		return EXIT_USAGE;
	}
	if (impfs_send(c->fd, &b) < 0 || impfs_recv(c->fd, c->in, &f) != 1) {
		fprintf(stderr, "impersonate-fs: the daemon closed the connection\n");
		return EXIT_PROTO;
	}
	rep->refused = f.type == IMPFS_ERROR;
	int r = rep->refused ? impfs_notice_decode(&f, &rep->err) : impfs_result_decode(&f, &rep->res);
	if (r < 0 || (!rep->refused && rep->res.op != req->type)) {
		fprintf(stderr, "impersonate-fs: malformed reply\n");
		return EXIT_PROTO;
	}
	return 0;
}

/* 0 when the request worked; otherwise says why on stderr and returns
 * EXIT_REFUSED. */
static int report(const char *what, const char *path, const struct reply *rep)
{
	if (rep->refused) {
		fprintf(stderr, "impersonate-fs: %s %s: refused by the daemon: %s (%s)\n", what, path, rep->err.text,
		        errname((int)rep->err.code));
		return EXIT_REFUSED;
	}
	if (rep->res.err) {
		fprintf(stderr, "impersonate-fs: %s %s: %s (%s)\n", what, path, strerror((int)rep->res.err),
		        errname((int)rep->res.err));
		return EXIT_REFUSED;
	}
	return 0;
}

/* ---- Commands ---------------------------------------------------------------------- */

static void set_path(struct impfs_request *r, const char *path)
{
	snprintf(r->path, sizeof(r->path), "%s", path);
}

/* READ in chunks until the end of the file.  @out may be NULL (count only). */
static int do_read(struct client *c, const char *path, FILE *out, struct reply *rep, uint64_t *total)
{
	struct impfs_request req = {.type = IMPFS_READ};
	set_path(&req, path);
	*total = 0;
	for (;;) {
		int r = call(c, &req, rep);
		if (r || rep->refused || rep->res.err)
			return r;
		if (out && fwrite(rep->res.data, 1, rep->res.len, out) != rep->res.len)
			return EXIT_REFUSED;
		*total += rep->res.len;
		req.offset += rep->res.len;
		if (rep->res.len == 0 || req.offset >= rep->res.value)
			return 0;
	}
}

static const char *type_mark(uint8_t t)
{
	switch (t) {
	case 4: return "d"; /* DT_DIR */
	case 8: return "-"; /* DT_REG */
	case 10: return "l"; /* DT_LNK */
	default: return "?";
	}
}

/* LIST until the daemon says there is no more.  @out may be NULL. */
static int do_list(struct client *c, const char *path, FILE *out, struct reply *rep, uint64_t *count)
{
	struct impfs_request req = {.type = IMPFS_LIST};
	set_path(&req, path);
	*count = 0;
	for (;;) {
		int r = call(c, &req, rep);
		if (r || rep->refused || rep->res.err)
			return r;
		struct impfs_frame f = {.body = rep->res.data, .len = rep->res.len};
		struct impfs_cur cur;
		uint8_t type;
		char name[256];
		impfs_cur_init(&cur, &f);
		while ((r = impfs_entry_next(&cur, &type, name, sizeof(name))) == 1) {
			if (out)
				fprintf(out, "%s %s\n", type_mark(type), name);
			++*count;
		}
		if (r < 0)
			return EXIT_PROTO;
		if (!rep->res.more)
			return 0;
		req.offset = rep->res.value;
	}
}

/* WRITE @len bytes at once (create/truncate, mode @mode). */
static int do_write(struct client *c, const char *path, const void *data, size_t len, unsigned mode,
                    bool append, struct reply *rep)
{
	struct impfs_request req = {.type = IMPFS_WRITE, .mode = mode, .data = data, .len = len};
	req.flags = append ? IMPFS_WRITE_APPEND : IMPFS_WRITE_CREATE | IMPFS_WRITE_TRUNC;
	set_path(&req, path);
	return call(c, &req, rep);
}

/* Standard input to @path in IMPFS_MAX_DATA chunks. */
static int cmd_write(struct client *c, const char *path, unsigned mode)
{
	static uint8_t chunk[IMPFS_MAX_DATA];
	struct reply rep;
	bool first = true;
	for (;;) {
		size_t n = fread(chunk, 1, sizeof(chunk), stdin);
		if (n == 0 && !first)
			return ferror(stdin) ? EXIT_USAGE : 0;
		int r = do_write(c, path, chunk, n, mode, !first, &rep);
		if (r || (r = report("write", path, &rep)))
			return r;
		first = false;
		if (n < sizeof(chunk) && feof(stdin))
			return 0;
	}
}

static void print_ids(FILE *out, const struct impfs_ids *ids)
{
	fprintf(out, "uid %u %u %u %u gid %u %u %u %u groups", ids->uid[0], ids->uid[1], ids->uid[2], ids->uid[3],
	        ids->gid[0], ids->gid[1], ids->gid[2], ids->gid[3]);
	for (unsigned i = 0; i < ids->ngroups; i++)
		fprintf(out, "%s%u", i ? "," : " ", ids->groups[i]);
	fprintf(out, "%s CapEff %016llx", ids->ngroups ? "" : " -", (unsigned long long)ids->cap_eff);
}

static int do_whoami(struct client *c, struct reply *rep, struct impfs_ids *ids)
{
	struct impfs_request req = {.type = IMPFS_WHOAMI};
	int r = call(c, &req, rep);
	if (r || rep->refused || rep->res.err)
		return r;
	return impfs_ids_decode(rep->res.data, rep->res.len, ids) < 0 ? EXIT_PROTO : 0;
}

static int cmd_whoami(struct client *c)
{
	static struct impfs_ids ids;
	struct reply rep;
	int r = do_whoami(c, &rep, &ids);
	if (r || (r = report("whoami", "", &rep)))
		return r;
	printf("%s (uid %u): worker %u ran as ", c->id.user, c->id.uid, rep.res.worker);
	print_ids(stdout, &ids);
	printf("\n");
	return 0;
}

/* ---- Batch --------------------------------------------------------------------------- */

/*
 * One batch line ("read PATH", "list [PATH]", "write PATH [TEXT...]",
 * "whoami") as one output line:
 *     OP <tab> PATH <tab> RESULT <tab> WORKER <tab> DETAIL
 * RESULT is "ok", the errno name the kernel gave (EACCES...), "refused" when
 * the daemon refused the request itself, or "invalid" for a bad line.
 */
static int batch_line(struct client *c, char *line)
{
	static struct impfs_ids ids;
	char *op = strtok(line, " \t"), *path = strtok(NULL, " \t"), *text = strtok(NULL, "");
	struct reply rep = {0};
	uint64_t n = 0;
	int r;
	if (!op || op[0] == '#')
		return 0;
	if (!strcmp(op, "read") && path)
		r = do_read(c, path, NULL, &rep, &n);
	else if (!strcmp(op, "list"))
		r = do_list(c, path ? path : "", NULL, &rep, &n);
	else if (!strcmp(op, "write") && path) {
		char data[IMPFS_MAX_TEXT + 2];
		snprintf(data, sizeof(data), "%s\n", text ? text : "");
		r = do_write(c, path, data, strlen(data), 0644, false, &rep);
		n = rep.res.value;
	} else if (!strcmp(op, "whoami"))
		r = do_whoami(c, &rep, &ids);
	else {
		printf("%s\t%s\tinvalid\t-\tunknown request\n", op, path ? path : "");
		return 0;
	}
	if (r)
		return r;
	printf("%s\t%s\t", op, path ? path : "");
	if (rep.refused)
		printf("refused\t-\t%s: %s\n", errname((int)rep.err.code), rep.err.text);
	else if (rep.res.err)
		printf("%s\t%u\t%s\n", errname((int)rep.res.err), rep.res.worker, strerror((int)rep.res.err));
	else if (!strcmp(op, "whoami")) {
		printf("ok\t%u\t", rep.res.worker);
		print_ids(stdout, &ids);
		printf("\n");
	} else
		printf("ok\t%u\t%llu %s\n", rep.res.worker, (unsigned long long)n,
		       !strcmp(op, "list") ? "entries" : "bytes");
	return 0;
}

static int cmd_batch(struct client *c, const char *file, unsigned long repeat)
{
	FILE *in = !file || !strcmp(file, "-") ? stdin : fopen(file, "re");
	if (!in) {
		fprintf(stderr, "impersonate-fs: %s: %s\n", file, strerror(errno));
		return EXIT_USAGE;
	}
	char *lines[1024], buf[IMPFS_MAX_PATH + IMPFS_MAX_TEXT];
	size_t n = 0;
	while (n < 1024 && fgets(buf, sizeof(buf), in)) {
		buf[strcspn(buf, "\n")] = 0;
		lines[n++] = strdup(buf);
	}
	if (in != stdin)
		fclose(in);
	int r = 0;
	for (unsigned long k = 0; k < repeat && !r; k++)
		for (size_t i = 0; i < n && !r; i++) {
			snprintf(buf, sizeof(buf), "%s", lines[i]);
			r = batch_line(c, buf);
		}
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	fflush(stdout);
	return r;
}

/* ---- main ----------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: impersonate-fs [-s SOCKET] [-u USER] [-p FD] COMMAND [ARGS]\n"
	           "  whoami                the identity the daemon's thread had while serving you\n"
	           "  read PATH             the file's contents to standard output\n"
	           "  list [PATH]           a directory's entries (d directory, - file, l symlink)\n"
	           "  write PATH [MODE]     standard input to PATH (created with MODE, default 0644)\n"
	           "  batch [FILE]          requests from FILE, one per line, one result line each\n"
	           "options:\n"
	           "  -s, --socket PATH     default " DEFAULT_SOCKET "\n"
	           "  -u, --user NAME       user to authenticate as (default: PAM asks)\n"
	           "  -p, --password-fd FD  answers to PAM prompts from FD, one line each\n"
	           "                        (default: the terminal)\n"
	           "  -n, --repeat N        batch: run the requests N times\n"
	           "  -q, --quiet           do not print who the daemon authenticated\n");
}

/* What to do, checked before connecting: a usage error never costs the
 * user a password prompt. */
struct command {
	const char *name;
	const char *arg; /* path, or batch file */
	unsigned mode;   /* write */
};

static int parse_command(int argc, char **argv, struct command *cmd)
{
	static const struct {
		const char *name;
		int min, max; /* arguments */
	} commands[] = {{"whoami", 0, 0}, {"read", 1, 1}, {"list", 0, 1}, {"write", 1, 2}, {"batch", 0, 1}};
	*cmd = (struct command){.name = argv[0], .arg = argc > 1 ? argv[1] : NULL, .mode = 0644};
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd->name, commands[i].name) != 0)
			continue;
		if (argc - 1 < commands[i].min || argc - 1 > commands[i].max)
			break;
		if (argc == 3) { /* only write takes two: PATH MODE */
			char *end;
			unsigned long m = strtoul(argv[2], &end, 8);
			if (m > 0777 || *end || end == argv[2]) {
				fprintf(stderr, "impersonate-fs: %s: not an octal mode\n", argv[2]);
				return EXIT_USAGE;
			}
			cmd->mode = (unsigned)m;
		}
		return 0;
	}
	usage(stderr);
	return EXIT_USAGE;
}

static int run(struct client *c, const struct command *cmd, unsigned long repeat)
{
	const char *path = cmd->arg ? cmd->arg : "";
	struct reply rep;
	uint64_t n;
	int r;
	if (!strcmp(cmd->name, "whoami"))
		return cmd_whoami(c);
	if (!strcmp(cmd->name, "write"))
		return cmd_write(c, path, cmd->mode);
	if (!strcmp(cmd->name, "batch"))
		return cmd_batch(c, cmd->arg, repeat);
	if (!strcmp(cmd->name, "read"))
		r = do_read(c, path, stdout, &rep, &n);
	else
		r = do_list(c, path, stdout, &rep, &n);
	return r ? r : report(cmd->name, path, &rep);
}

static bool count(const char *s, unsigned long min, unsigned long *out)
{
	char *end;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && end != s && !*end && *out >= min && *out <= INT32_MAX;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'}, {"user", required_argument, NULL, 'u'},
		{"password-fd", required_argument, NULL, 'p'}, {"repeat", required_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct client c = {.fd = -1, .pwfd = -1};
	const char *socket_path = DEFAULT_SOCKET, *user = NULL;
	unsigned long repeat = 1, fd;
	struct command cmd;
	bool quiet = false;
	int o;
	while ((o = getopt_long(argc, argv, "+s:u:p:n:qh", opts, NULL)) != -1) {
		switch (o) {
		case 's': socket_path = optarg; break;
		case 'u': user = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return 0;
		case 'p':
			if (!count(optarg, 0, &fd)) {
				fprintf(stderr, "impersonate-fs: --password-fd: a file descriptor number\n");
				return EXIT_USAGE;
			}
			c.pwfd = (int)fd;
			break;
		case 'n':
			if (!count(optarg, 1, &repeat)) {
				fprintf(stderr, "impersonate-fs: --repeat: a count of 1 or more\n");
				return EXIT_USAGE;
			}
			break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	int r = parse_command(argc - optind, argv + optind, &cmd);
	if (r)
		return r;
	if ((c.fd = connect_to(socket_path)) < 0)
		return EXIT_PROTO;
	r = authenticate(&c, user);
	if (r == 0 && !quiet)
		fprintf(stderr, "impersonate-fs: authenticated as %s (uid %u)%s\n", c.id.user, c.id.uid,
		        c.id.level ? ", identify level: the daemon may not act as you" : "");
	if (r == 0)
		r = run(&c, &cmd, repeat);
	close(c.fd);
	return r;
}
