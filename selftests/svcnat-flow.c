// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat-flow - one long-running flow to a service, for the conntrack
 * hygiene selftests.
 *
 *	svcnat-flow [-n NETNS] [-u|-t|-S] [-i MS] [-p LPORT] [-r] ADDR:PORT
 *
 * Sends a sequence-numbered message ("SEQ\n") every MS milliseconds
 * (default 20) on ONE socket to ADDR:PORT (a.b.c.d:port or [v6]:port),
 * and reads the answers of svcnat-backend: a UDP datagram answered with
 * "<id> <addr>:<port>\n" + the message; a TCP or SCTP stream starts with
 * that header line and echoes. So every reply names the backend that
 * answered, and the flow keeps its 5-tuple (its conntrack entry) for as
 * long as it runs.
 *
 *   -u / -t / -S  UDP (default), TCP, SCTP (one-to-one style)
 *   -p LPORT      bind this local port (a reconnect binds it again); SCTP
 *                 binds the source address of the route too
 *   -r            TCP/SCTP: reconnect after the connection failed or
 *                 the connect did not succeed within 1 s
 *   -i MS         send interval
 * SCTP associations get a short retransmission timeout (100-300 ms) so
 * that a dead peer is noticed in about a second.
 *
 * Commands on stdin, each answered with one line on stdout:
 *	mark		start a measurement window; "mark SEQ"
 *	stat		the stat line (below)
 *	wait N MS	wait until N replies arrived in the window, or MS
 *			milliseconds passed; then the stat line
 * EOF ends the program (exit status 0). At start it prints "ready".
 *
 * Stat line:
 *	stat sent S replies R errors E since N first MS gap MS id ID ids LIST err WHY
 * S messages sent, R replies in all, E errors in all (ICMP errors seen on
 * the UDP socket, failed connects, resets), N replies since the mark,
 * first = ms from the mark to the first reply after it (-1: none yet),
 * gap = the longest time in the window without a reply (from the mark or
 * a reply to the next reply, or to now), ID the backend of the last
 * reply ("-" none), LIST the backends that replied in the window
 * (comma-separated, "-" none), WHY the last error ("-" none).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sctp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_IDS		16
#define ID_LEN		64
#define RX_MAX		4096
#define CONNECT_MS	1000

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("svcnat-flow: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

#include "netns.h"

enum conn_state { C_DOWN, C_CONNECTING, C_UP };

static struct sockaddr_storage dst;
static socklen_t dst_len;
static int sock_type = SOCK_DGRAM;
static int sock_proto = IPPROTO_UDP;
static int lport;
static int reconnect;
static int interval_ms = 20;

static int fd = -1;
static enum conn_state state = C_DOWN;
static double state_since;
static char rx[RX_MAX];
static size_t rx_len;
static int have_hdr;
static char cur_id[ID_LEN] = "-";

static unsigned long seq, sent, replies, errors;
static char last_err[64] = "-";

/* the measurement window */
static double mark_at;
static double last_reply;		/* last reply, or the mark if later */
static double first_ms = -1;
static double gap_ms;
static unsigned long since;
static char ids[MAX_IDS][ID_LEN];
static int nids;

/* a pending "wait N MS" */
static int waiting;
static unsigned long wait_n;
static double wait_until;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse_dst(const char *s)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&dst;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&dst;
	char host[128];
	const char *colon;
	size_t len;
	int port;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			die("bad address '%s'", s);
		len = end - s - 1;
		colon = end + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			die("bad address '%s'", s);
		len = colon - s;
	}
	if (len >= sizeof(host))
		die("bad address '%s'", s);
	memcpy(host, s, len);
	host[len] = '\0';
	port = atoi(colon + 1);
	if (port < 1 || port > 65535)
		die("bad port in '%s'", s);
	memset(&dst, 0, sizeof(dst));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		dst_len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		dst_len = sizeof(*s6);
	} else {
		die("bad address '%s'", host);
	}
}

static void set_error(const char *why)
{
	errors++;
	snprintf(last_err, sizeof(last_err), "%s", why);
}

static const char *errname(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused";
	case ECONNRESET:
		return "reset";
	case EPIPE:
		return "pipe";
	case ETIMEDOUT:
		return "timeout";
	case EHOSTUNREACH:
		return "hostunreach";
	case ENETUNREACH:
		return "netunreach";
	case EPERM:
		return "eperm";
	default:
		return "error";
	}
}

static void sctp_tune(int s)
{
	struct sctp_rtoinfo rto = {
		.srto_initial = 200, .srto_min = 100, .srto_max = 300,
	};
	struct sctp_initmsg init = {
		.sinit_num_ostreams = 1, .sinit_max_instreams = 1,
		.sinit_max_attempts = 3, .sinit_max_init_timeo = 300,
	};
	struct sctp_assocparams ap = { .sasoc_asocmaxrxt = 4 };

	if (setsockopt(s, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)) ||
	    setsockopt(s, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) ||
	    setsockopt(s, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, sizeof(ap)))
		die("SCTP socket options: %s", strerror(errno));
}

static void close_conn(const char *why)
{
	set_error(why);
	close(fd);
	fd = -1;
	state = C_DOWN;
	state_since = now();
}

/*
 * The source address of the route to dst: an SCTP socket bound to the
 * wildcard would offer every local address in its INIT (multi-homing,
 * which svcnat does not translate), so it is bound to this one.
 */
static void route_src(struct sockaddr_storage *src)
{
	socklen_t len = sizeof(*src);
	int s;

	s = socket(dst.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&dst, dst_len) ||
	    getsockname(s, (struct sockaddr *)src, &len))
		die("no route to the destination: %s", strerror(errno));
	close(s);
}

/* A new socket, bound to lport if given, connect started. */
static void open_conn(void)
{
	struct sockaddr_storage src = { .ss_family = dst.ss_family };
	int one = 1;

	fd = socket(dst.ss_family, sock_type | SOCK_NONBLOCK | SOCK_CLOEXEC, sock_proto);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (dst.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (sock_proto == IPPROTO_SCTP) {
		sctp_tune(fd);
		route_src(&src);
	}
	if (lport || sock_proto == IPPROTO_SCTP) {
		if (dst.ss_family == AF_INET)
			((struct sockaddr_in *)&src)->sin_port = htons(lport);
		else
			((struct sockaddr_in6 *)&src)->sin6_port = htons(lport);
		if (bind(fd, (struct sockaddr *)&src, dst_len)) {
			/* the old association may still hold the port */
			close_conn(errno == EADDRINUSE ? "addrinuse" : "bind");
			return;
		}
	}
	rx_len = 0;
	have_hdr = sock_type == SOCK_DGRAM;
	state_since = now();
	if (!connect(fd, (struct sockaddr *)&dst, dst_len)) {
		state = C_UP;
		return;
	}
	if (errno != EINPROGRESS) {
		close_conn(errname(errno));
		return;
	}
	state = C_CONNECTING;
}

static void print_stat(void)
{
	double t = now(), gap = gap_ms;
	char list[MAX_IDS * ID_LEN] = "-";
	size_t off = 0;

	if ((t - last_reply) * 1000 > gap)
		gap = (t - last_reply) * 1000;
	for (int i = 0; i < nids; i++)
		off += snprintf(list + off, sizeof(list) - off, "%s%s", i ? "," : "", ids[i]);
	printf("stat sent %lu replies %lu errors %lu since %lu ", sent, replies, errors, since);
	printf("first %.0f gap %.0f id %s ids %s err %s\n", first_ms, gap, cur_id, list, last_err);
	fflush(stdout);
}

static void got_reply(const char *id)
{
	double t = now();
	int i;

	replies++;
	since++;
	if (id != cur_id)
		snprintf(cur_id, sizeof(cur_id), "%s", id);
	if (first_ms < 0)
		first_ms = (t - mark_at) * 1000;
	if ((t - last_reply) * 1000 > gap_ms)
		gap_ms = (t - last_reply) * 1000;
	last_reply = t;
	for (i = 0; i < nids; i++)
		if (!strcmp(ids[i], id))
			break;
	if (i == nids && nids < MAX_IDS)
		snprintf(ids[nids++], ID_LEN, "%s", id);
}

/* The backend id: the first word of a header line. */
static void header_id(const char *line, size_t len, char *id)
{
	size_t n = 0;

	while (n < len && n < ID_LEN - 1 && line[n] != ' ' && line[n] != '\n') {
		id[n] = line[n];
		n++;
	}
	id[n] = '\0';
}

static void rx_dgram(void)
{
	char buf[RX_MAX], id[ID_LEN];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			set_error(errname(errno));
			continue;
		}
		header_id(buf, n, id);
		got_reply(id);
	}
}

/* Stream: the header line once, then one echoed "SEQ\n" per reply. */
static void rx_stream(void)
{
	char *nl, id[ID_LEN];
	ssize_t n;

	for (;;) {
		n = recv(fd, rx + rx_len, sizeof(rx) - rx_len, 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_conn(n ? errname(errno) : "eof");
			return;
		}
		rx_len += n;
		while ((nl = memchr(rx, '\n', rx_len))) {
			size_t len = nl - rx + 1;

			if (!have_hdr) {
				header_id(rx, len, id);
				snprintf(cur_id, sizeof(cur_id), "%s", id);
				have_hdr = 1;
			} else {
				got_reply(cur_id);
			}
			memmove(rx, rx + len, rx_len - len);
			rx_len -= len;
		}
		if (rx_len == sizeof(rx))
			die("line too long from the backend");
	}
}

static void send_one(void)
{
	char msg[32];
	int len, err;

	if (state != C_UP)
		return;
	len = snprintf(msg, sizeof(msg), "%lu\n", ++seq);
	if (send(fd, msg, len, MSG_NOSIGNAL) == len) {
		sent++;
		return;
	}
	err = errno;
	if (err == EAGAIN)
		return;
	if (sock_type == SOCK_DGRAM)
		set_error(errname(err));
	else
		close_conn(errname(err));
}

static void start_window(void)
{
	mark_at = now();
	last_reply = mark_at;
	first_ms = -1;
	gap_ms = 0;
	since = 0;
	nids = 0;
}

/* One command line from stdin; returns 0 at EOF. */
static int command(void)
{
	static char buf[256];
	static size_t len;
	char *nl;
	ssize_t n;

	n = read(0, buf + len, sizeof(buf) - 1 - len);
	if (n <= 0)
		return 0;
	len += n;
	while ((nl = memchr(buf, '\n', len))) {
		unsigned long cnt;
		int ms;

		*nl = '\0';
		if (!strcmp(buf, "mark")) {
			start_window();
			printf("mark %lu\n", seq);
			fflush(stdout);
		} else if (!strcmp(buf, "stat")) {
			print_stat();
		} else if (sscanf(buf, "wait %lu %d", &cnt, &ms) == 2) {
			waiting = 1;
			wait_n = cnt;
			wait_until = now() + ms / 1000.0;
		} else {
			printf("error: unknown '%s'\n", buf);
			fflush(stdout);
		}
		len -= nl + 1 - buf;
		memmove(buf, nl + 1, len);
	}
	if (len == sizeof(buf) - 1)
		len = 0;
	return 1;
}

static void check_connect(void)
{
	int err = 0;
	socklen_t elen = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
	if (err) {
		close_conn(errname(err));
		return;
	}
	state = C_UP;
	state_since = now();
}

static void usage(void)
{
	fprintf(stderr,
		"usage: svcnat-flow [-n NETNS] [-u|-t|-S] [-i MS] [-p LPORT] [-r] ADDR:PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *ns = NULL;
	double next_send;
	int opt, in_open = 1;

	while ((opt = getopt(argc, argv, "n:utSi:p:rh")) != -1) {
		switch (opt) {
		case 'n':
			ns = optarg;
			break;
		case 'u':
			sock_type = SOCK_DGRAM;
			sock_proto = IPPROTO_UDP;
			break;
		case 't':
			sock_type = SOCK_STREAM;
			sock_proto = IPPROTO_TCP;
			break;
		case 'S':
			sock_type = SOCK_STREAM;
			sock_proto = IPPROTO_SCTP;
			break;
		case 'i':
			interval_ms = atoi(optarg);
			break;
		case 'p':
			lport = atoi(optarg);
			break;
		case 'r':
			reconnect = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || interval_ms < 1)
		usage();
	parse_dst(argv[optind]);
	if (ns)
		enter_netns(ns);
	signal(SIGPIPE, SIG_IGN);

	open_conn();
	start_window();
	printf("ready\n");
	fflush(stdout);
	next_send = now();
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = in_open ? 0 : -1, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		double t = now();
		int timeout;

		if (state == C_CONNECTING)
			pfd[1].events = POLLOUT;
		if (state == C_CONNECTING && t - state_since > CONNECT_MS / 1000.0) {
			close_conn("connect-timeout");
			pfd[1].fd = -1;
		}
		if (state == C_DOWN && reconnect &&
		    t - state_since > interval_ms / 1000.0)
			open_conn();
		if (t >= next_send) {
			send_one();
			next_send += interval_ms / 1000.0;
			if (next_send < t)
				next_send = t + interval_ms / 1000.0;
		}
		if (waiting && (since >= wait_n || t >= wait_until)) {
			waiting = 0;
			print_stat();
		}
		if (!in_open && !waiting)
			break;
		timeout = (int)((next_send - now()) * 1000) + 1;
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (pfd[0].revents && !command())
			in_open = 0;
		if (fd < 0 || !pfd[1].revents)
			continue;
		if (state == C_CONNECTING)
			check_connect();
		else if (sock_type == SOCK_DGRAM)
			rx_dgram();
		else
			rx_stream();
	}
	print_stat();
	return 0;
}
