package dev.kctx.mechanisms.sysctl;

import dev.kctx.mechanisms.vfs.VfsInitcall;
import dev.kctx.actors.program.KernelObjects;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.vfs.RamFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sysctl registry (kernel/sysctl.c, fs/proc/proc_sysctl.c): ctl_tables registered under
 * /proc/sys, one file per entry. The kernel's own tables exist from boot with their default
 * values; modules add theirs with register_sysctl and lose them at unload. At boot, and again at
 * every reboot, the values listed in /etc/sysctl.conf are applied (what systemd-sysctl or
 * {@code sysctl -p} does early in boot), so a value written at run time survives a reboot only
 * through that file.
 */
public final class Sysctl {
    public static final String ROOT = "/proc/sys";
    public static final String CONF = "/etc/sysctl.conf";

    /** A registered table: its directory below /proc/sys ("vm", "net/core") and entries. */
    public static final class Table {
        private final String path;
        private final List<CtlEntry> entries;
        private final String owner;
        private boolean unregistered;

        Table(String path, List<CtlEntry> entries, String owner) {
            this.path = path;
            this.entries = List.copyOf(entries);
            this.owner = owner;
        }

        public String path() {
            return path;
        }

        public List<CtlEntry> entries() {
            return entries;
        }

        /** The module that registered it; null for the kernel's own. */
        public String owner() {
            return owner;
        }

        boolean unregistered() {
            return unregistered;
        }
    }

    private final Vfs vfs;
    private final List<Table> tables = new ArrayList<>();

    private Sysctl(Vfs vfs) {
        this.vfs = vfs;
        for (Table t : builtins()) {
            install(t);
        }
        applyConf();
    }

    /** The machine's registry; creating it is the boot of /proc/sys (kernel tables, then /etc/sysctl.conf). */
    public static Sysctl of(KernelObjects k) {
        Vfs v = k.extension(Vfs.class, Vfs::new);
        return k.extension(Sysctl.class, () -> new Sysctl(v));
    }

    /**
     * The kernel's tables kctx models, with the defaults of a 64-bit kernel built with the
     * upstream defaults (CONFIG_CONSOLE_LOGLEVEL_DEFAULT=7, CONFIG_DEFAULT_HOSTNAME="(none)").
     */
    private static List<Table> builtins() {
        return List.of(
                new Table("kernel", List.of(
                        CtlEntry.string("hostname", 0644, 65, "(none)"),
                        CtlEntry.string("ostype", 0444, 65, "Linux"),
                        CtlEntry.intMinmax("pid_max", 0644, 301, 4 * 1024 * 1024, 32768),
                        CtlEntry.intvec("printk", 0644, 7, 4, 1, 7)), null),
                new Table("vm", List.of(CtlEntry.intMinmax("swappiness", 0644, 0, 200, 60)), null),
                new Table("net/core", List.of(CtlEntry.intMinmax("somaxconn", 0644, 0, Integer.MAX_VALUE, 4096)), null));
    }

    /**
     * register_sysctl(path, table) for a module, unregistered when it unloads. A name that exists
     * already fails it: the kernel logs "sysctl duplicate entry: /path/name" and the module's init
     * usually returns -ENOMEM, which this throws.
     */
    public static Table register(ModuleCtx m, String path, List<CtlEntry> entries) {
        Sysctl s = of(m.ctx().kernel());
        Table t;
        try {
            t = s.register(path, entries, m.name());
        } catch (KernelError e) {
            m.printk(e.getMessage());
            throw new KernelError(Errno.ENOMEM);
        }
        m.onUnload(() -> s.unregister(t));
        return t;
    }

    /** register_sysctl: EEXIST (with the kernel's log line as message) when an entry's file exists. */
    public Table register(String path, List<CtlEntry> entries, String owner) {
        String dir = normalise(path);
        for (CtlEntry e : entries) {
            if (vfs.exists(ROOT + "/" + dir + "/" + e.procname())) {
                throw new KernelError(Errno.EEXIST, "sysctl duplicate entry: /" + dir + "/" + e.procname());
            }
        }
        Table t = new Table(dir, entries, owner);
        install(t);
        return t;
    }

    private static String normalise(String path) {
        String p = path.replace('.', '/');
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.contains("//")) {
            throw new IllegalArgumentException("bad sysctl path '" + path + "'");
        }
        return p;
    }

    private void install(Table t) {
        for (CtlEntry e : t.entries) {
            vfs.createFile(ROOT + "/" + t.path + "/" + e.procname(), e.mode(), t.owner, new SysctlFile(t, e));
        }
        tables.add(t);
    }

    /** unregister_sysctl_table: the files go, and with them directories left empty; open files then read ENOENT. */
    public void unregister(Table t) {
        if (!tables.remove(t)) {
            return;
        }
        t.unregistered = true;
        for (CtlEntry e : t.entries) {
            vfs.removeTree(ROOT + "/" + t.path + "/" + e.procname());
        }
        String dir = t.path;
        while (!dir.isEmpty()) {
            Vfs.Node n = vfs.exists(ROOT + "/" + dir) ? vfs.lookup(ROOT + "/" + dir) : null;
            if (!(n instanceof Vfs.Dir d) || !d.isEmpty()) {
                break;
            }
            vfs.removeTree(ROOT + "/" + dir);
            int slash = dir.lastIndexOf('/');
            dir = slash < 0 ? "" : dir.substring(0, slash);
        }
    }

    /** The entry for a key in sysctl's dotted form ("vm.swappiness") or as a path below /proc/sys; null if none. */
    public CtlEntry find(String key) {
        String p = key.startsWith("/") ? key : key.replace('.', '/');
        if (p.startsWith(ROOT + "/")) {
            p = p.substring(ROOT.length() + 1);
        }
        for (Table t : tables) {
            for (CtlEntry e : t.entries) {
                if ((t.path + "/" + e.procname()).equals(p)) {
                    return e;
                }
            }
        }
        return null;
    }

    public List<Table> tables() {
        return List.copyOf(tables);
    }

    /** At reboot: the kernel's values back to their defaults, then /etc/sysctl.conf applied as at boot. */
    public void reboot() {
        for (Table t : tables) {
            if (t.owner == null) {
                t.entries.forEach(CtlEntry::reset);
            }
        }
        applyConf();
    }

    /**
     * Applies /etc/sysctl.conf as boot does: "key = value" lines, '#' and ';' comments; a key that
     * does not exist or a value the handler refuses is skipped. Returns the keys applied.
     */
    public List<String> applyConf() {
        List<String> applied = new ArrayList<>();
        if (!vfs.exists(CONF) || !(vfs.lookup(CONF) instanceof Vfs.File f) || !(f.fops() instanceof RamFile ram)) {
            return applied;
        }
        for (ConfLine l : parseConf(new String(ram.content(), StandardCharsets.UTF_8))) {
            CtlEntry e = find(l.key());
            if (e == null) {
                continue;
            }
            try {
                e.store(l.value());
                applied.add(l.key());
            } catch (KernelError err) {
                // systemd-sysctl logs the failure to the journal and goes on.
            }
        }
        return applied;
    }

    /** One setting of a sysctl.conf file; {@code ignoreFailure} for a leading '-'. */
    public record ConfLine(String key, String value, boolean ignoreFailure) {
    }

    /** procps' parse_setting_line over a whole file; lines without '=' are skipped. */
    public static List<ConfLine> parseConf(String text) {
        List<ConfLine> out = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.length() < 2 || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            boolean ignore = key.startsWith("-");
            if (ignore) {
                key = key.substring(1);
            }
            out.add(new ConfLine(key, line.substring(eq + 1).strip(), ignore));
        }
        return out;
    }

    /** The first system call that looks at the tree boots /proc/sys (kernel tables, /etc/sysctl.conf). */
    public static final class Boot implements VfsInitcall {
        @Override
        public void treeUsed(KernelObjects k) {
            of(k);
        }
    }
}
