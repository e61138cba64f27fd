package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.vfs.FileCtx;

/**
 * struct vm_operations_struct: what a driver's mmap installs on the area. {@link #fault} runs in
 * process context of the faulting task, on its first access to a page that is not mapped yet.
 */
public interface VmOps {

    /** A page fault in the area: the page-aligned address and the page's offset in the file. */
    record VmFault(long address, long pgoff, boolean write) {
    }

    /** What the fault handler answers (vm_fault_t). */
    sealed interface FaultResult {
    }

    /** vmf->page = page, return 0: the page is mapped and the access is retried. */
    record Mapped(Page page) implements FaultResult {
    }

    /** VM_FAULT_SIGBUS: nothing backs this offset; the task gets SIGBUS (BUS_ADRERR). */
    record SigBus() implements FaultResult {
    }

    /** VM_FAULT_SIGSEGV: the task gets SIGSEGV. */
    record SigSegv() implements FaultResult {
    }

    /** vm_ops->open: a new area refers to the object (the driver counts references). */
    default void open(VmArea vma) {
    }

    /** vm_ops->close: an area went away (munmap, exit). */
    default void close(VmArea vma) {
    }

    FaultResult fault(FileCtx c, VmArea vma, VmFault vmf);
}
