// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat-nlraw - send hand-crafted generic netlink requests to the svcnat
 * family and check that the kernel rejects them.
 *
 *	svcnat-nlraw [-e ERRNO] [-x] SCENARIO... | all | list
 *	svcnat-nlraw hold
 *	svcnat-nlraw txn-hold N
 *	svcnat-nlraw [-b BYTES] [-p commit|noop] dump
 *
 * Every scenario builds one bad request (wrong attribute type or length,
 * missing or unknown attribute, bad nesting, a bad op inside a
 * transaction, ...), sends it with NLM_F_ACK and extended ACKs on, and
 * prints
 *	ok NAME: errno=N (text) msg="extack message" [offs=N] [op=N] [miss-type=N]
 * or "FAIL NAME: why; ..." when the kernel accepted it, answered with
 * another errno than the scenario expects, gave no extack message, or (for
 * transactions) did not name the failing op: svcnat sends its index as the
 * extack cookie (op=N); "op N" in the message text is accepted too. After a
 * rejected transaction op the transaction must be gone: a commit of it must
 * fail.
 * Exit status: 0 every scenario ok, 1 some failed, 2 usage/setup error.
 *
 * -e ERRNO overrides the expected errno (a number or a name: EPERM, ...),
 * -x does not require an extack message (EPERM from genetlink has none).
 *
 * The scenarios expect this state in the caller's network namespace
 * (test_api.sh sets it up): service tcp 10.96.0.10:8081 exists with backend
 * 10.0.2.11:80; nothing else in 10.96.0.0/16 below 10.96.2.255 exists.
 * Scenarios that, if the kernel wrongly accepted them, would change the
 * configuration are harmless only in that they leave traces that
 * "svcadm save" shows: the caller compares the configuration before and
 * after. Scenarios on the node configuration (config-set, trace) compare
 * the config-get reply before and after themselves, and one that has to
 * change the node configuration to set up its case puts it back.
 *
 * "hold" begins a transaction, adds one op, prints "held txn ID", waits for
 * EOF on stdin and then tries to commit it (used across rmmod); it exits 0
 * if the late commit was rejected.
 *
 * "txn-hold N" begins a transaction and fills it with a flush and N
 * service-new ops of 8 backends each (see below), prints "held ...", waits
 * for EOF on stdin and exits without committing or aborting it; the test
 * kills it before that (a caller that dies mid-transaction).
 *
 * "dump" reads a service-get dump with recv() calls of BYTES (default 4096,
 * i.e. many small parts), optionally pausing after the first part while the
 * main socket commits a change (-p commit) or sends requests that change
 * nothing (-p noop); it checks and prints the merged content and reports
 * which messages carried NLM_F_DUMP_INTR (see "dumps" below).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/svcnat.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define UNKNOWN_ATTR	60	/* far above any svcnat attribute */
#define KEY_ADDR	"10.96.0.10"	/* the existing service */
#define KEY_PORT	8081
#define NEW_ADDR	"10.96.0.99"	/* a service that does not exist */
#define B1_ADDR		"10.0.2.11"	/* the existing backend */
#define V6_ADDR		"fd00:96::99"	/* an IPv6 service that does not exist */

struct reply {
	int done;
	int error;		/* 0: ACK; < 0: -errno */
	char msg[512];		/* extack message */
	int have_msg;
	long offs;		/* -1 if absent */
	long miss_type;		/* -1 if absent */
	long op;		/* failing op index (cookie), -1 if absent */
	uint32_t txn_id;	/* from a txn-begin reply */
	int nmsgs;		/* data messages received */
	unsigned char config[4096];	/* config nest of a config-get reply */
	int config_len;
	char note[512];		/* extra check that failed, if any */
};

static int family;
static struct nl_sock *main_sk;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("svcnat-nlraw: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void add_note(struct reply *r, const char *fmt, ...)
{
	size_t len = strlen(r->note);
	va_list ap;

	if (len && len < sizeof(r->note) - 2) {
		strcat(r->note, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->note + len, sizeof(r->note) - len, fmt, ap);
	va_end(ap);
}

static struct nl_sock *open_sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		die("nl_socket_alloc failed");
	if (genl_connect(sk))
		die("cannot connect to generic netlink");
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	return sk;
}

/* ----- receiving ----- */

static void parse_extack(struct nlmsgerr *e, struct reply *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	len = (int)(nlh->nlmsg_len - NLMSG_HDRLEN) - (int)off;
	if (len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		snprintf(r->msg, sizeof(r->msg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
		r->have_msg = r->msg[0] != '\0';
	}
	if (tb[NLMSGERR_ATTR_OFFS])
		r->offs = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
	if (tb[NLMSGERR_ATTR_MISS_TYPE])
		r->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	/* svcnat puts the index of a failing transaction op in the cookie */
	if (tb[NLMSGERR_ATTR_COOKIE] && nla_len(tb[NLMSGERR_ATTR_COOKIE]) == 4)
		r->op = nla_get_u32(tb[NLMSGERR_ATTR_COOKIE]);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct reply *r = arg;

	(void)nla;
	r->error = e->error;
	parse_extack(e, r);
	r->done = 1;
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	struct reply *r = arg;

	(void)m;
	r->done = 1;
	return NL_STOP;
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct nlattr *tb[SVCNAT_A_MAX + 1];
	struct reply *r = arg;

	r->nmsgs++;
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, SVCNAT_A_MAX, NULL))
		return NL_OK;
	if (tb[SVCNAT_A_TXN_ID])
		r->txn_id = nla_get_u32(tb[SVCNAT_A_TXN_ID]);
	if (tb[SVCNAT_A_CONFIG] &&
	    nla_total_size(nla_len(tb[SVCNAT_A_CONFIG])) <= (int)sizeof(r->config)) {
		r->config_len = nla_total_size(nla_len(tb[SVCNAT_A_CONFIG]));
		memcpy(r->config, tb[SVCNAT_A_CONFIG], r->config_len);
	}
	return NL_OK;
}

static void reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->offs = -1;
	r->miss_type = -1;
	r->op = -1;
}

/* Send m (consumed) on sk and wait for the ACK, error or dump end. */
static void transact(struct nl_sock *sk, struct nl_msg *m, struct reply *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	reply_init(r);
	if (!cb)
		die("nl_cb_alloc failed");
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, r);
	err = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (err < 0)
		die("send: %s", nl_geterror(err));
	while (!r->done) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !r->done) {
			r->error = -EIO;
			add_note(r, "receive failed: %s", nl_geterror(err));
			break;
		}
	}
	nl_cb_put(cb);
}

/* ----- building ----- */

static struct nl_msg *msg_new(int cmd, int flags)
{
	struct nl_msg *m = nlmsg_alloc();

	if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			       flags, cmd, SVCNAT_FAMILY_VERSION))
		die("cannot build message");
	return m;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad address %s", s);
	return a.s_addr;
}

/* addr as the v4 attribute, or as the v6 one if it has a colon */
static void put_addr(struct nl_msg *m, int v4, int v6, const char *addr)
{
	struct in6_addr a6;

	if (!strchr(addr, ':')) {
		nla_put_u32(m, v4, ip4(addr));
		return;
	}
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		die("bad address %s", addr);
	nla_put(m, v6, sizeof(a6), &a6);
}

static void put_key(struct nl_msg *m, uint8_t proto, const char *addr,
		    uint16_t port)
{
	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, proto);
	put_addr(m, SVCNAT_A_SERVICE_ADDR_IPV4, SVCNAT_A_SERVICE_ADDR_IPV6, addr);
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(port));
}

/* weight/flags < 0: attribute left out */
static void put_backend(struct nl_msg *m, const char *addr, uint16_t port,
			long weight, long flags)
{
	struct nlattr *b = nla_nest_start(m, SVCNAT_A_SERVICE_BACKEND);

	if (addr)
		put_addr(m, SVCNAT_A_BACKEND_ADDR_IPV4,
			 SVCNAT_A_BACKEND_ADDR_IPV6, addr);
	nla_put_u16(m, SVCNAT_A_BACKEND_PORT, htons(port));
	if (weight >= 0)
		nla_put_u32(m, SVCNAT_A_BACKEND_WEIGHT, weight);
	if (flags >= 0)
		nla_put_u32(m, SVCNAT_A_BACKEND_FLAGS, flags);
	nla_nest_end(m, b);
}

/* SERVICE{key} as the whole request of cmd */
static struct nl_msg *svc_msg(int cmd, const char *addr, uint16_t port)
{
	struct nl_msg *m = msg_new(cmd, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, addr, port);
	nla_nest_end(m, s);
	return m;
}

static uint32_t txn_begin(struct nl_sock *sk, struct reply *r)
{
	struct reply br;

	transact(sk, msg_new(SVCNAT_CMD_TXN_BEGIN, 0), &br);
	if (br.error || !br.txn_id) {
		add_note(r, "txn-begin failed: errno=%d %s", -br.error,
			 br.msg);
		return 0;
	}
	return br.txn_id;
}

static struct nl_msg *ops_msg(uint32_t id)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_TXN_OPS, 0);

	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	return m;
}

/* OP{CMD, SERVICE{key tcp addr:port [, backend]}} */
static void put_op(struct nl_msg *m, int cmd, const char *addr,
		   uint16_t port, const char *baddr, uint16_t bport)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, cmd);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, addr, port);
	if (baddr)
		put_backend(m, baddr, bport, -1, -1);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

/* After a failed txn, the id must be gone: a commit must fail. */
static void expect_txn_gone(struct nl_sock *sk, uint32_t id, struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	struct reply cr;

	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(sk, m, &cr);
	if (!cr.error)
		add_note(r, "transaction %u still committable after the error",
			 id);
}

/* ----- scenarios ----- */

static void sc_unknown_cmd(struct reply *r)
{
	transact(main_sk, msg_new(0x7f, 0), r);
}

static void sc_hdr_reserved(struct reply *r)
{
	struct nl_msg *m = svc_msg(SVCNAT_CMD_SERVICE_GET, KEY_ADDR, KEY_PORT);
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));

	g->reserved = 1;
	transact(main_sk, m, r);
}

static void sc_nlmsg_flags(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_GET, NLM_F_REPLACE);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_svc_new_empty(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_SERVICE_NEW, 0), r);
}

static void sc_svc_new_unknown_top(struct reply *r)
{
	struct nl_msg *m = svc_msg(SVCNAT_CMD_SERVICE_NEW, NEW_ADDR, KEY_PORT);

	nla_put_u32(m, UNKNOWN_ATTR, 1);
	transact(main_sk, m, r);
}

/* SERVICE_NEW of NEW_ADDR:KEY_PORT with fn adding to the service nest */
static void svc_new_with(struct reply *r, void (*fn)(struct nl_msg *m))
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_NEW, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	fn(m);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void f_unknown_nested(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, UNKNOWN_ATTR, 1);
}

static void f_unknown_backend_attr(struct nl_msg *m)
{
	struct nlattr *b;

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	b = nla_nest_start(m, SVCNAT_A_SERVICE_BACKEND);
	nla_put_u32(m, SVCNAT_A_BACKEND_ADDR_IPV4, ip4(B1_ADDR));
	nla_put_u16(m, SVCNAT_A_BACKEND_PORT, htons(80));
	nla_put_u32(m, UNKNOWN_ATTR, 1);
	nla_nest_end(m, b);
}

static void f_proto_u32(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(NEW_ADDR));
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(KEY_PORT));
}

static void f_port_u32(struct nl_msg *m)
{
	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(NEW_ADDR));
	nla_put_u32(m, SVCNAT_A_SERVICE_PORT, htonl(KEY_PORT));
}

static void f_addr_short(struct nl_msg *m)
{
	uint16_t half = 0x600a;

	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put(m, SVCNAT_A_SERVICE_ADDR_IPV4, sizeof(half), &half);
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(KEY_PORT));
}

static void f_port_zero(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, 0);
}

static void f_missing_proto(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(NEW_ADDR));
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(KEY_PORT));
}

static void f_missing_addr(struct nl_msg *m)
{
	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(KEY_PORT));
}

static void f_missing_port(struct nl_msg *m)
{
	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(NEW_ADDR));
}

static void f_bad_proto(struct nl_msg *m)
{
	put_key(m, IPPROTO_ICMP, NEW_ADDR, KEY_PORT);
}

static const unsigned char v6addr[16] = {
	0x20, 0x01, 0x0d, 0xb8, [15] = 1	/* 2001:db8::1 */
};

/* an IPv6 service with an IPv4 backend */
static void f_ipv6(struct nl_msg *m)
{
	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put(m, SVCNAT_A_SERVICE_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(KEY_PORT));
	put_backend(m, B1_ADDR, 80, -1, -1);
}

static void f_two_addrs(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put(m, SVCNAT_A_SERVICE_ADDR_IPV6, sizeof(v6addr), v6addr);
}

static void f_name_long(struct nl_msg *m)
{
	char name[301];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_string(m, SVCNAT_A_SERVICE_NAME, name);
}

static void f_backend_not_nested(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_BACKEND, ip4(B1_ADDR));
}

static void f_weight_big(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 80, 70000, -1);
}

static void f_backend_port_zero(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 0, -1, -1);
}

static void f_backend_missing_addr(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, NULL, 80, -1, -1);
}

static void f_flags_unknown(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 80, -1, 0x100);
}

static void f_dup_backend(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 80, -1, -1);
	put_backend(m, B1_ADDR, 80, 2, -1);
}

#define SVC_NEW_WITH(name, fn) \
	static void name(struct reply *r) { svc_new_with(r, fn); }

SVC_NEW_WITH(sc_svc_new_unknown_nested, f_unknown_nested)
SVC_NEW_WITH(sc_svc_new_unknown_backend_attr, f_unknown_backend_attr)
SVC_NEW_WITH(sc_svc_new_proto_u32, f_proto_u32)
SVC_NEW_WITH(sc_svc_new_port_u32, f_port_u32)
SVC_NEW_WITH(sc_svc_new_addr_short, f_addr_short)
SVC_NEW_WITH(sc_svc_new_port_zero, f_port_zero)
SVC_NEW_WITH(sc_svc_new_missing_proto, f_missing_proto)
SVC_NEW_WITH(sc_svc_new_missing_addr, f_missing_addr)
SVC_NEW_WITH(sc_svc_new_missing_port, f_missing_port)
SVC_NEW_WITH(sc_svc_new_bad_proto, f_bad_proto)
SVC_NEW_WITH(sc_svc_new_ipv6, f_ipv6)
SVC_NEW_WITH(sc_svc_new_two_addrs, f_two_addrs)
SVC_NEW_WITH(sc_svc_new_name_long, f_name_long)
SVC_NEW_WITH(sc_svc_new_backend_not_nested, f_backend_not_nested)
SVC_NEW_WITH(sc_svc_new_weight_big, f_weight_big)
SVC_NEW_WITH(sc_svc_new_backend_port_zero, f_backend_port_zero)
SVC_NEW_WITH(sc_svc_new_backend_missing_addr, f_backend_missing_addr)
SVC_NEW_WITH(sc_svc_new_flags_unknown, f_flags_unknown)
SVC_NEW_WITH(sc_svc_new_dup_backend, f_dup_backend)

static void sc_svc_new_not_nested(struct reply *r)
{
	struct nl_msg *m = svc_msg(SVCNAT_CMD_SERVICE_NEW, NEW_ADDR, KEY_PORT);
	struct nlattr *s = (struct nlattr *)genlmsg_data(nlmsg_data(nlmsg_hdr(m)));

	s->nla_type &= ~NLA_F_NESTED;	/* libnl sets it; clear it again */
	transact(main_sk, m, r);
}

static void sc_svc_new_bad_nest(struct reply *r)
{
	/* one attribute header claiming 16 bytes, in an 8-byte nest */
	static const unsigned char junk[8] = { 0x10, 0x00, 0x01, 0x00, 0x06 };
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_NEW, 0);

	nla_put(m, SVCNAT_A_SERVICE | NLA_F_NESTED, sizeof(junk), junk);
	transact(main_sk, m, r);
}

static void sc_svc_new_dup(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_SERVICE_NEW, KEY_ADDR, KEY_PORT), r);
}

static void sc_svc_set_missing(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_SET, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_string(m, SVCNAT_A_SERVICE_NAME, "x");
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_svc_set_no_key(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_SET, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	nla_put_string(m, SVCNAT_A_SERVICE_NAME, "x");
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_svc_del_missing(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_SERVICE_DEL, NEW_ADDR, KEY_PORT), r);
}

static void sc_svc_get_missing(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_SERVICE_GET, NEW_ADDR, KEY_PORT), r);
}

static void sc_svc_get_no_key(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_SERVICE_GET, 0), r);
}

/* cmd on the existing service with one backend nest */
static void be_msg(struct reply *r, int cmd, const char *addr, uint16_t port,
		   long weight, long flags, const char *svc_addr)
{
	struct nl_msg *m = msg_new(cmd, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, svc_addr, KEY_PORT);
	put_backend(m, addr, port, weight, flags);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_be_new_no_backend(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_BACKEND_NEW, KEY_ADDR, KEY_PORT), r);
}

static void sc_be_new_dup(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_NEW, B1_ADDR, 80, -1, -1, KEY_ADDR);
}

static void sc_be_new_no_service(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_NEW, "10.0.2.14", 80, -1, -1, NEW_ADDR);
}

static void sc_be_new_weight_big(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_NEW, "10.0.2.14", 80, 70000, -1, KEY_ADDR);
}

static void sc_be_new_flags_unknown(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_NEW, "10.0.2.14", 80, -1, 0x100, KEY_ADDR);
}

static void sc_be_new_ipv6(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_BACKEND_NEW, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);
	struct nlattr *b;

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	b = nla_nest_start(m, SVCNAT_A_SERVICE_BACKEND);
	nla_put(m, SVCNAT_A_BACKEND_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_put_u16(m, SVCNAT_A_BACKEND_PORT, htons(80));
	nla_nest_end(m, b);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_be_new_ipv4_on_ipv6(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_NEW, "10.0.2.14", 80, -1, -1, V6_ADDR);
}

static void sc_be_set_missing(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_SET, "10.0.2.99", 80, 2, -1, KEY_ADDR);
}

static void sc_be_set_weight_big(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_SET, B1_ADDR, 80, 65536, -1, KEY_ADDR);
}

static void sc_be_del_missing(struct reply *r)
{
	be_msg(r, SVCNAT_CMD_BACKEND_DEL, "10.0.2.99", 80, -1, -1, KEY_ADDR);
}

static void sc_be_replace_bad(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_BACKEND_REPLACE, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	put_backend(m, "10.0.2.12", 80, -1, -1);
	put_backend(m, "10.0.2.13", 0, -1, -1);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_be_replace_no_service(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_BACKEND_REPLACE, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_backend(m, "10.0.2.12", 80, -1, -1);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_flush_with_attr(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_FLUSH, KEY_ADDR, KEY_PORT), r);
}

static void sc_txn_begin_attr(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_TXN_BEGIN, 0);

	nla_put_u32(m, SVCNAT_A_TXN_ID, 1);
	transact(main_sk, m, r);
}

static void sc_txn_ops_no_id(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_TXN_OPS, 0);

	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.1", 80, NULL, 0);
	transact(main_sk, m, r);
}

static void sc_txn_ops_bad_id(struct reply *r)
{
	struct nl_msg *m = ops_msg(0x7ffffff0);

	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.1", 80, NULL, 0);
	transact(main_sk, m, r);
}

static void sc_txn_id_zero(struct reply *r)
{
	struct nl_msg *m = ops_msg(0);

	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.1", 80, NULL, 0);
	transact(main_sk, m, r);
}

static void sc_txn_commit_no_id(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_TXN_COMMIT, 0), r);
}

/* A txn whose single TXN_OPS message holds one op built by fn. */
static void txn_bad_op(struct reply *r, void (*fn)(struct nl_msg *m))
{
	uint32_t id = txn_begin(main_sk, r);
	struct nl_msg *m;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	fn(m);
	transact(main_sk, m, r);
	if (r->error)
		expect_txn_gone(main_sk, id, r);
}

static void f_op_cmd(struct nl_msg *m, int cmd)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, cmd);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "10.96.2.1", 80);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

static void f_op_unknown_cmd(struct nl_msg *m)
{
	f_op_cmd(m, 99);
}

static void f_op_get_cmd(struct nl_msg *m)
{
	f_op_cmd(m, SVCNAT_CMD_SERVICE_GET);
}

static void f_op_txn_cmd(struct nl_msg *m)
{
	f_op_cmd(m, SVCNAT_CMD_TXN_COMMIT);
}

static void f_op_missing_cmd(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);

	put_key(m, IPPROTO_TCP, "10.96.2.1", 80);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

static void f_op_missing_service(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	nla_nest_end(m, op);
}

static void f_op_bad_service(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	f_proto_u32(m);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

static void f_op_weight_big(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "10.96.2.1", 80);
	put_backend(m, B1_ADDR, 80, 70000, -1);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

static void f_op_not_nested(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);

	f_op_cmd(m, SVCNAT_CMD_SERVICE_NEW);	/* well-formed inner op... */
	nla_nest_end(m, op);
	op->nla_type &= ~NLA_F_NESTED;		/* ...in an unflagged nest */
}

static void f_op_unknown_attr(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "10.96.2.1", 80);
	nla_nest_end(m, s);
	nla_put_u32(m, UNKNOWN_ATTR, 1);
	nla_nest_end(m, op);
}

#define TXN_BAD_OP(name, fn) \
	static void name(struct reply *r) { txn_bad_op(r, fn); }

TXN_BAD_OP(sc_txn_op_unknown_cmd, f_op_unknown_cmd)
TXN_BAD_OP(sc_txn_op_get_cmd, f_op_get_cmd)
TXN_BAD_OP(sc_txn_op_txn_cmd, f_op_txn_cmd)
TXN_BAD_OP(sc_txn_op_missing_cmd, f_op_missing_cmd)
TXN_BAD_OP(sc_txn_op_missing_service, f_op_missing_service)
TXN_BAD_OP(sc_txn_op_bad_service, f_op_bad_service)
TXN_BAD_OP(sc_txn_op_weight_big, f_op_weight_big)
TXN_BAD_OP(sc_txn_op_unknown_attr, f_op_unknown_attr)

/*
 * An op without NLA_F_NESTED is refused by the netlink core before svcnat
 * sees the request, so the transaction stays as it was: still open, and a
 * commit applies nothing that request carried.
 */
static void sc_txn_op_not_nested(struct reply *r)
{
	uint32_t id = txn_begin(main_sk, r);
	struct nl_msg *m;
	struct reply cr;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	f_op_not_nested(m);
	transact(main_sk, m, r);

	m = msg_new(SVCNAT_CMD_TXN_ABORT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, &cr);
	if (cr.error)
		add_note(r, "transaction %u was not left open", id);
}

/* ops 0-1 in one message, 2-3 in the next; op 3 is bad */
static void sc_txn_op_index(struct reply *r)
{
	uint32_t id = txn_begin(main_sk, r);
	struct reply r1;
	struct nl_msg *m;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.1", 80, NULL, 0);
	put_op(m, SVCNAT_CMD_BACKEND_NEW, "10.96.2.1", 80, B1_ADDR, 80);
	transact(main_sk, m, &r1);
	if (r1.error) {
		add_note(r, "good ops 0-1 rejected: errno=%d %s", -r1.error,
			 r1.msg);
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.2", 80, NULL, 0);
	put_op(m, SVCNAT_CMD_BACKEND_NEW, "10.96.2.2", 80, B1_ADDR, 0);
	transact(main_sk, m, r);
	if (r->error)
		expect_txn_gone(main_sk, id, r);
}

/* Well-formed ops, but op 2 fails when applied: the commit must fail. */
static void txn_commit_fails(struct reply *r, int third_cmd,
			     const char *baddr)
{
	uint32_t id = txn_begin(main_sk, r);
	struct reply r1;
	struct nl_msg *m;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.3", 80, NULL, 0);
	put_op(m, SVCNAT_CMD_BACKEND_NEW, "10.96.2.3", 80, B1_ADDR, 80);
	if (baddr)
		put_op(m, third_cmd, "10.96.2.3", 80, baddr, 80);
	else
		put_op(m, third_cmd, KEY_ADDR, KEY_PORT, NULL, 0);
	transact(main_sk, m, &r1);
	if (r1.error) {
		add_note(r, "ops rejected before commit: errno=%d %s",
			 -r1.error, r1.msg);
		r->error = -EIO;
		return;
	}
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, r);
	if (r->error)
		expect_txn_gone(main_sk, id, r);
}

static void sc_txn_commit_exists(struct reply *r)
{
	txn_commit_fails(r, SVCNAT_CMD_SERVICE_NEW, NULL);
}

static void sc_txn_commit_missing(struct reply *r)
{
	txn_commit_fails(r, SVCNAT_CMD_BACKEND_DEL, "10.0.2.99");
}

/* Another socket must not be able to use or commit our transaction. */
static void sc_txn_foreign(struct reply *r)
{
	struct nl_sock *other = open_sock();
	uint32_t id = txn_begin(main_sk, r);
	struct reply r1;
	struct nl_msg *m;

	if (!id) {
		r->error = -EIO;
		goto out;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.5", 80, NULL, 0);
	transact(main_sk, m, &r1);
	if (r1.error) {
		add_note(r, "owner's good op rejected: errno=%d %s",
			 -r1.error, r1.msg);
		r->error = -EIO;
		goto out;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.6", 80, NULL, 0);
	transact(other, m, &r1);
	if (!r1.error)
		add_note(r, "another socket could add ops to the transaction");
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(other, m, r);
out:
	nl_socket_free(other);
}

static void sc_txn_abort_then_commit(struct reply *r)
{
	uint32_t id = txn_begin(main_sk, r);
	struct reply r1;
	struct nl_msg *m;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.7", 80, NULL, 0);
	transact(main_sk, m, &r1);
	m = msg_new(SVCNAT_CMD_TXN_ABORT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, &r1);
	if (r1.error)
		add_note(r, "txn-abort failed: errno=%d %s", -r1.error,
			 r1.msg);
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, r);
}

static void sc_perm_svc_new(struct reply *r)
{
	transact(main_sk, svc_msg(SVCNAT_CMD_SERVICE_NEW, "10.96.2.8", 80), r);
}

static void sc_perm_dump(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_SERVICE_GET, NLM_F_DUMP), r);
}

static void sc_perm_txn_begin(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_TXN_BEGIN, 0), r);
}

/* ----- frontends, policies, node configuration, trace ----- */

/* A prefix nest; len < 0: no length attribute. */
static void put_prefix(struct nl_msg *m, int type, const char *addr, int len)
{
	struct nlattr *p = nla_nest_start(m, type);

	put_addr(m, SVCNAT_A_PREFIX_ADDR_IPV4, SVCNAT_A_PREFIX_ADDR_IPV6, addr);
	if (len >= 0)
		nla_put_u8(m, SVCNAT_A_PREFIX_LEN, len);
	nla_nest_end(m, p);
}

static void f_ext_len24(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "198.51.100.0", 24);
}

static void f_range_len33(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.2", -1);
	put_prefix(m, SVCNAT_A_SERVICE_SOURCE_RANGE, "10.0.0.0", 33);
}

static void f_range_host_bits(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.2", -1);
	put_prefix(m, SVCNAT_A_SERVICE_SOURCE_RANGE, "10.0.0.1", 8);
}

static void f_ext_ipv6(struct nl_msg *m)
{
	struct nlattr *p;

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	p = nla_nest_start(m, SVCNAT_A_SERVICE_EXTERNAL_IP);
	nla_put(m, SVCNAT_A_PREFIX_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_nest_end(m, p);
}

/* IPv6 services: frontends and ranges of the other family, bad addresses */
static void f6_ext_ipv4(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "198.51.100.1", -1);
}

static void f6_lb_ipv4(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.2", -1);
}

static void f6_range_ipv4(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "2001:db8:100::2", -1);
	put_prefix(m, SVCNAT_A_SERVICE_SOURCE_RANGE, "10.0.0.0", 8);
}

static void f6_range_host_bits(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "2001:db8:100::2", -1);
	put_prefix(m, SVCNAT_A_SERVICE_SOURCE_RANGE, "2001:db8::1", 64);
}

static void f6_ext_len64(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "2001:db8:100::", 64);
}

static void f6_ext_len32(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "2001:db8:100::1", 32);
}

static void f6_ext_dup(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "2001:db8:100::1", -1);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "2001:db8:100::1", 128);
}

static void f6_ext_cluster_ip(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, V6_ADDR, -1);
}

static void f6_ext_lb_same(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "2001:db8:100::4", -1);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "2001:db8:100::4", -1);
}

static void f6_ext_multicast(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "ff02::1", -1);
}

static void f6_lb_loopback(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "::1", -1);
}

static void f6_lb_any(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "::", -1);
}

static void f6_cluster_ip_multicast(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, "ff05::10", KEY_PORT);
}

static void f6_cluster_ip_any(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, "::", KEY_PORT);
}

static void f6_prefix_two_addrs(struct nl_msg *m)
{
	struct nlattr *p;

	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	p = nla_nest_start(m, SVCNAT_A_SERVICE_EXTERNAL_IP);
	nla_put_u32(m, SVCNAT_A_PREFIX_ADDR_IPV4, ip4("198.51.100.1"));
	nla_put(m, SVCNAT_A_PREFIX_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_nest_end(m, p);
}

static void f6_backend_two_addrs(struct nl_msg *m)
{
	struct nlattr *b;

	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	b = nla_nest_start(m, SVCNAT_A_SERVICE_BACKEND);
	nla_put_u32(m, SVCNAT_A_BACKEND_ADDR_IPV4, ip4(B1_ADDR));
	nla_put(m, SVCNAT_A_BACKEND_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_put_u16(m, SVCNAT_A_BACKEND_PORT, htons(80));
	nla_nest_end(m, b);
}

static void f6_dup_backend(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, V6_ADDR, KEY_PORT);
	put_backend(m, "fd00:244:1::11", 80, -1, -1);
	put_backend(m, "fd00:244:1:0::11", 80, 2, -1);
}

static void f_ext_too_many(struct nl_msg *m)
{
	char addr[32];

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	for (int i = 1; i <= SVCNAT_MAX_ADDRS + 1; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%d", i);
		put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, addr, -1);
	}
}

static void f_ext_dup(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "198.51.100.1", -1);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "198.51.100.1", 32);
}

static void f_lb_dup(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.3", -1);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.3", -1);
}

static void f_ext_lb_same(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "198.51.100.4", -1);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.4", -1);
}

static void f_ext_cluster_ip(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, NEW_ADDR, -1);
}

static void f_ext_multicast(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_EXTERNAL_IP, "224.0.0.5", -1);
}

static void f_lb_loopback(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "127.0.0.1", -1);
}

static void f_cluster_ip_bcast(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, "255.255.255.255", KEY_PORT);
}

static void f_node_port_zero(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u16(m, SVCNAT_A_SERVICE_NODE_PORT, 0);
}

static void f_ext_policy_bad(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_EXT_POLICY, 2);
}

static void f_svc_stats(struct nl_msg *m)
{
	struct nlattr *st;

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	st = nla_nest_start(m, SVCNAT_A_SERVICE_STATS);
	nla_put_u64(m, SVCNAT_A_STATS_CONNS, 1);
	nla_nest_end(m, st);
}

SVC_NEW_WITH(sc_svc_new_ext_len24, f_ext_len24)
SVC_NEW_WITH(sc_svc_new_range_len33, f_range_len33)
SVC_NEW_WITH(sc_svc_new_range_host_bits, f_range_host_bits)
SVC_NEW_WITH(sc_svc_new_ext_ipv6, f_ext_ipv6)
SVC_NEW_WITH(sc_svc_new_ext_too_many, f_ext_too_many)
SVC_NEW_WITH(sc_svc_new_ext_dup, f_ext_dup)
SVC_NEW_WITH(sc_svc_new_lb_dup, f_lb_dup)
SVC_NEW_WITH(sc_svc_new_ext_lb_same, f_ext_lb_same)
SVC_NEW_WITH(sc_svc_new_ext_cluster_ip, f_ext_cluster_ip)
SVC_NEW_WITH(sc_svc_new_ext_multicast, f_ext_multicast)
SVC_NEW_WITH(sc_svc_new_lb_loopback, f_lb_loopback)
SVC_NEW_WITH(sc_svc_new_cluster_ip_bcast, f_cluster_ip_bcast)
SVC_NEW_WITH(sc_svc_new_node_port_zero, f_node_port_zero)
SVC_NEW_WITH(sc_svc_new_ext_policy_bad, f_ext_policy_bad)
SVC_NEW_WITH(sc_svc_new_stats, f_svc_stats)
SVC_NEW_WITH(sc_svc6_ext_ipv4, f6_ext_ipv4)
SVC_NEW_WITH(sc_svc6_lb_ipv4, f6_lb_ipv4)
SVC_NEW_WITH(sc_svc6_range_ipv4, f6_range_ipv4)
SVC_NEW_WITH(sc_svc6_range_host_bits, f6_range_host_bits)
SVC_NEW_WITH(sc_svc6_ext_len64, f6_ext_len64)
SVC_NEW_WITH(sc_svc6_ext_len32, f6_ext_len32)
SVC_NEW_WITH(sc_svc6_ext_dup, f6_ext_dup)
SVC_NEW_WITH(sc_svc6_ext_cluster_ip, f6_ext_cluster_ip)
SVC_NEW_WITH(sc_svc6_ext_lb_same, f6_ext_lb_same)
SVC_NEW_WITH(sc_svc6_ext_multicast, f6_ext_multicast)
SVC_NEW_WITH(sc_svc6_lb_loopback, f6_lb_loopback)
SVC_NEW_WITH(sc_svc6_lb_any, f6_lb_any)
SVC_NEW_WITH(sc_svc6_cluster_ip_multicast, f6_cluster_ip_multicast)
SVC_NEW_WITH(sc_svc6_cluster_ip_any, f6_cluster_ip_any)
SVC_NEW_WITH(sc_svc6_prefix_two_addrs, f6_prefix_two_addrs)
SVC_NEW_WITH(sc_svc6_backend_two_addrs, f6_backend_two_addrs)
SVC_NEW_WITH(sc_svc6_dup_backend, f6_dup_backend)

/*
 * service-set of the existing service with fn adding to the nest. No name:
 * were it accepted, the service would lose its name ("svcadm save" shows).
 */
static void svc_set_with(struct reply *r, void (*fn)(struct nl_msg *m))
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_SERVICE_SET, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	fn(m);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void g_backend(struct nl_msg *m)
{
	put_backend(m, "10.0.2.14", 80, -1, -1);
}

static void g_lb_dup(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.3", -1);
	put_prefix(m, SVCNAT_A_SERVICE_LB_IP, "198.51.100.3", -1);
}

static void g_backend_count(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_BACKEND_COUNT, 1);
}

static void sc_svc_set_backend(struct reply *r)
{
	svc_set_with(r, g_backend);
}

static void sc_svc_set_lb_dup(struct reply *r)
{
	svc_set_with(r, g_lb_dup);
}

static void sc_svc_set_backend_count(struct reply *r)
{
	svc_set_with(r, g_backend_count);
}

/* OP{cmd, SERVICE{key tcp 10.96.2.1:80, fn}} */
static void put_op_with(struct nl_msg *m, int cmd, void (*fn)(struct nl_msg *m))
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, cmd);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "10.96.2.1", 80);
	fn(m);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

static void f_op_new_lb_dup(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_NEW, g_lb_dup);
}

static void f_op_set_backend(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_SET, g_backend);
}

static void f_op_v6_be_v4(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "fd00:96::2:1", 80);
	put_backend(m, B1_ADDR, 80, -1, -1);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

TXN_BAD_OP(sc_txn_op_lb_dup, f_op_new_lb_dup)
TXN_BAD_OP(sc_txn_op_set_backend, f_op_set_backend)
TXN_BAD_OP(sc_txn_op_v6_be_v4, f_op_v6_be_v4)

/* ----- session affinity ----- */

static void g_aff_timeout(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, 60);
}

static void g_aff_none_timeout(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_NONE);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, 60);
}

static void f_aff_timeout_alone(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_aff_timeout(m);
}

static void f_aff_timeout_zero(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_CLIENT_IP);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT, 0);
}

static void f_aff_timeout_big(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_CLIENT_IP);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT,
		    SVCNAT_AFFINITY_TIMEOUT_MAX + 1);
}

static void f_aff_bad(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY, 2);
}

static void f_aff_entry(struct nl_msg *m)
{
	struct nlattr *e;

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_AFFINITY, SVCNAT_AFFINITY_CLIENT_IP);
	e = nla_nest_start(m, SVCNAT_A_SERVICE_AFFINITY_ENTRY);
	nla_put_u32(m, SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4, ip4("10.0.1.2"));
	nla_nest_end(m, e);
}

SVC_NEW_WITH(sc_svc_new_aff_timeout_alone, f_aff_timeout_alone)
SVC_NEW_WITH(sc_svc_new_aff_timeout_zero, f_aff_timeout_zero)
SVC_NEW_WITH(sc_svc_new_aff_timeout_big, f_aff_timeout_big)
SVC_NEW_WITH(sc_svc_new_aff_bad, f_aff_bad)
SVC_NEW_WITH(sc_svc_new_aff_entry, f_aff_entry)

static void sc_svc_set_aff_timeout_alone(struct reply *r)
{
	svc_set_with(r, g_aff_timeout);
}

static void sc_svc_set_aff_none_timeout(struct reply *r)
{
	svc_set_with(r, g_aff_none_timeout);
}

static void f_op_new_aff_timeout(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_NEW, g_aff_timeout);
}

static void f_op_set_aff_timeout(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_SET, g_aff_none_timeout);
}

TXN_BAD_OP(sc_txn_op_new_aff_timeout, f_op_new_aff_timeout)
TXN_BAD_OP(sc_txn_op_set_aff_timeout, f_op_set_aff_timeout)

static void sc_aff_get_missing(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_aff_get_no_service(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP), r);
}

static void sc_aff_get_no_port(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP);
	nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(KEY_ADDR));
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

/* the strict dump policy: the key only */
static void sc_aff_get_backend(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 80, -1, -1);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_aff_get_unknown_top(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_AFFINITY_GET, NLM_F_DUMP);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);

	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	nla_nest_end(m, s);
	nla_put_u32(m, UNKNOWN_ATTR, 1);
	transact(main_sk, m, r);
}

/*
 * flush-conns: only backend-del, backend-set and backend-replace take it.
 * Elsewhere it is refused by name; where it is taken, the op fails for
 * its own reason (ENOENT), which shows that the flag itself parsed.
 */
static void g_flush(struct nl_msg *m)
{
	nla_put_flag(m, SVCNAT_A_SERVICE_FLUSH_CONNS);
}

static void f_svc_new_flush(struct nl_msg *m)
{
	put_key(m, IPPROTO_UDP, NEW_ADDR, KEY_PORT);
	put_backend(m, B1_ADDR, 80, -1, -1);
	g_flush(m);
}

SVC_NEW_WITH(sc_svc_new_flush, f_svc_new_flush)

static void sc_svc_set_flush(struct reply *r)
{
	svc_set_with(r, g_flush);
}

/* svc_msg() with flush-conns added to the service nest */
static void flush_msg(struct reply *r, int cmd, const char *addr,
		      const char *baddr, int nr_be)
{
	struct nl_msg *m = msg_new(cmd, 0);
	struct nlattr *s = nla_nest_start(m, SVCNAT_A_SERVICE);
	int i;

	put_key(m, IPPROTO_TCP, addr, KEY_PORT);
	for (i = 0; i < nr_be; i++)
		put_backend(m, baddr, 80 + i, -1, -1);
	g_flush(m);
	nla_nest_end(m, s);
	transact(main_sk, m, r);
}

static void sc_svc_del_flush(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_SERVICE_DEL, NEW_ADDR, NULL, 0);
}

static void sc_be_new_flush(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_BACKEND_NEW, KEY_ADDR, "10.0.2.14", 1);
}

static void sc_be_del_flush_missing(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_BACKEND_DEL, KEY_ADDR, "10.0.2.99", 1);
}

static void sc_be_set_flush_missing(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_BACKEND_SET, KEY_ADDR, "10.0.2.99", 1);
}

static void sc_be_replace_flush_no_service(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_BACKEND_REPLACE, NEW_ADDR, "10.0.2.12", 2);
}

static void sc_svc_get_flush(struct reply *r)
{
	flush_msg(r, SVCNAT_CMD_SERVICE_GET, KEY_ADDR, NULL, 0);
}

static void f_op_new_flush(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_NEW, g_flush);
}

static void f_op_be_new_flush(struct nl_msg *m)
{
	struct nlattr *op = nla_nest_start(m, SVCNAT_A_OP);
	struct nlattr *s;

	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_BACKEND_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	put_backend(m, "10.0.2.14", 80, -1, -1);
	g_flush(m);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
}

TXN_BAD_OP(sc_txn_op_new_flush, f_op_new_flush)
TXN_BAD_OP(sc_txn_op_be_new_flush, f_op_be_new_flush)

/*
 * A transaction whose backend-del with flush-conns is accepted, then fails
 * at commit: the backend does not exist (op 1 of 2).
 */
static void sc_txn_flush_commit_missing(struct reply *r)
{
	uint32_t id = txn_begin(main_sk, r);
	struct nlattr *op, *s;
	struct nl_msg *m;
	struct reply or;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_BACKEND_SET, KEY_ADDR, KEY_PORT, B1_ADDR, 80);
	op = nla_nest_start(m, SVCNAT_A_OP);
	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_BACKEND_DEL);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, KEY_ADDR, KEY_PORT);
	put_backend(m, "10.0.2.99", 80, -1, -1);
	g_flush(m);
	nla_nest_end(m, s);
	nla_nest_end(m, op);
	transact(main_sk, m, &or);
	if (or.error) {
		add_note(r, "txn-ops with flush-conns refused: errno=%d %s",
			 -or.error, or.msg);
		*r = or;
		return;
	}
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, r);
}

/* ----- schedulers ----- */

static void g_maglev_size_only(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_MAGLEV_SIZE, 1021);
}

static void g_rr_hash(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_SCHEDULER, SVCNAT_SCHEDULER_RR);
	nla_put_u32(m, SVCNAT_A_SERVICE_HASH, SVCNAT_HASH_SRC);
}

static void g_hash_flow(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_HASH, SVCNAT_HASH_FLOW);
}

static void g_maglev_size(struct nl_msg *m, uint32_t size)
{
	nla_put_u32(m, SVCNAT_A_SERVICE_SCHEDULER, SVCNAT_SCHEDULER_MAGLEV);
	nla_put_u32(m, SVCNAT_A_SERVICE_MAGLEV_SIZE, size);
}

static void f_maglev_size_only(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_maglev_size_only(m);
}

static void f_rr_hash(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_rr_hash(m);
}

static void f_maglev_size_not_prime(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_maglev_size(m, 1001);
}

static void f_maglev_size_5(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_maglev_size(m, 5);
}

static void f_scheduler_bad(struct nl_msg *m)
{
	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	nla_put_u32(m, SVCNAT_A_SERVICE_SCHEDULER, 3);
}

/* maglev-size 7 (a prime) for 8 backends */
static void f_maglev_size_small(struct nl_msg *m)
{
	char addr[32];
	int i;

	put_key(m, IPPROTO_TCP, NEW_ADDR, KEY_PORT);
	g_maglev_size(m, 7);
	for (i = 1; i <= 8; i++) {
		snprintf(addr, sizeof(addr), "10.0.3.%d", i);
		put_backend(m, addr, 80, -1, -1);
	}
}

SVC_NEW_WITH(sc_svc_new_maglev_size_only, f_maglev_size_only)
SVC_NEW_WITH(sc_svc_new_rr_hash, f_rr_hash)
SVC_NEW_WITH(sc_svc_new_maglev_size_not_prime, f_maglev_size_not_prime)
SVC_NEW_WITH(sc_svc_new_maglev_size_5, f_maglev_size_5)
SVC_NEW_WITH(sc_svc_new_scheduler_bad, f_scheduler_bad)
SVC_NEW_WITH(sc_svc_new_maglev_size_small, f_maglev_size_small)

static void sc_svc_set_hash(struct reply *r)
{
	svc_set_with(r, g_hash_flow);
}

static void f_op_new_maglev_size_only(struct nl_msg *m)
{
	put_op_with(m, SVCNAT_CMD_SERVICE_NEW, g_maglev_size_only);
}

TXN_BAD_OP(sc_txn_op_maglev_size_only, f_op_new_maglev_size_only)

/*
 * A maglev service of size 7 with 7 backends (op 0), then an eighth
 * (op 1): the commit fails as a whole, naming op 1.
 */
static void sc_txn_commit_maglev_small(struct reply *r)
{
	uint32_t id = txn_begin(main_sk, r);
	struct nlattr *op, *s;
	struct reply r1;
	struct nl_msg *m;
	char addr[32];
	int i;

	if (!id) {
		r->error = -EIO;
		return;
	}
	m = ops_msg(id);
	op = nla_nest_start(m, SVCNAT_A_OP);
	nla_put_u32(m, SVCNAT_A_OP_CMD, SVCNAT_CMD_SERVICE_NEW);
	s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
	put_key(m, IPPROTO_TCP, "10.96.2.7", 80);
	g_maglev_size(m, 7);
	for (i = 1; i <= 7; i++) {
		snprintf(addr, sizeof(addr), "10.0.3.%d", i);
		put_backend(m, addr, 80, -1, -1);
	}
	nla_nest_end(m, s);
	nla_nest_end(m, op);
	put_op(m, SVCNAT_CMD_BACKEND_NEW, "10.96.2.7", 80, "10.0.3.8", 80);
	transact(main_sk, m, &r1);
	if (r1.error) {
		add_note(r, "ops rejected before commit: errno=%d %s",
			 -r1.error, r1.msg);
		r->error = -EIO;
		return;
	}
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, r);
	if (r->error)
		expect_txn_gone(main_sk, id, r);
}

/* config-get into r->config; 0 on success */
static int config_get(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_CONFIG_GET, 0), r);
	return r->error || !r->config_len ? -1 : 0;
}

/* config-set of what config-get returned (less the counters) */
static void config_restore(const struct reply *saved, struct reply *r)
{
	const struct nlattr *nest = (const struct nlattr *)saved->config;
	struct nl_msg *m = msg_new(SVCNAT_CMD_CONFIG_SET, 0);
	struct nlattr *c = nla_nest_start(m, SVCNAT_A_CONFIG);
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) != SVCNAT_A_CONFIG_STATS)
			nla_put(m, a->nla_type, nla_len(a), nla_data(a));
	nla_nest_end(m, c);
	transact(main_sk, m, r);
}

/* r is the scenario's reply: note when the node configuration changed */
static void config_expect(const struct reply *before, struct reply *r)
{
	struct reply after;

	if (config_get(&after)) {
		add_note(r, "config-get failed: errno=%d %s", -after.error,
			 after.msg);
		return;
	}
	if (after.config_len != before->config_len ||
	    memcmp(after.config, before->config, after.config_len))
		add_note(r, "the node configuration changed");
}

/* config-set with fn filling the config nest; config unchanged after */
static void config_set_with(struct reply *r, void (*fn)(struct nl_msg *m))
{
	struct nl_msg *m;
	struct nlattr *c;
	struct reply before;

	if (config_get(&before)) {
		reply_init(r);
		r->error = -EIO;
		add_note(r, "config-get failed: errno=%d %s", -before.error,
			 before.msg);
		return;
	}
	m = msg_new(SVCNAT_CMD_CONFIG_SET, 0);
	c = nla_nest_start(m, SVCNAT_A_CONFIG);
	fn(m);
	nla_nest_end(m, c);
	transact(main_sk, m, r);
	config_expect(&before, r);
}

static void c_cidr_len33(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_CONFIG_CLUSTER_CIDR, "10.244.0.0", 33);
}

static void c_host_bits(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_CONFIG_CLUSTER_CIDR, "10.244.1.0", 16);
}

/* 2001:db8::1/64: host bits set */
static void c_ipv6(struct nl_msg *m)
{
	struct nlattr *p = nla_nest_start(m, SVCNAT_A_CONFIG_CLUSTER_CIDR);

	nla_put(m, SVCNAT_A_PREFIX_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_put_u8(m, SVCNAT_A_PREFIX_LEN, 64);
	nla_nest_end(m, p);
}

static void c_ipv6_len129(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_CONFIG_SERVICE_CIDR, "fd00:96::", 129);
}

/* fd00:96::/112 and 10.0.0.0/8 are fine together; the repeat is not */
static void c_ipv6_dup(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_CONFIG_SERVICE_CIDR, "fd00:96::", 112);
	put_prefix(m, SVCNAT_A_CONFIG_SERVICE_CIDR, "10.0.0.0", 8);
	put_prefix(m, SVCNAT_A_CONFIG_SERVICE_CIDR, "fd00:96::", 112);
}

static void c_ipv6_two_addrs(struct nl_msg *m)
{
	struct nlattr *p = nla_nest_start(m, SVCNAT_A_CONFIG_NODEPORT_CIDR);

	nla_put_u32(m, SVCNAT_A_PREFIX_ADDR_IPV4, ip4("10.0.0.0"));
	nla_put(m, SVCNAT_A_PREFIX_ADDR_IPV6, sizeof(v6addr), v6addr);
	nla_put_u8(m, SVCNAT_A_PREFIX_LEN, 8);
	nla_nest_end(m, p);
}

static void c_too_many(struct nl_msg *m)
{
	char addr[32];

	for (int i = 0; i <= SVCNAT_MAX_ADDRS; i++) {
		snprintf(addr, sizeof(addr), "10.%d.0.0", 100 + i);
		put_prefix(m, SVCNAT_A_CONFIG_SERVICE_CIDR, addr, 16);
	}
}

static void c_dup(struct nl_msg *m)
{
	put_prefix(m, SVCNAT_A_CONFIG_NODEPORT_CIDR, "10.0.1.0", 24);
	put_prefix(m, SVCNAT_A_CONFIG_NODEPORT_CIDR, "10.0.1.0", 24);
}

static void c_mark_zero(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_CONFIG_MASQ_MARK, 0);
}

static void c_mark_two_bits(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_CONFIG_MASQ_MARK, 0x6000);
}

static void c_bad_mode(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_CONFIG_MASQ_MODE, SVCNAT_MASQ_MODE_MARK + 1);
}

static void c_bad_unknown_port(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_CONFIG_UNKNOWN_PORT, 7);
}

static void c_masq_all_2(struct nl_msg *m)
{
	nla_put_u8(m, SVCNAT_A_CONFIG_MASQUERADE_ALL, 2);
}

static void c_stats(struct nl_msg *m)
{
	struct nlattr *st = nla_nest_start(m, SVCNAT_A_CONFIG_STATS);

	nla_put_u64(m, SVCNAT_A_STATS_DROPPED_UNALLOCATED, 1);
	nla_nest_end(m, st);
}

#define CONFIG_SET_WITH(name, fn) \
	static void name(struct reply *r) { config_set_with(r, fn); }

CONFIG_SET_WITH(sc_config_cidr_len33, c_cidr_len33)
CONFIG_SET_WITH(sc_config_host_bits, c_host_bits)
CONFIG_SET_WITH(sc_config_ipv6, c_ipv6)
CONFIG_SET_WITH(sc_config_ipv6_len129, c_ipv6_len129)
CONFIG_SET_WITH(sc_config_ipv6_dup, c_ipv6_dup)
CONFIG_SET_WITH(sc_config_ipv6_two_addrs, c_ipv6_two_addrs)
CONFIG_SET_WITH(sc_config_too_many, c_too_many)
CONFIG_SET_WITH(sc_config_dup, c_dup)
CONFIG_SET_WITH(sc_config_mark_zero, c_mark_zero)
CONFIG_SET_WITH(sc_config_mark_two_bits, c_mark_two_bits)
CONFIG_SET_WITH(sc_config_bad_mode, c_bad_mode)
CONFIG_SET_WITH(sc_config_bad_unknown_port, c_bad_unknown_port)
CONFIG_SET_WITH(sc_config_masq_all_2, c_masq_all_2)
CONFIG_SET_WITH(sc_config_stats, c_stats)

static void sc_config_get_attr(struct reply *r)
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_CONFIG_GET, 0);
	struct nlattr *c = nla_nest_start(m, SVCNAT_A_CONFIG);

	/* not empty: libnl drops an empty nest */
	nla_put_u8(m, SVCNAT_A_CONFIG_MASQUERADE_ALL, 1);
	nla_nest_end(m, c);
	transact(main_sk, m, r);
}

/* flags of a trace request */
#define T_NO_SRC	0x1
#define T_NO_DST	0x2
#define T_NO_DPORT	0x4
#define T_V6_SRC	0x8

/* trace of proto src -> dst:dport; origin < 0: absent; extra: more attrs */
static void trace_req(struct reply *r, int flags, uint8_t proto,
		      const char *src, const char *dst, uint16_t dport,
		      long origin, void (*extra)(struct nl_msg *m))
{
	struct nl_msg *m = msg_new(SVCNAT_CMD_TRACE, 0);
	struct nlattr *t = nla_nest_start(m, SVCNAT_A_TRACE);

	nla_put_u8(m, SVCNAT_A_TRACE_PROTO, proto);
	if (flags & T_V6_SRC)
		nla_put(m, SVCNAT_A_TRACE_SRC_IPV6, sizeof(v6addr), v6addr);
	if (!(flags & T_NO_SRC) && src)
		put_addr(m, SVCNAT_A_TRACE_SRC_IPV4, SVCNAT_A_TRACE_SRC_IPV6,
			 src);
	if (!(flags & T_NO_DST))
		put_addr(m, SVCNAT_A_TRACE_DST_IPV4, SVCNAT_A_TRACE_DST_IPV6,
			 dst);
	if (!(flags & T_NO_DPORT))
		nla_put_u16(m, SVCNAT_A_TRACE_DST_PORT, htons(dport));
	if (origin >= 0)
		nla_put_u32(m, SVCNAT_A_TRACE_ORIGIN, origin);
	if (extra)
		extra(m);
	nla_nest_end(m, t);
	transact(main_sk, m, r);
}

static void sc_trace_no_nest(struct reply *r)
{
	transact(main_sk, msg_new(SVCNAT_CMD_TRACE, 0), r);
}

static void sc_trace_missing_dst(struct reply *r)
{
	trace_req(r, T_NO_DST, IPPROTO_TCP, "10.0.1.2", NULL, KEY_PORT, -1,
		  NULL);
}

static void sc_trace_missing_dport(struct reply *r)
{
	trace_req(r, T_NO_DPORT, IPPROTO_TCP, "10.0.1.2", KEY_ADDR, 0, -1,
		  NULL);
}

static void sc_trace_missing_src(struct reply *r)
{
	trace_req(r, T_NO_SRC, IPPROTO_TCP, NULL, KEY_ADDR, KEY_PORT, -1,
		  NULL);
}

static void sc_trace_dport_zero(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "10.0.1.2", KEY_ADDR, 0, -1, NULL);
}

static void sc_trace_bad_proto(struct reply *r)
{
	trace_req(r, 0, IPPROTO_ICMP, "10.0.1.2", KEY_ADDR, KEY_PORT, -1,
		  NULL);
}

static void sc_trace_ipv6(struct reply *r)
{
	trace_req(r, T_V6_SRC, IPPROTO_TCP, NULL, KEY_ADDR, KEY_PORT, -1,
		  NULL);
}

/* IPv6 source, IPv4 destination and the reverse */
static void sc_trace_ipv6_dst4(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "fd00:244:1::11", KEY_ADDR, KEY_PORT, -1,
		  NULL);
}

static void sc_trace_ipv4_dst6(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "10.0.1.2", V6_ADDR, KEY_PORT, -1, NULL);
}

/* both an IPv6 (2001:db8::1) and an IPv4 source */
static void sc_trace_two_src(struct reply *r)
{
	trace_req(r, T_V6_SRC, IPPROTO_TCP, "10.0.1.2", KEY_ADDR, KEY_PORT, -1,
		  NULL);
}

static void sc_trace_bad_origin(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "10.0.1.2", KEY_ADDR, KEY_PORT,
		  SVCNAT_ORIGIN_OTHER + 1, NULL);
}

static void t_verdict(struct nl_msg *m)
{
	nla_put_u32(m, SVCNAT_A_TRACE_VERDICT, SVCNAT_VERDICT_ACCEPT);
}

static void sc_trace_reply_attr(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "10.0.1.2", KEY_ADDR, KEY_PORT, -1,
		  t_verdict);
}

/* TEST-NET-1 is in no cluster CIDR: it cannot be a pod */
static void sc_trace_origin_pod(struct reply *r)
{
	trace_req(r, 0, IPPROTO_TCP, "192.0.2.1", KEY_ADDR, KEY_PORT,
		  SVCNAT_ORIGIN_POD, NULL);
}

/*
 * A source in the cluster CIDRs traced as "other": the cluster CIDR is
 * set for the case and the configuration put back after.
 */
static void sc_trace_origin_other(struct reply *r)
{
	struct reply before, cr;
	struct nl_msg *m;
	struct nlattr *c;

	if (config_get(&before)) {
		reply_init(r);
		r->error = -EIO;
		add_note(r, "config-get failed: errno=%d %s", -before.error,
			 before.msg);
		return;
	}
	m = msg_new(SVCNAT_CMD_CONFIG_SET, 0);
	c = nla_nest_start(m, SVCNAT_A_CONFIG);
	put_prefix(m, SVCNAT_A_CONFIG_CLUSTER_CIDR, "10.244.0.0", 16);
	nla_nest_end(m, c);
	transact(main_sk, m, &cr);
	if (cr.error) {
		reply_init(r);
		r->error = -EIO;
		add_note(r, "config-set of a cluster CIDR failed: errno=%d %s",
			 -cr.error, cr.msg);
		return;
	}
	trace_req(r, 0, IPPROTO_TCP, "10.244.1.11", KEY_ADDR, KEY_PORT,
		  SVCNAT_ORIGIN_OTHER, NULL);
	config_restore(&before, &cr);
	if (cr.error)
		add_note(r, "restoring the node configuration failed: errno=%d %s",
			 -cr.error, cr.msg);
	config_expect(&before, r);
}

struct scenario {
	const char *name;
	void (*fn)(struct reply *r);
	int want_errno;		/* 0: any error */
	int need_msg;		/* an extack message is required; 2: only
				 * where a dump's ->start() can set one */
	int want_op;		/* index of the failing op, -1: none */
	const char *substr;	/* the message must contain this */
	int in_all;
	const char *doc;
};

static const struct scenario scenarios[] = {
	{ "unknown-cmd", sc_unknown_cmd, EOPNOTSUPP, 0, -1, NULL, 1,
	  "command number the family does not have" },
	{ "hdr-reserved", sc_hdr_reserved, EINVAL, 1, -1, NULL, 1,
	  "genlmsghdr.reserved not 0 (strict family)" },
	{ "nlmsg-flags", sc_nlmsg_flags, EINVAL, 1, -1, NULL, 1,
	  "NLM_F_REPLACE on a request (strict family)" },
	{ "svc-new-empty", sc_svc_new_empty, EINVAL, 1, -1, NULL, 1,
	  "service-new without the service attribute" },
	{ "svc-new-unknown-top", sc_svc_new_unknown_top, EINVAL, 1, -1, NULL, 1,
	  "unknown top-level attribute" },
	{ "svc-new-unknown-nested", sc_svc_new_unknown_nested, EINVAL, 1, -1, NULL, 1,
	  "unknown attribute inside service" },
	{ "svc-new-unknown-backend-attr", sc_svc_new_unknown_backend_attr, EINVAL, 1, -1, NULL, 1,
	  "unknown attribute inside backend" },
	{ "svc-new-proto-u32", sc_svc_new_proto_u32, 0, 1, -1, NULL, 1,
	  "proto sent as u32 (wrong length)" },
	{ "svc-new-port-u32", sc_svc_new_port_u32, 0, 1, -1, NULL, 1,
	  "port sent as u32 (wrong length)" },
	{ "svc-new-addr-short", sc_svc_new_addr_short, 0, 1, -1, NULL, 1,
	  "IPv4 address of 2 bytes" },
	{ "svc-new-port-zero", sc_svc_new_port_zero, 0, 1, -1, NULL, 1,
	  "service port 0" },
	{ "svc-new-missing-proto", sc_svc_new_missing_proto, 0, 1, -1, NULL, 1,
	  "service without proto" },
	{ "svc-new-missing-addr", sc_svc_new_missing_addr, 0, 1, -1, NULL, 1,
	  "service without address" },
	{ "svc-new-missing-port", sc_svc_new_missing_port, 0, 1, -1, NULL, 1,
	  "service without port" },
	{ "svc-new-bad-proto", sc_svc_new_bad_proto, 0, 1, -1, NULL, 1,
	  "proto ICMP" },
	{ "svc-new-ipv6", sc_svc_new_ipv6, EINVAL, 1, -1, "backend family", 1,
	  "IPv6 service with an IPv4 backend" },
	{ "svc-new-two-addrs", sc_svc_new_two_addrs, EINVAL, 1, -1, "not both", 1,
	  "IPv4 and IPv6 address at once" },
	{ "svc-new-name-long", sc_svc_new_name_long, 0, 1, -1, NULL, 1,
	  "name of 300 characters" },
	{ "svc-new-not-nested", sc_svc_new_not_nested, EINVAL, 1, -1, NULL, 1,
	  "service nest without NLA_F_NESTED" },
	{ "svc-new-bad-nest", sc_svc_new_bad_nest, EINVAL, 1, -1, NULL, 1,
	  "service nest holding junk" },
	{ "svc-new-backend-not-nested", sc_svc_new_backend_not_nested, EINVAL, 1, -1, NULL, 1,
	  "backend as a plain u32" },
	{ "svc-new-weight-big", sc_svc_new_weight_big, 0, 1, -1, NULL, 1,
	  "backend weight 70000" },
	{ "svc-new-backend-port-zero", sc_svc_new_backend_port_zero, 0, 1, -1, NULL, 1,
	  "backend port 0" },
	{ "svc-new-backend-missing-addr", sc_svc_new_backend_missing_addr, 0, 1, -1, NULL, 1,
	  "backend without address" },
	{ "svc-new-flags-unknown", sc_svc_new_flags_unknown, 0, 1, -1, NULL, 1,
	  "backend flags with an undefined bit" },
	{ "svc-new-dup-backend", sc_svc_new_dup_backend, 0, 1, -1, NULL, 1,
	  "the same backend twice in one service" },
	{ "svc-new-dup", sc_svc_new_dup, EEXIST, 1, -1, NULL, 1,
	  "service-new of an existing service" },
	{ "svc-set-missing", sc_svc_set_missing, ENOENT, 1, -1, NULL, 1,
	  "service-set of a missing service" },
	{ "svc-set-no-key", sc_svc_set_no_key, 0, 1, -1, NULL, 1,
	  "service-set without a key" },
	{ "svc-del-missing", sc_svc_del_missing, ENOENT, 1, -1, NULL, 1,
	  "service-del of a missing service" },
	{ "svc-get-missing", sc_svc_get_missing, ENOENT, 1, -1, NULL, 1,
	  "service-get of a missing service" },
	{ "svc-get-no-key", sc_svc_get_no_key, 0, 1, -1, NULL, 1,
	  "service-get (do) without a key" },
	{ "be-new-no-backend", sc_be_new_no_backend, 0, 1, -1, NULL, 1,
	  "backend-new without a backend" },
	{ "be-new-dup", sc_be_new_dup, EEXIST, 1, -1, NULL, 1,
	  "backend-new of an existing backend" },
	{ "be-new-no-service", sc_be_new_no_service, ENOENT, 1, -1, NULL, 1,
	  "backend-new on a missing service" },
	{ "be-new-weight-big", sc_be_new_weight_big, 0, 1, -1, NULL, 1,
	  "backend-new with weight 70000" },
	{ "be-new-flags-unknown", sc_be_new_flags_unknown, 0, 1, -1, NULL, 1,
	  "backend-new with an undefined flag bit" },
	{ "be-new-ipv6", sc_be_new_ipv6, EINVAL, 1, -1, "backend family", 1,
	  "IPv6 backend for an IPv4 service" },
	{ "be-new-ipv4-on-ipv6", sc_be_new_ipv4_on_ipv6, EINVAL, 1, -1, "backend family", 1,
	  "IPv4 backend for an IPv6 service" },
	{ "be-set-missing", sc_be_set_missing, ENOENT, 1, -1, NULL, 1,
	  "backend-set of a missing backend" },
	{ "be-set-weight-big", sc_be_set_weight_big, 0, 1, -1, NULL, 1,
	  "backend-set with weight 65536" },
	{ "be-del-missing", sc_be_del_missing, ENOENT, 1, -1, NULL, 1,
	  "backend-del of a missing backend" },
	{ "be-replace-bad", sc_be_replace_bad, 0, 1, -1, NULL, 1,
	  "backend-replace with one bad backend" },
	{ "be-replace-no-service", sc_be_replace_no_service, ENOENT, 1, -1, NULL, 1,
	  "backend-replace on a missing service" },
	{ "flush-with-attr", sc_flush_with_attr, 0, 1, -1, NULL, 1,
	  "flush with an attribute it does not take" },
	{ "txn-begin-attr", sc_txn_begin_attr, 0, 1, -1, NULL, 1,
	  "txn-begin with an attribute it does not take" },
	{ "txn-ops-no-id", sc_txn_ops_no_id, 0, 1, -1, NULL, 1,
	  "txn-ops without txn-id" },
	{ "txn-ops-bad-id", sc_txn_ops_bad_id, ENOENT, 1, -1, NULL, 1,
	  "txn-ops on a transaction that does not exist" },
	{ "txn-id-zero", sc_txn_id_zero, 0, 1, -1, NULL, 1,
	  "txn-id 0" },
	{ "txn-commit-no-id", sc_txn_commit_no_id, 0, 1, -1, NULL, 1,
	  "txn-commit without txn-id" },
	{ "txn-op-unknown-cmd", sc_txn_op_unknown_cmd, 0, 1, 0, NULL, 1,
	  "op with command 99; the txn must be gone after" },
	{ "txn-op-get-cmd", sc_txn_op_get_cmd, 0, 1, 0, NULL, 1,
	  "op with the non-mutating service-get" },
	{ "txn-op-txn-cmd", sc_txn_op_txn_cmd, 0, 1, 0, NULL, 1,
	  "op with txn-commit as its command" },
	{ "txn-op-missing-cmd", sc_txn_op_missing_cmd, 0, 1, 0, NULL, 1,
	  "op without cmd" },
	{ "txn-op-missing-service", sc_txn_op_missing_service, 0, 1, 0, NULL, 1,
	  "service-new op without service" },
	{ "txn-op-bad-service", sc_txn_op_bad_service, 0, 1, 0, NULL, 1,
	  "op whose service has proto as u32" },
	{ "txn-op-weight-big", sc_txn_op_weight_big, 0, 1, 0, NULL, 1,
	  "op whose backend has weight 70000" },
	{ "txn-op-not-nested", sc_txn_op_not_nested, 0, 1, -1, NULL, 1,
	  "op nest without NLA_F_NESTED: core refuses, txn left open" },
	{ "txn-op-unknown-attr", sc_txn_op_unknown_attr, 0, 1, 0, NULL, 1,
	  "op with an unknown attribute" },
	{ "txn-op-index", sc_txn_op_index, 0, 1, 3, NULL, 1,
	  "bad op 3 in the second txn-ops message: index counts over the txn" },
	{ "txn-commit-exists", sc_txn_commit_exists, EEXIST, 1, 2, NULL, 1,
	  "commit whose op 2 adds an existing service: nothing applied" },
	{ "txn-commit-missing", sc_txn_commit_missing, ENOENT, 1, 2, NULL, 1,
	  "commit whose op 2 deletes a missing backend: nothing applied" },
	{ "txn-foreign", sc_txn_foreign, 0, 1, -1, NULL, 1,
	  "another socket commits our transaction" },
	{ "txn-abort-then-commit", sc_txn_abort_then_commit, ENOENT, 1, -1, NULL, 1,
	  "commit after abort" },
	{ "svc-new-ext-len24", sc_svc_new_ext_len24, EINVAL, 1, -1, "32", 1,
	  "external IP given as a /24" },
	{ "svc-new-range-len33", sc_svc_new_range_len33, EINVAL, 1, -1, "32", 1,
	  "source range of length 33" },
	{ "svc-new-range-host-bits", sc_svc_new_range_host_bits, EINVAL, 1, -1, "host bits", 1,
	  "source range 10.0.0.1/8" },
	{ "svc-new-ext-ipv6", sc_svc_new_ext_ipv6, EINVAL, 1, -1, "external IP family", 1,
	  "IPv6 external IP of an IPv4 service" },
	{ "svc6-ext-ipv4", sc_svc6_ext_ipv4, EINVAL, 1, -1, "external IP family", 1,
	  "IPv4 external IP of an IPv6 service" },
	{ "svc6-lb-ipv4", sc_svc6_lb_ipv4, EINVAL, 1, -1, "load-balancer IP family", 1,
	  "IPv4 load-balancer IP of an IPv6 service" },
	{ "svc6-range-ipv4", sc_svc6_range_ipv4, EINVAL, 1, -1, "source range family", 1,
	  "IPv4 source range of an IPv6 service" },
	{ "svc6-range-host-bits", sc_svc6_range_host_bits, EINVAL, 1, -1, "host bits", 1,
	  "source range 2001:db8::1/64" },
	{ "svc6-ext-len64", sc_svc6_ext_len64, EINVAL, 1, -1, "128", 1,
	  "IPv6 external IP given as a /64" },
	{ "svc6-ext-len32", sc_svc6_ext_len32, EINVAL, 1, -1, "128", 1,
	  "IPv6 external IP given as a /32" },
	{ "svc6-ext-dup", sc_svc6_ext_dup, EINVAL, 1, -1, "duplicate external IP", 1,
	  "the same IPv6 external IP twice (once with length 128)" },
	{ "svc6-ext-cluster-ip", sc_svc6_ext_cluster_ip, EINVAL, 1, -1, "cluster IP", 1,
	  "IPv6 external IP equal to the cluster IP" },
	{ "svc6-ext-lb-same", sc_svc6_ext_lb_same, EINVAL, 1, -1, "both", 1,
	  "one IPv6 address as external IP and load-balancer IP" },
	{ "svc6-ext-multicast", sc_svc6_ext_multicast, EINVAL, 1, -1, "unicast", 1,
	  "external IP ff02::1" },
	{ "svc6-lb-loopback", sc_svc6_lb_loopback, EINVAL, 1, -1, "unicast", 1,
	  "load-balancer IP ::1" },
	{ "svc6-lb-any", sc_svc6_lb_any, EINVAL, 1, -1, "unicast", 1,
	  "load-balancer IP ::" },
	{ "svc6-cluster-ip-multicast", sc_svc6_cluster_ip_multicast, EINVAL, 1, -1, "unicast", 1,
	  "cluster IP ff05::10" },
	{ "svc6-cluster-ip-any", sc_svc6_cluster_ip_any, EINVAL, 1, -1, "unicast", 1,
	  "cluster IP ::" },
	{ "svc6-prefix-two-addrs", sc_svc6_prefix_two_addrs, EINVAL, 1, -1, "not both", 1,
	  "external IP nest with an IPv4 and an IPv6 address" },
	{ "svc6-backend-two-addrs", sc_svc6_backend_two_addrs, EINVAL, 1, -1, "not both", 1,
	  "backend nest with an IPv4 and an IPv6 address" },
	{ "svc6-dup-backend", sc_svc6_dup_backend, EINVAL, 1, -1, "duplicate backend", 1,
	  "the same IPv6 backend twice, written two ways" },
	{ "txn-op-ipv6-backend-ipv4", sc_txn_op_v6_be_v4, EINVAL, 1, 0, "backend family", 1,
	  "service-new op of an IPv6 service with an IPv4 backend" },
	{ "svc-new-ext-too-many", sc_svc_new_ext_too_many, EINVAL, 1, -1, "too many external IPs", 1,
	  "max-addrs + 1 external IPs" },
	{ "svc-new-ext-dup", sc_svc_new_ext_dup, EINVAL, 1, -1, "duplicate external IP", 1,
	  "the same external IP twice (once with length 32)" },
	{ "svc-new-lb-dup", sc_svc_new_lb_dup, EINVAL, 1, -1, "duplicate load-balancer IP", 1,
	  "the same load-balancer IP twice" },
	{ "svc-new-ext-lb-same", sc_svc_new_ext_lb_same, EINVAL, 1, -1, "both", 1,
	  "one address as external IP and load-balancer IP" },
	{ "svc-new-ext-cluster-ip", sc_svc_new_ext_cluster_ip, EINVAL, 1, -1, "cluster IP", 1,
	  "external IP equal to the cluster IP" },
	{ "svc-new-ext-multicast", sc_svc_new_ext_multicast, EINVAL, 1, -1, "unicast", 1,
	  "multicast external IP" },
	{ "svc-new-lb-loopback", sc_svc_new_lb_loopback, EINVAL, 1, -1, "unicast", 1,
	  "loopback load-balancer IP" },
	{ "svc-new-cluster-ip-bcast", sc_svc_new_cluster_ip_bcast, EINVAL, 1, -1, "unicast", 1,
	  "cluster IP 255.255.255.255" },
	{ "svc-new-node-port-zero", sc_svc_new_node_port_zero, EINVAL, 1, -1, "NodePort", 1,
	  "node-port 0" },
	{ "svc-new-ext-policy-bad", sc_svc_new_ext_policy_bad, ERANGE, 1, -1, NULL, 1,
	  "ext-policy 2 (not a traffic-policy)" },
	{ "svc-new-stats", sc_svc_new_stats, EINVAL, 1, -1, NULL, 1,
	  "stats (a reply attribute) in a request" },
	{ "svc-set-backend", sc_svc_set_backend, EINVAL, 1, -1, NULL, 1,
	  "service-set with a backend (it keeps them)" },
	{ "svc-set-lb-dup", sc_svc_set_lb_dup, EINVAL, 1, -1, "duplicate load-balancer IP", 1,
	  "service-set with the same load-balancer IP twice" },
	{ "svc-set-backend-count", sc_svc_set_backend_count, EINVAL, 1, -1, NULL, 1,
	  "service-set with backend-count (a reply attribute)" },
	{ "svc-new-flush", sc_svc_new_flush, EINVAL, 1, -1, "flush-conns only applies to backend changes", 1,
	  "service-new with flush-conns" },
	{ "svc-set-flush", sc_svc_set_flush, EINVAL, 1, -1, "flush-conns only applies to backend changes", 1,
	  "service-set with flush-conns" },
	{ "svc-del-flush", sc_svc_del_flush, EINVAL, 1, -1, "flush-conns only applies to backend changes", 1,
	  "service-del with flush-conns (of a service that does not exist)" },
	{ "be-new-flush", sc_be_new_flush, EINVAL, 1, -1, "flush-conns only applies to backend changes", 1,
	  "backend-new with flush-conns" },
	{ "svc-get-flush", sc_svc_get_flush, EINVAL, 1, -1, NULL, 1,
	  "service-get with flush-conns (not a change)" },
	{ "be-del-flush-missing", sc_be_del_flush_missing, ENOENT, 1, -1, "backend not found", 1,
	  "backend-del with flush-conns takes it, fails on the missing backend" },
	{ "be-set-flush-missing", sc_be_set_flush_missing, ENOENT, 1, -1, "backend not found", 1,
	  "backend-set with flush-conns takes it, fails on the missing backend" },
	{ "be-replace-flush-no-service", sc_be_replace_flush_no_service, ENOENT, 1, -1, "service not found", 1,
	  "backend-replace with flush-conns takes it, fails on the missing service" },
	{ "txn-op-new-flush", sc_txn_op_new_flush, EINVAL, 1, 0, "flush-conns only applies to backend changes", 1,
	  "service-new op with flush-conns in a transaction" },
	{ "txn-op-be-new-flush", sc_txn_op_be_new_flush, EINVAL, 1, 0, "flush-conns only applies to backend changes", 1,
	  "backend-new op with flush-conns in a transaction" },
	{ "txn-flush-commit-missing", sc_txn_flush_commit_missing, ENOENT, 1, 1, "backend not found", 1,
	  "transaction with a backend-del op with flush-conns, commit fails on op 1" },
	{ "txn-op-lb-dup", sc_txn_op_lb_dup, EINVAL, 1, 0, "duplicate load-balancer IP", 1,
	  "service-new op with the same load-balancer IP twice" },
	{ "txn-op-set-backend", sc_txn_op_set_backend, EINVAL, 1, 0, NULL, 1,
	  "service-set op with a backend" },
	{ "svc-new-aff-timeout-alone", sc_svc_new_aff_timeout_alone, EINVAL, 1, -1,
	  "affinity-timeout needs affinity client-ip", 1,
	  "affinity-timeout without affinity" },
	{ "svc-new-aff-timeout-zero", sc_svc_new_aff_timeout_zero, ERANGE, 1, -1, NULL, 1,
	  "affinity-timeout 0" },
	{ "svc-new-aff-timeout-big", sc_svc_new_aff_timeout_big, ERANGE, 1, -1, NULL, 1,
	  "affinity-timeout 86401" },
	{ "svc-new-aff-bad", sc_svc_new_aff_bad, ERANGE, 1, -1, NULL, 1,
	  "affinity 2 (not an affinity)" },
	{ "svc-new-aff-entry", sc_svc_new_aff_entry, EINVAL, 1, -1, NULL, 1,
	  "affinity-entry (a reply attribute) in service-new" },
	{ "svc-set-aff-timeout-alone", sc_svc_set_aff_timeout_alone, EINVAL, 1, -1,
	  "affinity-timeout needs affinity client-ip", 1,
	  "service-set with affinity-timeout without affinity" },
	{ "svc-set-aff-none-timeout", sc_svc_set_aff_none_timeout, EINVAL, 1, -1,
	  "affinity-timeout needs affinity client-ip", 1,
	  "service-set with affinity none and a timeout" },
	{ "txn-op-new-aff-timeout", sc_txn_op_new_aff_timeout, EINVAL, 1, 0,
	  "affinity-timeout needs affinity client-ip", 1,
	  "service-new op with affinity-timeout without affinity" },
	{ "txn-op-set-aff-timeout", sc_txn_op_set_aff_timeout, EINVAL, 1, 0,
	  "affinity-timeout needs affinity client-ip", 1,
	  "service-set op with affinity none and a timeout" },
	{ "aff-get-missing", sc_aff_get_missing, ENOENT, 2, -1, "not found", 1,
	  "affinity-get of a missing service" },
	{ "aff-get-no-service", sc_aff_get_no_service, EINVAL, 2, -1, NULL, 1,
	  "affinity-get without the service attribute" },
	{ "aff-get-no-port", sc_aff_get_no_port, EINVAL, 2, -1, NULL, 1,
	  "affinity-get with a key without port" },
	{ "aff-get-backend", sc_aff_get_backend, EINVAL, 1, -1, NULL, 1,
	  "affinity-get with a backend in the service nest (strict policy)" },
	{ "aff-get-unknown-top", sc_aff_get_unknown_top, EINVAL, 1, -1, NULL, 1,
	  "affinity-get with an unknown top-level attribute" },
	{ "svc-new-maglev-size-only", sc_svc_new_maglev_size_only, EINVAL, 1, -1,
	  "maglev-size needs scheduler maglev", 1,
	  "maglev-size without scheduler maglev" },
	{ "svc-new-rr-hash", sc_svc_new_rr_hash, EINVAL, 1, -1,
	  "hash needs scheduler maglev", 1,
	  "hash with scheduler rr" },
	{ "svc-new-maglev-size-not-prime", sc_svc_new_maglev_size_not_prime, EINVAL, 1, -1,
	  "maglev-size must be a prime", 1,
	  "maglev-size 1001 (7 * 11 * 13)" },
	{ "svc-new-maglev-size-5", sc_svc_new_maglev_size_5, ERANGE, 1, -1, NULL, 1,
	  "maglev-size 5 (below the minimum 7)" },
	{ "svc-new-scheduler-bad", sc_svc_new_scheduler_bad, ERANGE, 1, -1, NULL, 1,
	  "scheduler 3 (not a scheduler)" },
	{ "svc-new-maglev-size-small", sc_svc_new_maglev_size_small, EINVAL, 1, -1,
	  "maglev-size is smaller than the number of backends", 1,
	  "maglev-size 7 for 8 backends" },
	{ "svc-set-hash", sc_svc_set_hash, EINVAL, 1, -1,
	  "hash needs scheduler maglev", 1,
	  "service-set with hash and no scheduler (random)" },
	{ "txn-op-maglev-size-only", sc_txn_op_maglev_size_only, EINVAL, 1, 0,
	  "maglev-size needs scheduler maglev", 1,
	  "service-new op with maglev-size and no scheduler" },
	{ "txn-commit-maglev-small", sc_txn_commit_maglev_small, EINVAL, 1, 1,
	  "maglev-size is smaller than the number of backends", 1,
	  "commit of a maglev-size 7 service with 7 backends plus an 8th" },
	{ "config-cidr-len33", sc_config_cidr_len33, EINVAL, 1, -1, "32", 1,
	  "cluster CIDR of length 33; node config unchanged" },
	{ "config-host-bits", sc_config_host_bits, EINVAL, 1, -1, "host bits", 1,
	  "cluster CIDR 10.244.1.0/16" },
	{ "config-ipv6", sc_config_ipv6, EINVAL, 1, -1, "host bits", 1,
	  "IPv6 cluster CIDR 2001:db8::1/64" },
	{ "config-ipv6-len129", sc_config_ipv6_len129, ERANGE, 1, -1, NULL, 1,
	  "IPv6 service CIDR of length 129" },
	{ "config-ipv6-dup", sc_config_ipv6_dup, EINVAL, 1, -1, "duplicate service CIDR", 1,
	  "the same IPv6 service CIDR twice, an IPv4 one between" },
	{ "config-ipv6-two-addrs", sc_config_ipv6_two_addrs, EINVAL, 1, -1, "not both", 1,
	  "NodePort CIDR nest with an IPv4 and an IPv6 address" },
	{ "config-too-many", sc_config_too_many, EINVAL, 1, -1, "too many service CIDRs", 1,
	  "max-addrs + 1 service CIDRs" },
	{ "config-dup", sc_config_dup, EINVAL, 1, -1, "duplicate NodePort CIDR", 1,
	  "the same NodePort CIDR twice" },
	{ "config-mark-zero", sc_config_mark_zero, EINVAL, 1, -1, "single bit", 1,
	  "masq-mark 0" },
	{ "config-mark-two-bits", sc_config_mark_two_bits, EINVAL, 1, -1, "single bit", 1,
	  "masq-mark 0x6000" },
	{ "config-bad-mode", sc_config_bad_mode, ERANGE, 1, -1, NULL, 1,
	  "masq-mode 2 (not a masq-mode)" },
	{ "config-bad-unknown-port", sc_config_bad_unknown_port, ERANGE, 1, -1, NULL, 1,
	  "unknown-port 7" },
	{ "config-masq-all-2", sc_config_masq_all_2, ERANGE, 1, -1, NULL, 1,
	  "masquerade-all 2" },
	{ "config-stats", sc_config_stats, EINVAL, 1, -1, NULL, 1,
	  "stats (a reply attribute) in config-set" },
	{ "config-get-attr", sc_config_get_attr, EINVAL, 1, -1, NULL, 1,
	  "config-get with an attribute it does not take" },
	{ "trace-no-nest", sc_trace_no_nest, EINVAL, 1, -1, NULL, 1,
	  "trace without the trace attribute" },
	{ "trace-missing-dst", sc_trace_missing_dst, EINVAL, 1, -1, "destination", 1,
	  "trace without a destination address" },
	{ "trace-missing-dport", sc_trace_missing_dport, EINVAL, 1, -1, NULL, 1,
	  "trace without a destination port" },
	{ "trace-missing-src", sc_trace_missing_src, EINVAL, 1, -1, "source", 1,
	  "trace without a source address" },
	{ "trace-dport-zero", sc_trace_dport_zero, EINVAL, 1, -1, NULL, 1,
	  "trace to port 0" },
	{ "trace-bad-proto", sc_trace_bad_proto, EINVAL, 1, -1, NULL, 1,
	  "trace of an ICMP packet" },
	{ "trace-ipv6", sc_trace_ipv6, EINVAL, 1, -1, "families differ", 1,
	  "trace from an IPv6 source to an IPv4 destination" },
	{ "trace-ipv6-dst4", sc_trace_ipv6_dst4, EINVAL, 1, -1, "families differ", 1,
	  "trace from an IPv6 pod address to an IPv4 cluster IP" },
	{ "trace-ipv4-dst6", sc_trace_ipv4_dst6, EINVAL, 1, -1, "families differ", 1,
	  "trace from an IPv4 source to an IPv6 destination" },
	{ "trace-two-src", sc_trace_two_src, EINVAL, 1, -1, "not both", 1,
	  "trace with an IPv4 and an IPv6 source" },
	{ "trace-bad-origin", sc_trace_bad_origin, ERANGE, 1, -1, NULL, 1,
	  "trace with origin 3 (not an origin)" },
	{ "trace-reply-attr", sc_trace_reply_attr, EINVAL, 1, -1, NULL, 1,
	  "trace request carrying verdict (a reply attribute)" },
	{ "trace-origin-pod", sc_trace_origin_pod, EINVAL, 1, -1, "cannot be a pod", 1,
	  "origin pod for a source outside the cluster CIDRs" },
	{ "trace-origin-other", sc_trace_origin_other, EINVAL, 1, -1, "it is a pod", 1,
	  "origin other for a source in the cluster CIDRs (set, then put back)" },
	{ "perm-svc-new", sc_perm_svc_new, EPERM, 0, -1, NULL, 0,
	  "(run unprivileged) service-new" },
	{ "perm-dump", sc_perm_dump, EPERM, 0, -1, NULL, 0,
	  "(run unprivileged) dump" },
	{ "perm-txn-begin", sc_perm_txn_begin, EPERM, 0, -1, NULL, 0,
	  "(run unprivileged) txn-begin" },
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static int want_errno = -1;	/* -1: as the scenario says */
static int no_msg_needed;

/*
 * Linux 6.1's netlink core calls a dump's ->start() without an extack
 * (netlink_dump_control has no extack before 6.2): errors that svcnat
 * finds there reach the caller with their errno but without a message.
 */
static int dump_start_has_extack(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return 1;
	return major > 6 || (major == 6 && minor >= 2);
}

static int run(const struct scenario *sc)
{
	int want = want_errno >= 0 ? want_errno : sc->want_errno;
	int need_msg = sc->need_msg && !no_msg_needed &&
		(sc->need_msg != 2 || dump_start_has_extack());
	char why[768] = "";
	char info[1024];
	char op_text[32];
	struct reply r;

	snprintf(op_text, sizeof(op_text), "op %d", sc->want_op);

	sc->fn(&r);
	snprintf(info, sizeof(info), "errno=%d (%s) msg=\"%s\"", -r.error,
		 r.error ? strerror(-r.error) : "accepted", r.msg);
	if (r.offs >= 0)
		snprintf(info + strlen(info), sizeof(info) - strlen(info),
			 " offs=%ld", r.offs);
	if (r.op >= 0)
		snprintf(info + strlen(info), sizeof(info) - strlen(info),
			 " op=%ld", r.op);
	if (r.miss_type >= 0)
		snprintf(info + strlen(info), sizeof(info) - strlen(info),
			 " miss-type=%ld", r.miss_type);

	if (!r.error)
		snprintf(why, sizeof(why), "accepted");
	else if (want && -r.error != want)
		snprintf(why, sizeof(why), "want errno %d (%s)", want,
			 strerror(want));
	else if (need_msg && !r.have_msg)
		snprintf(why, sizeof(why), "no extack message");
	else if (sc->want_op >= 0 && r.op != sc->want_op &&
		 !strstr(r.msg, op_text))
		snprintf(why, sizeof(why), "does not name op %d (cookie or \"%s\")",
			 sc->want_op, op_text);
	else if (sc->substr && (need_msg || r.have_msg) &&
		 !strstr(r.msg, sc->substr))
		snprintf(why, sizeof(why), "message lacks \"%s\"", sc->substr);
	if (r.note[0])
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s",
			 why[0] ? "; " : "", r.note);

	if (why[0]) {
		printf("FAIL %s: %s; %s\n", sc->name, why, info);
		return 1;
	}
	printf("ok %s: %s\n", sc->name, info);
	return 0;
}

static int hold(void)
{
	struct reply r = { 0 };
	uint32_t id = txn_begin(main_sk, &r);
	struct nl_msg *m;
	char buf[64];

	if (!id) {
		printf("hold: %s\n", r.note);
		return 2;
	}
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.96.2.9", 80, NULL, 0);
	transact(main_sk, m, &r);
	if (r.error) {
		printf("hold: op rejected: errno=%d %s\n", -r.error, r.msg);
		return 2;
	}
	printf("held txn %u\n", id);
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	m = msg_new(SVCNAT_CMD_TXN_COMMIT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, &r);
	printf("late commit: errno=%d (%s) msg=\"%s\"\n", -r.error,
	       r.error ? strerror(-r.error) : "accepted", r.msg);
	return r.error ? 0 : 1;
}

/*
 * "txn-hold N": a transaction holding much kernel memory. Op 0 is a flush,
 * ops 1..N are service-new of tcp 10.101.X.Y:80 (i = 0..N-1, X = i / 250,
 * Y = i % 250 + 1) named "txn/svc-i:http" with 8 backends 10.5.A.B:8080,
 * a few KiB of ops every message, each message well under 32 KiB. Then
 *	held txn ID ops N msgs M pid PID
 * on stdout, and it waits for EOF on stdin; it then exits with the
 * transaction still open (neither committed nor aborted), status 0. Were the
 * transaction ever applied, the flush would empty the table and the new
 * services would show up in "svcadm save".
 */
#define TXN_HOLD_MSG_MAX	32768	/* allocated size of a request */
#define TXN_HOLD_MSG_FILL	24576	/* start a new message beyond this */

static void txn_hold_put_op(struct nl_msg *m, long i)
{
	struct nlattr *op, *s, *b;
	char addr[64], name[48];
	int err;

	op = nla_nest_start(m, SVCNAT_A_OP);
	err = !op || nla_put_u32(m, SVCNAT_A_OP_CMD, i < 0 ?
				 SVCNAT_CMD_FLUSH : SVCNAT_CMD_SERVICE_NEW);
	if (i >= 0 && !err) {
		s = nla_nest_start(m, SVCNAT_A_OP_SERVICE);
		snprintf(addr, sizeof(addr), "10.101.%ld.%ld", i / 250,
			 i % 250 + 1);
		snprintf(name, sizeof(name), "txn/svc-%ld:http", i);
		err = !s || nla_put_u8(m, SVCNAT_A_SERVICE_PROTO, IPPROTO_TCP) ||
		      nla_put_u32(m, SVCNAT_A_SERVICE_ADDR_IPV4, ip4(addr)) ||
		      nla_put_u16(m, SVCNAT_A_SERVICE_PORT, htons(80)) ||
		      nla_put_string(m, SVCNAT_A_SERVICE_NAME, name);
		for (int j = 0; j < 8 && !err; j++) {
			snprintf(addr, sizeof(addr), "10.5.%ld.%ld",
				 i / 25 % 256, i % 25 * 10 + j + 1);
			b = nla_nest_start(m, SVCNAT_A_SERVICE_BACKEND);
			err = !b ||
			      nla_put_u32(m, SVCNAT_A_BACKEND_ADDR_IPV4, ip4(addr)) ||
			      nla_put_u16(m, SVCNAT_A_BACKEND_PORT, htons(8080));
			if (!err)
				nla_nest_end(m, b);
		}
		if (!err)
			nla_nest_end(m, s);
	}
	if (err)
		die("txn-hold: op %ld does not fit in the message", i + 1);
	nla_nest_end(m, op);
}

static int txn_hold(const char *arg)
{
	struct reply r = { 0 };
	long n = strtol(arg, NULL, 0), i = -1, msgs = 0;
	uint32_t id;
	char buf[64];

	if (n < 0 || n > 62500)	/* distinct keys: 250 x 250 */
		die("txn-hold wants 0..62500 ops");
	id = txn_begin(main_sk, &r);
	if (!id)
		die("txn-hold: %s", r.note);
	while (i < n) {
		struct nl_msg *m = nlmsg_alloc_size(TXN_HOLD_MSG_MAX);

		if (!m || !genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				       0, SVCNAT_CMD_TXN_OPS,
				       SVCNAT_FAMILY_VERSION) ||
		    nla_put_u32(m, SVCNAT_A_TXN_ID, id))
			die("txn-hold: cannot build message");
		while (i < n && nlmsg_hdr(m)->nlmsg_len < TXN_HOLD_MSG_FILL)
			txn_hold_put_op(m, i++);
		msgs++;
		transact(main_sk, m, &r);
		if (r.error)
			die("txn-hold: txn-ops message %ld: errno=%d %s%s%s", msgs,
			    -r.error, r.msg, r.note[0] ? "; " : "", r.note);
	}
	printf("held txn %u ops %ld msgs %ld pid %ld\n", id, n + 1, msgs,
	       (long)getpid());
	fflush(stdout);
	while (fgets(buf, sizeof(buf), stdin))
		;
	/* exit with the transaction open: the socket's release frees it */
	return 0;
}

/* ----- dumps ----- */

/*
 * "dump" reads a service-get dump on a socket of its own with plain
 * recvmsg() calls of dump_bufsize bytes (-b), so the test controls how the
 * kernel splits it: a fresh socket's dump parts are as large as its reads
 * (at least about one page), and the next part is only built when one was
 * read. It merges consecutive messages of one service, checks that every
 * service comes once and with backend-count distinct backends, and prints
 * the merged content, one line per service and per backend:
 *	svc PROTO ADDR:PORT backends=N name=NAME
 *	be PROTO ADDR:PORT BADDR:BPORT w=WEIGHT f=FLAGS
 * then on stderr a summary:
 *	dump: reads=R bytes=B msgs=M services=S backends=N split=K
 *	      maxparts=P intr=I first-intr-read=X done-intr=D
 * intr counts the messages flagged NLM_F_DUMP_INTR (NLMSG_DONE included).
 * -p ACTION pauses after the first read and does ACTION on the main socket
 * before reading the rest:
 *	commit	backend-new 10.255.255.254:1 on the first service (a change)
 *	noop	service-get of the first service, a rejected service-new of
 *		it, and a transaction with one op that is aborted: requests
 *		that change nothing
 * Exit status: 0 the dump is consistent, or was flagged NLM_F_DUMP_INTR (the
 * reader must then discard it anyway); 1 an unflagged dump was inconsistent
 * or the kernel reported an error; 2 setup error.
 */

struct dump_key {
	uint8_t proto;
	uint32_t addr;		/* network order */
	uint16_t port;		/* network order */
};

struct dump_be {
	uint32_t addr;
	uint16_t port;
};

struct dump_state {
	struct dump_key first;		/* first service of the dump */
	struct dump_key cur;		/* service being merged */
	int have_cur;
	char name[SVCNAT_NAME_LEN];
	uint32_t count;			/* its backend-count */
	struct dump_be *be;		/* its backends so far */
	size_t nbe, cap_be;
	int parts;			/* messages it spans */
	struct dump_key *seen;		/* services finished */
	size_t nseen, cap_seen;
	long reads, bytes, msgs, services, backends, split, maxparts;
	long intr, first_intr_read, done_intr;
	char err[512];			/* first inconsistency */
};

static size_t dump_bufsize = 4096;
static const char *dump_action;

__attribute__((format(printf, 2, 3)))
static void dump_bad(struct dump_state *d, const char *fmt, ...)
{
	va_list ap;

	if (d->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
}

static const char *proto_str(uint8_t proto)
{
	static char buf[16];

	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_SCTP:
		return "sctp";
	}
	snprintf(buf, sizeof(buf), "proto%u", proto);
	return buf;
}

/* "PROTO ADDR:PORT" of a key; buf of at least 40 bytes */
static const char *key_str(const struct dump_key *k, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &k->addr, a, sizeof(a));
	snprintf(buf, len, "%s %s:%u", proto_str(k->proto), a, ntohs(k->port));
	return buf;
}

static int key_eq(const struct dump_key *a, const struct dump_key *b)
{
	return a->proto == b->proto && a->addr == b->addr && a->port == b->port;
}

static int be_cmp(const void *pa, const void *pb)
{
	const struct dump_be *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->port < b->port ? -1 : a->port > b->port;
}

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	if (!p)
		die("out of memory");
	return p;
}

/* The current service is complete: check it and remember its key. */
static void dump_finish_service(struct dump_state *d)
{
	char k[64];

	if (!d->have_cur)
		return;
	key_str(&d->cur, k, sizeof(k));
	if (d->nbe != d->count)
		dump_bad(d, "%s: backend-count %u but %zu backends received",
			 k, d->count, d->nbe);
	qsort(d->be, d->nbe, sizeof(*d->be), be_cmp);
	for (size_t i = 1; i < d->nbe; i++)
		if (!be_cmp(&d->be[i - 1], &d->be[i]))
			dump_bad(d, "%s: a backend came twice", k);
	if (d->parts > 1)
		d->split++;
	if (d->parts > d->maxparts)
		d->maxparts = d->parts;
	d->seen = grow(d->seen, &d->cap_seen, d->nseen, sizeof(*d->seen));
	d->seen[d->nseen++] = d->cur;
	d->have_cur = 0;
}

static int attr_ok(const struct nlattr *a, int len)
{
	return a && nla_len(a) == len;
}

/* One service-get message of the dump. */
static void dump_service_msg(struct dump_state *d, struct nlmsghdr *nlh)
{
	struct nlattr *tb[SVCNAT_A_MAX + 1];
	struct nlattr *st[SVCNAT_A_SERVICE_MAX + 1];
	struct nlattr *bt[SVCNAT_A_BACKEND_MAX + 1];
	struct dump_key key;
	const char *name = "";
	struct nlattr *a;
	uint32_t count;
	char k[64];
	int rem;

	if (genlmsg_parse(nlh, 0, tb, SVCNAT_A_MAX, NULL) ||
	    !tb[SVCNAT_A_SERVICE] ||
	    nla_parse_nested(st, SVCNAT_A_SERVICE_MAX, tb[SVCNAT_A_SERVICE],
			     NULL)) {
		dump_bad(d, "message %ld: no service nest", d->msgs);
		return;
	}
	if (!attr_ok(st[SVCNAT_A_SERVICE_PROTO], 1) ||
	    !attr_ok(st[SVCNAT_A_SERVICE_ADDR_IPV4], 4) ||
	    !attr_ok(st[SVCNAT_A_SERVICE_PORT], 2) ||
	    !attr_ok(st[SVCNAT_A_SERVICE_BACKEND_COUNT], 4)) {
		dump_bad(d, "message %ld: key or backend-count missing", d->msgs);
		return;
	}
	memset(&key, 0, sizeof(key));
	key.proto = nla_get_u8(st[SVCNAT_A_SERVICE_PROTO]);
	key.addr = nla_get_u32(st[SVCNAT_A_SERVICE_ADDR_IPV4]);
	key.port = nla_get_u16(st[SVCNAT_A_SERVICE_PORT]);
	count = nla_get_u32(st[SVCNAT_A_SERVICE_BACKEND_COUNT]);
	if (st[SVCNAT_A_SERVICE_NAME])
		name = nla_get_string(st[SVCNAT_A_SERVICE_NAME]);
	key_str(&key, k, sizeof(k));

	if (d->have_cur && key_eq(&key, &d->cur)) {
		/* a continuation: same name and count */
		d->parts++;
		if (count != d->count || strcmp(name, d->name))
			dump_bad(d, "%s: continuation with another name or count",
				 k);
	} else {
		dump_finish_service(d);
		for (size_t i = 0; i < d->nseen; i++)
			if (key_eq(&d->seen[i], &key))
				dump_bad(d, "%s: came again after other services", k);
		d->cur = key;
		d->have_cur = 1;
		snprintf(d->name, sizeof(d->name), "%s", name);
		d->count = count;
		d->nbe = 0;
		d->parts = 1;
		if (!d->services++)
			d->first = key;
		printf("svc %s backends=%u name=%s\n", k, count, name);
	}

	nla_for_each_nested(a, tb[SVCNAT_A_SERVICE], rem) {
		char b[INET_ADDRSTRLEN];
		struct dump_be be;

		if (nla_type(a) != SVCNAT_A_SERVICE_BACKEND)
			continue;
		if (nla_parse_nested(bt, SVCNAT_A_BACKEND_MAX, a, NULL) ||
		    !attr_ok(bt[SVCNAT_A_BACKEND_ADDR_IPV4], 4) ||
		    !attr_ok(bt[SVCNAT_A_BACKEND_PORT], 2) ||
		    !attr_ok(bt[SVCNAT_A_BACKEND_WEIGHT], 4) ||
		    !attr_ok(bt[SVCNAT_A_BACKEND_FLAGS], 4)) {
			dump_bad(d, "%s: malformed backend", k);
			continue;
		}
		be.addr = nla_get_u32(bt[SVCNAT_A_BACKEND_ADDR_IPV4]);
		be.port = nla_get_u16(bt[SVCNAT_A_BACKEND_PORT]);
		d->be = grow(d->be, &d->cap_be, d->nbe, sizeof(*d->be));
		d->be[d->nbe++] = be;
		d->backends++;
		inet_ntop(AF_INET, &be.addr, b, sizeof(b));
		printf("be %s %s:%u w=%u f=%u\n", k, b, ntohs(be.port),
		       nla_get_u32(bt[SVCNAT_A_BACKEND_WEIGHT]),
		       nla_get_u32(bt[SVCNAT_A_BACKEND_FLAGS]));
	}
}

/* -p: what another socket does while the dump is paused */
static void dump_disturb(const struct dump_key *first)
{
	char addr[INET_ADDRSTRLEN], k[64];
	struct reply r;
	struct nl_msg *m;
	struct nlattr *s;
	uint32_t id;

	reply_init(&r);
	if (!first)
		die("dump -p: the first part held no service");
	inet_ntop(AF_INET, &first->addr, addr, sizeof(addr));
	key_str(first, k, sizeof(k));
	if (!strcmp(dump_action, "commit")) {
		m = msg_new(SVCNAT_CMD_BACKEND_NEW, 0);
		s = nla_nest_start(m, SVCNAT_A_SERVICE);
		put_key(m, first->proto, addr, ntohs(first->port));
		put_backend(m, "10.255.255.254", 1, -1, -1);
		nla_nest_end(m, s);
		transact(main_sk, m, &r);
		if (r.error)
			die("dump -p commit: backend-new on %s: errno=%d %s", k,
			    -r.error, r.msg);
		fprintf(stderr, "dump: paused; backend-new on %s committed\n", k);
		return;
	}
	if (strcmp(dump_action, "noop"))
		die("dump -p: unknown action %s (commit, noop)", dump_action);
	m = msg_new(SVCNAT_CMD_SERVICE_GET, 0);
	s = nla_nest_start(m, SVCNAT_A_SERVICE);
	put_key(m, first->proto, addr, ntohs(first->port));
	nla_nest_end(m, s);
	transact(main_sk, m, &r);
	if (r.error || r.nmsgs != 1)
		die("dump -p noop: service-get of %s: errno=%d %s", k,
		    -r.error, r.msg);
	m = msg_new(SVCNAT_CMD_SERVICE_NEW, 0);
	s = nla_nest_start(m, SVCNAT_A_SERVICE);
	put_key(m, first->proto, addr, ntohs(first->port));
	nla_nest_end(m, s);
	transact(main_sk, m, &r);
	if (r.error != -EEXIST)
		die("dump -p noop: service-new of %s: errno=%d, want EEXIST", k,
		    -r.error);
	id = txn_begin(main_sk, &r);
	if (!id)
		die("dump -p noop: %s", r.note);
	m = ops_msg(id);
	put_op(m, SVCNAT_CMD_SERVICE_NEW, "10.255.255.254", 1, NULL, 0);
	transact(main_sk, m, &r);
	if (r.error)
		die("dump -p noop: txn-ops: errno=%d %s", -r.error, r.msg);
	m = msg_new(SVCNAT_CMD_TXN_ABORT, 0);
	nla_put_u32(m, SVCNAT_A_TXN_ID, id);
	transact(main_sk, m, &r);
	if (r.error)
		die("dump -p noop: txn-abort: errno=%d %s", -r.error, r.msg);
	fprintf(stderr, "dump: paused; get, rejected service-new and aborted txn on %s\n",
		k);
}

static int dump(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req = {
		.nlh = {
			.nlmsg_len = sizeof(req),
			.nlmsg_type = family,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK,
			.nlmsg_seq = 4242,
		},
		.g = { .cmd = SVCNAT_CMD_SERVICE_GET,
		       .version = SVCNAT_FAMILY_VERSION },
	};
	struct dump_state d = { .first_intr_read = -1 };
	int rcvbuf = 16384, one = 1, fd, done = 0, error = 0;
	socklen_t salen = sizeof(sa);
	char *buf;

	buf = malloc(dump_bufsize);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (!buf || fd < 0)
		die("dump: cannot open a netlink socket: %s", strerror(errno));
	/* a small receive buffer: the kernel queues one part at a time */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen))
		die("dump: bind: %s", strerror(errno));
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		die("dump: send: %s", strerror(errno));

	while (!done) {
		struct iovec iov = { buf, dump_bufsize };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct nlmsghdr *nlh;
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0)
			die("dump: recv: %s", strerror(errno));
		if (mh.msg_flags & MSG_TRUNC) {
			dump_bad(&d, "read %ld truncated at %zu bytes", d.reads + 1,
				 dump_bufsize);
			error = 1;
			break;
		}
		d.reads++;
		d.bytes += n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != req.nlh.nlmsg_seq ||
			    nlh->nlmsg_pid != sa.nl_pid)
				dump_bad(&d, "message with seq %u pid %u",
					 nlh->nlmsg_seq, nlh->nlmsg_pid);
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
				d.intr++;
				if (d.first_intr_read < 0)
					d.first_intr_read = d.reads;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int *rc = NLMSG_DATA(nlh);

				d.done_intr = !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
				if (*rc) {
					dump_bad(&d, "dump ended with error %d", *rc);
					error = 1;
				}
				done = 1;
				break;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				dump_bad(&d, "error %d (%s)", e->error,
					 strerror(-e->error));
				error = 1;
				done = 1;
				break;
			}
			if (nlh->nlmsg_type != family ||
			    !(nlh->nlmsg_flags & NLM_F_MULTI)) {
				dump_bad(&d, "unexpected message type %u flags %#x",
					 nlh->nlmsg_type, nlh->nlmsg_flags);
				continue;
			}
			d.msgs++;
			dump_service_msg(&d, nlh);
		}
		if (d.reads == 1 && dump_action && !done)
			dump_disturb(d.services ? &d.first : NULL);
	}
	dump_finish_service(&d);
	fflush(stdout);
	fprintf(stderr,
		"dump: reads=%ld bytes=%ld msgs=%ld services=%ld backends=%ld split=%ld maxparts=%ld intr=%ld first-intr-read=%ld done-intr=%ld\n",
		d.reads, d.bytes, d.msgs, d.services, d.backends, d.split,
		d.maxparts, d.intr, d.first_intr_read, d.done_intr);
	if (d.err[0])
		fprintf(stderr, "dump: %s%s\n", d.intr && !error ?
			"(flagged NLM_F_DUMP_INTR, so allowed) " : "", d.err);
	close(fd);
	free(buf);
	free(d.be);
	free(d.seen);
	return error || (d.err[0] && !d.intr);
}

static const struct {
	const char *name;
	int val;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EEXIST", EEXIST },
	{ "EINVAL", EINVAL }, { "ERANGE", ERANGE }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "ENOSPC", ENOSPC }, { "E2BIG", E2BIG }, { "EBUSY", EBUSY },
};

static int parse_errno(const char *s)
{
	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(s, errnames[i].name))
			return errnames[i].val;
	if (*s >= '0' && *s <= '9')
		return atoi(s);
	die("unknown errno %s", s);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: svcnat-nlraw [-e ERRNO] [-x] SCENARIO...|all|list\n"
		"       svcnat-nlraw hold\n"
		"       svcnat-nlraw txn-hold N\n"
		"       svcnat-nlraw [-b BYTES] [-p commit|noop] dump\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt, failed = 0, ran = 0;

	while ((opt = getopt(argc, argv, "e:xb:p:h")) != -1) {
		switch (opt) {
		case 'b':
			dump_bufsize = strtoul(optarg, NULL, 0);
			if (dump_bufsize < 1024 || dump_bufsize > 1 << 20)
				die("-b wants 1024..1048576 bytes");
			break;
		case 'p':
			dump_action = optarg;
			break;
		case 'e':
			want_errno = parse_errno(optarg);
			break;
		case 'x':
			no_msg_needed = 1;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[optind], "list")) {
		for (size_t i = 0; i < NSCENARIOS; i++)
			printf("%-30s %s\n", scenarios[i].name,
			       scenarios[i].doc);
		return 0;
	}

	main_sk = open_sock();
	family = genl_ctrl_resolve(main_sk, SVCNAT_FAMILY_NAME);
	if (family < 0)
		die("generic netlink family %s not found: %s",
		    SVCNAT_FAMILY_NAME, nl_geterror(family));

	if (!strcmp(argv[optind], "hold"))
		return hold();
	if (!strcmp(argv[optind], "txn-hold")) {
		if (optind + 1 >= argc)
			usage();
		return txn_hold(argv[optind + 1]);
	}
	if (!strcmp(argv[optind], "dump"))
		return dump();

	for (int i = optind; i < argc; i++) {
		int all = !strcmp(argv[i], "all"), found = 0;

		for (size_t j = 0; j < NSCENARIOS; j++) {
			if (all ? !scenarios[j].in_all
				: strcmp(argv[i], scenarios[j].name))
				continue;
			found = 1;
			ran++;
			failed += run(&scenarios[j]);
		}
		if (!found)
			die("unknown scenario %s (try: list)", argv[i]);
	}
	printf("%d scenarios, %d passed, %d failed\n", ran, ran - failed,
	       failed);
	nl_socket_free(main_sk);
	return failed ? 1 : 0;
}
