# The kernel driver (issue 6, docs/driver.md).
#
#   make module         build $(BUILD)/driver/shiftaccel.ko against the guest
#                       kernel's headers (tools/kernel-version.sh), with W=1 and
#                       every warning an error; kept out of plain `make`
#   make module-check   the module builds with W=1, checkpatch.pl --strict on the
#                       driver and its UAPI header, kernel-doc -Wall on the UAPI
#                       header (a tier of `make test`)
#
# kbuild writes its objects next to the sources, so the module is built in a
# shadow tree of symlinks ($(BUILD)/driver/kbuild) and the work tree stays clean.
# The guest's firmware search path is $(BUILD)/firmware (tools/vmrun), and the
# driver asks for shiftaccel/shiftaccel-fw.bin, so that name is a symlink to
# the image the firmware build makes.

SA_KVER := $(shell tools/kernel-version.sh 2>/dev/null)
SA_KDIR := /lib/modules/$(SA_KVER)/build
SA_KSRC_CACHE := $(or $(SHIFTACCEL_CACHE),/var/cache/shiftaccel)/linux-source-6.12
DRIVER_KO := $(BUILD)/driver/shiftaccel.ko
DRIVER_KBUILD := $(abspath $(BUILD)/driver/kbuild)
DRIVER_FILES := $(sort $(wildcard driver/*.c driver/*.h)) driver/Kbuild
DRIVER_FW_LINK := $(BUILD)/firmware/shiftaccel/shiftaccel-fw.bin

DEPS_PACKAGES += $(shell tools/kernel-version.sh --package 2>/dev/null) linux-source-6.12 \
	libdrm-dev xz-utils

.PHONY: module module-check driver-firmware
module: $(DRIVER_KO)
driver-firmware: $(DRIVER_FW_LINK)

$(DRIVER_KO): $(DRIVER_FILES) Kbuild $(wildcard uapi/*.h uapi/drm/*.h)
	@test -n "$(SA_KVER)" -a -d "$(SA_KDIR)" || \
		{ echo "driver: no kernel headers for '$(SA_KVER)' at $(SA_KDIR) (make deps)"; exit 1; }
	@mkdir -p $(DRIVER_KBUILD)/driver
	@ln -sfn $(CURDIR)/uapi $(DRIVER_KBUILD)/uapi
	@ln -sf $(CURDIR)/Kbuild $(DRIVER_KBUILD)/Kbuild
	@for f in $(DRIVER_FILES); do ln -sf $(CURDIR)/$$f $(DRIVER_KBUILD)/$$f; done
	@for f in $(DRIVER_KBUILD)/driver/*.[ch]; do [ -e "$$f" ] || rm -f "$$f"; done
	@echo "  KBUILD  $@ (kernel $(SA_KVER))"
	@MAKEFLAGS= $(MAKE) -j2 --no-print-directory -C $(SA_KDIR) M=$(DRIVER_KBUILD) \
		W=1 SA_WERROR=1 modules
	@cp $(DRIVER_KBUILD)/driver/shiftaccel.ko $@

$(DRIVER_FW_LINK): $(BUILD)/firmware/shiftaccel-fw.bin
	@mkdir -p $(@D)
	@ln -sf ../shiftaccel-fw.bin $@

# Also a test tier (TEST_TIERS): the driver's style and the UAPI's kernel-doc
# (every struct member documented) are checked like its behaviour.
module-check: $(DRIVER_KO)
	@bash tests/driver/kernel-src.sh >/dev/null
	@perl $(SA_KSRC_CACHE)/scripts/checkpatch.pl --strict --no-tree --quiet --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f \
		$(filter %.c %.h,$(DRIVER_FILES)) uapi/drm/shiftaccel_accel.h && \
		echo "ok - checkpatch --strict: clean"
	@perl $(SA_KSRC_CACHE)/scripts/kernel-doc -none -Wall -Werror uapi/drm/shiftaccel_accel.h && \
		echo "ok - kernel-doc: every UAPI struct member documented"
	@echo "3 passed, 0 failed"

TEST_TIERS += module-check

vmcheck: module driver-firmware
