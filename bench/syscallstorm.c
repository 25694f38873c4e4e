// SPDX-License-Identifier: Apache-2.0
/*
 * Workload: a hot syscall, N times in a tight loop: faccessat(AT_FDCWD, path, F_OK).
 * The path is what the bench policies match on (or not); prints the wall time in ns.
 * With "getppid" for the path it loops on getppid(2) instead: the cheapest unrelated
 * syscall, so a hook's fixed cost per syscall stands out of the noise.
 * A third argument paces the loop at that many calls a second (sleeping between batches
 * when ahead), for the highest rate a consumer sustains rather than the fastest burst.
 */
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1000

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	const char *path = argc > 2 ? argv[2] : "/tmp/tetragon-bench-hot";
	long rate = argc > 3 ? atol(argv[3]) : 0;
	int ppid = strcmp(path, "getppid") == 0;
	long long start = now_ns();

	for (long done = 0; done < n;) {
		long batch = n - done < BATCH ? n - done : BATCH;

		if (ppid)
			for (long i = 0; i < batch; i++)
				syscall(SYS_getppid);
		else
			for (long i = 0; i < batch; i++)
				syscall(SYS_faccessat, AT_FDCWD, path, F_OK);
		done += batch;
		if (rate > 0) {
			long long due = start + done * 1000000000LL / rate, ahead = due - now_ns();

			if (ahead > 0) {
				struct timespec t = { ahead / 1000000000LL, ahead % 1000000000LL };

				nanosleep(&t, NULL);
			}
		}
	}
	printf("%lld\n", now_ns() - start);
	return 0;
}
