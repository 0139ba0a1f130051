-- An order's leverage (paper venue with paper.margin), so a restart restores a resting margin entry,
-- its stop and its target at the leverage they were sent with rather than at 1, which would silently
-- change the position's risk. Rows written before it read as leverage 1, as they did before.
ALTER TABLE orders ADD COLUMN leverage NUMERIC NOT NULL DEFAULT 1;
