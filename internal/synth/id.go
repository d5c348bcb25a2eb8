package synth

import (
	"strings"

	"shanzhi/internal/registry"
)

// Synthetic ID numbers. A GB 11643 number is a 6-digit address code, the
// 8-digit birth date, a 3-digit sequence code (odd for men, even for women)
// and a check character. The sequence code numbers the people registered
// with the same address code and birth date; police stations issue it from
// 001 upward, so it grows only with the number of people born on one day
// under one address code. Even a populous county sees a few dozen births a
// day, so real codes stay far below 900 in practice: 900–999 is the range
// this package reserves for synthetic people. That is a convention, not a
// guarantee of the standard, so the rest of the number is kept plausible
// (the village's banner code and the person's generated birth date) and
// everything that makes data must use this marker. Codes 996–999 are often
// said to go to centenarians; generated people are always younger than 100
// at the generator's today, so they cannot meet those either.
const (
	seqFirst  = 900 // the lowest synthetic sequence code
	seqPerSex = 50  // 901, 903 … 999 for men; 900, 902 … 998 for women
	idAddrLen = 6   // the address code: the banner (county) part of a region code
)

// IsSynthetic reports whether id is an 18-character number with the
// synthetic marker, a sequence code from 900 to 999, so data made by this
// package can be recognised, refused or purged wherever it ends up. It does
// not verify the check character: a mistyped synthetic number is still
// synthetic.
func IsSynthetic(id string) bool {
	if len(id) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return id[14] == '9'
}

// banner tracks the sequence codes issued under one address code: used[i]
// counts the men ([0]) and women ([1]) already given a number for the birth
// date i days before the generator's latest birth date.
type banner struct {
	code string
	used [][2]uint8
}

// bannerFor returns the tracker of villageCode's address code. It panics
// when the code does not start with six digits, a programming error.
func (g *Generator) bannerFor(villageCode string) *banner {
	if g.last != nil && len(villageCode) >= idAddrLen && villageCode[:idAddrLen] == g.last.code {
		return g.last
	}
	if len(villageCode) < idAddrLen {
		panic("synth: village code " + villageCode + " is shorter than six digits")
	}
	code := villageCode[:idAddrLen]
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			panic("synth: village code " + villageCode + " does not start with six digits")
		}
	}
	b := g.banners[code]
	if b == nil {
		// 110 years of dates covers everyone the generator makes; the
		// slice grows if shifted dates ever go further back.
		b = &banner{code: strings.Clone(code), used: make([][2]uint8, 110*366)}
		g.banners[code] = b
	}
	g.last = b
	return b
}

// reserve returns the birth date and sequence code of a new person born on
// day, so that no two people of one Generator share an ID number. When all
// fifty codes of the person's gender are taken for that date, the birth date
// moves one day earlier (earlier, so it never passes today) until one is free.
func (g *Generator) reserve(b *banner, day int, gender registry.Gender) (int, int) {
	sex, odd := 1, 0
	if gender == registry.Male {
		sex, odd = 0, 1
	}
	if day > g.maxDay {
		day = g.maxDay
	}
	for {
		i := g.maxDay - day
		for i >= len(b.used) {
			b.used = append(b.used, [2]uint8{})
		}
		if n := b.used[i][sex]; n < seqPerSex {
			b.used[i][sex] = n + 1
			return day, seqFirst + 2*int(n) + odd
		}
		day--
	}
}

// appendID appends the 18-character number for the address code, birth
// date and sequence code.
func appendID(buf []byte, code string, y, m, d, seq int) []byte {
	start := len(buf)
	buf = append(buf, code...)
	buf = appendDigits(buf, y, 4)
	buf = appendDigits(buf, m, 2)
	buf = appendDigits(buf, d, 2)
	buf = appendDigits(buf, seq, 3)
	return append(buf, registry.CheckChar(string(buf[start:start+17])))
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(buf []byte, v, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v > 0 || width > 0 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	return append(buf, tmp[i:]...)
}

// appendDate appends 2006-01-02, the form ResidentInput.BirthDate takes.
func appendDate(buf []byte, y, m, d int) []byte {
	buf = appendDigits(buf, y, 4)
	buf = append(buf, '-')
	buf = appendDigits(buf, m, 2)
	buf = append(buf, '-')
	return appendDigits(buf, d, 2)
}

// Dates are counted in days since 1970-01-01 in the proleptic Gregorian
// calendar: cheaper than time.Time for the arithmetic of ages and gaps, and
// converted with Howard Hinnant's algorithms (valid for years ≥ 0).

// daysFromCivil returns the day number of y-m-d.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civil returns the calendar date of day number z.
func civil(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// yearsBefore returns the day n years before day, 29 February becoming
// 28 February in a common year.
func yearsBefore(day, n int) int {
	y, m, d := civil(day)
	y -= n
	if m == 2 && d == 29 && !isLeap(y) {
		d = 28
	}
	return daysFromCivil(y, m, d)
}
