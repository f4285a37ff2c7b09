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
 *
 * Also, getaddrinfo() of an endpoint name of the stand-in (one under
 * AWSIM_DOMAIN, started with --endpoint-names) answers the address listed
 * for it in the file AWSIM_HOSTS ("address name" lines, rewritten by the
 * stand-in whenever an instance's address changes, e.g. at a Multi-AZ
 * failover): the name stays, the address behind it moves, as with RDS's
 * DNS.  Read at every call, so no answer is cached.  A name under the
 * domain that the file does not list is EAI_NONAME, never a real DNS query.
 * Preloaded into mariadbd (a replica's I/O thread resolves its source's
 * name) and, by tests, into clients.
 */
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
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

#define AWSIM_DOMAIN ".awsim.test"

typedef int (*getaddrinfo_fn)(const char *, const char *,
    const struct addrinfo *, struct addrinfo **);

/* 1 when name is AWSIM_DOMAIN or under it (a trailing dot allowed). */
static int
under_domain(const char *name, size_t *len)
{
	size_t n = strlen(name), d = strlen(AWSIM_DOMAIN);

	if (n > 0 && name[n - 1] == '.')
		n--;
	*len = n;
	return n > d && strncasecmp(name + n - d, AWSIM_DOMAIN, d) == 0;
}

/* The address listed for name (len bytes) in AWSIM_HOSTS into ip; 0 if found. */
static int
hosts_lookup(const char *name, size_t len, char *ip, size_t iplen)
{
	const char *path = getenv("AWSIM_HOSTS");
	char line[512], addr[64], host[400];
	FILE *f;
	int found = -1;

	if (path == NULL || (f = fopen(path, "re")) == NULL)
		return -1;
	while (found != 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%63s %399s", addr, host) == 2 &&
		    strlen(host) == len && strncasecmp(host, name, len) == 0 &&
		    strlen(addr) < iplen) {
			memcpy(ip, addr, strlen(addr) + 1);
			found = 0;
		}
	fclose(f);
	return found;
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static getaddrinfo_fn real;
	char ip[64];
	size_t len;

	if (real == NULL)
		real = (getaddrinfo_fn)dlsym(RTLD_NEXT, "getaddrinfo");
	if (node != NULL && under_domain(node, &len)) {
		if (hosts_lookup(node, len, ip, sizeof(ip)) != 0)
			return EAI_NONAME;
		node = ip;
	}
	return real(node, service, hints, res);
}
