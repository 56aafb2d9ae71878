/* SPDX-License-Identifier: MIT */
/*
 * The CPU backend: runs a validated model (model.h) node by node, either
 * with the integer kernels or on the float path (SA_DEVICE_CPU_FLOAT).  The
 * integer path gives the bytes of the reference kernels (the oracle for
 * every other backend): conv and fc layers whose accumulators provably fit
 * in int32 run the fast kernels of cpu_fast.h, everything else the
 * reference kernels.  SHIFTACCEL_CPU_KERNELS=reference (read at creation)
 * forces the reference kernels everywhere, =portable keeps the fast kernels
 * but without AVX2; unset or =auto is the default.
 *
 * Creation unpacks every weight tensor once and allocates the activation
 * buffers (shared by tensors whose lifetimes do not overlap, buffer_plan.h),
 * so a run allocates nothing.  A backend instance is not
 * thread-safe (it owns the activation buffers); the model may be shared by
 * any number of instances.
 */
#ifndef SA_CPU_BACKEND_H
#define SA_CPU_BACKEND_H

#include "model.h"

struct sa_cpu;

/*
 * float_path: 0 = integer kernels, 1 = double-precision float path.  Fails
 * with SA_ERR_INVALID_ARGUMENT for an unknown SHIFTACCEL_CPU_KERNELS value.
 */
sa_status sa_cpu_create(const struct sa_model *model, int float_path, struct sa_cpu **out);
void sa_cpu_destroy(struct sa_cpu *cpu);

/*
 * Integer path: `input` is the input tensor in the model's input dtype,
 * `output` receives the output tensor in its dtype.
 */
sa_status sa_cpu_run_quantized(struct sa_cpu *cpu, const void *input, void *output);

/* 1 when conv/fc node `node` runs a fast kernel (tests and diagnostics). */
int sa_cpu_node_is_fast(const struct sa_cpu *cpu, uint32_t node);

/*
 * Float path: `input` is the unquantised input [C][H][W]; `output` receives
 * the output tensor's real values.
 */
sa_status sa_cpu_run_float(struct sa_cpu *cpu, const float *input, float *output);

#endif /* SA_CPU_BACKEND_H */
