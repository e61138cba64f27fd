package dev.kctx.mechanisms.vfs;

/** An open file description (struct file): the node, the flags it was opened with, the position and driver data. */
public final class OpenFile {
    private final Vfs.Node node;
    private final int flags;
    private final FileOps fops;
    private long pos;
    private Object privateData;
    private int refs = 1;
    /** The module a character device's cdev pins while the file is open (cdev_get), besides fops.owner. */
    String cdevOwner;

    OpenFile(Vfs.Node node, int flags, FileOps fops) {
        this.node = node;
        this.flags = flags;
        this.fops = fops;
    }

    public Vfs.Node node() {
        return node;
    }

    public int flags() {
        return flags;
    }

    public FileOps fops() {
        return fops;
    }

    public long pos() {
        return pos;
    }

    public void setPos(long p) {
        pos = p;
    }

    public boolean nonblocking() {
        return (flags & OpenFlags.O_NONBLOCK) != 0;
    }

    public boolean readable() {
        return OpenFlags.readable(flags);
    }

    public boolean writable() {
        return OpenFlags.writable(flags);
    }

    /** file->private_data. */
    public Object privateData() {
        return privateData;
    }

    public void setPrivateData(Object data) {
        privateData = data;
    }

    int refs() {
        return refs;
    }

    void ref() {
        refs++;
    }

    int unref() {
        return --refs;
    }
}
