package org

import (
	"strings"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// GridKind is what a grid is called where it lies: a grid in the
// countryside, a residential compound or a building in town.
type GridKind string

// The grid kinds.
const (
	GridPlain    GridKind = "grid"     // 网格
	GridCompound GridKind = "compound" // 小区
	GridBuilding GridKind = "building" // 楼栋
)

// GridKinds lists the kinds in the order forms show them.
var GridKinds = []GridKind{GridPlain, GridCompound, GridBuilding}

// GridInput is what a user gives for a grid.
type GridInput struct {
	Village string
	Name    string
	Kind    GridKind
}

// Validate checks a grid: it divides one village or community.
func (in GridInput) Validate() error {
	var fs fault.Fields
	if regioncode.LevelOf(in.Village) != regioncode.Village {
		fs.Add("village", "org.grid.village_invalid")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > MaxName {
		fs.Add("name", "org.name_invalid", MaxName)
	}
	ok := false
	for _, k := range GridKinds {
		ok = ok || in.Kind == k
	}
	if !ok {
		fs.Add("kind", "org.grid.kind_invalid")
	}
	return fs.Err()
}

// GridHousehold is a household of a grid, as its list shows it.
type GridHousehold struct {
	ID      int64
	Number  string
	Head    string
	Address string
}

// Grid is a stored grid.
type Grid struct {
	GridInput
	ID          int64
	VillageName string
	Households  int             // how many, for lists
	Members     []GridHousehold // filled by Service.Grid only
}
