/**
 * kernfs (fs/kernfs): the attribute files sysfs is built of, whose show fills one page and whose
 * store takes a page at most ({@link dev.kctx.mechanisms.kernfs.SysfsAttribute}). It sits on the
 * VFS and knows nothing of what uses it: sysfs's kobjects and the module loader's /sys/module.
 */
package dev.kctx.mechanisms.kernfs;
