// SPDX-License-Identifier: Apache-2.0
/*
 * Workload: a hot syscall, N times in a tight loop: faccessat(AT_FDCWD, path, F_OK).
 * The path is what the bench policies match on (or not); prints the wall time in ns.
 * With "getppid" for the path it loops on getppid(2) instead: the cheapest unrelated
 * syscall, so a hook's fixed cost per syscall stands out of the noise.
 */
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/tetragon-bench-hot";
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (strcmp(path, "getppid") == 0)
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	else
		for (long i = 0; i < n; i++)
			syscall(SYS_faccessat, AT_FDCWD, path, F_OK);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld\n", (long long)(b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec));
	return 0;
}
