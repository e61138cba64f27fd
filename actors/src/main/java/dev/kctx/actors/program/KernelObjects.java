package dev.kctx.actors.program;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The machine's shared kernel objects: locks and wait queues by name. Within a round the CPUs
 * run one after another in CPU order, so exactly one context touches these at a time and the
 * outcome of a race follows the calendar's order.
 */
public final class KernelObjects {

    /** What a lock is: spin locks spin, sleeping locks put the waiter to sleep. RWSEM is struct rw_semaphore. */
    public enum LockType { SPINLOCK, RWLOCK, MUTEX, SEMAPHORE, RWSEM }

    /** One lock with its holder and the CPUs or tasks waiting for it. */
    public static final class Lock {
        private final String name;
        private final LockType type;
        private Object owner;
        private String ownerName;
        private final TreeSet<Integer> spinners = new TreeSet<>();
        private final List<Object> readers = new ArrayList<>();
        private long count;
        private final List<WaitHandle> sleepers = new ArrayList<>();
        /** Sleepers an up() gave a unit to, who have not yet woken to take it (the kernel's waiter.up). */
        private final List<Object> granted = new ArrayList<>();
        /** rw_semaphore waiters that wait to write (RWSEM_WAITING_FOR_WRITE); the others wait to read. */
        private final java.util.Set<Object> writeWaiters = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        Lock(String name, LockType type) {
            this.name = name;
            this.type = type;
        }

        public String name() {
            return name;
        }

        public LockType type() {
            return type;
        }

        public boolean held() {
            return owner != null;
        }

        public Object owner() {
            return owner;
        }

        public String ownerName() {
            return ownerName;
        }

        /** Takes the lock for {@code who} if free (or already handed to {@code who}). */
        public boolean tryAcquire(Object who, String whoName) {
            if (owner == null || owner == who) {
                owner = who;
                ownerName = whoName;
                return true;
            }
            return false;
        }

        public void release() {
            owner = null;
            ownerName = null;
        }

        /** Hands a sleeping lock to {@code who} directly (mutex hand-off to the first waiter). */
        public void handTo(Object who, String whoName) {
            owner = who;
            ownerName = whoName;
        }

        /** read_lock: succeeds unless a writer holds it. */
        public boolean tryRead(Object who) {
            if (owner != null) {
                return false;
            }
            readers.add(who);
            return true;
        }

        /** write_lock: succeeds only with no writer and no reader. */
        public boolean tryWrite(Object who, String whoName) {
            return readers.isEmpty() && tryAcquire(who, whoName);
        }

        public boolean readHeldBy(Object who) {
            return readers.contains(who);
        }

        /** read_unlock; true when the last reader left (a writer may now get it). */
        public boolean releaseRead(Object who) {
            readers.remove(who);
            return readers.isEmpty();
        }

        public int readerCount() {
            return readers.size();
        }

        /** A semaphore's count. */
        public long count() {
            return count;
        }

        public void setCount(long c) {
            count = c;
        }

        public void addSpinner(int cpu) {
            spinners.add(cpu);
        }

        /** Returns and forgets the spinning CPUs, lowest first. */
        public List<Integer> drainSpinners() {
            List<Integer> l = new ArrayList<>(spinners);
            spinners.clear();
            return l;
        }

        /**
         * Puts {@code h}'s waiter on the wait list, or, if it is there from an earlier sleep of the same
         * wait, renews its handle in place: a waiter keeps its place in the queue, as in the kernel.
         */
        public void addSleeper(WaitHandle h) {
            for (int i = 0; i < sleepers.size(); i++) {
                if (sleepers.get(i).waiter() == h.waiter()) {
                    sleepers.set(i, h);
                    return;
                }
            }
            sleepers.add(h);
        }

        /** Takes {@code waiter} off the wait list (its wait ended: a signal, or it got the lock); true if it was there. */
        public boolean removeSleeper(Object waiter) {
            writeWaiters.remove(waiter);
            return sleepers.removeIf(h -> h.waiter() == waiter);
        }

        /**
         * down_read's fast path, kernel/locking/rwsem.c rwsem_read_trylock: fails while a writer holds
         * the rw_semaphore or anyone waits on it (RWSEM_READ_FAILED_MASK has RWSEM_FLAG_WAITERS), so a
         * waiting writer holds back new readers. The slow path's reader lock stealing
         * (rwsem_down_read_slowpath) applies only when no reader owns the lock and no writer holds it;
         * with the hand-off below the lock is never left free with waiters, so it never applies here.
         */
        public boolean tryReadRwsem(Object who) {
            if (owner != null || othersWaiting(who)) {
                return false;
            }
            readers.add(who);
            return true;
        }

        /** down_write's fast path, rwsem_write_trylock: the count must be 0 (no owner, no reader, no waiter). */
        public boolean tryWriteRwsem(Object who, String whoName) {
            if (owner != null || !readers.isEmpty() || othersWaiting(who)) {
                return false;
            }
            owner = who;
            ownerName = whoName;
            return true;
        }

        private boolean othersWaiting(Object who) {
            for (WaitHandle h : sleepers) {
                if (h.waiter() != who) {
                    return true;
                }
            }
            return false;
        }

        /** An rw_semaphore waiter goes on the wait list (rwsem_add_waiter), as a reader or a writer. */
        public void addRwsemSleeper(WaitHandle h, boolean write) {
            addSleeper(h);
            if (write) {
                writeWaiters.add(h.waiter());
            } else {
                writeWaiters.remove(h.waiter());
            }
        }

        /**
         * rwsem_mark_wake (kernel/locking/rwsem.c): with no writer holding the rw_semaphore, a writer
         * first on the list gets it once the last reader left; a reader first on the list means every
         * waiting reader gets it, whatever its place (the phase-fair reader phase, up to
         * MAX_READERS_WAKEUP), while writers keep their places. The lock is handed over here (in the
         * kernel the woken writer takes it itself in rwsem_try_write_lock; kctx hands it over as it
         * does for a mutex). Returns the waiters to wake; they find their grant with {@link #takeGrant}.
         */
        public List<WaitHandle> rwsemWake() {
            List<WaitHandle> woken = new ArrayList<>();
            if (owner != null || sleepers.isEmpty()) {
                return woken;
            }
            WaitHandle first = sleepers.get(0);
            if (writeWaiters.contains(first.waiter())) {
                if (readers.isEmpty()) {
                    sleepers.remove(0);
                    writeWaiters.remove(first.waiter());
                    handTo(first.waiter(), "waiter");
                    granted.add(first.waiter());
                    woken.add(first);
                }
                return woken;
            }
            for (java.util.Iterator<WaitHandle> it = sleepers.iterator(); it.hasNext(); ) {
                WaitHandle h = it.next();
                if (!writeWaiters.contains(h.waiter())) {
                    it.remove();
                    readers.add(h.waiter());
                    granted.add(h.waiter());
                    woken.add(h);
                }
            }
            return woken;
        }

        /** downgrade_write: the writer becomes a reader (rwsem.c __downgrade_write). */
        public void downgrade(Object who) {
            if (owner == who) {
                owner = null;
                ownerName = null;
                readers.add(who);
            }
        }

        public WaitHandle pollSleeper() {
            return sleepers.isEmpty() ? null : sleepers.remove(0);
        }

        /** The waiters on the wait list, first first. */
        public List<WaitHandle> sleepers() {
            return List.copyOf(sleepers);
        }

        /** Hands a sleeping lock to the first sleeper and returns it, or null if none waits. */
        public WaitHandle handOff() {
            WaitHandle next = pollSleeper();
            if (next != null) {
                handTo(next.waiter(), "waiter");
            }
            return next;
        }

        /** up() with sleepers: the first one leaves the list with a unit of its own; null when none waits. */
        public WaitHandle grant() {
            WaitHandle next = pollSleeper();
            if (next != null) {
                granted.add(next.waiter());
            }
            return next;
        }

        /** The woken sleeper takes the unit up() gave it: true if there was one. */
        public boolean takeGrant(Object waiter) {
            return granted.remove(waiter);
        }

        /** Units given by up() and not yet taken by their woken sleepers. */
        public int grantsPending() {
            return granted.size();
        }
    }

    /**
     * A wait queue with its condition modelled as a count of events: wake_up adds one and wakes
     * every waiter; wait_event returns at once while the count is positive, consuming one.
     */
    public static final class WaitQueue {
        private final String name;
        private long events;
        private final List<WaitHandle> waiters = new ArrayList<>();

        WaitQueue(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public long events() {
            return events;
        }

        public boolean tryConsume() {
            if (events > 0) {
                events--;
                return true;
            }
            return false;
        }

        /**
         * Puts {@code h} at the end of the queue, once per waiter: a waiter still listed from an earlier
         * sleep (woken by a signal it went back to sleep on) is replaced, not listed twice.
         */
        public void addWaiter(WaitHandle h) {
            removeWaiter(h);
            waiters.add(h);
        }

        /** Takes a waiter off the queue (a signal ended its interruptible wait); true if it was there. */
        public boolean removeWaiter(WaitHandle h) {
            // by index: no lambda on the path of every blocking call
            for (int i = 0; i < waiters.size(); i++) {
                if (waiters.get(i).waiter() == h.waiter()) {
                    waiters.remove(i);
                    return true;
                }
            }
            return false;
        }

        /** Signals the condition once and returns the waiters to wake, in the order they came. */
        public List<WaitHandle> signal() {
            events++;
            int n = waiters.size();
            if (n == 0) {
                return List.of();
            }
            List<WaitHandle> l = n == 1 ? List.of(waiters.get(0)) : List.copyOf(waiters);
            waiters.clear();
            return l;
        }

        public int waiterCount() {
            return waiters.size();
        }

        /** The waiters on the queue, in the order they came. */
        public List<WaitHandle> waiters() {
            return List.copyOf(waiters);
        }
    }

    private final Map<String, Lock> locks = new LinkedHashMap<>();
    private final ClassSlots extensions = new ClassSlots();
    private final List<String> kernelLog = new ArrayList<>();
    private final java.util.Set<String> warnedOnce = new java.util.HashSet<>();
    private final Map<Integer, TaskInfo> tasks = new java.util.TreeMap<>();
    private int nextPid = 1000;
    private UserWork userWork = UserWork.NONE;
    private java.util.function.Function<Exec, List<Op>> exitWork = x -> List.of();
    private final Map<String, Long> counters = new java.util.TreeMap<>();
    /** TASKLET_STATE_SCHED and TASKLET_STATE_RUN, machine-wide as in the kernel. */
    private final java.util.Set<String> taskletScheduled = new java.util.HashSet<>();
    private final java.util.Set<String> taskletRunning = new java.util.HashSet<>();

    /**
     * IRQD_IRQ_INPROGRESS per line: the lines whose handler runs and the CPU running it (at most
     * one per CPU, so a short list searched in place: this is every interrupt's path); and the
     * lines with an arrival to replay there (IRQS_PENDING).
     */
    private int[] irqLines = new int[4];
    private int[] irqCpus = new int[4];
    private int irqRunning;
    private final java.util.Set<Integer> irqReplay = new java.util.HashSet<>();

    private int irqSlot(int line) {
        for (int i = 0; i < irqRunning; i++) {
            if (irqLines[i] == line) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A CPU wants to run the handler of {@code line}. False when it already runs on another CPU: then
     * that CPU runs it once more when it is done (handle_edge_irq's IRQS_PENDING loop).
     */
    public boolean irqEnter(int line, int cpu) {
        int i = irqSlot(line);
        if (i < 0) {
            if (irqRunning == irqLines.length) {
                irqLines = java.util.Arrays.copyOf(irqLines, irqRunning * 2);
                irqCpus = java.util.Arrays.copyOf(irqCpus, irqRunning * 2);
            }
            irqLines[irqRunning] = line;
            irqCpus[irqRunning++] = cpu;
            return true;
        }
        if (irqCpus[i] == cpu) {
            return true;
        }
        irqReplay.add(line);
        return false;
    }

    /** The handler of {@code line} returned: true when an arrival on another CPU asked for one more run. */
    public boolean irqReplayRequested(int line) {
        return !irqReplay.isEmpty() && irqReplay.remove(line);
    }

    public void irqExit(int line) {
        int i = irqSlot(line);
        if (i >= 0) {
            irqRunning--;
            irqLines[i] = irqLines[irqRunning];
            irqCpus[i] = irqCpus[irqRunning];
        }
    }

    /** Lines masked until their irq thread finishes (IRQF_ONESHOT), and whether an arrival came meanwhile. */
    private final Map<Integer, Boolean> masked = new LinkedHashMap<>();

    /**
     * mask_irq (kernel/irq/chip.c) for a IRQF_ONESHOT line whose thread was woken; the line stays
     * masked until irq_finalize_oneshot (kernel/irq/manage.c) unmasks it.
     */
    public void irqMask(int line) {
        masked.putIfAbsent(line, false);
    }

    /** True when the line is masked; the arrival is then kept pending (IRQS_PENDING, kernel/irq/chip.c) for the unmask. */
    public boolean irqMaskedArrival(int line) {
        // every arrival asks; only threaded IRQF_ONESHOT lines are ever masked
        if (masked.isEmpty() || !masked.containsKey(line)) {
            return false;
        }
        masked.put(line, true);
        return true;
    }

    /** unmask_irq (kernel/irq/chip.c): true when an arrival came while the line was masked (the unmask delivers it). */
    public boolean irqUnmask(int line) {
        Boolean pending = masked.remove(line);
        return pending != null && pending;
    }

    /** test_and_set_bit(TASKLET_STATE_SCHED): false when the tasklet was already scheduled. */
    public boolean scheduleTasklet(String name) {
        return taskletScheduled.add(name);
    }

    /** tasklet_trylock: false when it runs on another CPU right now. */
    public boolean tryRunTasklet(String name) {
        if (!taskletRunning.add(name)) {
            return false;
        }
        taskletScheduled.remove(name);
        return true;
    }

    private final Map<String, java.util.TreeSet<Integer>> taskletDeferred = new java.util.HashMap<>();

    /** A CPU found the tasklet running elsewhere: it gets it back when that run ends. */
    public void deferTasklet(String name, int cpu) {
        taskletDeferred.computeIfAbsent(name, n -> new java.util.TreeSet<>()).add(cpu);
    }

    /** The run ended: returns the CPUs that deferred it, lowest first. */
    public List<Integer> taskletDone(String name) {
        taskletRunning.remove(name);
        java.util.TreeSet<Integer> d = taskletDeferred.remove(name);
        return d == null ? List.of() : new ArrayList<>(d);
    }
    private double gfpAtomicFailRate;
    private java.util.SplittableRandom faultRandom = new java.util.SplittableRandom(0);

    /** Adds {@code delta} to a named counter (mechanisms count messages, drops, faults here). */
    /** Every counter the engine keeps ({@link #count}); an expectation may name only these. */
    public static final java.util.List<String> COUNTERS = java.util.List.of("faults.gfp_atomic_failed", "faults.irq_lost",
            "faults.irq_spurious");

    public void count(String name, long delta) {
        counters.merge(name, delta, Long::sum);
    }

    /** The counters, sorted by name. */
    public Map<String, Long> counters() {
        return java.util.Collections.unmodifiableMap(counters);
    }

    private final Map<Class<?>, java.util.function.Supplier<?>> atEnd = new LinkedHashMap<>();

    /**
     * A mechanism leaves its state for the run's result: {@code state} is called once, when the
     * run has ended, and its value is {@link dev.kctx.actors.RunResult#atEnd(Class)}. The first
     * registration of a key counts.
     */
    public <T> void atEnd(Class<T> key, java.util.function.Supplier<? extends T> state) {
        atEnd.putIfAbsent(key, state);
    }

    /** The mechanisms' states now, by key (what the machine puts into the run's result). */
    public Map<Class<?>, Object> endState() {
        Map<Class<?>, Object> m = new LinkedHashMap<>();
        atEnd.forEach((k, s) -> m.put(k, k.cast(s.get())));
        return m;
    }

    /** The engine sets the allocation fault rate and its seeded generator before the run. */
    public void injectAllocationFaults(double rate, java.util.SplittableRandom random) {
        gfpAtomicFailRate = rate;
        faultRandom = random;
    }

    /** Whether this GFP_ATOMIC allocation fails (fault injection); counted as faults.gfp_atomic. */
    public boolean atomicAllocationFails() {
        if (gfpAtomicFailRate <= 0 || faultRandom.nextDouble() >= gfpAtomicFailRate) {
            return false;
        }
        count("faults.gfp_atomic_failed", 1);
        return true;
    }

    /** The engine registers every task here; mechanisms look tasks up by pid. */
    public void registerTask(TaskInfo t) {
        tasks.put(t.pid(), t);
        nextPid = Math.max(nextPid, t.pid() + 1);
    }

    /** How many tasks the kernel has known. */
    public int taskCount() {
        return tasks.size();
    }

    /** Every task the kernel has known, by pid. */
    public List<TaskInfo> tasks() {
        return tasks.values().stream().sorted(java.util.Comparator.comparingInt(TaskInfo::pid)).toList();
    }

    /** The task with this pid, or null (never existed). */
    public TaskInfo task(int pid) {
        return tasks.get(pid);
    }

    /** The pid the next process created at run time gets. */
    public int allocatePid() {
        return nextPid++;
    }

    /** Marks {@code pid} exited with {@code code} and wakes whoever waits for it (queue "exit:PID"). */
    public List<WaitHandle> taskExited(int pid, int code) {
        TaskInfo t = tasks.get(pid);
        if (t != null) {
            t.exit(code);
        }
        return waitQueue("exit:" + pid).signal();
    }

    /** What a process runs when its program ends, as returning from main calls exit(0): the mechanisms' exit_files and friends. */
    public List<Op> exitWork(Exec x) {
        return exitWork.apply(x);
    }

    /** Installs the end-of-program work (the mechanisms do, once they keep per-process state). */
    public void setExitWork(java.util.function.Function<Exec, List<Op>> work) {
        exitWork = work;
    }

    public UserWork userWork() {
        return userWork;
    }

    /** Installs the return-to-user work source (signal delivery). */
    public void setUserWork(UserWork work) {
        userWork = work;
    }
    private java.util.function.Consumer<dev.kctx.contexts.Report> reportRoute = r -> {
        throw new IllegalStateException("no CPU is running: " + r.title());
    };
    private final dev.kctx.contexts.LockValidator lockdep = new dev.kctx.contexts.LockValidator(r -> reportRoute.accept(r));

    /** The machine's one lock validator; its reports go to the CPU that is running (see {@link #routeReports}). */
    public dev.kctx.contexts.LockValidator lockdep() {
        return lockdep;
    }

    /** The engine points machine-wide checkers at the CPU that runs next. */
    public void routeReports(java.util.function.Consumer<dev.kctx.contexts.Report> sink) {
        reportRoute = sink;
    }

    /**
     * WARN_ONCE's flag (include/asm-generic/bug.h: one static bool per call site): true the first
     * time {@code site} asks in this run, false after that.
     */
    public boolean warnOnce(String site) {
        return warnedOnce.add(site);
    }

    /** The kernel's log buffer as dmesg reads it: every printk line so far, timestamped. */
    public List<String> kernelLog() {
        return java.util.Collections.unmodifiableList(kernelLog);
    }

    /** Appends a formatted line to the log buffer (the engine's printk does this). */
    public void appendKernelLog(String line) {
        kernelLog.add(line);
    }

    /** The lockdep class of {@code lock} (see {@link LockClasses}): its declared class, else its own name. */
    public String lockClass(String lock) {
        Object v = extensions.get(LockClasses.class);
        return v == null ? lock : ((LockClasses) v).classOf(lock);
    }

    /**
     * Machine-wide state of a mechanism (its registry, the VFS, the module list), created on first
     * use. Like the locks, it is touched by one context at a time.
     */
    public <T> T extension(Class<T> key, java.util.function.Supplier<T> init) {
        // Not computeIfAbsent: a factory may itself ask for other extensions.
        Object v = extensions.get(key);
        if (v == null) {
            v = init.get();
            Object raced = extensions.putIfAbsent(key, v);
            if (raced != null) {
                v = raced;
            }
        }
        return key.cast(v);
    }

    /** The extension under {@code key} if some context created it, else null (a reader that must not create it). */
    public <T> T existing(Class<T> key) {
        return key.cast(extensions.get(key));
    }

    private final Map<String, WaitQueue> queues = new LinkedHashMap<>();

    /** Declares a lock; returns the existing one if already declared with the same type. */
    public Lock declareLock(String name, LockType type) {
        Lock l = locks.computeIfAbsent(name, n -> new Lock(n, type));
        if (l.type != type) {
            throw new IllegalArgumentException("lock '" + name + "' is a " + l.type + ", not a " + type);
        }
        return l;
    }

    /** The lock by name, created with {@code type} on first use; using a lock as another type is a model error. */
    public Lock lock(String name, LockType type) {
        Lock l = locks.computeIfAbsent(name, n -> new Lock(n, type));
        if (l.type != type) {
            throw new IllegalArgumentException("lock '" + name + "' is a " + l.type + " but is used as a " + type);
        }
        return l;
    }

    public Map<String, Lock> locks() {
        return java.util.Collections.unmodifiableMap(locks);
    }

    public WaitQueue waitQueue(String name) {
        return queues.computeIfAbsent(name, WaitQueue::new);
    }

    /** The wait queues used so far, by name (for checkers). */
    public Map<String, WaitQueue> waitQueues() {
        return java.util.Collections.unmodifiableMap(queues);
    }
}
