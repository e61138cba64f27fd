package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.OpenFile;

/**
 * The file operations of a file that can be mapped: file_operations.mmap (include/linux/fs.h),
 * kept with the memory map that calls it so that the VFS needs no VMA. A file whose operations
 * are not of this kind cannot be mapped (mmap(2): ENODEV, as do_mmap answers for a NULL ->mmap).
 */
public interface MmapFileOps extends FileOps {
    /**
     * mmap: set up {@code vma} (install its vm_ops, its private data) so that faults in it find
     * pages.
     */
    void mmap(FileCtx c, OpenFile f, VmArea vma);
}
