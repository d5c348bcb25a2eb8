package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/sqlstore/storetest"
)

// BenchmarkTokenSession resolves one API token over and over, as every
// request of a client on the API does; the session cache answers all but
// one a second without a read transaction.
func BenchmarkTokenSession(b *testing.B) {
	for _, engine := range storetest.Engines(b) {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := storetest.MustOpen(b, engine)
			grants := []access.Grant{{Role: access.Operator, Region: pingan}}
			uid, err := db.CreateUser(ctx, nil, "bench", "bench", "First-Pass-1", grants)
			if err != nil {
				b.Fatal(err)
			}
			token, err := db.Users(access.DefaultPolicy()).CreateToken(ctx, &access.Actor{UserID: uid, Username: "bench", Grants: grants}, "bench", time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			auth := db.Auth(access.DefaultPolicy())
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := auth.Session(ctx, token); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
