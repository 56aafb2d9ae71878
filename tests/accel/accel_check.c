// SPDX-License-Identifier: MIT
/*
 * Card-versus-CPU checks for the accel VM test (run in the guest):
 *   accel_check compare MODEL.dsm...
 *       per model: several random inputs through sa_session_run_quantized
 *       on SA_DEVICE_ACCEL and SA_DEVICE_CPU give identical bytes, the
 *       same session run twice gives the same bytes, and SA_DEVICE_AUTO
 *       picks the card;
 *   accel_check fault MODEL.dsm FAULT_INJECT_FILE
 *       a card error during a run (the card's fault injection: the next DMA
 *       fails) is SA_ERR_DEVICE with a message, the session stays failed,
 *       and a new session computes correctly;
 *   accel_check loop MODEL.dsm
 *       prints "running", then keeps batches in flight until killed.
 * Prints "ok - ..." / "not ok - ..." and "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"

static int passed, failed;

static void report(int ok, const char *model, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s - %s: %s\n", ok ? "ok" : "not ok", model, what);
	if (!ok && sa_last_error()[0])
		printf("#   last error: %s\n", sa_last_error());
}

struct io {
	size_t in_bytes, out_bytes;
	uint8_t *in, *cpu, *card;
};

static int io_new(const sa_model *m, struct io *io)
{
	struct sa_model_info info;

	if (sa_model_get_info(m, &info) != SA_OK)
		return -1;
	io->in_bytes = (size_t)info.input_c * info.input_h * info.input_w *
		       (info.input_dtype == SA_DTYPE_I16 ? 2 : 1);
	io->out_bytes = (size_t)info.num_outputs * (info.output_dtype == SA_DTYPE_I16 ? 2 : 1);
	io->in = malloc(io->in_bytes);
	io->cpu = malloc(io->out_bytes);
	io->card = malloc(io->out_bytes);
	return io->in && io->cpu && io->card ? 0 : -1;
}

static void io_free(struct io *io)
{
	free(io->in);
	free(io->cpu);
	free(io->card);
}

/* Random bytes, but int16 inputs kept to |x| <= 2^12 so activations use their range. */
static void fill_input(struct io *io, uint32_t *seed, int i16)
{
	for (size_t i = 0; i < io->in_bytes; i++) {
		*seed = *seed * 1664525u + 1013904223u;
		io->in[i] = (uint8_t)(*seed >> 13);
		if (i16 && (i & 1))
			io->in[i] = (uint8_t)((int8_t)io->in[i] >> 3);
	}
}

/* Same bytes from the card and the CPU for `runs` inputs; 1 if all matched. */
static int same_as_cpu(sa_session *card, sa_session *cpu, struct io *io, int i16, uint32_t seed,
		       int runs)
{
	for (int r = 0; r < runs; r++) {
		fill_input(io, &seed, i16);
		memset(io->card, 0xa5, io->out_bytes);
		if (sa_session_run_quantized(cpu, io->in, io->cpu) != SA_OK ||
		    sa_session_run_quantized(card, io->in, io->card) != SA_OK)
			return 0;
		if (memcmp(io->cpu, io->card, io->out_bytes) != 0) {
			printf("#   run %d: card output differs from the CPU's\n", r);
			return 0;
		}
	}
	return 1;
}

/* 9 different inputs pipelined on the card against 9 single runs on the CPU. */
static int batch_same_as_one_at_a_time(sa_session *card, sa_session *cpu, struct io *io, int i16)
{
	enum { N = 9 };
	uint8_t *ins = malloc(N * io->in_bytes), *outs = malloc(N * io->out_bytes);
	uint32_t seed = 99;
	int ok = ins && outs;

	for (int j = 0; ok && j < N; j++) {
		fill_input(io, &seed, i16);
		memcpy(ins + j * io->in_bytes, io->in, io->in_bytes);
	}
	ok = ok && sa_session_run_batch_quantized(card, N, ins, outs) == SA_OK;
	for (int j = 0; ok && j < N; j++) {
		ok = sa_session_run_quantized(cpu, ins + j * io->in_bytes, io->cpu) == SA_OK &&
		     memcmp(io->cpu, outs + j * io->out_bytes, io->out_bytes) == 0;
		if (!ok)
			printf("#   batch element %d differs from its single run\n", j);
	}
	free(ins);
	free(outs);
	return ok;
}

static void compare(const char *path)
{
	sa_model *m = NULL;
	sa_session *card = NULL, *cpu = NULL, *autos = NULL;
	struct sa_model_info info;
	struct io io = {0};
	int ok;

	ok = sa_model_open(path, &m) == SA_OK && sa_model_get_info(m, &info) == SA_OK &&
	     io_new(m, &io) == 0;
	report(ok, path, "model loads");
	if (!ok)
		goto out;
	report(sa_session_create(m, SA_DEVICE_ACCEL, &card) == SA_OK &&
		       sa_session_device(card) == SA_DEVICE_ACCEL,
	       path, "SA_DEVICE_ACCEL session on the card");
	report(sa_session_create(m, SA_DEVICE_CPU, &cpu) == SA_OK, path, "CPU session");
	if (card && cpu) {
		int i16 = info.input_dtype == SA_DTYPE_I16;

		report(same_as_cpu(card, cpu, &io, i16, 42, 4), path,
		       "4 random inputs: card bytes identical to the CPU's");
		/* Same input again on the same session: nothing left over from the last run. */
		report(same_as_cpu(card, cpu, &io, i16, 42, 1), path, "a repeated input repeats");
		report(batch_same_as_one_at_a_time(card, cpu, &io, i16), path,
		       "a pipelined batch of 9 gives the one-at-a-time results in order");
	}
	report(sa_session_create(m, SA_DEVICE_AUTO, &autos) == SA_OK &&
		       sa_session_device(autos) == SA_DEVICE_ACCEL &&
		       sa_session_fallback_reason(autos)[0] == '\0',
	       path, "SA_DEVICE_AUTO picks the card");
out:
	sa_session_destroy(autos);
	sa_session_destroy(card);
	sa_session_destroy(cpu);
	io_free(&io);
	sa_model_close(m);
}

static int arm_fault(const char *file)
{
	FILE *f = fopen(file, "w");
	int ok = f && fprintf(f, "1\n") > 0; /* SA_FI_FAIL_NEXT_DMA */

	if (f && fclose(f) != 0)
		ok = 0;
	return ok;
}

static void fault(const char *path, const char *inject)
{
	sa_model *m = NULL;
	sa_session *card = NULL, *again = NULL, *cpu = NULL;
	struct io io = {0};
	sa_status st;

	if (sa_model_open(path, &m) != SA_OK || io_new(m, &io) != 0 ||
	    sa_session_create(m, SA_DEVICE_ACCEL, &card) != SA_OK ||
	    sa_session_create(m, SA_DEVICE_CPU, &cpu) != SA_OK) {
		report(0, path, "fault test setup");
		goto out;
	}
	report(arm_fault(inject), path, "fault injection armed");
	memset(io.in, 1, io.in_bytes);
	st = sa_session_run_quantized(card, io.in, io.card);
	printf("#   with the fault: %s: %s\n", sa_status_name(st), sa_last_error());
	report(st == SA_ERR_DEVICE && strstr(sa_last_error(), "card") != NULL, path,
	       "a card error is SA_ERR_DEVICE with a message");
	report(sa_session_run_quantized(card, io.in, io.card) == SA_ERR_DEVICE, path,
	       "the failed session keeps failing");
	report(sa_session_create(m, SA_DEVICE_ACCEL, &again) == SA_OK &&
		       same_as_cpu(again, cpu, &io, 0, 7, 2),
	       path, "a new session after the error computes correctly");
out:
	sa_session_destroy(again);
	sa_session_destroy(card);
	sa_session_destroy(cpu);
	io_free(&io);
	sa_model_close(m);
}

/* Keeps the card busy with batches until killed (the kill test); returns only on error. */
static int loop(const char *path)
{
	sa_model *m = NULL;
	sa_session *card = NULL;
	struct io io = {0};
	uint8_t *ins, *outs;

	if (sa_model_open(path, &m) != SA_OK || io_new(m, &io) != 0 ||
	    sa_session_create(m, SA_DEVICE_ACCEL, &card) != SA_OK)
		return 1;
	ins = calloc(16, io.in_bytes);
	outs = malloc(16 * io.out_bytes);
	printf("running\n");
	fflush(stdout);
	while (ins && outs && sa_session_run_batch_quantized(card, 16, ins, outs) == SA_OK) {
		/* until killed */
	}
	fprintf(stderr, "accel_check loop: %s\n", sa_last_error());
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "loop") == 0)
		return loop(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "compare") == 0) {
		for (int i = 2; i < argc; i++)
			compare(argv[i]);
	} else if (argc == 4 && strcmp(argv[1], "fault") == 0) {
		fault(argv[2], argv[3]);
	} else {
		fprintf(stderr, "usage: accel_check compare MODEL.dsm... | fault MODEL.dsm FILE\n");
		return 2;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
