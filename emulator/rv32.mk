# The RV32IM interpreter of the card's control processor (docs/rv32im.md).
# The card model and its tests link EMU_SRCS; the emulator is not part of
# libshiftaccel.a.  Fragments must add to EMU_SRCS with +=.
RV32_SRCS := emulator/rv32/rv32.c emulator/rv32/rv32_decode.c emulator/rv32/rv32_csr.c
EMU_SRCS += $(RV32_SRCS)
