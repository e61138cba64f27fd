/** sysfs attributes (fs/sysfs/file.c): one value per file, show() into one page, store() of at most PAGE_SIZE-1 bytes. */
package dev.kctx.mechanisms.sysfs;
