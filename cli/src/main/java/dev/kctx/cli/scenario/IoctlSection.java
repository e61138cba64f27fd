package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Errno;
import dev.kctx.mechanisms.KernelError;
import dev.kctx.mechanisms.ioctl.CdevIoctl;
import dev.kctx.mechanisms.IoctlCmd;
import dev.kctx.mechanisms.user.Libc;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.OpenFlags;
import dev.kctx.mechanisms.vfs.UserPtr;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ioctl commands a declared character device answers ({@code chardev: {ioctl: [...], variables: {...}}}),
 * and the {@code ioctl:} operation of a process body that calls one. Command numbers are built
 * with {@link IoctlCmd} from {@code _IO/_IOR/_IOW/_IOWR(type, nr, size)}; a command the device
 * does not list is ENOTTY, as a driver's default case returns; a bad pointer is EFAULT from
 * copy_from_user/copy_to_user; a value outside a command's min..max is EINVAL.
 */
public final class IoctlSection {
    public static final List<String> COMMAND_KEYS = List.of("name", "cmd", "get", "set", "value", "min", "max", "errno");
    public static final List<String> OP_KEYS = List.of("device", "cmd", "arg", "name");
    /** The sizes a command may name by type, as the macro's third argument is sizeof(TYPE). */
    static final Map<String, Integer> SIZES = sizes();
    private static final Pattern MACRO = Pattern.compile(
            "\\s*(_IOWR|_IOW|_IOR|_IO)\\s*\\(\\s*(?:'(.)'|(0x[0-9A-Fa-f]+|[0-9]+))\\s*,\\s*([0-9]+)\\s*(?:,\\s*([A-Za-z0-9_]+)\\s*)?\\)\\s*");
    private static final String MACRO_FORMS = "_IO('q', NR), _IOR('q', NR, int), _IOW('q', NR, int) or _IOWR('q', NR, int)"
            + " (size: a number or one of " + String.join(", ", sizes().keySet()) + ")";

    private IoctlSection() {
    }

    private static Map<String, Integer> sizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("int", 4);
        m.put("long", 8);
        m.put("u8", 1);
        m.put("u16", 2);
        m.put("u32", 4);
        m.put("u64", 8);
        return m;
    }

    /** {@code "_IOR('q', 1, int)"} as the command number it encodes. */
    static IoctlCmd macro(Node n, String what) {
        String text = Values.string(n, what);
        Matcher m = MACRO.matcher(text);
        if (!m.matches()) {
            throw new ScenarioError(n.loc(), what + " '" + Errors.clip(text) + "' is not an ioctl command macro", MACRO_FORMS);
        }
        String kind = m.group(1);
        int type = m.group(2) != null ? m.group(2).charAt(0)
                : (int) Math.min(Long.decode(m.group(3)), Integer.MAX_VALUE);
        long nr = Long.parseLong(m.group(4));
        String sizeText = m.group(5);
        if (kind.equals("_IO") != (sizeText == null)) {
            throw new ScenarioError(n.loc(), kind.equals("_IO") ? "_IO takes no size: it passes no data"
                    : kind + " needs a size, the third argument", MACRO_FORMS);
        }
        if (type > 0xff) {
            throw new ScenarioError(n.loc(), "ioctl type " + type + " does not fit in 8 bits", "a character such as 'q' or 0..0xff");
        }
        if (nr > 0xff) {
            throw new ScenarioError(n.loc(), "ioctl number " + nr + " does not fit in 8 bits", "a number 0..255");
        }
        int size = 0;
        if (sizeText != null) {
            Integer named = SIZES.get(sizeText);
            long s = named != null ? named : sizeText.chars().allMatch(Character::isDigit) ? Long.parseLong(sizeText) : -1;
            if (s < 0) {
                throw new ScenarioError(n.loc(), Errors.unknown("ioctl size type", sizeText, SIZES.keySet()),
                        "a number of bytes or one of " + String.join(", ", SIZES.keySet()));
            }
            if (s < 1 || s >= 1 << IoctlCmd.SIZEBITS) {
                throw new ScenarioError(n.loc(), "ioctl size " + s + " does not fit in " + IoctlCmd.SIZEBITS + " bits",
                        "1.." + ((1 << IoctlCmd.SIZEBITS) - 1));
            }
            size = (int) s;
        }
        int dir = switch (kind) {
            case "_IO" -> IoctlCmd.NONE;
            case "_IOR" -> IoctlCmd.READ;
            case "_IOW" -> IoctlCmd.WRITE;
            default -> IoctlCmd.READ | IoctlCmd.WRITE;
        };
        return new IoctlCmd(dir, type, (int) nr, size);
    }

    // ---- the driver side ----

    /** One declared command: what it does with the module's int variables. */
    record Command(String name, IoctlCmd cmd, String get, String set, Long value, long min, long max, Errno errno) {
    }

    /** The module's int variables, by name, with their initial values. */
    static Map<String, Integer> variables(Node node) {
        Node.MapNode m = Values.map(node, "chardev variables", "names and initial int values, e.g. '{limit: 16}'");
        Map<String, Integer> vars = new LinkedHashMap<>();
        for (Node.Entry e : m.entries()) {
            if (!e.key().matches("[A-Za-z_][A-Za-z0-9_]{0,31}")) {
                throw new ScenarioError(e.keyLoc(), "variable name '" + Errors.clip(e.key()) + "' is not valid",
                        "a C identifier of up to 32 characters");
            }
            vars.put(e.key(), (int) Values.integer(e.value(), "variable " + e.key(), Integer.MIN_VALUE, Integer.MAX_VALUE));
        }
        return vars;
    }

    static List<Command> commands(Node node, Map<String, Integer> vars) {
        List<Command> out = new ArrayList<>();
        Map<Integer, String> numbers = new LinkedHashMap<>();
        for (Node item : Values.seq(node, "chardev ioctl", "commands, e.g. '- {name: KNOB_GET, cmd: \"_IOR(''q'', 1, int)\", get: limit}'").items()) {
            Fields f = Fields.of(item, "ioctl command", COMMAND_KEYS);
            String name = Values.name(f.req("name", "NAME (the macro, e.g. KNOB_GET)"), "ioctl command name", 32);
            Node cmdNode = f.req("cmd", MACRO_FORMS);
            IoctlCmd cmd = macro(cmdNode, "ioctl cmd");
            String other = numbers.putIfAbsent(cmd.value(), name);
            if (other != null || out.stream().anyMatch(c -> c.name().equals(name))) {
                throw new ScenarioError(other != null ? cmdNode.loc() : f.loc(), other != null
                        ? "ioctl " + name + " has the same number as " + other + " (" + cmd.macro() + ")"
                        : "a second ioctl command named " + name, "a unique name and type/nr/dir/size per command");
            }
            String get = f.opt("get").map(n -> variable(n, "get", vars)).orElse(null);
            String set = f.opt("set").map(n -> variable(n, "set", vars)).orElse(null);
            Optional<Node> errnoNode = f.opt("errno");
            Errno errno = errnoNode.map(n -> errno(n)).orElse(null);
            if (errno != null && (get != null || set != null)) {
                throw new ScenarioError(errnoNode.get().loc(), "ioctl " + name + " both returns an errno and gets or sets a variable",
                        "either 'errno: E...' or 'get'/'set'");
            }
            boolean reads = (cmd.dir() & IoctlCmd.READ) != 0;
            boolean writes = (cmd.dir() & IoctlCmd.WRITE) != 0;
            if (get != null && !reads) {
                throw new ScenarioError(f.keyLoc("get"), "ioctl " + name + " gets " + get + " but " + cmd.macro()
                        + " copies nothing back to user space", "_IOR or _IOWR for 'get'");
            }
            Optional<Node> valueNode = f.opt("value");
            if (valueNode.isPresent() && set == null) {
                throw new ScenarioError(valueNode.get().loc(), "'value' applies only with 'set'", "'set: VARIABLE' or no 'value'");
            }
            if (set != null && !writes && valueNode.isEmpty()) {
                throw new ScenarioError(f.keyLoc("set"), "ioctl " + name + " sets " + set + " but " + cmd.macro()
                        + " passes no data from user space", "_IOW or _IOWR, or 'value: N' for a fixed value");
            }
            if (set != null && writes && valueNode.isPresent()) {
                throw new ScenarioError(valueNode.get().loc(), "ioctl " + name + " takes its value from user space (" + cmd.macro()
                        + ") and also names a fixed value", "_IO with 'value: N', or no 'value'");
            }
            if ((get != null || (set != null && writes)) && cmd.size() != Integer.BYTES) {
                throw new ScenarioError(cmdNode.loc(), "ioctl " + name + " moves an int variable but its size is " + cmd.size(),
                        "size int (4 bytes)");
            }
            for (String k : List.of("min", "max")) {
                if (f.has(k) && !(set != null && writes)) {
                    throw new ScenarioError(f.keyLoc(k), "'" + k + "' checks a value from user space; ioctl " + name + " takes none",
                            "'set: VARIABLE' with _IOW or _IOWR, or no '" + k + "'");
                }
            }
            long min = f.opt("min").map(n -> Values.integer(n, "min", Integer.MIN_VALUE, Integer.MAX_VALUE)).orElse((long) Integer.MIN_VALUE);
            Node maxNode = f.opt("max").orElse(null);
            long max = maxNode == null ? Integer.MAX_VALUE : Values.integer(maxNode, "max", Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (max < min) {
                throw new ScenarioError(maxNode.loc(), "max is below min", "max >= min");
            }
            Long value = valueNode.map(n -> Values.integer(n, "value", Integer.MIN_VALUE, Integer.MAX_VALUE)).orElse(null);
            out.add(new Command(name, cmd, get, set, value, min, max, errno));
        }
        return out;
    }

    private static String variable(Node n, String what, Map<String, Integer> vars) {
        String v = Values.string(n, what);
        if (!vars.containsKey(v)) {
            throw new ScenarioError(n.loc(), Errors.unknown("variable", v, vars.keySet()),
                    vars.isEmpty() ? "declare it under the chardev's 'variables: {" + v + ": 0}'" : Errors.oneOf(vars.keySet()));
        }
        return v;
    }

    /** An errno by name (EPERM, ...), as a declared handler returns it. */
    static Errno errno(Node n) {
        Map<String, Errno> m = new LinkedHashMap<>();
        for (Errno e : Errno.values()) {
            m.put(e.name(), e);
        }
        return Values.choice(n, "errno", m);
    }

    /** The driver's unlocked_ioctl: a switch over the declared commands on one device's variables. */
    record Handler(List<Command> commands, Map<String, Integer> values) {
        static Handler of(List<Command> commands, Map<String, Integer> initial) {
            return new Handler(List.copyOf(commands), new LinkedHashMap<>(initial));
        }

        long ioctl(FileCtx c, int cmd, UserPtr arg) {
            for (Command d : commands) {
                if (d.cmd().value() != cmd) {
                    continue;
                }
                if (d.errno() != null) {
                    throw new KernelError(d.errno());
                }
                Integer next = null;
                if (d.set() != null) {
                    if (d.value() != null) {
                        next = d.value().intValue();
                    } else {
                        int v = CdevIoctl.getInt(c, arg);
                        if (v < d.min() || v > d.max()) {
                            throw new KernelError(Errno.EINVAL);
                        }
                        next = v;
                    }
                }
                if (d.get() != null) {
                    CdevIoctl.putInt(c, arg, values.get(d.get()));
                }
                if (next != null) {
                    values.put(d.set(), next);
                }
                return 0;
            }
            throw new KernelError(Errno.ENOTTY);
        }
    }

    // ---- the user side: ioctl: {device: /dev/knob, cmd: "_IOW('q', 2, int)", arg: 42} ----

    /**
     * open(device, O_RDWR), ioctl(fd, cmd, &arg), close(fd), each printed as strace shows it; the
     * argument is an int in the process's memory (for a command with a size), {@code arg: NULL}
     * a bad pointer, and for _IOR/_IOWR the line shows what the kernel wrote back.
     */
    static void op(OpArg a, OpSink o) {
        Fields f = a.fields("ioctl: {device: /dev/knob, cmd: \"_IOW('q', 2, int)\", arg: 42, name: KNOB_SET}", OP_KEYS);
        Node devNode = f.req("device", "PATH, e.g. /dev/knob");
        String device = Values.string(devNode, "ioctl device");
        if (!device.startsWith("/") || device.length() > 255 || device.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
            throw new ScenarioError(devNode.loc(), "ioctl device '" + Errors.clip(device) + "' is not an absolute path",
                    "a path such as /dev/knob");
        }
        IoctlCmd cmd = macro(f.req("cmd", MACRO_FORMS), "ioctl cmd");
        String shown = f.opt("name").map(n -> Values.name(n, "ioctl name", 32)).orElse(cmd.macro());
        Optional<Node> argNode = f.opt("arg");
        // 'arg: NULL' (YAML's null) is a NULL pointer; no 'arg' at all points at an int 0.
        boolean bad = f.has("arg") && argNode.isEmpty();
        Integer in = argNode.map(n -> (int) Values.integer(n, "ioctl arg (an int, or NULL)", Integer.MIN_VALUE,
                Integer.MAX_VALUE)).orElse(null);
        if (f.has("arg") && cmd.dir() == IoctlCmd.NONE) {
            throw new ScenarioError(f.keyLoc("arg"), cmd.macro() + " passes no argument", "no 'arg' for an _IO command");
        }
        int value = in == null ? 0 : in;
        a.context().shell();
        o.op(Sys.user("ioctl " + shown, x -> {
            // The argument lives in this run's memory, fresh each time the operation runs.
            UserPtr p = bad ? UserPtr.bad() : cmd.dir() == IoctlCmd.NONE ? UserPtr.none() : UserPtr.ofInt(value);
            List<Op> ops = new ArrayList<>(Libc.open("fd", device, OpenFlags.O_RDWR));
            ops.add(Libc.printf(r -> "open(\"" + device + "\", O_RDWR) " + r.shown()));
            List<Op> rest = new ArrayList<>(Libc.ioctl("fd", cmd.value(), p));
            rest.add(Libc.printf(r -> "ioctl(" + r.vars.getOrDefault("fd", -1) + ", " + shown + argText(cmd, p, bad, value, r.failed())
                    + ") " + r.shown()));
            rest.addAll(Libc.close("fd"));
            ops.add(Libc.unlessFailed(rest));
            return ops;
        }));
    }

    /** strace's third argument: {@code , [42]}, {@code , [42 => 16]} after an _IOWR, {@code , NULL}, or nothing for _IO. */
    private static String argText(IoctlCmd cmd, UserPtr p, boolean bad, int in, boolean failed) {
        if (bad) {
            return ", NULL";
        }
        if (cmd.dir() == IoctlCmd.NONE) {
            return "";
        }
        int now = p.readInt();
        if (failed || cmd.dir() == IoctlCmd.WRITE) {
            return ", [" + in + "]";
        }
        return cmd.dir() == IoctlCmd.READ ? ", [" + now + "]" : ", [" + in + " => " + now + "]";
    }
}
