package dev.kctx.mechanisms.configfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileProtocol;
import dev.kctx.mechanisms.vfs.Libfs;
import dev.kctx.mechanisms.vfs.OpenFile;
import dev.kctx.mechanisms.vfs.Vfs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * configfs (fs/configfs): objects made from user space. A module registers a subsystem, a group at
 * /sys/kernel/config/NAME; mkdir inside a group asks the group's type to make an item (or a group,
 * in which mkdir works in turn), whose attributes appear as files; rmdir drops it. Every item
 * pins the module twice while it exists (the subsystem's owner and the item type's owner, as
 * configfs_mkdir takes both), so rmmod fails with EBUSY until the items are removed. Attribute
 * files work like sysfs ones: show() into one page (4096 bytes), store() of at most 4095 bytes,
 * EACCES on open without the mode bit or the method; an open attribute pins its module too, and
 * after its item is removed fails with ENOENT.
 */
public final class Configfs {
    public static final String ROOT = "/sys/kernel/config";
    /** SIMPLE_ATTR_SIZE: configfs's page, the same on every architecture. */
    public static final int SIMPLE_ATTR_SIZE = 4096;

    private Configfs() {
    }

    /** struct configfs_attribute (CONFIGFS_ATTR: 0644, _RO: 0444, _WO: 0200); show or store may be null. */
    public record Attribute(String name, int mode, BiFunction<FileCtx, Item, String> show,
                            StoreFn store) {
        public Attribute {
            if (!name.matches("[A-Za-z0-9_.:-]+")) {
                throw new IllegalArgumentException("bad configfs attribute name '" + name + "'");
            }
            if (mode < 0 || mode > 0777) {
                throw new IllegalArgumentException("bad mode " + Integer.toOctalString(mode) + " for attribute " + name);
            }
        }

        public static Attribute rw(String name, BiFunction<FileCtx, Item, String> show, StoreFn store) {
            return new Attribute(name, 0644, show, store);
        }

        public static Attribute ro(String name, BiFunction<FileCtx, Item, String> show) {
            return new Attribute(name, 0444, show, null);
        }

        public static Attribute wo(String name, StoreFn store) {
            return new Attribute(name, 0200, null, store);
        }
    }

    /** An attribute's store: parses {@code text} into the item and returns the count consumed (or throws KernelError). */
    @FunctionalInterface
    public interface StoreFn {
        long store(FileCtx c, Item item, String text);
    }

    /**
     * struct configfs_group_operations: make_item or make_group (return a {@link Group}) for a user's
     * mkdir, drop_item for rmdir. Both run in the calling task's process context.
     */
    public interface GroupOps {
        /** Makes the item named {@code name} in {@code parent}; throw KernelError (ERR_PTR) to refuse. */
        Item make(FileCtx c, Group parent, String name);

        /** The item leaves; by default nothing more than the last reference going. */
        default void drop(FileCtx c, Group parent, Item item) {
        }
    }

    /** struct config_item_type: the attributes of items of this type and, for groups, the operations making children. */
    public record ItemType(List<Attribute> attributes, GroupOps groupOps) {
        public ItemType {
            attributes = List.copyOf(attributes);
        }

        public static ItemType of(Attribute... attrs) {
            return new ItemType(List.of(attrs), null);
        }
    }

    /** struct config_item: a directory of attribute files; {@link #data} is the module's object. */
    public static class Item {
        private final String name;
        private final ItemType type;
        private Object data;
        Group parent;
        String path;
        boolean dead;

        public Item(String name, ItemType type) {
            this.name = name;
            this.type = type;
        }

        public String name() {
            return name;
        }

        public ItemType type() {
            return type;
        }

        public Object data() {
            return data;
        }

        public void setData(Object d) {
            data = d;
        }

        public Group parent() {
            return parent;
        }

        /** Its directory, once attached. */
        public String path() {
            return path;
        }
    }

    /** struct config_group: an item in which mkdir makes children, through its type's group operations. */
    public static class Group extends Item {
        final Map<String, Item> children = new LinkedHashMap<>();

        public Group(String name, ItemType type) {
            super(name, type);
        }

        public List<Item> children() {
            return List.copyOf(children.values());
        }
    }

    /** struct configfs_subsystem: the top group, owned by the module that registered it. */
    public static final class Subsystem extends Group {
        private final String owner;

        Subsystem(String name, ItemType type, String owner) {
            super(name, type);
            this.owner = owner;
        }

        public String owner() {
            return owner;
        }
    }

    /**
     * configfs_register_subsystem: /sys/kernel/config/NAME appears (0755, root); unregistered when
     * the module unloads. EEXIST when the name is taken.
     */
    public static Subsystem registerSubsystem(ModuleCtx m, String name, ItemType type) {
        if (type.groupOps() == null) {
            throw new IllegalArgumentException("subsystem " + name + " needs group operations (make_item or make_group)");
        }
        Vfs vfs = m.vfs();
        String path = ROOT + "/" + name;
        if (vfs.exists(path)) {
            throw new KernelError(Errno.EEXIST);
        }
        Subsystem s = new Subsystem(name, type, m.name());
        Vfs.Dir root = (Vfs.Dir) vfs.lookup(ROOT);
        Vfs.Dir dir = vfs.createDir(root, name, 0755, 0, m.name());
        attach(vfs, s, null, dir, s);
        m.onUnload(() -> {
            kill(s);
            vfs.removeTree(path);
        });
        return s;
    }

    /** configfs_unregister_subsystem, for a module that does it in its exit function (else done at unload). */
    public static void unregisterSubsystem(ModuleCtx m, Subsystem s) {
        if (!s.children.isEmpty()) {
            m.printk("configfs: Tried to unregister non-empty subsystem!");
        }
        kill(s);
        m.vfs().removeTree(s.path);
    }

    private static void attach(Vfs vfs, Item item, Group parent, Vfs.Dir dir, Subsystem subsys) {
        item.parent = parent;
        item.path = dir.path();
        String owner = subsys.owner;
        for (Attribute a : item.type().attributes()) {
            vfs.createFile(item.path + "/" + a.name(), a.mode(), owner, new AttrFops(item, a, owner));
        }
        if (item instanceof Group g) {
            dir.setOps(new GroupDirOps(g, subsys));
        }
    }

    private static void kill(Item item) {
        item.dead = true;
        if (item instanceof Group g) {
            g.children.values().forEach(Configfs::kill);
        }
    }

    private static Modules modules(FileCtx c) {
        return c.kernel().extension(Modules.class, () -> new Modules(List.of()));
    }

    /** mkdir and rmdir in a group's directory: configfs_mkdir and configfs_rmdir, as {@link ConfigfsProtocol} requests. */
    record GroupDirOps(Group group, Subsystem subsys) implements Vfs.DirOps {
        @Override
        public void mkdir(FileCtx c, Vfs.Dir dir, String name) {
            answer(handle(c, dir, new ConfigfsProtocol.MakeItem(name)));
        }

        @Override
        public void rmdir(FileCtx c, Vfs.Dir dir, String name) {
            answer(handle(c, dir, new ConfigfsProtocol.DropItem(name)));
        }

        /** The group's side of {@link ConfigfsProtocol}: MakeItem and DropItem. */
        ConfigfsProtocol.Reply handle(FileCtx c, Vfs.Dir dir, ConfigfsProtocol.Request r) {
            if (r instanceof ConfigfsProtocol.MakeItem m) {
                return make(c, dir, m.name());
            }
            return drop(c, ((ConfigfsProtocol.DropItem) r).name());
        }

        private ConfigfsProtocol.Reply make(FileCtx c, Vfs.Dir dir, String name) {
            GroupOps ops = group.type().groupOps();
            if (ops == null) {
                // "Lack-of-mkdir returns -EPERM"
                return new ConfigfsProtocol.Error(Errno.EPERM);
            }
            Modules mods = modules(c);
            if (!mods.tryGet(subsys.owner)) {
                return new ConfigfsProtocol.Error(Errno.EINVAL);
            }
            Item item;
            try {
                item = ops.make(c, group, name);
                if (item == null) {
                    throw new KernelError(Errno.ENOMEM);
                }
            } catch (KernelError e) {
                mods.put(subsys.owner);
                throw e;
            }
            // The item type's owner: the module that registered the subsystem, here.
            if (!mods.tryGet(subsys.owner)) {
                ops.drop(c, group, item);
                mods.put(subsys.owner);
                return new ConfigfsProtocol.Error(Errno.EINVAL);
            }
            Vfs vfs = c.kernel().extension(Vfs.class, Vfs::new);
            Vfs.Dir d = vfs.createDir(dir, name, 0755, 0, subsys.owner);
            group.children.put(name, item);
            attach(vfs, item, group, d, subsys);
            return new ConfigfsProtocol.Done();
        }

        private ConfigfsProtocol.Reply drop(FileCtx c, String name) {
            Item item = group.children.get(name);
            if (item == null) {
                // A default group, or not an item: configfs refuses (CONFIGFS_USET_DEFAULT).
                return new ConfigfsProtocol.Error(Errno.EPERM);
            }
            if (item instanceof Group g && !g.children.isEmpty()) {
                // configfs_detach_prep: a group with children of its own cannot go.
                return new ConfigfsProtocol.Error(Errno.ENOTEMPTY);
            }
            kill(item);
            c.kernel().extension(Vfs.class, Vfs::new).removeTree(item.path);
            group.children.remove(name);
            group.type().groupOps().drop(c, group, item);
            Modules mods = modules(c);
            mods.put(subsys.owner);
            mods.put(subsys.owner);
            return new ConfigfsProtocol.Done();
        }
    }

    private static ConfigfsProtocol.Reply answer(ConfigfsProtocol.Reply r) {
        if (r instanceof ConfigfsProtocol.Error e) {
            throw new KernelError(e.errno());
        }
        return r;
    }

    /** An attribute file: configfs_open_file, configfs_read_iter, configfs_write_iter. */
    static final class AttrFops implements FileProtocol.Attribute {
        private final Item item;
        private final Attribute attr;
        private final String owner;

        AttrFops(Item item, Attribute attr, String owner) {
            this.item = item;
            this.attr = attr;
            this.owner = owner;
        }

        @Override
        public String owner() {
            return owner;
        }

        /** The per-open buffer: the page show() filled, refilled after a write. */
        static final class Buffer {
            byte[] page;
        }

        /**
         * The attribute's side of {@link FileProtocol} ({@link FileProtocol.Attribute}): Open, Read
         * (show) and Write (store); show's and store's own errors go through. The failures: ENOENT
         * (the item was dropped), EACCES (mode), EIO (show overflowed the page), EFAULT (empty write).
         */
        @Override
        public FileProtocol.Reply opened(OpenFile f) {
            if (item.dead) {
                return new FileProtocol.Error(Errno.ENOENT);
            }
            if (f.writable() && ((attr.mode() & 0222) == 0 || attr.store() == null)) {
                return new FileProtocol.Error(Errno.EACCES);
            }
            if (f.readable() && ((attr.mode() & 0444) == 0 || attr.show() == null)) {
                return new FileProtocol.Error(Errno.EACCES);
            }
            f.setPrivateData(new Buffer());
            return new FileProtocol.Done();
        }

        @Override
        public FileProtocol.Reply show(FileCtx c, OpenFile f, int count) {
            Buffer b = (Buffer) f.privateData();
            if (b.page == null) {
                if (item.dead) {
                    return new FileProtocol.Error(Errno.ENOENT);
                }
                byte[] page = attr.show().apply(c, item).getBytes(StandardCharsets.UTF_8);
                if (page.length > SIMPLE_ATTR_SIZE) {
                    // WARN_ON_ONCE(count > SIMPLE_ATTR_SIZE): the read fails.
                    c.printk("WARNING: CPU: 0 PID: " + c.pid() + " at fs/configfs/file.c fill_read_buffer");
                    return new FileProtocol.Error(Errno.EIO);
                }
                b.page = page;
            }
            return FileProtocol.Transferred.read(Libfs.simpleReadFromBuffer(c, f, count, b.page));
        }

        @Override
        public FileProtocol.Reply store(FileCtx c, OpenFile f, byte[] data) {
            Buffer b = (Buffer) f.privateData();
            byte[] in = c.copyFromUser(Arrays.copyOf(data, Math.min(data.length, SIMPLE_ATTR_SIZE - 1)));
            b.page = null;
            if (in.length == 0) {
                return new FileProtocol.Error(Errno.EFAULT);
            }
            if (item.dead) {
                return new FileProtocol.Error(Errno.ENOENT);
            }
            long n = attr.store().store(c, item, new String(in, StandardCharsets.UTF_8));
            if (n > 0) {
                f.setPos(f.pos() + n);
            }
            return FileProtocol.Transferred.written(n);
        }
    }
}
