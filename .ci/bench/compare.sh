#!/usr/bin/env bash
# hsemu serve against the npm OAuth mock oauth2-mock-server 8.2.3, through the same wrk
# scenarios, back to back on this machine. Prints one Markdown table (as in issue 12) and the
# ratios hsemu / peer.
#
#   bash .ci/bench/compare.sh                                       # 32 connections, 10 s each
#   BENCH_DURATION=3s BENCH_CONNECTIONS=8 bash .ci/bench/compare.sh  # a quick run
#
# Env: BENCH_DURATION (wrk -d, default 10s), BENCH_CONNECTIONS (wrk -c, default 32),
# BENCH_THREADS (wrk -t, default 2), BENCH_STARTS (starts timed per server, median, default 5),
# BENCH_TARGETS (the servers, default "ephemeral state peer"; a cell of one left out is blank),
# BENCH_HSEMU (an hsemu binary to measure instead of building this tree: to compare two builds).
# Takes about 6 × BENCH_DURATION plus half a minute. Not part of .ci/run (too slow, and its numbers
# depend on the machine); run it by hand and record the table in the README.
#
# Installs what it needs itself: wrk (apt), Node and npm (apt), oauth2-mock-server from
# .ci/bench/package-lock.json (npm ci; node_modules is never committed). Builds hsemu from this
# tree. Everything listens on 127.0.0.1 on free ports, and everything started is stopped on exit.
#
# Servers, each started afresh for each scenario (a fresh state file for the default mode):
#   hsemu serve --ephemeral --auto-approve      state in memory only
#   hsemu serve --auto-approve --state FILE     the default: every change saved before the answer
#   oauth2-mock-server -a 127.0.0.1 -p PORT     its /authorize redirects at once with a code
# Measures:
#   start to first 200     spawn until GET /_hsemu/health (hsemu) or
#                          /.well-known/openid-configuration (peer) answers 200 (launch.mjs)
#   flows/s                flow.lua: authorize (302, code from Location) then POST of that code
#                          to the token endpoint (/oauth/v3/token; the peer's /token), a fresh
#                          code per flow; counts token answers 200 with an access_token
#   authorize req/s        authorize.lua: GET authorize answered 302 with a code
#   peak RSS               VmHWM of the server process after the authorize run
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=.ci/bench

DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
STARTS=${BENCH_STARTS:-5}
TARGETS=${BENCH_TARGETS:-ephemeral state peer}

export PATH="/usr/local/go/bin:${HOME}/go/bin:${PATH}"

# --- tools
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v wrk >/dev/null 2>&1 || apt_install wrk
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
command -v go >/dev/null 2>&1 || { echo "bench: Go is not installed (hsemu needs Go 1.26)" >&2; exit 1; }
npm ci --prefix "$bench" --no-audit --no-fund --loglevel=error >/dev/null
peer_cli="$bench/node_modules/oauth2-mock-server/dist/oauth2-mock-server.mjs"
[ -f "$peer_cli" ] || { echo "bench: $peer_cli is missing after npm ci" >&2; exit 1; }

tmp=$(mktemp -d)
running=() # PIDs of servers started and not yet stopped

gone() { # PID: the process has exited (a zombie counts: the servers are orphans, and this
  # machine's init may take seconds to reap them)
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
  case ${st%% *} in "" | Z | X) return 0 ;; esac
  return 1
}
wait_gone() { # PID SECONDS
  local i
  for ((i = 0; i < $2 * 50; i++)); do
    gone "$1" && return 0
    sleep 0.02
  done
  return 1
}
stop() { # PID: SIGTERM, then SIGKILL after 5 s
  kill -TERM "$1" 2>/dev/null || return 0
  wait_gone "$1" 5 || {
    kill -KILL "$1" 2>/dev/null || true
    wait_gone "$1" 5 || true
  }
}
cleanup() {
  local pid
  for pid in "${running[@]}"; do
    stop "$pid"
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "${BENCH_HSEMU:-}" ]; then
  cp "$BENCH_HSEMU" "$tmp/hsemu"
  hsemu_version=$BENCH_HSEMU
else
  echo "bench: building hsemu" >&2
  go build -o "$tmp/hsemu" ./cmd/hsemu
  hsemu_version=$(git describe --always --dirty 2>/dev/null || echo unknown)
fi

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# --- the servers
client_id=6a3f1c2e-0b4d-4e8f-9a7c-5d2b1e0f3c4a
client_secret=bench-secret-7c41d2e9b8a6
redirect=http://localhost:3000/oauth-callback
redirect_q=http%3A%2F%2Flocalhost%3A3000%2Foauth-callback

# Per target: the command (with PORT and DIR placeholders), health path, authorize path, token
# path, token body without the code.
target_cmd() { # TARGET PORT DIR
  case $1 in
    ephemeral) echo "$tmp/hsemu serve --addr 127.0.0.1:$2 --ephemeral --auto-approve --client-id $client_id --client-secret $client_secret --redirect-url $redirect" ;;
    state) echo "$tmp/hsemu serve --addr 127.0.0.1:$2 --state $3/state.json --auto-approve --client-id $client_id --client-secret $client_secret --redirect-url $redirect" ;;
    peer) echo "node $peer_cli -a 127.0.0.1 -p $2" ;;
  esac
}
health_path() {
  case $1 in
    peer) echo /.well-known/openid-configuration ;;
    *) echo /_hsemu/health ;;
  esac
}
authorize_path() {
  case $1 in
    peer) echo "/authorize?response_type=code&client_id=$client_id&redirect_uri=$redirect_q&scope=openid&state=bench" ;;
    *) echo "/oauth/authorize?client_id=$client_id&redirect_uri=$redirect_q&scope=oauth%20crm.objects.contacts.read&state=bench" ;;
  esac
}
token_path() {
  case $1 in
    peer) echo /token ;;
    *) echo /oauth/v3/token ;;
  esac
}
token_body_prefix() {
  echo "grant_type=authorization_code&client_id=$client_id&client_secret=$client_secret&redirect_uri=$redirect_q&code="
}

# start TARGET: starts the server afresh; sets pid, port, dir, startup_ms.
start() {
  port=$(free_port)
  dir=$(mktemp -d "$tmp/$1.XXXX")
  local out
  # shellcheck disable=SC2046 # the command is split on spaces on purpose
  out=$(node "$bench/launch.mjs" "http://127.0.0.1:$port$(health_path "$1")" "$dir/server.log" -- $(target_cmd "$1" "$port" "$dir")) || {
    cat "$dir/server.log" >&2
    exit 1
  }
  pid=${out% *}
  startup_ms=${out#* }
  running+=("$pid")
}
finish() { # stops the server started last
  stop "$pid"
  local p rest=()
  for p in "${running[@]}"; do
    [ "$p" = "$pid" ] || rest+=("$p")
  done
  running=("${rest[@]}")
}

run_wrk() { # SCRIPT ARGS...: wrk against the server started last; prints its BENCH line
  local script=$1
  shift
  local out
  out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" -s "$bench/$script" "http://127.0.0.1:$port" -- "$@" 2>&1) || {
    echo "$out" >&2
    exit 1
  }
  grep '^BENCH ' <<<"$out" || {
    echo "$out" >&2
    exit 1
  }
}
field() { # LINE NAME: the value of NAME=value in LINE
  sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A START FLOWS AUTHZ RSS NOTE
for t in $TARGETS; do
  echo "bench: $t: $STARTS starts" >&2
  times=()
  for _ in $(seq "$STARTS"); do
    start "$t"
    times+=("$startup_ms")
    finish
  done
  START[$t]=$(printf '%s\n' "${times[@]}" | median)

  echo "bench: $t: flows, $CONNECTIONS connections, $DURATION" >&2
  start "$t"
  line=$(run_wrk flow.lua "$(authorize_path "$t")" "$(token_path "$t")" "$(token_body_prefix)")
  flows=$(field "$line" flows)
  seconds=$(field "$line" seconds)
  FLOWS[$t]=$(awk -v n="$flows" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  [ "$flows" -gt 0 ] || { echo "bench: $t: no flow completed: $line" >&2; cat "$dir/server.log" >&2; exit 1; }
  note="flows: $line"
  if [ "$t" = state ]; then
    note+="; state file after: $(awk -v b="$(stat -c %s "$dir/state.json")" 'BEGIN { printf "%.1f MB", b / 1e6 }')"
  fi
  finish

  echo "bench: $t: authorize, $CONNECTIONS connections, $DURATION" >&2
  start "$t"
  line=$(run_wrk authorize.lua "$(authorize_path "$t")")
  authz=$(field "$line" authorizes)
  seconds=$(field "$line" seconds)
  AUTHZ[$t]=$(awk -v n="$authz" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
  [ "$authz" -gt 0 ] || { echo "bench: $t: no authorize answered 302 with a code: $line" >&2; cat "$dir/server.log" >&2; exit 1; }
  RSS[$t]=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  NOTE[$t]="$note; authorize: $line"
  finish
done

# --- the table
num() { # thousands separators
  awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s); print s }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf (a / b >= 10 ? "%.0f×" : "%.2f×"), a / b }'; }

echo
echo "hsemu $hsemu_version vs oauth2-mock-server 8.2.3; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo '| | hsemu `serve --ephemeral` | hsemu `serve` (default: state file) | oauth2-mock-server |'
echo '|---|---|---|---|'
echo "| start to first 200 | ${START[ephemeral]:-} ms | ${START[state]:-} ms | ${START[peer]:-} ms |"
echo "| authorize → code → token, flows/s | $(num "${FLOWS[ephemeral]:-}") | $(num "${FLOWS[state]:-}") | $(num "${FLOWS[peer]:-}") |"
echo "| authorize (302 with a code), req/s | $(num "${AUTHZ[ephemeral]:-}") | $(num "${AUTHZ[state]:-}") | $(num "${AUTHZ[peer]:-}") |"
echo "| peak RSS during authorize | ${RSS[ephemeral]:-} MiB | ${RSS[state]:-} MiB | ${RSS[peer]:-} MiB |"
echo
echo '| hsemu / oauth2-mock-server | `serve --ephemeral` | `serve` (state file) |'
echo '|---|---|---|'
echo "| start to first 200 (lower is better) | $(ratio "${START[ephemeral]:-}" "${START[peer]:-}") | $(ratio "${START[state]:-}" "${START[peer]:-}") |"
echo "| flows/s (higher is better) | $(ratio "${FLOWS[ephemeral]:-}" "${FLOWS[peer]:-}") | $(ratio "${FLOWS[state]:-}" "${FLOWS[peer]:-}") |"
echo "| authorize req/s (higher is better) | $(ratio "${AUTHZ[ephemeral]:-}" "${AUTHZ[peer]:-}") | $(ratio "${AUTHZ[state]:-}" "${AUTHZ[peer]:-}") |"
echo "| peak RSS during authorize (lower is better) | $(ratio "${RSS[ephemeral]:-}" "${RSS[peer]:-}") | $(ratio "${RSS[state]:-}" "${RSS[peer]:-}") |"
echo
for t in $TARGETS; do
  echo "$t: ${NOTE[$t]}"
done
