package dev.kctx.mechanisms.sysfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A sysfs attribute's file operations. Opening for write without a write bit in the attribute's
 * mode or without a store method fails with EACCES even for root (kernfs checks the mode itself);
 * show() output is cut at PAGE_SIZE; store() sees at most PAGE_SIZE-1 bytes.
 */
public final class SysfsAttribute implements FileOps {
    public static final int PAGE_SIZE = 4096;

    private final String owner;
    private final int mode;
    private final Function<FileCtx, String> show;
    private final BiFunction<FileCtx, String, Long> store;

    /**
     * @param owner the module that owns the attribute (null for the kernel)
     * @param mode  the attribute's mode, e.g. 0644
     * @param show  fills the page, or null for a write-only attribute
     * @param store parses a write and returns the count consumed (or throws KernelError), or null for read-only
     */
    public SysfsAttribute(String owner, int mode, Function<FileCtx, String> show, BiFunction<FileCtx, String, Long> store) {
        this.owner = owner;
        this.mode = mode;
        this.show = show;
        this.store = store;
    }

    @Override
    public String owner() {
        return owner;
    }

    @Override
    public void open(FileCtx c, OpenFile f) {
        if (f.writable() && ((mode & 0222) == 0 || store == null)) {
            throw new KernelError(Errno.EACCES);
        }
        if (f.readable() && ((mode & 0444) == 0 || show == null)) {
            throw new KernelError(Errno.EACCES);
        }
    }

    @Override
    public IoResult read(FileCtx c, OpenFile f, int count) {
        if (f.privateData() == null) {
            byte[] page = show.apply(c).getBytes(StandardCharsets.UTF_8);
            f.setPrivateData(page.length > PAGE_SIZE ? Arrays.copyOf(page, PAGE_SIZE) : page);
        }
        byte[] page = (byte[]) f.privateData();
        int from = (int) Math.min(f.pos(), page.length);
        int n = Math.min(count, page.length - from);
        byte[] out = Arrays.copyOfRange(page, from, from + n);
        f.setPos(from + n);
        return IoResult.Done.read(c.copyToUser(out));
    }

    @Override
    public IoResult write(FileCtx c, OpenFile f, byte[] data) {
        byte[] in = c.copyFromUser(data);
        int len = Math.min(in.length, PAGE_SIZE - 1);
        long consumed = store.apply(c, new String(in, 0, len, StandardCharsets.UTF_8));
        return IoResult.Done.of(consumed == len ? in.length : consumed);
    }
}
