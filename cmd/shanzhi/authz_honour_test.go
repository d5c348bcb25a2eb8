package main

import (
	"context"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/honour"
	"shanzhi/internal/sqlstore"
)

// azHonours are the honours module's objects of the authorisation test: a
// nominated board in the own village and one in the sibling's, named with
// the sibling's marker so a refused response that leaks it is caught.
type azHonours struct{ board1, board2 int64 }

func azHonour(t *testing.T, db *sqlstore.DB) azHonours {
	t.Helper()
	ctx := context.Background()
	sys := &access.Actor{UserID: 9300, Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}}}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	hs := db.Honours(rev)
	var out azHonours
	for _, c := range []struct {
		village, name string
		board         *int64
	}{{azV, "本村好人榜", &out.board1}, {azV2, "外村成员榜", &out.board2}} {
		b, err := hs.CreateBoard(ctx, sys, honour.BoardInput{Region: c.village, Name: c.name, Kind: honour.Nominated, Period: honour.Year, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		*c.board = b.ID
	}
	return out
}
