/*
 * What run_student (run_student.c) and the broker (broker.c) say to each other over the broker's
 * Unix socket (/work/.assay/broker/socket, in a directory only the harness's uid may enter).
 *
 * A request: MAGIC (4 bytes), the payload's length (uint32, host order), then the payload: fields
 * ending in NUL: time (seconds, may have a fraction), cpu (whole seconds), memory (MB, or empty),
 * processes, file size (MB), the number of NAME=VALUE variables and them, the number N of --file
 * copies and their N destinations (relative paths), then the command and its arguments. The first
 * bytes come with SCM_RIGHTS: run_student's stdin, stdout and stderr, then the N --file sources,
 * opened by run_student (so the broker never opens a path of the harness's).
 * The answer: one line, `STATUS` or `STATUS MESSAGE` (MESSAGE: why run_student could not run it).
 */
#ifndef ASSAY_PROTOCOL_H
#define ASSAY_PROTOCOL_H

#define ASSAY_MAGIC "AR01"
/* A request's payload at most (the command line, the variables, the destinations). */
#define ASSAY_MAX_PAYLOAD (8u << 20)
/* SCM_RIGHTS carries 253 descriptors at most: 3 streams and 250 files. */
#define ASSAY_MAX_FILES 250
/* Student uids (and areas /student/N) of one harness run. */
#define ASSAY_MAX_SLOTS 64

#endif
