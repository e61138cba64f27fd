package dev.kctx.mechanisms.procfs;

import dev.kctx.mechanisms.module.ModuleCtx;
import dev.kctx.mechanisms.module.ModuleDef;
import dev.kctx.mechanisms.vfs.FileCtx;

import java.util.List;

/**
 * A module with both procfs styles: /proc/procfs_simple formats 200 lines of 30 bytes (6000
 * bytes) into one page, so a reader sees only the first 4096; /proc/procfs_seq iterates 250
 * records of 20 bytes through a seq_file, so a reader sees all 5000, in pieces.
 */
public final class ProcfsExample {
    public static final String NAME = "procfs_example";
    public static final int SIMPLE_LINES = 200;
    public static final int SEQ_RECORDS = 250;

    private ProcfsExample() {
    }

    public static ModuleDef module() {
        return new ModuleDef(NAME, List.of(), ProcfsExample::init, m -> m.printk(NAME + ": removed /proc entries"));
    }

    private static int init(ModuleCtx m) {
        if (ProcFs.create(m, "procfs_simple", 0444, ProcfsExample::simpleShow, null) == null
                || ProcFs.createSeq(m, "procfs_seq", 0444, new Records()) == null) {
            return -12; // -ENOMEM, as modules answer a NULL proc_create
        }
        m.printk(NAME + ": /proc/procfs_simple: " + SIMPLE_LINES + " lines formatted into one page");
        m.printk(NAME + ": /proc/procfs_seq: " + SEQ_RECORDS + " records through seq_file");
        return 0;
    }

    /** Each line is 30 bytes: "line 000: simple entry output\n". */
    static String simpleShow(FileCtx c) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SIMPLE_LINES; i++) {
            sb.append(String.format(java.util.Locale.ROOT, "line %03d: simple entry output\n", i));
        }
        return sb.toString();
    }

    /** 250 records of 20 bytes: "000 seq_file record\n". */
    static final class Records implements SeqOperations<Integer> {
        public Integer start(SeqFile<Integer> m, long pos) {
            return pos < SEQ_RECORDS ? (int) pos : null;
        }

        public Integer next(SeqFile<Integer> m, Integer v, long pos) {
            return v + 1 < SEQ_RECORDS ? v + 1 : null;
        }

        public int show(SeqFile<Integer> m, Integer v) {
            m.printf("%03d seq_file record\n", v);
            return 0;
        }
    }
}
