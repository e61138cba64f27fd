package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@DisplayName("Bad scenario input")
class BadInputTest {

    @TempDir
    static Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(
                arguments("a typo in an operation name", """
                        kthreads:
                          - name: w
                            body:
                              - spin_lok: L
                        """, "4:9", new String[] {"unknown operation 'spin_lok'", "did you mean 'spin_lock'?",
                        "expected one of compute, mdelay", "spin_lock_irqsave"}),
                arguments("a negative duration", """
                        kthreads:
                          - name: w
                            body: [msleep: -5us]
                        """, "3:20", new String[] {"msleep '-5us' is negative", "expected a non-negative duration"}),
                arguments("a duration without unit", "kthreads: [{name: w, body: [mdelay: 5]}]\n", "1:37",
                        new String[] {"mdelay 5 has no unit", "e.g. 5us"}),
                arguments("an undeclared lock", """
                        locks: {dev_lock: spinlock}
                        kthreads:
                          - name: w
                            body: [spin_lock: dv_lock]
                        """, "4:23", new String[] {"unknown lock 'dv_lock'", "did you mean 'dev_lock'?",
                        "expected a lock declared under 'locks:': dev_lock"}),
                arguments("a lock used with no locks section", "kthreads: [{name: w, body: [mutex_lock: M]}]\n", "1:41",
                        new String[] {"unknown lock 'M'", "locks: {M: mutex}"}),
                arguments("a spin lock taken as a mutex", """
                        locks: {L: spinlock}
                        kthreads: [{name: w, body: [mutex_lock: L]}]
                        """, "2:41", new String[] {"lock 'L' is a spinlock and 'mutex_lock' needs a mutex"}),
                arguments("down_read of a mutex", """
                        locks: {M: mutex}
                        kthreads: [{name: w, body: [down_read: M]}]
                        """, "2:40", new String[] {"lock 'M' is a mutex and 'down_read' needs an rwsem"}),
                arguments("a nesting subclass past MAX_LOCKDEP_SUBCLASSES", """
                        locks: {L: spinlock}
                        kthreads: [{name: w, body: [spin_lock_nested: {lock: L, subclass: 8}]}]
                        """, "2:67", new String[] {"subclass (SINGLE_DEPTH_NESTING is 1) is 8, out of range", "from 0 to 7"}),
                arguments("a lock class on a counting semaphore", """
                        locks: {S: {type: semaphore, class: c}}
                        """, "1:19", new String[] {"a counting semaphore has no lockdep class"}),
                arguments("a missing required field", """
                        irqs:
                          - name: nic
                            arrivals: {every: 1ms}
                            handler: [compute: 1us]
                        """, "2:5", new String[] {"missing required key 'line' in irq", "expected 'line: NUMBER'"}),
                arguments("a wrong type", "machine: {cpus: two}\n", "1:17",
                        new String[] {"cpus is a string 'two'", "expected an integer from 1 to 256"}),
                arguments("a list where a mapping belongs", "machine: [cpus, 2]\n", "1:10",
                        new String[] {"machine is a list", "expected a mapping with keys cpus, preempt"}),
                arguments("an unknown key", "machine: {cpus: 1, time_slise: 1ms}\n", "1:20",
                        new String[] {"unknown key 'time_slise' in machine", "did you mean 'time_slice'?",
                        "expected one of cpus, preempt, time_slice, seed, softirq_defer"}),
                arguments("an unknown section", "machin: {cpus: 1}\n", "1:1",
                        new String[] {"unknown key 'machin' in the scenario", "did you mean 'machine'?",
                        "expected one of name, description, machine"}),
                arguments("an unknown soft IRQ vector", "softirqs: {NET_RXX: [compute: 1us]}\n", "1:12",
                        new String[] {"unknown soft IRQ vector 'NET_RXX'", "did you mean 'NET_RX'?",
                        "expected one of HI, TIMER, NET_TX, NET_RX"}),
                arguments("an unknown raised vector", "irqs: [{name: n, line: 1, arrivals: {at: [1us]}, handler: [raise_softirq: BLK]}]\n",
                        "1:75", new String[] {"unknown soft IRQ vector 'BLK'", "expected one of HI, TIMER"}),
                arguments("an undeclared tasklet", """
                        tasklets: {rx_done: [compute: 5us]}
                        irqs: [{name: n, line: 1, arrivals: {at: [1us]}, handler: [tasklet_schedule: rx_dne]}]
                        """, "2:78", new String[] {"unknown tasklet 'rx_dne'", "did you mean 'rx_done'?",
                        "expected a tasklet declared under 'tasklets:': rx_done"}),
                arguments("a tasklet with no tasklets section", "irqs: [{name: n, line: 1, arrivals: {at: [1us]}, handler: [tasklet_schedule: t]}]\n",
                        "1:78", new String[] {"unknown tasklet 't'", "tasklets: {t: [- compute: 5us]}"}),
                arguments("tasklets and a TASKLET soft IRQ handler", """
                        softirqs: {TASKLET: [compute: 1us]}
                        tasklets: {t: [compute: 1us]}
                        """, "2:1", new String[] {"TASKLET_SOFTIRQ runs the tasklets and also has a handler",
                        "expected either 'tasklets:' or a TASKLET handler"}),
                arguments("tasklet_schedule in user mode", """
                        tasklets: {t: [compute: 1us]}
                        processes: [{name: p, body: [tasklet_schedule: t]}]
                        """, "2:30", new String[] {"'tasklet_schedule' is kernel code"}),
                arguments("an unknown lock type", "locks: {L: spinlok}\n", "1:12",
                        new String[] {"unknown lock type 'spinlok'", "expected one of spinlock, rwlock, mutex, semaphore"}),
                arguments("an unknown report kind", "expect: {reports: {sleep-in-atomik: 1}}\n", "1:20",
                        new String[] {"unknown report kind 'sleep-in-atomik'", "did you mean 'sleep-in-atomic'?",
                        "bad-unlock-balance", "lock-held-returning-to-user"}),
                arguments("an empty console_contains text", "expect: {console_contains: [ok, \"\"]}\n", "1:33",
                        new String[] {"a console_contains item is empty", "a non-empty text the console must show"}),
                arguments("a dmesg_contains that is not a list", "expect: {dmesg_contains: hello}\n", "1:26",
                        new String[] {"dmesg_contains", "texts the kernel log must show"}),
                arguments("an unknown latency bound", "expect: {irq_to_softirq_maxx: 5us}\n", "1:10",
                        new String[] {"unknown key 'irq_to_softirq_maxx' in expect", "irq_to_softirq_max"}),
                arguments("a preempt model typo", "machine: {preempt: ful}\n", "1:20",
                        new String[] {"unknown preempt model 'ful'", "expected one of"}),
                arguments("a kernel call in user mode", "processes: [{name: p, body: [msleep: 1ms]}]\n", "1:30",
                        new String[] {"'msleep' is kernel code; a user process runs it only inside a system call",
                        "- syscall: {name: NAME, body: [- msleep: ...]}", "compute, syscall, nanosleep, loop"}),
                arguments("a system call in a kernel thread", "kthreads: [{name: k, body: [{syscall: {name: read, body: [compute: 1us]}}]}]\n",
                        "1:30", new String[] {"'syscall' is made by user processes, not in a kernel thread"}),
                arguments("two operations in one item", """
                        kthreads:
                          - name: w
                            body:
                              - msleep: 1ms
                                compute: 1us
                        """, "5:9", new String[] {"an operation with several keys (msleep, compute)", "one operation per list item"}),
                arguments("a duplicate key", "machine: {cpus: 1, cpus: 2}\n", "1:20", new String[] {"duplicate key 'cpus'"}),
                arguments("an argument to an operation without one", "kthreads: [{name: k, body: [schedule: now]}]\n",
                        "1:39", new String[] {"'schedule' takes no argument"}),
                arguments("a missing argument", "kthreads: [{name: k, body: [msleep]}]\n", "1:29",
                        new String[] {"'msleep' needs an argument", "'- msleep: DURATION'"}),
                arguments("an empty body", "kthreads: [{name: k, body: []}]\n", "1:28",
                        new String[] {"the body of kthread k is empty"}),
                arguments("an IRQ on a CPU the machine lacks", "machine: {cpus: 2}\nirqs: [{name: n, line: 1, cpus: [2], arrivals: {at: [1us]}, handler: [compute: 1us]}]\n",
                        "2:34", new String[] {"irq cpu is 2, out of range", "from 0 to 1"}),
                arguments("two arrival kinds", "irqs: [{name: n, line: 1, arrivals: {at: [1us], every: 1ms}, handler: [compute: 1us]}]\n",
                        "1:49", new String[] {"arrivals give more than one of at, every"}),
                arguments("descending arrival times", "irqs: [{name: n, line: 1, arrivals: {at: [2us, 1us]}, handler: [compute: 1us]}]\n",
                        "1:48", new String[] {"before the one before it", "ascending"}),
                arguments("a task name longer than TASK_COMM_LEN", "kthreads: [{name: a_very_long_thread_name, body: [compute: 1us]}]\n",
                        "1:19", new String[] {"is not a valid name", "1 to 15 characters"}),
                arguments("two tasks with one name", "kthreads: [{name: k, body: [compute: 1us]}, {name: k, body: [compute: 1us]}]\n",
                        "1:52", new String[] {"a second task named 'k'"}),
                arguments("a pid the engine gives to another process", """
                        processes:
                          - {name: a, body: [compute: 1us]}
                          - {name: b, pid: 1000, body: [compute: 1us]}
                        """, "3:20", new String[] {"pid 1000 is also given to a process without a pid"}),
                arguments("clean and reports at once", "expect: {clean: true, reports: {sleep-in-atomic: 1}}\n", "1:10",
                        new String[] {"'clean: true' contradicts the expected reports"}),
                arguments("modules written as a mapping", "modules: {name: m}\n", "1:10",
                        new String[] {"modules is a mapping", "expected a list of modules"}),
                arguments("broken YAML", "machine: {cpus: 1\n", "2:1", new String[] {"YAML syntax error", "expected well-formed YAML"}),
                arguments("an empty file", "", "1:1", new String[] {"the scenario is empty"}),
                arguments("a scalar document", "hello\n", "1:1", new String[] {"the scenario is a string 'hello'",
                        "expected a mapping with keys name, description, machine"}),
                arguments("zero until", "run: {until: 0ms}\n", "1:14", new String[] {"until is zero", "a positive duration"}),
                arguments("an unknown run key", "run: {untill: 5ms}\n", "1:7", new String[] {"unknown key 'untill' in run",
                        "did you mean 'until'?"}),
                // the operations and settings added with the lock validator
                arguments("a read lock on a spin lock", "locks: {L: spinlock}\nkthreads: [{name: w, body: [read_lock: L]}]\n",
                        "2:40", new String[] {"lock 'L' is a spinlock and 'read_lock' needs an rwlock",
                        "expected an rwlock declared under 'locks:'"}),
                arguments("a typo in a write lock variant", "locks: {L: rwlock}\nkthreads: [{name: w, body: [write_lock_irqsav: L]}]\n",
                        "2:29", new String[] {"unknown operation 'write_lock_irqsav'", "did you mean 'write_lock_irqsave'?",
                        "read_lock_bh", "write_unlock_irqrestore", "spin_trylock", "down_interruptible", "wait_for_completion"}),
                arguments("a trylock without then", """
                        locks: {L: spinlock}
                        kthreads:
                          - name: w
                            body:
                              - spin_trylock: {lock: L, else: [compute: 1us]}
                        """, "5:23", new String[] {"missing required key 'then' in 'spin_trylock'",
                        "expected 'then: [OPERATIONS], run holding the lock'"}),
                arguments("a trylock written like spin_lock", "locks: {L: spinlock}\nkthreads: [{name: w, body: [spin_trylock: L]}]\n",
                        "2:43", new String[] {"spin_trylock is a string 'L'",
                        "expected a mapping, as in '- spin_trylock: {lock: L, then: [..., spin_unlock: L], else: [...]}'"}),
                arguments("a trylock with an unknown branch", """
                        locks: {L: spinlock}
                        kthreads:
                          - name: w
                            body:
                              - spin_trylock:
                                  lock: L
                                  then: [spin_unlock: L]
                                  otherwise: [compute: 1us]
                        """, "8:11", new String[] {"unknown key 'otherwise' in 'spin_trylock'", "expected one of lock, then, else"}),
                arguments("a trylock with an empty then", "locks: {L: spinlock}\nkthreads: [{name: w, body: [spin_trylock: {lock: L, then: []}]}]\n",
                        "2:59", new String[] {"the body of 'then' of spin_trylock is empty"}),
                arguments("a read trylock on a spin lock", "locks: {L: spinlock}\nkthreads: [{name: w, body: [read_trylock: {lock: L, then: [read_unlock: L]}]}]\n",
                        "2:50", new String[] {"lock 'L' is a spinlock and 'read_trylock' needs an rwlock"}),
                arguments("down on a mutex", "locks: {M: mutex}\nkthreads: [{name: w, body: [down: M]}]\n", "2:35",
                        new String[] {"lock 'M' is a mutex and 'down' needs a semaphore", "expected a semaphore declared under 'locks:'"}),
                arguments("down on an undeclared semaphore", "kthreads: [{name: w, body: [down: slots]}]\n", "1:35",
                        new String[] {"unknown lock 'slots'", "locks: {slots: semaphore}"}),
                arguments("a negative semaphore count", "locks: {S: {semaphore: -1}}\n", "1:24",
                        new String[] {"semaphore count is -1, out of range", "expected an integer from 0 to 2147483647"}),
                arguments("a count on a mutex", "locks: {S: {mutex: 1}}\n", "1:13",
                        new String[] {"unknown key 'mutex' in lock S (a semaphore takes its count; other locks take {type: TYPE, class: CLASS})",
                        "expected 'S: {semaphore: COUNT}', 'S: {type: TYPE, class: CLASS}', or 'S: TYPE' with TYPE one of spinlock, rwlock, mutex, semaphore, rwsem"}),
                arguments("a semaphore type typo", "locks: {S: semafore}\n", "1:12",
                        new String[] {"unknown lock type 'semafore'", "did you mean 'semaphore'?", "or {semaphore: COUNT}"}),
                arguments("a watchdog threshold without unit", "machine: {watchdog_thresh: 5}\n", "1:28",
                        new String[] {"watchdog_thresh 5 has no unit", "e.g. 5us"}),
                arguments("a zero watchdog threshold", "machine: {watchdog_thresh: 0ms}\n", "1:28",
                        new String[] {"watchdog_thresh is zero", "a positive duration"}),
                arguments("a GFP flag typo", "kthreads: [{name: w, body: [kmalloc: GFP_NOWAI]}]\n", "1:38",
                        new String[] {"unknown GFP flag 'GFP_NOWAI'", "did you mean 'GFP_NOWAIT'?",
                        "expected GFP flags joined by '|'"}),
                arguments("alloc_skb with GFP_NOWAIT", "kthreads: [{name: w, body: [alloc_skb: {size: 64, flags: GFP_NOWAIT}]}]\n",
                        "1:58", new String[] {"unknown GFP flag 'GFP_NOWAIT'", "expected one of GFP_KERNEL, GFP_ATOMIC"}),
                arguments("usleep_range with max below min", "kthreads: [{name: w, body: [usleep_range: {min: 20us, max: 10us}]}]\n",
                        "1:60", new String[] {"usleep_range max is below min", "expected max >= min"}),
                arguments("usleep_range with one duration", "kthreads: [{name: w, body: [usleep_range: 5us]}]\n", "1:43",
                        new String[] {"usleep_range is a string '5us'", "'- usleep_range: {min: 100us, max: 200us}'"}),
                arguments("a completion with a bad name", "kthreads: [{name: w, body: [wait_for_completion: \"a b\"]}]\n", "1:50",
                        new String[] {"wait_for_completion 'a b' is not a valid name", "1 to 32 characters"}),
                arguments("complete without a completion", "kthreads: [{name: w, body: [complete]}]\n", "1:29",
                        new String[] {"'complete' needs an argument", "'- complete: COMPLETION'"}),
                arguments("down in user mode", "locks: {S: semaphore}\nprocesses: [{name: p, body: [down: S]}]\n", "2:30",
                        new String[] {"'down' is kernel code; a user process runs it only inside a system call"}),
                // interruptible and killable waits: on_interrupt only where a signal can interrupt (a system call)
                arguments("on_interrupt in a kernel thread", "locks: {S: semaphore}\nkthreads: [{name: w, body: [down_interruptible: {semaphore: S, on_interrupt: [compute: 1us]}]}]\n",
                        "2:64", new String[] {"'on_interrupt' of down_interruptible in a kernel thread", "only a user process's system call",
                        "expected the scalar form '- down_interruptible: SEMAPHORE' here, or the map form in a 'syscall:' body"}),
                arguments("on_interrupt in an IRQ handler", "irqs: [{line: 11, name: nic, arrivals: {every: 1ms}, handler: [msleep_interruptible: {duration: 1ms, on_interrupt: [compute: 1us]}]}]\n",
                        "1:102", new String[] {"'on_interrupt' of msleep_interruptible in an IRQ handler"}),
                arguments("a misspelt on_interrupt", "locks: {M: mutex}\nprocesses: [{name: p, body: [syscall: {name: read, body: [mutex_lock_interruptible: {mutex: M, on_intr: [compute: 1us]}]}]}]\n",
                        "2:96", new String[] {"unknown key 'on_intr' in 'mutex_lock_interruptible'", "expected one of mutex, on_interrupt"}),
                arguments("a killable wait without its queue", "processes: [{name: p, body: [syscall: {name: read, body: [wait_event_killable: {on_interrupt: [compute: 1us]}]}]}]\n",
                        "1:80", new String[] {"missing required key 'queue' in 'wait_event_killable'", "expected 'queue: QUEUE'"}),
                arguments("mutex_lock_killable on a semaphore", "locks: {S: semaphore}\nprocesses: [{name: p, body: [syscall: {name: read, body: [mutex_lock_killable: S]}]}]\n",
                        "2:80", new String[] {"lock 'S' is a semaphore and 'mutex_lock_killable' needs a mutex"}),
                arguments("an empty on_interrupt", "processes: [{name: p, body: [syscall: {name: read, body: [msleep_interruptible: {duration: 1ms, on_interrupt: []}]}]}]\n",
                        "1:111", new String[] {"the body of on_interrupt of msleep_interruptible is empty"}),
                arguments("a negative vmalloc size", "kthreads: [{name: w, body: [vmalloc: -1]}]\n", "1:38",
                        new String[] {"vmalloc is -1, out of range", "expected an integer from 0 to 1073741824"}),
                arguments("kfree of a list", "kthreads: [{name: w, body: [kfree: [a]]}]\n", "1:36",
                        new String[] {"kfree is a list", "expected a text value"}),
                // expect: mechanisms, and the machine parts built-in modules bring
                arguments("an unknown mechanism", "expect: {mechanisms: {netlnk: {sent: 1}}}\n", "1:23",
                        new String[] {"unknown mechanism 'netlnk'", "did you mean 'netlink'?", "netlink, genetlink, udp"}),
                arguments("an unknown counter", "expect: {mechanisms: {udp: {recieved: 1}}}\n", "1:29",
                        new String[] {"unknown key 'recieved'", "sent, delivered, dropped, in_flight, errors"}),
                arguments("an unknown errno", "expect: {mechanisms: {udp: {dropped: {ENOBUF: 1}}}}\n", "1:39",
                        new String[] {"unknown errno 'ENOBUF'", "did you mean 'ENOBUFS'?"}),
                arguments("a negative count", "expect: {mechanisms: {udp: {sent: -1}}}\n", "1:35",
                        new String[] {"out of range"}),
                arguments("an irq on the line of a built-in module's timer tick", """
                        modules: [{builtin: mmap_kernel}]
                        irqs: [{name: nic, line: 0, arrivals: {at: [1us]}, handler: [compute: 1us]}]
                        """, "2:26", new String[] {"irq line 0 is already timer's"}),
                arguments("a TIMER handler next to a module that needs timers", """
                        modules: [{builtin: upcall_example}]
                        softirqs: {TIMER: [compute: 1us]}
                        """, "2:12", new String[] {"soft IRQ TIMER runs what a module needs (a built-in's kernel timers"}),
                arguments("a handler on the vector of a declared netlink input", """
                        modules: [{name: m, netlink: [{unit: 25, in_softirq: NET_RX, input: {}}]}]
                        softirqs: {NET_RX: [compute: 1us]}
                        """, "2:12", new String[] {"soft IRQ NET_RX runs what a module needs", "a declared netlink input"}),
                arguments("a program without its module", "processes: [{name: p, body: [sh: ./nlsend hi]}]\n", "1:34",
                        new String[] {"no program './nlsend' on this machine", "nlexample", "kudp", "mmap_kernel"}),
                // ioctl commands declared on a chardev, and the process's ioctl operation
                arguments("an ioctl command that is not a macro", """
                        modules: [{name: k, chardev: {name: k, ioctl: [{name: G, cmd: "_IOX('q', 1)"}]}}]
                        """, "1:63", new String[] {"ioctl cmd '_IOX('q', 1)' is not an ioctl command macro",
                        "_IO('q', NR), _IOR('q', NR, int)"}),
                arguments("an ioctl size of an unknown type", """
                        modules: [{name: k, chardev: {name: k, ioctl: [{name: G, cmd: "_IOR('q', 1, itn)"}]}}]
                        """, "1:63", new String[] {"unknown ioctl size type 'itn'", "a number of bytes or one of int, long"}),
                arguments("an ioctl that gets a variable but copies nothing back", """
                        modules: [{name: k, chardev: {name: k, variables: {v: 1}, ioctl: [{name: G, cmd: "_IOW('q', 1, int)", get: v}]}}]
                        """, "1:103", new String[] {"ioctl G gets v but _IOW('q', 1, 4) copies nothing back", "_IOR or _IOWR"}),
                arguments("an ioctl on an undeclared variable", """
                        modules: [{name: k, chardev: {name: k, variables: {limit: 1}, ioctl: [{name: G, cmd: "_IOR('q', 1, int)", get: limt}]}}]
                        """, "1:112", new String[] {"unknown variable 'limt'", "did you mean 'limit'?", "expected limit"}),
                arguments("two ioctl commands with one number", """
                        modules: [{name: k, chardev: {name: k, ioctl: [{name: A, cmd: "_IO('q', 1)"}, {name: B, cmd: "_IO('q', 1)"}]}}]
                        """, "1:94", new String[] {"ioctl B has the same number as A (_IO('q', 1))"}),
                arguments("an ioctl with an unknown errno", """
                        modules: [{name: k, chardev: {name: k, ioctl: [{name: A, cmd: "_IO('q', 1)", errno: EPRM}]}}]
                        """, "1:85", new String[] {"unknown errno 'EPRM'", "did you mean 'EPERM'?"}),
                arguments("an argument to an _IO ioctl", """
                        processes: [{name: p, body: [ioctl: {device: /dev/k, cmd: "_IO('q', 1)", arg: 5}]}]
                        """, "1:74", new String[] {"_IO('q', 1) passes no argument", "no 'arg' for an _IO command"}),
                // user-mode helpers and call_usermodehelper
                arguments("a helper at a relative path", "modules: [{name: m, helpers: [{path: sbin/x}]}]\n", "1:38",
                        new String[] {"helper path 'sbin/x' is not an absolute path", "/sbin/notify"}),
                arguments("a helper at the built-in helper's path", "modules: [{name: m, helpers: [{path: /sbin/kctx_helper}]}]\n",
                        "1:38", new String[] {"a second program at /sbin/kctx_helper"}),
                arguments("a helper exit status out of range", "modules: [{name: m, helpers: [{path: /sbin/x, exit: 256}]}]\n",
                        "1:53", new String[] {"out of range", "0 to 255"}),
                arguments("an unknown wait mode", """
                        kthreads: [{name: w, body: [call_usermodehelper: {path: /sbin/x, wait: UMH_WAIT_PRC}]}]
                        """, "1:72", new String[] {"unknown wait mode 'UMH_WAIT_PRC'", "did you mean 'UMH_WAIT_PROC'?"}),
                arguments("two wait modes at once", """
                        kthreads: [{name: w, body: [call_usermodehelper: {path: /sbin/x, wait: "UMH_NO_WAIT|UMH_WAIT_PROC"}]}]
                        """, "1:72", new String[] {"names 2 of UMH_NO_WAIT", "exactly one, optionally |UMH_KILLABLE"}),
                arguments("call_usermodehelper in user mode", "processes: [{name: p, body: [call_usermodehelper: {path: /sbin/x}]}]\n",
                        "1:30", new String[] {"'call_usermodehelper' is kernel code"}),
                // netlink families declared by a module, and the netlink operation
                arguments("a netlink unit out of range", "modules: [{name: m, netlink: [{unit: 32, input: {}}]}]\n", "1:38",
                        new String[] {"netlink unit is 32, out of range", "0 to 31"}),
                arguments("a multicast from a family without groups", """
                        modules: [{name: m, netlink: [{unit: 25, input: {multicast: 1}}]}]
                        """, "1:61", new String[] {"the input multicasts but the family has no groups", "'groups: N'"}),
                arguments("a netlink input that fails and replies", """
                        modules: [{name: m, netlink: [{unit: 25, input: {errno: EPERM, reply: hi}}]}]
                        """, "1:50", new String[] {"fails with EPERM and also answers"}),
                arguments("an unknown capability", """
                        modules: [{name: m, netlink: [{unit: 25, input: {capable: CAP_NET_ADMN}}]}]
                        """, "1:59", new String[] {"unknown capability 'CAP_NET_ADMN'", "did you mean 'CAP_NET_ADMIN'?"}),
                arguments("an unknown soft IRQ for a netlink input", """
                        modules: [{name: m, netlink: [{unit: 25, in_softirq: NET_RXX, input: {}}]}]
                        """, "1:54", new String[] {"unknown soft IRQ vector 'NET_RXX'", "did you mean 'NET_RX'?"}),
                arguments("a netlink ACK for nothing sent", "processes: [{name: p, body: [netlink: {unit: 25, ack: true}]}]\n",
                        "1:50", new String[] {"'ack' asks for the ACK of a message, and nothing is sent"}),
                // generic netlink families declared by a module, and the genetlink operation
                arguments("a generic netlink family name too long", """
                        modules: [{name: m, genetlink: [{name: A_FAMILY_NAME_TOO_LONG, ops: [{cmd: 1}]}]}]
                        """, "1:40", new String[] {"family name 'A_FAMILY_NAME_TOO_LONG' is not valid", "GENL_NAMSIZ"}),
                arguments("an unknown attribute policy", """
                        modules: [{name: m, genetlink: [{name: F, attributes: [{type: 1, name: MSG, policy: nul_strng}], ops: [{cmd: 1}]}]}]
                        """, "1:85", new String[] {"unknown attribute policy 'nul_strng'", "did you mean 'nul_string'?"}),
                arguments("a placeholder of no attribute", """
                        modules: [{name: m, genetlink: [{name: F, attributes: [{type: 1, name: MSG, policy: string}], ops: [{cmd: 1, reply: "{MGS}"}]}]}]
                        """, "1:117", new String[] {"unknown attribute 'MGS' in {MGS}", "expected MSG"}),
                arguments("a multicast to an undeclared group", """
                        modules: [{name: m, genetlink: [{name: F, attributes: [{type: 1, name: MSG, policy: string}], groups: [events], ops: [{cmd: 1, multicast: evts}]}]}]
                        """, "1:139", new String[] {"unknown multicast group 'evts'", "expected events"}),
                arguments("two operations with one cmd", """
                        modules: [{name: m, genetlink: [{name: F, ops: [{cmd: 1}, {cmd: 1}]}]}]
                        """, "1:65", new String[] {"a second operation for cmd 1"}),
                arguments("a genetlink operation without cmd or group", "processes: [{name: p, body: [genetlink: {family: F}]}]\n",
                        "1:41", new String[] {"genetlink names neither a cmd nor a group to subscribe to", "'subscribe: GROUP'"}),
                // the kill operation, shell kill, hold and rcvbuf, expect tasks
                arguments("a kill of pid 0", "processes: [{name: p, body: [kill: {pid: 0}]}]\n", "1:42",
                        new String[] {"kill pid is 0, out of range", "from 1 to 4194304"}),
                arguments("a kill without pid", "processes: [{name: p, body: [kill: {signal: 9}]}]\n", "1:36",
                        new String[] {"missing required key 'pid' in 'kill'", "'pid: 1..4194304'"}),
                arguments("a misspelt signal", "processes: [{name: p, body: [kill: {pid: 300, signal: SIGKILLL}]}]\n", "1:55",
                        new String[] {"unknown signal 'SIGKILLL'", "did you mean 'SIGKILL'?", "SIGRTMIN+N, or a number 0..64"}),
                arguments("a signal number above 64", "processes: [{name: p, body: [kill: {pid: 300, signal: 65}]}]\n", "1:55",
                        new String[] {"signal number is 65, out of range", "from 0 to 64"}),
                arguments("an unknown kill key", "processes: [{name: p, body: [kill: {pid: 300, sig: 9}]}]\n", "1:47",
                        new String[] {"unknown key 'sig' in 'kill'", "expected one of pid, signal"}),
                arguments("a sigaction without handler or action", "processes: [{name: p, body: [sigaction: {signal: USR1}]}]\n",
                        "1:41", new String[] {"sigaction needs a handler or an action", "{signal: SIGUSR1, action: ignore|default}"}),
                arguments("a sigaction with an unknown action", "processes: [{name: p, body: [sigaction: {signal: USR1, action: catch}]}]\n",
                        "1:64", new String[] {"unknown sigaction action 'catch'", "expected one of handler, ignore, default"}),
                arguments("a sigaction ignoring with a handler",
                        "processes: [{name: p, body: [sigaction: {signal: USR1, action: ignore, handler: [compute: 1us]}]}]\n",
                        "1:72", new String[] {"'action: ignore' takes no handler"}),
                arguments("a sigaction handler with kernel code",
                        "processes: [{name: p, body: [sigaction: {signal: USR1, handler: [mutex_lock: m]}]}]\nlocks: {m: mutex}\n",
                        "1:66", new String[] {"'mutex_lock' is kernel code"}),
                arguments("a sigaction of an unknown signal", "processes: [{name: p, body: [sigaction: {signal: SIGFOO, handler: []}]}]\n",
                        "1:50", new String[] {"unknown signal 'SIGFOO'"}),
                arguments("a shell kill of a name", "processes: [{name: p, body: [sh: \"kill -9 abc\"]}]\n", "1:34",
                        new String[] {"'abc' is not a process id > 0", "process groups and jobs are not modelled"}),
                arguments("a shell kill without pid", "processes: [{name: p, body: [sh: \"kill -9\"]}]\n", "1:34",
                        new String[] {"kill needs a PID"}),
                arguments("a hold without unit", "processes: [{name: p, body: [netlink: {unit: 25, hold: 5}]}]\n", "1:56",
                        new String[] {"hold 5 has no unit"}),
                arguments("a zero hold", "processes: [{name: p, body: [genetlink: {family: F, subscribe: g, hold: 0ms}]}]\n", "1:73",
                        new String[] {"hold is zero", "a positive duration"}),
                arguments("recv on a genetlink command", "processes: [{name: p, body: [genetlink: {family: F, cmd: 1, recv: 2}]}]\n", "1:61",
                        new String[] {"'recv' counts a subscriber's reads"}),
                arguments("a zero rcvbuf", "processes: [{name: p, body: [netlink: {unit: 25, rcvbuf: 0}]}]\n", "1:58",
                        new String[] {"rcvbuf is 0, out of range"}),
                arguments("expect tasks of an undeclared pid", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {4243: {exit: 0}}}
                        """, "2:18", new String[] {"no process with pid 4243 is declared", "declared with 'pid:' (4242)"}),
                arguments("expect tasks by name", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {sh: {exit: 0}}}
                        """, "2:18", new String[] {"'sh' is not a pid"}),
                arguments("an unknown task expectation", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {4242: {exitt: 0}}}
                        """, "2:25", new String[] {"unknown key 'exitt' in expect tasks 4242", "did you mean 'exit'?"}),
                arguments("a task that both exits and is killed", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {4242: {exit: 0, signal: SIGKILL}}}
                        """, "2:34", new String[] {"a process either exits or is killed, not both"}),
                arguments("an unknown task state", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {4242: {state: Z}}}
                        """, "2:32", new String[] {"unknown task state 'Z'", "D (uninterruptible sleep)"}),
                arguments("an empty task expectation", """
                        processes: [{name: p, pid: 4242, body: [nanosleep: 1ms]}]
                        expect: {tasks: {4242: {}}}
                        """, "2:24", new String[] {"expect tasks 4242 expects nothing"}),
                // scheduling: the machine's keys, the tasks' attributes and count, the scheduling calls
                arguments("an hz CONFIG_HZ does not offer", "machine: {hz: 500}\n", "1:15",
                        new String[] {"hz 500 is not a CONFIG_HZ choice", "expected one of 100, 250, 300, 1000"}),
                arguments("base_slice and time_slice at once", "machine: {base_slice: 1ms, time_slice: 2ms}\n", "1:28",
                        new String[] {"'time_slice' is the old name of 'base_slice', and both are given"}),
                arguments("a base slice beyond 100 ms", "machine: {base_slice: 1s}\n", "1:23",
                        new String[] {"base_slice 1s is out of range", "a duration from 100us to 100ms"}),
                arguments("an RT runtime longer than its period", "machine: {rt_runtime: 2s, rt_period: 1s}\n", "1:23",
                        new String[] {"rt_runtime 2s is longer than rt_period (1s); sched_rt_handler answers EINVAL",
                        "-1 (no RT throttling) or a duration up to rt_period"}),
                arguments("an RT runtime of -2", "machine: {rt_runtime: -2}\n", "1:23",
                        new String[] {"rt_runtime -2 is neither -1 nor a duration"}),
                arguments("an RT period shorter than the default runtime", "machine: {rt_period: 100ms}\n", "1:22",
                        new String[] {"rt_period 100ms is shorter than the default rt_runtime (950ms)", "rt_runtime: 95ms, or -1"}),
                arguments("a preempt model typo near voluntary", "machine: {preempt: voluntry}\n", "1:20",
                        new String[] {"unknown preempt model 'voluntry' (did you mean 'voluntary'?)", "none, voluntary, full"}),
                arguments("a FIFO task without priority", "processes: [{name: p, policy: fifo, body: [compute: 1us]}]\n", "1:23",
                        new String[] {"SCHED_FIFO needs a priority", "'priority: N' with N from 1 to 99"}),
                arguments("a policy typo", "kthreads: [{name: k, policy: SCHED_FIFOO, priority: 5, body: [compute: 1us]}]\n", "1:30",
                        new String[] {"unknown kthread policy 'SCHED_FIFOO' (did you mean 'fifo'?)", "normal, batch, idle, fifo or rr"}),
                arguments("a priority for SCHED_OTHER", "processes: [{name: p, priority: 5, body: [compute: 1us]}]\n", "1:33",
                        new String[] {"priority 5 is for SCHED_FIFO and SCHED_RR; SCHED_OTHER takes 0", "'policy: fifo'"}),
                arguments("an RR priority of 0", "processes: [{name: p, policy: rr, priority: 0, body: [compute: 1us]}]\n", "1:45",
                        new String[] {"SCHED_RR priority 0 is invalid", "a priority from 1 to 99"}),
                arguments("an RT priority of 100", "processes: [{name: p, policy: fifo, priority: 100, body: [compute: 1us]}]\n", "1:47",
                        new String[] {"process priority is 100, out of range", "from 0 to 99"}),
                arguments("a nice value below -20", "processes: [{name: p, nice: -21, body: [compute: 1us]}]\n", "1:29",
                        new String[] {"process nice is -21, out of range", "from -20 to 19"}),
                arguments("a CPU list beyond the machine", "machine: {cpus: 2}\nprocesses: [{name: p, cpus: \"0-2\", body: [compute: 1us]}]\n",
                        "2:29", new String[] {"process cpus '0-2' names CPU 2, out of range", "CPUs of this machine: 0..1"}),
                arguments("an empty CPU list", "kthreads: [{name: k, cpus: [], body: [compute: 1us]}]\n", "1:28",
                        new String[] {"kthread cpus names no CPU", "at least one CPU"}),
                arguments("a CPU range that ends before it starts", "processes: [{name: p, cpus: \"3-1\", body: [compute: 1us]}]\n", "1:29",
                        new String[] {"has the range 3-1, which ends before it starts"}),
                arguments("a CPU list that is not one", "processes: [{name: p, cpus: \"0;1\", body: [compute: 1us]}]\n", "1:29",
                        new String[] {"process cpus '0;1' is not a CPU list", "\"0-3,6\""}),
                arguments("a CPU outside the task's cpus", "machine: {cpus: 4}\nprocesses: [{name: p, cpu: 3, cpus: \"0-2\", body: [compute: 1us]}]\n",
                        "2:28", new String[] {"process cpu 3 is not in its cpus (0-2)"}),
                arguments("a count whose names outgrow TASK_COMM_LEN", "processes: [{name: longername, count: 100000, body: [compute: 1us]}]\n",
                        "1:20", new String[] {"with count 100000 the last task is named 'longername-99999', longer than 15 characters",
                        "a name of at most 9 characters"}),
                arguments("a count of 0", "processes: [{name: p, count: 0, body: [compute: 1us]}]\n", "1:30",
                        new String[] {"process count is 0, out of range", "from 1 to 100000"}),
                arguments("more tasks than a scenario may have",
                        "processes: [{name: p, count: 60000, body: [compute: 1us]}, {name: q, count: 60000, body: [compute: 1us]}]\n",
                        "1:77", new String[] {"more than 100000 kernel threads and processes"}),
                arguments("pids of a count beyond PID_MAX_LIMIT", "processes: [{name: p, count: 10, pid: 4194300, body: [compute: 1us]}]\n",
                        "1:39", new String[] {"pids 4194300..4194309 go beyond 4194304", "a pid up to 4194295 for 10 processes"}),
                arguments("a pid inside another count's pids",
                        "processes: [{name: p, count: 10, pid: 5000, body: [compute: 1us]}, {name: q, pid: 5009, body: [compute: 1us]}]\n",
                        "1:83", new String[] {"pid 5009 is used twice"}),
                arguments("a name a count already made", "processes: [{name: p, count: 3, body: [compute: 1us]}, {name: p-1, body: [compute: 1us]}]\n",
                        "1:63", new String[] {"a second task named 'p-1'"}),
                arguments("sched_setscheduler without policy", "processes: [{name: p, body: [sched_setscheduler: {priority: 3}]}]\n", "1:50",
                        new String[] {"missing required key 'policy' in 'sched_setscheduler'", "'policy: fifo | rr | normal | batch | idle'"}),
                arguments("a sched_setscheduler policy typo", "processes: [{name: p, body: [sched_setscheduler: {policy: fifoo, priority: 3}]}]\n",
                        "1:59", new String[] {"unknown policy 'fifoo' (did you mean 'fifo'?)"}),
                arguments("a sched_setaffinity CPU beyond CPU_SETSIZE", "processes: [{name: p, body: [sched_setaffinity: {cpus: [1024]}]}]\n",
                        "1:57", new String[] {"a CPU in sched_setaffinity cpus is 1024, out of range", "from 0 to 1023"}),
                arguments("sched_yield with an argument", "processes: [{name: p, body: [sched_yield: 1]}]\n", "1:43",
                        new String[] {"'sched_yield' takes no argument"}),
                arguments("a nice that is not a number", "processes: [{name: p, body: [nice: x]}]\n", "1:36",
                        new String[] {"nice is a string 'x'", "an integer"}),
                arguments("sched_set_normal beyond nice 19", "kthreads: [{name: k, body: [sched_set_normal: 20]}]\n", "1:47",
                        new String[] {"sched_set_normal is 20, out of range", "from -20 to 19"}),
                arguments("sched_set_fifo in user mode", "processes: [{name: p, body: [sched_set_fifo]}]\n", "1:30",
                        new String[] {"'sched_set_fifo' is kernel code", "sched_setscheduler, sched_setattr, nice, sched_setaffinity, sched_yield"}),
                arguments("sched_setscheduler in a kernel thread", "kthreads: [{name: k, body: [sched_setscheduler: {policy: fifo, priority: 1}]}]\n",
                        "1:29", new String[] {"'sched_setscheduler' is made by user processes, not in a kernel thread", "sched_set_fifo"}),
                // Texts reach the terminal through reports: escape sequences are refused, not printed.
                arguments("a terminal escape in a printk text", "kthreads: [{name: w, body: [printk: \"hi\\e]0;x\\a\"]}]\n",
                        "1:37", new String[] {"printk contains the control character U+001B", "expected printable text"}),
                arguments("a line separator in the description", "description: \"a\\Lb\"\n", "1:14",
                        new String[] {"description contains the control character U+2028"}),
                // and where the error quotes the input, the control characters are shown escaped
                arguments("an escape sequence in an operation name", "kthreads: [{name: w, body: [\"spin\\e[2J\": L]}]\n",
                        "1:29", new String[] {"unknown operation 'spin\\u001B[2J'"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("exits 2 with one located line saying what is wrong and what was expected")
    void badInput(String label, String yaml, String lineCol, String[] fragments) throws IOException {
        Path f = dir.resolve(label.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("check", f.toString());
        assertEquals(2, r.code(), "bad input exits 2; stderr: " + r.err());
        String err = r.err();
        assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "exactly one line: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        assertTrue(err.startsWith(f + ":" + lineCol + ": "), "located at " + lineCol + ": " + err);
        assertTrue(err.contains("; expected "), "says what was expected: " + err);
        for (String frag : fragments) {
            assertTrue(err.contains(frag), "mentions '" + frag + "': " + err);
        }
        assertEquals("", r.out(), "nothing on stdout");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("gives kctx run the same single line")
    void badInputRun(String label, String yaml, String lineCol, String[] fragments) throws IOException {
        Path f = dir.resolve("run-" + label.replaceAll("[^a-z0-9]+", "-") + ".yaml");
        Files.writeString(f, yaml);
        Kctx.Result r = Kctx.run("run", f.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(f + ":" + lineCol + ": ") && r.err().split("\n").length == 1, r.err());
    }
}
