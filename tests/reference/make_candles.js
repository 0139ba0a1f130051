// Writes the committed fixture tests/data/candles_reference.csv: 500 synthetic 1-minute candles
// from a seeded generator (mulberry32), so anyone can regenerate the identical file:
//   node tests/reference/make_candles.js > tests/data/candles_reference.csv
// Four regimes (up trend, down trend, range, volatile rally) exercise every indicator, and the series
// crosses a UTC midnight (bar 240) so the session VWAP resets once.
'use strict';

function mulberry32(seed) {
  return function () {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(20240309);
const start = Date.UTC(2024, 2, 9, 20, 0, 0) / 1000;
const lines = ['timestamp,open,high,low,close,volume'];
let price = 60000;
for (let i = 0; i < 500; i++) {
  let drift = 0, vol = 0.0012;
  if (i < 120) drift = 0.0004;
  else if (i < 240) drift = -0.0005;
  else if (i < 360) drift = (60000 - price) / price * 0.05;  // mean reverting range
  else { drift = 0.0006; vol = 0.0025; }
  const open = price;
  const close = open * (1 + drift + vol * (random() * 2 - 1));
  const high = Math.max(open, close) * (1 + vol * random() * 0.8);
  const low = Math.min(open, close) * (1 - vol * random() * 0.8);
  const volume = 0.5 + random() * 4 + (i >= 360 ? random() * 6 : 0);
  const fix = (v, d) => v.toFixed(d);
  lines.push([start + i * 60, fix(open, 2), fix(high, 2), fix(low, 2), fix(close, 2), fix(volume, 4)].join(','));
  price = Number(fix(close, 2));
}
process.stdout.write(lines.join('\n') + '\n');
