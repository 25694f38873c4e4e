// SPDX-License-Identifier: Apache-2.0
/*
 * Workload: N loopback TCP connects, one after another: socket + connect(127.0.0.1:PORT) + close.
 * A thread of the same program listens on PORT and closes every connection it accepts.
 * Prints the wall time of the client loop in ns.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void *acceptor(void *arg)
{
	int listener = *(int *)arg;

	for (;;) {
		int fd = accept(listener, NULL, NULL);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;
	int port = argc > 2 ? atoi(argv[2]) : 47111;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	/* An abortive close (RST): no TIME_WAIT left behind, so rounds of many connects never run out of ports. */
	struct linger abort_close = { .l_onoff = 1, .l_linger = 0 };
	struct timespec a, b;
	pthread_t thread;
	int one = 1;
	int listener = socket(AF_INET, SOCK_STREAM, 0);

	if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(listener, 4096) < 0 ||
	    pthread_create(&thread, NULL, acceptor, &listener) != 0) {
		perror("connectstorm: listen");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			perror("connectstorm: connect");
			return 1;
		}
		setsockopt(s, SOL_SOCKET, SO_LINGER, &abort_close, sizeof(abort_close));
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
