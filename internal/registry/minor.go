package registry

import "time"

// Minor reports whether someone born on birth (2006-01-02) is under 18 on
// now's date; a date that does not parse is taken as a minor's, since
// public pages leave a minor out and an unknown age must not show a child.
func Minor(birth string, now time.Time) bool {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return true
	}
	return now.Before(b.AddDate(18, 0, 0))
}
