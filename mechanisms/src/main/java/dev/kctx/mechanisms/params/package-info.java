/**
 * Module parameters (kernel/params.c, include/linux/moduleparam.h): the seed's printvma module,
 * whose pid_mem parameter is set at insmod and, depending on its permission, shown and changed
 * under /sys/module/printvma/parameters. The loader itself is in {@link dev.kctx.mechanisms.module}.
 */
package dev.kctx.mechanisms.params;
