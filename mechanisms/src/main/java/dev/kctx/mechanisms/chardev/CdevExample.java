package dev.kctx.mechanisms.chardev;

import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
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
        int major = m.registerChrdev(0, NAME, new CdevFile(new Fops(buf)));
        m.printk("cdev example: assigned major: " + major);
        m.printk("create node with mknod /dev/" + NAME + " c " + major + " 0");
        return 0;
    }

    /** The module's one kernel buffer. */
    static final class Buffer {
        byte[] data = new byte[0];
    }

    record Fops(Buffer buf) implements FileOps {
        @Override
        public String owner() {
            return NAME;
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            int from = (int) Math.min(f.pos(), buf.data.length);
            int n = Math.min(count, buf.data.length - from);
            byte[] out = c.copyToUser(Arrays.copyOfRange(buf.data, from, from + n));
            f.setPos(from + n);
            return IoResult.Done.read(out);
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            byte[] in = c.copyFromUser(data);
            buf.data = Arrays.copyOf(in, Math.min(in.length, BUFFER));
            return IoResult.Done.of(in.length);
        }
    }
}
