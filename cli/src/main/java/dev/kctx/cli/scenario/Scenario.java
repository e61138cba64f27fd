package dev.kctx.cli.scenario;

import dev.kctx.actors.MachineSpec;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded scenario: the machine to run, for how long, what the run must show, and what the
 * outputs need to name things the trace only numbers.
 *
 * @param name         the scenario's name (its {@code name:} or the file name)
 * @param description  free text, may be empty
 * @param spec         the machine
 * @param untilNs      virtual time to run
 * @param expect       the expectations, when the file has an {@code expect:} block
 * @param processes    the names of user processes (everything else that runs is kernel code)
 * @param syscalls     system call names by number, for the calls the scenario makes
 */
public record Scenario(String name, String description, MachineSpec spec, long untilNs, Optional<Expect> expect,
                       Set<String> processes, Map<Integer, String> syscalls) {

    public Scenario {
        processes = Set.copyOf(processes);
        syscalls = Map.copyOf(syscalls);
    }

    /** The same scenario with another seed and/or end time (command-line overrides). */
    public Scenario with(Long seed, Long until) {
        MachineSpec s = spec;
        if (seed != null) {
            s = s.withSeed(seed);
        }
        return new Scenario(name, description, s, until != null ? until : untilNs, expect, processes, syscalls);
    }
}
