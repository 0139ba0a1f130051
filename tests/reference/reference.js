// Reference indicator series for a candles CSV (timestamp,open,high,low,close,volume; Unix seconds),
// computed with the npm `technicalindicators` package pinned in package-lock.json. Writes a CSV on
// stdout with the `tg4 indicators` column names (plus keltner_*, donchian_* and squeeze); an empty
// cell means the reference has no value for that bar. Where technicalindicators' definition differs
// from ours, or it lacks an indicator, the script composes its primitives as documented per column
// here and in docs/INDICATORS.md. Run: node reference.js ../data/candles_reference.csv
'use strict';
const fs = require('fs');
const ti = require('technicalindicators');

function readCandles(path) {
  const rows = fs.readFileSync(path, 'utf8').trim().split('\n').slice(1);
  return rows.map((line) => {
    const [t, o, h, l, c, v] = line.split(',');
    return { time: Number(t), open: Number(o), high: Number(h), low: Number(l), close: Number(c), volume: Number(v) };
  });
}

// technicalindicators' RSI rounds to 2 decimals; ours does not, so RSI is rebuilt from its Wilder
// AverageGain/AverageLoss (unrounded) with RSI = 100 - 100 / (1 + gain / loss).
function rsiStream(period) {
  const gain = new ti.AverageGain({ period, values: [] });
  const loss = new ti.AverageLoss({ period, values: [] });
  return (close) => {
    const g = gain.nextValue(close);
    const l = loss.nextValue(close);
    if (g === undefined || l === undefined) return undefined;
    if (l === 0) return g === 0 ? 50 : 100;
    return 100 - 100 / (1 + g / l);
  };
}

// Supertrend (TradingView ta.supertrend on hl2) is not in technicalindicators: written here from its
// definition, on technicalindicators' ATR, independently of the C++ code.
function supertrendStream(period, mult) {
  const atr = new ti.ATR({ period, high: [], low: [], close: [] });
  let prev = null;  // {upper, lower, dir, close}
  return (bar) => {
    const a = atr.nextValue({ high: bar.high, low: bar.low, close: bar.close });
    if (a === undefined) return undefined;
    const hl2 = (bar.high + bar.low) / 2;
    let upper = hl2 + mult * a;
    let lower = hl2 - mult * a;
    let dir;
    if (prev === null) {
      dir = -1;
    } else {
      if (!(upper < prev.upper || prev.close > prev.upper)) upper = prev.upper;
      if (!(lower > prev.lower || prev.close < prev.lower)) lower = prev.lower;
      dir = prev.dir === 1 ? (bar.close < lower ? -1 : 1) : (bar.close > upper ? 1 : -1);
    }
    prev = { upper, lower, dir, close: bar.close };
    return { line: dir === 1 ? lower : upper, dir };
  };
}

const columns = ['ema_9', 'ema_21', 'ema_50', 'ema_200', 'sma_20', 'sma_50', 'sma_200', 'rsi_14',
    'macd_line', 'macd_signal', 'macd_hist', 'atr_14', 'adx_14', 'plus_di_14', 'minus_di_14',
    'bb_upper', 'bb_middle', 'bb_lower', 'bb_width', 'bb_percent_b', 'obv', 'chop_14', 'supertrend',
    'supertrend_dir', 'stochrsi_k', 'stochrsi_d', 'roc_10', 'vwap', 'volume_sma_20', 'volume_ratio',
    'keltner_upper', 'keltner_middle', 'keltner_lower', 'donchian_upper', 'donchian_middle',
    'donchian_lower', 'squeeze'];

// One streaming set of every reference indicator: returns a function from a candle to its row
// ({column: value}, undefined while warming up).
function createStream() {
  const ema = {}, sma = {};
  for (const p of [9, 21, 50, 200]) ema[p] = new ti.EMA({ period: p, values: [] });
  for (const p of [20, 50, 200]) sma[p] = new ti.SMA({ period: p, values: [] });
  const rsi = rsiStream(14);
  const macd = new ti.MACD({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, values: [],
    SimpleMAOscillator: false, SimpleMASignal: false });
  const atr = new ti.ATR({ period: 14, high: [], low: [], close: [] });
  const adx = new ti.ADX({ period: 14, high: [], low: [], close: [] });
  const bb = new ti.BollingerBands({ period: 20, stdDev: 2, values: [] });
  const obv = new ti.OBV({ close: [], volume: [] });
  // Choppiness: 100 * log10(Sum(TR, 14) / (Highest(high, 14) - Lowest(low, 14))) / log10(14), over
  // the bars that have a true range (from the second bar), with technicalindicators' primitives.
  const chopTr = new ti.TrueRange({ high: [], low: [], close: [] });
  const chopSum = new ti.Sum({ period: 14, values: [] });
  const chopHigh = new ti.Highest({ period: 14, values: [] });
  const chopLow = new ti.Lowest({ period: 14, values: [] });
  const supertrend = supertrendStream(10, 3);
  // Stochastic RSI 14/14/3/3 from technicalindicators' Stochastic (on the unrounded RSI as high, low
  // and close) and SMA: k = SMA3 of the raw stochastic, d = SMA3 of k.
  const stoch = new ti.Stochastic({ period: 14, signalPeriod: 3, high: [], low: [], close: [] });
  const stochD = new ti.SMA({ period: 3, values: [] });
  const stochRsi = rsiStream(14);
  const roc = new ti.ROC({ period: 10, values: [] });
  let vwap = null, vwapDay = null;  // a fresh technicalindicators VWAP per UTC day
  const volSma = new ti.SMA({ period: 20, values: [] });
  const keltner = new ti.KeltnerChannels({ maPeriod: 20, atrPeriod: 10, multiplier: 2, useSMA: false,
    high: [], low: [], close: [] });
  const squeezeKeltner = new ti.KeltnerChannels({ maPeriod: 20, atrPeriod: 20, multiplier: 1.5,
    useSMA: false, high: [], low: [], close: [] });
  const donHigh = new ti.Highest({ period: 20, values: [] });
  const donLow = new ti.Lowest({ period: 20, values: [] });

  return (c) => {
    const hlc = { high: c.high, low: c.low, close: c.close };
    const row = {};
    for (const p of [9, 21, 50, 200]) row[`ema_${p}`] = ema[p].nextValue(c.close);
    for (const p of [20, 50, 200]) row[`sma_${p}`] = sma[p].nextValue(c.close);
    row.rsi_14 = rsi(c.close);
    const m = macd.nextValue(c.close);
    if (m) { row.macd_line = m.MACD; row.macd_signal = m.signal; row.macd_hist = m.histogram; }
    row.atr_14 = atr.nextValue(hlc);
    const a = adx.nextValue(hlc);
    if (a) { row.adx_14 = a.adx; row.plus_di_14 = a.pdi; row.minus_di_14 = a.mdi; }
    const b = bb.nextValue(c.close);
    if (b) {
      row.bb_upper = b.upper; row.bb_middle = b.middle; row.bb_lower = b.lower;
      row.bb_width = (b.upper - b.lower) / b.middle; row.bb_percent_b = b.pb;
    }
    row.obv = obv.nextValue({ close: c.close, volume: c.volume });
    const tr = chopTr.nextValue(hlc);
    if (tr !== undefined) {
      const s = chopSum.nextValue(tr), h = chopHigh.nextValue(c.high), l = chopLow.nextValue(c.low);
      if (s !== undefined) row.chop_14 = 100 * Math.log10(s / (h - l)) / Math.log10(14);
    }
    const st = supertrend(c);
    if (st) { row.supertrend = st.line; row.supertrend_dir = st.dir; }
    const r = stochRsi(c.close);
    if (r !== undefined) {
      const s = stoch.nextValue({ high: r, low: r, close: r });
      if (s && s.d !== undefined) {
        row.stochrsi_k = s.d;
        row.stochrsi_d = stochD.nextValue(s.d);
      }
    }
    row.roc_10 = roc.nextValue(c.close);
    const day = Math.floor(c.time / 86400);
    if (day !== vwapDay) { vwapDay = day; vwap = new ti.VWAP({ high: [], low: [], close: [], volume: [] }); }
    row.vwap = vwap.nextValue({ ...hlc, volume: c.volume });
    row.volume_sma_20 = volSma.nextValue(c.volume);
    if (row.volume_sma_20) row.volume_ratio = c.volume / row.volume_sma_20;
    const k = keltner.nextValue(hlc);
    if (k) { row.keltner_upper = k.upper; row.keltner_middle = k.middle; row.keltner_lower = k.lower; }
    const dh = donHigh.nextValue(c.high), dl = donLow.nextValue(c.low);
    if (dh !== undefined) { row.donchian_upper = dh; row.donchian_lower = dl; row.donchian_middle = (dh + dl) / 2; }
    const sk = squeezeKeltner.nextValue(hlc);
    if (b && sk) row.squeeze = b.upper < sk.upper && b.lower > sk.lower ? 1 : 0;
    return row;
  };
}

function main() {
  const candles = readCandles(process.argv[2]);
  const next = createStream();
  const out = [['timestamp', ...columns].join(',')];
  for (const c of candles) {
    const row = next(c);
    const cells = columns.map((name) => (row[name] === undefined || Number.isNaN(row[name]) ? '' : String(row[name])));
    out.push([c.time, ...cells].join(','));
  }
  process.stdout.write(out.join('\n') + '\n');
}

module.exports = { readCandles, createStream, columns };
if (require.main === module) main();
