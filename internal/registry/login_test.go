package registry

import (
	"testing"
	"time"
)

func TestLoginName(t *testing.T) {
	for in, want := range map[string]string{
		"17000000001":          "17000000001",
		"1-7000000001":         "17000000001",
		"17 000000001":         "17000000001",
		"１７００００００００１":          "17000000001",
		" +86 170-0000-0001\t": "17000000001",
		"１７０ ００００ ０００１":        "17000000001",
		"Bateer":               "Bateer",
		"  ｂａｔｅｅｒ ":            "bateer",
	} {
		if got := LoginName(in); got != want {
			t.Errorf("LoginName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginShown(t *testing.T) {
	for in, want := range map[string]string{
		"1-7000000001":       "170****0001",
		"152221199001011234": "1522**********1234",
		"１５２２２１１９９００１０１１２３４": "1522**********1234",
		"15222119900101123x":   "1522**********123X",
		"bateer":               "bateer",
		"id 1522 2119 9001 01": "id *****************",
		"bateer2024":           "bateer2024",
	} {
		if got := LoginShown(in); got != want {
			t.Errorf("LoginShown(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMinor(t *testing.T) {
	now := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	for birth, want := range map[string]bool{"2008-06-01": false, "2008-06-02": true, "1970-01-01": false, "2020-02-29": true, "": true} {
		if got := Minor(birth, now); got != want {
			t.Errorf("Minor(%q) = %v, want %v", birth, got, want)
		}
	}
}
