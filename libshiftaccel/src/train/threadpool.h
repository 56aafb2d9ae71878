/* SPDX-License-Identifier: MIT */
/*
 * A fixed pool of worker threads for data-parallel training steps.  The
 * calling thread takes part, so a pool of N threads starts N - 1 workers.
 * tr_pool_run() hands out task indices 0..ntasks-1 (each to exactly one
 * thread) and returns when all are done; `thread` tells the task which
 * per-thread workspace it may use.  Results must not depend on which thread
 * ran a task: that keeps training deterministic for any thread count.
 */
#ifndef TR_THREADPOOL_H
#define TR_THREADPOOL_H

typedef void (*tr_task_fn)(void *ctx, int task, int thread);

struct tr_pool;

/* NULL when out of memory or a thread cannot be started. */
struct tr_pool *tr_pool_create(int threads);
void tr_pool_destroy(struct tr_pool *pool);
int tr_pool_threads(const struct tr_pool *pool);
void tr_pool_run(struct tr_pool *pool, int ntasks, tr_task_fn fn, void *ctx);

#endif /* TR_THREADPOOL_H */
