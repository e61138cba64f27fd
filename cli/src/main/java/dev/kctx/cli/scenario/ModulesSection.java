package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.chardev.CdevExample;
import dev.kctx.mechanisms.chardev.CdevWait;
import dev.kctx.mechanisms.configfs.Configfs;
import dev.kctx.mechanisms.configfs.ConfigfsExample;
import dev.kctx.mechanisms.debugfs.Debugfs;
import dev.kctx.mechanisms.debugfs.DebugfsExample;
import dev.kctx.mechanisms.ioctl.CdevIoctl;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.ParamDef;
import dev.kctx.mechanisms.module.ParamType;
import dev.kctx.mechanisms.params.PrintVma;
import dev.kctx.mechanisms.procfs.ProcFs;
import dev.kctx.mechanisms.procfs.ProcfsExample;
import dev.kctx.mechanisms.procfs.SeqFile;
import dev.kctx.mechanisms.procfs.SeqOperations;
import dev.kctx.mechanisms.syscall.SyscallExample;
import dev.kctx.mechanisms.sysctl.CtlEntry;
import dev.kctx.mechanisms.sysctl.Sysctl;
import dev.kctx.mechanisms.sysctl.SysctlExample;
import dev.kctx.mechanisms.sysfs.Sysfs;
import dev.kctx.mechanisms.sysfs.SysfsExample;
import dev.kctx.mechanisms.deferred.Timers;
import dev.kctx.mechanisms.genetlink.GnExample;
import dev.kctx.mechanisms.mmap.MmapExample;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.netlink.NlExample;
import dev.kctx.mechanisms.signal.SignalExample;
import dev.kctx.mechanisms.udp.UdpExample;
import dev.kctx.mechanisms.upcall.UpcallExample;
import dev.kctx.mechanisms.user.Executables;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.UserPtr;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The {@code modules:} section: the .ko files the machine has, declared rather than programmed.
 * Each declaration becomes a {@link ModuleDef} whose init function makes the registrations the
 * file lists through the mechanisms' own APIs (proc_create, kobject_create_and_add, debugfs_create_*,
 * configfs_register_subsystem, register_sysctl, register_chrdev, printk), so that loading,
 * unloading, permissions and errors behave exactly as for the built-in example modules, which a
 * file may also name ({@code - builtin: cdev_example}).
 */
public final class ModulesSection {
    /** The module keys of a declared module. */
    public static final List<String> MODULE_KEYS = List.of("name", "params", "proc", "sysfs", "debugfs", "configfs", "sysctl",
            "chardev", "printk", "helpers", "netlink", "genetlink");
    public static final List<String> PARAM_KEYS = List.of("type", "perm", "default");
    public static final List<String> PROC_KEYS = List.of("name", "content", "seq_records", "mode");
    public static final List<String> SYSFS_KEYS = List.of("dir", "attributes");
    public static final List<String> SYSFS_ATTR_KEYS = List.of("name", "mode", "value");
    public static final List<String> DEBUGFS_KEYS = List.of("dir", "files");
    public static final List<String> DEBUGFS_FILE_KEYS = List.of("name", "type", "value", "mode");
    public static final List<String> CONFIGFS_KEYS = List.of("subsystem", "attributes");
    public static final List<String> SYSCTL_KEYS = List.of("path", "type", "value", "min", "max", "mode", "maxlen");
    public static final List<String> CHARDEV_KEYS = List.of("name", "major", "buffer", "variables", "ioctl");
    public static final List<String> DEBUGFS_TYPES = List.of("u8", "u32", "x32", "bool", "blob");
    public static final List<String> SYSCTL_TYPES = List.of("int", "int_minmax", "string");
    /** The largest seq_file a declared entry may iterate, and the largest fixed content. */
    static final int MAX_SEQ_RECORDS = 1_000_000;
    static final int MAX_BUFFER = 1 << 20;

    private static final Pattern MODULE_NAME = Pattern.compile("[A-Za-z0-9_]{1,55}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern PROC_PATH = Pattern.compile("[A-Za-z0-9_.:-]{1,64}(/[A-Za-z0-9_.:-]{1,64}){0,3}");
    private static final Pattern SYSCTL_PATH = Pattern.compile("[A-Za-z0-9_-]{1,64}(/[A-Za-z0-9_-]{1,64}){1,4}");
    private static final Pattern MODE = Pattern.compile("0[0-7]{3}");

    /**
     * A built-in example module: its .ko files, the user programs that come with it (routines of the
     * shell, program files run as their own process, executables by absolute path), and what else
     * it needs of the machine: the timer tick, and kernel threads set up for a machine of N CPUs.
     */
    public record Builtin(Supplier<List<ModuleDef>> defs, List<Supplier<Executables.Routine>> programs,
                          Map<String, Function<List<String>, List<Op>>> programFiles, Map<String, Executables.Image> executables,
                          boolean timers, BiFunction<MachineSpec.Builder, Integer, MachineSpec.Builder> kernel) {
        Builtin(Supplier<List<ModuleDef>> defs, List<Supplier<Executables.Routine>> programs) {
            this(defs, programs, Map.of(), Map.of(), false, (b, cpus) -> b);
        }

        static Builtin files(ModuleDef def, Map<String, Function<List<String>, List<Op>>> programFiles) {
            return new Builtin(() -> List.of(def), List.of(), programFiles, Map.of(), false, (b, cpus) -> b);
        }
    }

    /** The seed's example modules, by name, as the demos boot them (see SeedDemos). */
    public static final Map<String, Builtin> BUILTINS = builtins();

    /** The built-in modules that bring programs a shell runs as {@code ./NAME}. */
    static final List<String> WITH_PROGRAMS = BUILTINS.entrySet().stream()
            .filter(e -> !e.getValue().programs().isEmpty() || !e.getValue().programFiles().isEmpty()
                    || e.getValue().executables().keySet().stream().anyMatch(p -> p.startsWith(Shell.CWD + "/")))
            .map(Map.Entry::getKey).toList();

    private static Map<String, Builtin> builtins() {
        Map<String, Builtin> m = new LinkedHashMap<>();
        m.put(CdevExample.NAME, new Builtin(() -> List.of(CdevExample.module()), List.of()));
        m.put("cdev_wait", new Builtin(() -> List.of(CdevWait.module()), List.of(CdevWait::nbread)));
        m.put("cdev_ioctl", new Builtin(() -> List.of(CdevIoctl.module()), List.of(CdevIoctl::program)));
        m.put(PrintVma.NAME, new Builtin(PrintVma::builds, List.of()));
        m.put(SyscallExample.NAME, new Builtin(() -> List.of(SyscallExample.module()), List.of(SyscallExample::program)));
        m.put(ProcfsExample.NAME, new Builtin(() -> List.of(ProcfsExample.module()), List.of()));
        m.put(SysfsExample.NAME, new Builtin(() -> List.of(SysfsExample.module()), List.of()));
        m.put(DebugfsExample.NAME, new Builtin(() -> List.of(DebugfsExample.module()), List.of()));
        m.put(ConfigfsExample.NAME, new Builtin(() -> List.of(ConfigfsExample.module()), List.of()));
        m.put(SysctlExample.NAME, new Builtin(() -> List.of(SysctlExample.module()), List.of()));
        m.put(NlExample.NAME, Builtin.files(NlExample.module(), NlExample.programs()));
        m.put(GnExample.NAME, Builtin.files(GnExample.module(), GnExample.programs()));
        // kudp's server thread is part of the machine, as in the demo: it waits for the module.
        m.put(UdpExample.NAME, new Builtin(() -> List.of(UdpExample.module()), List.of(), UdpExample.programs(), Map.of(), false,
                (b, cpus) -> b.kthread(UdpExample.NAME, 0, 0, UdpExample.thread())));
        m.put(SignalExample.NAME, new Builtin(() -> List.of(SignalExample.module()), List.of(), Map.of(), SignalExample.programs(),
                false, (b, cpus) -> b));
        // The worker and its helpers on the last CPU, as the demo places them on CPU 1 of 2.
        m.put(UpcallExample.NAME, new Builtin(() -> List.of(UpcallExample.module()), List.of(), Map.of(), UpcallExample.programs(),
                true, (b, cpus) -> UpcallExample.workers(b, cpus - 1)));
        m.put(MmapExample.NAME, new Builtin(() -> List.of(MmapExample.module()), List.of(), Map.of(), MmapExample.programs(),
                true, (b, cpus) -> b));
        return m;
    }

    /**
     * What the section declares: the module files, the user programs built-in modules bring, and
     * what they need of the machine.
     */
    record Declared(List<ModuleDef> defs, List<Executables.Routine> programs, Map<String, Function<List<String>, List<Op>>> programFiles,
                    Map<String, Executables.Image> executables, boolean timers,
                    List<BiFunction<MachineSpec.Builder, Integer, MachineSpec.Builder>> kernel) {
        static final Declared NONE = new Declared(List.of(), List.of(), Map.of(), Map.of(), false, List.of());

        /** The names a shell runs as {@code ./NAME}. */
        Set<String> programNames() {
            Set<String> s = new java.util.TreeSet<>();
            programs.forEach(p -> s.add(p.name()));
            s.addAll(programFiles.keySet());
            executables.keySet().stream().filter(p -> p.startsWith(Shell.CWD + "/"))
                    .forEach(p -> s.add(p.substring(Shell.CWD.length() + 1)));
            return s;
        }

        /** Boots the module loader with the files, the programs, the timer tick and the built-ins' threads. */
        void boot(MachineSpec.Builder b, int cpus) {
            List<ModuleDef> d = defs;
            b.boot(Modules.class, () -> new Modules(d));
            if (!programs.isEmpty() || !programFiles.isEmpty() || !executables.isEmpty()) {
                List<Executables.Routine> p = programs;
                Map<String, Function<List<String>, List<Op>>> f = programFiles;
                Map<String, Executables.Image> e = executables;
                b.boot(Executables.class, () -> {
                    Executables all = new Executables(e);
                    p.forEach(all::add);
                    f.forEach((name, main) -> all.add(new Executables.ProgramFile(name, main)));
                    return all;
                });
            }
            if (timers) {
                Timers.install(b);
            }
            kernel.forEach(k -> k.apply(b, cpus));
        }
    }

    private ModulesSection() {
    }

    static Declared parse(Node node) {
        Node.SeqNode s = Values.seq(node, "modules", "modules, each '- {name: NAME, proc: [...], ...}' or '- builtin: NAME'");
        List<ModuleDef> defs = new ArrayList<>();
        List<Executables.Routine> programs = new ArrayList<>();
        Map<String, Function<List<String>, List<Op>>> programFiles = new java.util.TreeMap<>();
        Map<String, Executables.Image> executables = new java.util.TreeMap<>();
        List<BiFunction<MachineSpec.Builder, Integer, MachineSpec.Builder>> kernel = new ArrayList<>();
        boolean timers = false;
        Set<String> names = new HashSet<>();
        Set<dev.kctx.actors.program.SoftirqVector> netlinkVectors = java.util.EnumSet.noneOf(dev.kctx.actors.program.SoftirqVector.class);
        for (Node item : s.items()) {
            if (item instanceof Node.MapNode m && m.entries().stream().anyMatch(e -> e.key().equals("builtin"))) {
                Fields f = Fields.of(item, "a built-in module", List.of("builtin"));
                Node n = f.req("builtin", "NAME");
                String name = Values.string(n, "builtin");
                Builtin b = BUILTINS.get(name);
                if (b == null) {
                    throw new ScenarioError(n.loc(), Errors.unknown("built-in module", name, BUILTINS.keySet()),
                            Errors.oneOf(BUILTINS.keySet()));
                }
                unique(names, name, n);
                defs.addAll(b.defs().get());
                b.programs().forEach(p -> programs.add(p.get()));
                programFiles.putAll(b.programFiles());
                executables.putAll(b.executables());
                timers |= b.timers();
                kernel.add(b.kernel());
                continue;
            }
            Fields f = Fields.of(item, "module", MODULE_KEYS);
            Node nameNode = f.req("name", "NAME");
            String name = matching(nameNode, "module name", MODULE_NAME, "1 to 55 letters, digits and _ (the file is NAME.ko)");
            unique(names, name, nameNode);
            defs.add(module(name, f, netlinkVectors, kernel));
            f.opt("helpers").ifPresent(n -> UpcallSection.helpers(n, executables));
        }
        return new Declared(defs, programs, programFiles, executables, timers, kernel);
    }

    /** {@code node}'s string, which must match {@code pattern} (else "WHAT 'x' is not valid", expected {@code valid}). */
    private static String matching(Node node, String what, Pattern pattern, String valid) {
        String s = Values.string(node, what);
        if (!pattern.matcher(s).matches()) {
            throw new ScenarioError(node.loc(), what + " '" + Errors.clip(s) + "' is not valid", valid);
        }
        return s;
    }

    /** The item's {@code name:}, a file name not in {@code seen} yet ("a second WHAT named ..."). */
    private static String uniqueName(Fields item, Set<String> seen, String what, String per) {
        Node nameNode = item.req("name", "NAME");
        String name = fileName(nameNode, what + " name");
        if (!seen.add(name)) {
            throw new ScenarioError(nameNode.loc(), "a second " + what + " named '" + name + "'", "a unique name per " + per);
        }
        return name;
    }

    private static void unique(Set<String> names, String name, Node at) {
        if (!names.add(name)) {
            throw new ScenarioError(at.loc(), "a second module named '" + name + "'", "a unique name per module");
        }
    }

    // ---- one declared module ----

    private static ModuleDef module(String name, Fields f, Set<dev.kctx.actors.program.SoftirqVector> netlinkVectors,
                                    List<BiFunction<MachineSpec.Builder, Integer, MachineSpec.Builder>> kernel) {
        List<ParamDef> params = f.opt("params").map(ModulesSection::params).orElse(List.of());
        List<Consumer<ModuleCtx>> steps = new ArrayList<>();
        f.opt("printk").ifPresent(n -> {
            List<String> lines = new ArrayList<>();
            for (Node l : Values.seq(n, "printk", "kernel log lines, e.g. [\"hello: loaded\"]").items()) {
                lines.add(Values.string(l, "printk line"));
            }
            steps.add(m -> lines.forEach(m::printk));
        });
        f.opt("proc").ifPresent(n -> steps.add(proc(n)));
        f.opt("sysfs").ifPresent(n -> steps.add(sysfs(n)));
        f.opt("debugfs").ifPresent(n -> steps.add(debugfs(n)));
        f.opt("configfs").ifPresent(n -> steps.add(configfs(n)));
        f.opt("sysctl").ifPresent(n -> steps.add(sysctl(n)));
        f.opt("chardev").ifPresent(n -> steps.add(chardev(n, name)));
        f.opt("netlink").ifPresent(n -> steps.add(NetlinkSection.families(n, name, netlinkVectors, kernel)));
        f.opt("genetlink").ifPresent(n -> steps.add(GenetlinkSection.families(n)));
        List<Consumer<ModuleCtx>> init = List.copyOf(steps);
        // A registration that fails throws KernelError; the loader turns it into init's -errno and
        // undoes what was registered before, as a module's error path would.
        return new ModuleDef(name, params, m -> {
            init.forEach(s -> s.accept(m));
            return 0;
        }, null);
    }

    private static List<ParamDef> params(Node node) {
        Node.MapNode m = Values.map(node, "params", "parameter names and their declarations, e.g. 'count: {type: int, perm: \"0444\", default: 1}'");
        Map<String, ParamType> types = new LinkedHashMap<>();
        for (ParamType t : ParamType.values()) {
            types.put(t.name().toLowerCase(Locale.ROOT), t);
        }
        List<ParamDef> out = new ArrayList<>();
        for (Node.Entry e : m.entries()) {
            if (!e.key().matches("[A-Za-z_][A-Za-z0-9_]{0,55}")) {
                throw new ScenarioError(e.keyLoc(), "parameter name '" + Errors.clip(e.key()) + "' is not valid",
                        "a C identifier: letters, digits and _, not starting with a digit");
            }
            Fields p = Fields.of(e.value(), "parameter " + e.key(), PARAM_KEYS);
            ParamType type = Values.choice(p.req("type", String.join(" | ", types.keySet())), "parameter type", types);
            int perm = p.opt("perm").map(n -> mode(n, "perm")).orElse(0);
            if ((perm & 0002) != 0) {
                throw new ScenarioError(p.opt("perm").get().loc(), "parameter " + e.key() + " is world-writable ("
                        + String.format("%04o", perm) + "); the kernel refuses that at build time",
                        "a mode without the others-write bit, e.g. \"0644\" or \"0444\"");
            }
            Object def;
            Optional<Node> dn = p.opt("default");
            if (dn.isEmpty()) {
                def = switch (type) {
                    case BOOL, INVBOOL -> Boolean.FALSE;
                    case CHARP -> "(null)";
                    default -> 0L;
                };
            } else {
                String text = Values.string(dn.get(), "default");
                def = type.parse(text);
                if (def == null) {
                    throw new ScenarioError(dn.get().loc(), "default '" + Errors.clip(text) + "' is not a valid "
                            + type.name().toLowerCase(Locale.ROOT), "a value the kernel parses as a " + type.name().toLowerCase(Locale.ROOT)
                            + (type == ParamType.BOOL || type == ParamType.INVBOOL ? " (y, n, 1, 0, on, off)" : ""));
                }
            }
            out.add(new ParamDef(e.key(), type, perm, def));
        }
        return out;
    }

    /** An octal mode written as a string like "0644" (or unquoted 0644). */
    static int mode(Node n, String what) {
        String t = n instanceof Node.ScalarNode s ? s.text() : null;
        if (t == null || !MODE.matcher(t).matches()) {
            throw new ScenarioError(n.loc(), what + " " + (t == null ? "is " + n.describe() : "'" + Errors.clip(t) + "' is not an octal mode"),
                    "an octal string such as \"0644\" or \"0444\"");
        }
        return Integer.parseInt(t, 8);
    }

    private static String fileName(Node n, String what) {
        String s = Values.string(n, what);
        if (!FILE_NAME.matcher(s).matches() || s.equals(".") || s.equals("..")) {
            throw new ScenarioError(n.loc(), what + " '" + Errors.clip(s) + "' is not a valid file name",
                    "1 to 64 letters, digits and _ . : -");
        }
        return s;
    }

    private static String withNewline(String s) {
        return s.isEmpty() || s.endsWith("\n") ? s : s + "\n";
    }

    // ---- procfs ----

    private static Consumer<ModuleCtx> proc(Node node) {
        List<Consumer<ModuleCtx>> entries = new ArrayList<>();
        for (Node item : Values.seq(node, "proc", "entries, each '- {name: PATH, content: TEXT}' or '- {name: PATH, seq_records: N}'").items()) {
            Fields f = Fields.of(item, "proc entry", PROC_KEYS);
            Node nameNode = f.req("name", "PATH under /proc");
            String path = Values.string(nameNode, "proc entry name");
            if (path.startsWith("/proc/")) {
                path = path.substring("/proc/".length());
            }
            if (!PROC_PATH.matcher(path).matches() || Arrays.stream(path.split("/")).anyMatch(x -> x.equals(".") || x.equals(".."))) {
                throw new ScenarioError(nameNode.loc(), "proc entry name '" + Errors.clip(path) + "' is not valid",
                        "a path under /proc such as 'hello' or 'driver/hello' (letters, digits and _ . : -)");
            }
            int mode = f.opt("mode").map(n -> mode(n, "mode")).orElse(0444);
            String content = f.opt("content").map(n -> Values.string(n, "content")).orElse(null);
            Optional<Node> seq = f.opt("seq_records");
            String name = path;
            if (seq.isPresent()) {
                int records = (int) Values.integer(seq.get(), "seq_records", 0, MAX_SEQ_RECORDS);
                String text = content == null ? "seq_file record" : content.strip();
                int width = Math.max(3, Integer.toString(Math.max(0, records - 1)).length());
                entries.add(m -> {
                    mkProcParents(m, name);
                    if (ProcFs.createSeq(m, name, mode, new Records(records, width, text)) == null) {
                        throw new KernelError(Errno.ENOMEM);
                    }
                });
            } else {
                if (content == null) {
                    throw new ScenarioError(f.loc(), "proc entry '" + name + "' has neither content nor seq_records",
                            "'content: TEXT' (a simple entry) or 'seq_records: N' (a seq_file)");
                }
                String text = withNewline(content);
                entries.add(m -> {
                    mkProcParents(m, name);
                    if (ProcFs.create(m, name, mode, c -> text, null) == null) {
                        throw new KernelError(Errno.ENOMEM);
                    }
                });
            }
        }
        return m -> entries.forEach(e -> e.accept(m));
    }

    private static void mkProcParents(ModuleCtx m, String path) {
        int slash = path.indexOf('/');
        while (slash > 0) {
            String dir = path.substring(0, slash);
            if (!m.vfs().exists(ProcFs.ROOT + "/" + dir)) {
                ProcFs.mkdir(m, dir);
            }
            slash = path.indexOf('/', slash + 1);
        }
    }

    /** N numbered records: "000 TEXT\n", "001 TEXT\n"... */
    private record Records(int count, int width, String text) implements SeqOperations<Integer> {
        public Integer start(SeqFile<Integer> m, long pos) {
            return pos < count ? (int) pos : null;
        }

        public Integer next(SeqFile<Integer> m, Integer v, long pos) {
            return v + 1 < count ? v + 1 : null;
        }

        public int show(SeqFile<Integer> m, Integer v) {
            m.printf("%0" + width + "d %s\n", v, text);
            return 0;
        }
    }

    // ---- sysfs ----

    private static Consumer<ModuleCtx> sysfs(Node node) {
        Fields f = Fields.of(node, "sysfs", SYSFS_KEYS);
        String dir = fileName(f.req("dir", "NAME (the kobject under /sys/kernel)"), "sysfs dir");
        record Attr(String name, int mode, String value) {
        }
        List<Attr> attrs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node item : f.opt("attributes").map(n -> Values.seq(n, "sysfs attributes", "'- {name: value, mode: \"0644\", value: 42}'").items())
                .orElse(List.of())) {
            Fields a = Fields.of(item, "sysfs attribute", SYSFS_ATTR_KEYS);
            String name = uniqueName(a, seen, "sysfs attribute", "attribute");
            Optional<Node> modeNode = a.opt("mode");
            int mode = modeNode.map(n -> mode(n, "mode")).orElse(0644);
            if ((mode & 0002) != 0) {
                throw new ScenarioError(modeNode.get().loc(), "sysfs attribute " + name + " is world-writable; the kernel refuses that at build time",
                        "a mode without the others-write bit, e.g. \"0644\", \"0444\" or \"0200\"");
            }
            attrs.add(new Attr(name, mode, a.opt("value").map(n -> Values.string(n, "value")).orElse("")));
        }
        return m -> {
            Sysfs.Kobject k = Sysfs.createAndAdd(m, dir, Sysfs.KERNEL);
            if (k == null) {
                throw new KernelError(Errno.ENOMEM);
            }
            List<Sysfs.Attribute> list = new ArrayList<>();
            for (Attr a : attrs) {
                String[] value = {a.value()};
                list.add(new Sysfs.Attribute(a.name(), a.mode(), (a.mode() & 0444) != 0 ? c -> withNewline(value[0]) : null,
                        (a.mode() & 0222) != 0 ? (c, text) -> {
                            value[0] = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
                            return (long) text.length();
                        } : null));
            }
            Sysfs.createGroup(m, k, list);
        };
    }

    // ---- debugfs ----

    private static Consumer<ModuleCtx> debugfs(Node node) {
        Fields f = Fields.of(node, "debugfs", DEBUGFS_KEYS);
        String dir = fileName(f.req("dir", "NAME (the directory under /sys/kernel/debug)"), "debugfs dir");
        Map<String, String> types = new LinkedHashMap<>();
        DEBUGFS_TYPES.forEach(t -> types.put(t, t));
        List<java.util.function.BiConsumer<ModuleCtx, Vfs.Dir>> files = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node item : f.opt("files").map(n -> Values.seq(n, "debugfs files", "'- {name: counter, type: u32, value: 0}'").items())
                .orElse(List.of())) {
            Fields a = Fields.of(item, "debugfs file", DEBUGFS_FILE_KEYS);
            String name = uniqueName(a, seen, "debugfs file", "file");
            String type = Values.choice(a.req("type", String.join(" | ", DEBUGFS_TYPES)), "debugfs file type", types);
            Optional<Node> modeNode = a.opt("mode");
            int mode = modeNode.map(n -> mode(n, "mode")).orElse(type.equals("blob") ? 0444 : 0644);
            if (type.equals("blob") && (mode & 0222) != 0) {
                throw new ScenarioError(modeNode.get().loc(), "a debugfs blob is read-only, and mode " + String.format("%04o", mode)
                        + " lets it be written", "a mode without write bits, e.g. \"0444\"");
            }
            Optional<Node> v = a.opt("value");
            switch (type) {
                case "u8" -> {
                    long init = v.map(n -> Values.integer(n, "u8 value", 0, 255)).orElse(0L);
                    files.add((m, d) -> Debugfs.createU8(m, name, mode, d, new Debugfs.U8((int) init)));
                }
                case "u32", "x32" -> {
                    long init = v.map(n -> Values.integer(n, type + " value", 0, 0xffffffffL)).orElse(0L);
                    boolean hex = type.equals("x32");
                    files.add((m, d) -> {
                        Debugfs.U32 u = new Debugfs.U32(init);
                        if (hex) {
                            Debugfs.createX32(m, name, mode, d, u);
                        } else {
                            Debugfs.createU32(m, name, mode, d, u);
                        }
                    });
                }
                case "bool" -> {
                    boolean init = v.map(n -> Values.bool(n, "bool value")).orElse(false);
                    files.add((m, d) -> Debugfs.createBool(m, name, mode, d, new Debugfs.Bool(init)));
                }
                default -> {
                    String text = v.map(n -> Values.string(n, "blob value")).orElse("");
                    files.add((m, d) -> Debugfs.createBlob(m, name, mode, d, Debugfs.Blob.of(text)));
                }
            }
        }
        return m -> {
            Vfs.Dir d = Debugfs.createDir(m, dir, null);
            if (d == null) {
                // debugfs_create_dir's error pointer: modules need not check it, and the files then fail too.
                return;
            }
            files.forEach(x -> x.accept(m, d));
        };
    }

    // ---- configfs ----

    private static Consumer<ModuleCtx> configfs(Node node) {
        Fields f = Fields.of(node, "configfs", CONFIGFS_KEYS);
        String subsystem = fileName(f.req("subsystem", "NAME (the directory under /sys/kernel/config)"), "configfs subsystem");
        List<String> attrs = new ArrayList<>();
        for (Node a : f.opt("attributes").map(n -> Values.seq(n, "configfs attributes", "attribute names, e.g. [value, description]").items())
                .orElse(List.of())) {
            String name = fileName(a, "configfs attribute");
            if (attrs.contains(name)) {
                throw new ScenarioError(a.loc(), "a second configfs attribute named '" + name + "'", "a unique name per attribute");
            }
            attrs.add(name);
        }
        return m -> {
            List<Configfs.Attribute> list = new ArrayList<>();
            for (String a : attrs) {
                list.add(Configfs.Attribute.rw(a, (c, item) -> withNewline(values(item).getOrDefault(a, "")), (c, item, text) -> {
                    values(item).put(a, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
                    return text.length();
                }));
            }
            Configfs.ItemType itemType = new Configfs.ItemType(list, null);
            Configfs.registerSubsystem(m, subsystem, new Configfs.ItemType(List.of(), new Configfs.GroupOps() {
                public Configfs.Item make(FileCtx c, Configfs.Group parent, String name) {
                    Configfs.Item item = new Configfs.Item(name, itemType);
                    item.setData(new LinkedHashMap<String, String>());
                    return item;
                }
            }));
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> values(Configfs.Item item) {
        return (Map<String, String>) item.data();
    }

    // ---- sysctl ----

    private static Consumer<ModuleCtx> sysctl(Node node) {
        Map<String, String> types = new LinkedHashMap<>();
        SYSCTL_TYPES.forEach(t -> types.put(t, t));
        // register_sysctl once per directory, with its entries in file order.
        Map<String, List<Supplier<CtlEntry>>> tables = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Node item : Values.seq(node, "sysctl", "entries, each '- {path: kctx/threshold, type: int_minmax, value: 50, min: 0, max: 100}'").items()) {
            Fields f = Fields.of(item, "sysctl entry", SYSCTL_KEYS);
            Node pathNode = f.req("path", "DIR/NAME, e.g. kctx/threshold");
            String path = matching(pathNode, "sysctl path", SYSCTL_PATH,
                    "DIR/NAME under /proc/sys, e.g. kctx/threshold (letters, digits, _ and -)");
            if (!seen.add(path)) {
                throw new ScenarioError(pathNode.loc(), "a second sysctl entry '" + path + "'", "a unique path per entry");
            }
            String dir = path.substring(0, path.lastIndexOf('/'));
            String name = path.substring(path.lastIndexOf('/') + 1);
            String type = Values.choice(f.req("type", String.join(" | ", SYSCTL_TYPES)), "sysctl type", types);
            Optional<Node> modeNode = f.opt("mode");
            int mode = modeNode.map(n -> mode(n, "mode")).orElse(0644);
            if ((mode & 0111) != 0) {
                throw new ScenarioError(modeNode.get().loc(), "sysctl mode " + String.format("%04o", mode) + " has execute bits",
                        "a mode without execute bits, e.g. \"0644\" or \"0444\"");
            }
            for (String k : List.of("min", "max")) {
                if (f.has(k) && !type.equals("int_minmax")) {
                    throw new ScenarioError(f.keyLoc(k), "'" + k + "' applies only to type int_minmax, not " + type,
                            "'type: int_minmax' or no '" + k + "'");
                }
            }
            if (f.has("maxlen") && !type.equals("string")) {
                throw new ScenarioError(f.keyLoc("maxlen"), "'maxlen' applies only to type string, not " + type,
                        "'type: string' or no 'maxlen'");
            }
            Supplier<CtlEntry> entry;
            switch (type) {
                case "int" -> {
                    int v = (int) f.opt("value").map(n -> Values.integer(n, "value", Integer.MIN_VALUE, Integer.MAX_VALUE)).orElse(0L).longValue();
                    entry = () -> CtlEntry.intvec(name, mode, v);
                }
                case "int_minmax" -> {
                    int min = (int) Values.integer(f.req("min", "INTEGER"), "min", Integer.MIN_VALUE, Integer.MAX_VALUE);
                    Node maxNode = f.req("max", "INTEGER");
                    int max = (int) Values.integer(maxNode, "max", Integer.MIN_VALUE, Integer.MAX_VALUE);
                    if (max < min) {
                        throw new ScenarioError(maxNode.loc(), "max is below min", "max >= min");
                    }
                    Optional<Node> vn = f.opt("value");
                    int v = (int) vn.map(n -> Values.integer(n, "value", min, max)).orElse((long) min).longValue();
                    entry = () -> CtlEntry.intMinmax(name, mode, min, max, v);
                }
                default -> {
                    int maxlen = (int) f.opt("maxlen").map(n -> Values.integer(n, "maxlen", 1, 4096)).orElse(64L).longValue();
                    Optional<Node> vn = f.opt("value");
                    String v = vn.map(n -> Values.string(n, "value")).orElse("");
                    if (v.length() > maxlen - 1) {
                        throw new ScenarioError(vn.get().loc(), "value is " + v.length() + " characters and maxlen " + maxlen
                                + " leaves room for " + (maxlen - 1), "a shorter value or a larger maxlen");
                    }
                    entry = () -> CtlEntry.string(name, mode, maxlen, v);
                }
            }
            tables.computeIfAbsent(dir, d -> new ArrayList<>()).add(entry);
        }
        return m -> tables.forEach((dir, entries) -> Sysctl.register(m, dir, entries.stream().map(Supplier::get).toList()));
    }

    // ---- a character device ----

    private static Consumer<ModuleCtx> chardev(Node node, String module) {
        Fields f = Fields.of(node, "chardev", CHARDEV_KEYS);
        String name = fileName(f.req("name", "NAME (as /proc/devices lists it)"), "chardev name");
        int major = (int) f.opt("major").map(n -> Values.integer(n, "major", 0, 511)).orElse(0L).longValue();
        int buffer = (int) f.opt("buffer").map(n -> Values.integer(n, "buffer", 1, MAX_BUFFER)).orElse((long) CdevExample.BUFFER).longValue();
        Map<String, Integer> vars = f.opt("variables").map(IoctlSection::variables).orElse(Map.of());
        List<IoctlSection.Command> ioctls = f.opt("ioctl").map(n -> IoctlSection.commands(n, vars)).orElse(List.of());
        if (f.has("variables") && !f.has("ioctl")) {
            throw new ScenarioError(f.keyLoc("variables"), "chardev " + name + " has variables but no ioctl commands that use them",
                    "'ioctl: [{name: NAME, cmd: \"_IOR('q', 1, int)\", get: VARIABLE}]' or no 'variables'");
        }
        // Each load starts from the declared values, as a fresh module's statics would.
        return m -> m.registerChrdev(major, name, new BufferFops(module, buffer, new byte[1][0],
                ioctls.isEmpty() ? null : IoctlSection.Handler.of(ioctls, vars)));
    }

    /**
     * cdev_example's operations: write fills a kernel buffer (cut at its size), read returns it, then
     * end of file; ioctl runs the declared commands, or is ENOTTY without any (no unlocked_ioctl).
     */
    private record BufferFops(String owner, int size, byte[][] data, IoctlSection.Handler ioctls) implements FileOps {
        @Override
        public long ioctl(FileCtx c, OpenFile f, int cmd, UserPtr arg) {
            return ioctls == null ? FileOps.super.ioctl(c, f, cmd, arg) : ioctls.ioctl(c, cmd, arg);
        }

        @Override
        public IoResult read(FileCtx c, OpenFile f, int count) {
            byte[] buf = data[0];
            int from = (int) Math.min(f.pos(), buf.length);
            int n = Math.min(count, buf.length - from);
            byte[] out = c.copyToUser(Arrays.copyOfRange(buf, from, from + n));
            f.setPos(from + n);
            return IoResult.Done.read(out);
        }

        @Override
        public IoResult write(FileCtx c, OpenFile f, byte[] in) {
            byte[] got = c.copyFromUser(in);
            data[0] = Arrays.copyOf(got, Math.min(got.length, size));
            return IoResult.Done.of(got.length);
        }
    }
}
