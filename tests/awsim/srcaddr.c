/*
 * srcaddr.c - preloaded into each stand-in mariadbd (LD_PRELOAD, built by
 * mariadb/install.py): its outgoing TCP connections to 127.0.0.0/8 leave from the
 * instance's own address, AWSIM_SOURCE_ADDRESS.
 *
 * Why: a replica's I/O thread connects to its source, and an account on the
 * source may be restricted to the replica's address, as on RDS, where an
 * instance connects from the private address its endpoint resolves to.  On
 * loopback the kernel would pick 127.0.0.1 for every server (the local
 * route's preferred source), and MariaDB has no MASTER_BIND.
 *
 * Only IPv4 stream sockets not yet bound are touched; a failed bind leaves
 * the connection as it would have been.
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);

int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	static connect_fn real;
	const struct sockaddr_in *to = (const struct sockaddr_in *)sa;
	struct sockaddr_in from, cur;
	socklen_t curlen = sizeof(cur);
	const char *src;
	int type = 0;
	socklen_t tlen = sizeof(type);

	if (real == NULL)
		real = (connect_fn)dlsym(RTLD_NEXT, "connect");
	if (sa != NULL && len >= sizeof(*to) && sa->sa_family == AF_INET &&
	    (ntohl(to->sin_addr.s_addr) >> 24) == 127 &&
	    (src = getenv("AWSIM_SOURCE_ADDRESS")) != NULL &&
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 &&
	    type == SOCK_STREAM &&
	    getsockname(fd, (struct sockaddr *)&cur, &curlen) == 0 &&
	    cur.sin_family == AF_INET && cur.sin_port == 0) {
		memset(&from, 0, sizeof(from));
		from.sin_family = AF_INET;
		if (inet_pton(AF_INET, src, &from.sin_addr) == 1)
			(void)bind(fd, (struct sockaddr *)&from, sizeof(from));
	}
	return real(fd, sa, len);
}
