package dev.kctx.mechanisms.module;

import dev.kctx.actors.program.Exec;
import dev.kctx.mechanisms.vfs.CharDevices;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileOps;
import dev.kctx.mechanisms.vfs.Vfs;

import java.util.Map;
import java.util.function.Supplier;

/**
 * What a module's init and exit functions see: their parameters, printk, and the registration
 * calls. Every registration is remembered and undone, in reverse order, when the module unloads.
 */
public final class ModuleCtx {
    private final Modules.Loaded module;
    private final FileCtx file;

    ModuleCtx(Modules.Loaded module, FileCtx file) {
        this.module = module;
        this.file = file;
    }

    public String name() {
        return module.def().name();
    }

    /** The parameter's current value (Long for integers, Boolean, String for charp). */
    public Object param(String name) {
        return module.param(name);
    }

    public long paramLong(String name) {
        return (Long) module.param(name);
    }

    public void printk(String line) {
        file.printk(line);
    }

    public FileCtx ctx() {
        return file;
    }

    public Exec exec() {
        return file.exec();
    }

    /** The module's global variables, kept for its lifetime. */
    public Map<String, Object> globals() {
        return module.globals();
    }

    public <T> T kernel(Class<T> key, Supplier<T> init) {
        return file.kernel().extension(key, init);
    }

    public Vfs vfs() {
        return kernel(Vfs.class, Vfs::new);
    }

    /** Remembers {@code undo} to run when the module unloads (after its exit function). */
    public void onUnload(Runnable undo) {
        module.addUndo(undo);
    }

    /** register_chrdev(major, name, fops): 0 asks for a dynamic major; returns it. */
    public int registerChrdev(int major, String devName, FileOps fops) {
        CharDevices devs = kernel(CharDevices.class, CharDevices::new);
        int got = devs.register(major, devName, fops, name());
        onUnload(() -> devs.unregister(got));
        return got;
    }

    /** A file at an absolute path (procfs, debugfs, sysfs helpers build on this); removed at unload. */
    public Vfs.File createFile(String path, int mode, FileOps fops) {
        Vfs v = vfs();
        Vfs.File f = v.createFile(path, mode, name(), fops);
        onUnload(() -> v.removeTree(path));
        return f;
    }

    /** A directory at an absolute path; removed with everything in it at unload. */
    public Vfs.Dir createDir(String path) {
        Vfs v = vfs();
        boolean existed = v.exists(path);
        Vfs.Dir d = v.mkdirs(path, name());
        if (!existed) {
            onUnload(() -> v.removeTree(path));
        }
        return d;
    }
}
