// SPDX-License-Identifier: MIT
/*
 * Accel figures (make bench, run inside the VM guest; never pass/fail):
 *  1. submission overhead for tiny jobs (one NOP that writes the fence):
 *     the mapped ring + doorbell against the submit ioctl, jobs per second
 *     and their ratio, both completions seen by polling the fence;
 *  2. end-to-end inferences per second for a model on the card (one at a
 *     time and pipelined batches) against the CPU backend.
 * Usage: bench_accel MODEL.dsm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/accel_device.h"

#define TINY_JOBS 2000

static double seconds(int64_t ns)
{
	return (double)ns / 1e9;
}

static int tiny_jobs(void)
{
	struct sa_device_choice first;
	struct sa_accel_dev d;
	struct sa_accel_queue q;
	struct sa_hw_desc nop;
	uint64_t v = 0;
	int64_t t0;
	double doorbell, ioctl_rate;

	if (sa_device_choose(NULL, &first) != SA_OK || sa_accel_dev_open(&d, &first) != SA_OK ||
	    sa_accel_queue_new(&d, 64, &q) != SA_OK) {
		printf("accel: no card: %s\n", sa_last_error());
		return -1;
	}
	memset(&nop, 0, sizeof(nop));
	nop.opcode = SA_OP_NOP;
	nop.flags = SA_DESC_F_FENCE;
	nop.fence_addr = q.hw.fence.va;
	t0 = sa_accel_now_ns();
	for (int i = 0; i < TINY_JOBS; i++) {
		nop.fence_value = ++v;
		sa_accel_queue_push(&q, &nop, 1);
		while (sa_accel_queue_fence(&q) < v) {
			/* poll: this measures submission, not sleeping */
		}
	}
	doorbell = TINY_JOBS / seconds(sa_accel_now_ns() - t0);

	nop.opcode = SA_OP_NOP;
	nop.flags = 0;
	nop.fence_addr = 0;
	nop.fence_value = 0;
	t0 = sa_accel_now_ns();
	for (int i = 0; i < TINY_JOBS; i++) {
		if (sa_drm_queue_submit(d.fd, &q.hw, &nop, 1, ++v, 0) != 0) {
			printf("accel: submit ioctl failed\n");
			break;
		}
		while (sa_accel_queue_fence(&q) < v) {
			/* poll: this measures submission, not sleeping */
		}
	}
	ioctl_rate = TINY_JOBS / seconds(sa_accel_now_ns() - t0);
	printf("tiny jobs (1 NOP + fence, %d each, polled): doorbell %.0f jobs/s, submit ioctl "
	       "%.0f jobs/s, ratio %.2f\n",
	       TINY_JOBS, doorbell, ioctl_rate, doorbell / ioctl_rate);
	sa_accel_queue_free(&d, &q);
	sa_accel_dev_close(&d);
	return 0;
}

/* Inferences per second of n runs on one device; batch > 1 uses the pipelined call. */
static double rate(sa_model *m, sa_device_kind dev, size_t in_bytes, size_t out_bytes, int n,
		   int batch)
{
	sa_session *s = NULL;
	uint8_t *in = calloc((size_t)batch, in_bytes), *out = malloc((size_t)batch * out_bytes);
	double r = 0;
	int64_t t0;
	sa_status st;

	st = in && out ? sa_session_create(m, dev, &s) : SA_ERR_NO_MEMORY;
	t0 = sa_accel_now_ns();
	for (int i = 0; st == SA_OK && i < n; i += batch)
		st = batch > 1 ? sa_session_run_batch_quantized(s, (size_t)batch, in, out)
			       : sa_session_run_quantized(s, in, out);
	if (st == SA_OK)
		r = n / seconds(sa_accel_now_ns() - t0);
	else
		printf("accel: %s\n", sa_last_error());
	sa_session_destroy(s);
	free(in);
	free(out);
	return r;
}

int main(int argc, char **argv)
{
	struct sa_model_info info;
	sa_model *m = NULL;
	size_t in_bytes, out_bytes;
	double cpu, card, piped;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_accel MODEL.dsm\n");
		return 2;
	}
	if (tiny_jobs() != 0)
		return 0;
	if (sa_model_open(argv[1], &m) != SA_OK || sa_model_get_info(m, &info) != SA_OK) {
		printf("accel: %s\n", sa_last_error());
		return 0;
	}
	in_bytes = (size_t)info.input_c * info.input_h * info.input_w *
		   (info.input_dtype == SA_DTYPE_I16 ? 2 : 1);
	out_bytes = (size_t)info.num_outputs * (info.output_dtype == SA_DTYPE_I16 ? 2 : 1);
	cpu = rate(m, SA_DEVICE_CPU, in_bytes, out_bytes, 200, 1);
	card = rate(m, SA_DEVICE_ACCEL, in_bytes, out_bytes, 200, 1);
	piped = rate(m, SA_DEVICE_ACCEL, in_bytes, out_bytes, 200, 8);
	printf("%s: CPU %.0f inferences/s, card %.0f/s one at a time, %.0f/s pipelined "
	       "(batches of 8); card/CPU %.2f (emulated card under TCG: not silicon)\n",
	       argv[1], cpu, card, piped, cpu > 0 ? piped / cpu : 0.0);
	sa_model_close(m);
	return 0;
}
