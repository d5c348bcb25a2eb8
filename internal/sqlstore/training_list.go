package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

// TrainingService implements training.Service: the cadre-training
// programme of the organisation departments.
type TrainingService struct{ db *DB }

// Training returns the store's cadre-training programme.
func (db *DB) Training() *TrainingService { return &TrainingService{db: db} }

var _ training.Service = (*TrainingService)(nil)

// trainingReachable is permReachable for the programme.
func trainingReachable(loadErr error, a *access.Actor, home string, manage bool) error {
	return permReachable(loadErr, a, home, access.TrainingRead, access.TrainingManage, manage)
}

// trainingRegion checks the region a new object of the programme is made
// at: one the actor manages the programme at, and an active region.
func (tx *Tx) trainingRegion(ctx context.Context, a *access.Actor, code string) error {
	if !training.CanManage(a, code) {
		return fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	var status string
	err := tx.queryRow(ctx, `SELECT status FROM regions WHERE code = ?`, code).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status != "active" {
		return fault.OnField(fault.Invalid, "region", "org.unit.region_invalid")
	}
	return err
}

const listSelect = `SELECT l.id, l.region_code, r.name, l.title, l.version, l.published_at FROM training_lists l JOIN regions r ON r.code = l.region_code`

func scanList(s interface{ Scan(...any) error }) (training.List, error) {
	var l training.List
	var pub int64
	err := s.Scan(&l.ID, &l.Region, &l.RegionName, &l.Title, &l.Version, &pub)
	if pub != 0 {
		l.Published = time.UnixMilli(pub)
	}
	return l, err
}

// listFor loads a list version with its items and the classes that
// address each.
func (tx *Tx) listFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*training.List, error) {
	l, err := scanList(tx.queryRow(ctx, listSelect+` WHERE l.id = ?`, id))
	if err := trainingReachable(err, a, l.Region, manage); err != nil {
		return nil, err
	}
	l.Items, err = queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (training.Item, error) {
		var it training.Item
		err := s.Scan(&it.ID, &it.Rank, &it.RankName, &it.Sector, &it.Competency, &it.Priority)
		return it, err
	}, `SELECT i.id, i.rank_code, k.name, i.sector, i.competency, i.priority FROM training_list_items i JOIN cadre_ranks k ON k.code = i.rank_code
		WHERE i.list_id = ? ORDER BY k.position, i.sector, i.priority, i.id`, id)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, it := range l.Items {
		at[it.ID] = i
	}
	type cover struct {
		item int64
		ref  training.ClassRef
	}
	covers, err := queryAll(ctx, tx, func(s interface{ Scan(...any) error }) (cover, error) {
		var c cover
		err := s.Scan(&c.item, &c.ref.ID, &c.ref.Name)
		return c, err
	}, `SELECT ci.item_id, c.id, c.name FROM training_class_items ci JOIN training_classes c ON c.id = ci.class_id
		JOIN training_list_items i ON i.id = ci.item_id WHERE i.list_id = ? ORDER BY c.start_on, c.id`, id)
	if err != nil {
		return nil, err
	}
	for _, c := range covers {
		it := &l.Items[at[c.item]]
		it.Classes = append(it.Classes, c.ref)
	}
	return &l, nil
}

// draftFor loads a list version the actor manages that is still a draft.
func (tx *Tx) draftFor(ctx context.Context, a *access.Actor, id int64) (*training.List, error) {
	l, err := tx.listFor(ctx, a, id, true)
	if err != nil {
		return nil, err
	}
	if !l.Draft() {
		return nil, fault.E(fault.Conflict, "training.list.published", l.Version)
	}
	return l, nil
}

// Lists lists the versions of the lists the actor reads, newest first.
func (s *TrainingService) Lists(ctx context.Context, a *access.Actor, region string) ([]training.List, error) {
	scopes, err := orgScopes(a, access.TrainingRead, region)
	if err != nil {
		return nil, err
	}
	where, args := scopeWhere("l.region_code", scopes)
	var out []training.List
	err = s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanList, listSelect+` WHERE `+where+` ORDER BY l.region_code, l.version DESC`, args...)
		return err
	})
	return out, err
}

// List returns a version with its coverage.
func (s *TrainingService) List(ctx context.Context, a *access.Actor, id int64) (*training.List, error) {
	var out *training.List
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.listFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// CreateList starts the next version, carrying over the items of the
// latest published one. A second draft beside an open one is refused.
func (s *TrainingService) CreateList(ctx context.Context, a *access.Actor, in training.ListInput) (*training.List, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *training.List
	err := s.db.update(ctx, func(tx *Tx) error {
		if err := tx.trainingRegion(ctx, a, in.Region); err != nil {
			return err
		}
		var version, open int
		var last int64
		if err := tx.queryRow(ctx, `SELECT COALESCE(max(version), 0), count(*) - count(NULLIF(published_at, 0)),
			COALESCE(max(CASE WHEN published_at <> 0 THEN id END), 0) FROM training_lists WHERE region_code = ?`, in.Region).Scan(&version, &open, &last); err != nil {
			return err
		}
		if open > 0 {
			return fault.E(fault.Conflict, "training.list.draft_open")
		}
		id, err := tx.insertID(ctx, `INSERT INTO training_lists (region_code, title, version, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			in.Region, in.Title, version+1, tx.nowMS())
		if err != nil {
			return err
		}
		if last != 0 {
			if _, err := tx.exec(ctx, `INSERT INTO training_list_items (list_id, rank_code, sector, competency, priority)
				SELECT ?, rank_code, sector, competency, priority FROM training_list_items WHERE list_id = ?`, id, last); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.list.create", target: fmt.Sprintf("training_list:%d", id), region: in.Region,
			detail: fmt.Sprintf("%s; 第 %d 版", in.Title, version+1)}); err != nil {
			return err
		}
		out, err = tx.listFor(ctx, a, id, false)
		return err
	})
	return out, err
}

// checkItem checks an item for a draft: its fields, a rank of the list
// and not on the draft already.
func (tx *Tx) checkItem(ctx context.Context, l *training.List, in *training.ItemInput) error {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	var rank, twice int
	if err := tx.queryRow(ctx, `SELECT (SELECT count(*) FROM cadre_ranks WHERE code = ?),
		(SELECT count(*) FROM training_list_items WHERE list_id = ? AND rank_code = ? AND sector = ? AND competency = ?)`,
		in.Rank, l.ID, in.Rank, in.Sector, in.Competency).Scan(&rank, &twice); err != nil {
		return err
	}
	if rank == 0 {
		return fault.OnField(fault.Invalid, "rank", "cadre.rank_invalid")
	}
	if twice > 0 {
		return fault.OnField(fault.Conflict, "competency", "training.list.item_twice", in.Competency)
	}
	return nil
}

// addItem checks and adds an item to a draft.
func (tx *Tx) addItem(ctx context.Context, a *access.Actor, l *training.List, in training.ItemInput) (int64, error) {
	if err := tx.checkItem(ctx, l, &in); err != nil {
		return 0, err
	}
	id, err := tx.insertID(ctx, `INSERT INTO training_list_items (list_id, rank_code, sector, competency, priority) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		l.ID, in.Rank, in.Sector, in.Competency, in.Priority)
	if isUniqueViolation(err) {
		return 0, fault.OnField(fault.Conflict, "competency", "training.list.item_twice", in.Competency)
	}
	if err != nil {
		return 0, err
	}
	return id, tx.audit(ctx, a, auditEntry{action: "training.list.item", target: fmt.Sprintf("training_list:%d", l.ID), region: l.Region,
		detail: fmt.Sprintf("+ %s; %s; %s; %d", in.Rank, in.Sector, in.Competency, in.Priority)})
}

// AddItem adds an item to a draft version.
func (s *TrainingService) AddItem(ctx context.Context, a *access.Actor, list int64, in training.ItemInput) (*training.List, error) {
	var out *training.List
	err := s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.draftFor(ctx, a, list)
		if err != nil {
			return err
		}
		if _, err := tx.addItem(ctx, a, l, in); err != nil {
			return err
		}
		out, err = tx.listFor(ctx, a, list, false)
		return err
	})
	return out, err
}

// RemoveItem takes an item off a draft version; one a class already
// addresses stays, so a class never points at nothing.
func (s *TrainingService) RemoveItem(ctx context.Context, a *access.Actor, list, item int64) (*training.List, error) {
	var out *training.List
	err := s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.draftFor(ctx, a, list)
		if err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM training_class_items WHERE item_id = ?`, item).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.E(fault.Conflict, "training.list.item_in_use", n)
		}
		if err := tx.exactlyOne(ctx, fault.E(fault.NotFound, "error.not_found"), `DELETE FROM training_list_items WHERE id = ? AND list_id = ?`, item, list); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.list.item", target: fmt.Sprintf("training_list:%d", list), region: l.Region,
			detail: fmt.Sprintf("- item:%d", item)}); err != nil {
			return err
		}
		out, err = tx.listFor(ctx, a, list, false)
		return err
	})
	return out, err
}

// ImportItems checks each row as AddItem would and, when commit is set,
// adds the rows that pass to the draft in one transaction.
func (s *TrainingService) ImportItems(ctx context.Context, a *access.Actor, list int64, rows []training.ItemRow, commit bool) ([]training.ItemRow, error) {
	var l *training.List
	if err := s.db.view(ctx, func(tx *Tx) (err error) {
		l, err = tx.draftFor(ctx, a, list)
		return err
	}); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	return importRows(ctx, s.db, rows, commit, func(tx *Tx, r *training.ItemRow) error {
		if r.Err = tx.checkItem(ctx, l, &r.Input); r.Err != nil {
			return nil
		}
		key := r.Input.Rank + "|" + r.Input.Sector + "|" + r.Input.Competency
		if line, ok := seen[key]; ok {
			r.Err = fault.E(fault.Conflict, "cadre.import_twice", line)
			return nil
		}
		seen[key] = r.Line
		if !commit {
			return nil
		}
		id, err := tx.addItem(ctx, a, l, r.Input)
		r.ID = id
		return err
	})
}

// Publish publishes a draft: from then on it is fixed, and classes may
// address its items.
func (s *TrainingService) Publish(ctx context.Context, a *access.Actor, list int64) (*training.List, error) {
	var out *training.List
	err := s.db.update(ctx, func(tx *Tx) error {
		l, err := tx.draftFor(ctx, a, list)
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return fault.E(fault.Invalid, "training.list.empty")
		}
		if _, err := tx.exec(ctx, `UPDATE training_lists SET published_at = ? WHERE id = ?`, tx.nowMS(), list); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "training.list.publish", target: fmt.Sprintf("training_list:%d", list), region: l.Region,
			detail: fmt.Sprintf("%s; 第 %d 版; %d 项", l.Title, l.Version, len(l.Items))}); err != nil {
			return err
		}
		out, err = tx.listFor(ctx, a, list, false)
		return err
	})
	return out, err
}
