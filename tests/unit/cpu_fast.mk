# The fast, bit-exact conv/fc kernels of the CPU backend (cpu_fast.h) against
# the reference kernels: random layers, the int32 bound, whole models with
# SHIFTACCEL_CPU_KERNELS unset, =portable and =reference.
UNIT_TESTS += test_cpu_fast
test_cpu_fast_SRCS := tests/unit/test_cpu_fast.c tests/unit/random_tensor.c
# Single-image inference speed: reference kernels, fast kernels, PyTorch.
BENCH_SCRIPTS += bench/cpu_infer.sh
