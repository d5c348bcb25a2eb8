// Package regioncode reads the 12-digit statistical codes of the
// administrative hierarchy: 2 digits province, 2 league or city, 2 banner or
// county, 3 sumu or township, 3 gacha or village. A code's significant
// prefix is its scope: a role at a township reaches exactly the codes that
// start with that township's nine digits.
package regioncode

import "strings"

// Level is the depth of a region in the hierarchy.
type Level int

// The five levels, by the names locals use for each.
const (
	Province Level = 1 // 自治区
	League   Level = 2 // 盟 / 市
	Banner   Level = 3 // 旗 / 县 / 市 / 区
	Township Level = 4 // 苏木 / 乡 / 镇 / 街道
	Village  Level = 5 // 嘎查 / 村 / 社区
)

// prefixLen is how many leading digits of a code are significant at each
// level; the rest are zeros.
var prefixLen = [...]int{0, 2, 4, 6, 9, 12}

// PrefixLen is how many leading digits every code of level l keeps.
func PrefixLen(l Level) int { return prefixLen[l] }

// ValidCode reports whether code is twelve digits with a level its zeros
// agree with.
func ValidCode(code string) bool {
	return LevelOf(code) != 0
}

// LevelOf derives a code's level from its trailing zero groups; 0 means the
// code is malformed: not twelve digits, or a zero group above a non-zero one
// (a village under no township).
func LevelOf(code string) Level {
	if len(code) != 12 {
		return 0
	}
	for i := 0; i < 12; i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0
		}
	}
	level := Level(0)
	for l := Province; l <= Village; l++ {
		if strings.Trim(code[prefixLen[l-1]:prefixLen[l]], "0") == "" {
			continue
		}
		if level != l-1 {
			return 0
		}
		level = l
	}
	return level
}

// Prefix returns the significant digits of code: the string every code
// below it starts with.
func Prefix(code string) string {
	l := LevelOf(code)
	if l == 0 {
		return code
	}
	return code[:prefixLen[l]]
}

// Covers reports whether the region ancestor is code itself or above it.
func Covers(ancestor, code string) bool {
	return strings.HasPrefix(code, Prefix(ancestor))
}

// Range returns the half-open interval [lo, hi) of codes below and
// including code, so a store can scope a query with an index range scan
// instead of LIKE.
func Range(code string) (lo, hi string) {
	p := Prefix(code)
	// A malformed code is its own prefix; one longer than twelve digits
	// (FuzzCode found it) has no zeros to pad.
	lo = p + strings.Repeat("0", max(0, 12-len(p)))
	hi = p + ":" // ':' sorts right after '9', so every code below p is less
	return lo, hi
}
