-- Transactions reads (issue 4): a customer's month, its first page and its totals per product,
-- come from this index alone, without a visit to the table per row (ten times fewer page
-- reads on a 10M-row table; docs/PERFORMANCE.md). It replaces the narrower index of 0001,
-- whose leading columns it keeps for the keyset paging by (date, id).
DROP INDEX transactions_customer_date;
CREATE INDEX transactions_customer_date ON transactions
    (customer_id, date, id, product_id, collection_point_id, cost_centre_id, destination,
     quantity, amount_cents);
