package dev.kctx.cli.scenario;

import dev.kctx.mechanisms.upcall.Umh;
import dev.kctx.mechanisms.upcall.UpcallExample;
import dev.kctx.mechanisms.user.Executables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * User-mode helpers a declared module installs ({@code helpers: [{path: /sbin/notify, exit: 3, run: 100us}]}),
 * simulated programs on the machine's disk that call_usermodehelper can start, and the kernel
 * operation {@code call_usermodehelper: {path, argv, wait}} through {@link Umh}: the new task
 * execs the program (a path no module declares is ENOENT, as kernel_execve answers), and the
 * waiting modes sleep as umh.c does, so the context checks apply to the caller.
 */
public final class UpcallSection {
    public static final List<String> HELPER_KEYS = List.of("path", "exit", "run", "log");
    public static final List<String> OP_KEYS = List.of("path", "argv", "wait");
    static final List<String> WAIT_MODES = List.of("UMH_NO_WAIT", "UMH_WAIT_EXEC", "UMH_WAIT_PROC", "UMH_KILLABLE");
    private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9_.+-]{1,64}){1,8}");
    private static final int MAX_ARGS = 32;

    private UpcallSection() {
    }

    /** An absolute path of plain names, no "." or ".." steps. */
    static String path(Node n, String what) {
        String p = Values.string(n, what);
        if (!PATH.matcher(p).matches() || List.of(p.split("/")).stream().anyMatch(s -> s.equals(".") || s.equals(".."))) {
            throw new ScenarioError(n.loc(), what + " '" + Errors.clip(p) + "' is not an absolute path",
                    "a path such as /sbin/notify (letters, digits, _ . + -; no . or .. steps)");
        }
        return p;
    }

    /** Adds the module's helper programs to the machine's executables. */
    static void helpers(Node node, Map<String, Executables.Image> executables) {
        for (Node item : Values.seq(node, "helpers", "programs, e.g. '- {path: /sbin/notify, exit: 0, run: 100us}'").items()) {
            Fields f = Fields.of(item, "helper", HELPER_KEYS);
            Node pathNode = f.req("path", "/sbin/NAME");
            String path = path(pathNode, "helper path");
            boolean builtin = ModulesSection.BUILTINS.values().stream().anyMatch(b -> b.executables().containsKey(path));
            if (builtin || executables.containsKey(path)) {
                throw new ScenarioError(pathNode.loc(), "a second program at " + path, "a path no other module or built-in installs");
            }
            int exit = (int) f.opt("exit").map(n -> Values.integer(n, "helper exit status", 0, 255)).orElse(0L).longValue();
            long run = f.opt("run").map(n -> Values.duration(n, "helper run time")).orElse(UpcallExample.HELPER_WORK_NS);
            String log = f.opt("log").map(n -> path(n, "helper log")).orElse(null);
            executables.put(path, (argv, envp) -> UpcallExample.helperRun(argv, log, run, exit));
        }
    }

    /** {@code call_usermodehelper: {path: /sbin/notify, argv: [a, b], wait: UMH_WAIT_PROC}}; the result goes to the kernel log. */
    static void op(OpArg a, OpSink o) {
        Fields f = a.fields("call_usermodehelper: {path: /sbin/notify, argv: [ARG...], wait: UMH_WAIT_PROC}", OP_KEYS);
        String path = path(f.req("path", "/sbin/NAME"), "call_usermodehelper path");
        List<String> argv = new ArrayList<>(List.of(path));
        f.opt("argv").ifPresent(n -> {
            Node.SeqNode s = Values.seq(n, "call_usermodehelper argv", "the arguments after argv[0] (the path), e.g. [add, eth0]");
            if (s.items().size() > MAX_ARGS) {
                throw new ScenarioError(n.loc(), "call_usermodehelper has " + s.items().size() + " arguments", "at most " + MAX_ARGS);
            }
            s.items().forEach(i -> argv.add(Values.name(i, "call_usermodehelper argument", 64)));
        });
        int wait = f.opt("wait").map(UpcallSection::wait).orElse(Umh.UMH_WAIT_PROC);
        String mode = Umh.waitName(wait);
        o.op(Umh.call(path, List.copyOf(argv), UpcallExample.ENVP, wait, (x, r) -> x.printk(x.contextName()
                + ": call_usermodehelper(" + path + ", " + mode + ") = " + Umh.explain(r))));
    }

    /** UMH_WAIT_PROC, or a mode with UMH_KILLABLE: {@code UMH_WAIT_PROC|UMH_KILLABLE}. */
    private static int wait(Node n) {
        String text = Values.string(n, "call_usermodehelper wait");
        String[] parts = text.split("\\|", -1);
        int base = 0;
        for (String p : parts) {
            String t = p.strip();
            if (!WAIT_MODES.contains(t)) {
                throw new ScenarioError(n.loc(), Errors.unknown("wait mode", t, WAIT_MODES), "UMH_NO_WAIT, UMH_WAIT_EXEC or UMH_WAIT_PROC, "
                        + "optionally |UMH_KILLABLE");
            }
            base += t.equals("UMH_KILLABLE") ? 0 : 1;
        }
        if (base != 1) {
            throw new ScenarioError(n.loc(), "wait mode '" + Errors.clip(text) + "' names " + base + " of UMH_NO_WAIT, UMH_WAIT_EXEC and UMH_WAIT_PROC",
                    "exactly one, optionally |UMH_KILLABLE");
        }
        return Umh.parseWait(text);
    }
}
