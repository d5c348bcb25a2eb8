package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/region"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
	"shanzhi/internal/scheme"
)

// AwardService implements points.AwardService.
type AwardService struct {
	db     *DB
	review *ReviewService
}

// Awards returns the award service, which puts awards under rev's
// points.award flow.
func (db *DB) Awards(rev *ReviewService) *AwardService { return &AwardService{db: db, review: rev} }

var _ points.AwardService = (*AwardService)(nil)

// awardRole is the role an actor awards with in a village: the first of
// their roles there that may record awards.
func awardRole(a *access.Actor, village string) access.Role {
	for _, g := range a.Grants {
		if access.Has(g.Role, access.PointsWrite) && a.Can(access.PointsWrite, village) {
			return g.Role
		}
	}
	return ""
}

// period names the cap period an award date falls in.
func period(p scheme.Period, d time.Time) string {
	if p == scheme.Year {
		return d.Format("2006")
	}
	return d.Format("2006-01")
}

// Record checks an award against the scheme in force in the household's
// village on its date, stores it and puts it under review, in one
// transaction. A repeated key returns the first award.
func (s *AwardService) Record(ctx context.Context, a *access.Actor, in points.AwardInput) (*points.AwardRecord, error) {
	in, err := prepareAward(a, in, s.db.Now())
	if err != nil {
		return nil, err
	}
	if len(in.Photos) > 0 {
		// An award with photos reads and links them on its own path.
		var out *points.AwardRecord
		err = s.db.update(ctx, func(tx *Tx) (err error) {
			out, err = s.recordTx(ctx, tx, a, in)
			return err
		})
		return out, err
	}
	// Awards queued together on SQLite's writer are recorded together
	// (award_batch.go); alone, the call runs recordTx as before.
	c := &awardCall{ctx: ctx, a: a, in: in, fp: awardPrint(in, "")}
	err = s.db.updateBatched(ctx, awardBatcher{*s}, c, func(tx *Tx) (err error) {
		c.out, err = s.recordTx(ctx, tx, a, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.out, nil
}

// prepareAward is an award input as recordTx takes it: normalised, dated
// (now when undated), valid and keyed.
func prepareAward(a *access.Actor, in points.AwardInput, now time.Time) (points.AwardInput, error) {
	in.Normalize()
	if in.Date.IsZero() {
		in.Date = now
	}
	// The award's day is the village's day: Beijing time.
	in.Date = scheme.Today(in.Date)
	if err := in.Validate(); err != nil {
		return in, err
	}
	// The client's key counts within its caller and household only, so
	// another caller's key is simply a new key: it neither replays their
	// award nor, with another body, reveals that it exists.
	in.Key = scopedKey(a, "h"+strconv.FormatInt(in.Household, 10), in.Key)
	return in, nil
}

// recordTx is Record inside the caller's transaction; the award import
// runs it row by row in one transaction. in must be normalised and valid.
func (s *AwardService) recordTx(ctx context.Context, tx *Tx, a *access.Actor, in points.AwardInput) (*points.AwardRecord, error) {
	var out *points.AwardRecord
	err := func() error {
		var sums string
		if len(in.Photos) > 0 {
			// Only awards with photos pay for this read.
			var err error
			if sums, err = tx.photoPrint(ctx, in.Photos); err != nil {
				return err
			}
		}
		// The village's own status comes along, or the review engine
		// would look it up again before taking the award; and so does an
		// award made earlier under the key, which, the key counting within
		// its household, exists only where the household does; and the
		// scheme epoch, under which PostgreSQL keeps the scheme in force
		// (effectiveScheme): one round trip instead of three there.
		var village, status, head, headMongol, birth, villageStatus string
		var prevID int64
		err := tx.queryRow(ctx, `SELECT h.village_code, h.status, COALESCE(r.name, ''), COALESCE(r.name_mongol, ''), COALESCE(r.birth_date, ''), g.status,
			COALESCE(p.id, 0), (SELECT n FROM scheme_epoch) FROM households h
			JOIN regions g ON g.code = h.village_code LEFT JOIN residents r ON r.id = h.head_id LEFT JOIN awards p ON p.idem_key = ? WHERE h.id = ?`,
			in.Key, in.Household).Scan(&village, &status, &head, &headMongol, &birth, &villageStatus, &prevID, &tx.schemeEpoch)
		tx.epochKnown = err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if prevID != 0 {
			// A retry: the award stored under the key, if it is the one
			// asked for. Only retries read its fingerprint back.
			prevFP, err := scanPrint(tx.queryRow(ctx, `SELECT `+printCols+` FROM awards WHERE id = ?`, prevID))
			switch {
			case err != nil:
				return err
			case prevFP != awardPrint(in, sums):
				return fault.OnField(fault.Conflict, "key", "points.key_reused")
			}
			if out, err = tx.award(ctx, prevID); err == nil && len(in.Photos) > 0 {
				err = tx.withPhotos(ctx, []*points.AwardRecord{out})
			}
			return err
		}
		h := batchHousehold{village: village, status: status, villageStatus: villageStatus}
		r, it, per, err := tx.checkAward(ctx, a, in, h, err == nil, func(per string) (int, error) {
			var already int
			err := tx.queryRow(ctx, `SELECT count(*) FROM awards WHERE household_id = ? AND item_code = ? AND period = ? AND status IN ('pending', 'approved') AND corrects_id = 0`,
				in.Household, in.Item, per).Scan(&already)
			return already, err
		})
		if err != nil {
			return err
		}
		ev := evidence(in)
		id, err := tx.insertID(ctx, `INSERT INTO awards (household_id, item_code, aspect, points, channel, proxy_for, evidence, witness, photo,
			scheme_versions, period, award_date, status, idem_key, photo_sums)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING id`,
			in.Household, in.Item, it.Aspect, it.Points, string(in.Channel), in.ProxyFor, in.Evidence, in.Witness, b2i(ev.Photo),
			versionList(r), per, scheme.Day(in.Date), in.Key, sums)
		if err != nil {
			return err
		}
		if len(in.Photos) > 0 {
			if err := tx.attachPhotos(ctx, a, id, village, in.Photos); err != nil {
				return err
			}
		}
		sum := review.Summary{Title: it.Name, Points: int64(it.Points)}
		publicPerson(&sum, head, headMongol, birth, tx.now)
		item, err := s.review.submitNew(ctx, tx, a, points.AwardFlow, "award", id, village, sum, r.NoticeDays)
		if err != nil {
			return err
		}
		if err := tx.later(ctx, `UPDATE awards SET review_id = ? WHERE id = ?`, item.ID, id); err != nil {
			return err
		}
		// One audit row covers the award and its submission for review; an
		// award sheet's one audit entry covers its rows, as a register
		// import's does.
		if !tx.quiet {
			if err := tx.audit(ctx, a, awardAudit(id, in, village, it)); err != nil {
				return err
			}
		}
		// The record as stored, without reading it back.
		out = &points.AwardRecord{ID: id, Household: in.Household, Village: village, Item: in.Item, ItemName: it.Name, Aspect: it.Aspect,
			Points: int64(it.Points), Channel: in.Channel, Status: points.AwardPending, ReviewID: item.ID, Date: scheme.ParseDay(scheme.Day(in.Date)),
			Actor: item.Submitter, Created: time.UnixMilli(tx.nowMS()), Photos: in.Photos}
		return nil
	}()
	return out, err
}

// awardAudit is the audit row of an award taken, one by one (recordTx) or
// in a batch (auditBatch): the award, its household, the item, points and
// channel. Its review item is named by the award's row, and enters at the
// flow's first step.
func awardAudit(id int64, in points.AwardInput, village string, it scheme.ResolvedItem) auditEntry {
	return auditEntry{action: "points.award", target: fmt.Sprintf("award:%d household:%d", id, in.Household), region: village,
		detail: fmt.Sprintf("%s %+d %s", it.Name, it.Points, in.Channel)}
}

// checkAward is every check an award not yet stored under its key must
// pass, in order, for recordTx and a batch alike: the actor's right to
// write there (or the household's own, for a declaration), the household
// and its village active, the item in the scheme in force that day, and
// the scheme's rules for the actor's role, the evidence and the item's
// cap. found says the household exists; capped counts the household's
// awards of the item in the cap's period, asked only of a capped item. It
// returns the scheme, the item and the cap period the award was checked
// against.
func (tx *Tx) checkAward(ctx context.Context, a *access.Actor, in points.AwardInput, h batchHousehold, found bool, capped func(per string) (int, error)) (scheme.Resolved, scheme.ResolvedItem, string, error) {
	var r scheme.Resolved
	var it scheme.ResolvedItem
	declaring := in.Channel == points.Declaration
	mayWrite := found && a.Can(access.PointsWrite, h.village)
	if declaring {
		// A declaration comes from the household itself, and only there.
		mayWrite = found && a.Household() == in.Household && a.Can(access.OwnHousehold, h.village)
	}
	if !mayWrite {
		return r, it, "", fault.E(fault.NotFound, "error.not_found")
	}
	if h.status != string(registry.HouseholdActive) {
		return r, it, "", fault.E(fault.Conflict, "registry.household.inactive")
	}
	if h.villageStatus != string(region.Active) {
		return r, it, "", fault.E(fault.Conflict, "region.inactive")
	}
	r, err := tx.effectiveScheme(ctx, h.village, in.Date)
	if err != nil {
		return r, it, "", err
	}
	it, ok := r.Item(in.Item)
	if !ok {
		return r, it, "", fault.OnField(fault.NotFound, "item", "scheme.item_not_found", in.Item)
	}
	per := period(it.CapPeriod, in.Date)
	var already int
	if it.Cap > 0 { // an uncapped item needs no count
		if already, err = capped(per); err != nil {
			return r, it, "", err
		}
	}
	role := awardRole(a, h.village)
	if declaring {
		// The committee's review is the check on a declaration; the
		// item's evidence and caps still apply, and nobody declares a
		// deduction against themselves.
		if it.Points <= 0 {
			return r, it, "", fault.OnField(fault.Invalid, "item", "points.declare_deduction")
		}
		if len(it.Roles) > 0 {
			role = it.Roles[0]
		}
	}
	return r, it, per, scheme.CheckAward(r, in.Item, role, evidence(in), already)
}

// evidence is what an award brings, in the terms of the scheme's rules.
func evidence(in points.AwardInput) scheme.Evidence {
	return scheme.Evidence{Photo: in.Photo || len(in.Photos) > 0, Text: in.Evidence != "", Witness: in.Witness != ""}
}

// versionList is the scheme versions an award was checked against, as it
// records them: their ids, comma-separated.
func versionList(r scheme.Resolved) string {
	ids := r.VersionIDs()
	out := make([]string, len(ids))
	for i, v := range ids {
		out[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(out, ",")
}

// awardCols are the columns of an award a and its review item i
// (awardFrom). Where it was recorded, its item's name, who recorded it and
// when are its submission's, so the item holds them and the award does
// not (migration 0049): the two are made in one transaction, one for one.
const awardCols = `a.id, a.household_id, COALESCE(i.region_code, ''), a.item_code, COALESCE(i.title, ''), a.aspect, a.points, a.channel, a.status, a.review_id,
	a.entry_id, a.award_date, COALESCE(i.submitter_name, ''), COALESCE(i.created_at, 0), a.corrects_id, a.reason`

// awardFrom joins an award a to its review item i for awardCols.
const awardFrom = ` FROM awards a LEFT JOIN review_items i ON i.id = a.review_id`

func scanAward(s interface{ Scan(...any) error }, more ...any) (points.AwardRecord, error) {
	var w points.AwardRecord
	var day string
	var created int64
	err := s.Scan(append([]any{&w.ID, &w.Household, &w.Village, &w.Item, &w.ItemName, &w.Aspect, &w.Points, &w.Channel, &w.Status, &w.ReviewID, &w.EntryID,
		&day, &w.Actor, &created, &w.Corrects, &w.Reason}, more...)...)
	w.Date, w.Created = scheme.ParseDay(day), time.UnixMilli(created)
	return w, err
}

// awardShownCols are awardCols, followed by what a page needs
// to state the award's status truthfully: its review's state and notice
// end, and the reason its review's last move gave.
const awardShownCols = awardCols + `, COALESCE(i.state, ''), COALESCE(i.window_end, 0),
	COALESCE((SELECT t.reason FROM review_transitions t WHERE t.item_id = a.review_id ORDER BY t.id DESC LIMIT 1), '')`

// scanAwardShown scans a row of awardShownCols, then any more columns
// into more.
func scanAwardShown(s interface{ Scan(...any) error }, more ...any) (points.AwardRecord, error) {
	var we int64
	var state, outcome string
	w, err := scanAward(s, append([]any{&state, &we, &outcome}, more...)...)
	w.ReviewState, w.WindowEnd, w.Outcome = review.State(state), msTime(we), outcome
	return w, err
}

func (tx *Tx) award(ctx context.Context, id int64) (*points.AwardRecord, error) {
	w, err := scanAward(tx.queryRow(ctx, `SELECT `+awardCols+awardFrom+` WHERE a.id = ?`, id))
	return &w, err
}

// Awards lists a household's awards, newest first.
func (s *AwardService) Awards(ctx context.Context, a *access.Actor, household int64) ([]points.AwardRecord, error) {
	var out []points.AwardRecord
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		var err error
		if out, err = tx.householdAwards(ctx, household, 200); err != nil {
			return err
		}
		ptrs := make([]*points.AwardRecord, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		return tx.withPhotos(ctx, ptrs)
	})
	return out, err
}

// householdAwards reads a household's latest awards with their shown
// status, newest first.
func (tx *Tx) householdAwards(ctx context.Context, household int64, limit int) ([]points.AwardRecord, error) {
	return queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (points.AwardRecord, error) { return scanAwardShown(s) }, `SELECT `+awardShownCols+awardFrom+`
		WHERE a.household_id = ? ORDER BY a.id DESC LIMIT ?`, household, limit)
}

// AwardApplier is the review applier of the award flow: when an award's
// review ends approved it is posted to the ledger, in the same transaction
// that ends the review, under a key derived from the award, so it is
// posted exactly once; any other ending just records the status. A
// deduction larger than the balance takes what there is, since a balance
// never goes below zero.
func (db *DB) AwardApplier() ReviewApplier {
	return func(ctx context.Context, tx *Tx, it review.Item) error {
		if it.SubjectKind != "award" && it.SubjectKind != CorrectionKind {
			return nil
		}
		w, err := tx.award(ctx, it.SubjectID)
		if err != nil {
			return err
		}
		status := map[review.State]points.AwardStatus{review.Approved: points.AwardApproved, review.Rejected: points.AwardRejected,
			review.Returned: points.AwardReturned, review.Cancelled: points.AwardCanceled, review.Withdrawn: points.AwardWithdrawn}[it.State]
		var entry int64
		switch {
		case it.State == review.Approved && w.Corrects != 0:
			if entry, err = tx.postCorrection(ctx, w, it.ID); err != nil {
				return err
			}
		case it.State == review.Approved:
			kind, n := points.Award, w.Points
			if n < 0 {
				bal, err := tx.balanceOf(ctx, w.Household)
				if err != nil {
					return err
				}
				kind, n = points.Deduct, min(-n, bal)
			}
			if n > 0 {
				e, err := tx.post(ctx, nil, "", points.Posting{Key: fmt.Sprintf("award:%d", w.ID), Household: w.Household, Kind: kind, Points: n, Item: w.ItemName, Memo: fmt.Sprintf("review:%d", it.ID)})
				if err != nil {
					return err
				}
				entry = e.ID
				if err := tx.addTotals(ctx, w, e.Delta, 1); err != nil {
					return err
				}
			}
		}
		_, err = tx.exec(ctx, `UPDATE awards SET status = ?, entry_id = ? WHERE id = ?`, string(status), entry, w.ID)
		return err
	}
}

// addTotals adds an approved award to the maintained totals of its month
// and year, for its aspect and for all aspects, counting a household in a
// village's total the first time it earns anything there in the period.
// n is the awards it counts: 1 for an award, 0 for a correction, which
// takes its points back without undoing the deed's count. A total of the
// year in progress counts in the household's village now, where a move
// took its earlier totals of the year (moveTotals); one of an earlier
// year in the village it was earned in.
func (tx *Tx) addTotals(ctx context.Context, w *points.AwardRecord, delta int64, n int) error {
	// The keys are stored compact (migrations 0045 and 0047): aspect 0 is
	// all aspects together, the others ids in ranking_aspects.
	aspects := []int64{0}
	if w.Aspect != "" {
		id, err := tx.ledgerLookup(ctx, lookupAspect, 0, w.Aspect)
		if err != nil {
			return err
		}
		aspects = append(aspects, id)
	}
	// The award's own village_code is where the household was when the
	// award was recorded; it may have moved before the review ended.
	var current string
	if err := tx.queryRow(ctx, `SELECT village_code FROM households WHERE id = ?`, w.Household).Scan(&current); err != nil {
		return err
	}
	for _, p := range []string{w.Date.Format("2006-01"), w.Date.Format("2006")} {
		period, err := periodNum(p)
		if err != nil {
			return err
		}
		village := current
		if periodYear(period) != tx.thisYear() {
			if village, err = tx.earnedIn(ctx, period, w.Household, current); err != nil {
				return err
			}
		}
		ord, err := tx.ledgerLookup(ctx, lookupVillage, 0, village)
		if err != nil {
			return err
		}
		for _, aspect := range aspects {
			awards, err := tx.addHouseholdTotal(ctx, period, aspect, ord, w.Household, delta, n)
			if err != nil {
				return err
			}
			first := 0
			if awards == 1 && n == 1 {
				first = 1
			}
			if err := tx.addVillageTotal(ctx, period, aspect, village, delta, first); err != nil {
				return err
			}
		}
	}
	return nil
}
