// Times technicalindicators computing the full reference set (every column of reference.js) bar by
// bar over a candles CSV repeated N times, as bench/indicators_bench.cpp does with IndicatorSet:
//   node tests/reference/bench.js tests/data/candles_reference.csv 200
// Prints bars, seconds and bars/s as one JSON line.
'use strict';
const { readCandles, createStream } = require('./reference.js');

const candles = readCandles(process.argv[2]);
const repeats = Number(process.argv[3] || 200);
// Each repetition continues in time, so the session VWAP sees new days as it would live.
const span = candles[candles.length - 1].time - candles[0].time + 60;
const next = createStream();
let sink = 0;
const start = process.hrtime.bigint();
for (let r = 0; r < repeats; r++) {
  const shift = r * span;
  for (const c of candles) {
    const row = next({ ...c, time: c.time + shift });
    if (row.ema_9 !== undefined) sink += row.ema_9;
  }
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const bars = repeats * candles.length;
process.stdout.write(JSON.stringify({ library: 'technicalindicators@3.1.0', bars, seconds,
  bars_per_second: Math.round(bars / seconds), checksum: sink > 0 }) + '\n');
