// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat-backend - a test backend for the svcnat selftests.
 *
 * One process serves any number of backends, each in its own network
 * namespace, on TCP and UDP (and SCTP with -S) at once:
 *
 *	svcnat-backend [-p PORT] [-S] ID[@NETNS]...
 *
 * For every ID it switches to NETNS (a name under /run/netns, or a path),
 * then listens on PORT (default 80) of 0.0.0.0 and of :: (IPv6 only, a
 * socket of its own: IPv4 peers never show up as ::ffff:a.b.c.d) for TCP
 * and UDP, and with -S for SCTP too (one-to-one style, SOCK_STREAM; the
 * sctp module must be loadable). The IPv6 sockets are skipped in a
 * namespace without IPv6. The IPv4 TCP and UDP sockets of an ID are bound
 * last, so that once they listen (what the tests wait for with ss -4) all
 * its other sockets do too.
 *
 * TCP and SCTP: on accept it writes "<ID> <peer-addr>:<peer-port>\n", then
 * echoes every byte it receives until the peer closes. An IPv6 peer
 * address is written in brackets: "<ID> [fd00:1::2]:40000".
 * UDP: every datagram is answered with one datagram holding the same
 * header followed by the received bytes.
 *
 * So a client learns which backend served it, which source address that
 * backend saw, and can check that its bytes came back unchanged.
 * It runs until killed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sctp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE	65536
#define SCTP_RTO_INITIAL_MS	300
#define OUT_LIMIT	(1 << 20)	/* stop reading while this much is queued */

enum fd_kind { FD_LISTEN, FD_UDP, FD_CONN };

struct slot {
	enum fd_kind kind;
	int fd;
	const char *id;
	char *out;		/* FD_CONN: bytes still to send */
	size_t out_len;
	size_t out_cap;
	int peer_eof;
};

static struct slot *slots;
static size_t nslots, cap_slots;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("svcnat-backend: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void add_slot(enum fd_kind kind, int fd, const char *id)
{
	if (nslots == cap_slots) {
		cap_slots = cap_slots ? 2 * cap_slots : 16;
		slots = realloc(slots, cap_slots * sizeof(*slots));
		if (!slots)
			die("out of memory");
	}
	slots[nslots++] = (struct slot){ .kind = kind, .fd = fd, .id = id };
}

static void del_slot(size_t i)
{
	close(slots[i].fd);
	free(slots[i].out);
	slots[i] = slots[--nslots];
}

static int queue_out(struct slot *s, const void *data, size_t len)
{
	if (s->out_len + len > s->out_cap) {
		size_t cap = s->out_cap ? s->out_cap : 4096;
		char *p;

		while (cap < s->out_len + len)
			cap *= 2;
		p = realloc(s->out, cap);
		if (!p)
			return -1;
		s->out = p;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, data, len);
	s->out_len += len;
	return 0;
}

static int header(char *buf, size_t size, const char *id,
		  const struct sockaddr_storage *peer)
{
	const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)peer;
	const struct sockaddr_in *p4 = (const struct sockaddr_in *)peer;
	char addr[INET6_ADDRSTRLEN];

	if (peer->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &p6->sin6_addr, addr, sizeof(addr));
		return snprintf(buf, size, "%s [%s]:%u\n", id, addr,
				ntohs(p6->sin6_port));
	}
	inet_ntop(AF_INET, &p4->sin_addr, addr, sizeof(addr));
	return snprintf(buf, size, "%s %s:%u\n", id, addr,
			ntohs(p4->sin_port));
}

#include "netns.h"

/*
 * A socket of family, type and protocol bound to the wildcard address and
 * port (listening if a stream), or -1 for an IPv6 socket in a namespace
 * without IPv6.
 */
static int bound_socket(int family, int type, int proto, unsigned short port)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	const char *what = proto == IPPROTO_SCTP ? "sctp" :
			   type == SOCK_STREAM ? "tcp" : "udp";
	int one = 1;
	int fd, r;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0 && family == AF_INET6 && errno == EAFNOSUPPORT)
		return -1;
	if (fd < 0)
		die("%s socket: %s", what, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (proto == IPPROTO_SCTP) {
		/*
		 * Our COOKIE ACK (sent in softirq) and our first DATA (the
		 * header, sent by this process, maybe on another CPU) can be
		 * reordered on the way (veth queues packets per CPU). A client
		 * still in COOKIE-ECHOED discards that DATA, and we would
		 * retransmit it only after the initial RTO, 3 s by default:
		 * as long as a probe waits. Retransmit sooner; a packet that
		 * is really dropped is still never answered.
		 */
		struct sctp_rtoinfo rto = { .srto_initial = SCTP_RTO_INITIAL_MS };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)))
			die("SCTP_RTOINFO: %s", strerror(errno));
	}
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		r = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
		if (r && errno == EADDRNOTAVAIL) {
			close(fd);
			return -1;
		}
	} else {
		r = bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	}
	if (r)
		die("bind %s port %u: %s", what, port, strerror(errno));
	if (type == SOCK_STREAM && listen(fd, 512))
		die("listen: %s", strerror(errno));
	return fd;
}

/* The sockets of one ID, IPv4 TCP and UDP last (see the top). */
static void serve(const char *id, unsigned short port, int sctp)
{
	int fd;

	if (sctp) {
		add_slot(FD_LISTEN, bound_socket(AF_INET, SOCK_STREAM,
						 IPPROTO_SCTP, port), id);
		fd = bound_socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP, port);
		if (fd >= 0)
			add_slot(FD_LISTEN, fd, id);
	}
	fd = bound_socket(AF_INET6, SOCK_STREAM, 0, port);
	if (fd >= 0)
		add_slot(FD_LISTEN, fd, id);
	fd = bound_socket(AF_INET6, SOCK_DGRAM, 0, port);
	if (fd >= 0)
		add_slot(FD_UDP, fd, id);
	add_slot(FD_LISTEN, bound_socket(AF_INET, SOCK_STREAM, 0, port), id);
	add_slot(FD_UDP, bound_socket(AF_INET, SOCK_DGRAM, 0, port), id);
}

static void on_accept(struct slot *l)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	const char *id = l->id;	/* add_slot() may move slots[], and l */
	char hdr[128];
	int fd, n;

	fd = accept4(l->fd, (struct sockaddr *)&peer, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	add_slot(FD_CONN, fd, id);
	n = header(hdr, sizeof(hdr), id, &peer);
	if (queue_out(&slots[nslots - 1], hdr, n))
		del_slot(nslots - 1);
}

static void on_udp(struct slot *u, char *buf)
{
	struct sockaddr_storage peer;
	char hdr[128];
	socklen_t len;
	ssize_t r;
	int n;

	for (;;) {
		len = sizeof(peer);
		r = recvfrom(u->fd, buf + sizeof(hdr), BUF_SIZE - sizeof(hdr),
			     0, (struct sockaddr *)&peer, &len);
		if (r < 0)
			return;
		n = header(hdr, sizeof(hdr), u->id, &peer);
		memcpy(buf + sizeof(hdr) - n, hdr, n);
		sendto(u->fd, buf + sizeof(hdr) - n, n + r, 0,
		       (struct sockaddr *)&peer, len);
	}
}

/* Returns 0 to keep the connection, -1 to drop it. */
static int on_conn(struct slot *c, short revents, char *buf)
{
	ssize_t r;

	if ((revents & POLLIN) && !c->peer_eof) {
		r = read(c->fd, buf, BUF_SIZE);
		if (r > 0) {
			if (queue_out(c, buf, r))
				return -1;
		} else if (r == 0) {
			c->peer_eof = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -1;
		}
	}
	if (c->out_len) {
		r = write(c->fd, c->out, c->out_len);
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (r > 0) {
			memmove(c->out, c->out + r, c->out_len - r);
			c->out_len -= r;
		}
	}
	if (revents & (POLLERR | POLLNVAL))
		return -1;
	if (c->peer_eof && !c->out_len)
		return -1;	/* everything echoed: close our side too */
	if ((revents & POLLHUP) && !(revents & POLLIN))
		return -1;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: svcnat-backend [-p PORT] [-S] ID[@NETNS]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned short port = 80;
	struct pollfd *pfd = NULL;
	size_t pfd_cap = 0;
	int opt, sctp = 0;
	char *buf;

	while ((opt = getopt(argc, argv, "p:Sh")) != -1) {
		switch (opt) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'S':
			sctp = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);

	for (int i = optind; i < argc; i++) {
		char *id = argv[i];
		char *ns = strchr(id, '@');

		if (ns) {
			*ns++ = '\0';
			enter_netns(ns);
		}
		serve(id, port, sctp);
	}

	buf = malloc(BUF_SIZE);
	if (!buf)
		die("out of memory");

	for (;;) {
		size_t n = nslots;

		if (pfd_cap < n) {
			pfd_cap = 2 * n;
			pfd = realloc(pfd, pfd_cap * sizeof(*pfd));
			if (!pfd)
				die("out of memory");
		}
		for (size_t i = 0; i < n; i++) {
			struct slot *s = &slots[i];

			pfd[i].fd = s->fd;
			pfd[i].events = 0;
			if (s->kind != FD_CONN ||
			    (!s->peer_eof && s->out_len < OUT_LIMIT))
				pfd[i].events |= POLLIN;
			if (s->out_len)
				pfd[i].events |= POLLOUT;
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/* Walk backwards: del_slot() moves the last slot into i. */
		for (size_t i = n; i-- > 0;) {
			struct slot *s = &slots[i];

			if (!pfd[i].revents)
				continue;
			switch (s->kind) {
			case FD_LISTEN:
				on_accept(s);
				break;
			case FD_UDP:
				on_udp(s, buf);
				break;
			case FD_CONN:
				if (on_conn(s, pfd[i].revents, buf))
					del_slot(i);
				break;
			}
		}
	}
}
