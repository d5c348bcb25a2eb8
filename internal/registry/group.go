package registry

import "regexp"

// groupRe finds a village group (村民小组) in an address as villages write
// it: 三组, 第3村民小组, 二社, 五队.
var groupRe = regexp.MustCompile(`第?[0-9一二三四五六七八九十百]+(?:村民小组|小组|组|社|队)`)

// streetRe finds a street where an address has no group: 团结路, 新华街,
// 东巷 (at most eight characters before the ending, so a whole sentence
// is never taken for a street name).
var streetRe = regexp.MustCompile(`\p{Han}{1,8}?(?:大街|街|路|巷|胡同)`)

// GroupOf is the village group, or failing that the street, an address
// names; "" when it names neither. Inspection sheets are walked group by
// group, so the clerk filters by it.
func GroupOf(address string) string {
	address = Fold(address)
	if g := groupRe.FindString(address); g != "" {
		return g
	}
	return streetRe.FindString(address)
}
