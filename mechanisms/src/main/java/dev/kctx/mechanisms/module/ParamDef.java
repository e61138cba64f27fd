package dev.kctx.mechanisms.module;

/**
 * module_param(name, type, perm): {@code perm} 0 means no file under
 * /sys/module/MODULE/parameters; otherwise the file has that mode.
 */
public record ParamDef(String name, ParamType type, int perm, Object defaultValue) {
    public ParamDef {
        if (perm < 0 || perm > 0777) {
            throw new IllegalArgumentException("bad permission " + Integer.toOctalString(perm) + " for parameter " + name);
        }
        if ((perm & 0002) != 0) {
            // The kernel refuses world-writable parameters at build time (VERIFY_OCTAL_PERMISSIONS).
            throw new IllegalArgumentException("parameter " + name + " must not be world-writable");
        }
    }
}
