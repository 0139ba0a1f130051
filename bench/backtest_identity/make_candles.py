#!/usr/bin/env python3
"""Writes N one-minute candles of a seeded Gaussian walk around 30000 (a zero-volume candle every 997),
the data of BENCHMARKS.md "Backtest" end-to-end rows and of compare.sh:
    python3 make_candles.py 200000 11 > c200k.csv"""
import random
import sys


def main() -> None:
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    random.seed(seed)
    price, start = 30000.0, 1704067200  # 2024-01-01T00:00:00Z
    print("timestamp,open,high,low,close,volume")
    for i in range(count):
        open_ = price
        close = max(100.0, open_ + random.gauss(0, 25))
        high = max(open_, close) + abs(random.gauss(0, 10))
        low = min(open_, close) - abs(random.gauss(0, 10))
        volume = 0.0 if i % 997 == 0 else abs(random.gauss(2, 1))
        print(f"{start + 60 * i},{open_:.2f},{high:.2f},{low:.2f},{close:.2f},{volume:.4f}")
        price = close


if __name__ == "__main__":
    main()
