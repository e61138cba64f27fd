package dev.kctx.cli.scenario;

import dev.kctx.actors.program.Op;
import dev.kctx.mechanisms.Signo;
import dev.kctx.mechanisms.signal.SigAction;
import dev.kctx.mechanisms.signal.SigUser;

import java.util.List;
import java.util.Optional;

/**
 * The process operation {@code sigaction: {signal: SIGUSR1, handler: [OPERATIONS]}}: rt_sigaction
 * with a user handler (its operations run in user mode at each delivery, before the interrupted
 * code goes on), or {@code action: ignore} (SIG_IGN) or {@code action: default} (SIG_DFL); then
 * perror("sigaction") when the kernel refused (SIGKILL and SIGSTOP: Invalid argument). A handled
 * signal that arrives while the process sleeps interruptibly in a system call makes the call
 * return -1 EINTR (SA_RESTART is not modelled).
 */
public final class SigactionOp {
    public static final List<String> KEYS = List.of("signal", "handler", "action");
    static final List<String> ACTIONS = List.of("handler", "ignore", "default");
    static final String USAGE = "sigaction: {signal: SIGUSR1, handler: [OPERATIONS]} or {signal: SIGUSR1, action: ignore|default}";

    private SigactionOp() {
    }

    static void op(OpArg a, OpSink o) {
        Fields f = a.fields(USAGE, KEYS);
        int sig = KillOp.signal(f.req("signal", "a signal name such as SIGUSR1"));
        Optional<Node> handler = f.opt("handler");
        String action = f.opt("action").map(n -> Values.string(n, "sigaction action")).orElse(handler.isPresent() ? "handler" : "");
        if (!ACTIONS.contains(action)) {
            throw action.isEmpty()
                    ? new ScenarioError(a.loc(), "sigaction needs a handler or an action", USAGE)
                    : new ScenarioError(f.opt("action").orElseThrow().loc(), Errors.unknown("sigaction action", action, ACTIONS),
                            Errors.oneOf(ACTIONS));
        }
        if (action.equals("handler") != handler.isPresent()) {
            throw handler.isPresent()
                    ? new ScenarioError(f.keyLoc("handler"), "'action: " + action + "' takes no handler", "'handler: [...]' or 'action: " + action + "'")
                    : new ScenarioError(f.keyLoc("action"), "'action: handler' needs a 'handler: [OPERATIONS]'", USAGE);
        }
        SigAction act;
        if (handler.isPresent()) {
            List<Op> body = a.body(handler.get(), BodyKind.USER, "the " + Signo.name(sig) + " handler");
            act = SigAction.handler(info -> body);
        } else {
            act = action.equals("ignore") ? SigAction.ign() : SigAction.dfl();
        }
        a.context().syscall("rt_sigaction");
        SigUser.sigaction(sig, act).forEach(o::op);
        o.op(SigUser.perror("sigaction"));
    }
}
