# shiftaccel-info tests: on the host (no card: the "no card on the PCI bus"
# verdict, exit 3, valid --json) and in a guest with two cards (no driver,
# failed probe, usable cards checked field by field against sysfs, a forced
# reset, permission denied).  One by hand:
#   make BUILD=build/info all module driver-firmware
#   SA_BUILD=build/info tools/vmrun --cards 2 -- bash tests/info/test_info_vm.sh
CHECK_SCRIPTS += tests/info/test_info_host.sh
VM_TESTS += tests/info/test_info_vm.sh
test_info_vm_VMFLAGS := --cards 2
vmcheck: module driver-firmware
DEPS_PACKAGES += python3 util-linux
