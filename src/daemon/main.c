/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * impersonate-fsd - a file service over a Unix socket that serves each
 * client as that client.  See impersonate-fsd(8) and PROTOCOL.md.
 *
 * This file: options, start-up checks, the listening socket, signals and the
 * accept loop.  The daemon never calls glibc's set*id()/setgroups(): they
 * change every thread, including pool threads serving other clients.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fsd.h"

void fsd_log(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* User names and paths come from clients: no forged lines in the log. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "impersonate-fsd: %s\n", line); /* one call: lines never interleave */
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: impersonate-fsd --socket PATH --root DIR [options]\n"
	        "  -s, --socket PATH      Unix socket to listen on\n"
	        "  -r, --root DIR         directory served to clients\n"
	        "  -S, --service NAME     PAM service (default impersonate-fsd)\n"
	        "  -C, --pam-confdir DIR  read the PAM service from DIR instead of /etc/pam.d\n"
	        "  -t, --threads N        pool threads (default 4)\n"
	        "  -m, --max-clients N    connections served at once (default 64)\n"
	        "      --max-per-uid N    connections at once from one peer uid (default 8)\n"
	        "  -T, --timeout SEC      how long a connection may wait between frames (default 60)\n"
	        "      --frame-timeout SEC  limit for a whole frame, either way (default 10)\n"
	        "      --login-timeout SEC  limit from connecting to the end of the login (default 60)\n"
	        "      --fail-delay MS    after a failed login, the peer uid's next one waits MS,\n"
	        "                         doubling per failure (default 1000; 0: never)\n"
	        "      --fail-delay-max MS  longest such wait; failures are forgotten after it (default 30000)\n"
	        "      --pam-lock WHICH   PAM calls run one connection at a time: auto, none, steps, all\n"
	        "                         (default auto: steps under nss_wrapper, else none)\n"
	        "  -M, --socket-mode MODE permissions of the socket (default 0666)\n"
	        "  -v, --verbose          log every request\n"
	        "  -h, --help\n");
}

/* An unsigned option in [min, max], in @base; says what it wants if not. */
static int number(const char *name, const char *s, unsigned long min, unsigned long max, int base, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, base);
	if (errno || end == s || *end || v < min || v > max) {
		if (base == 8)
			fprintf(stderr, "impersonate-fsd: %s: octal, from %#lo to %#lo\n", name, min, max);
		else
			fprintf(stderr, "impersonate-fsd: %s: a number from %lu to %lu\n", name, min, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int pam_lock_option(const char *s, enum fsd_pam_lock *out)
{
	static const char *const names[] = {"auto", "none", "steps", "all"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fsd_pam_lock)i;
			return 0;
		}
	fprintf(stderr, "impersonate-fsd: --pam-lock: auto, none, steps or all\n");
	return -1;
}

enum { OPT_PER_UID = 256, OPT_FRAME, OPT_LOGIN, OPT_DELAY, OPT_DELAY_MAX, OPT_PAM_LOCK };

static int parse_args(int argc, char **argv, struct fsd_config *cfg)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},    {"root", required_argument, NULL, 'r'},
		{"service", required_argument, NULL, 'S'},   {"pam-confdir", required_argument, NULL, 'C'},
		{"threads", required_argument, NULL, 't'},   {"max-clients", required_argument, NULL, 'm'},
		{"timeout", required_argument, NULL, 'T'},   {"socket-mode", required_argument, NULL, 'M'},
		{"verbose", no_argument, NULL, 'v'},         {"help", no_argument, NULL, 'h'},
		{"max-per-uid", required_argument, NULL, OPT_PER_UID},
		{"frame-timeout", required_argument, NULL, OPT_FRAME},
		{"login-timeout", required_argument, NULL, OPT_LOGIN},
		{"fail-delay", required_argument, NULL, OPT_DELAY},
		{"fail-delay-max", required_argument, NULL, OPT_DELAY_MAX},
		{"pam-lock", required_argument, NULL, OPT_PAM_LOCK},
		{NULL, 0, NULL, 0},
	};
	*cfg = (struct fsd_config){.service = "impersonate-fsd", .threads = 4, .max_clients = 64, .max_per_uid = 8,
	                           .timeout = 60, .frame_timeout = 10, .login_timeout = 60, .fail_delay = 1000,
	                           .fail_delay_max = 30000, .pam_lock = FSD_PAM_LOCK_AUTO, .socket_mode = 0666};
	unsigned mode = 0;
	int o, r = 0;
	while (r == 0 && (o = getopt_long(argc, argv, "s:r:S:C:t:m:T:M:vh", opts, NULL)) != -1) {
		switch (o) {
		case 's': cfg->socket_path = optarg; break;
		case 'r': cfg->root = optarg; break;
		case 'S': cfg->service = optarg; break;
		case 'C': cfg->pam_confdir = optarg; break;
		case 'v': cfg->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case 't': r = number("--threads", optarg, 1, 1024, 10, &cfg->threads); break;
		case 'm': r = number("--max-clients", optarg, 1, 65536, 10, &cfg->max_clients); break;
		case 'T': r = number("--timeout", optarg, 1, 86400, 10, &cfg->timeout); break;
		case OPT_PER_UID: r = number("--max-per-uid", optarg, 1, 65536, 10, &cfg->max_per_uid); break;
		case OPT_FRAME: r = number("--frame-timeout", optarg, 1, 3600, 10, &cfg->frame_timeout); break;
		case OPT_LOGIN: r = number("--login-timeout", optarg, 1, 3600, 10, &cfg->login_timeout); break;
		case OPT_DELAY: r = number("--fail-delay", optarg, 0, 3600000, 10, &cfg->fail_delay); break;
		case OPT_DELAY_MAX: r = number("--fail-delay-max", optarg, 0, 86400000, 10, &cfg->fail_delay_max); break;
		case OPT_PAM_LOCK: r = pam_lock_option(optarg, &cfg->pam_lock); break;
		case 'M':
			if ((r = number("--socket-mode", optarg, 0, 0777, 8, &mode)) == 0)
				cfg->socket_mode = (mode_t)mode;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (r < 0)
		return -1;
	if (cfg->fail_delay_max < cfg->fail_delay) {
		fprintf(stderr, "impersonate-fsd: --fail-delay-max is less than --fail-delay\n");
		return -1;
	}
	if (optind != argc || !cfg->socket_path || !cfg->root) {
		usage(stderr);
		return -1;
	}
	return 0;
}

/* ---- The socket ----------------------------------------------------------------- */

static int unix_addr(const char *path, struct sockaddr_un *a)
{
	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

/* A socket file nobody listens on is left over from a crash: replace it.
 * One somebody listens on is another daemon's: refuse. */
static int check_stale(const char *path)
{
	struct sockaddr_un a;
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || unix_addr(path, &a) < 0)
		return fd < 0 ? -errno : -ENAMETOOLONG;
	int r = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ? -EADDRINUSE : 0;
	close(fd);
	return r;
}

/*
 * Bind and listen under a temporary name, then rename() to @path: the path
 * appears only once it accepts connections, so a script may wait for it.
 */
static int listen_on(const struct fsd_config *cfg)
{
	struct sockaddr_un a;
	char tmp[sizeof(a.sun_path) + 16];
	int r = check_stale(cfg->socket_path);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.%d", cfg->socket_path, (int)getpid());
	if (unix_addr(tmp, &a) < 0)
		return -ENAMETOOLONG;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(tmp, cfg->socket_mode) < 0 ||
	    listen(fd, 128) < 0 || rename(tmp, cfg->socket_path) < 0) {
		r = -errno;
		unlink(tmp);
		close(fd);
		return r;
	}
	return fd;
}

/* Type=notify under systemd: READY=1 / STOPPING=1 to $NOTIFY_SOCKET. */
static void notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(a.sun_path))
		return;
	memcpy(a.sun_path, path, strlen(path));
	if (a.sun_path[0] == '@')
		a.sun_path[0] = 0; /* abstract namespace */
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&a, len);
		close(fd);
	}
}

/* ---- Start-up ----------------------------------------------------------------- */

static int start(struct fsd *d)
{
	struct imp_support sup;
	if (imp_query_support(&sup) < 0 || !sup.can_impersonate) {
		fsd_log("cannot impersonate here: %s", sup.reason);
		fsd_log("run as root, or with CAP_SETUID and CAP_SETGID (see impersonate-fsd(8))");
		return -EPERM;
	}
	d->rootfd = open(d->cfg.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d->rootfd < 0) {
		fsd_log("%s: %s", d->cfg.root, strerror(errno));
		return -errno;
	}
	int r = ops_check_openat2(d->rootfd);
	if (r < 0) {
		fsd_log("openat2(RESOLVE_BENEATH) does not work here (%s): need Linux 5.6 or later", strerror(-r));
		return r;
	}
	r = ring_probe();
	if (r < 0)
		fsd_log("io_uring unavailable (%s): every request through the pool's switch", strerror(-r));
	else
		fsd_log("io_uring: READ, WRITE and LIST through each connection's ring as the client");
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->idle, NULL);
	d->cfg.pam_lock = session_pam_lock(d->cfg.pam_lock);
	r = pool_start(d->cfg.threads, &d->pool);
	if (r < 0)
		fsd_log("cannot start the pool: %s", strerror(-r));
	return r;
}

/* SIGTERM, SIGINT and SIGHUP end the daemon; they are read from a signalfd,
 * so every thread is created with them blocked. */
static int signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static void accept_one(struct fsd *d, int lfd)
{
	uint8_t buf[256];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
			return;
		fsd_log("accept: %s", strerror(errno));
		/* Out of descriptors: the socket stays readable, so do not spin. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			poll(NULL, 0, 100);
		return;
	}
	int r = session_spawn(d, fd);
	if (r == 0)
		return;
	/* A fresh socket's send buffer is empty: this cannot block.  Both
	 * limits are EBUSY to the client: try again later. */
	impfs_send_error(fd, buf, sizeof(buf), r == -EBUSY || r == -EUSERS ? EBUSY : -r,
	                 r == -EBUSY    ? "too many clients, try again later"
	                 : r == -EUSERS ? "too many connections from your uid, try again later"
	                                : "cannot serve now");
	close(fd);
	if (r != -EBUSY && r != -EUSERS)
		fsd_log("cannot start a connection thread: %s", strerror(-r));
}

/* One line of key=value pairs, for people and scripts alike. */
static void log_stats(struct fsd *d)
{
	char per_worker[512];
	size_t off = 0;
	for (unsigned i = 0; i < d->cfg.threads && off < sizeof(per_worker); i++)
		off += (size_t)snprintf(per_worker + off, sizeof(per_worker) - off, "%s%lu", i ? "," : "",
		                        pool_served(d->pool, i));
	fsd_log("stopped: sessions=%lu peak_connections=%u auth_failures=%lu requests=%lu refused=%lu "
	        "per_uid_refused=%lu timeouts=%lu per_worker=%s",
	        atomic_load(&d->sessions), d->peak, atomic_load(&d->auth_failures), atomic_load(&d->requests),
	        atomic_load(&d->refused), atomic_load(&d->per_uid_refused), atomic_load(&d->timeouts), per_worker);
}

int main(int argc, char **argv)
{
	static struct fsd d;
	if (parse_args(argc, argv, &d.cfg) < 0)
		return 2;
	int sfd = signals();
	if (sfd < 0 || start(&d) < 0)
		return 1;
	int lfd = listen_on(&d.cfg);
	if (lfd < 0) {
		fsd_log("%s: %s", d.cfg.socket_path, strerror(-lfd));
		return 1;
	}
	static const char *const locks[] = {"auto", "none", "steps", "all"};
	fsd_log("serving %s on %s: PAM service %s%s%s, %u pool threads, pam-lock %s, pid %d", d.cfg.root,
	        d.cfg.socket_path, d.cfg.service, d.cfg.pam_confdir ? " from " : "",
	        d.cfg.pam_confdir ? d.cfg.pam_confdir : "", d.cfg.threads, locks[d.cfg.pam_lock], (int)getpid());
	notify("READY=1");

	struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
	while (!(p[1].revents & POLLIN)) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			accept_one(&d, lfd);
	}
	notify("STOPPING=1");
	close(lfd);
	unlink(d.cfg.socket_path);
	unsigned left = session_stop_all(&d, 10);
	log_stats(&d);
	if (left) {
		fsd_log("%u connections did not end in time", left);
		return 1;
	}
	pool_stop(d.pool);
	return 0;
}
