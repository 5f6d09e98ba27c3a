/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the selftest helpers: move the calling process into a network
 * namespace, given as a name under /run/netns or as a path. The including
 * file defines die() first.
 */
#ifndef SVCNAT_SELFTEST_NETNS_H
#define SVCNAT_SELFTEST_NETNS_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void enter_netns(const char *ns)
{
	char path[4096];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		die("setns %s: %s", path, strerror(errno));
	close(fd);
}

#endif
