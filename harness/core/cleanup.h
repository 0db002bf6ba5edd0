/* __attribute__((cleanup)) helpers so early returns stay leak-free. */
#ifndef BENCH_CLEANUP_H
#define BENCH_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

#define cleanup_free   __attribute__((cleanup(cleanup_freep)))
#define cleanup_close  __attribute__((cleanup(cleanup_closep)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclosep)))

/* Hands ownership out of a cleanup variable: returns its value, sets it to
 * the "empty" value so the cleanup does nothing. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _v = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_v;                                                                                \
	})
#define steal_fd(pfd)                                                                              \
	({                                                                                         \
		int _fd = *(pfd);                                                                  \
		*(pfd) = -1;                                                                       \
		_fd;                                                                               \
	})

#endif
