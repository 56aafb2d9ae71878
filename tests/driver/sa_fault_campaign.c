// SPDX-License-Identifier: MIT
/*
 * Fault campaign (issue 11, part 4), run in a guest with a --debug-card by
 * tests/driver/run_fault_campaign.sh with shiftaccel.ko loaded:
 *
 *   sa_fault_campaign [-t SECONDS-PER-ROUND] [-p LOAD-PROCESSES]
 *
 * One round per fault, each under load from several processes
 * (sa_fault_campaign_load.c): none (the baseline), a CP hang, DMA errors,
 * lost queue interrupts, corrupt completions, an overflow of the firmware's
 * event outbox, slab allocation failures (failslab, only where the kernel
 * has it), and a plain card reset (debugfs force_reset).  Prints one table row per round (jobs
 * completed correctly / failed with a clear error / lost / duplicated / longest wait / card resets)
 * and fails when any job was lost or duplicated, or when the baseline did not get every job right.
 * Ends with "N passed, N failed". Environment: SA_FC_SECONDS, SA_FC_PROCS (defaults for the
 * options).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sa_fault_campaign.h"

#define MAX_LOADS 8
/* The overflowing file stays open past the 10 s job timeout; its round lasts longer. */
#define OVERFLOW_HOLD_S 15

enum fault {
	F_NONE,
	F_HANG_CP,
	F_DMA,
	F_LOST_IRQ,
	F_CORRUPT,
	F_EVENT_OVERFLOW,
	F_FAILSLAB,
	F_FORCE_RESET,
	F_N
};

static const char *const fault_names[F_N] = {
	[F_NONE] = "none (baseline)",
	[F_HANG_CP] = "CP hang (SA_FI_HANG_CP)",
	[F_DMA] = "DMA error (SA_FI_FAIL_NEXT_DMA)",
	[F_LOST_IRQ] = "lost interrupt (SA_FI_DROP_NEXT_QUEUE_IRQ)",
	[F_CORRUPT] = "corrupt completion (SA_FI_CORRUPT_NEXT_COMPLETION)",
	[F_EVENT_OVERFLOW] = "firmware event overflow",
	[F_FAILSLAB] = "allocation failure (failslab)",
	[F_FORCE_RESET] = "card reset under load (debugfs force_reset)",
};

struct row {
	struct fc_tally t;
	long resets;
	int injected, stuck;
	int64_t fired; /* SA_REG_FI_FIRED after the round, -1: unreadable */
	bool skipped;
};

static int passed, failed;

static void result(bool ok, const char *fmt, const char *name)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - ", ok ? "ok  " : "FAIL");
	printf(fmt, name);
	printf("\n");
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long reset_count(void)
{
	struct sa_dev d = {.fd = -1};
	char node[64];

	if (sa_find_node(node, sizeof(node), d.sysdir, sizeof(d.sysdir)))
		return -1;
	return sa_sysfs_long(&d, "reset_count");
}

/* Waits for device_state "ready" (a previous round may still be recovering). */
static bool card_ready(int timeout_s)
{
	struct sa_dev d = {.fd = -1};
	char node[64], state[32] = "";

	for (int i = 0; i < timeout_s * 10; i++) {
		if (!sa_find_node(node, sizeof(node), d.sysdir, sizeof(d.sysdir)) &&
		    !sa_sysfs_str(&d, "device_state", state, sizeof(state)) &&
		    !strcmp(state, "ready"))
			return true;
		usleep(100000);
	}
	printf("# device_state is '%s'\n", state);
	return false;
}

/* The fault-injection bit of a round (0: not the card's block). */
static uint32_t fi_bit(enum fault f)
{
	switch (f) {
	case F_HANG_CP: return SA_FI_HANG_CP;
	case F_DMA: return SA_FI_FAIL_NEXT_DMA;
	case F_LOST_IRQ: return SA_FI_DROP_NEXT_QUEUE_IRQ;
	case F_CORRUPT: return SA_FI_CORRUPT_NEXT_COMPLETION;
	default: return 0;
	}
}

/* The injection of one round, at about one second into the load. */
static int inject(enum fault f, double round_end)
{
	int n = 0;

	switch (f) {
	case F_HANG_CP: return fc_inject(SA_FI_HANG_CP) ? 0 : 1;
	/* The queues that are idle at that moment get their next jobs during the recovery. */
	case F_FORCE_RESET: return fc_debugfs_write("force_reset", "1") ? 0 : 1;
	case F_EVENT_OVERFLOW:
		n = fc_event_overflow(OVERFLOW_HOLD_S);
		printf("# %d queues of one file faulted at once\n", n);
		return n ? 1 : 0;
	case F_DMA:
	case F_LOST_IRQ:
	case F_CORRUPT:
		/* Armed again every half second: each arming fires once. */
		while (now_s() < round_end - 1) {
			n += fc_inject(fi_bit(f)) ? 0 : 1;
			usleep(500000);
		}
		return n;
	default: return 0;
	}
}

/* Reaps the load processes; those still there after the grace period are killed. */
static int reap(pid_t *pids, int n, double grace_s)
{
	double end = now_s() + grace_s;
	int left = n, stuck = 0;

	while (left && now_s() < end) {
		pid_t got = waitpid(-1, NULL, WNOHANG);

		for (int i = 0; got > 0 && i < n; i++)
			if (pids[i] == got) {
				pids[i] = 0;
				left--;
			}
		if (got <= 0)
			usleep(50000);
	}
	for (int i = 0; i < n; i++) {
		if (!pids[i])
			continue;
		printf("# load process %d still running: SIGKILL\n", pids[i]);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		stuck++;
	}
	return stuck;
}

static void run_round(enum fault f, int procs, double seconds, struct fc_shared *shared,
		      struct row *row)
{
	pid_t pids[MAX_LOADS] = {0};
	double start, end;
	long before;

	memset(row, 0, sizeof(*row));
	if (f == F_FAILSLAB && !fc_have_failslab()) {
		row->skipped = true;
		return;
	}
	printf("# round: %s\n", fault_names[f]);
	fflush(stdout);
	card_ready(60);
	memset(shared, 0, sizeof(*shared));
	before = reset_count();
	fc_fi_fired(); /* clears what earlier rounds left */
	if (f == F_FAILSLAB && fc_failslab_setup(true))
		printf("# failslab setup failed\n");
	for (int i = 0; i < procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			fc_load_run(shared, (uint32_t)i, f == F_FAILSLAB);
			_exit(0);
		}
	}
	start = now_s();
	end = start + (f == F_EVENT_OVERFLOW && seconds < OVERFLOW_HOLD_S + 5 ? OVERFLOW_HOLD_S + 5
									      : seconds);
	usleep(1000000);
	row->injected = inject(f, end);
	while (now_s() < end)
		usleep(100000);
	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELAXED);
	/* Every waiter may take FC_LOST_AFTER_NS, and a queue may be re-created once. */
	row->stuck = reap(pids, procs, 2.0 * FC_LOST_AFTER_NS / 1e9 + 20);
	if (f == F_FAILSLAB)
		fc_failslab_setup(false);
	row->fired = fc_fi_fired();
	row->t = shared->t;
	/* failslab has nothing to arm: it shows in the -ENOMEM the load saw. */
	if (f == F_FAILSLAB) {
		row->injected = (int)row->t.alloc_refused;
		printf("# %d buffer or queue set-ups refused under failslab\n", row->injected);
	}
	row->resets = reset_count() - before;
}

static void print_table(const struct row *rows)
{
	printf("#\n# %-52s %6s %6s %8s %7s %6s %5s %4s %9s %6s\n", "fault", "jobs", "ok", "failed",
	       "unclear", "wrong", "lost", "dup", "longest", "resets");
	for (int f = 0; f < F_N; f++) {
		const struct row *r = &rows[f];

		if (r->skipped) {
			printf("# %-52s n/a (kernel lacks failslab)\n", fault_names[f]);
			continue;
		}
		printf("# %-52s %6llu %6llu %8llu %7llu %6llu %5llu %4llu %8.2fs %6ld\n",
		       fault_names[f], (unsigned long long)r->t.jobs, (unsigned long long)r->t.ok,
		       (unsigned long long)r->t.failed, (unsigned long long)r->t.unclear,
		       (unsigned long long)r->t.wrong, (unsigned long long)r->t.lost,
		       (unsigned long long)r->t.duplicated, r->t.longest_ns / 1e9, r->resets);
	}
	printf("# failed: -EIO (or refused) with a queue state and reason from STATUS; unclear: "
	       "an\n"
	       "# error without one; wrong: the wait said done but the fence or the data was not\n"
	       "# the job's; lost: no answer within %lld s; dup: a job's effect seen again after\n"
	       "# it finished, or its fence going back.\n#\n",
	       FC_LOST_AFTER_NS / 1000000000);
}

int main(int argc, char **argv)
{
	const char *e = getenv("SA_FC_SECONDS");
	double seconds = e && *e ? atof(e) : 8;
	int procs = getenv("SA_FC_PROCS") ? atoi(getenv("SA_FC_PROCS")) : 3, opt;
	struct row rows[F_N];
	struct fc_shared *shared;

	while ((opt = getopt(argc, argv, "t:p:")) != -1) {
		if (opt == 't')
			seconds = atof(optarg);
		else if (opt == 'p')
			procs = atoi(optarg);
		else
			return 2;
	}
	if (procs < 1 || procs > MAX_LOADS || seconds < 3) {
		fprintf(stderr, "sa_fault_campaign: 1..%d load processes, rounds >= 3 s\n",
			MAX_LOADS);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (shared == MAP_FAILED)
		return 1;
	printf("# fault campaign: %d load processes, %.0f s per round\n", procs, seconds);
	for (int f = 0; f < F_N; f++)
		run_round((enum fault)f, procs, seconds, shared, &rows[f]);
	print_table(rows);
	for (int f = 0; f < F_N; f++) {
		const struct row *r = &rows[f];

		if (r->skipped)
			continue;
		result(r->t.setup_errors == 0 && r->stuck == 0,
		       "%s: every load process set up and exited", fault_names[f]);
		result(f == F_NONE || r->injected > 0, "%s: injected", fault_names[f]);
		if (fi_bit(f) && r->fired >= 0)
			result((r->fired & fi_bit(f)) != 0,
			       "%s: SA_REG_FI_FIRED shows it took effect", fault_names[f]);
		result(r->t.lost == 0, "%s: no job lost", fault_names[f]);
		result(r->t.duplicated == 0, "%s: no job duplicated", fault_names[f]);
		if (f == F_NONE)
			result(r->t.jobs > 0 && r->t.ok == r->t.jobs,
			       "%s: every job completed correctly", fault_names[f]);
	}
	result(card_ready(60), "%s", "the card is ready after the campaign");
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
