#!/bin/bash
# Runs the same backtests with two tg4 binaries (or one binary with and without --no-shortcuts) and
# diffs every output file: a change meant to be faster, not different, must print "identical".
#   bench/backtest_identity/compare.sh OLD_TG4 NEW_TG4
#   bench/backtest_identity/compare.sh TG4            (default run vs --no-shortcuts)
# NEW_EXTRA_YAML: YAML appended to every config of the new binary's runs, to compare with a binary
# that predates a behaviour the key turns off, e.g.
#   NEW_EXTRA_YAML=$'agents:\n  regime_detection: false\n' compare.sh OLD_TG4 NEW_TG4
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
old=$(realpath "$1")
new=$(realpath "${2:-$1}")
extra_old=""
[ $# -eq 1 ] && extra_old="--no-shortcuts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Away from the source tree: its config/tg4.yaml (the default --config) may name keys an older
# binary does not know.
cd "$work"
if [ -n "${NEW_EXTRA_YAML:-}" ]; then
  # The new binary behind a wrapper that merges the YAML into its --config (or gives it alone).
  printf '%s' "$NEW_EXTRA_YAML" > "$work/extra.yaml"
  {
    echo '#!/bin/bash'
    echo 'args=(); cfg=""'
    echo 'while [ $# -gt 0 ]; do'
    echo '  if [ "$1" = "--config" ]; then cfg=$2; shift 2; continue; fi'
    echo '  args+=("$1"); shift'
    echo 'done'
    echo "merged=\$(mktemp \"$work/merged.XXXXXX.yaml\")"
    echo '[ -n "$cfg" ] && cat "$cfg" > "$merged"'
    echo "cat \"$work/extra.yaml\" >> \"\$merged\""
    echo "exec \"$new\" --config \"\$merged\" \"\${args[@]}\""
  } > "$work/new_tg4"
  chmod +x "$work/new_tg4"
  new="$work/new_tg4"
fi
python3 "$here/make_candles.py" 40000 1 > "$work/c1.csv"
printf 'paper:\n  margin: true\n' > "$work/margin.yaml"
# Limits tight enough that the loss and drawdown breakers and the volatility watch all act.
# The volatility watch on nearly every bar: its cool-downs change a third of the entries.
printf 'risk:\n  volatility_spike_atr_multiple: 1.05\n' > "$work/spiky.yaml"
printf 'risk:\n  daily_loss_limit_pct: 0.3\n  weekly_loss_limit_pct: 1\n  max_drawdown_pct: 2\n  volatility_spike_atr_multiple: 1.5\n' > "$work/tight.yaml"
# Trailing stops that move: over three days (an older binary walked every trail ever
# opened on each trade, and took minutes over the whole series).
printf 'execution:\n  trailing_stop: true\n  trailing_activation_pct: 0.1\n  trailing_distance_pct: 0.2\n' > "$work/trail.yaml"
sample="$root/tests/data/kraken_sim_sample.jsonl"

run_all() {  # binary outdir [flag]
  local t=$1 out=$2 flag=${3:-}
  local b="backtest --quiet $flag --data $work/c1.csv"
  mkdir -p "$out"
  # Log lines start with the wall-clock time of the run: only the rest is compared.
  run() {
    local name=$1; shift
    $t "$@" --out "$out/$name" 2>&1 | sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z //' > "$out/$name.log"
    echo "$name rc=${PIPESTATUS[0]}" >> "$out/rc.txt"
  }
  run ema $b --strategy ema_cross
  run ema_fast $b --strategy ema_cross --param fast=5 --param slow=13 --param confidence=1
  run ema_lat0 $b --strategy ema_cross --param confidence=1 --latency-ms 0 --fee-taker-pct 0.1 --slippage-bps 3
  run rsi $b --strategy rsi_reversion
  run boll $b --strategy bollinger_breakout
  run super $b --strategy supertrend_follow
  run grid $b --strategy grid
  run ema_tf5 $b --strategy ema_cross --param timeframe=5 --param confidence=1
  run short --config "$work/margin.yaml" $b --strategy ema_cross --param allow_short=true --param confidence=1
  run tight --config "$work/tight.yaml" $b --strategy ema_cross --param fast=5 --param slow=13 --param confidence=1 --param size_pct=20 --param risk_pct=2
  run spiky --config "$work/spiky.yaml" $b --strategy ema_cross --param fast=5 --param slow=13 --param confidence=1
  run window $b --strategy ema_cross --param confidence=1 --from 2024-01-05 --to 2024-01-20
  run trail --config "$work/trail.yaml" $b --strategy ema_cross --param confidence=1 --to 2024-01-04
  run trail_lat0 --config "$work/trail.yaml" $b --strategy ema_cross --param confidence=1 --latency-ms 0 --to 2024-01-04
  run frames backtest --quiet $flag --data "$sample" --strategy ema_cross --param fast=2 --param slow=3 --param confidence=1
  run sweep $b --strategy ema_cross --param confidence=1 --sweep fast=5:9:2 --sweep slow=20,30 --jobs 2
  run walk $b --strategy ema_cross --param confidence=1 --sweep fast=5,9 --walk-forward train=10d,test=5d --jobs 2
}

run_all "$old" "$work/a" "$extra_old"
run_all "$new" "$work/b"
if diff -r "$work/a" "$work/b"; then
  echo "identical: $(wc -l < "$work/a/rc.txt") runs ($(grep -c 'rc=0' "$work/a/rc.txt") succeeded)"
else
  echo "DIFFERENT"
  exit 1
fi
