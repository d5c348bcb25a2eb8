-- Two indexes no query reads (issue 18 item 4). stock_moves_goods and
-- redemption_lines_goods each cost a randomly placed page for every line
-- of every redemption: a quarter of the pages a group of redemptions
-- wrote, and 24 % more redemptions a second without them. The stock
-- report reads moves by store (stock_moves_store), a household's limits
-- read lines through their redemption (the primary key), and the checks
-- that summed moves by goods now sum them all at once, grouped. Goods are
-- never deleted, so the foreign keys need no index on the child side.
DROP INDEX stock_moves_goods;
DROP INDEX redemption_lines_goods;
