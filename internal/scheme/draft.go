package scheme

import (
	"context"
	"errors"
	"slices"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
)

// Drafts is how a leader prepares a scheme before it is in force: a draft
// is started from the template, from the scheme in force above or in
// another region, edited whole as often as needed, compared with the
// version in force and published from a date. Drafts need
// access.SchemeManage over the region; a region out of reach is
// fault.NotFound, one in sight but not manageable fault.Forbidden.
type Drafts interface {
	// StartDraft replaces the region's draft with one taken from src:
	// FromTemplate, CopyParent (the scheme in force above), Inherit (an
	// empty layer over it), or CopyVillage from region from (which a must
	// be able to read). A region whose scheme exists already starts from
	// its own latest version when src is "".
	StartDraft(ctx context.Context, a *access.Actor, region string, src Source, from string) (*Scheme, error)
	// SaveDraft validates in and keeps it as the region's draft; a draft
	// with a problem is refused with fault.Invalid naming each field, and
	// the stored draft stays as it was. Without a draft to replace, in
	// becomes a standalone scheme's draft (Imported), as a sheet brings it.
	SaveDraft(ctx context.Context, a *access.Actor, in Scheme) (*Scheme, error)
	// Draft returns the region's draft, nil when there is none.
	Draft(ctx context.Context, a *access.Actor, region string) (*Scheme, error)
	// DiscardDraft drops the region's draft.
	DiscardDraft(ctx context.Context, a *access.Actor, region string) error
	// PublishDraft writes the draft as the region's next version (or its
	// first), in force from from, and drops the draft. Besides Create's
	// and Publish's refusals it refuses with fault.Conflict to drop an item
	// that awards still in review use.
	PublishDraft(ctx context.Context, a *access.Actor, region string, from time.Time) (*Scheme, error)
}

// Change is how an item of a draft differs from the version in force.
type Change string

// The changes.
const (
	Added   Change = "added"
	Removed Change = "removed"
	Changed Change = "changed"
	Same    Change = "same"
)

// ItemDiff is one item compared across two versions; Old or New is nil
// where the item is missing, and Fields names what changed.
type ItemDiff struct {
	Code   string
	Change Change
	Old    *Item
	New    *Item
	Fields []string
}

// Diff compares the items of a draft (next) with those of the version in
// force (cur), item by item by code: the draft's items in its order, then
// the removed ones.
func Diff(cur, next []Item) []ItemDiff {
	old := map[string]*Item{}
	for i := range cur {
		old[cur[i].Code] = &cur[i]
	}
	var out []ItemDiff
	seen := map[string]bool{}
	for i := range next {
		n := &next[i]
		seen[n.Code] = true
		o, ok := old[n.Code]
		if !ok {
			out = append(out, ItemDiff{Code: n.Code, Change: Added, New: n})
			continue
		}
		d := ItemDiff{Code: n.Code, Change: Same, Old: o, New: n, Fields: itemChanges(*o, *n)}
		if len(d.Fields) > 0 {
			d.Change = Changed
		}
		out = append(out, d)
	}
	for i := range cur {
		if !seen[cur[i].Code] {
			out = append(out, ItemDiff{Code: cur[i].Code, Change: Removed, Old: &cur[i]})
		}
	}
	return out
}

// itemChanges names the fields that differ between two versions of an
// item, by the names forms use.
func itemChanges(o, n Item) []string {
	var fs []string
	add := func(differ bool, name string) {
		if differ {
			fs = append(fs, name)
		}
	}
	add(o.Aspect != n.Aspect, "aspect")
	add(o.Name != n.Name, "name")
	add(o.Description != n.Description, "description")
	add(o.Points != n.Points, "points")
	add(o.Unit != n.Unit, "unit")
	add(o.Cap != n.Cap || o.Cap > 0 && o.CapPeriod != n.CapPeriod, "cap")
	add(!slices.Equal(o.Roles, n.Roles), "roles")
	add(o.Evidence != n.Evidence, "evidence")
	add(o.Overridable != n.Overridable, "overridable")
	return fs
}

// DraftChanges compares draft d of region with what it would replace on
// the day now falls on, item by item, leaving out the items that stay the
// same: the region's own version in force, or, when the region has none
// and d stands alone, the scheme in force there through the regions above.
func DraftChanges(ctx context.Context, svc Service, a *access.Actor, region string, d *Scheme, now time.Time) ([]ItemDiff, error) {
	vs, err := svc.Versions(ctx, a, region)
	if err != nil {
		return nil, err
	}
	today := Today(now)
	var cur []Item
	own := false
	for _, v := range vs {
		if v.InForce(today) {
			s, err := svc.Get(ctx, a, region, v.Version)
			if err != nil {
				return nil, err
			}
			cur, own = s.Items, true
			break
		}
	}
	if !own && !d.Inherits {
		res, err := svc.Resolve(ctx, a, region, today)
		if err != nil && !fault.Is(err, fault.NotFound) {
			return nil, err
		}
		if res != nil {
			for _, it := range res.Items {
				cur = append(cur, it.Item)
			}
		}
	}
	var out []ItemDiff
	for _, c := range Diff(cur, d.Items) {
		if c.Change != Same {
			out = append(out, c)
		}
	}
	return out, nil
}

// Exported is what travels as a region's scheme: its draft when draft is
// set (fault.Conflict when there is none), else the scheme in force there
// on the day now falls on, inheritance resolved, which a village copying
// it would award by (fault.Conflict when none is).
func Exported(ctx context.Context, svc Service, a *access.Actor, region string, draft bool, now time.Time) (*Scheme, error) {
	if draft {
		d, err := svc.Draft(ctx, a, region)
		if err == nil && d == nil {
			err = fault.E(fault.Conflict, "scheme.draft.none")
		}
		return d, err
	}
	res, err := svc.Resolve(ctx, a, region, Today(now))
	// Nothing in force is no missing page: the region is there.
	if fe := (*fault.Error)(nil); errors.As(err, &fe) && fe.Msg.Key == "scheme.none" {
		err = fault.E(fault.Conflict, "scheme.none")
	}
	if err != nil {
		return nil, err
	}
	s := &Scheme{Region: region, Name: res.Name, BaseScore: res.BaseScore, BasePeriod: res.BasePeriod, CarryOver: res.CarryOver,
		NoticeDays: res.NoticeDays, Aspects: res.Aspects}
	for _, it := range res.Items {
		s.Items = append(s.Items, it.Item)
	}
	return s, nil
}
