package dev.kctx.mechanisms.module;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.mechanisms.vfs.VfsInitcall;
import dev.kctx.mechanisms.Cred;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.kernfs.SysfsAttribute;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The module loader (kernel/module): the .ko files the machine has, the modules loaded, their
 * reference counts and registrations. Create it at boot with the definitions:
 * {@code MachineSpec.builder().boot(Modules.class, () -> new Modules(List.of(def)))}.
 */
public final class Modules implements VfsInitcall.Owners {

    /** A loaded module. */
    public static final class Loaded {
        private final ModuleDef def;
        private final Map<String, Object> params = new LinkedHashMap<>();
        private final Map<String, Object> globals = new LinkedHashMap<>();
        private final List<Runnable> undo = new ArrayList<>();
        private int refcnt;
        private String state = "coming";

        Loaded(ModuleDef def) {
            this.def = def;
        }

        public ModuleDef def() {
            return def;
        }

        public Object param(String name) {
            if (!params.containsKey(name)) {
                throw new IllegalArgumentException("module " + def.name() + " has no parameter " + name);
            }
            return params.get(name);
        }

        Map<String, Object> globals() {
            return globals;
        }

        void addUndo(Runnable r) {
            undo.add(r);
        }

        public int refcnt() {
            return refcnt;
        }

        public String state() {
            return state;
        }
    }

    /**
     * What the loader does with a parameter the module does not declare. Linux before 3.17 refused
     * the load ("Unknown parameter `x'", ENOENT), as the seed's kernel did; since 3.17
     * (unknown_module_param_cb) it warns "unknown parameter 'x' ignored" and loads the module.
     */
    public enum UnknownParams { REJECT, IGNORE }

    private final Map<String, ModuleDef> files = new LinkedHashMap<>();
    private final Map<String, Loaded> loaded = new LinkedHashMap<>();
    private UnknownParams unknownParams = UnknownParams.REJECT;

    public Modules(List<ModuleDef> defs) {
        for (ModuleDef d : defs) {
            if (files.put(d.file(), d) != null) {
                throw new IllegalArgumentException("module file " + d.file() + " is defined twice");
            }
        }
    }

    /** Chooses the kernel generation's handling of unknown parameters (default: REJECT, the seed's). */
    public Modules unknownParams(UnknownParams policy) {
        this.unknownParams = policy;
        return this;
    }

    /** True when the machine has NAME.ko. */
    public boolean hasFile(String name) {
        return files.values().stream().anyMatch(d -> d.name().equals(name));
    }

    /** The module in file {@code path} as insmod is given it: exact path (without "./"), else by file name. */
    public ModuleDef file(String path) {
        String p = path.startsWith("./") ? path.substring(2) : path;
        ModuleDef d = files.get(p);
        if (d == null) {
            String base = p.substring(p.lastIndexOf('/') + 1);
            d = files.get(base);
        }
        return d;
    }

    /** The module file whose module is {@code name} (modprobe's lookup): NAME.ko first, else the first build of it. */
    public ModuleDef byName(String name) {
        ModuleDef d = files.get(name + ".ko");
        if (d != null && d.name().equals(name)) {
            return d;
        }
        return files.values().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
    }

    public boolean isLoaded(String name) {
        return loaded.containsKey(name);
    }

    public Loaded get(String name) {
        return loaded.get(name);
    }

    /** Names of the loaded modules, in load order (lsmod lists newest first). */
    public List<String> loadedNames() {
        return new ArrayList<>(loaded.keySet());
    }

    /**
     * init_module: loads {@code name} with {@code args} ("key=value"). Failures are -errno with the
     * kernel log lines the kernel prints; the init function's own failure unloads what it registered.
     */
    public void insmod(FileCtx c, String name, List<String> args) {
        insmodFile(c, name + ".ko", args);
    }

    /** init_module of the module in file {@code path} (see {@link #file}). */
    public void insmodFile(FileCtx c, String path, List<String> args) {
        Cred cred = c.cred();
        if (!cred.capable(Cred.Cap.CAP_SYS_MODULE)) {
            throw new KernelError(Errno.EPERM);
        }
        ModuleDef def = file(path);
        if (def == null) {
            throw new KernelError(Errno.ENOENT, "could not load module " + path + ": No such file or directory");
        }
        String name = def.name();
        if (loaded.containsKey(name)) {
            throw new KernelError(Errno.EEXIST);
        }
        Loaded m = new Loaded(def);
        for (ParamDef p : def.params()) {
            m.params.put(p.name(), p.defaultValue());
        }
        for (String arg : args) {
            int eq = arg.indexOf('=');
            ParamsProtocol.Set set = new ParamsProtocol.Set(eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? null : arg.substring(eq + 1));
            if (param(c, m, set, true) instanceof ParamsProtocol.Error e) {
                throw new KernelError(e.errno());
            }
        }
        loaded.put(name, m);
        Vfs vfs = c.kernel().extension(Vfs.class, Vfs::new);
        createSysModule(vfs, m);
        ModuleCtx ctx = new ModuleCtx(m, c);
        int rc;
        try {
            rc = def.init().applyAsInt(ctx);
        } catch (KernelError e) {
            rc = e.errno().negative();
        }
        if (rc != 0) {
            teardown(vfs, m);
            throw new KernelError(Errno.byNumber(rc));
        }
        m.state = "live";
    }

    /**
     * delete_module (kernel/module/main.c, Linux 6.6): EPERM without CAP_SYS_MODULE; ENOENT for a
     * name no module has (compared exactly: kmod normalises '-' before the call); EBUSY for a
     * module not live (still in init, or going) and for one with an init but no exit function;
     * EWOULDBLOCK (EAGAIN) while it is referenced (try_stop_module without O_TRUNC).
     */
    public void rmmod(FileCtx c, String name) {
        if (!c.cred().capable(Cred.Cap.CAP_SYS_MODULE)) {
            throw new KernelError(Errno.EPERM);
        }
        Loaded m = loaded.get(name);
        if (m == null) {
            throw new KernelError(Errno.ENOENT);
        }
        if (!m.state.equals("live")) {
            throw new KernelError(Errno.EBUSY);
        }
        if (m.refcnt > 0) {
            throw new KernelError(Errno.EAGAIN);
        }
        m.state = "going";
        if (m.def.exit() != null) {
            m.def.exit().accept(new ModuleCtx(m, c));
        }
        teardown(c.kernel().extension(Vfs.class, Vfs::new), m);
    }

    /**
     * What a reboot does to modules: the machine restarts, so every module is gone, its exit
     * function never called and open references ignored; their registrations disappear with them.
     */
    public void unloadAllForReboot(FileCtx c) {
        Vfs vfs = c.kernel().extension(Vfs.class, Vfs::new);
        List<String> names = new ArrayList<>(loaded.keySet());
        java.util.Collections.reverse(names);
        for (String n : names) {
            Loaded m = loaded.get(n);
            m.state = "going";
            teardown(vfs, m);
        }
    }

    /** try_module_get: pins a live module (an open file whose fops.owner it is). */
    @Override
    public boolean tryGet(String name) {
        Loaded m = loaded.get(name);
        if (m == null || !m.state.equals("live")) {
            return false;
        }
        m.refcnt++;
        return true;
    }

    /** module_put. */
    @Override
    public void put(String name) {
        Loaded m = loaded.get(name);
        if (m != null && m.refcnt > 0) {
            m.refcnt--;
        }
    }

    private void teardown(Vfs vfs, Loaded m) {
        for (int i = m.undo.size() - 1; i >= 0; i--) {
            m.undo.get(i).run();
        }
        m.undo.clear();
        vfs.removeTree("/sys/module/" + m.def.name());
        loaded.remove(m.def.name());
    }

    /**
     * The loader's side of {@link ParamsProtocol} for module {@code m}: {@code atLoad} for insmod's
     * arguments (parse_args: an unknown name is refused or ignored by the kernel generation, a bad
     * value fails the load, each with the kernel's log line), else a parameter file's access
     * (param_attr_show / param_attr_store).
     */
    private ParamsProtocol.Reply param(FileCtx c, Loaded m, ParamsProtocol.Request r, boolean atLoad) {
        String name = m.def.name();
        if (r instanceof ParamsProtocol.Get g) {
            return new ParamsProtocol.Value(m.def.params().stream().filter(x -> x.name().equals(g.name())).findFirst()
                    .map(p -> p.type().show(m.params.get(p.name())) + "\n").orElseThrow());
        }
        ParamsProtocol.Set set = (ParamsProtocol.Set) r;
        String key = set.name();
        // parameq: dashes and underscores are equivalent in parameter names.
        ParamDef p = m.def.params().stream().filter(x -> x.name().equals(key.replace('-', '_'))).findFirst().orElse(null);
        if (p == null) {
            if (unknownParams == UnknownParams.IGNORE) {
                c.printk(name + ": unknown parameter '" + key + "' ignored");
                return new ParamsProtocol.Ignored(key);
            }
            c.printk(name + ": Unknown parameter `" + key + "'");
            return new ParamsProtocol.Error(Errno.ENOENT);
        }
        String val = set.value() == null ? "" : set.value();
        Object v = atLoad && set.value() == null && (p.type() == ParamType.BOOL || p.type() == ParamType.INVBOOL)
                ? p.type().parse("y") : p.type().parse(atLoad ? val : val.strip());
        if (v == null) {
            if (atLoad) {
                c.printk(name + ": `" + val + "' invalid for parameter `" + key + "'");
            }
            return new ParamsProtocol.Error(p.type().parseError(atLoad ? val : val.strip()));
        }
        m.params.put(p.name(), v);
        return new ParamsProtocol.Accepted(v);
    }

    /** /sys/module/NAME as the seed's listing shows it, plus parameters/ when a parameter has a mode. */
    private void createSysModule(Vfs vfs, Loaded m) {
        String base = "/sys/module/" + m.def.name();
        String name = m.def.name();
        for (String d : List.of("holders", "notes", "sections")) {
            vfs.mkdirs(base + "/" + d, name);
        }
        vfs.createFile(base + "/initstate", 0444, null, new SysfsAttribute(null, 0444, c -> m.state + "\n", null));
        vfs.createFile(base + "/refcnt", 0444, null, new SysfsAttribute(null, 0444, c -> m.refcnt + "\n", null));
        vfs.createFile(base + "/srcversion", 0444, null, new SysfsAttribute(null, 0444,
                c -> String.format("%023X%n", Math.abs((long) name.hashCode()) * 2654435761L), null));
        vfs.createFile(base + "/supported", 0444, null, new SysfsAttribute(null, 0444, c -> "external\n", null));
        for (ParamDef p : m.def.params()) {
            if (p.perm() == 0) {
                continue;
            }
            boolean writable = (p.perm() & 0222) != 0;
            vfs.createFile(base + "/parameters/" + p.name(), p.perm(), null, new SysfsAttribute(null, p.perm(),
                    c -> ((ParamsProtocol.Value) param(c, m, new ParamsProtocol.Get(p.name()), false)).text(),
                    writable ? (c, text) -> {
                        if (param(c, m, new ParamsProtocol.Set(p.name(), text), false) instanceof ParamsProtocol.Error e) {
                            throw new KernelError(e.errno());
                        }
                        return (long) text.length();
                    } : null));
        }
    }

    /** The module loader pins the owners of file operations (try_module_get, module_put). */
    public static final class Boot implements VfsInitcall {
        @Override
        public Owners owners(KernelObjects k) {
            return k.extension(Modules.class, () -> new Modules(List.of()));
        }
    }
}
