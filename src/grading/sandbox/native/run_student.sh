#!/bin/bash
# run_student [OPTION]... [--] COMMAND [ARG]...
#
# Runs COMMAND as the student's code, apart from the harness that calls it, in one of two ways (the
# server chooses; README, "Harness patterns"):
# - by uid (the server runs as root): run_student.c, the compiled run_student, asks the sandbox's
#   broker (broker.c) to start COMMAND as a student uid of its own, in the harness's sandbox. It has
#   no capabilities and cannot gain any; it cannot read or write the harness's /work (0700 to the
#   harness uid), its results or its output channel, nor signal or ptrace the harness. Its /work is
#   /student/N (0700 to its uid), a fresh copy of the submission plus the support files named with
#   --file, and its HOME; /tmp is shared, as on any machine (the harness's own files there are 0600:
#   its umask is 077).
# - nested: this script (run_student.c runs it when there is no broker; it is also run_student
#   itself where no C compiler was found at build time). COMMAND runs in a sandbox of its own (its
#   own user, pid, mount, network and IPC namespaces; no capabilities; no user namespaces of its
#   own), as uid 65534, whose /work is a fresh copy of the submission plus the support files named
#   with --file, and nothing else of the harness's /work. The rest of the file system is the
#   harness's, read-only; /tmp is its own.
# Either way it inherits no file descriptor but stdin, stdout and stderr, which are run_student's own
# (pipes, files, terminals and sockets are handed over as they are): the harness feeds and captures
# them, and alone writes the result. What COMMAND leaves running is killed when it ends, and its
# /work is emptied.
#
# Options:
#   --file SRC[:DEST]  copy SRC (a harness file) into the student's /work, as DEST (a relative
#                      path; default: SRC's base name). Repeatable.
#   --time SECONDS     wall-clock limit (default 10); past it the student's processes are killed, exit 124
#   --cpu SECONDS      CPU time per process (default: the wall-clock limit)
#   --memory MB        address space per process (default: none; the run's own limit applies)
#   --processes N      processes and threads at once (default 64)
#   --file-size MB     largest file it may write (default 16)
#   --env NAME=VALUE   an environment variable (PATH, HOME, LANG and TMPDIR are set)
#
# Exit status: COMMAND's; 128+N when it was killed by signal N; 124 when out of time; 125 when
# run_student itself could not start it (bad options, no sandbox).
set -u
die() { printf 'run_student: %s\n' "$1" >&2; exit 125; }

time_limit=10 cpu="" memory="" processes=64 file_size=16
files=() vars=() envs=(--setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME /work --setenv LANG C.UTF-8 --setenv TMPDIR /tmp)
number='^[0-9]+$'
while [ $# -gt 0 ]; do
  case "$1" in
    --file) [ $# -ge 2 ] || die "--file needs a value"; files+=("$2"); shift 2 ;;
    --time) [[ ${2-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--time needs seconds"; time_limit=$2; shift 2 ;;
    --cpu) [[ ${2-} =~ $number ]] || die "--cpu needs whole seconds"; cpu=$2; shift 2 ;;
    --memory) [[ ${2-} =~ $number ]] || die "--memory needs MB"; memory=$2; shift 2 ;;
    --processes) [[ ${2-} =~ $number ]] || die "--processes needs a number"; processes=$2; shift 2 ;;
    --file-size) [[ ${2-} =~ $number ]] || die "--file-size needs MB"; file_size=$2; shift 2 ;;
    --env) [[ ${2-} =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env needs NAME=VALUE"; envs+=(--setenv "${2%%=*}" "${2#*=}"); vars+=("$2"); shift 2 ;;
    --) shift; break ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || die "usage: run_student [--file SRC[:DEST]]... [--time S] [--cpu S] [--memory MB] [--processes N] [--file-size MB] [--env NAME=VALUE]... [--] COMMAND [ARG]..."
[ -n "$cpu" ] || cpu=$(( ${time_limit%.*} + 1 ))

store=${0%/bin/*}  # .assay, where the engine put this command ($0: run_student.c passes its own path)

# The student's /work: a copy of the pristine submission the engine laid out, under the harness's
# /work so the run's work dir quota covers it.
area="$store/student.$$.$RANDOM"
if [ -d "$store/submission" ]; then
  cp -a -- "$store/submission" "$area" || die "cannot copy the submission"
else
  mkdir -p -- "$area" || die "cannot create the student's directory"
fi
trap 'rm -rf -- "$area"' EXIT
for spec in ${files[@]+"${files[@]}"}; do
  src=${spec%%:*}
  if [ "$src" = "$spec" ]; then dest=${src##*/}; else dest=${spec#*:}; fi
  case "/$dest/" in */../*|*/./*|//*) die "--file $spec: DEST must be a relative path" ;; esac
  [ -f "$src" ] || die "--file $spec: no such file"
  if [ "${dest%/*}" != "$dest" ]; then mkdir -p -- "$area/${dest%/*}" || die "cannot create ${dest%/*}"; fi
  rm -f -- "$area/$dest" && cp -- "$src" "$area/$dest" || die "cannot copy $src"
done

# Nothing of the harness's open files reaches the student: only 0, 1 and 2 stay open.
for f in /proc/$$/fd/*; do
  fd=${f##*/}
  if [[ $fd =~ $number ]] && [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
done

# Limits only go down: a value above the harness's own hard limit fails to set, and that one stays.
lower() { ulimit -S "$1" "$2" 2>/dev/null; ulimit -H "$1" "$2" 2>/dev/null; return 0; }
lower -t "$cpu"; lower -f $((file_size * 1024)); ulimit -c 0
if [ -n "$memory" ]; then lower -v $((memory * 1024)); fi
# RLIMIT_NPROC counts the processes of uid 65534 of the harness's sandbox, the student's included:
# what is running now (all of them are the harness's) plus the student's share (and timeout, bwrap).
running=(/proc/[0-9]*)
lower -u $((processes + ${#running[@]} + 2))

# The harness's view, read-only, with its /work, /tmp, /proc and /dev replaced by the student's own.
timeout -k 1 "$time_limit" bwrap \
  --unshare-all --unshare-user --disable-userns --die-with-parent --new-session \
  --hostname sandbox --uid 65534 --gid 65534 --cap-drop ALL \
  --clearenv "${envs[@]}" \
  --ro-bind / / \
  --proc /proc --dev /dev \
  --size $((file_size * 1024 * 1024)) --tmpfs /tmp \
  --bind "$area" /work \
  --chdir /work \
  -- "$@"
status=$?
exit "$status"
