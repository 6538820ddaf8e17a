/* threadpool.h — a fixed set of worker threads for data-parallel loops.
 *
 * mp_pool_run() hands task indices 0..n_tasks-1 to the workers and the
 * calling thread, and returns when all are done. Work that must be
 * reproducible should make each task's result depend only on its index
 * (e.g. one histogram block per task, reduced in index order afterwards),
 * never on which thread ran it. A pool of 1 thread runs everything inline. */
#ifndef MP_THREADPOOL_H
#define MP_THREADPOOL_H

#include <stddef.h>

struct mp_pool;

struct mp_pool *mp_pool_new(int threads);
void mp_pool_free(struct mp_pool *p);
int mp_pool_threads(const struct mp_pool *p);
/* fn(arg, task, thread) for every task; thread is in [0, threads). */
void mp_pool_run(struct mp_pool *p, size_t n_tasks,
		 void (*fn)(void *arg, size_t task, int thread), void *arg);

#endif
