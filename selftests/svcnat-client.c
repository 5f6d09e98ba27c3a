// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat-client - traffic generator for the svcnat selftests.
 *
 * Talks to svcnat-backend (directly or through a service address) over TCP,
 * UDP and/or SCTP, IPv4 or IPv6, checks every reply byte for byte and
 * counts which backend answered. One process does many connections, which
 * matters under QEMU TCG where every exec costs ~70 ms.
 *
 * A target is ADDR:PORT, an IPv6 address in brackets: 10.96.0.10:8081,
 * [fd00:96::10]:8081. SCTP (-x) uses one-to-one style sockets (SOCK_STREAM,
 * IPPROTO_SCTP; the sctp module must be loadable) bound to the source
 * address the route to the target gives: a single-homed association, so
 * that no address list goes into the INIT that a NAT would not rewrite.
 *
 * Burst mode (default): COUNT connections per protocol, PAR at a time;
 * connection i goes to target i % ntargets. Each connection sends SIZE
 * pseudo-random bytes and expects "<id> <addr>:<port>\n" + the same bytes.
 * With -T it runs for SECS seconds (or until SIGTERM/SIGINT) instead,
 * finishing the connections in flight before it prints the summary; -r
 * caps the rate of new connections. Finished TCP connections are closed
 * with a RST, so that they do not fill the conntrack table in TIME_WAIT.
 *
 * Long-lived mode (-L): opens connections one by one and keeps them
 * (with -D K: keeps one per distinct backend until K backends are held),
 * prints "held N PROTO ID SEEN" for each and "ready N", then for every
 * line read on stdin exchanges a fresh payload on every kept connection
 * and prints "xchg N PROTO ID ok|fail REASON" per connection and
 * "done ok N fail M". It exits at EOF on stdin.
 *
 * Output (burst mode):
 *	conn IDX PROTO ID SEEN T0 T1 ok|fail [REASON]	(-v; failures always)
 *	res IDX PROTO ok ID SEEN LOCAL			(-R, every connection)
 *	res IDX PROTO reject|unreach/CODE FROM		(-R)
 *	res IDX PROTO reset|timeout			(-R)
 *	res IDX PROTO error REASON			(-R)
 *	backend PROTO ID COUNT				(sorted)
 *	total PROTO N ok OK fail FAIL
 * PROTO is tcp, udp or sctp. SEEN is the source address the backend saw,
 * T0/T1 are CLOCK_REALTIME seconds at the start and the end of the
 * connection. Addresses with a port are written as the targets are
 * (IPv6 in brackets); FROM is a bare address.
 *
 * With -R the sockets get IP_RECVERR (IPV6_RECVERR), so that a failed
 * connection tells how it failed: "reject" is an ICMP or ICMPv6 port
 * unreachable (FROM is the address that sent it), "unreach/CODE" another
 * ICMP (ICMPv6) destination unreachable with its code, "reset" a TCP RST or
 * an SCTP ABORT, "timeout" no answer at all (-w), LOCAL is the client's own
 * address:port (getsockname). SCTP queues no ICMP errors on the socket: for
 * it the client reads the ICMP and ICMPv6 errors that reach its namespace
 * on raw sockets and matches the SCTP header inside them to its
 * connections, so that an ICMP reject is seen at once (not only when the
 * INIT is retransmitted) and told apart from an ABORT. A UDP datagram that
 * netfilter drops on its way out of this host (send() fails with EPERM)
 * counts as lost, so a drop looks the same from every namespace: a timeout.
 *
 * Exit status: 0 all connections/exchanges good, 1 some failed, 2 usage or
 * setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_TARGETS	16
#define MAX_IDS		64
#define HDR_MAX		128
#define UDP_MAX		(65507 - HDR_MAX)
#define UDP_RETX_MS	500

enum { P_TCP, P_UDP, P_SCTP, NPROTO };
static const char *const proto_name[NPROTO] = { "tcp", "udp", "sctp" };

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static socklen_t sa_len(const union sockaddr_any *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->v6) : sizeof(a->v4);
}

enum xstate { X_FREE, X_CONNECT, X_XFER, X_DONE };

struct xfer {
	enum xstate state;
	int fd;
	int proto;
	unsigned long idx;
	int want_hdr;		/* expect "<id> <addr>:<port>\n" first */
	unsigned char *payload;
	size_t plen;
	size_t sent;
	unsigned char *rx;
	size_t rxlen;
	size_t hdrlen;		/* 0 until the header line is complete */
	double t0, t1;
	double deadline;
	double next_retx;
	char id[64];
	char seen[64];
	char local[64];
	char why[192];
	char note[96];
	int ok;
	int refused;		/* ECONNREFUSED seen */
	int established;	/* TCP, SCTP: connected */
	const union sockaddr_any *target;
	unsigned short lport;	/* SCTP: our port, to match ICMP errors */
	int icmp;		/* an ICMP error was seen: */
	int icmp_v6;		/* ICMPv6 */
	int icmp_type, icmp_code;
	char icmp_from[INET6_ADDRSTRLEN];
};

struct idstat {
	int proto;
	char id[64];
	unsigned long n;
};

static union sockaddr_any targets[MAX_TARGETS];
static int ntargets;
static int protos[NPROTO];
static int nprotos;
static size_t size = 64;
static int timeout_ms = 5000;
static int check_src;
static int results;
static int verbose;
static char *allowed[MAX_IDS];
static int nallowed;

static struct idstat ids[MAX_IDS];
static int nids;
static unsigned long total[NPROTO], nok[NPROTO], nfail[NPROTO];

static volatile sig_atomic_t stop;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("svcnat-client: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

#include "netns.h"

/* ADDR:PORT or [ADDR6]:PORT */
static void parse_target(const char *arg)
{
	const char *colon = strrchr(arg, ':'), *h = arg;
	union sockaddr_any *sa;
	char host[64];
	size_t hlen;
	char *end;
	long port;
	int ok;

	if (ntargets == MAX_TARGETS)
		die("too many targets");
	if (!colon)
		die("bad target '%s' (want ADDR:PORT or [ADDR]:PORT)", arg);
	hlen = colon - arg;
	if (*arg == '[') {
		if (hlen < 2 || colon[-1] != ']')
			die("bad target '%s' (want [ADDR]:PORT)", arg);
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		die("bad target '%s'", arg);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	port = strtol(colon + 1, &end, 10);
	sa = &targets[ntargets++];
	memset(sa, 0, sizeof(*sa));
	if (h != arg) {
		sa->v6.sin6_family = AF_INET6;
		sa->v6.sin6_port = htons(port);
		ok = inet_pton(AF_INET6, host, &sa->v6.sin6_addr) == 1;
	} else {
		sa->v4.sin_family = AF_INET;
		sa->v4.sin_port = htons(port);
		ok = inet_pton(AF_INET, host, &sa->v4.sin_addr) == 1;
	}
	if (!ok || *end || port < 1 || port > 65535)
		die("bad target '%s' (want ADDR:PORT or [ADDR]:PORT)", arg);
}

static void parse_allowed(char *list)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (nallowed == MAX_IDS)
			die("too many ids in -a");
		allowed[nallowed++] = tok;
	}
}

/* Deterministic but varied bytes, including NUL and newline. */
static void fill_payload(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

static void set_fail(struct xfer *x, const char *fmt, ...)
{
	va_list ap;

	if (x->state == X_DONE)
		return;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
	x->ok = 0;
	x->state = X_DONE;
	x->t1 = now();
}

/* -R: ICMP errors are queued on the socket, to be told apart from a RST */
static void set_recverr(int fd, int family)
{
	int on = 1;

	if (!results)
		return;
	if (family == AF_INET6 ?
	    setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on)) :
	    setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof(on)))
		die("IP_RECVERR: %s", strerror(errno));
}

static void fmt_addr(const union sockaddr_any *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &sa->v6.sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sa->v6.sin6_port));
	} else {
		inet_ntop(AF_INET, &sa->v4.sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sa->v4.sin_port));
	}
}

static unsigned short sa_port(const union sockaddr_any *sa)
{
	return ntohs(sa->sa.sa_family == AF_INET6 ? sa->v6.sin6_port :
						      sa->v4.sin_port);
}

/*
 * A UDP "connection" is its 5-tuple to conntrack: a new socket that happens
 * to get the source port of an earlier flow (ports are reused at once) would
 * be an old connection, still bound to the backend chosen back then. So a
 * new UDP flow never reuses a source port used before, in this run or (via
 * a bitmap in UDP_PORTS_FILE) in an earlier run on this machine. The same
 * goes for SCTP: an INIT that finds the closed conntrack entry of an earlier
 * association on its 5-tuple reuses that entry and its NAT binding.
 */
#define UDP_PORTS_FILE	"/tmp/.svcnat-client-udp-ports"
static unsigned char udp_used[65536 / 8];
static int udp_used_dirty;

static void udp_ports_load(void)
{
	FILE *f = fopen(UDP_PORTS_FILE, "r");

	if (!f)
		return;
	if (fread(udp_used, sizeof(udp_used), 1, f) != 1)
		memset(udp_used, 0, sizeof(udp_used));
	fclose(f);
}

/* Merge our ports into the file: other clients may have run meanwhile. */
static void udp_ports_save(void)
{
	unsigned char old[sizeof(udp_used)];
	int fd;

	if (!udp_used_dirty)
		return;
	fd = open(UDP_PORTS_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	flock(fd, LOCK_EX);
	if (pread(fd, old, sizeof(old), 0) == (ssize_t)sizeof(old))
		for (size_t i = 0; i < sizeof(old); i++)
			udp_used[i] |= old[i];
	if (pwrite(fd, udp_used, sizeof(udp_used), 0) != (ssize_t)sizeof(udp_used))
		fprintf(stderr, "svcnat-client: cannot save %s\n", UDP_PORTS_FILE);
	close(fd);	/* drops the lock */
}

/* A connected UDP socket on a never-used source port, or -errno. */
static int udp_fresh_socket(const union sockaddr_any *target)
{
	int tried[64], ntried = 0, fd = -1, err = 0;
	int family = target->sa.sa_family;

	while (ntried < 64) {
		union sockaddr_any sa;
		socklen_t len = sizeof(sa);
		unsigned int port;

		fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			die("socket: %s", strerror(errno));
		set_recverr(fd, family);
		if (connect(fd, &target->sa, sa_len(target)) ||
		    getsockname(fd, &sa.sa, &len)) {
			err = -errno;
			close(fd);
			fd = err;
			break;
		}
		port = sa_port(&sa);
		if (!(udp_used[port / 8] & (1 << (port % 8)))) {
			udp_used[port / 8] |= 1 << (port % 8);
			udp_used_dirty = 1;
			break;
		}
		/* keep it open so that the next try gets another port */
		tried[ntried++] = fd;
		fd = -EADDRINUSE;
	}
	if (ntried == 64) {
		/* nearly all used up: start over with the last one */
		memset(udp_used, 0, sizeof(udp_used));
		fd = tried[--ntried];
	}
	while (ntried > 0)
		close(tried[--ntried]);
	return fd;
}

/*
 * SCTP: bind fd to the source address of the route to target (what a
 * connected UDP socket gets), so that the association is single-homed, and
 * to a never-used port (see udp_fresh_socket()) of the ephemeral range.
 * Returns 0 or an errno.
 */
static int bind_route_source(int fd, const union sockaddr_any *target)
{
	union sockaddr_any src;
	socklen_t len = sizeof(src);
	int u, err = 0, tries;

	u = socket(target->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (u < 0)
		die("socket: %s", strerror(errno));
	if (connect(u, &target->sa, sa_len(target)) ||
	    getsockname(u, &src.sa, &len))
		err = errno;
	close(u);
	if (err)
		return err;
	for (tries = 0; tries < 1024; tries++) {
		unsigned int port = 32768 + random() % 28232;

		if (tries == 256)	/* nearly all used up: start over */
			memset(udp_used, 0, sizeof(udp_used));
		if (udp_used[port / 8] & (1 << (port % 8)))
			continue;
		if (src.sa.sa_family == AF_INET6)
			src.v6.sin6_port = htons(port);
		else
			src.v4.sin_port = htons(port);
		if (!bind(fd, &src.sa, sa_len(&src))) {
			udp_used[port / 8] |= 1 << (port % 8);
			udp_used_dirty = 1;
			return 0;
		}
		if (errno != EADDRINUSE)
			return errno;
	}
	return EADDRINUSE;
}

/*
 * Start one exchange. If fd < 0 a new socket is connected to target;
 * otherwise the existing connected socket is reused (long-lived mode).
 */
static void xfer_start(struct xfer *x, int proto, int fd,
		       const union sockaddr_any *target, unsigned long idx,
		       uint64_t seed, int want_hdr)
{
	int err;

	size_t cap;

	free(x->payload);
	free(x->rx);
	memset(x, 0, sizeof(*x));
	x->proto = proto;
	x->idx = idx;
	x->want_hdr = want_hdr;
	x->plen = size;
	x->payload = malloc(size ? size : 1);
	cap = size + HDR_MAX + 1;
	x->rx = malloc(cap);
	if (!x->payload || !x->rx)
		die("out of memory");
	fill_payload(x->payload, size, seed);
	x->t0 = now();
	x->deadline = x->t0 + timeout_ms / 1000.0;
	strcpy(x->id, "-");
	strcpy(x->seen, "-");
	x->ok = 1;
	x->target = target;

	if (fd >= 0) {
		x->fd = fd;
		x->state = X_XFER;
		x->established = 1;
		return;
	}
	x->state = X_CONNECT;
	if (proto == P_UDP) {
		x->fd = udp_fresh_socket(target);
		if (x->fd < 0)
			set_fail(x, "connect: %s", strerror(-x->fd));
		else
			x->state = X_XFER;
		return;
	}
	x->fd = socket(target->sa.sa_family,
		       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       proto == P_SCTP ? IPPROTO_SCTP : 0);
	if (x->fd < 0)
		die("%s socket: %s", proto_name[proto], strerror(errno));
	set_recverr(x->fd, target->sa.sa_family);
	if (proto == P_SCTP) {
		union sockaddr_any sa;
		socklen_t len = sizeof(sa);

		err = bind_route_source(x->fd, target);
		if (err) {
			set_fail(x, "bind: %s", strerror(err));
			return;
		}
		if (!getsockname(x->fd, &sa.sa, &len))
			x->lport = sa_port(&sa);
	}
	if (connect(x->fd, &target->sa, sa_len(target)) && errno != EINPROGRESS)
		set_fail(x, "connect: %s", strerror(errno));
}

static void note_local(struct xfer *x)
{
	union sockaddr_any sa;
	socklen_t len = sizeof(sa);

	if (!getsockname(x->fd, &sa.sa, &len))
		fmt_addr(&sa, x->local, sizeof(x->local));
}

static int id_allowed(const char *id)
{
	if (!nallowed)
		return 1;
	for (int i = 0; i < nallowed; i++)
		if (!strcmp(allowed[i], id))
			return 1;
	return 0;
}

/* Parse "<id> <seen>\n" at the start of x->rx once it is complete. */
static void parse_header(struct xfer *x)
{
	unsigned char *nl = memchr(x->rx, '\n', x->rxlen);
	char line[HDR_MAX];
	size_t len;
	char *sp;

	if (!nl) {
		if (x->rxlen >= HDR_MAX)
			set_fail(x, "no header line");
		return;
	}
	len = nl - x->rx;
	if (len >= sizeof(line)) {
		set_fail(x, "header too long");
		return;
	}
	memcpy(line, x->rx, len);
	line[len] = '\0';
	sp = strchr(line, ' ');
	if (!sp || sp == line || (size_t)(sp - line) >= sizeof(x->id) ||
	    strlen(sp + 1) >= sizeof(x->seen)) {
		set_fail(x, "bad header");
		return;
	}
	*sp = '\0';
	if (x->id[0] != '-' && strcmp(x->id, line)) {
		set_fail(x, "backend changed from %s to %s", x->id, line);
		return;
	}
	memcpy(x->id, line, sp - line + 1);
	memcpy(x->seen, sp + 1, strlen(sp + 1) + 1);
	x->hdrlen = len + 1;
	if (!id_allowed(x->id))
		set_fail(x, "unexpected backend %s", x->id);
	else if (check_src && x->local[0] && strcmp(x->seen, x->local))
		set_fail(x, "backend saw source %s, we are %s", x->seen,
			 x->local);
}

static void check_complete(struct xfer *x)
{
	size_t hl = x->want_hdr ? x->hdrlen : 0;

	if (x->state == X_DONE || (x->want_hdr && !x->hdrlen))
		return;
	if (x->rxlen - hl < x->plen)
		return;
	if (x->rxlen - hl > x->plen)
		set_fail(x, "%zu bytes more than sent", x->rxlen - hl - x->plen);
	else if (memcmp(x->rx + hl, x->payload, x->plen))
		set_fail(x, "echo differs from what was sent");
	else {
		x->state = X_DONE;
		x->t1 = now();
	}
}

/* TCP and SCTP (one-to-one style: a stream of bytes here) */
static void xfer_stream(struct xfer *x, short revents)
{
	ssize_t r;

	if (x->state == X_CONNECT) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err == ECONNREFUSED)
			x->refused = 1;
		if (err) {
			set_fail(x, "connect: %s", strerror(err));
			return;
		}
		note_local(x);
		x->state = X_XFER;
		x->established = 1;
	}
	if (x->sent < x->plen && (revents & POLLOUT)) {
		r = write(x->fd, x->payload + x->sent, x->plen - x->sent);
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			set_fail(x, "write: %s", strerror(errno));
			return;
		}
		if (r > 0)
			x->sent += r;
	}
	if (revents & (POLLIN | POLLERR | POLLHUP)) {
		size_t room = x->plen + HDR_MAX + 1 - x->rxlen;

		r = read(x->fd, x->rx + x->rxlen, room);
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			set_fail(x, "read: %s", strerror(errno));
			return;
		}
		if (r == 0) {
			set_fail(x, "connection closed after %zu bytes",
				 x->rxlen);
			return;
		}
		if (r > 0) {
			x->rxlen += r;
			if (x->want_hdr && !x->hdrlen)
				parse_header(x);
			check_complete(x);
		}
	}
}

static void xfer_udp(struct xfer *x, short revents, double t)
{
	ssize_t r;

	if (!x->local[0])
		note_local(x);
	if (!x->sent || t >= x->next_retx) {
		if (!x->sent && !(revents & POLLOUT) && revents)
			return;
		r = send(x->fd, x->payload, x->plen, 0);
		if (r < 0 && errno == ECONNREFUSED && results) {
			/* the pending ICMP error, taken by send() */
			x->refused = 1;
			set_fail(x, "port unreachable");
			return;
		}
		/*
		 * -R: a datagram dropped by netfilter on its way out of this
		 * host (EPERM) is a lost datagram, as when dropped elsewhere:
		 * retransmit, and report a timeout if nothing ever answers.
		 */
		if (r < 0 && errno != EAGAIN && errno != EINTR &&
		    errno != ECONNREFUSED && !(errno == EPERM && results)) {
			set_fail(x, "send: %s", strerror(errno));
			return;
		}
		x->sent = x->plen;
		x->next_retx = t + UDP_RETX_MS / 1000.0;
	}
	if (revents & (POLLIN | POLLERR)) {
		/* One datagram is one whole answer: parse it from scratch. */
		r = recv(x->fd, x->rx, x->plen + HDR_MAX + 1, 0);
		if (r < 0) {
			if (errno == ECONNREFUSED) {
				x->refused = 1;
				set_fail(x, "port unreachable");
			}
			else if (errno != EAGAIN && errno != EINTR)
				set_fail(x, "recv: %s", strerror(errno));
			return;
		}
		x->rxlen = r;
		x->hdrlen = 0;
		parse_header(x);
		if (x->state == X_DONE)
			return;
		if (!x->hdrlen) {
			set_fail(x, "datagram without header");
			return;
		}
		if (x->rxlen - x->hdrlen == x->plen &&
		    !memcmp(x->rx + x->hdrlen, x->payload, x->plen)) {
			x->state = X_DONE;
			x->t1 = now();
			return;
		}
		/*
		 * Maybe the late answer to a retransmission of an earlier
		 * exchange on this socket: note it and keep waiting.
		 */
		snprintf(x->note, sizeof(x->note),
			 "; ignored a %zd-byte datagram whose echo differed", r);
	}
}

static short xfer_events(const struct xfer *x)
{
	if (x->state == X_CONNECT)
		return POLLOUT;
	if (x->proto != P_UDP && x->sent < x->plen)
		return POLLIN | POLLOUT;
	return POLLIN;
}

/* Advance x; returns 1 once it is done (ok or failed). */
static int xfer_step(struct xfer *x, short revents, double t)
{
	if (x->state != X_DONE) {
		if (x->proto == P_UDP)
			xfer_udp(x, revents, t);
		else
			xfer_stream(x, revents);
	}
	if (x->state != X_DONE && t >= x->deadline)
		set_fail(x, "timeout after %d ms (%s%zu bytes sent, %zu received%s)",
			 timeout_ms, x->state == X_CONNECT ? "connecting, " : "",
			 x->sent, x->rxlen, x->note);
	return x->state == X_DONE;
}

/* Run one exchange to completion (long-lived mode). */
static int xfer_run(struct xfer *x)
{
	double t = now();

	/* First step without events: UDP sends its datagram right away. */
	while (!xfer_step(x, 0, t)) {
		struct pollfd p = { .fd = x->fd, .events = xfer_events(x) };
		double wait = x->deadline - t;

		if (x->proto == P_UDP && x->next_retx - t < wait)
			wait = x->next_retx - t;
		if (poll(&p, 1, wait > 0 ? (int)(wait * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			die("poll: %s", strerror(errno));
		t = now();
		if (p.revents)
			xfer_step(x, p.revents, t);
	}
	return x->ok;
}

static void tally(const struct xfer *x)
{
	int i;

	total[x->proto]++;
	if (!x->ok) {
		nfail[x->proto]++;
		return;
	}
	nok[x->proto]++;
	for (i = 0; i < nids; i++)
		if (ids[i].proto == x->proto && !strcmp(ids[i].id, x->id))
			break;
	if (i == nids) {
		if (nids == MAX_IDS)
			return;
		ids[nids].proto = x->proto;
		snprintf(ids[nids].id, sizeof(ids[nids].id), "%s", x->id);
		nids++;
	}
	ids[i].n++;
}

static void report(const struct xfer *x)
{
	static int failures_shown;

	/* Failures are always shown (the first few), successes with -v. */
	if (!verbose && (x->ok || ++failures_shown > 10))
		return;
	printf("conn %lu %s %s %s %.6f %.6f %s%s%s\n", x->idx,
	       proto_name[x->proto], x->id, x->seen, x->t0, x->t1,
	       x->ok ? "ok" : "fail", x->ok ? "" : " ", x->ok ? "" : x->why);
}

/* The ICMP error queued on x's socket (IP_RECVERR, IPV6_RECVERR), if any. */
static void icmp_from_errqueue(struct xfer *x)
{
	char cbuf[512], dummy[64];
	struct iovec iov = { .iov_base = dummy, .iov_len = sizeof(dummy) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;

	if (x->fd < 0 || recvmsg(x->fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
		return;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		struct sock_extended_err *ee;
		union sockaddr_any *off;

		if (!(c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) &&
		    !(c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR))
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(c);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
		    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
			continue;
		x->icmp = 1;
		x->icmp_v6 = ee->ee_origin == SO_EE_ORIGIN_ICMP6;
		x->icmp_type = ee->ee_type;
		x->icmp_code = ee->ee_code;
		off = (union sockaddr_any *)SO_EE_OFFENDER(ee);
		if (off->sa.sa_family == AF_INET)
			inet_ntop(AF_INET, &off->v4.sin_addr, x->icmp_from,
				  sizeof(x->icmp_from));
		else if (off->sa.sa_family == AF_INET6)
			inet_ntop(AF_INET6, &off->v6.sin6_addr, x->icmp_from,
				  sizeof(x->icmp_from));
		else
			strcpy(x->icmp_from, "-");
		return;
	}
}

/*
 * -R with SCTP: raw sockets that get a copy of every ICMP (ICMPv6)
 * destination unreachable reaching this namespace; raw_drain() matches
 * the SCTP header quoted in them to the connections in flight.
 */
static int raw_fd[2] = { -1, -1 };	/* ICMP, ICMPv6 */
static struct xfer *raw_xs;		/* the connections in flight */
static int raw_nxs;

static void raw_open(void)
{
	int need[2] = { 0, 0 };

	for (int i = 0; i < ntargets; i++)
		need[targets[i].sa.sa_family == AF_INET6] = 1;
	if (need[0]) {
		struct icmp_filter f = { .data = ~(1U << ICMP_DEST_UNREACH) };

		raw_fd[0] = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
				   IPPROTO_ICMP);
		if (raw_fd[0] < 0 ||
		    setsockopt(raw_fd[0], SOL_RAW, ICMP_FILTER, &f, sizeof(f)))
			die("raw ICMP socket: %s", strerror(errno));
	}
	if (need[1]) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		raw_fd[1] = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
				   IPPROTO_ICMPV6);
		if (raw_fd[1] < 0 ||
		    setsockopt(raw_fd[1], IPPROTO_ICMPV6, ICMP6_FILTER, &f,
			       sizeof(f)))
			die("raw ICMPv6 socket: %s", strerror(errno));
	}
}

/* An ICMP error about the SCTP packet sport -> daddr:dport reached us. */
static void raw_match(int v6, int type, int code, const char *from,
		      const unsigned char *daddr, unsigned short sport,
		      unsigned short dport)
{
	for (int i = 0; i < raw_nxs; i++) {
		struct xfer *x = &raw_xs[i];
		const union sockaddr_any *t = x->target;

		if (x->state == X_FREE || x->proto != P_SCTP || x->icmp ||
		    !t || x->lport != sport || sa_port(t) != dport ||
		    (t->sa.sa_family == AF_INET6) != v6)
			continue;
		if (v6 ? memcmp(daddr, &t->v6.sin6_addr, 16) :
			 memcmp(daddr, &t->v4.sin_addr, 4))
			continue;
		x->icmp = 1;
		x->icmp_v6 = v6;
		x->icmp_type = type;
		x->icmp_code = code;
		snprintf(x->icmp_from, sizeof(x->icmp_from), "%s", from);
		x->refused = 1;
		set_fail(x, "ICMP%s destination unreachable code %d from %s",
			 v6 ? "v6" : "", code, from);
		return;
	}
}

static void raw_drain(void)
{
	unsigned char b[1500];
	union sockaddr_any from;
	char a[INET6_ADDRSTRLEN];

	for (int v6 = 0; v6 < 2; v6++) {
		socklen_t len = sizeof(from);
		ssize_t r;

		if (raw_fd[v6] < 0)
			continue;
		while ((r = recvfrom(raw_fd[v6], b, sizeof(b), 0, &from.sa,
				     &len)) > 0) {
			size_t o = 0, in, tl;

			len = sizeof(from);
			if (!v6) {
				/* IP header, ICMP header, quoted IP header */
				o = (b[0] & 0xf) * 4;
				in = o + 8;
				if ((size_t)r < in + 20)
					continue;
				tl = in + (b[in] & 0xf) * 4;
				if (b[in + 9] != IPPROTO_SCTP ||
				    (size_t)r < tl + 4)
					continue;
				inet_ntop(AF_INET, &from.v4.sin_addr, a,
					  sizeof(a));
				raw_match(0, b[o], b[o + 1], a, b + in + 16,
					  b[tl] << 8 | b[tl + 1],
					  b[tl + 2] << 8 | b[tl + 3]);
			} else {
				/* ICMPv6 header, quoted IPv6 header */
				in = 8;
				tl = in + 40;
				if ((size_t)r < tl + 4 ||
				    b[in + 6] != IPPROTO_SCTP)
					continue;
				inet_ntop(AF_INET6, &from.v6.sin6_addr, a,
					  sizeof(a));
				raw_match(1, b[0], b[1], a, b + in + 24,
					  b[tl] << 8 | b[tl + 1],
					  b[tl + 2] << 8 | b[tl + 3]);
			}
		}
	}
}

/* -R: one "res" line per connection, saying how it ended. */
static void report_result(struct xfer *x)
{
	const char *p = proto_name[x->proto];
	int port_unreach, unreach;

	if (!results)
		return;
	if (x->ok) {
		printf("res %lu %s ok %s %s %s\n", x->idx, p, x->id, x->seen,
		       x->local[0] ? x->local : "-");
		return;
	}
	/* the ICMP error may be queued and not read yet */
	if (x->proto == P_SCTP)
		raw_drain();
	else if (!x->icmp)
		icmp_from_errqueue(x);
	unreach = x->icmp_v6 ? x->icmp_type == ICMP6_DST_UNREACH :
			       x->icmp_type == ICMP_DEST_UNREACH;
	port_unreach = unreach && x->icmp_code ==
		       (x->icmp_v6 ? ICMP6_DST_UNREACH_NOPORT : ICMP_PORT_UNREACH);
	if (x->icmp && port_unreach)
		printf("res %lu %s reject %s\n", x->idx, p, x->icmp_from);
	else if (x->icmp && unreach)
		printf("res %lu %s unreach/%d %s\n", x->idx, p, x->icmp_code,
		       x->icmp_from);
	else if (x->icmp)
		printf("res %lu %s error icmp%s type %d code %d from %s\n",
		       x->idx, p, x->icmp_v6 ? "v6" : "", x->icmp_type,
		       x->icmp_code, x->icmp_from);
	else if (x->refused && x->proto != P_UDP)
		printf("res %lu %s reset\n", x->idx, p);
	else if (x->refused)
		printf("res %lu %s reject -\n", x->idx, p);
	else if (!strncmp(x->why, "timeout ", 8))
		printf("res %lu %s timeout\n", x->idx, p);
	else
		printf("res %lu %s error %s\n", x->idx, p, x->why);
}

static int cmp_ids(const void *a, const void *b)
{
	const struct idstat *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	return strcmp(x->id, y->id);
}

static void summary(void)
{
	qsort(ids, nids, sizeof(ids[0]), cmp_ids);
	for (int i = 0; i < nids; i++)
		printf("backend %s %s %lu\n", proto_name[ids[i].proto],
		       ids[i].id, ids[i].n);
	for (int p = 0; p < NPROTO; p++)
		if (total[p])
			printf("total %s %lu ok %lu fail %lu\n", proto_name[p],
			       total[p], nok[p], nfail[p]);
}

/*
 * Close a finished TCP connection with a RST (SO_LINGER 0): conntrack then
 * forgets it after 10 s instead of keeping TIME_WAIT for 2 minutes, which
 * matters with a few thousand connections and the 8k-entry conntrack table
 * of a 1 GB guest. An established SCTP association likewise ends with an
 * ABORT; one that never got established goes without a packet (an ABORT
 * would be a new connection attempt for conntrack, and a reject counted).
 */
static void close_fast(struct xfer *x)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (x->proto == P_TCP || (x->proto == P_SCTP && x->established))
		setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(x->fd);
}

static int burst(long count, int par, double secs, double rate)
{
	struct xfer *xs = calloc(par, sizeof(*xs));
	struct pollfd *pfd = calloc(par + 2, sizeof(*pfd));
	double begin = now(), end = secs > 0 ? begin + secs : 0;
	unsigned long next = 0, limit = count > 0 ? count * nprotos : 0;
	int active = 0;

	if (!xs || !pfd)
		die("out of memory");
	raw_xs = xs;
	raw_nxs = par;
	for (;;) {
		double t = now(), wait = 1;
		/* may more connections start at all, and right now? */
		int more = !stop && (!limit || next < limit) && (!end || t < end);
		int paced = rate > 0 && next >= (t - begin) * rate + 1;

		for (int i = 0; i < par && more && !paced; i++) {
			unsigned long n;

			if (xs[i].state != X_FREE)
				continue;
			n = next++;
			xfer_start(&xs[i], protos[n % nprotos], -1,
				   &targets[(n / nprotos) % ntargets], n,
				   n + (uint64_t)getpid() * 1000003, 1);
			active++;
			xfer_step(&xs[i], 0, t);	/* UDP: send now */
			more = (!limit || next < limit) && (!end || t < end);
			paced = rate > 0 && next >= (t - begin) * rate + 1;
		}
		for (int i = 0; i < par; i++) {
			if (xs[i].state != X_DONE)
				continue;
			report(&xs[i]);
			report_result(&xs[i]);
			tally(&xs[i]);
			close_fast(&xs[i]);
			xs[i].state = X_FREE;
			active--;
		}
		if (!active && !more)
			break;
		paced = rate > 0 && next >= (now() - begin) * rate + 1;
		if (more && !paced && active < par)
			continue;	/* a slot is free: start the next one */
		if (more && paced)
			wait = (next - 1) / rate + begin - t;
		for (int i = 0; i < par; i++) {
			pfd[i].fd = xs[i].state == X_FREE ? -1 : xs[i].fd;
			pfd[i].events = xs[i].state == X_FREE ? 0 :
					xfer_events(&xs[i]);
			pfd[i].revents = 0;
			if (xs[i].state == X_FREE)
				continue;
			if (xs[i].deadline - t < wait)
				wait = xs[i].deadline - t;
			if (xs[i].proto == P_UDP && xs[i].next_retx - t < wait)
				wait = xs[i].next_retx - t;
		}
		for (int i = 0; i < 2; i++) {
			pfd[par + i].fd = raw_fd[i];
			pfd[par + i].events = POLLIN;
			pfd[par + i].revents = 0;
		}
		if (poll(pfd, par + 2, wait > 0 ? (int)(wait * 1000) + 1 : 0) < 0 &&
		    errno != EINTR)
			die("poll: %s", strerror(errno));
		t = now();
		if (pfd[par].revents || pfd[par + 1].revents)
			raw_drain();
		for (int i = 0; i < par; i++)
			if (xs[i].state != X_FREE && xs[i].state != X_DONE)
				xfer_step(&xs[i], pfd[i].revents, t);
	}
	summary();
	fflush(stdout);
	for (int p = 0; p < NPROTO; p++)
		if (nfail[p])
			return 1;
	return 0;
}

struct held {
	int fd;
	int proto;
	char id[64];
};

static int longlived(long attempts, int distinct)
{
	struct held *h = calloc(attempts * nprotos, sizeof(*h));
	unsigned long seq = 0, bad = 0;
	struct xfer x = { 0 };
	char line[256];
	int nh = 0;

	if (!h)
		die("out of memory");
	for (int pi = 0; pi < nprotos; pi++) {
		int p = protos[pi], have = 0;

		for (long a = 0; a < attempts; a++) {
			int dup = 0;

			xfer_start(&x, p, -1, &targets[a % ntargets], seq,
				   seq + (uint64_t)getpid() * 1000003, 1);
			seq++;
			if (!xfer_run(&x)) {
				printf("attempt %lu %s fail %s\n", seq - 1,
				       proto_name[p], x.why);
				close(x.fd);
				bad++;
				continue;
			}
			for (int i = 0; i < nh && distinct; i++)
				if (h[i].proto == p && !strcmp(h[i].id, x.id))
					dup = 1;
			if (dup) {
				close(x.fd);
				continue;
			}
			h[nh].fd = x.fd;
			h[nh].proto = p;
			snprintf(h[nh].id, sizeof(h[nh].id), "%s", x.id);
			printf("held %d %s %s %s\n", nh, proto_name[p], x.id,
			       x.seen);
			nh++;
			have++;
			if (distinct && have == distinct)
				break;
		}
		if (distinct && have < distinct) {
			printf("error: only %d distinct %s backends after %ld connections\n",
			       have, proto_name[p], attempts);
			fflush(stdout);
			return 1;
		}
	}
	printf("ready %d\n", nh);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin)) {
		unsigned long ok = 0, fail = 0;

		for (int i = 0; i < nh; i++) {
			xfer_start(&x, h[i].proto, h[i].fd, NULL, seq,
				   seq + (uint64_t)getpid() * 1000003,
				   h[i].proto == P_UDP);
			seq++;
			if (h[i].proto == P_UDP)
				snprintf(x.id, sizeof(x.id), "%s", h[i].id);
			if (xfer_run(&x)) {
				ok++;
				printf("xchg %d %s %s ok\n", i,
				       proto_name[h[i].proto], h[i].id);
			} else {
				fail++;
				printf("xchg %d %s %s fail %s\n", i,
				       proto_name[h[i].proto], h[i].id, x.why);
			}
		}
		printf("done ok %lu fail %lu\n", ok, fail);
		fflush(stdout);
		bad += fail;
	}
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: svcnat-client [-n NETNS] [-t] [-u] [-x] [-c COUNT] [-P PAR] [-T SECS]\n"
		"                     [-r RATE] [-s SIZE] [-w MS] [-a ID,...] [-S] [-v] [-R]\n"
		"                     [-L [-D DISTINCT]] ADDR:PORT|[ADDR6]:PORT...\n"
		"  -t/-u/-x  TCP, UDP and/or SCTP (-x, --sctp) (default TCP)\n"
		"  -c COUNT  connections per protocol (default 1; -L: attempts)\n"
		"  -P PAR    connections in flight at once (default 1)\n"
		"  -T SECS   keep connecting for SECS seconds or until SIGTERM\n"
		"  -r RATE   start at most RATE connections per second\n"
		"  -s SIZE   payload bytes per exchange (default 64)\n"
		"  -w MS     timeout per exchange (default 5000)\n"
		"  -a IDS    only these backend ids may answer\n"
		"  -S        the backend must see our own address as source\n"
		"  -v        one line per connection\n"
		"  -R        one \"res\" line per connection: ok, reject (ICMP/ICMPv6\n"
		"            port unreachable), reset (TCP RST, SCTP ABORT), timeout\n"
		"            or error\n"
		"  -L        long-lived mode, exchange once per stdin line\n"
		"  -D K      -L: keep one connection per backend, until K\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "sctp", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ns = NULL;
	long cnt = -1;
	double secs = 0, rate = 0;
	int par = 1, ll = 0, distinct = 0;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:tuxc:P:T:r:s:w:a:SvRLD:h",
				  lopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			ns = optarg;
			break;
		case 't':
			if (!protos[P_TCP]++)
				nprotos++;
			break;
		case 'u':
			if (!protos[P_UDP]++)
				nprotos++;
			break;
		case 'x':
			if (!protos[P_SCTP]++)
				nprotos++;
			break;
		case 'c':
			cnt = atol(optarg);
			break;
		case 'P':
			par = atoi(optarg);
			break;
		case 'T':
			secs = atof(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			timeout_ms = atoi(optarg);
			break;
		case 'a':
			parse_allowed(optarg);
			break;
		case 'S':
			check_src = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'R':
			results = 1;
			break;
		case 'L':
			ll = 1;
			break;
		case 'D':
			distinct = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || par < 1 || timeout_ms < 1)
		usage();
	/* protos[] becomes the list of selected protocols, in order. */
	if (!nprotos) {
		protos[0] = P_TCP;
		nprotos = 1;
	} else {
		int sel[NPROTO] = { protos[P_TCP], protos[P_UDP], protos[P_SCTP] };

		nprotos = 0;
		for (int p = 0; p < NPROTO; p++)
			if (sel[p])
				protos[nprotos++] = p;
	}
	for (int i = optind; i < argc; i++)
		parse_target(argv[i]);
	if (protos[0] == P_UDP || (nprotos > 1))
		if (size > UDP_MAX)
			die("UDP payload at most %d bytes", UDP_MAX);

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (!ll) {
		/* burst mode: finish what is in flight, then report */
		signal(SIGTERM, on_signal);
		signal(SIGINT, on_signal);
	}
	if (ns)
		enter_netns(ns);
	if (results && !ll && protos[nprotos - 1] == P_SCTP)
		raw_open();
	udp_ports_load();
	atexit(udp_ports_save);
	srandom(getpid() ^ (unsigned int)(now() * 1e6));

	if (ll)
		exit(longlived(cnt > 0 ? cnt : (distinct ? 30 : 1), distinct));
	if (cnt < 0)
		cnt = secs > 0 ? 0 : 1;
	exit(burst(cnt, par, secs, rate));
}
