#ifndef C_CHILD_PROCESS_H
#define C_CHILD_PROCESS_H

#include <spawn.h>

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+): the child closes every descriptor from
/// `from` up. <spawn.h> declares it only under _GNU_SOURCE, which Swift's Glibc module is built
/// without; this file is compiled with it.
int c_child_process_add_close_from(posix_spawn_file_actions_t *actions, int from);

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so no child spawned by another
/// thread in between inherits them (also a _GNU_SOURCE declaration).
int c_child_process_pipe_cloexec(int fds[2]);

#endif
