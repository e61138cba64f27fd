package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.mmap.MmapFileOps;
import dev.kctx.mechanisms.mmap.VmArea;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.UserPtr;

/**
 * A character device's file operations as chrdev_open installs them: every open, read, write, seek
 * and release is a {@link ChrdevProtocol} request that {@link #handle} hands to the {@code driver}'s
 * operations; ioctl and mmap go to the driver directly (their own protocols). A driver's error
 * (KernelError) answers as {@link ChrdevProtocol.Error}.
 */
public record CdevFile(FileOps driver) implements MmapFileOps {

    @Override
    public String owner() {
        return driver.owner();
    }

    @Override
    public void open(FileCtx c, OpenFile f) {
        answer(handle(c, f, new ChrdevProtocol.Open()));
    }

    @Override
    public IoResult read(FileCtx c, OpenFile f, int count) {
        return io(handle(c, f, new ChrdevProtocol.Read(count)));
    }

    @Override
    public IoResult write(FileCtx c, OpenFile f, byte[] data) {
        return io(handle(c, f, new ChrdevProtocol.Write(data)));
    }

    @Override
    public long llseek(FileCtx c, OpenFile f, long offset, int whence) {
        return ((ChrdevProtocol.Position) answer(handle(c, f, new ChrdevProtocol.Seek(offset, whence)))).pos();
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

    @Override
    public void release(FileCtx c, OpenFile f) {
        answer(handle(c, f, new ChrdevProtocol.Release()));
    }

    /** The driver's side of {@link ChrdevProtocol}. */
    public ChrdevProtocol.Reply handle(FileCtx c, OpenFile f, ChrdevProtocol.Request r) {
        try {
            if (r instanceof ChrdevProtocol.Open) {
                driver.open(c, f);
                return new ChrdevProtocol.Done();
            } else if (r instanceof ChrdevProtocol.Read rd) {
                return reply(driver.read(c, f, rd.count()));
            } else if (r instanceof ChrdevProtocol.Write w) {
                return reply(driver.write(c, f, w.data()));
            } else if (r instanceof ChrdevProtocol.Seek s) {
                return new ChrdevProtocol.Position(driver.llseek(c, f, s.offset(), s.whence()));
            }
            driver.release(c, f);
            return new ChrdevProtocol.Done();
        } catch (KernelError e) {
            return new ChrdevProtocol.Error(e.errno());
        }
    }

    private static ChrdevProtocol.Reply reply(IoResult r) {
        if (r instanceof IoResult.WouldBlock w) {
            return new ChrdevProtocol.Blocked(w.waitQueue());
        }
        IoResult.Done d = (IoResult.Done) r;
        return new ChrdevProtocol.Transferred(d.ret(), d.data());
    }

    private static ChrdevProtocol.Reply answer(ChrdevProtocol.Reply r) {
        if (r instanceof ChrdevProtocol.Error e) {
            throw new KernelError(e.errno());
        }
        return r;
    }

    private static IoResult io(ChrdevProtocol.Reply r) {
        if (answer(r) instanceof ChrdevProtocol.Blocked b) {
            return new IoResult.WouldBlock(b.waitQueue());
        }
        ChrdevProtocol.Transferred t = (ChrdevProtocol.Transferred) r;
        return new IoResult.Done(t.ret(), t.data());
    }
}
