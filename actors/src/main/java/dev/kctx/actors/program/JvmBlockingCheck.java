package dev.kctx.actors.program;

import reactor.blockhound.BlockHound;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JVM-level non-blocking check: BlockHound instruments the JDK's blocking methods (sleep,
 * wait, park, blocking queues, blocking I/O) and this class arms it only while a Java handler runs
 * in atomic context on the current thread. A blocking call there throws {@link BlockedInAtomic},
 * which the handler's operation turns into a {@code blocking-call-in-atomic} report, so the
 * dispatcher thread is never stalled. Akka's own threads are never armed, so its internals cannot
 * trip it.
 */
public final class JvmBlockingCheck {
    private static final ThreadLocal<Boolean> ARMED = ThreadLocal.withInitial(() -> Boolean.FALSE);
    /** The first blocking call caught in the current armed section (the JDK code it interrupts may throw something else on the way out). */
    private static final ThreadLocal<String> CAUGHT = new ThreadLocal<>();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();
    private static volatile boolean available;
    private static volatile String unavailableReason = "not installed";

    private JvmBlockingCheck() {
    }

    /** Thrown inside an armed handler at the blocking call. An Error, so handlers catching Exception cannot hide it. */
    public static final class BlockedInAtomic extends Error {
        private final String method;

        BlockedInAtomic(String method) {
            super("blocking call " + method + " in atomic context", null, false, false);
            this.method = method;
        }

        public String method() {
            return method;
        }
    }

    /**
     * Installs BlockHound once per JVM. Returns whether the check is active; when the JVM refuses
     * the instrumentation (on JDK 13+ it needs -XX:+AllowRedefinitionToAddDeleteMethods) the model
     * runs without the JVM-level check and {@link #unavailableReason()} says why.
     */
    public static boolean install() {
        if (INSTALLED.compareAndSet(false, true)) {
            try {
                BlockHound.builder()
                        .addDynamicThreadPredicate(t -> true)
                        .nonBlockingThreadPredicate(p -> p.or(t -> ARMED.get()))
                        .blockingMethodCallback(m -> {
                            String method = m.getClassName() + "." + m.getName();
                            if (CAUGHT.get() == null) {
                                CAUGHT.set(method);
                            }
                            throw new BlockedInAtomic(method);
                        })
                        .install();
                available = true;
            } catch (Throwable e) {
                available = false;
                unavailableReason = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return available;
    }

    public static boolean available() {
        return available;
    }

    public static String unavailableReason() {
        return available ? "" : unavailableReason;
    }

    /**
     * Runs {@code handler} with the check armed on this thread. Returns the blocking call that was
     * caught (the handler ended there), or null when it ran without blocking.
     */
    static String armedWhile(Runnable handler) {
        boolean was = ARMED.get();
        ARMED.set(Boolean.TRUE);
        CAUGHT.remove();
        try {
            handler.run();
            return null;
        } catch (Throwable t) {
            String caught = CAUGHT.get();
            if (caught == null) {
                throw t;
            }
            // The JDK code that was blocking may throw its own exception while unwinding
            // (e.g. IllegalMonitorStateException from an abandoned condition wait): the cause is the call.
            return caught;
        } finally {
            CAUGHT.remove();
            ARMED.set(was);
        }
    }
}
