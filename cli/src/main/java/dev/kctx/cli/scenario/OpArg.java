package dev.kctx.cli.scenario;

import dev.kctx.actors.program.KernelObjects.LockType;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.SoftirqVector;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One body item as an operation's parser sees it: the operation name, its argument (absent for
 * a bare {@code - schedule}), where it is, and the loader's services (declared locks, nested
 * bodies). Every accessor fails with a located {@link ScenarioError}.
 */
public final class OpArg {

    /** What the loader offers to operation parsers. */
    public interface Context {
        /** The locks declared under {@code locks:}, by name. */
        Map<String, LockType> locks();

        /** Parses a nested body (a syscall's or a loop's). */
        List<Op> body(Node node, BodyKind kind, String where);

        /** Records a system call name used, so outputs can name it from its number. */
        void syscall(String name);

        /** The user programs the machine has (./NAME), which built-in modules bring. */
        default Set<String> programs() {
            return Set.of();
        }

        /** The tasklets declared under {@code tasklets:}. */
        default Set<String> tasklets() {
            return Set.of();
        }

        /** The work items declared under {@code works:}. */
        default Set<String> works() {
            return Set.of();
        }

        /** Records that a body runs shell commands: the machine then boots its module loader. */
        default void shell() {
        }
    }

    private final String op;
    private final Node value;
    private final Node.Loc loc;
    private final BodyKind kind;
    private final Context context;

    OpArg(String op, Node value, Node.Loc loc, BodyKind kind, Context context) {
        this.op = op;
        this.value = value == null || Values.isNull(value) ? null : value;
        this.loc = loc;
        this.kind = kind;
        this.context = context;
    }

    public String op() {
        return op;
    }

    public BodyKind kind() {
        return kind;
    }

    public Node.Loc loc() {
        return value == null ? loc : value.loc();
    }

    public Context context() {
        return context;
    }

    public boolean present() {
        return value != null;
    }

    /** The argument; {@code usage} says what it should look like when it is missing. */
    public Node value(String usage) {
        if (value == null) {
            throw new ScenarioError(loc, "'" + op + "' needs an argument", "'- " + usage + "'");
        }
        return value;
    }

    /** For operations without an argument. */
    public void none() {
        if (value != null) {
            throw new ScenarioError(value.loc(), "'" + op + "' takes no argument", "'- " + op + "' alone");
        }
    }

    public long duration() {
        return Values.duration(value(op + ": DURATION"), op);
    }

    public String string(String usage) {
        return Values.string(value(usage), op);
    }

    public String name(String usage, int max) {
        return Values.name(value(usage), op, max);
    }

    public long integer(String usage, long min, long max) {
        return Values.integer(value(usage), op, min, max);
    }

    public Fields fields(String usage, List<String> allowed) {
        Node v = value(usage);
        if (!(v instanceof Node.MapNode)) {
            throw Values.wrongType(v, op, "a mapping, as in '- " + usage + "'");
        }
        return Fields.of(v, "'" + op + "'", allowed);
    }

    /** A declared lock of one of {@code types}: unknown names and wrong types are errors. */
    public String lock(LockType... types) {
        return lock(value(op + ": LOCK"), types);
    }

    /** As {@link #lock(LockType...)} for a lock named inside the argument (a trylock's {@code lock:}). */
    public String lock(Node v, LockType... types) {
        String name = Values.string(v, op);
        Map<String, LockType> locks = context.locks();
        LockType t = locks.get(name);
        if (t == null) {
            String expected = locks.isEmpty() ? "a lock declared under 'locks:', e.g. 'locks: {" + name + ": "
                    + typeName(types[0]) + "}'" : "a lock declared under 'locks:': " + Values.list(locks.keySet());
            throw new ScenarioError(v.loc(), Errors.unknown("lock", name, locks.keySet()), expected);
        }
        if (!Arrays.asList(types).contains(t)) {
            throw new ScenarioError(v.loc(), "lock '" + name + "' is " + article(t) + " and '" + op
                    + "' needs " + article(types[0]), article(types[0]) + " declared under 'locks:'");
        }
        return name;
    }

    /** A tasklet declared under {@code tasklets:}: an unknown name is an error listing the declared ones. */
    public String tasklet() {
        return declaredName("TASKLET", "tasklet", "tasklets", context.tasklets(), "- compute: 5us");
    }

    /** A work item declared under {@code works:}: an unknown name is an error listing the declared ones. */
    public String work() {
        return work(value(op + ": WORK"));
    }

    /** As {@link #work()} for a work named inside the argument (a delayed work's {@code work:}). */
    public String work(Node v) {
        return declaredName(v, "work", "works", context.works(), "- msleep: 1ms");
    }

    /** A name that a top-level section declares; {@code exampleOp} fills the example of an empty section. */
    private String declaredName(String placeholder, String what, String section, Set<String> declared, String exampleOp) {
        return declaredName(value(op + ": " + placeholder), what, section, declared, exampleOp);
    }

    private String declaredName(Node v, String what, String section, Set<String> declared, String exampleOp) {
        String name = Values.string(v, op);
        if (!declared.contains(name)) {
            String expected = declared.isEmpty() ? "a " + what + " declared under '" + section + ":', e.g. '" + section + ": {"
                    + name + ": [" + exampleOp + "]}'" : "a " + what + " declared under '" + section + ":': " + Values.list(declared);
            throw new ScenarioError(v.loc(), Errors.unknown(what, name, declared), expected);
        }
        return name;
    }

    public SoftirqVector vector() {
        Node v = value(op + ": VECTOR");
        return Values.choice(v, "soft IRQ vector", vectors());
    }

    public List<Op> body(Node node, BodyKind bodyKind, String where) {
        return context.body(node, bodyKind, where);
    }

    static Map<String, SoftirqVector> vectors() {
        Map<String, SoftirqVector> m = new LinkedHashMap<>();
        for (SoftirqVector v : SoftirqVector.values()) {
            m.put(v.name(), v);
        }
        return m;
    }

    /** "a spinlock", "an rwlock", "an rwsem". */
    static String article(LockType t) {
        return (t == LockType.RWLOCK || t == LockType.RWSEM ? "an " : "a ") + typeName(t);
    }

    static String typeName(LockType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }
}
