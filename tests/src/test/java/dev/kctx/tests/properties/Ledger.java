package dev.kctx.tests.properties;

import dev.kctx.mechanisms.Errno;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the generated programs saw, kept apart from the mechanisms' own counters so that the two
 * can be compared: per receiving socket owner, the datagrams its receive calls returned; per call
 * kind, the errnos the calls returned; and the datagrams a kernel input function was handed. One
 * per machine (a kernel extension); touched by one context at a time.
 */
final class Ledger {
    /** Datagrams received, by {@code mechanism pid} ("netlink 4600", "udp 4601", "genetlink 4602"). */
    final Map<String, Long> received = new TreeMap<>();
    /** Error returns, by call kind then errno ("netlink send nonblock" -> EAGAIN -> 3). */
    final Map<String, Map<Errno, Long>> errors = new TreeMap<>();
    /** Successful returns, by call kind. */
    final Map<String, Long> successes = new TreeMap<>();
    /** Messages a receiver got twice, or that no sender made: each is a bug. */
    final Map<String, Long> seen = new TreeMap<>();
    long kernelInputs;
    /** Messages the kernel senders made (their ids). */
    long kernelMade;
    /** The first few messages that reached one receiver twice. */
    final java.util.List<String> duplicates = new java.util.ArrayList<>();

    void received(String mechanism, int pid) {
        received.merge(mechanism + " " + pid, 1L, Long::sum);
    }

    void outcome(String call, Errno errno) {
        if (errno == null) {
            successes.merge(call, 1L, Long::sum);
        } else {
            errors.computeIfAbsent(call, c -> new TreeMap<>()).merge(errno, 1L, Long::sum);
        }
    }

    /** A message with this id reached this receiver; a second arrival is a duplicate. */
    void message(String receiver, String id) {
        if (seen.merge(receiver + " " + id, 1L, Long::sum) > 1 && duplicates.size() < 5) {
            duplicates.add(receiver + " " + id);
        }
    }

    long errors(String call, Errno e) {
        return errors.getOrDefault(call, Map.of()).getOrDefault(e, 0L);
    }
}
