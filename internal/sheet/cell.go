package sheet

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// dateKind says how a number format shows a number: as a plain number, a
// date, a date with time, or a time of day.
type dateKind uint8

const (
	notDate dateKind = iota
	dateOnly
	dateTime
	timeOnly
)

// builtinDateKind classifies the built-in number formats (ids below 164)
// that show dates or times, including the CJK ones 27–36 and 50–58 that
// Excel and WPS use on Chinese systems for 2024年3月7日-style dates.
func builtinDateKind(id int) dateKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 54, id == 57, id == 58:
		return dateOnly
	case id == 22:
		return dateTime
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id == 45, id == 47, id == 55, id == 56:
		return timeOnly
	}
	return notDate
}

// formatDateKind classifies a custom number format code by the date and
// time tokens left after removing quoted text, escaped characters, colour
// and locale brackets, AM/PM markers and fill or padding characters. Only
// the first section (for positive numbers) counts. m means minutes right
// after an hour or right before a second, as in Excel, and month
// otherwise. Elapsed-time formats like [h]:mm are durations, not dates,
// and stay numbers.
func formatDateKind(code string) dateKind {
	var tokens []byte // y, m, d, h, s in order, runs collapsed
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case ';':
			break scan
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				break scan
			}
			i += j + 1
			continue
		case '\\', '_', '*':
			i++
			continue
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return notDate
			}
			switch strings.ToLower(code[i+1 : i+1+j]) {
			case "h", "hh", "m", "mm", "s", "ss":
				return notDate
			}
			i += j + 1
			continue
		case 'a', 'A':
			for _, marker := range []string{"am/pm", "a/p"} {
				if len(code)-i >= len(marker) && strings.EqualFold(code[i:i+len(marker)], marker) {
					i += len(marker) - 1
					continue scan
				}
			}
		}
		switch l := c | 0x20; l {
		case 'y', 'm', 'd', 'h', 's':
			if n := len(tokens); n == 0 || tokens[n-1] != l {
				tokens = append(tokens, l)
			}
		}
	}
	var date, tm bool
	for i, t := range tokens {
		switch t {
		case 'y', 'd':
			date = true
		case 'h', 's':
			tm = true
		case 'm':
			if (i > 0 && tokens[i-1] == 'h') || (i+1 < len(tokens) && tokens[i+1] == 's') {
				tm = true
			} else {
				date = true
			}
		}
	}
	switch {
	case date && tm:
		return dateTime
	case date:
		return dateOnly
	case tm:
		return timeOnly
	}
	return notDate
}

// excelDate turns a serial day number into text: 2006-01-02 for a date,
// with " 15:04:05" added when the format shows time and the time is not
// midnight, or 15:04:05 alone for a time of day. It reports false for
// numbers no date can have, which the caller then shows as numbers.
func excelDate(v string, kind dateKind, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f >= 2958466 { // 2958466 is 10000-01-01
		return "", false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, 0
	}
	var t time.Time
	switch {
	case date1904:
		t = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 61:
		// Excel counts a 29 February 1900 that never was, so serials
		// before 1 March 1900 are one day later than arithmetic says.
		if days == 60 {
			days = 59 // 1900-02-29 shown as the last real day of February
		}
		t = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		t = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	if kind == dateOnly || kind == dateTime {
		if days == 0 && !date1904 {
			return "", false // 1900-01-00: Excel shows this only for times
		}
	}
	t = t.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case kind == timeOnly && days == 0:
		return t.Format("15:04:05"), true
	case kind == dateOnly, secs == 0:
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02 15:04:05"), true
}

// isoDate turns the ISO 8601 value of a t="d" cell into the same text
// excelDate gives.
func isoDate(v string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02", "15:04:05"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		switch {
		case layout == "15:04:05":
			return t.Format("15:04:05")
		case t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0:
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02 15:04:05")
	}
	return v
}

// number returns a numeric cell's value as the digits a person expects.
// An integer of up to 15 digits stays exactly as written; anything else
// is rounded to the 15 significant digits Excel shows and written without
// an exponent, so 12.300000000000001 becomes 12.3. A value of 16 or more
// digits comes back as Excel displays it, 1.52221199003071E+17: office
// suites keep numbers as doubles, which hold 15 digits safely, so the
// last digits of an ID number stored as a number are gone, or made up by
// the suite (LibreOffice writes 152221199003071232 for ...1234), whatever
// they are; in exponent form no such value can pass for an ID number, and
// callers can say why.
func number(v string) string {
	digits := strings.TrimLeft(strings.TrimLeft(v, "+-"), "0")
	if isInteger(v) && len(digits) <= 15 {
		if v[0] == '+' {
			return v[1:]
		}
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return v
	}
	if math.Abs(f) >= 1e15 {
		return strconv.FormatFloat(f, 'E', 14, 64)
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if f == 0 {
		return "0" // also for -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isInteger reports whether s is an optionally signed run of digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// xstring decodes the _xHHHH_ escapes OOXML uses for characters XML cannot
// hold, such as _x000D_ for a carriage return; _x005F_ is a literal
// underscore, which is how a literal "_x0041_" is written.
func xstring(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if n, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				b.WriteRune(rune(n))
				i += 7
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// columnIndex turns the letters of a cell reference like "AB12" into a
// 0-based column, reporting false for a reference without letters or past
// Excel's last column XFD.
func columnIndex(ref string) (int, bool) {
	col := 0
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxColumns {
			return 0, false
		}
	}
	return col - 1, i > 0
}

// maxColumns and maxRows are Excel's limits; a file claiming more is
// damaged or hostile.
const (
	maxColumns = 16384
	maxRows    = 1048576
)
