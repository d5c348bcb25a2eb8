// Package region is the administrative hierarchy of Inner Mongolia as the
// statistics bureau codes it: 2 digits province, 2 league or city, 2 banner
// or county, 3 sumu or township, 3 gacha or village. Every object in the
// product hangs under a village, and a code's prefix is its scope: a role at
// a township reaches exactly the codes that start with that township's
// nine digits.
package region

import (
	"context"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/regioncode"
)

// Status of a region. Retired and merged villages stay in the table, so old
// records and the history still name them.
type Status string

// The statuses.
const (
	Active  Status = "active"
	Retired Status = "retired"
	Merged  Status = "merged"
)

// Region is one unit of the hierarchy.
type Region struct {
	Code       string
	ParentCode string
	Name       string
	Level      regioncode.Level
	Kind       string // 盟, 旗, 苏木, 嘎查 ... as the name's suffix says
	Status     Status
	MergedInto string
	// NameMongol is the region's name in traditional Mongolian script,
	// for the heading of its bilingual public pages; empty when unset.
	NameMongol string
	// Script is how the village writes its public pages, as chosen on its
	// manage page; ScriptByKind until someone chooses.
	Script Script
	// Counts, filled by tree queries only.
	Children   int
	Households int
	Residents  int
}

// Script is the writing of a village's public outputs (notices, boards,
// cards, certificates).
type Script string

// The choices. By kind, a 嘎查 writes Mongolian and Chinese, Mongolian
// first, as the autonomous region's rules on public writing ask of places
// with Mongolian families, and a 村 or 社区 writes Chinese only.
const (
	ScriptByKind    Script = ""
	ScriptBilingual Script = "mn-zh"
	ScriptChinese   Script = "zh"
)

// ValidScript reports whether s is one of the choices.
func ValidScript(s Script) bool {
	return s == ScriptByKind || s == ScriptBilingual || s == ScriptChinese
}

// Bilingual reports whether the region's public pages carry Mongolian
// beside Chinese: its own choice, or its kind when it has made none (a 嘎查
// or a 苏木, whose names say they are Mongolian places).
func (r *Region) Bilingual() bool {
	if r.Script == ScriptByKind {
		return r.Kind == "嘎查" || r.Kind == "苏木"
	}
	return r.Script == ScriptBilingual
}

// Event is one entry of a region's history: a rename, an addition, a merge
// or a retirement, with who did it and why.
type Event struct {
	ID      int64
	Code    string
	Kind    string // created, renamed, merged, retired
	OldName string
	NewName string
	Other   string // the other village of a merge
	Reason  string
	Actor   string
	At      time.Time
}

// Service manages the hierarchy. Every method takes the acting user and
// returns fault.Forbidden when the actor's scope does not reach the region,
// fault.NotFound for unknown codes and fault.Invalid for bad input.
type Service interface {
	Get(ctx context.Context, a *access.Actor, code string) (*Region, error)
	// Path returns the chain from the province down to code, for breadcrumbs.
	Path(ctx context.Context, a *access.Actor, code string) ([]Region, error)
	// Names returns the full name path of each code ("内蒙古自治区 兴安盟
	// …"), leaving out codes that name no region. Region names are public,
	// so no scope applies: the security administrator, who reads no
	// region's data, checks a grant's region with it.
	Names(ctx context.Context, codes []string) (map[string]string, error)
	// Children lists the direct children of code with counts of their
	// children, households and residents.
	Children(ctx context.Context, a *access.Actor, code string) ([]Region, error)
	// Totals returns code with its counts filled: active children,
	// households and registered residents, summed over its children or,
	// for a village, counted in its own register.
	Totals(ctx context.Context, a *access.Actor, code string) (Region, error)
	// Search finds regions by name within the actor's scope.
	Search(ctx context.Context, a *access.Actor, q string, limit int) ([]Region, error)
	History(ctx context.Context, a *access.Actor, code string) ([]Event, error)
	Rename(ctx context.Context, a *access.Actor, code, name, reason string) error
	// AddVillage creates a village under a township with the next free code
	// of the range reserved for locally added villages.
	AddVillage(ctx context.Context, a *access.Actor, township, name, reason string) (*Region, error)
	// Merge folds village from into village into: its households follow,
	// and from stays on record as merged.
	Merge(ctx context.Context, a *access.Actor, from, into, reason string) error
	// Retire ends a village that has no households left.
	Retire(ctx context.Context, a *access.Actor, code, reason string) error
	// SetScript chooses how a village writes its public pages and records
	// its Mongolian name; fault.Invalid for a choice that is not one, a
	// name not in traditional script or one typed with a legacy input
	// method.
	SetScript(ctx context.Context, a *access.Actor, code string, script Script, nameMongol, reason string) error
	// PublicScript returns what a village's public pages need of it:
	// its names and its script. Region names are public, so no scope
	// applies.
	PublicScript(ctx context.Context, code string) (*Region, error)
}

// KindOf names a village-level unit's kind from its name, for villages
// added by hand.
func KindOf(level regioncode.Level, name string) string {
	suffixes := map[regioncode.Level][]string{
		regioncode.League:   {"盟", "市"},
		regioncode.Banner:   {"旗", "县", "市", "区"},
		regioncode.Township: {"苏木", "乡", "镇", "街道"},
		regioncode.Village:  {"嘎查", "村", "社区"},
	}[level]
	for _, s := range suffixes {
		if strings.HasSuffix(name, s) {
			return s
		}
	}
	return "其他"
}

// LocalFirst is the first village number of the range a township hands out
// to villages added locally. Statistical village numbers run from 001 to
// about 250 (居委会 below 200, 村委会 from 200), so 900 and up never clash
// with a code the bureau has issued.
const LocalFirst = 900
