/* threadpool.c — persistent workers, tasks handed out by an atomic counter. */
#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "util.h"

struct mp_pool {
	int threads;
	pthread_t *tids;
	pthread_mutex_t lock;
	pthread_cond_t start, done;
	unsigned long generation; /* bumped for each run */
	int busy;                 /* workers still inside the current run */
	int stop;
	void (*fn)(void *, size_t, int);
	void *arg;
	size_t n_tasks;
	atomic_size_t next;
};

struct worker_arg {
	struct mp_pool *pool;
	int id;
};

static void run_tasks(struct mp_pool *p, int thread)
{
	size_t t;

	while ((t = atomic_fetch_add(&p->next, 1)) < p->n_tasks)
		p->fn(p->arg, t, thread);
}

static void *worker(void *v)
{
	struct worker_arg *wa = v;
	struct mp_pool *p = wa->pool;
	int id = wa->id;
	unsigned long seen = 0;

	free(wa);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->generation == seen)
			pthread_cond_wait(&p->start, &p->lock);
		if (p->stop)
			break;
		seen = p->generation;
		pthread_mutex_unlock(&p->lock);
		run_tasks(p, id);
		pthread_mutex_lock(&p->lock);
		if (--p->busy == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct mp_pool *mp_pool_new(int threads)
{
	struct mp_pool *p = xcalloc(1, sizeof(*p));
	int i;

	if (threads < 1)
		threads = 1;
	p->threads = threads;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->start, NULL);
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->next, 0);
	p->tids = xcalloc((size_t)threads, sizeof(*p->tids));
	for (i = 1; i < threads; i++) {
		struct worker_arg *wa = xmalloc(sizeof(*wa));
		wa->pool = p;
		wa->id = i;
		if (pthread_create(&p->tids[i], NULL, worker, wa)) {
			free(wa);
			p->threads = i; /* run with what we could start */
			break;
		}
	}
	return p;
}

void mp_pool_free(struct mp_pool *p)
{
	int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);
	for (i = 1; i < p->threads; i++)
		pthread_join(p->tids[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->start);
	pthread_cond_destroy(&p->done);
	free(p->tids);
	free(p);
}

int mp_pool_threads(const struct mp_pool *p)
{
	return p ? p->threads : 1;
}

void mp_pool_run(struct mp_pool *p, size_t n_tasks, void (*fn)(void *, size_t, int), void *arg)
{
	size_t t;

	if (!p || p->threads == 1 || n_tasks <= 1) {
		for (t = 0; t < n_tasks; t++)
			fn(arg, t, 0);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->arg = arg;
	p->n_tasks = n_tasks;
	atomic_store(&p->next, 0);
	p->busy = p->threads - 1;
	p->generation++;
	pthread_cond_broadcast(&p->start);
	pthread_mutex_unlock(&p->lock);

	run_tasks(p, 0);

	pthread_mutex_lock(&p->lock);
	while (p->busy > 0)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}
