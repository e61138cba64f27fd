/**
 * ioctl (include/uapi/asm-generic/ioctl.h): command numbers with their direction, type, number
 * and size fields ({@link dev.kctx.mechanisms.IoctlCmd}), and the cdev example extended
 * with one command of each kind and the user program that calls them.
 */
package dev.kctx.mechanisms.ioctl;
