package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.vfs.OpenFile;

/** struct vm_area_struct: [start, end) of a process's address space, mapping a file from page pgoff. */
public final class VmArea {
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;

    private final long start;
    private final long end;
    private final long pgoff;
    private final int prot;
    private final OpenFile file;
    private VmOps ops;
    private Object privateData;

    VmArea(long start, long end, long pgoff, int prot, OpenFile file) {
        this.start = start;
        this.end = end;
        this.pgoff = pgoff;
        this.prot = prot;
        this.file = file;
    }

    /** The same mapping for part of the range (what __split_vma leaves). */
    VmArea slice(long from, long to) {
        VmArea v = new VmArea(from, to, pgoff + (from - start) / Page.PAGE_SIZE, prot, file);
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

    public int prot() {
        return prot;
    }

    /** vma->vm_file. */
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
