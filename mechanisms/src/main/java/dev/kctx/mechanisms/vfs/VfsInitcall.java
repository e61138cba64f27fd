package dev.kctx.mechanisms.vfs;

import dev.kctx.actors.program.KernelObjects;

/**
 * What the layers above the VFS set up in it, registered as {@link dev.kctx.mechanisms.Initcalls}
 * (the VFS names none of them): procfs adds its kernel entries when a tree is made, sysctl boots
 * /proc/sys at the first system call that looks at the tree, process exit learns that tasks have
 * files to close, and the module loader pins the modules that own file operations.
 */
public interface VfsInitcall {

    /** A machine's tree was just made: the entries the kernel has from boot on (fs_initcall). */
    default void treeMade(Vfs vfs) {
    }

    /** A system call is about to use the tree of the machine {@code k}. */
    default void treeUsed(KernelObjects k) {
    }

    /** A task of machine {@code k} got its file descriptor table. */
    default void filesMade(KernelObjects k) {
    }

    /** Who pins the owner of file operations (try_module_get) on machine {@code k}, or null. */
    default Owners owners(KernelObjects k) {
        return null;
    }

    /** try_module_get and module_put on the module (by name) that owns a file's operations. */
    interface Owners {
        /** Pins a live owner; false when it is gone or going. */
        boolean tryGet(String owner);

        void put(String owner);
    }
}
