package dev.kctx.mechanisms;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import dev.kctx.actors.Machine;
import dev.kctx.actors.MachineSpec;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.program.Op;
import dev.kctx.actors.program.Program;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.module.Modules;
import dev.kctx.mechanisms.user.Regs;
import dev.kctx.mechanisms.shell.Shell;
import dev.kctx.mechanisms.user.Sys;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;
import dev.kctx.mechanisms.vfs.IoResult;
import dev.kctx.mechanisms.vfs.OpenFlags;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test support: a user process (pid 4242) making system calls one by one, each result recorded
 * under a label for the test to check after the run; shell commands may be mixed in. File
 * descriptors are kept by name.
 */
public final class Calls {

    /** One system call's outcome as the process saw it. */
    public record Result(String label, long ret, Errno errno, byte[] data) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private final List<Op> ops = new ArrayList<>();
    private final Map<String, Integer> fds = new ConcurrentHashMap<>();
    private final List<Result> results = new CopyOnWriteArrayList<>();

    public static Calls program() {
        return new Calls();
    }

    /** A system call whose result is recorded under {@code label}. */
    /** Records what the test reads of kernel state at this point (no system call: a look from outside). */
    public Calls peek(String label, java.util.function.ToLongFunction<FileCtx> look) {
        ops.add(Sys.act("record " + label, x -> results.add(new Result(label, look.applyAsLong(new FileCtx(x)), null, new byte[0]))));
        return this;
    }

    public Calls call(String label, String name, Function<FileCtx, IoResult> body) {
        ops.addAll(Sys.call(name, body));
        ops.add(Sys.act("record " + label, x -> {
            Regs r = Sys.regs(x);
            results.add(new Result(label, r.ret, r.errno, r.data.clone()));
        }));
        return this;
    }

    public Calls open(String fd, String path, int flags) {
        ops.addAll(Sys.call("open", c -> IoResult.Done.of(FileSyscalls.open(c, path, flags))));
        ops.add(Sys.act("record open " + fd, x -> {
            Regs r = Sys.regs(x);
            results.add(new Result("open " + fd, r.ret, r.errno, new byte[0]));
            if (!r.failed()) {
                fds.put(fd, (int) r.ret);
            }
        }));
        return this;
    }

    public Calls read(String label, String fd, int count) {
        return call(label, "read", c -> FileSyscalls.read(c, fd(fd), count));
    }

    public Calls write(String label, String fd, String data) {
        return write(label, fd, data.getBytes(StandardCharsets.UTF_8));
    }

    public Calls write(String label, String fd, byte[] data) {
        return call(label, "write", c -> FileSyscalls.write(c, fd(fd), data));
    }

    public Calls lseek(String label, String fd, long offset, int whence) {
        return call(label, "lseek", c -> IoResult.Done.of(FileSyscalls.lseek(c, fd(fd), offset, whence)));
    }

    public Calls close(String fd) {
        return call("close " + fd, "close", c -> {
            FileSyscalls.close(c, fd(fd));
            return IoResult.Done.of(0);
        });
    }

    public Calls mkdir(String label, String path) {
        return call(label, "mkdir", c -> {
            FileSyscalls.mkdir(c, path, 0755);
            return IoResult.Done.of(0);
        });
    }

    public Calls rmdir(String label, String path) {
        return call(label, "rmdir", c -> {
            FileSyscalls.rmdir(c, path);
            return IoResult.Done.of(0);
        });
    }

    /** Opens, writes {@code data} once, closes: what {@code echo -n data > path} does. */
    public Calls writeFile(String label, String path, String data) {
        open(label + "#fd", path, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC);
        return call(label, "write", c -> FileSyscalls.write(c, fd(label + "#fd"), data.getBytes(StandardCharsets.UTF_8)))
                .call(label + "#close", "close", c -> {
                    FileSyscalls.close(c, fd(label + "#fd"));
                    return IoResult.Done.of(0);
                });
    }

    public Calls shell(String command) {
        ops.add(Shell.command(command));
        return this;
    }

    private int fd(String name) {
        Integer fd = fds.get(name);
        // An fd that was never opened: EBADF at the call, as a wrong descriptor number gives.
        return fd == null ? 1023 : fd;
    }

    public Program build() {
        return new Program(ops, 1);
    }

    /** The result recorded under {@code label}; fails the test if there is none. */
    public Result result(String label) {
        for (Result r : results) {
            if (r.label().equals(label)) {
                return r;
            }
        }
        throw new AssertionError("no system call recorded as '" + label + "'; recorded: "
                + results.stream().map(Result::label).toList());
    }

    /** Asserts that {@code label} succeeded with {@code ret}. */
    public void assertRet(String label, long ret) {
        Result r = result(label);
        assertNull(r.errno(), () -> label + " succeeded, not " + r.errno());
        assertEquals(ret, r.ret(), () -> label + " returned " + ret);
    }

    /** Asserts that {@code label} failed with {@code errno}. */
    public void assertErrno(String label, Errno errno) {
        Result r = result(label);
        assertEquals(errno, r.errno(), () -> label + " failed with " + errno + " (returned " + r.ret() + ")");
        assertEquals(errno.negative(), r.ret(), () -> label + " returned -" + errno);
    }

    /** Asserts that {@code label} read exactly {@code text}. */
    public void assertRead(String label, String text) {
        Result r = result(label);
        assertNull(r.errno(), () -> label + " succeeded, not " + r.errno());
        assertEquals(text, r.text(), () -> label + " read the expected bytes");
        assertEquals(text.getBytes(StandardCharsets.UTF_8).length, r.ret(), () -> label + " returned the byte count");
    }

    /** Runs the program on a one-CPU machine with {@code modules} on disk; {@code extra} may add IRQs and the like. */
    public RunResult run(ActorTestKit kit, List<ModuleDef> modules, Consumer<MachineSpec.Builder> extra) {
        MachineSpec.Builder b = MachineSpec.builder().cpus(1).boot(Modules.class, () -> new Modules(modules))
                .process("sh", 0, 0, build(), 4242);
        extra.accept(b);
        TestProbe<Machine.Finished> probe = kit.createTestProbe();
        ActorRef<Machine.Command> m = kit.spawn(Machine.create(b.build(), true));
        m.tell(new Machine.Start(1_000_000_000L, probe.getRef()));
        RunResult r = probe.receiveMessage(Duration.ofSeconds(30)).result();
        kit.stop(m);
        assertTrue(r.failure().isEmpty(), () -> "the run completed: " + r.failure().orElse(""));
        return r;
    }

    public RunResult run(ActorTestKit kit, List<ModuleDef> modules) {
        RunResult r = run(kit, modules, b -> {
        });
        assertTrue(r.reports().isEmpty(), () -> "every callback ran in process context, clean: " + r.reports());
        return r;
    }

    /** The kernel log without timestamps. */
    public static List<String> dmesg(RunResult r) {
        return r.dmesg().stream().map(l -> l.replaceFirst("^\\[ *\\d+\\.\\d{6}\\] ", "")).toList();
    }
}
