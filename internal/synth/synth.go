// Package synth makes plausible but fictitious households and residents for
// the demo, the league-scale data generator and benchmarks. Output depends
// only on the seed and the reference date, and every ID number carries the
// synthetic marker that IsSynthetic checks, so generated people can always
// be told from real ones.
package synth

import (
	"math/bits"
	"math/rand/v2"
	"strconv"
	"time"

	"shanzhi/internal/registry"
)

// maxMembers bounds a household's size.
const maxMembers = 7

// The ethnicities the generator uses.
const (
	mongol = "蒙古族"
	han    = "汉族"
)

// Shares and weights of the household model, from the shape of rural
// registers in eastern Inner Mongolia rather than from any statistic.
const (
	femaleHeadShare    = 0.15 // heads who are women
	spouseShareYounger = 0.88 // male heads under 65 with a wife at home
	spouseShareOlder   = 0.65 // male heads 65 and over with a wife at home
	spouseShareFemale  = 0.35 // female heads with a husband at home
	intermarriageShare = 0.30 // spouses drawn from the whole population instead of the household's group
	parentShare        = 0.15 // heads up to 62 with a parent in the household
	motherShare        = 0.65 // of those parents, mothers: women live longer
	marriedSonShare    = 0.50 // sons of 22 and over who stay with wife and children
	sonStayShare       = 0.50 // unmarried sons of 25 and over still registered at home
	daughterStayShare  = 0.30 // daughters of 25 and over still registered at home
	girlShare          = 0.49 // of children born
	partyShare         = 0.08 // adults who are 中共党员
	leagueShare        = 0.15 // others aged 14–28 who are 共青团员
	phoneShare         = 0.60 // adults with a mobile number on record
)

// year is a year in days, for gaps where a day either way does not matter.
const year = 365

// stream is the PCG's second seed word ("shanzhi!"), fixed so that the
// seed alone chooses the sequence.
const stream uint64 = 0x7368616e7a686921

var (
	childWeights = []int{8, 30, 37, 17, 8} // 0–4 children born
	grandWeights = []int{25, 40, 25, 10}   // 0–3 grandchildren born
)

// Generator makes households from one PCG stream and remembers every ID
// number it has issued, so its output is reproducible from the seed and has
// no duplicate IDs. It is not safe for concurrent use. Separate Generators
// may issue the same ID only for the same banner, so parallel generation
// should give each Generator its own banners.
type Generator struct {
	src        *rand.PCG
	maxDay     int // the latest birth date, in days since 1970-01-01
	ty, tm, td int // maxDay as a date, for ages
	share      float64
	banners    map[string]*banner
	last       *banner
	buf        []byte
	people     [maxMembers]person
}

// New returns a Generator whose output depends only on seed and today's
// date, so the same seed gives the same data on every machine and Go
// version: it draws from math/rand/v2's PCG, whose algorithm is fixed, and
// derives every choice itself rather than through rand.Rand, whose helper
// algorithms carry no such promise. Every birth date is on or before
// today's date, both where today is and in UTC, because Validate compares a
// date's UTC midnight with the time it is given.
func New(seed int64, today time.Time) *Generator {
	y, m, d := today.Date()
	maxDay := daysFromCivil(y, int(m), d)
	unix := today.Unix()
	utc := unix / 86400
	if unix%86400 < 0 {
		utc--
	}
	maxDay = min(maxDay, int(utc))
	g := &Generator{
		src:     rand.NewPCG(uint64(seed), stream),
		maxDay:  maxDay,
		banners: make(map[string]*banner),
		buf:     make([]byte, 0, 1024),
	}
	g.ty, g.tm, g.td = civil(maxDay)
	return g
}

// Household is one generated household: the form fields and its members,
// the head first, ready for the same validation and import path a clerk's
// input takes.
type Household struct {
	Input   registry.HouseholdInput
	Members []registry.ResidentInput
}

// person is a member being planned: names and numbers are written once the
// household's structure is settled.
type person struct {
	rel     string
	gender  registry.Gender
	eth     string
	surname string // the family name of a Han-style name; "" for a Mongolian name
	birth   int    // days since 1970-01-01
}

// Household makes one household of 1–7 members in the village with the
// given 12-digit code and 户号, Mongolian with probability mongolShare and
// otherwise mostly Han, so a village's mix can follow the place it stands
// for. Members are the head, a spouse, sometimes a parent of the head,
// children, and sometimes a married son's wife and their children. It
// panics if villageCode does not start with six digits.
func (g *Generator) Household(villageCode, number string, mongolShare float64) Household {
	b := g.bannerFor(villageCode)
	g.share = mongolShare
	ps := g.plan()

	buf := g.appendAddress(g.buf[:0], villageCode)
	addrEnd := len(buf)
	var offs [maxMembers][5]int // name, birth date, ID and phone boundaries in buf
	members := make([]registry.ResidentInput, len(ps))
	for i := range ps {
		p, m := &ps[i], &members[i]
		m.Gender, m.Ethnicity, m.Relation = p.gender, p.eth, p.rel
		offs[i][0] = len(buf)
		buf, m.NameMongol = g.appendName(buf, p)
		offs[i][1] = len(buf)
		day, seq := g.reserve(b, p.birth, p.gender)
		y, mo, d := civil(day)
		buf = appendDate(buf, y, mo, d)
		offs[i][2] = len(buf)
		buf = appendID(buf, b.code, y, mo, d, seq)
		offs[i][3] = len(buf)
		age := g.age(y, mo, d)
		m.Political = g.political(age)
		if age >= 18 && g.chance(phoneShare) {
			buf = appendPhone(buf, g.intn(10_000_000))
		}
		offs[i][4] = len(buf)
	}
	g.buf = buf
	// One string holds every text field of the household: two allocations
	// per household, however many members.
	s := string(buf)
	for i := range members {
		o, m := &offs[i], &members[i]
		m.Name, m.BirthDate, m.IDNumber, m.Phone = s[o[0]:o[1]], s[o[1]:o[2]], s[o[2]:o[3]], s[o[3]:o[4]]
	}
	return Household{
		Input:   registry.HouseholdInput{Number: number, VillageCode: villageCode, Address: s[:addrEnd]},
		Members: members,
	}
}

// Households makes n households of one village numbered 001, 002 … (at
// least three digits, as village ledgers write them), so a whole village
// comes from one call.
func (g *Generator) Households(villageCode string, n int, mongolShare float64) []Household {
	if n <= 0 {
		return nil
	}
	width := max(3, len(strconv.Itoa(n)))
	out := make([]Household, n)
	var tmp [20]byte
	for i := range out {
		out[i] = g.Household(villageCode, string(appendDigits(tmp[:0], i+1, width)), mongolShare)
	}
	return out
}

// plan settles who lives in the household: relations, genders,
// ethnicities, family names and birth dates, with the gaps between
// generations computed from the younger parent so every child is at least
// twenty years younger than both.
func (g *Generator) plan() []person {
	ps := g.people[:0]
	head := person{rel: registry.Head, gender: registry.Male, eth: g.ethnicity()}
	if g.chance(femaleHeadShare) {
		head.gender = registry.Female
	}
	head.surname = g.familyName(head.eth)
	headAge := 30 + g.intn(26) + g.intn(26) // 30–80, most often in the fifties
	head.birth = g.birthForAge(headAge)
	ps = append(ps, head)

	father, mother := -1, -1
	if head.gender == registry.Male {
		father = 0
	} else {
		mother = 0
	}
	spouse := spouseShareFemale
	if head.gender == registry.Male {
		spouse = spouseShareYounger
		if headAge >= 65 {
			spouse = spouseShareOlder
		}
	}
	if g.chance(spouse) {
		sp := person{rel: "配偶", gender: registry.Female}
		age := headAge - g.intn(7) + 1 // a wife up to five years younger, or one older
		if head.gender == registry.Female {
			sp.gender = registry.Male
			age = headAge + g.intn(6)
		}
		sp.birth = g.birthForAge(min(max(age, 22), 95))
		sp.eth = g.partnerEthnicity(head.eth)
		sp.surname = g.familyName(sp.eth)
		if sp.gender == registry.Male {
			father = len(ps)
		} else {
			mother = len(ps)
		}
		ps = append(ps, sp)
	}

	if headAge <= 62 && g.chance(parentShare) {
		birth := head.birth - 20*year - g.intn(16*year)
		if birth > yearsBefore(g.maxDay, 99) {
			p := person{rel: "父亲", gender: registry.Male, eth: head.eth, surname: head.surname, birth: birth}
			if g.chance(motherShare) {
				p.rel, p.gender = "母亲", registry.Female
				if p.surname != "" {
					p.surname = g.surname(p.eth)
				}
			}
			ps = append(ps, p)
		}
	}

	// Children, born from the younger parent's twentieth to forty-fifth
	// year, a year or more apart.
	ref, kidEth, kidSurname := head.birth, head.eth, head.surname
	if len(ps) > 1 && ps[1].rel == "配偶" {
		ref = max(ref, ps[1].birth)
	}
	switch {
	case father >= 0 && mother >= 0:
		kidEth, kidSurname = mixEthnicity(ps[father].eth, ps[mother].eth), ps[father].surname
	case father < 0 && kidSurname != "":
		kidSurname = g.surname(head.eth) // the absent father's
	}
	over22, over25 := yearsBefore(g.maxDay, 22), yearsBefore(g.maxDay, 25)
	married, reserved := -1, 0
	kids := g.weighted(childWeights)
	off := 20*year + g.intn(10*year)
	for range kids {
		birth := ref + off
		if birth > g.maxDay || off > 45*year || len(ps)+reserved >= maxMembers {
			break
		}
		off += year + g.intn(4*year)
		c := person{rel: "子", gender: registry.Male, eth: kidEth, surname: kidSurname, birth: birth}
		if g.chance(girlShare) {
			c.rel, c.gender = "女", registry.Female
		}
		switch {
		case c.gender == registry.Male && married < 0 && birth <= over22 && len(ps)+2 <= maxMembers && g.chance(marriedSonShare):
			married, reserved = len(ps), 1
		case birth <= over25 && c.gender == registry.Male && !g.chance(sonStayShare),
			birth <= over25 && c.gender == registry.Female && !g.chance(daughterStayShare):
			continue // moved away and registered elsewhere
		}
		ps = append(ps, c)
	}

	if married >= 0 {
		son := ps[married]
		dil := person{rel: "儿媳", gender: registry.Female, birth: son.birth - year + g.intn(6*year)}
		if over20 := yearsBefore(g.maxDay, 20); dil.birth > over20 {
			dil.birth = over20 - g.intn(3*year)
		}
		dil.eth = g.partnerEthnicity(son.eth)
		dil.surname = g.familyName(dil.eth)
		ps = append(ps, dil)
		ref, eth := max(son.birth, dil.birth), mixEthnicity(son.eth, dil.eth)
		n := g.weighted(grandWeights)
		off := 21*year + g.intn(9*year)
		for range n {
			birth := ref + off
			if birth > g.maxDay || len(ps) >= maxMembers {
				break
			}
			off += year + g.intn(4*year)
			c := person{rel: "孙子", gender: registry.Male, eth: eth, surname: son.surname, birth: birth}
			if g.chance(girlShare) {
				c.rel, c.gender = "孙女", registry.Female
			}
			ps = append(ps, c)
		}
	}
	return ps
}

// ethnicity draws a household's ethnic group: Mongolian with probability
// g.share, otherwise mostly Han with a few Manchu, Hui and Daur, as in the
// farming villages of eastern Inner Mongolia.
func (g *Generator) ethnicity() string {
	if g.chance(g.share) {
		return mongol
	}
	switch r := g.intn(100); {
	case r < 92:
		return han
	case r < 96:
		return "满族"
	case r < 99:
		return "回族"
	default:
		return "达斡尔族"
	}
}

// partnerEthnicity draws a spouse's group: mostly the partner's own, else
// anyone's, since Mongol–Han marriages are common.
func (g *Generator) partnerEthnicity(eth string) string {
	if g.chance(intermarriageShare) {
		return g.ethnicity()
	}
	return eth
}

// mixEthnicity gives a child of parents of different groups the minority
// one, as most such families register them, else the father's.
func mixEthnicity(father, mother string) string {
	if father == han {
		return mother
	}
	return father
}

// familyName returns a Han-style family name, or "" for a Mongolian, whose
// names follow no family-name convention.
func (g *Generator) familyName(eth string) string {
	if eth == mongol {
		return ""
	}
	return g.surname(eth)
}

// birthForAge draws a birth date of someone exactly age years old.
func (g *Generator) birthForAge(age int) int {
	lo := yearsBefore(g.maxDay, age+1) + 1
	hi := yearsBefore(g.maxDay, age)
	return lo + g.intn(hi-lo+1)
}

// age returns the age in whole years at the generator's today.
func (g *Generator) age(y, m, d int) int {
	a := g.ty - y
	if g.tm < m || g.tm == m && g.td < d {
		a--
	}
	return a
}

// political draws a political status fitting the age.
func (g *Generator) political(age int) string {
	if age >= 18 && g.chance(partyShare) {
		return "中共党员"
	}
	if age >= 14 && age <= 28 && g.chance(leagueShare) {
		return "共青团员"
	}
	return "群众"
}

// Group numbers in the Chinese numerals addresses use.
var numerals = []string{"一", "二", "三", "四", "五", "六", "七", "八"}

// appendAddress appends an address like "三组 12 号". How many groups a
// village has, and whether it calls them 组 or 社, comes from a hash of its
// code, so a village is consistent across households.
func (g *Generator) appendAddress(buf []byte, villageCode string) []byte {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(villageCode); i++ {
		h = (h ^ uint32(villageCode[i])) * 16777619
	}
	groups := 3 + int(h%6)
	buf = append(buf, numerals[g.intn(groups)]...)
	if (h>>8)%3 == 0 {
		buf = append(buf, "社 "...)
	} else {
		buf = append(buf, "组 "...)
	}
	buf = strconv.AppendInt(buf, int64(1+g.intn(80)), 10)
	return append(buf, " 号"...)
}

// appendPhone appends an 11-digit mobile number in the 1700 block, one of
// the blocks of China's virtual operators (虚拟运营商): a narrow, easily
// recognised range that passes registry.ValidMobile. Unlike ID numbers no
// mobile range is reserved for fiction, so a generated number may be
// someone's real one; the register shows phones masked.
func appendPhone(buf []byte, v int) []byte {
	buf = append(buf, "1700"...)
	return appendDigits(buf, v, 7)
}

// intn returns a number in [0, n) by Lemire's multiply-shift, whose bias of
// n/2⁶⁴ does not matter here, from one PCG output.
func (g *Generator) intn(n int) int {
	hi, _ := bits.Mul64(g.src.Uint64(), uint64(n))
	return int(hi)
}

// chance reports true with probability p.
func (g *Generator) chance(p float64) bool {
	return float64(g.src.Uint64()>>11)*(1.0/(1<<53)) < p
}

// weighted returns i with probability weights[i] / sum(weights).
func (g *Generator) weighted(weights []int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	r := g.intn(sum)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}
