package dev.kctx.mechanisms.configfs;

import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;

import java.util.List;

/**
 * A module registering the configfs subsystem configfs_example: each mkdir in it makes an item
 * with {@code value} (an int) and {@code description} (a line of text); the module logs what
 * happens to its items.
 */
public final class ConfigfsExample {
    public static final String NAME = "configfs_example";

    private ConfigfsExample() {
    }

    /** The module's object behind one item. */
    static final class Thing {
        int value;
        String description = "";
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), ConfigfsExample::init, m -> m.printk(NAME + ": unregistered"));
    }

    static final Configfs.ItemType ITEM = Configfs.ItemType.of(
            Configfs.Attribute.rw("value", (c, item) -> thing(item).value + "\n", ConfigfsExample::storeValue),
            Configfs.Attribute.rw("description", (c, item) -> thing(item).description + "\n", (c, item, text) -> {
                thing(item).description = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
                return text.length();
            }));

    private static int init(ModuleCtx m) {
        Configfs.registerSubsystem(m, NAME, new Configfs.ItemType(List.of(), new Configfs.GroupOps() {
            public Configfs.Item make(FileCtx c, Configfs.Group parent, String name) {
                Configfs.Item item = new Configfs.Item(name, ITEM);
                item.setData(new Thing());
                c.printk(NAME + ": make_item " + name);
                return item;
            }

            public void drop(FileCtx c, Configfs.Group parent, Configfs.Item item) {
                c.printk(NAME + ": drop_item " + item.name() + " (value " + thing(item).value + ")");
            }
        }));
        m.printk(NAME + ": registered subsystem " + NAME);
        return 0;
    }

    static Thing thing(Configfs.Item item) {
        return (Thing) item.data();
    }

    private static long storeValue(FileCtx c, Configfs.Item item, String text) {
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (!t.matches("[+-]?[0-9]{1,9}")) {
            throw new KernelError(Errno.EINVAL);
        }
        thing(item).value = Integer.parseInt(t.startsWith("+") ? t.substring(1) : t);
        c.printk(NAME + ": " + item.name() + " value = " + thing(item).value);
        return text.length();
    }
}
