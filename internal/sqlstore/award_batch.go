package sqlstore

import (
	"context"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
)

// Awards that reach SQLite's single writer together are recorded with
// shared statements (issue #18): recordTx spends nine or ten statements
// and a savepoint pair on each, and the writer, the one serial part of
// the write path, was the limit. A batch reads the households, villages
// and earlier awards under the keys of all its awards in one query each,
// checks every award on its own in the order the writer took them, exactly
// as recordTx would, and writes the ones taken with one multi-row INSERT
// per table under ids it reserved, so an award and its review item name
// each other without an UPDATE. The audit rows of a village's awards
// chain with one move of its head (auditEach), each naming its own
// caller's request and actor.

// awardCall is one Record call waiting in the writer's queue.
type awardCall struct {
	ctx context.Context
	a   *access.Actor
	in  points.AwardInput // prepared: normalised, dated, valid and keyed
	fp  string
	out *points.AwardRecord
}

// batchHousehold is what recordTx's first read learns of a household.
type batchHousehold struct {
	village, status, villageStatus string
	head, headMongol, birth        string
}

// batchPrior is an award stored earlier under a key.
type batchPrior struct {
	id int64
	fp string
}

// awardTaken is an award of the batch that passed every check.
type awardTaken struct {
	call    int
	item    scheme.ResolvedItem
	r       scheme.Resolved
	per     string
	sum     review.Summary
	flow    review.Flow
	village string
}

// awardBatcher runs Record calls together; serve makes an award service
// for the web and one for the API over the same store and review engine,
// and their calls batch together since the batcher compares by value.
type awardBatcher struct{ s AwardService }

func (b awardBatcher) runBatch(tx *Tx, jobs []*groupJob) ([]error, error) {
	calls := make([]*awardCall, len(jobs))
	for i, j := range jobs {
		calls[i] = j.call.(*awardCall)
	}
	return b.s.recordBatch(jobs[0].ctx, tx, calls)
}

// recordBatch records calls in tx and returns each one's outcome, the one
// recordTx would give it run alone in the same order; the error of its
// own is an unexpected failure of the shared statements.
func (s *AwardService) recordBatch(ctx context.Context, tx *Tx, calls []*awardCall) ([]error, error) {
	hs, err := batchHouseholds(ctx, tx, calls)
	if err != nil {
		return nil, err
	}
	prior, err := batchPriors(ctx, tx, calls)
	if err != nil {
		return nil, err
	}
	// The cap counts the batch needs, read in one query before any award
	// of the batch joins them, then counted on in memory.
	counts := &bulkAwards{tx: tx, ctx: ctx, counts: map[capKey]int{}}
	need := map[capKey]bool{}
	for _, c := range calls {
		h, ok := hs[c.in.Household]
		if !ok {
			continue
		}
		if _, ok := prior[c.in.Key]; ok {
			continue
		}
		r, err := tx.effectiveScheme(ctx, h.village, c.in.Date)
		if err != nil {
			continue // the call meets the error again below
		}
		if it, ok := r.Item(c.in.Item); ok && it.Cap > 0 {
			need[capKey{c.in.Household, c.in.Item, period(it.CapPeriod, c.in.Date)}] = true
		}
	}
	if err := counts.loadCounts(need); err != nil {
		return nil, err
	}
	outs := make([]error, len(calls))
	var taken []awardTaken
	byKey := map[string]int{}  // a key taken in this batch → its place in taken
	replays := map[int]int64{} // a call → the stored award it replays
	copies := map[int]int{}    // a call → the award of this batch it replays
	for i, c := range calls {
		h, found := hs[c.in.Household]
		if found {
			// An earlier award under the key: stored before, or taken
			// earlier in this batch, as recordTx would find it stored.
			if p, ok := prior[c.in.Key]; ok {
				if p.fp == c.fp {
					replays[i] = p.id
				} else {
					outs[i] = fault.OnField(fault.Conflict, "key", "points.key_reused")
				}
				continue
			}
			if n, ok := byKey[c.in.Key]; ok {
				if calls[taken[n].call].fp == c.fp {
					copies[i] = n
				} else {
					outs[i] = fault.OnField(fault.Conflict, "key", "points.key_reused")
				}
				continue
			}
		}
		t, err := s.checkBatched(ctx, tx, c, h, found, counts.counts)
		if err != nil {
			outs[i] = err
			continue
		}
		t.call = i
		byKey[c.in.Key] = len(taken)
		taken = append(taken, t)
	}
	records, err := s.writeBatch(ctx, tx, calls, taken)
	if err != nil {
		return nil, err
	}
	for n, t := range taken {
		calls[t.call].out = records[n]
	}
	for i, n := range copies {
		w := *records[n]
		calls[i].out = &w
	}
	for i, id := range replays {
		if calls[i].out, err = tx.award(ctx, id); err != nil {
			return nil, err
		}
	}
	return outs, nil
}

// checkBatched is recordTx's checks of a call whose key holds no award,
// in recordTx's order; an award it takes counts towards its cap.
func (s *AwardService) checkBatched(ctx context.Context, tx *Tx, c *awardCall, h batchHousehold, found bool, counts map[capKey]int) (awardTaken, error) {
	in, a := c.in, c.a
	r, it, per, err := tx.checkAward(ctx, a, in, h, found, func(per string) (int, error) {
		return counts[capKey{in.Household, in.Item, per}], nil
	})
	if err != nil {
		return awardTaken{}, err
	}
	sum := review.Summary{Title: it.Name, Points: int64(it.Points)}
	publicPerson(&sum, h.head, h.headMongol, h.birth, tx.now)
	// submitNew's checks need no id but a valid one: the award's own is
	// reserved only once the batch knows how many it takes.
	flow, err := s.review.submittable(a, points.AwardFlow, "award", 1, h.village, &sum)
	if err != nil {
		return awardTaken{}, err
	}
	if it.Cap > 0 {
		counts[capKey{in.Household, in.Item, per}]++
	}
	return awardTaken{item: it, r: r, per: per, sum: sum, flow: flow, village: h.village}, nil
}

// writeBatch stores the awards taken, their review items and submit
// transitions, one statement a table, and audits each as recordTx does;
// it returns the records as stored.
func (s *AwardService) writeBatch(ctx context.Context, tx *Tx, calls []*awardCall, taken []awardTaken) ([]*points.AwardRecord, error) {
	if len(taken) == 0 {
		return nil, nil
	}
	awardIDs, err := tx.reserveIDs(ctx, "awards", len(taken))
	if err != nil {
		return nil, err
	}
	itemIDs, err := tx.reserveIDs(ctx, "review_items", len(taken))
	if err != nil {
		return nil, err
	}
	now := tx.nowMS()
	items := make([]review.Item, len(taken))
	var awards, its, moves []any
	for n, t := range taken {
		c := calls[t.call]
		in := c.in
		it := entering(t.flow, c.a, "award", awardIDs[n], t.village, t.sum, t.r.NoticeDays, tx.now)
		it.ID = itemIDs[n]
		items[n] = it
		awards = append(awards, awardIDs[n], in.Household, in.Item, t.item.Aspect, t.item.Points, string(in.Channel), in.ProxyFor,
			in.Evidence, in.Witness, b2i(evidence(in).Photo), versionList(t.r), t.per, scheme.Day(in.Date), string(points.AwardPending), it.ID, in.Key, "")
		its = append(its, it.ID, it.Flow, it.SubjectKind, it.SubjectID, it.Region, it.Summary.Title, it.Summary.Person, it.Summary.PersonMongol,
			it.Summary.Points, it.Summary.Note, 0, string(it.State), timeMS(it.WindowStart), timeMS(it.WindowEnd), 0, it.SubmitterID, it.Submitter,
			now, now, it.NoticeDays)
		if logsSubmission(it.State) {
			moves = append(moves, it.ID, 0, string(review.ActSubmit), "", string(it.State), it.SubmitterID, it.Submitter, "", now)
		}
	}
	if _, err := tx.exec(ctx, `INSERT INTO awards (id, household_id, item_code, aspect, points, channel, proxy_for, evidence, witness,
		photo, scheme_versions, period, award_date, status, review_id, idem_key, photo_sums) VALUES `+
		placeholders(len(taken), 17), awards...); err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `INSERT INTO review_items (id, flow, subject_kind, subject_id, region_code, title, person, person_mongol, points, note, step,
		state, window_start, window_end, open_objections, submitter_id, submitter_name, created_at, updated_at, notice_days) VALUES `+
		placeholders(len(taken), 20), its...); err != nil {
		return nil, err
	}
	if len(moves) > 0 {
		if _, err := tx.exec(ctx, `INSERT INTO review_transitions (item_id, step, action, from_state, to_state, actor_id, actor_name, reason, at) VALUES `+
			placeholders(len(moves)/9, 9), moves...); err != nil {
			return nil, err
		}
	}
	if err := auditBatch(tx, calls, taken, awardIDs); err != nil {
		return nil, err
	}
	out := make([]*points.AwardRecord, len(taken))
	for n, t := range taken {
		in := calls[t.call].in
		_, uname := actorRef(calls[t.call].a)
		out[n] = &points.AwardRecord{ID: awardIDs[n], Household: in.Household, Village: t.village, Item: in.Item, ItemName: t.item.Name, Aspect: t.item.Aspect,
			Points: int64(t.item.Points), Channel: in.Channel, Status: points.AwardPending, ReviewID: items[n].ID, Date: scheme.ParseDay(scheme.Day(in.Date)),
			Actor: uname, Created: time.UnixMilli(now), Photos: in.Photos}
	}
	return out, nil
}

// auditBatch writes recordTx's audit row of every award taken (auditEach).
func auditBatch(tx *Tx, calls []*awardCall, taken []awardTaken, awardIDs []int64) error {
	rows := make([]audited, len(taken))
	for n, t := range taken {
		c := calls[t.call]
		rows[n] = audited{c.ctx, c.a, []auditEntry{awardAudit(awardIDs[n], c.in, t.village, t.item)}}
	}
	return tx.auditEach(rows)
}

// batchHouseholds reads the households of calls with their status, village
// and head, and their village's status: recordTx's first read, for all.
func batchHouseholds(ctx context.Context, tx *Tx, calls []*awardCall) (map[int64]batchHousehold, error) {
	households := make([]int64, len(calls))
	for i, c := range calls {
		households[i] = c.in.Household
	}
	ids := inArgs(households)
	return keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (id int64, h batchHousehold, err error) {
		return id, h, s.Scan(&id, &h.village, &h.status, &h.head, &h.headMongol, &h.birth, &h.villageStatus)
	}, `SELECT h.id, h.village_code, h.status, COALESCE(r.name, ''), COALESCE(r.name_mongol, ''), COALESCE(r.birth_date, ''), g.status
		FROM households h JOIN regions g ON g.code = h.village_code LEFT JOIN residents r ON r.id = h.head_id WHERE h.id IN `+placeholders(1, len(ids)), ids...)
}

// batchPriors reads the awards stored earlier under the keys of calls.
func batchPriors(ctx context.Context, tx *Tx, calls []*awardCall) (map[string]batchPrior, error) {
	keys := make([]any, 0, len(calls))
	for _, c := range calls {
		keys = append(keys, c.in.Key)
	}
	keys = padList(keys)
	return keyedRows(ctx, tx, func(s interface{ Scan(...any) error }) (key string, p batchPrior, err error) {
		p.fp, err = scanPrint(s, &key, &p.id)
		return key, p, err
	}, `SELECT idem_key, id, `+printCols+` FROM awards WHERE idem_key IN `+placeholders(1, len(keys)), keys...)
}

// keyedRows runs a query and returns its rows by the key scan reads.
func keyedRows[K comparable, V any](ctx context.Context, tx *Tx, scan func(interface{ Scan(...any) error }) (K, V, error), query string, args ...any) (map[K]V, error) {
	type kv struct {
		k K
		v V
	}
	rows, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (kv, error) {
		k, v, err := scan(s)
		return kv{k, v}, err
	}, query, args...)
	out := make(map[K]V, len(rows))
	for _, r := range rows {
		out[r.k] = r.v
	}
	return out, err
}

// inArgs is the IN list of vs for a batch's shared read: each value once,
// in the order first given, padded by padList.
func inArgs[T comparable](vs []T) []any {
	seen := make(map[T]bool, len(vs))
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return padList(out)
}

// padList lengthens a non-empty IN list to the next power of two (at
// least 4) by repeating its last value, which changes no answer: a group
// of up to maxGroup calls then meets a handful of statement texts, each
// prepared once, rather than one text per length.
func padList(vs []any) []any {
	n := 4
	for n < len(vs) {
		n *= 2
	}
	for len(vs) < n {
		vs = append(vs, vs[len(vs)-1])
	}
	return vs
}
