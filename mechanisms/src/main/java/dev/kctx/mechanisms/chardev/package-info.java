/**
 * Character devices (fs/char_dev.c): the seed's cdev_example module; the calls a module makes to
 * reserve device numbers and map a cdev onto them ({@link dev.kctx.mechanisms.chardev.Chrdev});
 * and cdev_wait, whose read sleeps on a wait queue until write() or its interrupt handler fills
 * the FIFO (EAGAIN with O_NONBLOCK). The number table itself is
 * {@link dev.kctx.mechanisms.vfs.CharDevices}.
 */
package dev.kctx.mechanisms.chardev;
