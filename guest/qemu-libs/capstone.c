// libcapstone.so.4 for Isolab's QEMU: the five functions QEMU imports, each
// answering "no disassembler". Debian's QEMU links Capstone only to print
// guest instructions (-d in_asm, the monitor's x/i); the real library costs
// every QEMU process about 1.3 MiB of private memory, because the dynamic
// loader relocates its pointer tables on each start. When cs_open fails,
// QEMU prints the instruction bytes instead ("OBJD-T:" lines, ready for
// objdump), so -d in_asm and x/i lose their mnemonics and nothing else;
// Isolab uses neither.
// Built and checked against the installed QEMU by scripts/build-qemu-libs.sh
// (ARCHITECTURE.md, "QEMU's memory").
#include <stdbool.h>
#include <stddef.h>

// capstone.h's values: the handle is a size_t, errors are an enum.
enum { CS_ERR_ARCH = 2, CS_ERR_HANDLE = 4 };

int cs_open(int arch, int mode, size_t *handle) {
  (void)arch;
  (void)mode;
  if (handle) *handle = 0;
  return CS_ERR_ARCH;
}

int cs_close(size_t *handle) {
  (void)handle;
  return CS_ERR_HANDLE;
}

int cs_option(size_t handle, int type, size_t value) {
  (void)handle;
  (void)type;
  (void)value;
  return CS_ERR_HANDLE;
}

void *cs_malloc(size_t handle) {
  (void)handle;
  return NULL;
}

bool cs_disasm_iter(size_t handle, const unsigned char **code, size_t *size, unsigned long *address, void *insn) {
  (void)handle;
  (void)code;
  (void)size;
  (void)address;
  (void)insn;
  return false;
}
