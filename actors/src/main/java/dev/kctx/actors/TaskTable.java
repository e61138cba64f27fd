package dev.kctx.actors;

import dev.kctx.actors.program.KernelObjects;
import dev.kctx.actors.program.TaskInfo;

import java.util.List;

/**
 * The tasks of a run as the run left them (what ps would show at the end, plus how the dead
 * ended): {@link RunResult#atEnd(Class)} with this class as the key.
 */
public record TaskTable(List<Row> rows) {

    public TaskTable {
        rows = List.copyOf(rows);
    }

    /**
     * One task.
     *
     * @param state  R, S, D, X (exited) or N (never started)
     * @param exit   the exit code when it exited by itself, else null
     * @param signal the signal that killed it, else 0
     */
    public record Row(int pid, String comm, boolean user, char state, Integer exit, int signal) {
        /** "process" or "kthread", as the report prints it. */
        public String kind() {
            return user ? "process" : "kthread";
        }
    }

    /** The row of {@code pid}, or null. */
    public Row row(int pid) {
        return rows.stream().filter(r -> r.pid() == pid).findFirst().orElse(null);
    }

    static TaskTable of(KernelObjects k) {
        return new TaskTable(k.tasks().stream().map(TaskTable::row).toList());
    }

    private static Row row(TaskInfo t) {
        char state = t.state();
        boolean killed = state == 'X' && t.termSignal() != 0;
        Integer exit = state == 'X' && !killed ? t.exitCode() : null;
        return new Row(t.pid(), t.comm(), t.user(), state, exit, killed ? t.termSignal() : 0);
    }
}
