package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.Libfs;
import dev.kctx.mechanisms.vfs.OpenFile;

import java.util.Arrays;
import java.util.List;

/**
 * The seed's character device module: a dynamic major, a kernel buffer that write() fills with
 * copy_from_user and read() returns with copy_to_user, then end of file. fops.owner is the
 * module, so an open file keeps it loaded.
 */
public final class CdevExample {
    public static final String NAME = "cdev_example";
    /** The driver's buffer size; longer writes are cut to it. */
    public static final int BUFFER = 256;

    private CdevExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), CdevExample::init, m -> m.printk("cdev example: unregistered"));
    }

    private static int init(ModuleCtx m) {
        Buffer buf = new Buffer();
        int major = m.registerChrdev(0, NAME, new CdevFile(new Fops(NAME, buf)));
        m.printk("cdev example: assigned major: " + major);
        m.printk("create node with mknod /dev/" + NAME + " c " + major + " 0");
        return 0;
    }

    /**
     * The module's one kernel buffer, with the driver's read and write of it (the ioctl example's
     * driver keeps its data the same way).
     */
    public static class Buffer {
        public byte[] data = new byte[0];
        /** How many bytes a write keeps (the ioctl example's driver changes it). */
        public int limit = BUFFER;

        /** read: from the file position, at most {@code count} bytes, through copy_to_user. */
        public IoResult read(FileCtx c, OpenFile f, int count) {
            return IoResult.Done.read(Libfs.simpleReadFromBuffer(c, f, count, data));
        }

        /** write: copy_from_user, then the buffer holds the first {@code limit} bytes; the whole count is taken. */
        public IoResult write(FileCtx c, byte[] in) {
            byte[] copied = c.copyFromUser(in);
            data = Arrays.copyOf(copied, Math.min(copied.length, limit));
            return IoResult.Done.of(copied.length);
        }
    }

    /** The driver's file operations on {@code buf}, owned by module {@code owner} (the ioctl example's add ioctl). */
    public static class Fops implements FileOps {
        private final String owner;
        protected final Buffer buf;

        public Fops(String owner, Buffer buf) {
            this.owner = owner;
            this.buf = buf;
        }

        @Override
        public String owner() {
            return owner;
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            return buf.read(c, f, count);
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            return buf.write(c, data);
        }
    }
}
