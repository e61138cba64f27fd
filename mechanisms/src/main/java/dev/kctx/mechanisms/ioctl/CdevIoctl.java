package dev.kctx.mechanisms.ioctl;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.IoctlCmd;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's cdev_example extended with ioctl, one command of each kind (magic 'k'):
 * <pre>
 * CDEV_IOC_CLEAR      _IO('k', 0)          empty the buffer              (no data)
 * CDEV_IOC_SET_LIMIT  _IOW('k', 1, int)    bytes write() keeps, 1..256   (copy_from_user)
 * CDEV_IOC_GET_LEN    _IOR('k', 2, int)    bytes in the buffer           (copy_to_user)
 * CDEV_IOC_XCHG_LIMIT _IOWR('k', 3, int)   set the limit, get the old    (both)
 * </pre>
 * Another magic or number is ENOTTY; a bad pointer EFAULT; a limit outside 1..256 EINVAL.
 */
public final class CdevIoctl {
    public static final String NAME = "cdev_ioctl";
    public static final char MAGIC = 'k';
    public static final int MAX_NR = 3;
    public static final int BUFFER = 256;
    public static final int CDEV_IOC_CLEAR = IoctlCmd.io(MAGIC, 0);
    public static final int CDEV_IOC_SET_LIMIT = IoctlCmd.iow(MAGIC, 1, Integer.BYTES);
    public static final int CDEV_IOC_GET_LEN = IoctlCmd.ior(MAGIC, 2, Integer.BYTES);
    public static final int CDEV_IOC_XCHG_LIMIT = IoctlCmd.iowr(MAGIC, 3, Integer.BYTES);

    private CdevIoctl() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), CdevIoctl::init, m -> m.printk(NAME + ": unregistered"));
    }

    private static int init(ModuleCtx m) {
        int major = m.registerChrdev(0, NAME, new dev.kctx.mechanisms.chardev.CdevFile(new Fops(new CdevExample.Buffer())));
        m.printk(NAME + ": assigned major: " + major);
        m.printk("create node with mknod /dev/" + NAME + " c " + major + " 0");
        return 0;
    }

    /** The chardev example's driver (its buffer, read and write) with unlocked_ioctl. */
    static final class Fops extends CdevExample.Fops {
        Fops(CdevExample.Buffer buf) {
            super(NAME, buf);
        }

        @Override
        public long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
            return ((FileProtocol.Value) FileProtocol.answer(handle(c, new FileProtocol.Ioctl(cmd, arg)))).value();
        }

        /**
         * The driver's side of {@link FileProtocol.Ioctl}: unlocked_ioctl switching on the command. The
         * failures: ENOTTY (not the driver's command), EINVAL (a bad argument value), EFAULT (a bad
         * user pointer).
         */
        public FileProtocol.Reply handle(FileCtx c, FileProtocol.Ioctl r) {
            try {
                return new FileProtocol.Value(command(c, r.cmd(), r.arg()));
            } catch (KernelError e) {
                return new FileProtocol.Error(e.errno());
            }
        }

        private long command(FileCtx c, int cmd, UserPtr arg) {
            IoctlCmd d = IoctlCmd.decode(cmd);
            // The usual first check: not our magic or number, not our command.
            if (d.type() != MAGIC || d.nr() > MAX_NR) {
                throw new KernelError(Errno.ENOTTY);
            }
            if (cmd == CDEV_IOC_CLEAR) {
                buf.data = new byte[0];
                return 0;
            }
            if (cmd == CDEV_IOC_SET_LIMIT) {
                buf.limit = checkedLimit(getInt(c, arg));
                return 0;
            }
            if (cmd == CDEV_IOC_GET_LEN) {
                putInt(c, arg, buf.data.length);
                return 0;
            }
            if (cmd == CDEV_IOC_XCHG_LIMIT) {
                int next = checkedLimit(getInt(c, arg));
                putInt(c, arg, buf.limit);
                buf.limit = next;
                return 0;
            }
            throw new KernelError(Errno.ENOTTY);
        }

        private static int checkedLimit(int v) {
            if (v < 1 || v > BUFFER) {
                throw new KernelError(Errno.EINVAL);
            }
            return v;
        }
    }

    /** get_user of an int. */
    public static int getInt(FileCtx c, UserPtr p) {
        return ByteBuffer.wrap(c.copyFromUser(p, Integer.BYTES)).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** put_user of an int. */
    public static void putInt(FileCtx c, UserPtr p, int v) {
        c.copyToUser(p, ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    /**
     * {@code ./ioctl_user DEVICE}: the test program. It prints the command numbers, then calls
     * each command as strace would show it, then an unknown command and a NULL pointer.
     */
    public static Executables.Routine program() {
        return new Executables.Routine("ioctl_user", argv -> {
            if (argv.size() != 1) {
                return List.of(Libc.printf(r -> "usage: ioctl_user DEVICE"));
            }
            String dev = argv.get(0);
            List<Op> ops = new ArrayList<>();
            for (Object[] c : new Object[][] {{"CDEV_IOC_CLEAR", CDEV_IOC_CLEAR}, {"CDEV_IOC_SET_LIMIT", CDEV_IOC_SET_LIMIT},
                    {"CDEV_IOC_GET_LEN", CDEV_IOC_GET_LEN}, {"CDEV_IOC_XCHG_LIMIT", CDEV_IOC_XCHG_LIMIT}}) {
                int cmd = (Integer) c[1];
                IoctlCmd d = IoctlCmd.decode(cmd);
                String macro = d.macro().replace(", 4)", ", int)");
                ops.add(Libc.printf(r -> String.format("%-19s %-19s = 0x%08x", c[0], macro, cmd)));
            }
            ops.addAll(Libc.open("fd", dev, OpenFlags.O_RDWR));
            ops.add(Libc.printf(r -> "open(\"" + dev + "\", O_RDWR) " + r.shown()));
            ops.add(Libc.unlessFailed(calls()));
            return ops;
        });
    }

    /** The calls after a successful open; the program stops when open fails (if (fd < 0) return 1). */
    private static List<Op> calls() {
        List<Op> ops = new ArrayList<>();
        UserPtr len1 = UserPtr.ofInt(-1);
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_GET_LEN, len1));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_GET_LEN, [" + len1.readInt() + "]")));
        UserPtr five = UserPtr.ofInt(5);
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_SET_LIMIT, five));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_SET_LIMIT, [5]")));
        byte[] text = "hello kernel\n".getBytes(StandardCharsets.UTF_8);
        ops.addAll(Libc.write("fd", text));
        ops.add(Libc.printf(r -> "write(" + r.vars.getOrDefault("fd", -1) + ", \"hello kernel\\n\", 13) " + r.shown()));
        UserPtr len2 = UserPtr.ofInt(-1);
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_GET_LEN, len2));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_GET_LEN, [" + len2.readInt() + "]")));
        UserPtr xchg = UserPtr.ofInt(64);
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_XCHG_LIMIT, xchg));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_XCHG_LIMIT, [64 => " + xchg.readInt() + "]")));
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_CLEAR, UserPtr.none()));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_CLEAR")));
        UserPtr len3 = UserPtr.ofInt(-1);
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_GET_LEN, len3));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_GET_LEN, [" + len3.readInt() + "]")));
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_SET_LIMIT, UserPtr.ofInt(1000)));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_SET_LIMIT, [1000]")));
        int unknown = IoctlCmd.io(MAGIC, 9);
        ops.addAll(Libc.ioctl("fd", unknown, UserPtr.none()));
        ops.add(Libc.printf(r -> call(r, IoctlCmd.decode(unknown).macro())));
        ops.addAll(Libc.ioctl("fd", CDEV_IOC_GET_LEN, UserPtr.bad()));
        ops.add(Libc.printf(r -> call(r, "CDEV_IOC_GET_LEN, NULL")));
        ops.addAll(Libc.close("fd"));
        return ops;
    }

    private static String call(Regs r, String args) {
        Object fd = r.vars.getOrDefault("fd", -1);
        return "ioctl(" + fd + ", " + args + ") " + r.shown();
    }
}
