// SPDX-License-Identifier: MIT
#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct tr_pool {
	int threads;
	pthread_t *workers;
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	/* Written under `lock`; a new generation is a new job. */
	unsigned long generation;
	int stopping;
	int running; /* workers still inside the current job */
	/* The current job. */
	tr_task_fn fn;
	void *ctx;
	int ntasks;
	atomic_int next_task;
};

struct worker_arg {
	struct tr_pool *pool;
	int thread;
};

static void run_tasks(struct tr_pool *pool, int thread)
{
	for (;;) {
		int t = atomic_fetch_add_explicit(&pool->next_task, 1, memory_order_relaxed);

		if (t >= pool->ntasks)
			break;
		pool->fn(pool->ctx, t, thread);
	}
}

static void *worker_main(void *p)
{
	struct worker_arg *arg = p;
	struct tr_pool *pool = arg->pool;
	int thread = arg->thread;
	unsigned long seen = 0;

	free(arg);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (pool->generation == seen && !pool->stopping)
			pthread_cond_wait(&pool->wake, &pool->lock);
		if (pool->stopping)
			break;
		seen = pool->generation;
		pthread_mutex_unlock(&pool->lock);
		run_tasks(pool, thread);
		pthread_mutex_lock(&pool->lock);
		if (--pool->running == 0)
			pthread_cond_signal(&pool->done);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

struct tr_pool *tr_pool_create(int threads)
{
	struct tr_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->threads = threads < 1 ? 1 : threads;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wake, NULL);
	pthread_cond_init(&pool->done, NULL);
	atomic_init(&pool->next_task, 0);
	if (pool->threads > 1) {
		pool->workers = calloc((size_t)pool->threads - 1, sizeof(*pool->workers));
		if (!pool->workers) {
			pool->threads = 1;
			tr_pool_destroy(pool);
			return NULL;
		}
	}
	for (int i = 1; i < pool->threads; i++) {
		struct worker_arg *arg = malloc(sizeof(*arg));

		if (arg) {
			arg->pool = pool;
			arg->thread = i;
		}
		if (!arg || pthread_create(&pool->workers[i - 1], NULL, worker_main, arg) != 0) {
			free(arg);
			pool->threads = i; /* only the started ones are joined */
			tr_pool_destroy(pool);
			return NULL;
		}
	}
	return pool;
}

void tr_pool_destroy(struct tr_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = 1;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 1; i < pool->threads; i++)
		pthread_join(pool->workers[i - 1], NULL);
	pthread_cond_destroy(&pool->wake);
	pthread_cond_destroy(&pool->done);
	pthread_mutex_destroy(&pool->lock);
	free(pool->workers);
	free(pool);
}

int tr_pool_threads(const struct tr_pool *pool)
{
	return pool->threads;
}

void tr_pool_run(struct tr_pool *pool, int ntasks, tr_task_fn fn, void *ctx)
{
	if (ntasks <= 0)
		return;
	if (pool->threads == 1 || ntasks == 1) {
		for (int t = 0; t < ntasks; t++)
			fn(ctx, t, 0);
		return;
	}
	pthread_mutex_lock(&pool->lock);
	pool->fn = fn;
	pool->ctx = ctx;
	pool->ntasks = ntasks;
	atomic_store_explicit(&pool->next_task, 0, memory_order_relaxed);
	pool->running = pool->threads - 1;
	pool->generation++;
	pthread_cond_broadcast(&pool->wake);
	pthread_mutex_unlock(&pool->lock);

	run_tasks(pool, 0);

	pthread_mutex_lock(&pool->lock);
	while (pool->running > 0)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}
