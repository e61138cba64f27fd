package dev.kctx.actors;

import akka.dispatch.DispatcherPrerequisites;
import akka.dispatch.ExecutorServiceConfigurator;
import akka.dispatch.ExecutorServiceFactory;
import com.typesafe.config.Config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The executor of {@code kctx.engine.machine-dispatcher}: one thread that runs every mailbox of the
 * machine's actors, one after another. A mailbox that one of those actors schedules (it told
 * another actor of the machine) goes on a plain queue of this thread, with no lock, no atomic
 * operation and no wake-up: a hop of the message path is a queue operation, not a hand-off to
 * another thread. Mailboxes scheduled from other threads (the client's {@code Start}, a
 * wall-clock {@code Stop}) come through a concurrent queue, taken before the next local one so
 * that a stop never waits behind a whole run; a volatile flag that their senders set tells the
 * thread when to look there, so that a local task costs one read of it rather than a poll of the
 * concurrent queue (docs/performance-notes.md, section 13). {@code MachineThreadTest} checks both.
 *
 * <p>The order in which mailboxes run is not part of the model's order: the machine hands out one
 * round at a time and each CPU's priority mailbox orders its events, so a run is the same on
 * this thread as on Akka's default dispatcher with any number of threads (EngineDeterminismTest).
 */
public final class MachineThread extends AbstractExecutorService {

    /** Akka's hook: {@code executor = "dev.kctx.actors.MachineThread$Configurator"} in a dispatcher's config. */
    public static final class Configurator extends ExecutorServiceConfigurator {
        public Configurator(Config config, DispatcherPrerequisites prerequisites) {
            super(config, prerequisites);
        }

        @Override
        public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threadFactory) {
            return () -> MachineThread.start(threadFactory);
        }
    }

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;

    /** Tasks this thread scheduled itself: touched by this thread only. */
    private final ArrayDeque<Runnable> local = new ArrayDeque<>();
    /** Tasks from other threads. */
    private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    /**
     * Set after a task from another thread is added, cleared by this thread before it takes the
     * inbox's tasks: one read of a flag per local task instead of a poll of the concurrent queue.
     */
    private volatile boolean mail;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Thread thread;
    private volatile int state = RUNNING;
    /** The thread is about to park or parked: a sender from outside must unpark it. */
    private volatile boolean idle;

    private MachineThread() {
    }

    static MachineThread start(ThreadFactory threadFactory) {
        MachineThread m = new MachineThread();
        m.thread = threadFactory.newThread(m::loop);
        m.thread.start();
        return m;
    }

    @Override
    public void execute(Runnable task) {
        if (Thread.currentThread() == thread) {
            local.addLast(task);
            return;
        }
        if (state != RUNNING) {
            throw new RejectedExecutionException("the machine thread is shut down");
        }
        inbox.add(task);
        mail = true;
        // Both volatile: either the loop sees the task before it parks, or this sees it idle (Dekker).
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        try {
            while (state != STOP) {
                Runnable r = fromOutside();
                if (r == null) {
                    r = local.pollFirst();
                }
                if (r != null) {
                    runTask(r);
                    continue;
                }
                if (state != RUNNING) {
                    if (!inbox.isEmpty()) {
                        // sent before the shutdown, while this thread looked at an older flag
                        mail = true;
                        continue;
                    }
                    return;
                }
                idle = true;
                if (inbox.isEmpty() && state == RUNNING) {
                    LockSupport.park(this);
                }
                idle = false;
            }
        } finally {
            terminated.countDown();
        }
    }

    /** The next task from another thread, or null; the flag says whether there may be one. */
    private Runnable fromOutside() {
        if (!mail) {
            return null;
        }
        // cleared before the poll: a task added after it sets the flag again
        mail = false;
        Runnable r = inbox.poll();
        if (r != null) {
            // there may be more: look again before the next local task
            mail = true;
        }
        return r;
    }

    private void runTask(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            // What a pool would do with a dying worker, without losing the thread the machine runs on.
            Thread.UncaughtExceptionHandler h = thread.getUncaughtExceptionHandler();
            if (h != null) {
                h.uncaughtException(thread, t);
            }
        }
    }

    @Override
    public void shutdown() {
        if (state == RUNNING) {
            state = SHUTDOWN;
        }
        LockSupport.unpark(thread);
    }

    @Override
    public List<Runnable> shutdownNow() {
        state = STOP;
        LockSupport.unpark(thread);
        List<Runnable> left = new ArrayList<>();
        for (Runnable r = inbox.poll(); r != null; r = inbox.poll()) {
            left.add(r);
        }
        return left;
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
