package web

import (
	"testing"
	"time"

	"shanzhi/internal/localtime"
)

func TestBoardNamed(t *testing.T) {
	now := time.Date(2026, 3, 31, 10, 0, 0, 0, localtime.Zone())
	for period, want := range map[string]bool{
		"2026-03": true, "2026-02": true, "2026-01": false, "2025-12": false, "2026": true, "2025": false, "": false, "x": false,
	} {
		if got := boardNamed(period, now); got != want {
			t.Errorf("boardNamed(%q) on 31 March = %v, want %v", period, got, want)
		}
	}
	jan := time.Date(2027, 1, 15, 10, 0, 0, 0, localtime.Zone())
	if !boardNamed("2026", jan) || !boardNamed("2026-12", jan) || boardNamed("2026-11", jan) {
		t.Error("a year's and a month's board in the January after")
	}
}
