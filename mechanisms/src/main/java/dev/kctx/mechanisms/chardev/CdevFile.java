package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.mmap.MmapFileOps;
import dev.kctx.mechanisms.mmap.VmArea;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.UserPtr;

/**
 * A character device's file operations as chrdev_open installs them (fs/char_dev.c, Linux 6.6):
 * every open, read, write, seek and release is a {@link FileProtocol} request that {@link #handle}
 * forwards to the {@code driver}'s operations; ioctl and mmap go to the driver directly. A driver's
 * error (KernelError) answers as {@link FileProtocol.Error}; chrdev_open's ENXIO (no cdev, or its
 * module gone) comes before ({@link Chrdev}).
 */
public record CdevFile(FileOps driver) implements MmapFileOps, FileProtocol.Served {

    @Override
    public String owner() {
        return driver.owner();
    }

    @Override
    public long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
        return driver.ioctl(c, f, cmd, arg);
    }

    /** file_operations.mmap of the driver; ENODEV when it has none (do_mmap's answer for a NULL ->mmap). */
    @Override
    public void mmap(FileCtx c, OpenFile f, VmArea vma) {
        if (!(driver instanceof MmapFileOps m)) {
            throw new KernelError(Errno.ENODEV);
        }
        m.mmap(c, f, vma);
    }

    /** The driver's side of {@link FileProtocol}. */
    @Override
    public FileProtocol.Reply handle(FileCtx c, OpenFile f, FileProtocol.Request r) {
        try {
            return FileProtocol.forward(driver, c, f, r);
        } catch (KernelError e) {
            return new FileProtocol.Error(e.errno());
        }
    }
}
