/** Character devices (fs/char_dev.c): the seed's cdev_example module, major numbers, device nodes. */
package dev.kctx.mechanisms.chardev;
