# The broker: the main process of a harness's sandbox when separation is by uid (sandbox.ts), run by
# bash -c with arguments: FIRST_STUDENT_UID SLOTS -- HARNESS_COMMAND...
#
# It runs as the harness's uid (65534) with only CAP_SETUID, CAP_SETGID and CAP_SETPCAP (bwrap
# --cap-add). It starts a dispatcher in the background and becomes the harness, as the same uid with
# no capabilities at all and no way back (setpriv); the dispatcher serves the harness's run_student
# requests: each starts the student's command as a
# student uid of its own (FIRST_STUDENT_UID + slot), with no capabilities, no_new_privs and its
# limits, in /student/SLOT, a copy of /submission (the submission, read-only) and of the --file files.
# The harness's /work and /work/.assay/broker (where requests arrive) are 0700 to the harness uid, so
# the student cannot read them or send requests; a different uid with no capabilities, it cannot
# signal or ptrace the harness or the broker either (the broker's capabilities keep the harness from
# ptracing it). When the command ends, every process of its uid is killed (kill -1 as that uid), its
# area is emptied and filled again for the next request.
#
# A request: run_student writes its fields (NUL-separated) to .assay/broker/req.PID and the line PID
# to the FIFO .assay/broker/requests. Fields: version, the paths the student's stdin, stdout and
# stderr are opened from (/proc/PID/fd/N: run_student's own descriptors, or pipes it pumps when one
# is a socket; /dev/null), the reply path, time, cpu, memory (MB or empty), processes, file size
# (MB), the number of NAME=VALUE variables and them, the number of files and their SRC DEST pairs,
# then the command. The reply: a line `started`, then a line `STATUS [MESSAGE]`.
set -u
first_uid=$1 slots=$2
shift 3
dir=/work/.assay/broker
number='^[0-9]+$'
[ -p "$dir/requests" ] && [ -p "$dir/idle" ] || exit 125

drop() { # drop UID COMMAND...: run COMMAND as UID, with nothing to gain back
  local uid=$1
  shift
  setpriv --reuid "$uid" --regid "$uid" --clear-groups --inh-caps=-all --ambient-caps=-all --bounding-set=-all --nnp -- "$@"
}

# Empties a student area and fills it with the submission again, as its student uid (after killing
# whatever that uid still runs). Runs in the background of the handler that used the area.
refill() {
  local slot=$1
  drop $((first_uid + slot)) /bin/bash --norc --noprofile -c '
    kill -KILL -1 2>/dev/null
    shopt -s dotglob nullglob
    rm -rf -- "$1"/* 2>/dev/null || { chmod -R u+rwx -- "$1"/* 2>/dev/null; rm -rf -- "$1"/*; }
    if [ -d /submission ]; then cp -R -- /submission/. "$1"/; fi' refill "/student/$slot" </dev/null >/dev/null 2>&1
  if [ $? = 0 ]; then printf 'clean\n' >"$dir/state.$slot"; else printf 'used\n' >"$dir/state.$slot"; fi
}

leftovers() { # leftovers UID: whether a process of UID is still there
  local f line parts
  for f in /proc/[0-9]*/status; do
    while read -r line; do
      if [[ $line = Uid:* ]]; then
        parts=($line)
        [ "${parts[1]}" = "$1" ] && return 0
        break
      fi
    done <"$f" 2>/dev/null
  done
  return 1
}

lower() { ulimit -S "$1" "$2" 2>/dev/null; ulimit -H "$1" "$2" 2>/dev/null; return 0; }

handle() { # handle PID SLOT
  local pid=$1 slot=$2 r reply uid area i
  uid=$((first_uid + slot)) area=/student/$slot
  exec 2>/dev/null # (bash's own messages, "Killed"…: the student's stderr is its own)
  mapfile -d '' -t r <"$dir/req.$pid" || return
  reply=${r[4]-}
  [[ $reply =~ ^/proc/$pid/fd/[0-9]+$ ]] || return
  exec 9>>"$reply" || return
  fail() { printf 'started\n125 %s\n' "$1" >&9; exit 0; }
  [ "${#r[@]}" -ge 12 ] && [ "${r[0]}" = 1 ] || fail 'bad request'
  local time=${r[5]} cpu=${r[6]} memory=${r[7]} processes=${r[8]} file_size=${r[9]}
  [[ $time =~ ^[0-9]+(\.[0-9]+)?$ && $cpu =~ $number && $processes =~ $number && $file_size =~ $number ]] || fail 'bad limits'
  [ -z "$memory" ] || [[ $memory =~ $number ]] || fail 'bad limits'
  local n_env=${r[10]} at=11
  [[ $n_env =~ $number ]] || fail 'bad request'
  local envs=("${r[@]:at:n_env}")
  at=$((at + n_env))
  local n_files=${r[at]-x}
  [[ $n_files =~ $number ]] || fail 'bad request'
  local files=("${r[@]:at+1:2*n_files}")
  at=$((at + 1 + 2 * n_files))
  local argv=("${r[@]:at}")
  [ "${#argv[@]}" -gt 0 ] || fail 'no command'

  local state=
  read -r state <"$dir/state.$slot"
  if [ "$state" != clean ]; then refill "$slot"; fi
  printf 'used\n' >"$dir/state.$slot"
  # The harness's files for the student: copies it may read (and replace), as the harness wrote them.
  for ((i = 0; i < ${#files[@]}; i += 2)); do
    case "/${files[i + 1]}/" in */../* | */./* | //*) fail "--file ${files[i]}: DEST must be a relative path" ;; esac
    install -D -m 0644 -- "${files[i]}" "$area/${files[i + 1]}" 2>/dev/null || fail "cannot copy ${files[i]}"
  done
  local stdin=${r[1]} stdout=${r[2]} stderr=${r[3]} p
  for p in "$stdin" "$stdout" "$stderr"; do
    [[ $p =~ ^/proc/$pid/fd/[0-9]+$ || $p = /dev/null ]] || fail 'bad request'
  done
  { exec 3<"$stdin" 4>>"$stdout" 5>>"$stderr"; } 2>/dev/null || fail 'cannot open the standard streams'
  (
      exec 0<&3 1>&4 2>&5
      # Only 0, 1 and 2 stay open.
      for f in /proc/$BASHPID/fd/*; do
        f=${f##*/}
        if [[ $f =~ $number ]] && [ "$f" -gt 2 ]; then eval "exec $f>&-"; fi
      done
      cd "$area" || exit 125
      # Limits only go down: one above the run's own hard limit fails to set, and that one stays.
      lower -t "$cpu"; lower -f $((file_size * 1024)); ulimit -c 0
      if [ -n "$memory" ]; then lower -v $((memory * 1024)); fi
      # RLIMIT_NPROC counts the processes of this uid, which is the student's alone.
      lower -u "$processes"
      for v in $(compgen -e); do unset "$v"; done
      export PATH=/usr/local/bin:/usr/bin:/bin HOME="$area" LANG=C.UTF-8 TMPDIR=/tmp
      for v in ${envs[@]+"${envs[@]}"}; do export "$v"; done
      umask 022
      exec setpriv --reuid "$uid" --regid "$uid" --clear-groups --inh-caps=-all --ambient-caps=-all --bounding-set=-all --nnp -- "${argv[@]}"
  ) &
  local child=$!
  exec 3<&- 4>&- 5>&-
  printf 'started\n' >&9
  # The wall-clock limit: nothing is ever written to fd 6, so read waits for the whole time.
  printf 'no\n' >"$dir/timeout.$slot"
  (
    exec 9>&- 7<&- 3<&- 4>&- 5>&-
    read -r -t "$time" -u 6
    printf 'yes\n' >"$dir/timeout.$slot"
    drop "$uid" /bin/kill -KILL -1 </dev/null >/dev/null 2>&1
  ) &
  local timer=$! status timed_out
  wait "$child"
  status=$?
  kill "$timer" 2>/dev/null
  read -r timed_out <"$dir/timeout.$slot"
  if [ "$timed_out" = yes ]; then status=124; fi
  # What the command left running is killed before the answer (looked for without an exec).
  if leftovers "$uid"; then drop "$uid" /bin/kill -KILL -1 </dev/null >/dev/null 2>&1; fi
  printf '%s\n' "$status" >&9
  exec 9>&-
  # The area is emptied and filled again behind the answer, a moment later: a harness that ends
  # right after its last run_student never pays for it. The student's files are on a file system
  # of their own (work-dirs.ts): however full, the harness still has room for its results meanwhile.
  read -r -t 0.05 -u 6
  refill "$slot"
}

# fd 6: nothing is ever written to the FIFO `idle`, so `read -t` on it waits for its whole time.
exec 6<>"$dir/idle" 7<>"$dir/requests"
# The first area comes filled (sandbox.ts); the others are filled when first used.
for ((s = 1; s < slots; s++)); do printf 'used\n' >"$dir/state.$s"; done

# The dispatcher: each request gets a free slot (its uid and area) and a handler of its own.
(
  declare -a busy=()
  while read -r pid <&7; do
    [[ $pid =~ $number ]] || continue
    while :; do
      for ((s = 0; s < slots; s++)); do
        if [ -z "${busy[s]-}" ] || ! kill -0 "${busy[s]}" 2>/dev/null; then break 2; fi
      done
      read -r -t 0.02 -u 6
    done
    handle "$pid" "$s" &
    busy[s]=$!
  done
) &

# This process becomes the harness: the run's main process, this uid, no capabilities (none to gain
# back), files its own only (umask 077). The dispatcher goes on as its child, out of its reach.
exec 6<&- 7<&-
umask 077
exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all --nnp -- "$@"
