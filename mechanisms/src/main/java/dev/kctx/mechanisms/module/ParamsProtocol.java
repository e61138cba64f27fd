package dev.kctx.mechanisms.module;

import dev.kctx.mechanisms.Errno;

/**
 * The module-parameter protocol (kernel/params.c, include/linux/moduleparam.h, Linux 6.6) between
 * whoever sets or reads a parameter and the module loader ({@link Modules}, which handles every
 * request): insmod's {@code name=value} arguments at load (parse_args, in the insmod task's process
 * context), and reads and writes of /sys/module/NAME/parameters/PARAM (param_attr_show and
 * param_attr_store, in the reader's or writer's process context).
 */
public sealed interface ParamsProtocol {

    /** What a loader argument or a parameter file asks. */
    sealed interface Request extends ParamsProtocol {
    }

    /** The loader's answer: a success record or an {@link Error}. */
    sealed interface Reply extends ParamsProtocol {
    }

    /**
     * insmod (process context, load_module's parse_args) or a write of the parameter's file: set
     * {@code name} to {@code value}; {@code value} null for a bare {@code name} (a bool set to y).
     */
    record Set(String name, String value) implements Request {
    }

    /** A read of the parameter's file (process context): the value as the type's get prints it. */
    record Get(String name) implements Request {
    }

    /** Answer to Set: the parsed value is the parameter's now. */
    record Accepted(Object value) implements Reply {
    }

    /** Answer to Set at load of a parameter the module does not declare, since Linux 3.17 ("unknown parameter 'x' ignored"). */
    record Ignored(String name) implements Reply {
    }

    /** Answer to Get. */
    record Value(String text) implements Reply {
    }

    /** The failures: ENOENT (an unknown parameter, before 3.17), EINVAL or ERANGE (a value the type does not parse). */
    record Error(Errno errno) implements Reply {
    }
}
