-- Points under an open correction are held: spending may not take a
-- balance below what the household's pending corrections will take back,
-- so a correction's reversal can always post when its notice ends. The
-- spending paths sum those corrections on every debit; this partial index
-- holds only the few open ones, so the sum is one probe of a tiny index.
CREATE INDEX awards_open_corrections ON awards(household_id) WHERE corrects_id <> 0 AND status = 'pending';
