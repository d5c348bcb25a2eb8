package review

import (
	"strings"
	"unicode/utf8"

	"shanzhi/internal/fault"
	"shanzhi/internal/mongol"
)

// Limits of a summary's texts, in characters.
const (
	MaxTitle = 80
	MaxNote  = 200
)

// Validate checks a summary before it can be shown publicly: a title, a
// masked name, and no text that carries a phone or ID number.
func (s Summary) Validate() error {
	var fs fault.Fields
	title := strings.TrimSpace(s.Title)
	switch {
	case title == "":
		fs.Add("title", "review.summary.title_required")
	case utf8.RuneCountInString(title) > MaxTitle:
		fs.Add("title", "review.summary.title_long", MaxTitle)
	case hasContact(title):
		fs.Add("title", "review.summary.contact")
	}
	if s.Person != "" && !Masked(s.Person) || s.PersonMongol != "" && !mongol.Masked(s.PersonMongol) {
		fs.Add("person", "review.summary.unmasked")
	}
	switch note := strings.TrimSpace(s.Note); {
	case utf8.RuneCountInString(note) > MaxNote:
		fs.Add("note", "review.summary.note_long", MaxNote)
	case hasContact(note):
		fs.Add("note", "review.summary.contact")
	}
	return fs.Err()
}

// Masked reports whether a name is masked the way public notices show
// names: its first character, then only asterisks (张**).
func Masked(name string) bool {
	r, n := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError || r == '*' || n == len(name) {
		return false
	}
	return strings.Trim(name[n:], "*") == ""
}

// MaskNames masks a person's Chinese name and, when one is recorded, their
// traditional-script name, the second with as many stars as the first
// (see mongol.Mask), so that both forms on a bilingual page give away the
// same.
func MaskNames(name, nameMongol string) (string, string) {
	zh := MaskName(name)
	return zh, mongol.Mask(nameMongol, utf8.RuneCountInString(zh)-1)
}

// MaskName masks a name for a public notice: the family name stays, every
// other character becomes an asterisk, so 张三丰 is 张** and 巴特尔 is
// 巴**. Mongolian names have no family name, and keeping the first
// character is the convention village notice boards already follow.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	r, n := utf8.DecodeRuneInString(name)
	if n == 0 {
		return ""
	}
	rest := utf8.RuneCountInString(name[n:])
	if rest == 0 {
		rest = 1
	}
	return string(r) + strings.Repeat("*", rest)
}

// MaskNameIn masks a person's name wherever it appears in a text shown
// beside the masked name, such as a business named after its owner
// (王晓景家庭农场 is 王**家庭农场): otherwise the text gives away what
// the mask hides. A given name of two or more characters is masked on
// its own too (晓景农场), since it names the person as plainly.
func MaskNameIn(text, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return text
	}
	text = strings.ReplaceAll(text, name, MaskName(name))
	_, n := utf8.DecodeRuneInString(name)
	if given := name[n:]; utf8.RuneCountInString(given) >= 2 {
		text = strings.ReplaceAll(text, given, strings.Repeat("*", utf8.RuneCountInString(given)))
	}
	return text
}
