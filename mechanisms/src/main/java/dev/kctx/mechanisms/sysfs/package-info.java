/**
 * sysfs (fs/sysfs, lib/kobject.c): kobject directories and their attributes, one value per file,
 * show() into one page, store() of at most PAGE_SIZE bytes per write (the rest in the next), modes fixed by the attribute.
 */
package dev.kctx.mechanisms.sysfs;
