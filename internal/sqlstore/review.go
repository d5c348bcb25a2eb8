package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/password"
	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/review"
)

// ReviewApplier hears that an item of its flow has ended (approved,
// rejected, returned or cancelled) and does what the owning module must:
// apply the award when it.State is review.Approved, mark the subject
// otherwise.
//
// It runs inside the very transaction that ends the item, with that
// transaction's *Tx, rather than through an outcome table the owner
// polls. The conditional UPDATE that ends an item succeeds in exactly one
// transaction, so the applier runs exactly once per ending, by
// construction, with no second idempotency mechanism; the award and the
// approval commit or vanish together, so no reader ever sees an approved
// item whose award is missing; and nothing waits a polling interval. Every
// owner's implementation lives in this package, so handing it the *Tx
// costs no layering. An applier that fails rolls back that item's ending
// alone: FinaliseDue retries it at the next run, a decision reports the
// error to the approver.
type ReviewApplier func(ctx context.Context, tx *Tx, it review.Item) error

// ReviewService implements review.Service.
type ReviewService struct {
	db       *DB
	flows    review.Flows
	appliers map[string]ReviewApplier
	// perms are the permissions that let a user see the items of a region:
	// reading the registry, or any permission some flow names.
	perms []access.Permission
}

var _ review.Service = (*ReviewService)(nil)

// Review returns the store's review service for flows; appliers, keyed by
// flow name, hear when an item of their flow ends.
func (db *DB) Review(flows review.Flows, appliers map[string]ReviewApplier) *ReviewService {
	perms := []access.Permission{access.RegistryRead}
	for _, p := range flows.Permissions() {
		if p != access.RegistryRead {
			perms = append(perms, p)
		}
	}
	return &ReviewService{db: db, flows: flows, appliers: appliers, perms: perms}
}

// visible reports whether a may see the items of region; items outside it
// answer NotFound, so probing ids learns nothing.
func (s *ReviewService) visible(a *access.Actor, code string) bool {
	for _, p := range s.perms {
		if a.Can(p, code) {
			return true
		}
	}
	return false
}

func (s *ReviewService) scopes(a *access.Actor) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range s.perms {
		for _, c := range a.Scopes(p) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

const reviewItemCols = `id, flow, subject_kind, subject_id, region_code, title, person, points, note, step, state,
	window_start, window_end, open_objections, submitter_id, submitter_name, created_at, updated_at, notice_days`

func scanReviewItem(sc interface{ Scan(...any) error }) (review.Item, error) {
	var it review.Item
	var ws, we, created, updated int64
	err := sc.Scan(&it.ID, &it.Flow, &it.SubjectKind, &it.SubjectID, &it.Region, &it.Summary.Title, &it.Summary.Person, &it.Summary.Points,
		&it.Summary.Note, &it.Step, &it.State, &ws, &we, &it.OpenObjections, &it.SubmitterID, &it.Submitter, &created, &updated, &it.NoticeDays)
	it.WindowStart, it.WindowEnd = msTime(ws), msTime(we)
	it.Created, it.Updated = msTime(created), msTime(updated)
	return it, err
}

// msTime turns a stored Unix-millisecond value into a time, 0 into the
// zero time.
func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func timeMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (tx *Tx) reviewItem(ctx context.Context, id int64) (*review.Item, error) {
	it, err := scanReviewItem(tx.queryRow(ctx, `SELECT `+reviewItemCols+` FROM review_items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.NotFound, "review.not_found")
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// reviewLog appends a transition to the item's log and the audit trail.
func (tx *Tx) reviewLog(ctx context.Context, a *access.Actor, it *review.Item, step int, act review.Action, from, to review.State, reason, detail string) error {
	if err := tx.logTransition(ctx, a, it, step, act, from, to, reason); err != nil {
		return err
	}
	if tx.quiet {
		return nil // a bulk import audits itself once; the log row above stays
	}
	d := fmt.Sprintf("%s %s/%d step %d: %s → %s", it.Flow, it.SubjectKind, it.SubjectID, step, from, to)
	if detail != "" {
		d += "; " + detail
	}
	return tx.audit(ctx, a, auditEntry{action: "review." + string(act), target: fmt.Sprintf("review_item:%d", it.ID), region: it.Region, detail: d})
}

// logTransition writes the item's log row only; a submission entering
// pending has none (logsSubmission).
func (tx *Tx) logTransition(ctx context.Context, a *access.Actor, it *review.Item, step int, act review.Action, from, to review.State, reason string) error {
	if act == review.ActSubmit && !logsSubmission(to) {
		return nil
	}
	uid, uname := actorRef(a)
	if a == nil && act == review.ActObject {
		uname = "" // anonymous, not the system
	}
	if err := tx.later(ctx, `INSERT INTO review_transitions (item_id, step, action, from_state, to_state, actor_id, actor_name, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, it.ID, step, string(act), string(from), string(to), uid, uname, strings.TrimSpace(reason), tx.nowMS()); err != nil {
		return fmt.Errorf("review log: %w", err)
	}
	return nil
}

// moved records a move of the item (its log row and audit row) and, when
// the move ended the item, tells the flow's applier in the same
// transaction.
func (s *ReviewService) moved(ctx context.Context, tx *Tx, a *access.Actor, it *review.Item, step int, act review.Action, from review.State, reason, detail string) error {
	if err := tx.reviewLog(ctx, a, it, step, act, from, it.State, reason, detail); err != nil {
		return err
	}
	if it.State.Open() {
		return nil
	}
	if apply := s.appliers[it.Flow]; apply != nil {
		if err := apply(ctx, tx, *it); err != nil {
			return fmt.Errorf("review applier %s: %w", it.Flow, err)
		}
	}
	return nil
}

// Submit puts a subject under a flow at its first step.
func (s *ReviewService) Submit(ctx context.Context, a *access.Actor, flowName, subjectKind string, subjectID int64, code string, sum review.Summary) (*review.Item, error) {
	var out *review.Item
	err := s.db.update(ctx, func(tx *Tx) (err error) {
		out, err = s.SubmitTx(ctx, tx, a, flowName, subjectKind, subjectID, code, sum)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SubmitTx is Submit inside the caller's transaction, so a module can
// record its subject and put it under review in one commit.
func (s *ReviewService) SubmitTx(ctx context.Context, tx *Tx, a *access.Actor, flowName, subjectKind string, subjectID int64, code string, sum review.Summary) (*review.Item, error) {
	flow, err := s.submittable(a, flowName, subjectKind, subjectID, code, &sum)
	if err != nil {
		return nil, err
	}
	r, err := tx.region(ctx, code)
	if err != nil {
		return nil, err
	}
	if r.Status != region.Active {
		return nil, fault.E(fault.Conflict, "region.inactive")
	}
	var open int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM review_items WHERE flow = ? AND subject_kind = ? AND subject_id = ? AND state IN ('pending', 'in_notice')`,
		flow.Name, subjectKind, subjectID).Scan(&open); err != nil {
		return nil, err
	}
	if open > 0 {
		return nil, fault.E(fault.Conflict, "review.submit.open")
	}
	return s.enter(ctx, tx, a, flow, subjectKind, subjectID, code, sum, 0, true)
}

// submitNew puts a subject created in this same transaction under review.
// Nothing can be open on a subject that did not exist, the caller has
// checked that the village is active, and the caller's own audit row names
// the item: the award path, the busiest writer in the product, saves three
// statements and an audit row this way. noticeDays is the length of the
// item's notice windows as the module's rules set it (0: the flow's).
func (s *ReviewService) submitNew(ctx context.Context, tx *Tx, a *access.Actor, flowName, subjectKind string, subjectID int64, code string, sum review.Summary, noticeDays int) (*review.Item, error) {
	flow, err := s.submittable(a, flowName, subjectKind, subjectID, code, &sum)
	if err != nil {
		return nil, err
	}
	return s.enter(ctx, tx, a, flow, subjectKind, subjectID, code, sum, noticeDays, false)
}

// submittable checks what a submission can be refused for without reading
// the database: the flow, the village, the submitter's permission and the
// summary, which it trims.
func (s *ReviewService) submittable(a *access.Actor, flowName, subjectKind string, subjectID int64, code string, sum *review.Summary) (review.Flow, error) {
	flow, err := s.flows.Get(flowName)
	if err != nil {
		return review.Flow{}, err
	}
	if regioncode.LevelOf(code) != regioncode.Village {
		return review.Flow{}, fault.OnField(fault.Invalid, "region", "review.region.invalid")
	}
	if !a.Can(flow.Submit, code) && (flow.SubmitAlso == "" || !a.Can(flow.SubmitAlso, code)) {
		if s.visible(a, code) {
			return review.Flow{}, fault.E(fault.Forbidden, "review.submit.forbidden")
		}
		return review.Flow{}, fault.E(fault.NotFound, "region.not_found")
	}
	var fs fault.Fields
	if strings.TrimSpace(subjectKind) == "" || subjectID <= 0 {
		fs.Add("subject", "review.subject.invalid")
	}
	if err := sum.Validate(); err != nil {
		var fe *fault.Error
		if errors.As(err, &fe) {
			fs = append(fs, fe.Fields...)
		}
	}
	if err := fs.Err(); err != nil {
		return review.Flow{}, err
	}
	sum.Title, sum.Note = strings.TrimSpace(sum.Title), strings.TrimSpace(sum.Note)
	return flow, nil
}

// enter writes the item at the flow's first step and its log row, and an
// audit row when audited is set.
func (s *ReviewService) enter(ctx context.Context, tx *Tx, a *access.Actor, flow review.Flow, subjectKind string, subjectID int64, code string, sum review.Summary, noticeDays int, audited bool) (*review.Item, error) {
	it := entering(flow, a, subjectKind, subjectID, code, sum, noticeDays, tx.now)
	sum, st := it.Summary, it.State
	var err error
	it.ID, err = tx.insertID(ctx, `INSERT INTO review_items (flow, subject_kind, subject_id, region_code, title, person, person_mongol, points, note, step, state,
		window_start, window_end, open_objections, submitter_id, submitter_name, created_at, updated_at, notice_days)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id`,
		it.Flow, it.SubjectKind, it.SubjectID, it.Region, sum.Title, sum.Person, sum.PersonMongol, sum.Points, sum.Note, string(st),
		timeMS(it.WindowStart), timeMS(it.WindowEnd), it.SubmitterID, it.Submitter, tx.nowMS(), tx.nowMS(), it.NoticeDays)
	if err != nil {
		return nil, err
	}
	if !audited {
		err = tx.logTransition(ctx, a, &it, 0, review.ActSubmit, "", st, "")
	} else {
		err = tx.reviewLog(ctx, a, &it, 0, review.ActSubmit, "", st, "", sum.Title)
	}
	if err != nil {
		return nil, err
	}
	return &it, nil
}

// entering is the item a subject becomes on entering flow at now: the
// flow's first step with its state and notice window, the submitter and
// the trimmed summary. SubmitTx stores one at a time and the award
// sheet's bulk path thousands per statement, so both take it from here.
func entering(flow review.Flow, a *access.Actor, subjectKind string, subjectID int64, code string, sum review.Summary, noticeDays int, now time.Time) review.Item {
	st, ws, we := flow.WithNotice(noticeDays).Enter(0, now)
	uid, uname := actorRef(a)
	sum.Title, sum.Note = strings.TrimSpace(sum.Title), strings.TrimSpace(sum.Note)
	return review.Item{Flow: flow.Name, SubjectKind: subjectKind, SubjectID: subjectID, Region: code, Summary: sum, State: st,
		WindowStart: ws, WindowEnd: we, SubmitterID: uid, Submitter: uname, Created: now, Updated: now, NoticeDays: noticeDays}
}

// Decide records a decision at the item's current approve step. Whoever
// submitted the item or decided an earlier step of it stands aside (回避),
// so a multi-level chain is never one person signing several times.
func (s *ReviewService) Decide(ctx context.Context, a *access.Actor, id int64, d review.Decision, reason string) (*review.Item, error) {
	var out *review.Item
	err := s.db.update(ctx, func(tx *Tx) (err error) {
		out, err = s.DecideTx(ctx, tx, a, id, d, reason)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// actionable reads an item a is about to act on, and its flow; an item
// outside a's sight is NotFound, so probing ids learns nothing.
func (s *ReviewService) actionable(ctx context.Context, tx *Tx, a *access.Actor, id int64) (*review.Item, review.Flow, error) {
	it, err := tx.reviewItem(ctx, id)
	if err != nil {
		return nil, review.Flow{}, err
	}
	if !s.visible(a, it.Region) {
		return nil, review.Flow{}, fault.E(fault.NotFound, "review.not_found")
	}
	flow, err := s.flows.Get(it.Flow)
	return it, flow, err
}

// DecideTx is Decide inside the caller's transaction, so a module can
// check its own rules (a quota, a tier) and record its side of the
// decision in the same commit as the item's move.
func (s *ReviewService) DecideTx(ctx context.Context, tx *Tx, a *access.Actor, id int64, d review.Decision, reason string) (*review.Item, error) {
	var out *review.Item
	err := func() error {
		it, flow, err := s.actionable(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := flow.CanDecide(a, it, d, reason); err != nil {
			return err
		}
		var mine int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM review_transitions WHERE item_id = ? AND actor_id = ? AND action IN ('approve', 'reject', 'return')`,
			it.ID, a.UserID).Scan(&mine); err != nil {
			return err
		}
		if mine > 0 || a.UserID != 0 && a.UserID == it.SubmitterID {
			return fault.E(fault.Forbidden, "review.decide.recuse")
		}
		st, act, ws, we := flow.WithNotice(it.NoticeDays).Outcome(it.Step, d, tx.now)
		step := it.Step
		next := step
		if act == review.ActApprove {
			next = step + 1
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "review.decide.not_pending"), `UPDATE review_items SET step = ?, state = ?, window_start = ?,
			window_end = ?, updated_at = ? WHERE id = ? AND state = 'pending' AND step = ?`, next, string(st), timeMS(ws), timeMS(we), tx.nowMS(), it.ID, step); err != nil {
			return err
		}
		from := it.State
		it.Step, it.State, it.WindowStart, it.WindowEnd, it.Updated = next, st, ws, we, tx.now
		if err := s.moved(ctx, tx, a, it, step, act, from, reason, ""); err != nil {
			return err
		}
		out = it
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Object lodges an objection. Taking the item's row first, by bumping its
// open count under the window condition, orders the objection against a
// concurrent finalisation: whichever commits first wins, and the other
// sees it.
func (s *ReviewService) Object(ctx context.Context, a *access.Actor, village string, id int64, reason string) (*review.Objection, error) {
	var out *review.Objection
	err := s.db.update(ctx, func(tx *Tx) error {
		it, err := tx.reviewItem(ctx, id)
		if err == nil && it.Region != village {
			// The notice page of one village takes no objection to
			// another's item: its id says nothing about the other page.
			err = fault.E(fault.NotFound, "review.not_found")
		}
		if err != nil {
			return err
		}
		if err := review.CanObject(a, it, reason, tx.now); err != nil {
			return err
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "review.object.closed"), `UPDATE review_items SET open_objections = open_objections + 1, updated_at = ?
			WHERE id = ? AND state = 'in_notice' AND step = ? AND window_end > ?`, tx.nowMS(), it.ID, it.Step, tx.nowMS()); err != nil {
			return err
		}
		o := review.Objection{ItemID: it.ID, Step: it.Step, Reason: strings.TrimSpace(reason), Anonymous: a == nil, State: review.ObjOpen, Created: tx.now,
			Ref: objectionRef()}
		anon := 0
		if a == nil {
			anon = 1
		} else {
			o.ActorID = a.UserID
		}
		o.ID, err = tx.insertID(ctx, `INSERT INTO review_objections (item_id, step, reason, anonymous, actor_id, state, created_at, ref)
			VALUES (?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id`, o.ItemID, o.Step, o.Reason, anon, o.ActorID, tx.nowMS(), o.Ref)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("objection %d", o.ID)
		if a == nil {
			detail += ", anonymous"
		}
		if err := tx.reviewLog(ctx, a, it, it.Step, review.ActObject, it.State, it.State, o.Reason, detail); err != nil {
			return err
		}
		out = &o
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// refAlphabet leaves out the letters and digits read alike on a phone
// screen or a scrap of paper (0/O, 1/I/L).
const refAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// objectionRef draws a reference number: ten characters from 31, about
// 49 bits, which nobody guesses within the public page's rate limit.
func objectionRef() string {
	s := password.RandomText(refAlphabet, 10)
	return s[:5] + "-" + s[5:]
}

// NormalizeRef turns a reference number as a villager types it (lower
// case, full-width, spaces, no dash) into the stored form.
func NormalizeRef(ref string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(ref) {
		if r >= '！' && r <= '～' {
			r -= '！' - '!'
		}
		if strings.ContainsRune(refAlphabet, r) {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) != 10 {
		return ""
	}
	return s[:5] + "-" + s[5:]
}

// ObjectionOutcome answers a reference number with the objection's
// outcome and the item's masked summary.
func (s *ReviewService) ObjectionOutcome(ctx context.Context, ref string) (*review.Outcome, error) {
	ref = NormalizeRef(ref)
	if ref == "" {
		return nil, fault.OnField(fault.NotFound, "ref", "review.ref.not_found")
	}
	var o review.Outcome
	err := s.db.view(ctx, func(tx *Tx) error {
		var created, resolved int64
		err := tx.queryRow(ctx, `SELECT o.ref, i.region_code, i.title, i.person, i.state, o.state, o.resolution, o.created_at, o.resolved_at
			FROM review_objections o JOIN review_items i ON i.id = o.item_id WHERE o.ref = ?`, ref).Scan(&o.Ref, &o.Region, &o.Title, &o.Person,
			&o.ItemState, &o.State, &o.Resolution, &created, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.OnField(fault.NotFound, "ref", "review.ref.not_found")
		}
		o.Created, o.Resolved = msTime(created), msTime(resolved)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// Withdraw takes an open item back: the item ends withdrawn, its open
// objections become moot, and the flow's applier hears of it.
func (s *ReviewService) Withdraw(ctx context.Context, a *access.Actor, id int64, reason string) (*review.Item, error) {
	var out *review.Item
	err := s.db.update(ctx, func(tx *Tx) error {
		it, flow, err := s.actionable(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := flow.CanWithdraw(a, it, reason); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "review.withdraw.closed"), `UPDATE review_items SET state = 'withdrawn', open_objections = 0,
			updated_at = ? WHERE id = ? AND state = ? AND step = ?`, tx.nowMS(), it.ID, string(it.State), it.Step); err != nil {
			return err
		}
		if err := tx.mootObjections(ctx, a, it.ID, reason); err != nil {
			return err
		}
		from := it.State
		it.State, it.OpenObjections, it.Updated = review.Withdrawn, 0, tx.now
		if err := s.moved(ctx, tx, a, it, it.Step, review.ActWithdraw, from, reason, ""); err != nil {
			return err
		}
		out = it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ResolveObjection upholds or dismisses an open objection. Upholding
// cancels the item and closes its other open objections as moot;
// dismissing lowers the open count, and FinaliseDue closes the window
// once it is due and nothing else is open.
func (s *ReviewService) ResolveObjection(ctx context.Context, a *access.Actor, objectionID int64, uphold bool, reason string) (*review.Item, error) {
	var out *review.Item
	err := s.db.update(ctx, func(tx *Tx) error {
		var itemID int64
		var state string
		err := tx.queryRow(ctx, `SELECT item_id, state FROM review_objections WHERE id = ?`, objectionID).Scan(&itemID, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return fault.E(fault.NotFound, "review.objection.not_found")
		}
		if err != nil {
			return err
		}
		it, err := tx.reviewItem(ctx, itemID)
		if err != nil {
			return err
		}
		if !s.visible(a, it.Region) {
			return fault.E(fault.NotFound, "review.objection.not_found")
		}
		if review.ObjectionState(state) != review.ObjOpen || it.State != review.InNotice {
			return fault.E(fault.Conflict, "review.objection.resolved")
		}
		flow, err := s.flows.Get(it.Flow)
		if err != nil {
			return err
		}
		if err := flow.CanResolve(a, it, reason); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		uid, uname := actorRef(a)
		to, act := review.ObjDismissed, review.ActDismiss
		if uphold {
			to, act = review.ObjUpheld, review.ActUphold
		}
		resolved := fault.E(fault.Conflict, "review.objection.resolved")
		if err := tx.exactlyOne(ctx, resolved, `UPDATE review_objections SET state = ?, resolution = ?, resolver_id = ?, resolver_name = ?, resolved_at = ?
			WHERE id = ? AND state = 'open'`, string(to), reason, uid, uname, tx.nowMS(), objectionID); err != nil {
			return err
		}
		from := it.State
		itemMove := `UPDATE review_items SET open_objections = open_objections - 1, updated_at = ? WHERE id = ? AND state = 'in_notice' AND open_objections > 0`
		if uphold {
			itemMove = `UPDATE review_items SET state = 'cancelled', open_objections = 0, updated_at = ? WHERE id = ? AND state = 'in_notice'`
		}
		if err := tx.exactlyOne(ctx, resolved, itemMove, tx.nowMS(), it.ID); err != nil {
			return err
		}
		it.Updated = tx.now
		if uphold {
			it.State, it.OpenObjections = review.Cancelled, 0
			if err := tx.mootObjections(ctx, a, it.ID, reason); err != nil {
				return err
			}
		} else {
			it.OpenObjections--
		}
		if err := s.moved(ctx, tx, a, it, it.Step, act, from, reason, fmt.Sprintf("objection %d", objectionID)); err != nil {
			return err
		}
		out = it
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mootObjections closes an item's open objections as moot when the item
// ends by another way (an upheld objection, a withdrawal), with that
// ending's reason beside them.
func (tx *Tx) mootObjections(ctx context.Context, a *access.Actor, item int64, reason string) error {
	uid, uname := actorRef(a)
	_, err := tx.exec(ctx, `UPDATE review_objections SET state = 'moot', resolution = ?, resolver_id = ?, resolver_name = ?, resolved_at = ?
		WHERE item_id = ? AND state = 'open'`, reason, uid, uname, tx.nowMS(), item)
	return err
}

// Items lists the items within the actor's scope, newest first.
func (s *ReviewService) Items(ctx context.Context, a *access.Actor, f review.Filter) ([]review.Item, error) {
	var out []review.Item
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = s.items(ctx, tx, a, f)
		return err
	})
	return out, err
}

// items is Items inside the caller's transaction, so a module's queue
// reads its subjects in the same snapshot as their items.
func (s *ReviewService) items(ctx context.Context, tx *Tx, a *access.Actor, f review.Filter) ([]review.Item, error) {
	scope, args := scopeWhere("region_code", s.scopes(a))
	where := []string{scope}
	if f.Flow != "" {
		where, args = append(where, "flow = ?"), append(args, f.Flow)
	}
	if f.State != "" {
		if !f.State.Valid() {
			return nil, fault.OnField(fault.Invalid, "state", "review.state.invalid")
		}
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	if f.Region != "" {
		if !regioncode.ValidCode(f.Region) {
			return nil, fault.OnField(fault.Invalid, "region", "review.region.invalid")
		}
		lo, hi := regioncode.Range(f.Region)
		where, args = append(where, "region_code >= ? AND region_code < ?"), append(args, lo, hi)
	}
	if f.SubjectKind != "" {
		where, args = append(where, "subject_kind = ?"), append(args, f.SubjectKind)
	}
	if f.SubjectID != 0 {
		where, args = append(where, "subject_id = ?"), append(args, f.SubjectID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	args = append(args, limit, max(f.Offset, 0))
	return queryAll(ctx, tx, scanReviewItem, `SELECT `+reviewItemCols+` FROM review_items WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ? OFFSET ?`, args...)
}

// Item returns one item with its log and objections.
func (s *ReviewService) Item(ctx context.Context, a *access.Actor, id int64) (*review.Item, error) {
	var out *review.Item
	err := s.db.view(ctx, func(tx *Tx) error {
		it, err := tx.reviewItem(ctx, id)
		if err != nil {
			return err
		}
		if !s.visible(a, it.Region) {
			return fault.E(fault.NotFound, "review.not_found")
		}
		if it.Transitions, err = tx.reviewTransitions(ctx, it); err != nil {
			return err
		}
		if it.Objections, err = tx.reviewObjections(ctx, id); err != nil {
			return err
		}
		out = it
		return nil
	})
	return out, err
}

// logsSubmission says whether an item's submission has a row in its log.
// Most items enter pending, a pending award among them: the item's own
// row already says who submitted it and when, so that submission has no
// log row (a pending award's 55 bytes, issue 18) and reviewTransitions
// gives it back from the item. An item entering its notice has its row.
func logsSubmission(to review.State) bool { return to != review.Pending }

// reviewTransitions is the item's log, oldest first, its submission included.
func (tx *Tx) reviewTransitions(ctx context.Context, it *review.Item) ([]review.Transition, error) {
	rows, err := tx.query(ctx, `SELECT id, item_id, step, action, from_state, to_state, actor_id, actor_name, reason, at
		FROM review_transitions WHERE item_id = ? ORDER BY id`, it.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []review.Transition{{ItemID: it.ID, Action: review.ActSubmit, To: review.Pending, ActorID: it.SubmitterID, Actor: it.Submitter, At: it.Created}}
	for rows.Next() {
		var t review.Transition
		var at int64
		if err := rows.Scan(&t.ID, &t.ItemID, &t.Step, &t.Action, &t.From, &t.To, &t.ActorID, &t.Actor, &t.Reason, &at); err != nil {
			return nil, err
		}
		t.At = msTime(at)
		if t.Action == review.ActSubmit {
			out = out[:0] // logged: it entered its notice
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (tx *Tx) reviewObjections(ctx context.Context, id int64) ([]review.Objection, error) {
	rows, err := tx.query(ctx, `SELECT id, item_id, step, reason, anonymous, actor_id, ref, state, resolution, resolver_name, created_at, resolved_at
		FROM review_objections WHERE item_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Objection
	for rows.Next() {
		var o review.Objection
		var anon int
		var created, resolved int64
		if err := rows.Scan(&o.ID, &o.ItemID, &o.Step, &o.Reason, &anon, &o.ActorID, &o.Ref, &o.State, &o.Resolution, &o.Resolver, &created, &resolved); err != nil {
			return nil, err
		}
		o.Anonymous, o.Created, o.Resolved = anon != 0, msTime(created), msTime(resolved)
		out = append(out, o)
	}
	return out, rows.Err()
}

// PublicNotices lists a village's items in notice for its public page,
// and those an upheld objection cancelled, for a notice window's length
// after the cancellation, so the village sees that the objection was
// heard: the summary,
// the window and the objections' reasons and outcomes, and nothing that
// names a person beyond the masked name.
func (s *ReviewService) PublicNotices(ctx context.Context, village string) ([]review.Notice, error) {
	if regioncode.LevelOf(village) != regioncode.Village {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []review.Notice
	err := s.db.view(ctx, func(tx *Tx) error {
		// An item leaves the page, and its names with it, when its window
		// ends, even before the sweep moves it on (PIPL: names are public
		// only for the notice period).
		rows, err := tx.query(ctx, `SELECT r.id, r.flow, r.region_code, r.subject_kind, r.state, r.title, r.person, r.person_mongol, r.points, r.note, r.window_start, r.window_end,
			COALESCE(h.number, '')
			FROM review_items r LEFT JOIN awards w ON r.subject_kind IN ('award', '`+CorrectionKind+`') AND w.id = r.subject_id
			LEFT JOIN households h ON h.id = w.household_id
			WHERE r.region_code = ? AND (r.state = 'in_notice' AND r.window_end > ? OR r.state = 'cancelled' AND r.window_end > 0
			AND r.updated_at + (r.window_end - r.window_start) > ?) ORDER BY r.window_end, r.id`, village, tx.nowMS(), tx.nowMS())
		if err != nil {
			return err
		}
		for rows.Next() {
			var n review.Notice
			var ws, we int64
			if err := rows.Scan(&n.ItemID, &n.Flow, &n.Region, &n.SubjectKind, &n.State, &n.Summary.Title, &n.Summary.Person, &n.Summary.PersonMongol, &n.Summary.Points, &n.Summary.Note, &ws, &we, &n.Household); err != nil {
				rows.Close()
				return err
			}
			n.WindowStart, n.WindowEnd = msTime(ws), msTime(we)
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			os, err := tx.reviewObjections(ctx, out[i].ItemID)
			if err != nil {
				return err
			}
			for _, o := range os {
				out[i].Objections = append(out[i].Objections, review.PublicObjection{Reason: o.Reason, State: o.State, Resolution: o.Resolution,
					Created: o.Created, Resolved: o.Resolved})
			}
		}
		return nil
	})
	return out, err
}

// finaliseBatch bounds one FinaliseDue run; the scheduler's next tick
// takes the rest.
const finaliseBatch = 500

// FinaliseDue closes the notice windows that ended by now with no
// objection open. The run's transaction reads its clock from now, so a
// test's fake clock and the transitions it records agree.
//
// It works in two passes. The first takes each due item's row with a
// conditional UPDATE that re-tests every condition (still in notice, same
// step, window ended, nothing open) and counts rows: a concurrent run, in
// this process or another, blocks on the row and then finds the condition
// false, so an item moves once. Taking every row before touching the
// audit head keeps the lock order the same as Object's and Decide's (item,
// then audit), so runs and objections never deadlock. The second pass
// moves each taken item inside a savepoint, so an applier that fails
// holds back its own item only.
func (s *ReviewService) FinaliseDue(ctx context.Context, now time.Time) (int, error) {
	moved := 0
	var failed []error
	err := s.db.update(ctx, func(tx *Tx) error {
		tx.now = now.UTC()
		moved, failed = 0, nil
		rows, err := tx.query(ctx, `SELECT id, step FROM review_items WHERE state = 'in_notice' AND window_end <= ? AND open_objections = 0
			ORDER BY id LIMIT ?`, tx.nowMS(), finaliseBatch)
		if err != nil {
			return err
		}
		type due struct {
			id   int64
			step int
		}
		var cands []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.step); err != nil {
				rows.Close()
				return err
			}
			cands = append(cands, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var taken []due
		for _, d := range cands {
			res, err := tx.exec(ctx, `UPDATE review_items SET updated_at = ?
				WHERE id = ? AND state = 'in_notice' AND step = ? AND window_end <= ? AND open_objections = 0`, tx.nowMS(), d.id, d.step, tx.nowMS())
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				taken = append(taken, d)
			}
		}
		for _, d := range taken {
			if _, err := tx.exec(ctx, `SAVEPOINT review_finalise`); err != nil {
				return err
			}
			err := s.finalise(ctx, tx, d.id, d.step)
			if err != nil {
				failed = append(failed, fmt.Errorf("finalise review item %d: %w", d.id, err))
				if _, err := tx.exec(ctx, `ROLLBACK TO SAVEPOINT review_finalise`); err != nil {
					return err
				}
			} else {
				moved++
			}
			if _, err := tx.exec(ctx, `RELEASE SAVEPOINT review_finalise`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return moved, errors.Join(failed...)
}

// finalise moves one taken item past its notice step.
func (s *ReviewService) finalise(ctx context.Context, tx *Tx, id int64, step int) error {
	it, err := tx.reviewItem(ctx, id)
	if err != nil {
		return err
	}
	flow, err := s.flows.Get(it.Flow)
	if err != nil {
		return err
	}
	st, ws, we := flow.WithNotice(it.NoticeDays).Enter(step+1, tx.now)
	if err := tx.exactlyOne(ctx, fmt.Errorf("item %d changed under its row lock", id), `UPDATE review_items SET step = ?, state = ?, window_start = ?,
		window_end = ?, updated_at = ? WHERE id = ? AND state = 'in_notice' AND step = ? AND open_objections = 0`,
		step+1, string(st), timeMS(ws), timeMS(we), tx.nowMS(), id, step); err != nil {
		return err
	}
	from := it.State
	it.Step, it.State, it.WindowStart, it.WindowEnd, it.Updated = step+1, st, ws, we, tx.now
	return s.moved(ctx, tx, nil, it, step, review.ActFinalise, from, "", "")
}
