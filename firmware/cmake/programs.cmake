# The firmware programs, one ELF each (NVR_FIRMWARE_DIR/<name>.elf). Read by both sides of
# firmware/CMakeLists.txt: the host side declares the ELF files as byproducts of the firmware
# target, the firmware side builds them. A new program is added here and in its folder's
# CMakeLists.txt (see firmware/README.md).
set(NVR_FIRMWARE_TESTS hello irq traps selftest exitcode npu npu_kernels nvr_switch workload_image debugee spin)
set(NVR_FIRMWARE_BENCHES compute)
# Workload programs (issue #8): firmware/workloads/<name>, run by `nvr-vp --workload <name>` with
# the data image of the same name.
set(NVR_FIRMWARE_WORKLOADS llm occ det)
# Further ELF files a workload folder builds: variants with an image of their own (the same
# source; the image says which variant runs).
set(NVR_FIRMWARE_WORKLOAD_VARIANTS llm_sparse occ_panoptic)
set(NVR_FIRMWARE_PROGRAMS ${NVR_FIRMWARE_TESTS} ${NVR_FIRMWARE_BENCHES} ${NVR_FIRMWARE_WORKLOADS}
                          ${NVR_FIRMWARE_WORKLOAD_VARIANTS})
