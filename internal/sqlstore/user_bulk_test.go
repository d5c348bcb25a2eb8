package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/audit"
	"shanzhi/internal/fault"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/regiondata"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// TestGrantAtEveryVillage grants one reviewer the role at every village
// of 兴安盟 in one action, each grant its own audit record, and takes it
// back the same way; a security administrator of one banner cannot reach
// the league, and nobody grants the villager role in bulk.
func TestGrantAtEveryVillage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		all, err := regiondata.All()
		if err != nil {
			t.Fatal(err)
		}
		villages := 0
		for _, r := range all {
			if r.Level == regiondata.Village && strings.HasPrefix(r.Code, "1522") {
				villages++
			}
		}
		id, err := db.CreateUser(ctx, nil, "league-reviewer", "盟评审员", "First-Pass-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		sec := &access.Actor{UserID: 9100, Username: "sec", Grants: []access.Grant{{Role: access.SecAdmin, Region: xingan}}}
		users := db.Users(access.DefaultPolicy())
		_, before, _ := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "role.grant"})
		n, err := users.GrantAt(ctx, sec, id, access.BulkGrant{Role: access.Reviewer, Under: xingan, Level: regioncode.Village})
		if err != nil || n != villages {
			t.Fatalf("granted %d of %d villages: %v", n, villages, err)
		}
		u, err := users.User(ctx, sec, id)
		if err != nil || len(u.Grants) != villages {
			t.Fatalf("%d grants held: %v", len(u.Grants), err)
		}
		_, after, _ := db.Audit().Entries(ctx, authAuditor, audit.Filter{Action: "role.grant"})
		if after-before != villages {
			t.Fatalf("%d grant records audited, want %d", after-before, villages)
		}
		// Again: nothing new to grant, nothing audited.
		if n, err := users.GrantAt(ctx, sec, id, access.BulkGrant{Role: access.Reviewer, Under: xingan, Level: regioncode.Village}); err != nil || n != 0 {
			t.Fatalf("granted twice: %d %v", n, err)
		}
		banner := &access.Actor{UserID: 9101, Username: "sec2", Grants: []access.Grant{{Role: access.SecAdmin, Region: qianqi}}}
		if _, err := users.GrantAt(ctx, banner, id, access.BulkGrant{Role: access.Reviewer, Under: xingan, Level: regioncode.Township}); !fault.Is(err, fault.Forbidden) {
			t.Fatalf("a banner's administrator at the league: %v", err)
		}
		if _, err := users.GrantAt(ctx, sec, id, access.BulkGrant{Role: access.Villager, Under: xingan, Level: regioncode.Village}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("villager in bulk: %v", err)
		}
		if _, err := users.GrantAt(ctx, sec, id, access.BulkGrant{Role: access.Reviewer, Under: keerqin, Level: regioncode.Banner}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("a level above the region: %v", err)
		}
		n, err = users.GrantAt(ctx, sec, id, access.BulkGrant{Role: access.Reviewer, Under: xingan, Level: regioncode.Village, Revoke: true})
		if err != nil || n != villages {
			t.Fatalf("revoked %d: %v", n, err)
		}
		if u, _ := users.User(ctx, sec, id); len(u.Grants) != 0 {
			t.Fatalf("%d grants left", len(u.Grants))
		}
	})
}
