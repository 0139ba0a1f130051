-- What a restart needs to continue an account exactly (issue 6 "restart reconciliation"):
-- an order's role in its protective group and the plan of its stop and target, and the portfolio
-- (balances, positions with average cost, realised PnL, fees) persisted with the risk state.
ALTER TABLE orders ADD COLUMN role TEXT NOT NULL DEFAULT 'entry';
ALTER TABLE orders ADD COLUMN group_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN plan_stop_loss TEXT NOT NULL DEFAULT '0';
ALTER TABLE orders ADD COLUMN plan_take_profit TEXT NOT NULL DEFAULT '0';
ALTER TABLE risk_state ADD COLUMN portfolio_json TEXT NOT NULL DEFAULT '';
