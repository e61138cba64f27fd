package dev.kctx.mechanisms.mmap;

import dev.kctx.mechanisms.procfs.ProcFs;
import dev.kctx.mechanisms.procfs.SeqFile;
import dev.kctx.mechanisms.procfs.SeqOperations;
import dev.kctx.mechanisms.vfs.FileCtx;
import dev.kctx.mechanisms.vfs.FileSyscalls;

import java.util.List;

/**
 * /proc/PID/maps (fs/proc/task_mmu.c proc_pid_maps_op): a seq_file with one record per area of
 * the process's address space, in address order, each printed by show_map_vma
 * ({@link Mm#mapsLine}). Each batch takes the areas as they are at its start (m_start finds the
 * area at the saved position).
 */
final class ProcPidMaps implements SeqOperations<VmArea> {
    private final int pid;

    private ProcPidMaps(int pid) {
        this.pid = pid;
    }

    static void create(FileCtx c, int pid) {
        ProcFs.createPidFile(FileSyscalls.vfs(c), pid, "maps", () -> new ProcPidMaps(pid));
    }

    static void remove(FileCtx c, int pid) {
        ProcFs.removePid(FileSyscalls.vfs(c), pid);
    }

    private List<VmArea> areas(SeqFile<VmArea> m) {
        Mm mm = Mm.Table.of(m.ctx().kernel()).get(pid);
        return mm == null ? List.of() : mm.areas();
    }

    @Override
    public VmArea start(SeqFile<VmArea> m, long pos) {
        List<VmArea> a = areas(m);
        return pos < a.size() ? a.get((int) pos) : null;
    }

    @Override
    public VmArea next(SeqFile<VmArea> m, VmArea v, long pos) {
        return start(m, pos + 1);
    }

    @Override
    public int show(SeqFile<VmArea> m, VmArea v) {
        Mm mm = Mm.Table.of(m.ctx().kernel()).get(pid);
        m.puts(mm.mapsLine(v) + "\n");
        return 0;
    }
}
