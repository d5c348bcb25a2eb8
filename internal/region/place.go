package region

import (
	"slices"
	"strings"

	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
)

// Place is a village with the township and banner it lies in, the way a
// sheet filled in by hand has to tell it apart: 兴安盟 has 86 village
// names that repeat across the league and 22 inside one banner (兴隆村
// three times in 科右前旗), so a name alone is not an address.
type Place struct {
	Code         string
	Name         string
	Township     string // the township's code
	TownshipName string
	BannerName   string
}

// Where is the place as a person reads it: banner, township and village.
func (p Place) Where() string {
	return strings.TrimSpace(p.BannerName + " " + p.TownshipName + " " + p.Name)
}

// Places resolves the villages a sheet names among the villages of one
// region. It is built once per sheet, so a 5,000-row league sheet looks
// each row up in a map rather than the database.
type Places struct {
	byCode map[string]Place
	byName map[string][]Place
}

// NewPlaces indexes places by code and by name.
func NewPlaces(ps []Place) *Places {
	out := &Places{byCode: map[string]Place{}, byName: map[string][]Place{}}
	for _, p := range ps {
		out.byCode[p.Code] = p
		out.byName[p.Name] = append(out.byName[p.Name], p)
	}
	return out
}

// MaxCandidates bounds the candidates an ambiguity error lists; a name
// that repeats more often than this needs its township anyway.
const MaxCandidates = 8

// Resolve finds the one village that village (a 12-digit code, a name, or
// a township's name followed by the village's) and township (a township's
// name or code, or empty) mean. A name shared by several villages and not
// told apart by the township is fault.Invalid on the field "village"
// listing each candidate with its township and code, never a guess: a
// guessed village puts a person in somebody else's village without
// anyone noticing.
func (ps *Places) Resolve(village, township string) (Place, error) {
	village, township = strings.TrimSpace(village), strings.TrimSpace(township)
	if p, ok := ps.byCode[village]; ok && regioncode.LevelOf(village) == regioncode.Village {
		if township == "" || inTownship(p, township) {
			return p, nil
		}
		return Place{}, fault.OnField(fault.Invalid, "village", "region.place.not_in_township", village, township)
	}
	if village == "" {
		return Place{}, fault.OnField(fault.Invalid, "village", "region.place.missing")
	}
	cands := ps.byName[village]
	if len(cands) == 0 {
		// "科尔沁镇平安村" or "科尔沁镇 平安村": a township's name written in
		// front of the village's, the way a form's one box gets filled.
		for name, list := range ps.byName {
			head, ok := strings.CutSuffix(village, name)
			if !ok || head == "" {
				continue
			}
			for _, p := range list {
				if inTownship(p, strings.TrimSpace(head)) {
					cands = append(cands, p)
				}
			}
		}
	}
	if township != "" {
		var in []Place
		for _, p := range cands {
			if inTownship(p, township) {
				in = append(in, p)
			}
		}
		if len(in) == 0 && len(cands) > 0 {
			return Place{}, fault.OnField(fault.Invalid, "village", "region.place.not_in_township", village, township)
		}
		cands = in
	}
	slices.SortFunc(cands, func(a, b Place) int { return strings.Compare(a.Code, b.Code) })
	switch len(cands) {
	case 0:
		return Place{}, fault.OnField(fault.Invalid, "village", "region.place.unknown", village)
	case 1:
		return cands[0], nil
	}
	var list []string
	for i, p := range cands {
		if i == MaxCandidates {
			list = append(list, "……")
			break
		}
		list = append(list, p.Where()+"（"+p.Code+"）")
	}
	return Place{}, fault.OnField(fault.Invalid, "village", "region.place.ambiguous", village, len(cands), strings.Join(list, "、"))
}

// inTownship reports whether p lies in the township named or coded t.
func inTownship(p Place, t string) bool {
	return t == p.Township || t == p.TownshipName || t == p.BannerName+p.TownshipName || t == p.BannerName+" "+p.TownshipName
}
