package dev.kctx.mechanisms.kernfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A sysfs attribute's file operations (fs/sysfs/file.c, fs/kernfs/file.c, Linux 6.6), for an
 * attribute of a kobject whose sysfs_ops have both show and store (kobj_sysfs_ops, as every
 * kobject kctx models): opening for write without a write bit in the attribute's mode, or for
 * read without a read bit, fails with EACCES even for root (kernfs_fop_open checks the mode
 * itself); an attribute with the bits but without its own store (or show) opens, and the write
 * (or read) fails with EIO (kobj_attr_store, kobj_attr_show). show() fills one page: a count of
 * PAGE_SIZE or more is logged as a bad count and cut to PAGE_SIZE-1 (sysfs_kf_seq_show). A write
 * hands store() at most PAGE_SIZE bytes (kernfs_fop_write_iter: min(count, PAGE_SIZE), NUL added
 * after them) and returns what store returned, moving the file position by it; a writer that
 * loops on short writes sends the rest in a second store(). (Before 3.14 a write was cut at
 * PAGE_SIZE-1.) A read from offset 0 calls show() again, as seq_read restarts there. Once the
 * attribute is removed, files still open on it fail with ENODEV (kernfs_get_active).
 */
public final class SysfsAttribute implements FileProtocol.Attribute {
    public static final int PAGE_SIZE = 4096;

    private final String owner;
    private final String showSymbol;
    private final int mode;
    private final Function<FileCtx, String> show;
    private final BiFunction<FileCtx, String, Long> store;
    private boolean removed;

    /**
     * @param owner the module that owns the attribute (null for the kernel)
     * @param mode  the attribute's mode, e.g. 0644
     * @param show  fills the page, or null for a write-only attribute
     * @param store parses a write and returns the count consumed (or throws KernelError), or null for read-only
     */
    public SysfsAttribute(String owner, int mode, Function<FileCtx, String> show, BiFunction<FileCtx, String, Long> store) {
        this(owner, null, mode, show, store);
    }

    /** The same, with the show method's symbol as the kernel prints it (%pS), e.g. {@code value_show [mod]}. */
    public SysfsAttribute(String owner, String showSymbol, int mode, Function<FileCtx, String> show,
                          BiFunction<FileCtx, String, Long> store) {
        this.owner = owner;
        this.showSymbol = showSymbol;
        this.mode = mode;
        this.show = show;
        this.store = store;
    }

    @Override
    public String owner() {
        return owner;
    }

    /** kernfs_remove: files still open on the attribute get ENODEV from now on. */
    public void deactivate() {
        removed = true;
    }

    /**
     * The attribute's side of {@link FileProtocol} ({@link FileProtocol.Attribute}): Open checks the
     * mode, Read is show() (the page it filled), Write is store(). The failures: EACCES (open
     * against the mode), EIO (no show or no store), ENODEV (attribute removed); the callbacks' own
     * errors (KernelError) go through.
     */
    @Override
    public FileProtocol.Reply opened(OpenFile f) {
        if (f.writable() && (mode & 0222) == 0) {
            return new FileProtocol.Error(Errno.EACCES);
        }
        if (f.readable() && (mode & 0444) == 0) {
            return new FileProtocol.Error(Errno.EACCES);
        }
        return new FileProtocol.Done();
    }

    @Override
    public FileProtocol.Reply show(FileCtx c, OpenFile f, int count) {
        if (removed) {
            return new FileProtocol.Error(Errno.ENODEV);
        }
        if (f.privateData() == null || f.pos() == 0) {
            if (show == null) {
                // kobj_attr_show: -EIO when the attribute has no show.
                return new FileProtocol.Error(Errno.EIO);
            }
            byte[] page = show.apply(c).getBytes(StandardCharsets.UTF_8);
            if (page.length >= PAGE_SIZE) {
                c.printk("fill_read_buffer: " + (showSymbol == null ? "show" : showSymbol) + " returned bad count");
                page = Arrays.copyOf(page, PAGE_SIZE - 1);
            }
            f.setPrivateData(page);
        }
        byte[] page = (byte[]) f.privateData();
        int from = (int) Math.min(f.pos(), page.length);
        int n = Math.min(count, page.length - from);
        byte[] out = Arrays.copyOfRange(page, from, from + n);
        f.setPos(from + n);
        return FileProtocol.Transferred.read(c.copyToUser(out));
    }

    @Override
    public FileProtocol.Reply store(FileCtx c, OpenFile f, byte[] data) {
        if (removed) {
            return new FileProtocol.Error(Errno.ENODEV);
        }
        if (data.length == 0) {
            return FileProtocol.Transferred.written(0);
        }
        if (store == null) {
            // kobj_attr_store: -EIO when the attribute has no store.
            return new FileProtocol.Error(Errno.EIO);
        }
        byte[] in = c.copyFromUser(Arrays.copyOf(data, Math.min(data.length, PAGE_SIZE)));
        long consumed = store.apply(c, new String(in, StandardCharsets.UTF_8));
        if (consumed > 0) {
            f.setPos(f.pos() + consumed);
        }
        return FileProtocol.Transferred.written(consumed);
    }
}
