package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.Errno;

/**
 * The memory-mapping protocol between a process, its address space ({@link Mm}) and the driver
 * whose file it maps. mmap and munmap are system calls (process context); loads and stores are
 * plain user-mode accesses that involve the kernel only when they fault; the fault is handled in
 * process context of the faulting task, by the area's vm_ops.
 */
public sealed interface MmapProtocol {

    sealed interface Request extends MmapProtocol {
    }

    sealed interface Reply extends MmapProtocol {
    }

    /** User process, syscall mmap(NULL, length, prot, flags, fd, offset): MAP_SHARED file mappings and MAP_PRIVATE|MAP_ANONYMOUS memory. */
    record Mmap(int fd, long length, int prot, int flags, long offset) implements Request {
    }

    /** User process, syscall munmap(addr, length). */
    record Munmap(long addr, long length) implements Request {
    }

    /** User mode, no kernel: read {@code length} bytes at addr. */
    record Load(long addr, int length) implements Request {
    }

    /** User mode, no kernel: read the C string at addr. */
    record LoadString(long addr) implements Request {
    }

    /** User mode, no kernel: write bytes at addr. */
    record Store(long addr, byte[] bytes) implements Request {
        public Store {
            bytes = bytes.clone();
        }
    }

    /** The MMU to the kernel (an exception, process context of the task): the access at addr missed. */
    record Fault(long addr, boolean write) implements Request {
    }

    /** Answer to Mmap: where the area starts. */
    record Mapped(long addr) implements Reply {
    }

    /** Answer to Munmap and Store. */
    record Done() implements Reply {
    }

    /** Answer to Load and LoadString. */
    record Loaded(byte[] bytes) implements Reply {
        public Loaded {
            bytes = bytes.clone();
        }
    }

    /** Answer to an access: the page at addr is not mapped (or not for this access): fault first. */
    record NeedsFault(long addr, boolean write) implements Reply {
    }

    /** Answer to Fault: the page is mapped now; the access is retried. */
    record PageIn(long addr, Page page) implements Reply {
    }

    /** Answer to Fault: the access cannot succeed; the kernel forces {@code sig} with {@code code} on the task. */
    record Signal(int sig, int code, long addr) implements Reply {
    }

    /** mmap/munmap failures: EBADF, EINVAL (zero length, misalignment), EACCES (file mode), ENODEV (no mmap), or the driver's. */
    record Error(Errno errno) implements Reply {
    }
}
