package dev.kctx.mechanisms.sysfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.kernfs.SysfsAttribute;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * sysfs registration for modules (lib/kobject.c, fs/sysfs): kobjects are directories under /sys,
 * attributes are files holding one value each, served by {@link SysfsAttribute}. What a module
 * registers is removed when it unloads (kobject_put in its exit path, done for it).
 */
public final class Sysfs {
    private Sysfs() {
    }

    /** struct kobj_attribute (__ATTR(name, mode, show, store)): show or store may be null. */
    public record Attribute(String name, int mode, Function<FileCtx, String> show, BiFunction<FileCtx, String, Long> store) {
        public Attribute {
            if (!name.matches("[A-Za-z0-9_.:-]+")) {
                throw new IllegalArgumentException("bad sysfs attribute name '" + name + "'");
            }
            if (mode < 0 || mode > 0777) {
                throw new IllegalArgumentException("bad mode " + Integer.toOctalString(mode) + " for attribute " + name);
            }
            if ((mode & 0002) != 0) {
                // VERIFY_OCTAL_PERMISSIONS refuses world-writable attributes at build time.
                throw new IllegalArgumentException("attribute " + name + " must not be world-writable");
            }
        }

        /** __ATTR_RO: mode 0444, show only. */
        public static Attribute ro(String name, Function<FileCtx, String> show) {
            return new Attribute(name, 0444, show, null);
        }

        /** __ATTR_RW: mode 0644. */
        public static Attribute rw(String name, Function<FileCtx, String> show, BiFunction<FileCtx, String, Long> store) {
            return new Attribute(name, 0644, show, store);
        }

        /** __ATTR_WO: mode 0200, store only. */
        public static Attribute wo(String name, BiFunction<FileCtx, String, Long> store) {
            return new Attribute(name, 0200, null, store);
        }
    }

    /** A kobject as its users hold it: the directory, e.g. /sys/kernel/NAME. */
    public record Kobject(String path) {
        /** The name sysfs messages use: the path below /sys. */
        String sysfsName() {
            return path.substring("/sys".length());
        }
    }

    /** The attributes alive in sysfs by path (a KernelObjects extension), so removal reaches open files. */
    static final class State {
        private final Map<String, SysfsAttribute> files = new LinkedHashMap<>();

        void deactivate(String path) {
            files.entrySet().removeIf(e -> {
                boolean dead = e.getKey().equals(path) || e.getKey().startsWith(path + "/");
                if (dead) {
                    e.getValue().deactivate();
                }
                return dead;
            });
        }
    }

    /** kernel_kobj: /sys/kernel. */
    public static final Kobject KERNEL = new Kobject("/sys/kernel");
    /** firmware_kobj: /sys/firmware. */
    public static final Kobject FIRMWARE = new Kobject("/sys/firmware");

    /**
     * kobject_create_and_add: a directory NAME under {@code parent} (null: /sys itself). Returns null
     * when the name is taken, after the kernel's messages (the module then returns -ENOMEM).
     */
    public static Kobject createAndAdd(ModuleCtx m, String name, Kobject parent) {
        String base = parent == null ? "/sys" : parent.path();
        Kobject k = new Kobject(base + "/" + name);
        Vfs vfs = m.vfs();
        if (vfs.exists(k.path())) {
            m.printk("sysfs: cannot create duplicate filename '" + k.sysfsName() + "'");
            m.printk("kobject_add_internal failed for " + name + " with -EEXIST, don't try to register things with the same name in the same directory.");
            return null;
        }
        State st = m.kernel(State.class, State::new);
        m.createDir(k.path());
        m.onUnload(() -> st.deactivate(k.path()));
        return k;
    }

    /**
     * sysfs_create_file: the attribute as a file of {@code k}, owned by root with the attribute's
     * mode. EEXIST (after the kernel's warning) when the name is taken.
     */
    public static void createFile(ModuleCtx m, Kobject k, Attribute a) {
        String path = k.path() + "/" + a.name();
        if (m.vfs().exists(path)) {
            m.printk("sysfs: cannot create duplicate filename '" + k.sysfsName() + "/" + a.name() + "'");
            throw new KernelError(Errno.EEXIST);
        }
        // No owner: struct attribute has none, so an open attribute does not pin the module (kernfs
        // active references only make removal wait for callbacks in progress).
        SysfsAttribute fops = new SysfsAttribute(null, a.name() + "_show [" + m.name() + "]", a.mode(), a.show(), a.store());
        State st = m.kernel(State.class, State::new);
        m.createFile(path, a.mode(), fops);
        st.files.put(path, fops);
        m.onUnload(() -> st.deactivate(path));
    }

    /** sysfs_create_group: every attribute, or none (those made are removed again on failure). */
    public static void createGroup(ModuleCtx m, Kobject k, List<Attribute> attrs) {
        List<Attribute> made = new ArrayList<>();
        try {
            for (Attribute a : attrs) {
                createFile(m, k, a);
                made.add(a);
            }
        } catch (KernelError e) {
            made.forEach(a -> removeFile(m, k, a.name()));
            throw e;
        }
    }

    /** sysfs_remove_file: open files on it get ENODEV from now on. */
    public static void removeFile(ModuleCtx m, Kobject k, String name) {
        m.kernel(State.class, State::new).deactivate(k.path() + "/" + name);
        m.vfs().removeTree(k.path() + "/" + name);
    }

    /** kobject_put of the last reference: the directory and its attributes go. */
    public static void put(ModuleCtx m, Kobject k) {
        m.kernel(State.class, State::new).deactivate(k.path());
        m.vfs().removeTree(k.path());
    }
}
