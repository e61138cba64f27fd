/**
 * Memory mapping: a module's pages shared with a process, the only mechanism without a copy.
 * {@link dev.kctx.mechanisms.mmap.MmapProtocol} is the protocol, {@link dev.kctx.mechanisms.mmap.Mm}
 * a process's address space and page table, {@link dev.kctx.mechanisms.mmap.VmOps} what a driver
 * installs, {@link dev.kctx.mechanisms.mmap.MmUser} the program's side (mmap, loads and stores
 * that fault on first access, munmap); {@link dev.kctx.mechanisms.mmap.MmapExample} is the seed's
 * module and programs.
 */
package dev.kctx.mechanisms.mmap;
