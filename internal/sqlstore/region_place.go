package sqlstore

import (
	"context"

	"shanzhi/internal/region"
	"shanzhi/internal/regioncode"
)

// places indexes the active villages below code with their township and
// banner names, in one query however many villages a league has, for
// resolving the villages a sheet names.
func (tx *Tx) places(ctx context.Context, code string) (*region.Places, error) {
	lo, hi := regioncode.Range(code)
	rows, err := tx.query(ctx, `SELECT v.code, v.name, t.code, t.name, COALESCE(b.name, '')
		FROM regions v JOIN regions t ON t.code = v.parent_code LEFT JOIN regions b ON b.code = t.parent_code
		WHERE v.level = 5 AND v.status = 'active' AND v.code >= ? AND v.code < ? ORDER BY v.code`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []region.Place
	for rows.Next() {
		var p region.Place
		if err := rows.Scan(&p.Code, &p.Name, &p.Township, &p.TownshipName, &p.BannerName); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return region.NewPlaces(ps), rows.Err()
}
