package dev.kctx.mechanisms.chardev;

import dev.kctx.actors.program.Exec;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Outcome;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.ParamDef;
import dev.kctx.mechanisms.module.ParamType;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A character device whose read sleeps until there is data, in the style of LDD3's sleepy and
 * scull pipe drivers: a FIFO that write() and the device's interrupt handler fill and then wake
 * the readers' wait queue; read() takes what is there, or with nothing there returns EAGAIN for
 * O_NONBLOCK and otherwise sleeps (TASK_INTERRUPTIBLE) until woken and looks again. The device
 * numbers come from register_chrdev_region for a fixed {@code major=} parameter, or from
 * alloc_chrdev_region when it is 0, with one cdev_add'ed minor.
 */
public final class CdevWait {
    public static final String NAME = "cdev_wait";
    /** The wait queue readers sleep on (wait_queue_head_t readq). */
    public static final String QUEUE = NAME + ".readq";
    /** The FIFO's size; writes beyond it are cut. */
    public static final int BUFFER = 4096;

    private CdevWait() {
    }

    /** The module's global state (static variables of the .ko), alive while it is loaded. */
    static final class State {
        boolean loaded;
        int samples;
        final ByteArrayOutputStream fifo = new ByteArrayOutputStream();
        final Set<Integer> sleepers = new TreeSet<>();

        byte[] take(int count) {
            byte[] all = fifo.toByteArray();
            int n = Math.min(count, all.length);
            fifo.reset();
            fifo.write(all, n, all.length - n);
            return Arrays.copyOf(all, n);
        }
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(new ParamDef("major", ParamType.INT, 0444, 0L)), CdevWait::init,
                m -> m.printk(NAME + ": unloaded"));
    }

    private static int init(ModuleCtx m) {
        State s = m.kernel(State.class, State::new);
        int major = (int) m.paramLong("major");
        int dev;
        try {
            if (major == 0) {
                dev = Chrdev.allocRegion(m, 0, 1, NAME);
            } else {
                dev = Chrdev.mkdev(major, 0);
                Chrdev.registerRegion(m, dev, 1, NAME);
            }
        } catch (KernelError e) {
            m.printk(NAME + ": can't get major " + major);
            return e.errno().negative();
        }
        Chrdev.cdevAdd(m, dev, 1, new Fops(s));
        s.loaded = true;
        s.samples = 0;
        s.fifo.reset();
        m.onUnload(() -> s.loaded = false);
        m.printk(NAME + ": registered major " + Chrdev.major(dev) + ", minor 0");
        return 0;
    }

    record Fops(State s) implements FileOps {
        @Override
        public String owner() {
            return NAME;
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            if (s.fifo.size() == 0) {
                if (f.nonblocking()) {
                    throw new KernelError(Errno.EAGAIN);
                }
                if (s.sleepers.add(c.pid())) {
                    c.printk(NAME + ": process " + c.pid() + " (" + c.exec().comm() + ") going to sleep");
                }
                return new IoResult.WouldBlock(QUEUE);
            }
            if (s.sleepers.remove(c.pid())) {
                c.printk(NAME + ": awoken " + c.pid() + " (" + c.exec().comm() + ")");
            }
            return IoResult.Done.read(c.copyToUser(s.take(count)));
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] data) {
            byte[] in = c.copyFromUser(data);
            int n = Math.min(in.length, BUFFER - s.fifo.size());
            if (n == 0 && in.length > 0) {
                throw new KernelError(Errno.ENOSPC);
            }
            s.fifo.write(in, 0, n);
            c.wakeUp(QUEUE);
            return IoResult.Done.of(n);
        }
    }

    /**
     * The device's interrupt handler (hard IRQ context): a new sample goes into the FIFO and the
     * readers are woken. Without the module loaded no handler is registered and it does nothing.
     */
    public static Program irqHandler(int line) {
        return Program.of(new Sample(line));
    }

    record Sample(int line) implements Op {
        public Outcome execute(Exec x) {
            State s = x.kernel().extension(State.class, State::new);
            if (!s.loaded) {
                return Outcome.Next.INSTANCE;
            }
            FileCtx c = new FileCtx(x);
            s.samples++;
            byte[] text = ("sample " + s.samples + "\n").getBytes(StandardCharsets.UTF_8);
            s.fifo.write(text, 0, Math.min(text.length, BUFFER - s.fifo.size()));
            c.printk(NAME + ": irq " + line + ": sample " + s.samples + " ready, waking readers");
            c.wakeUp(QUEUE);
            return Outcome.Next.INSTANCE;
        }

        public String describe() {
            return NAME + "_interrupt(" + line + ")";
        }
    }

    /** {@code ./nbread DEVICE}: one O_NONBLOCK read, reported strace-style. */
    public static Executables.Routine nbread() {
        return new Executables.Routine("nbread", argv -> {
            if (argv.size() != 1) {
                return List.of(Libc.printf(r -> "usage: nbread DEVICE"));
            }
            String path = argv.get(0);
            List<Op> ops = new ArrayList<>(Libc.open("fd", path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK));
            ops.add(Libc.printf(r -> "open(\"" + path + "\", O_RDONLY|O_NONBLOCK) " + r.shown()));
            ops.addAll(Libc.read("fd", 64));
            ops.add(Libc.printf(r -> "read(" + r.vars.getOrDefault("fd", -1) + ", buf, 64) " + r.shown()
                    + (r.failed() ? "" : " \"" + new String(r.data, StandardCharsets.UTF_8).replace("\n", "\\n") + "\"")));
            ops.addAll(Libc.close("fd"));
            return ops;
        });
    }
}
