package dev.kctx.cli.scenario;

import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SigUser;

import java.util.ArrayList;
import java.util.List;

/**
 * The process operation {@code kill: {pid: N, signal: SIGKILL}}: kill(2) straight from the
 * program (no shell command start), then perror("kill") when it failed, so the console shows the
 * kernel's answer ({@code kill: No such process}, {@code kill: Operation not permitted}).
 */
public final class KillOp {
    public static final List<String> KEYS = List.of("pid", "signal");
    /** PID_MAX_LIMIT on 64-bit. */
    static final int PID_MAX = 4_194_304;
    static final String USAGE = "kill: {pid: N, signal: SIGKILL}";

    private KillOp() {
    }

    static void op(OpArg a, OpSink o) {
        Fields f = a.fields(USAGE, KEYS);
        int pid = (int) Values.integer(f.req("pid", "1.." + PID_MAX), "kill pid", 1, PID_MAX);
        int sig = f.opt("signal").map(KillOp::signal).orElse(Signo.SIGTERM);
        a.context().syscall("kill");
        List<dev.kctx.actors.program.Op> ops = new ArrayList<>(SigUser.kill(pid, sig));
        ops.add(SigUser.perror("kill"));
        ops.forEach(o::op);
    }

    /** A signal name (SIGKILL, KILL, SIGRTMIN+3) or number 0..64 (0 only checks that the process exists). */
    static int signal(Node n) {
        String expected = "a signal name such as SIGTERM, SIGKILL, SIGUSR1, SIGRTMIN+N, or a number 0.." + Signo.NSIG;
        if (n instanceof Node.ScalarNode s && s.kind() == Node.ScalarKind.INT) {
            return (int) Values.integer(n, "signal number", 0, Signo.NSIG);
        }
        String s = Values.string(n, "signal");
        int sig = s.matches("\\d+") ? -1 : Signo.parse(s);
        if (sig < 0) {
            List<String> names = new ArrayList<>();
            for (int i = 1; i < Signo.SIGRTMIN - 2; i++) {
                names.add(Signo.name(i));
            }
            throw new ScenarioError(n.loc(), Errors.unknown("signal", s, names), expected);
        }
        return sig;
    }
}
