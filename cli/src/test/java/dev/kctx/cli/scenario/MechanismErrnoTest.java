package dev.kctx.cli.scenario;

import dev.kctx.cli.Kctx;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every failure a scenario can cause in a mechanism is the errno the kernel returns, never an
 * engine exception (issue 21): each user program and shell command of the built-in modules runs
 * against missing files, absent directories, unloaded modules and descriptors that failed to
 * open, and the run goes on to its end with the C library's messages on the console.
 */
@DisplayName("Mechanism failures are errnos")
class MechanismErrnoTest {

    @TempDir
    Path dir;

    static final String SESSION = """
            name: mechanisms-missing
            modules:
              - builtin: mmap_kernel
              - builtin: nlexample
              - builtin: gnkernel
              - builtin: kudp
              - builtin: signal_kernel
              - builtin: syscall_example
              - builtin: cdev_ioctl
              - builtin: upcall_example
            processes:
              - name: sh
                pid: 4242
                body:
                  - sh: "cat /proc/nothere"
                  - sh: "head -n 3 /nothere"
                  - sh: "wc -c /nothere"
                  - sh: "dd if=/nothere status=none"
                  - sh: "ls /nodir/"
                  - sh: "echo x > /nodir/file"
                  - sh: "echo x >> /tmp/nodir/file"
                  - sh: "mkdir /nodir/sub"
                  - sh: "rmdir /nothere"
                  - sh: "exec 3< /nothere"
                  - sh: "exec 3<&-"
                  - sh: "exec 7> /nodir/f"
                  - sh: "mknod /nodir/dev c 1 1"
                  - sh: "sysctl -w nothere.key=1"
                  - sh: "rmmod mmap_kernel"
                  - sh: "insmod nothere.ko"
                  - sh: "./mmap_user"
                  - sh: "./mmap_notify"
                  - sh: "./mmap_beyond"
                  - sh: "./mmap_unmapped"
                  - sh: "./nlsend hello"
                  - sh: "./nlmcast hello"
                  - sh: "./nlflood 3"
                  - sh: "./gnuser"
                  - sh: "./udpsink 2"
                  - sh: "./signal_user"
                  - sh: "./signal_burst"
                  - sh: "./hello_syscall -n x hi"
                  - sh: "./ioctl_user /dev/nothere"
                  - sh: "echo 1 /sbin/kctx_helper > /sys/kernel/debug/upcall_example"
                  - sh: "insmod mmap_kernel.ko"
                  - sh: "rmmod mmap_kernel"
                  - sh: "rmmod mmap_kernel"
                  - sh: "cat /sys/kernel/debug/mmap_example"
                  - sh: "echo done"
              - name: client
                pid: 4300
                body:
                  - sh: "./udpecho hi"
            run: {until: 60ms}
            """;

    @Test
    @DisplayName("missing files, absent directories, unloaded modules and bad descriptors give errnos, and the session ends")
    void errnos() throws IOException {
        Path f = dir.resolve("missing.yaml");
        Files.writeString(f, SESSION);
        Kctx.Result r = Kctx.run("run", f.toString(), "--no-progress");
        assertFalse(r.out().contains("RUN FAILED"), "no engine failure: " + r.out());
        assertEquals(0, r.code(), r.err() + r.out());
        for (String line : new String[] {
                "cat: /proc/nothere: No such file or directory",
                "head: cannot open '/nothere' for reading: No such file or directory",
                "sh: /nodir/file: No such file or directory",
                "mkdir: cannot create directory '/nodir/sub': No such file or directory",
                "rmmod: ERROR: Module mmap_kernel is not currently loaded",
                "insmod: ERROR: could not load module nothere.ko: No such file or directory",
                "# ./mmap_user\nopen: No such file or directory",
                "# ./nlsend hello\nsendmsg: Bad file descriptor",
                "# ./nlmcast hello\nrecvmsg: Bad file descriptor",
                "# ./nlflood 3\nsetsockopt: Bad file descriptor",
                "# ./hello_syscall -n x hi\nsyscall(0, \"hi\", 2) = -1",
                "sh: /sys/kernel/debug/upcall_example: Permission denied",
                "cat: /sys/kernel/debug/mmap_example: No such file or directory",
                "# echo done\ndone"}) {
            assertTrue(r.out().contains(line), "the console shows '" + line + "':\n" + r.out());
        }
    }

    @Test
    @DisplayName("a declared helper whose log is in a missing directory: open gets ENOENT, write and close EBADF, the run goes on")
    void helperLogInMissingDirectory() throws IOException {
        Path f = dir.resolve("helper.yaml");
        Files.writeString(f, """
                name: helper-log-missing-dir
                modules:
                  - name: notifier
                    helpers:
                      - {path: /sbin/kctx_notify, exit: 3, run: 100us, log: /nonexistent/dir/notify.log}
                kthreads:
                  - name: kworker_notify
                    body:
                      - call_usermodehelper: {path: /sbin/kctx_notify, argv: [add, eth0], wait: UMH_WAIT_PROC}
                      - call_usermodehelper: {path: /sbin/kctx_notify, argv: [remove, eth0], wait: UMH_WAIT_PROC}
                run: {until: 5ms}
                expect:
                  clean: true
                  dmesg_contains:
                    - "kthread kworker_notify: call_usermodehelper(/sbin/kctx_notify, UMH_WAIT_PROC) = 768 (exit status 3)"
                """);
        Path out = dir.resolve("out");
        Kctx.Result r = Kctx.run("run", f.toString(), "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err() + r.out());
        assertFalse(r.out().contains("RUN FAILED") || r.out().contains("IllegalStateException"), r.out());
        String trace = Files.readString(out.resolve("trace.txt"));
        // openat (2) fails with ENOENT as path_openat does for a missing directory; write (1) and close (3) on fd -1: EBADF.
        assertTrue(trace.contains("sys_exit: NR 2 = -2"), "open: ENOENT\n" + trace);
        assertTrue(trace.contains("sys_exit: NR 1 = -9"), "write: EBADF");
        assertTrue(trace.contains("sys_exit: NR 3 = -9"), "close: EBADF");
        assertEquals(2, r.out().lines().filter(l -> l.matches("\\d+ +kctx_notify +process X +exit 3")).count(),
                "both helpers ran to their exit: " + r.out());
    }
}
