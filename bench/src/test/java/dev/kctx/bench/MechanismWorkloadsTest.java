package dev.kctx.bench;

import com.typesafe.config.ConfigFactory;
import dev.kctx.actors.RunResult;
import dev.kctx.actors.Simulation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The mechanism benchmarks' machines do the operation they are named after, every time. */
class MechanismWorkloadsTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    @DisplayName("every generic-netlink request gets the kernel's answer, then its ACK")
    void genetlinkRoundTrips() {
        RunResult r = Simulation.run(MechanismWorkloads.genetlinkEcho(7), SECOND, false, ConfigFactory.load());
        assertEquals(Collections.nCopies(7, MechanismWorkloads.ECHO_OK),
                r.console().stream().filter(l -> l.startsWith("echo")).toList(), "seven round trips: " + r.console());
    }

    @Test
    @DisplayName("every open/read/close of the char device returns what was written to it")
    void chardevReads() {
        RunResult r = Simulation.run(MechanismWorkloads.chardevRead(5), SECOND, false, ConfigFactory.load());
        assertEquals(Collections.nCopies(5, MechanismWorkloads.CDEV_TEXT),
                r.console().stream().filter(l -> l.equals(MechanismWorkloads.CDEV_TEXT) || l.startsWith("read")).toList(),
                "five reads: " + r.console());
    }
}
