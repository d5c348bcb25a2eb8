package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/scheme"
)

// StartDraft replaces a region's draft with one taken from src, or from
// the region's own latest version when src is "".
func (s *SchemeService) StartDraft(ctx context.Context, a *access.Actor, code string, src scheme.Source, from string) (*scheme.Scheme, error) {
	if err := schemeManageable(a, code); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.update(ctx, func(tx *Tx) error {
		r, err := tx.activeRegion(ctx, code)
		if err != nil {
			return err
		}
		var d scheme.Scheme
		if src == "" {
			cur, err := tx.schemeHeader(ctx, `region_code = ? ORDER BY version DESC LIMIT 1`, code)
			if fault.Is(err, fault.NotFound) {
				return fault.OnField(fault.Invalid, "source", "scheme.source")
			}
			if err != nil {
				return err
			}
			if err := tx.schemeContent(ctx, cur); err != nil {
				return err
			}
			d = *cur
		} else if d, err = tx.schemeSource(ctx, r, src, from, scheme.Today(tx.now)); err != nil {
			return err
		}
		d.ID, d.Version, d.EffectiveFrom, d.EffectiveTo, d.Actor, d.CreatedAt = 0, 0, time.Time{}, time.Time{}, "", time.Time{}
		d.Normalize()
		out = &d
		return tx.keepDraft(ctx, a, &d, "scheme.draft.start", fmt.Sprintf("from %s %s", orDash(string(src)), from))
	})
	return out, err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SaveDraft validates a whole draft and keeps it in place of the last.
// What the draft is a copy of, and whether it is a layer, stay as the
// draft was started: a form cannot turn a layer into a standalone scheme.
func (s *SchemeService) SaveDraft(ctx context.Context, a *access.Actor, in scheme.Scheme) (*scheme.Scheme, error) {
	if err := schemeManageable(a, in.Region); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.update(ctx, func(tx *Tx) error {
		cur, err := tx.draft(ctx, in.Region)
		if fault.Is(err, fault.Conflict) {
			cur, err = &scheme.Scheme{Source: scheme.Imported}, nil
		}
		if err != nil {
			return err
		}
		d := in
		d.ID, d.Version, d.Source, d.Inherits, d.EffectiveTo = 0, 0, cur.Source, cur.Inherits, time.Time{}
		d.Normalize()
		// Validate wants a first day; the draft gets its own when published.
		d.EffectiveFrom = scheme.Today(tx.now)
		if err := d.Validate(); err != nil {
			return err
		}
		d.EffectiveFrom = time.Time{}
		out = &d
		return tx.keepDraft(ctx, a, &d, "scheme.draft.save", fmt.Sprintf("%d aspects, %d items", len(d.Aspects), len(d.Items)))
	})
	return out, err
}

// Draft returns a region's draft.
func (s *SchemeService) Draft(ctx context.Context, a *access.Actor, code string) (*scheme.Scheme, error) {
	if err := schemeManageable(a, code); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.draft(ctx, code)
		if fault.Is(err, fault.Conflict) {
			out, err = nil, nil
		}
		return err
	})
	return out, err
}

// DiscardDraft drops a region's draft.
func (s *SchemeService) DiscardDraft(ctx context.Context, a *access.Actor, code string) error {
	if err := schemeManageable(a, code); err != nil {
		return err
	}
	return s.db.update(ctx, func(tx *Tx) error {
		if err := tx.exactlyOne(ctx, fault.E(fault.Conflict, "scheme.draft.none"), `DELETE FROM scheme_drafts WHERE region_code = ?`, code); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "scheme.draft.discard", target: "scheme_draft:" + code, region: code})
	})
}

// PublishDraft writes a region's draft as its next version, or its first,
// and drops the draft.
func (s *SchemeService) PublishDraft(ctx context.Context, a *access.Actor, code string, from time.Time) (*scheme.Scheme, error) {
	if err := schemeManageable(a, code); err != nil {
		return nil, err
	}
	var out *scheme.Scheme
	err := s.db.update(ctx, func(tx *Tx) error {
		if _, err := tx.activeRegion(ctx, code); err != nil {
			return err
		}
		d, err := tx.draft(ctx, code)
		if err != nil {
			return err
		}
		d.EffectiveFrom = from
		if d.EffectiveFrom.IsZero() {
			d.EffectiveFrom = scheme.Today(tx.now)
		}
		if err := tx.checkRemovedInReview(ctx, d); err != nil {
			return err
		}
		cur, err := tx.schemeHeader(ctx, `region_code = ? ORDER BY version DESC LIMIT 1`, code)
		switch {
		case fault.Is(err, fault.NotFound):
			err = tx.createScheme(ctx, a, d)
		case err == nil:
			err = tx.publishScheme(ctx, a, cur, d)
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM scheme_drafts WHERE region_code = ?`, code); err != nil {
			return err
		}
		out = d
		return nil
	})
	if isUniqueViolation(err) {
		return nil, fault.Wrap(fault.Conflict, err, "scheme.version_race")
	}
	return out, err
}

// checkRemovedInReview refuses a version that, on its first day, no
// longer has an item which awards still in review under the region use:
// their committee would be approving points for conduct the village's
// rules no longer name.
func (tx *Tx) checkRemovedInReview(ctx context.Context, d *scheme.Scheme) error {
	chain, err := tx.schemeChain(ctx, d.Region, d.EffectiveFrom)
	if err != nil {
		return err
	}
	before, err := scheme.Effective(chain, d.Region, d.EffectiveFrom)
	if fault.Is(err, fault.NotFound) {
		return nil // nothing was in force, so nothing is removed
	}
	if err != nil {
		return err
	}
	// A version that breaks an owner's rule is refused later, by name.
	after, err := scheme.Effective(withVersion(chain, d), d.Region, d.EffectiveFrom)
	if err != nil {
		return nil
	}
	var gone []any
	for _, it := range before.Items {
		if _, ok := after.Item(it.Code); !ok {
			gone = append(gone, it.Code)
		}
	}
	if len(gone) == 0 {
		return nil
	}
	lo, hi := regioncode.Range(d.Region)
	var name string
	var n int
	// The region's pending awards are its award flow's open review items
	// (an award leaves pending as its review ends), which the review
	// queue's index finds by region: awards keep no index by village.
	err = tx.queryRow(ctx, `SELECT i.title, count(*) FROM review_items i JOIN awards a ON a.id = i.subject_id
		WHERE i.region_code >= ? AND i.region_code < ? AND i.flow = ? AND i.subject_kind IN ('award', ?) AND i.state IN ('pending', 'in_notice')
		AND a.status = 'pending' AND a.item_code IN `+placeholders(1, len(gone))+` GROUP BY i.title ORDER BY count(*) DESC, i.title LIMIT 1`,
		append([]any{lo, hi, points.AwardFlow, CorrectionKind}, gone...)...).Scan(&name, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fault.E(fault.Conflict, "scheme.item_in_review", name, n)
}

// draft reads a region's draft.
func (tx *Tx) draft(ctx context.Context, code string) (*scheme.Scheme, error) {
	var body, actor string
	var at int64
	err := tx.queryRow(ctx, `SELECT body, actor_name, updated_at FROM scheme_drafts WHERE region_code = ?`, code).Scan(&body, &actor, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fault.E(fault.Conflict, "scheme.draft.none")
	}
	if err != nil {
		return nil, err
	}
	var d scheme.Scheme
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, fmt.Errorf("scheme draft %s: %w", code, err)
	}
	d.Region, d.Actor, d.CreatedAt = code, actor, time.UnixMilli(at)
	return &d, nil
}

// keepDraft stores d as its region's draft and audits the write.
func (tx *Tx) keepDraft(ctx context.Context, a *access.Actor, d *scheme.Scheme, action, detail string) error {
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	uid, uname := actorRef(a)
	d.Actor, d.CreatedAt = uname, tx.now
	if _, err := tx.exec(ctx, `INSERT INTO scheme_drafts (region_code, body, actor_id, actor_name, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (region_code) DO UPDATE SET body = excluded.body, actor_id = excluded.actor_id, actor_name = excluded.actor_name,
		updated_at = excluded.updated_at`, d.Region, string(body), uid, uname, tx.nowMS()); err != nil {
		return err
	}
	return tx.audit(ctx, a, auditEntry{action: action, target: "scheme_draft:" + d.Region, region: d.Region, detail: strings.TrimSpace(detail)})
}
