package main

import (
	"context"
	"fmt"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/sqlstore"
)

// azPhotos records an award with an evidence photo for the own village's
// household and one for the sibling's, returning the two photos' ids.
func azPhotos(t *testing.T, db *sqlstore.DB, w azWorld) (own, sibling int64) {
	ctx := context.Background()
	sys := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Operator, Region: province}}}
	rev, err := reviewService(db)
	if err != nil {
		t.Fatal(err)
	}
	var ids [2]int64
	for i, hh := range []int64{w.h1, w.h2} {
		p, err := db.Photos().Upload(ctx, sys, photo.Swatch(byte(i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Awards(rev).Record(ctx, sys, points.AwardInput{Key: fmt.Sprint("az-photo-", hh), Household: hh, Item: "env-01", Photos: []int64{p.ID}}); err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	return ids[0], ids[1]
}
