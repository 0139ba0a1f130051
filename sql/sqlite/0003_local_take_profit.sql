-- Where a protective order lives (issue 6, spot OCO at Kraken): 'venue' for an order resting at the
-- venue, 'local' for a take-profit that TG4 holds itself until its trigger, because on spot the
-- venue locks the coins of every resting sell and would refuse a second order (stop and target) on
-- the same coins. A restart restores local targets; reconciliation does not look for them at the venue.
ALTER TABLE orders ADD COLUMN held_by TEXT NOT NULL DEFAULT 'venue';
