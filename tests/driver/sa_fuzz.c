// SPDX-License-Identifier: MIT
/*
 * In-guest ioctl and ring fuzzer for shiftaccel.ko (issue 11, part 3); run
 * by tests/driver/run_fuzz.sh with the module loaded.
 *
 *   sa_fuzz [-t SECONDS] [-s SEED] [-p PROCESSES] [-T THREADS]
 *
 * Several processes, each with several threads, run random operations
 * (sa_fuzz_ops.c) until the deadline; then every process must exit, the
 * kernel log must hold no warning, the card must be ready, a fresh process
 * must get a known conv and fence right, and the card's live-object
 * counters must be back at their values before the run.  Prints the
 * operations run per kind and ends with "N passed, N failed".
 * Environment: SA_FUZZ_SECONDS, SA_FUZZ_SEED, SA_FUZZ_PROCS, SA_FUZZ_THREADS
 * (defaults for the options), and for local runs only, to get past bugs
 * already known (issue 11): SA_FUZZ_SKIP_VA_END=1 leaves out address and
 * size arguments at or past the end of the VA space (they hang the kernel),
 * SA_FUZZ_SKIP_BIG_BO=1 BOs over 1 MiB (mapping one page pins the whole BO: memory runs out).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sa_fuzz.h"

#define MAX_PROCS FZ_MAX_PROCS
#define MAX_THREADS FZ_MAX_THREADS

static int passed, failed;

static void result(bool ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - %s\n", ok ? "ok  " : "FAIL", what);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

struct worker {
	struct fz_proc *p;
	int32_t *in_call;
	struct fz_rng rng;
	double deadline;
	volatile int done;
};

static void *thread_main(void *arg)
{
	struct worker *w = arg;

	fz_in_call = w->in_call;
	while (!__atomic_load_n(&w->p->shared->stop, __ATOMIC_RELAXED) && now_s() < w->deadline)
		fz_step(w->p, &w->rng);
	w->done = 1;
	return NULL;
}

/* One fuzzing process; its exit status says whether it could set up. */
/*
 * The attacker is an unprivileged user: without CAP_IPC_LOCK, under a
 * locked-memory limit, the driver's charge of every buffer applies (root is
 * exempt and could pin the guest's memory away, which the driver allows).
 */
static void run_process(uint32_t index, struct fz_shared *shared, uint64_t seed, int threads,
			double deadline, bool skip_va_end, bool skip_big_bo)
{
	static struct fz_proc p;
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int ret, stuck = 0;

	ret = sa_become_unprivileged(FZ_MEMLOCK_BYTES);
	if (ret) {
		printf("# process %u: cannot drop CAP_IPC_LOCK: %s\n", index, strerror(-ret));
		_exit(2);
	}
	ret = fz_proc_init(&p, index, shared, skip_va_end, skip_big_bo);
	if (ret) {
		printf("# process %u: cannot open the card: %s\n", index, strerror(-ret));
		_exit(2);
	}
	for (int t = 0; t < threads; t++) {
		w[t] = (struct worker){
			.p = &p, .deadline = deadline, .in_call = &shared->in_call[index][t]};
		w[t].rng.s = (seed ^ ((uint64_t)index << 40) ^ ((uint64_t)t << 32)) *
				     0x9e3779b97f4a7c15ull |
			     1;
		pthread_create(&tid[t], NULL, thread_main, &w[t]);
	}
	/* A thread may sit in a WAIT with an endless timeout: exiting must still work. */
	for (int t = 0; t < threads; t++) {
		while (!w[t].done && now_s() < deadline + 10)
			usleep(20000);
		if (w[t].done)
			pthread_join(tid[t], NULL);
		else
			stuck++;
	}
	fz_proc_check_other(&p);
	if (stuck)
		printf("# process %u: %d thread(s) still in a call at the deadline, exiting "
		       "anyway\n",
		       index, stuck);
	fflush(stdout);
	_exit(0);
}

/* Reaps the workers; kills what is left after grace_s.  Returns how many never exited. */
static int reap(pid_t *pids, int n, double grace_s, double start, int *setup_failures, int *died)
{
	double end = now_s() + grace_s;
	int left = n, status, never = 0;
	bool killed = false;

	while (left) {
		pid_t got = waitpid(-1, &status, WNOHANG);

		if (got > 0) {
			for (int i = 0; i < n; i++) {
				if (pids[i] == got) {
					pids[i] = 0;
					left--;
					if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
						(*setup_failures)++;
					else if (!WIFEXITED(status) || WEXITSTATUS(status))
						(*died)++;
					if (WIFSIGNALED(status))
						printf("# process %d died of signal %d at %.0f s\n",
						       got, WTERMSIG(status), now_s() - start);
				}
			}
			continue;
		}
		if (now_s() > end) {
			if (killed)
				break;
			for (int i = 0; i < n; i++)
				if (pids[i]) {
					printf("# process %d did not exit: SIGKILL\n", pids[i]);
					kill(pids[i], SIGKILL);
				}
			killed = true;
			end = now_s() + 30;
		}
		usleep(20000);
	}
	for (int i = 0; i < n; i++) {
		char path[64], wchan[128] = "";
		FILE *f;

		if (!pids[i])
			continue;
		never++;
		snprintf(path, sizeof(path), "/proc/%d/wchan", pids[i]);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(wchan, sizeof(wchan), f))
				wchan[0] = 0;
			fclose(f);
		}
		printf("# process %d cannot exit even after SIGKILL (wchan %s)\n", pids[i], wchan);
	}
	return never;
}

static void report(const struct fz_shared *s, double seconds)
{
	uint64_t total = 0;

	printf("# %-16s %10s %10s %9s\n", "operation", "runs", "succeeded", "per s");
	for (int i = 0; i < FZ_OP_COUNT; i++) {
		printf("# %-16s %10llu %10llu %9.0f\n", fz_op_name(i),
		       (unsigned long long)s->count[i].ops, (unsigned long long)s->count[i].ok,
		       s->count[i].ops / seconds);
		total += s->count[i].ops;
	}
	printf("# %-16s %10llu %10s %9.0f\n", "total", (unsigned long long)total, "",
	       total / seconds);
}

/* A /proc/meminfo field in MiB (-1 if absent): the run must not eat the guest's memory. */
static long meminfo_mib(const char *field)
{
	char line[128], name[64];
	long kib = -1, v;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %ld kB", name, &v) == 2 && !strcmp(name, field))
			kib = v;
	if (f)
		fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

/* What ran in the last period, when memory fell by more than 100 MiB in it. */
static void print_ops_since(const struct fz_shared *s, struct fz_count *last)
{
	printf("# operations in the last period:");
	for (int i = 0; i < FZ_OP_COUNT; i++)
		printf(" %s %llu/%llu", fz_op_name(i),
		       (unsigned long long)(s->count[i].ok - last[i].ok),
		       (unsigned long long)(s->count[i].ops - last[i].ops));
	printf("\n");
}

/* Which call each thread is in, when the operation count stops moving or memory falls. */
static void print_stalled(const struct fz_shared *s, long procs, long threads)
{
	for (long i = 0; i < procs; i++) {
		printf("# process %ld is in:", i);
		for (long t = 0; t < threads; t++) {
			int32_t op = __atomic_load_n(&s->in_call[i][t], __ATOMIC_RELAXED);

			if (op >= FZ_IN_OP)
				printf(" op#%d", op - FZ_IN_OP);
			else
				printf(" %s", op ? fz_op_name(op - 1) : "-");
		}
		printf("\n");
	}
}

static uint64_t total_ops(const struct fz_shared *s)
{
	uint64_t total = 0;

	for (int i = 0; i < FZ_OP_COUNT; i++)
		total += __atomic_load_n(&s->count[i].ops, __ATOMIC_RELAXED);
	return total;
}

/* What the main process tracks between its notes every 10 s. */
struct progress {
	uint64_t last_total;
	struct fz_count last_counts[FZ_OP_COUNT];
	long last_avail;
	int stalls; /* notes without any operation completed since the one before */
};

/* One note: operations, memory and live objects; on a stall, where everyone is. */
static void progress_note(struct fz_shared *shared, struct progress *pr, double t,
			  const pid_t *pids, long procs, long threads, int kmsg)
{
	uint64_t total = total_ops(shared);
	long avail = meminfo_mib("MemAvailable");
	struct fz_idle live;

	fz_idle_read(&live);
	printf("# %.0f s: %llu operations; MemAvailable %ld MiB, Unevictable %ld MiB, bo_count "
	       "%ld, "
	       "pinned_pages %ld, mappings %ld, queue_count %ld, ctx_count %ld\n",
	       t, (unsigned long long)total, avail, meminfo_mib("Unevictable"), live.bo_count,
	       live.pinned_pages, live.mappings, live.queue_count, live.ctx_count);
	if (pr->last_avail >= 0 && avail >= 0 && avail < pr->last_avail - 100) {
		print_ops_since(shared, pr->last_counts);
		print_stalled(shared, procs, threads);
	}
	pr->last_avail = avail;
	memcpy(pr->last_counts, shared->count, sizeof(pr->last_counts));
	if (total == pr->last_total) {
		print_stalled(shared, procs, threads);
		if (!pr->stalls++) {
			fz_show_blocked(kmsg);
			for (long i = 0; i < procs; i++)
				fz_show_stacks(pids[i]);
		}
	}
	pr->last_total = total;
}

int main(int argc, char **argv)
{
	long seconds = env_long("SA_FUZZ_SECONDS", 60), procs = env_long("SA_FUZZ_PROCS", 4);
	long threads = env_long("SA_FUZZ_THREADS", 3);
	uint64_t seed = (uint64_t)env_long("SA_FUZZ_SEED", (long)time(NULL));
	bool skip_va_end = env_long("SA_FUZZ_SKIP_VA_END", 0) != 0;
	bool skip_big_bo = env_long("SA_FUZZ_SKIP_BIG_BO", 0) != 0;
	long note_s = env_long("SA_FUZZ_NOTE_SECONDS", 10); /* progress notes (and stall checks) */
	struct fz_idle before, after;
	pid_t pids[MAX_PROCS] = {0};
	struct fz_shared *shared;
	double start, deadline, next_note;
	struct progress prog = {.last_avail = -1};
	int opt, kmsg, warnings, setup_failures = 0, died = 0, stuck, ret;
	char what[160];

	while ((opt = getopt(argc, argv, "t:s:p:T:")) != -1) {
		switch (opt) {
		case 't': seconds = strtol(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'p': procs = strtol(optarg, NULL, 0); break;
		case 'T': threads = strtol(optarg, NULL, 0); break;
		default:
			fprintf(stderr,
				"usage: %s [-t SECONDS] [-s SEED] [-p PROCS] [-T THREADS]\n",
				argv[0]);
			return 2;
		}
	}
	if (procs < 1 || procs > MAX_PROCS || threads < 1 || threads > MAX_THREADS || seconds < 1) {
		fprintf(stderr, "sa_fuzz: 1..%d processes, 1..%d threads, >= 1 s\n", MAX_PROCS,
			MAX_THREADS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# sa_fuzz: seed %llu, %ld s, %ld processes x %ld threads%s%s\n",
	       (unsigned long long)seed, seconds, procs, threads,
	       skip_va_end ? ", SKIPPING arguments >= va_end (SA_FUZZ_SKIP_VA_END)" : "",
	       skip_big_bo ? ", SKIPPING BOs over 1 MiB (SA_FUZZ_SKIP_BIG_BO)" : "");
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (shared == MAP_FAILED)
		return 1;
	fz_idle_read(&before);
	kmsg = fz_kmsg_open();
	start = now_s();
	deadline = start + (double)seconds;
	for (long i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			run_process((uint32_t)i, shared, seed, (int)threads, deadline, skip_va_end,
				    skip_big_bo);
	}
	/* Watch the kernel log while the run goes on, so a hang leaves its trace. */
	warnings = 0;
	next_note = start + note_s;
	while (now_s() < deadline) {
		usleep(200000);
		warnings += fz_kmsg_scan(kmsg, false);
		if (now_s() >= next_note) {
			progress_note(shared, &prog, now_s() - start, pids, procs, threads, kmsg);
			next_note += note_s;
		}
	}
	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELAXED);
	stuck = reap(pids, (int)procs, 30, start, &setup_failures, &died);
	report(shared, now_s() - start);

	snprintf(what, sizeof(what), "%ld fuzzing processes set up", procs - setup_failures);
	result(setup_failures == 0, what);
	snprintf(what, sizeof(what), "every process exited (%d did not)", stuck);
	result(stuck == 0, what);
	snprintf(what, sizeof(what), "no fuzzing process died (%d did)", died);
	result(died == 0, what);
	snprintf(what, sizeof(what), "no result the contract forbids (%llu)",
		 (unsigned long long)shared->violations);
	result(shared->violations == 0, what);
	snprintf(what, sizeof(what), "operations kept completing (%d periods of 10 s without one)",
		 prog.stalls);
	result(prog.stalls == 0, what);
	result(fz_wait_ready(60) == 0, "the card is ready after the run");
	ret = fz_fresh_job();
	result(ret == 0, "a fresh process gets a known conv and fence right");
	/* Freed work (closing files, unpinning) may finish just after the processes. */
	for (int i = 0; i < 50; i++) {
		fz_idle_read(&after);
		if (!memcmp(&before, &after, sizeof(before)))
			break;
		usleep(200000);
	}
	snprintf(what, sizeof(what),
		 "idle counters back (bo_count %ld pinned_pages %ld mappings %ld queue_count %ld "
		 "ctx_count %ld)",
		 after.bo_count, after.pinned_pages, after.mappings, after.queue_count,
		 after.ctx_count);
	result(fz_idle_compare(&before, &after) == 0, what);
	warnings += fz_kmsg_scan(kmsg, false);
	snprintf(what, sizeof(what), "no kernel warning during the run (%d lines)", warnings);
	result(warnings == 0, what);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
