/**
 * sysfs (fs/sysfs, lib/kobject.c): kobject directories and their attributes, one value per file,
 * show() into one page, store() of at most PAGE_SIZE-1 bytes, modes fixed by the attribute.
 */
package dev.kctx.mechanisms.sysfs;
