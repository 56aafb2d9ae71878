# ONNX Runtime as an independent oracle (issue 12 item 6) and as a speed peer
# (issue 14): tests/ort/install-ort.sh installs the pinned npm package
# onnxruntime-node into ${SHIFTACCEL_CACHE:-/var/cache/shiftaccel}/ort-<key>
# (outside the clone), tests/ort/ort_run.js runs models with it.
#
#   make check-ort   the float path and the integer model against ONNX Runtime
#                    on +-2^k networks made by PyTorch (tests/ort/test_ort.sh);
#                    a tier of `make test`, not of `make check` (it needs npm)
TEST_TIERS += check-ort
BENCH_SCRIPTS += bench/ort_peer.sh
# Debian's nodejs; npm comes with NodeSource's nodejs, else from Debian.
DEPS_PACKAGES += nodejs python3-torch python3-onnx $(if $(shell command -v npm),,npm)
ORT_RUN_RAW := $(BUILD)/tests/sa_run_raw

$(ORT_RUN_RAW): $(BUILD)/obj/tests/ort/sa_run_raw.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: check-ort
check-ort: ensure-deps $(ORT_RUN_RAW) $(BUILD)/bin/shiftaccel-convert $(BUILD)/bin/shiftaccel-export
	@SA_BUILD=$(BUILD) tests/run-tier.sh tests/ort/test_ort.sh
