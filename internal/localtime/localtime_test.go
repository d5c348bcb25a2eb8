package localtime

import (
	"testing"
	"time"
)

func TestDayAt2330UTCIsTheNextLocalDay(t *testing.T) {
	at := time.Date(2026, 3, 6, 23, 30, 0, 0, time.UTC)
	if got := Day(at); got != "2026-03-07" {
		t.Fatalf("Day(%v) = %s, want 2026-03-07", at, got)
	}
	if Zone().String() != Default {
		t.Fatalf("zone %s before Set, want %s", Zone(), Default)
	}
}

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"Asia/Shanghai", true}, {"Asia/Urumqi", true}, {"UTC", true}, {"", false}, {"Local", false}, {"Mars/Olympus", false}} {
		if _, err := Load(tc.name); (err == nil) != tc.ok {
			t.Errorf("Load(%q) err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
