// libpmem.so.1 for Isolab's QEMU: the two functions QEMU imports. QEMU
// calls them only for guest RAM on persistent memory (memory-backend-file
// with pmem=on), which Isolab never asks for; if anything ever did, QEMU
// stops with this message rather than pretend the data reached the media.
// The real library pulls in libndctl, libdaxctl, libkmod and libcrypto,
// about 0.45 MiB of private memory in every QEMU process.
// Built and checked against the installed QEMU by scripts/build-qemu-libs.sh.
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static void no_pmem(void) {
  fputs("isolab: this QEMU runs without libpmem (guest/qemu-libs); persistent memory (pmem=on) is not supported\n", stderr);
  abort();
}

void pmem_persist(const void *addr, size_t len) {
  (void)addr;
  (void)len;
  no_pmem();
}

void *pmem_memcpy_persist(void *dst, const void *src, size_t len) {
  (void)dst;
  (void)src;
  (void)len;
  no_pmem();
  return NULL;
}
