/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TUN device of --tun (tun.h). */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The kernel's struct in6_ifreq (linux/ipv6.h clashes with netinet/in.h). */
struct cl_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

int cl_tun_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int cl_tun_configure(const char *name, const uint8_t ll[16], unsigned mtu)
{
	struct cl_in6_ifreq r6;
	struct ifreq ifr;
	int rc = 0, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(fd, SIOCSIFMTU, &ifr) < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		goto fail;
	memset(&r6, 0, sizeof(r6));
	memcpy(&r6.addr, ll, 16);
	r6.prefixlen = 64;
	r6.ifindex = ifr.ifr_ifindex;
	/* the address again (a renegotiation) is not an error */
	if (ioctl(fd, SIOCSIFADDR, &r6) < 0 && errno != EEXIST)
		goto fail;
	close(fd);
	return 0;
fail:
	rc = -errno;
	close(fd);
	return rc;
}
