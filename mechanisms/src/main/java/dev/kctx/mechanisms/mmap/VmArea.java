package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.vfs.OpenFile;

/**
 * struct vm_area_struct: [start, end) of a process's address space with its vm_flags, mapping a
 * file from page pgoff (a driver's file opened by the task, or the program's own binary), or
 * anonymous memory (the heap, the stack).
 */
public final class VmArea {
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;

    // vm_flags (include/linux/mm.h); VM_READ/WRITE/EXEC equal PROT_READ/WRITE/EXEC (calc_vm_prot_bits).
    public static final long VM_READ = 0x1;
    public static final long VM_WRITE = 0x2;
    public static final long VM_EXEC = 0x4;
    public static final long VM_SHARED = 0x8;
    public static final long VM_MAYREAD = 0x10;
    public static final long VM_MAYWRITE = 0x20;
    public static final long VM_MAYEXEC = 0x40;
    public static final long VM_MAYSHARE = 0x80;
    public static final long VM_GROWSDOWN = 0x100;

    private final long start;
    private final long end;
    private final long pgoff;
    private final long flags;
    private final OpenFile file;
    private final Binary binary;
    private VmOps ops;
    private Object privateData;

    /** A program's file on disk as /proc/PID/maps names it: path, device (major:minor) and inode. */
    public record Binary(String path, int major, int minor, long ino) {
    }

    /** A MAP_SHARED mapping of an open file (do_mmap: VM_SHARED|VM_MAYSHARE, plus the prot bits). */
    VmArea(long start, long end, long pgoff, int prot, OpenFile file) {
        this(start, end, pgoff, (prot & 7) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_SHARED | VM_MAYSHARE, file, null);
    }

    /** An area of the program's image ({@code binary} non-null) or anonymous memory. */
    VmArea(long start, long end, long pgoff, long flags, Binary binary) {
        this(start, end, pgoff, flags, null, binary);
    }

    private VmArea(long start, long end, long pgoff, long flags, OpenFile file, Binary binary) {
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.flags = flags;
        this.file = file;
        this.binary = binary;
    }

    /** The same mapping for part of the range (what __split_vma leaves). */
    VmArea slice(long from, long to) {
        VmArea v = new VmArea(from, to, pgoff + (from - start) / Page.PAGE_SIZE, flags, file, binary);
        v.ops = ops;
        v.privateData = privateData;
        return v;
    }

    /** The same area with another end (brk moving the heap's end, vma_expand / do_vmi_munmap of its tail). */
    VmArea withEnd(long newEnd) {
        VmArea v = new VmArea(start, newEnd, pgoff, flags, file, binary);
        v.ops = ops;
        v.privateData = privateData;
        return v;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    public long length() {
        return end - start;
    }

    public long pgoff() {
        return pgoff;
    }

    /** The access bits (PROT_READ/WRITE/EXEC) of vm_flags. */
    public int prot() {
        return (int) (flags & (VM_READ | VM_WRITE | VM_EXEC));
    }

    /** vma->vm_flags. */
    public long flags() {
        return flags;
    }

    /** The program file an image area maps (vm_file of an ELF segment), or null. */
    public Binary binary() {
        return binary;
    }

    /** vma->vm_file when it is a file the task opened (a driver's); null for image and anonymous areas. */
    public OpenFile file() {
        return file;
    }

    public VmOps ops() {
        return ops;
    }

    /** vma->vm_ops = ops. */
    public void setOps(VmOps o) {
        ops = o;
    }

    /** vma->vm_private_data. */
    public Object privateData() {
        return privateData;
    }

    public void setPrivateData(Object d) {
        privateData = d;
    }

    @Override
    public String toString() {
        return String.format("%012x-%012x pgoff %d", start, end, pgoff);
    }
}
