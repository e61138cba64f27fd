package dev.kctx.mechanisms.procfs;

import dev.kctx.mechanisms.vfs.VfsInitcall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.vfs.CharDevices;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.Libfs;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * procfs (fs/proc): the registration calls a module makes and the file operations behind its
 * entries. Two styles: a simple entry whose read formats everything into one page (what does not
 * fit in PAGE_SIZE bytes is lost), and seq_file entries (proc_create_seq, proc_create_single) whose
 * output may have any length. Entries have no module owner (struct proc_ops has none), so an open
 * /proc file does not pin its module: after the entry is removed, read and write fail with EIO and
 * lseek with EINVAL, as proc_reg_* do once use_pde fails. Everything a module registers is removed
 * when it unloads.
 */
public final class ProcFs {
    public static final int PAGE_SIZE = 4096;
    public static final String ROOT = "/proc";

    private ProcFs() {
    }

    /** A proc_dir_entry as its file operations see it: removal makes it dead for files still open. */
    public static final class Entry {
        private final String path;
        private boolean removed;

        Entry(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }

        /** True once remove_proc_entry ran: use_pde fails from then on. */
        public boolean removed() {
            return removed;
        }
    }

    /**
     * A simple entry (proc_create with a read that formats into one page, then
     * simple_read_from_buffer): {@code show} runs on every read and its text is cut at PAGE_SIZE.
     * {@code write} (may be null) receives the bytes of a write(2) and returns the count consumed.
     * Returns null when the name is taken (the kernel warns and proc_create returns NULL).
     */
    public static Entry create(ModuleCtx m, String name, int mode, Function<FileCtx, String> show,
                               BiFunction<FileCtx, byte[], Long> write) {
        return register(m, name, mode, e -> new PageFops(e, show, write));
    }

    /** proc_create_seq: a seq_file entry iterated by {@code ops}. Null when the name is taken. */
    public static <T> Entry createSeq(ModuleCtx m, String name, int mode, SeqOperations<T> ops) {
        return register(m, name, mode, e -> new SeqFops(e, () -> new SeqFile<>(ops, null)));
    }

    /** proc_create_single: one show call per read from offset 0, through a seq_file that grows, so nothing is lost. */
    public static Entry createSingle(ModuleCtx m, String name, int mode, Function<FileCtx, String> show) {
        return register(m, name, mode, e -> new SeqFops(e, () -> SeqFile.single((sf, c) -> sf.puts(show.apply(c)), null)));
    }

    /** proc_mkdir: a directory under /proc, removed (with its entries) when the module unloads. */
    public static Vfs.Dir mkdir(ModuleCtx m, String name) {
        return m.createDir(ROOT + "/" + name);
    }

    /** remove_proc_entry: the entry disappears; files still open on it fail from now on. */
    public static void remove(ModuleCtx m, String name) {
        State s = m.kernel(State.class, State::new);
        String path = ROOT + "/" + name;
        s.kill(path);
        m.vfs().removeTree(path);
    }

    private static Entry register(ModuleCtx m, String name, int mode, Function<Entry, FileOps> fops) {
        String path = ROOT + "/" + name;
        Vfs vfs = m.vfs();
        int slash = path.lastIndexOf('/');
        if (!vfs.exists(path.substring(0, slash)) || vfs.exists(path)) {
            // proc_register: WARN(1, "proc_dir_entry '%s/%s' already registered\n"); a missing parent is -ENOENT.
            if (vfs.exists(path)) {
                m.printk("proc_dir_entry '" + path.substring(0, slash) + "/" + path.substring(slash + 1) + "' already registered");
            }
            return null;
        }
        Entry e = new Entry(path);
        State s = m.kernel(State.class, State::new);
        s.entries.add(e);
        m.createFile(path, mode, fops.apply(e));
        m.onUnload(() -> s.kill(path));
        return e;
    }

    /** The live proc entries (a KernelObjects extension), so removal reaches files still open. */
    static final class State {
        private final List<Entry> entries = new ArrayList<>();

        void kill(String path) {
            for (Entry e : entries) {
                if (e.path.equals(path) || e.path.startsWith(path + "/")) {
                    e.removed = true;
                }
            }
            entries.removeIf(Entry::removed);
        }
    }

    /**
     * A /proc entry's file operations, both styles: each system call is a {@link FileProtocol}
     * request handled by {@link #handle}; the callbacks' own errors (KernelError) go through.
     */
    abstract static class ProcFops implements FileProtocol.Served {
        final Entry entry;

        ProcFops(Entry entry) {
            this.entry = entry;
        }

        /**
         * The entry's side of {@link FileProtocol}: proc_reg_open/read/write/llseek's use_pde (once
         * the entry is removed, reads and writes answer EIO and seeks EINVAL), then the style's
         * operation; a /proc entry has no ioctl (ENOTTY) nor release of its own.
         */
        @Override
        public FileProtocol.Reply handle(FileCtx c, OpenFile f, FileProtocol.Request r) {
            if (r instanceof FileProtocol.Open) {
                return opened(f);
            }
            if (r instanceof FileProtocol.Release || r instanceof FileProtocol.Ioctl) {
                return FileProtocol.missing(c, f, r);
            }
            if (entry.removed()) {
                return new FileProtocol.Error(r instanceof FileProtocol.Seek ? Errno.EINVAL : Errno.EIO);
            }
            if (r instanceof FileProtocol.Read rd) {
                return read(c, f, rd);
            } else if (r instanceof FileProtocol.Write w) {
                return write(c, w);
            }
            return new FileProtocol.Value(seek(c, f, (FileProtocol.Seek) r));
        }

        /** default_llseek, for the page style. */
        long defaultSeek(FileCtx c, OpenFile f, FileProtocol.Seek s) {
            return FileProtocol.MISSING.llseek(c, f, s.offset(), s.whence());
        }

        abstract FileProtocol.Reply opened(OpenFile f);

        abstract FileProtocol.Reply read(FileCtx c, OpenFile f, FileProtocol.Read r);

        abstract FileProtocol.Reply write(FileCtx c, FileProtocol.Write w);

        abstract long seek(FileCtx c, OpenFile f, FileProtocol.Seek s);
    }

    /** The simple style: one page per read. */
    static final class PageFops extends ProcFops {
        private final Function<FileCtx, String> show;
        private final BiFunction<FileCtx, byte[], Long> write;

        PageFops(Entry entry, Function<FileCtx, String> show, BiFunction<FileCtx, byte[], Long> write) {
            super(entry);
            this.show = show;
            this.write = write;
        }

        @Override
        FileProtocol.Reply opened(OpenFile f) {
            return new FileProtocol.Done();
        }

        @Override
        FileProtocol.Reply read(FileCtx c, OpenFile f, FileProtocol.Read r) {
            if (show == null) {
                return new FileProtocol.Error(Errno.EIO);
            }
            byte[] page = show.apply(c).getBytes(StandardCharsets.UTF_8);
            return FileProtocol.Transferred.read(Libfs.simpleReadFromBuffer(c, f, r.count(), page, Math.min(page.length, PAGE_SIZE)));
        }

        @Override
        FileProtocol.Reply write(FileCtx c, FileProtocol.Write w) {
            if (write == null) {
                return new FileProtocol.Error(Errno.EIO);
            }
            return FileProtocol.Transferred.written(write.apply(c, w.data()));
        }

        @Override
        long seek(FileCtx c, OpenFile f, FileProtocol.Seek s) {
            return defaultSeek(c, f, s);
        }
    }

    /** The seq_file style: seq_read_iter and seq_lseek on a seq_file made at open. */
    static final class SeqFops extends ProcFops {
        private final Supplier<SeqFile<?>> open;

        SeqFops(Entry entry, Supplier<SeqFile<?>> open) {
            super(entry);
            this.open = open;
        }

        @Override
        FileProtocol.Reply opened(OpenFile f) {
            if (entry.removed()) {
                return new FileProtocol.Error(Errno.ENOENT);
            }
            f.setPrivateData(open.get());
            return new FileProtocol.Done();
        }

        @Override
        FileProtocol.Reply read(FileCtx c, OpenFile f, FileProtocol.Read r) {
            return FileProtocol.Transferred.read(((IoResult.Done) ((SeqFile<?>) f.privateData()).read(c, f, r.count())).data());
        }

        @Override
        FileProtocol.Reply write(FileCtx c, FileProtocol.Write w) {
            // proc_seq_ops and proc_single_ops have no proc_write: pde_write answers EIO.
            return new FileProtocol.Error(Errno.EIO);
        }

        @Override
        long seek(FileCtx c, OpenFile f, FileProtocol.Seek s) {
            return ((SeqFile<?>) f.privateData()).lseek(c, f, s.offset(), s.whence());
        }
    }

    // The kernel's own entries, made when the VFS boots.

    /** /proc/devices and /proc/modules, as the kernel provides them. */
    public static void kernelEntries(Vfs vfs) {
        Entry devices = new Entry(ROOT + "/devices");
        vfs.createFile(devices.path, 0444, null, new SeqFops(devices,
                () -> SeqFile.single((sf, c) -> sf.puts(devices(c)), null)));
        Entry modules = new Entry(ROOT + "/modules");
        vfs.createFile(modules.path, 0444, null, new SeqFops(modules, () -> new SeqFile<>(new ModulesSeq(), null)));
    }

    /**
     * A file in the directory of process {@code pid} (fs/proc/base.c's tgid_base_stuff, such as
     * "maps"), read through a seq_file of {@code ops} made at open; /proc/PID is created with it.
     * kctx makes these when a process gets its address space and removes them at its exit; the
     * ptrace access check the kernel makes at open (proc_mem_open) is not modelled.
     */
    public static <T> void createPidFile(Vfs vfs, int pid, String name, Supplier<SeqOperations<T>> ops) {
        Entry e = new Entry(ROOT + "/" + pid + "/" + name);
        vfs.mkdirs(ROOT + "/" + pid, null).setMode(0555);
        vfs.createFile(e.path, 0444, null, new SeqFops(e, () -> new SeqFile<>(ops.get(), null)));
    }

    /** The process {@code pid} is gone: so is /proc/PID (proc_flush_pid). */
    public static void removePid(Vfs vfs, int pid) {
        vfs.removeTree(ROOT + "/" + pid);
    }

    /** Block majors a typical machine has; only character devices are modelled, these are fixed. */
    private static final String BLOCK_DEVICES = "Block devices:\n  7 loop\n  8 sd\n  9 md\n 11 sr\n253 device-mapper\n"
            + "254 mdp\n259 blkext\n";

    private static String devices(FileCtx c) {
        return c.kernel().extension(CharDevices.class, CharDevices::new).procDevices() + "\n" + BLOCK_DEVICES;
    }

    /**
     * /proc/modules (kernel/module/procfs.c m_show): name, size, references, users ("-" for none),
     * state, load address and taint flags (out of tree, unsigned), newest module first. Tasks that
     * may not see kernel addresses (kallsyms_show_value: non-root here) read zeros.
     */
    static final class ModulesSeq implements SeqOperations<String> {
        /** The text base of the first module slot (the module area starts at 0xffffffffc0000000 on x86-64). */
        private static final long MODULE_BASE = 0xffffffffc0a00000L;
        private static final long MODULE_STRIDE = 0x5000L;

        private static List<String> names(SeqFile<String> m) {
            List<String> l = new ArrayList<>(m.ctx().kernel().extension(Modules.class, () -> new Modules(List.of())).loadedNames());
            Collections.reverse(l);
            return l;
        }

        public String start(SeqFile<String> m, long pos) {
            List<String> l = names(m);
            return pos < l.size() ? l.get((int) pos) : null;
        }

        public String next(SeqFile<String> m, String v, long pos) {
            return start(m, pos + 1);
        }

        public int show(SeqFile<String> m, String name) {
            Modules mods = m.ctx().kernel().extension(Modules.class, () -> new Modules(List.of()));
            Modules.Loaded mod = mods.get(name);
            String state = switch (mod.state()) {
                case "going" -> "Unloading";
                case "coming" -> "Loading";
                default -> "Live";
            };
            Cred cred = m.ctx().cred();
            long addr = cred.root() ? MODULE_BASE + MODULE_STRIDE * mods.loadedNames().indexOf(name) : 0;
            m.printf("%s %d %d - %s 0x%016x (OE)\n", name, 16384, mod.refcnt(), state, addr);
            return 0;
        }
    }

    /** proc_root_init: every tree has the kernel's own entries. */
    public static final class Boot implements VfsInitcall {
        @Override
        public void treeMade(Vfs vfs) {
            kernelEntries(vfs);
        }
    }
}
