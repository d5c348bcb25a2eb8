package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sheet"
)

// The bulk path of an award sheet. Issue #4 asks for a million awards at
// 50,000 a second on a two-core PC; recordTx spends eight statements on
// every row. The bulk path stores the very rows recordTx would (awards,
// review items, their submit transitions, under the same keys, with the
// same rejections) but reads the village's households once, resolves the
// scheme once per day, counts caps in memory from one query per chunk, and
// writes each chunk with multi-row INSERTs under ids it reserved, so an
// award and its review item name each other without an UPDATE.

// awardChunk is how many lines are checked and written together: enough
// for a chunk's few queries (households are read once, ids reserved and
// cap counts loaded per chunk) to vanish in its work, few enough that a
// million-line sheet is never in memory at once.
var awardChunk = 10 * bulkRows

// sheetHousehold is a registered household of the sheet's village.
type sheetHousehold struct {
	id  int64
	who review.Summary // the head as the review item names them, masked
}

// capKey names one cap count: a household's awards of an item in a period.
type capKey struct {
	household    int64
	item, period string
}

// schemeDay is the scheme in force in the village on one day, with the
// version list its awards record, or why there is none.
type schemeDay struct {
	r        scheme.Resolved
	versions string
	err      error
}

// bulkLine is a line of the chunk in hand: rejected early, or an award
// waiting for its cap count.
type bulkLine struct {
	line  int
	bad   *lineFault
	in    points.AwardInput
	hh    sheetHousehold
	day   *schemeDay
	item  scheme.ResolvedItem
	per   string
	prior bool // an earlier run stored it under this key: recorded, not written again
}

// bulkAwards is the state of one sheet's bulk run.
type bulkAwards struct {
	tx         *Tx
	ctx        context.Context
	actor      *access.Actor
	sh         *awardSheet
	flow       review.Flow
	role       access.Role
	mayWrite   bool
	inactive   bool                      // the village is no longer active
	households map[string]sheetHousehold // by 户号
	prior      map[string]string         // fingerprints stored under this batch's keys
	days       map[string]*schemeDay
	counts     map[capKey]int // pending and approved awards, once loaded
	summaries  map[review.Summary]error
	lines      []bulkLine
}

// importBulk is the bulk path. The sheet is read on its own goroutine, a
// chunk ahead, so parsing overlaps writing on a two-core PC.
func (s *AwardService) importBulk(ctx context.Context, tx *Tx, a *access.Actor, sh *awardSheet, r *sheet.Reader) error {
	flow, err := s.review.flows.Get(points.AwardFlow)
	if err != nil {
		return err
	}
	reg, err := tx.region(ctx, sh.region)
	if err != nil {
		return err
	}
	w := &bulkAwards{tx: tx, ctx: ctx, actor: a, sh: sh, flow: flow, role: awardRole(a, sh.region), mayWrite: a.Can(access.PointsWrite, sh.region),
		inactive: reg.Status != region.Active, days: map[string]*schemeDay{}, counts: map[capKey]int{}, summaries: map[review.Summary]error{}}
	if tx.dialect == SQLite {
		restore, err := tx.growCache(ctx)
		if err != nil {
			return err
		}
		defer restore()
	}
	if err := w.load(); err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks, errc := readChunks(rctx, r)
	for chunk := range chunks {
		if err := w.chunk(chunk); err != nil {
			cancel()
			for range chunks {
			}
			return err
		}
	}
	return <-errc
}

// bulkCacheKB is the SQLite page cache a bulk run works with. A sheet's
// awards land all over the awards_household index, whose pages outgrow
// the connection's usual 16 MB past a few hundred thousand awards; then
// every statement spills pages to the WAL and reads them back. At a
// million awards 256 MB took a fifth off the run's CPU time next to 128
// MB, and about half next to 16 MB.
const bulkCacheKB = 256 << 10

// growCache gives the connection bulkCacheKB of page cache and returns
// the function that puts the usual size back; dirty pages stay until the
// commit writes them either way.
func (tx *Tx) growCache(ctx context.Context) (restore func(), err error) {
	var was int
	if err := tx.tx.QueryRowContext(tx.c(ctx), `PRAGMA cache_size`).Scan(&was); err != nil {
		return nil, err
	}
	if was < 0 && -was >= bulkCacheKB {
		return func() {}, nil
	}
	if _, err := tx.tx.ExecContext(tx.c(ctx), fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKB)); err != nil {
		return nil, err
	}
	return func() { tx.tx.ExecContext(tx.c(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, was)) }, nil
}

// readChunks reads the sheet's rows in chunks on a goroutine of its own.
// The error channel yields the outcome once the chunk channel is closed.
func readChunks(ctx context.Context, r *sheet.Reader) (<-chan []sheet.Row, <-chan error) {
	chunks := make(chan []sheet.Row, 1)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(chunks)
		for {
			chunk := make([]sheet.Row, 0, awardChunk)
			var err error
			for len(chunk) < awardChunk {
				var row sheet.Row
				if row, err = r.Next(); err != nil {
					break
				}
				chunk = append(chunk, row)
			}
			if len(chunk) > 0 {
				select {
				case chunks <- chunk:
				case <-ctx.Done():
					return
				}
			}
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				errc <- sheetError(err)
				return
			}
		}
	}()
	return chunks, errc
}

// load reads the village's registered households and the awards an
// earlier run stored under this batch's keys, one query each.
func (w *bulkAwards) load() error {
	tx, ctx := w.tx, w.ctx
	rows, err := tx.query(ctx, `SELECT h.number, h.id, COALESCE(r.name, ''), COALESCE(r.name_mongol, ''), COALESCE(r.birth_date, '') FROM households h LEFT JOIN residents r ON r.id = h.head_id
		WHERE h.village_code = ? AND h.status = ?`, w.sh.region, string(registry.HouseholdActive))
	if err != nil {
		return err
	}
	w.households = map[string]sheetHousehold{}
	for rows.Next() {
		var number, head, headMongol, birth string
		var h sheetHousehold
		if err := rows.Scan(&number, &h.id, &head, &headMongol, &birth); err != nil {
			rows.Close()
			return err
		}
		publicPerson(&h.who, head, headMongol, birth, tx.now)
		w.households[number] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The keys are import:<batch>:<line>; ';' follows ':', so the range
	// holds exactly this batch's keys and reads the unique index.
	prefix := "import:" + strconv.FormatInt(w.sh.batch, 10)
	w.prior, err = keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (key, fp string, err error) {
		fp, err = scanPrint(s, &key)
		return key, fp, err
	}, `SELECT idem_key, `+printCols+` FROM awards WHERE idem_key >= ? AND idem_key < ?`, prefix+":", prefix+";")
	return err
}

// chunk checks a chunk's lines in the order recordTx would, loads the cap
// counts its capped lines need, decides each line in sheet order, and
// writes the ones taken.
func (w *bulkAwards) chunk(rows []sheet.Row) error {
	w.lines = w.lines[:0]
	need := map[capKey]bool{}
	for _, row := range rows {
		l, err := w.check(row)
		if err != nil {
			return err
		}
		if l.bad == nil && !l.prior && l.item.Cap > 0 {
			k := capKey{l.in.Household, l.in.Item, l.per}
			if _, ok := w.counts[k]; !ok {
				need[k] = true
			}
		}
		w.lines = append(w.lines, l)
	}
	if err := w.loadCounts(need); err != nil {
		return err
	}
	taken := w.lines[:0]
	for _, l := range w.lines {
		w.sh.rep.Rows++
		if l.bad == nil && !l.prior {
			bad, err := w.decide(&l)
			if err != nil {
				return err
			}
			l.bad = bad
		}
		if l.bad != nil {
			w.sh.reject(l.line, l.bad)
			continue
		}
		w.sh.rep.Recorded++
		if !l.prior {
			taken = append(taken, l)
		}
	}
	return w.write(taken)
}

// check is everything recordTx checks of a line before the cap: the
// household, the date and input, the key, the permission, the village and
// the scheme's item.
func (w *bulkAwards) check(row sheet.Row) (bulkLine, error) {
	l := bulkLine{line: row.Line}
	number := w.sh.cell(row, "户号")
	hh, ok := w.households[number]
	if !ok {
		l.bad = unknownNumber(number)
		return l, nil
	}
	l.hh = hh
	if l.in, l.bad = w.sh.input(row, hh.id, w.tx.now); l.bad != nil {
		return l, nil
	}
	if fp, ok := w.prior[l.in.Key]; ok {
		if fp != awardPrint(l.in, "") {
			l.bad = &lineFault{col: "事项编码", key: "points.key_reused"}
		}
		l.prior = true
		return l, nil
	}
	var err error
	switch {
	case !w.mayWrite:
		err = fault.E(fault.NotFound, "error.not_found")
	case w.inactive:
		err = fault.E(fault.Conflict, "region.inactive")
	default:
		day := scheme.Day(l.in.Date)
		if l.day = w.days[day]; l.day == nil {
			l.day = w.resolve(l.in)
			w.days[day] = l.day
		}
		if err = l.day.err; err == nil {
			if l.item, ok = l.day.r.Item(l.in.Item); !ok {
				err = fault.OnField(fault.NotFound, "item", "scheme.item_not_found", l.in.Item)
			}
			l.per = period(l.item.CapPeriod, l.in.Date)
		}
	}
	l.bad, err = rowRejection(err)
	return l, err
}

// resolve finds the scheme in force on the day of in.
func (w *bulkAwards) resolve(in points.AwardInput) *schemeDay {
	r, err := w.tx.effectiveScheme(w.ctx, w.sh.region, in.Date)
	if err != nil {
		return &schemeDay{err: err}
	}
	return &schemeDay{r: r, versions: versionList(r)}
}

// loadCounts reads the pending and approved awards of the (household,
// item, period) combinations a chunk meets for the first time, in one
// query. Later lines of the sheet count in memory, so a sheet's own rows
// count towards a cap exactly as recordTx's one-by-one count does: a
// combination's stored rows are read before any row of this sheet joins
// them.
func (w *bulkAwards) loadCounts(need map[capKey]bool) error {
	if len(need) == 0 {
		return nil
	}
	hs, items, pers := map[int64]bool{}, map[string]bool{}, map[string]bool{}
	for k := range need {
		w.counts[k] = 0
		hs[k.household], items[k.item], pers[k.period] = true, true, true
	}
	args := make([]any, 0, len(hs)+len(items)+len(pers))
	for h := range hs {
		args = append(args, h)
	}
	for it := range items {
		args = append(args, it)
	}
	for p := range pers {
		args = append(args, p)
	}
	// The IN lists' lengths vary, so the query skips the statement cache
	// (after sending any waiting writes, as tx.query would).
	if err := w.tx.flush(w.ctx); err != nil {
		return err
	}
	rows, err := w.tx.tx.QueryContext(w.tx.c(w.ctx), rebind(w.tx.dialect, `SELECT household_id, item_code, period, count(*) FROM awards
		WHERE household_id IN `+placeholders(1, len(hs))+` AND item_code IN `+placeholders(1, len(items))+` AND period IN `+placeholders(1, len(pers))+`
		AND status IN ('pending', 'approved') AND corrects_id = 0 GROUP BY household_id, item_code, period`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k capKey
		var n int
		if err := rows.Scan(&k.household, &k.item, &k.period, &n); err != nil {
			return err
		}
		// The IN lists span combinations nobody asked for, whose counts
		// may already hold this sheet's rows: only the asked are taken.
		if need[k] {
			w.counts[k] = n
		}
	}
	return rows.Err()
}

// decide runs the scheme's checks of roles, evidence and cap on a line, and
// the review's check of its summary; a line taken counts towards its cap.
func (w *bulkAwards) decide(l *bulkLine) (*lineFault, error) {
	k := capKey{l.in.Household, l.in.Item, l.per}
	n, counted := w.counts[k]
	err := scheme.CheckAward(l.day.r, l.in.Item, w.role, evidence(l.in), n)
	if err == nil {
		sum := review.Summary{Title: l.item.Name, Person: l.hh.who.Person, PersonMongol: l.hh.who.PersonMongol, Points: int64(l.item.Points)}
		var ok bool
		if err, ok = w.summaries[sum]; !ok {
			err = sum.Validate()
			w.summaries[sum] = err
		}
	}
	if err != nil {
		return rowRejection(err)
	}
	if counted {
		w.counts[k] = n + 1
	}
	return nil, nil
}

// write stores the lines taken: their awards, review items and submit
// transitions, under ids reserved first so each award carries its item's
// id and each item its award's. What every row of a table shares (the
// village, the actor, the clock, the item's state and window) is bound
// once per statement.
func (w *bulkAwards) write(lines []bulkLine) error {
	if len(lines) == 0 {
		return nil
	}
	tx, ctx := w.tx, w.ctx
	awardIDs, err := tx.reserveIDs(ctx, "awards", len(lines))
	if err != nil {
		return err
	}
	itemIDs, err := tx.reserveIDs(ctx, "review_items", len(lines))
	if err != nil {
		return err
	}
	now := tx.nowMS()
	// The item every award becomes, less what names its award.
	all := entering(w.flow, w.actor, "award", 0, w.sh.region, review.Summary{}, 0, tx.now)
	awards := make([]any, 0, len(lines)*13)
	items := make([]any, 0, len(lines)*6)
	for i := range lines {
		l := &lines[i]
		it := entering(w.flow, w.actor, "award", awardIDs[i], w.sh.region,
			review.Summary{Title: l.item.Name, Person: l.hh.who.Person, PersonMongol: l.hh.who.PersonMongol, Points: int64(l.item.Points)}, l.day.r.NoticeDays, tx.now)
		it.ID = itemIDs[i]
		awards = append(awards, awardIDs[i], l.in.Household, l.in.Item, l.item.Aspect, l.item.Points, l.in.Evidence, l.in.Witness,
			b2i(l.in.Photo), l.day.versions, l.per, scheme.Day(l.in.Date), it.ID, l.in.Key)
		items = append(items, it.ID, it.SubjectID, it.Summary.Title, it.Summary.Person, it.Summary.PersonMongol, it.Summary.Points, it.NoticeDays)
	}
	if err := tx.insertShared(ctx, `INSERT INTO awards (channel, proxy_for, status, photo_sums,
		id, household_id, item_code, aspect, points, evidence, witness, photo, scheme_versions, period, award_date, review_id, idem_key) VALUES `,
		[]any{string(points.Batch), "", string(points.AwardPending), ""}, 13, awards); err != nil {
		return err
	}
	if err := tx.insertShared(ctx, `INSERT INTO review_items (flow, subject_kind, region_code, note, step, state, window_start, window_end, open_objections,
		submitter_id, submitter_name, created_at, updated_at, id, subject_id, title, person, person_mongol, points, notice_days) VALUES `,
		[]any{all.Flow, all.SubjectKind, all.Region, all.Summary.Note, all.Step, string(all.State), timeMS(all.WindowStart), timeMS(all.WindowEnd),
			all.OpenObjections, all.SubmitterID, all.Submitter, timeMS(all.Created), timeMS(all.Updated)}, 7, items); err != nil {
		return err
	}
	if !logsSubmission(all.State) {
		return nil
	}
	moves := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		moves[i] = id
	}
	return tx.insertShared(ctx, `INSERT INTO review_transitions (step, action, from_state, to_state, actor_id, actor_name, reason, at, item_id) VALUES `,
		[]any{all.Step, string(review.ActSubmit), "", string(all.State), all.SubmitterID, all.Submitter, "", now}, 1, moves)
}

// bulkRows is how many rows one INSERT of insertShared carries. A
// multi-row INSERT into a table with a foreign key keeps a statement
// journal of every page it changes that existed before it, and modernc's
// in-memory journal grows dear with its size: at a million awards,
// 2,000-row statements spent half the import there, 400-row ones (and
// 200-row ones, no faster) a sixth. 400 award rows bind 6,000 values, far below the
// 32,766 parameters of modernc's SQLite build and PostgreSQL's 65,535.
var bulkRows = 400

// bulkStatements keeps the text of full-size insertShared statements by
// dialect, head and shape, so a million-row import builds each once.
var bulkStatements sync.Map

// insertShared runs head (INSERT INTO t (cols) VALUES) with rows of the
// shared values, bound once as parameters 1..len(shared), followed by
// width values of each row. The parameters are numbered (?NNN on SQLite,
// $NNN on PostgreSQL) so every row can name the shared ones. A full
// statement's text is the same throughout the run and is prepared once;
// the shorter last one of a chunk runs unprepared, so its one-off text
// does not take a place among the pool's prepared statements.
func (tx *Tx) insertShared(ctx context.Context, head string, shared []any, width int, rows []any) error {
	args := make([]any, 0, len(shared)+min(len(rows), bulkRows*width))
	for len(rows) > 0 {
		n := min(len(rows)/width, bulkRows)
		var q string
		key := fmt.Sprint(tx.dialect, head, len(shared), width, n)
		if v, ok := bulkStatements.Load(key); ok {
			q = v.(string)
		} else {
			q = tx.sharedValues(head, len(shared), width, n)
			if n == bulkRows {
				bulkStatements.Store(key, q)
			}
		}
		args = append(append(args[:0], shared...), rows[:n*width]...)
		var err error
		if n == bulkRows {
			_, err = tx.exec(ctx, q, args...)
		} else if err = tx.flush(ctx); err == nil {
			tx.noteWrite(q)
			_, err = tx.tx.ExecContext(tx.c(ctx), q, args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n*width:]
	}
	return nil
}

// sharedValues is the text of an insertShared statement of n rows.
func (tx *Tx) sharedValues(head string, shared, width, n int) string {
	var b strings.Builder
	b.Grow(len(head) + n*(shared+width)*7)
	b.WriteString(head)
	next := shared + 1
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for k := range shared {
			b.WriteString(tx.param(k + 1))
			b.WriteString(", ")
		}
		for k := range width {
			if k > 0 {
				b.WriteString(", ")
			}
			if tx.dialect == Postgres {
				b.WriteString(tx.param(next))
			} else {
				// SQLite numbers a bare ? one past the highest so far;
				// naming only the shared ones keeps binding linear,
				// as modernc looks every name up in a list.
				b.WriteByte('?')
			}
			next++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// param is the placeholder of the nth parameter, for statements that name
// a parameter more than once.
func (tx *Tx) param(n int) string {
	if tx.dialect == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?" + strconv.Itoa(n)
}

// reserveIDs returns n ids for rows this transaction is about to insert
// into table with explicit ids. SQLite has one writer, this transaction,
// and gives a new row max(id)+1, so the next n past the maximum are free
// and are what row-by-row inserts would have taken. PostgreSQL's identity
// columns draw from a sequence other sessions share, so the ids come from
// that sequence, as a plain INSERT's would.
func (tx *Tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	if tx.dialect == Postgres {
		return tx.ids(ctx, `SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, CAST(? AS INTEGER))`, table, n)
	}
	var top int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(max(id), 0) FROM `+table).Scan(&top); err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = top + 1 + int64(i)
	}
	return out, nil
}

// publicPerson is how a household's head is named on the public notice:
// masked, in Chinese and, when one is recorded, in traditional script with
// as many stars, and not at all when the head is a minor.
func publicPerson(sum *review.Summary, head, headMongol, birth string, now time.Time) {
	if head == "" || registry.Minor(birth, now) {
		return
	}
	sum.Person, sum.PersonMongol = review.MaskNames(head, headMongol)
}

// scopedKey is a client's idempotency key as stored: within the caller
// and the target it names (a household "h12", a store "s3"). Keys the
// server makes itself, such as an import's rows, are stored as made.
// Migration 0022 gave the keys stored before it the same form.
func scopedKey(a *access.Actor, target, key string) string {
	uid, _ := actorRef(a)
	return strconv.FormatInt(uid, 10) + "/" + target + "/" + key
}

// awardPrint is the fingerprint of an award asked for, on every path: a
// retry under the same key must ask for the same award. It is made of
// what the award's row stores, so the row keeps no copy of it: scanPrint
// reads it back. An award with photos adds their sums (photoSums, from
// photoPrint), which the row keeps in photo_sums.
func awardPrint(in points.AwardInput, photoSums string) string {
	return printOf(in.Household, in.Item, scheme.Day(in.Date), string(in.Channel), in.ProxyFor, in.Evidence, in.Witness, evidence(in).Photo, photoSums)
}

// printOf is an award's fingerprint from its parts.
func printOf(household int64, item, day, channel, proxy, evidence, witness string, photo bool, photoSums string) string {
	fp := strconv.FormatInt(household, 10) + "|" + item + "|" + day + "|" + channel + "|" + proxy + "|" + evidence + "|" + witness + "|" + strconv.FormatBool(photo)
	if photoSums != "" {
		fp += "|photos:" + photoSums
	}
	return fp
}

// correctPrint is a correction's fingerprint: the household, the award it
// corrects and the reason, which its row holds as well.
func correctPrint(household, award int64, reason string) string {
	return fmt.Sprintf("correct:%d:%d|%s", household, award, reason)
}

// printCols are the columns of awards scanPrint reads a stored award's
// fingerprint from.
const printCols = `household_id, item_code, award_date, channel, proxy_for, evidence, witness, photo, photo_sums, corrects_id, reason`

// scanPrint scans more, then printCols, and returns the fingerprint of the
// award stored: what awardPrint (with its photos' sums) or correctPrint
// gave the request that stored it.
func scanPrint(s interface{ Scan(...any) error }, more ...any) (string, error) {
	var household, corrects int64
	var item, day, channel, proxy, ev, witness, sums, reason string
	var photo int
	if err := s.Scan(append(more, &household, &item, &day, &channel, &proxy, &ev, &witness, &photo, &sums, &corrects, &reason)...); err != nil {
		return "", err
	}
	if corrects != 0 {
		return correctPrint(household, corrects, reason), nil
	}
	return printOf(household, item, day, channel, proxy, ev, witness, photo != 0, sums), nil
}
