package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore/storetest"
)

// TestTwoServersOneDatabase runs two `serve` processes' worth of servers
// on one PostgreSQL database, as a banner behind a load balancer would:
// started at the same moment, the calendar's base score is credited once
// per household, not once per server; a session made on one server is
// valid on the other; both take writes, and an award sent to both under
// one idempotency key is recorded once; and a token revoked elsewhere is
// refused by both within a second.
func TestTwoServersOneDatabase(t *testing.T) {
	if !slices.Contains(storetest.Engines(t), "postgres") {
		t.Skip("PostgreSQL only: SHANZHI_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	key := writeKey(t)
	dsn := storetest.FreshDatabase(t, os.Getenv("SHANZHI_TEST_POSTGRES"))
	args := []string{"-db", dsn, "-key-file", key}
	if out, err := runCmd(t, append([]string{"migrate"}, args...)...); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	_, db, err := loadAndOpen(ctx, "twoservers", args, func(string) string { return "" }, io.Discard, io.Discard, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := &access.Actor{Username: "seed", Grants: []access.Grant{{Role: access.Leader, Region: demoTownship}, {Role: access.Operator, Region: demoTownship}}}
	if _, err := db.Schemes().Create(ctx, sys, scheme.FromTemplate, scheme.Scheme{Region: demoTownship, AllowLocalItems: true, AllowOverride: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Schemes().Create(ctx, sys, scheme.Inherit, scheme.Scheme{Region: demoVillage, Name: "平安村道德银行", BaseScore: 100, BasePeriod: scheme.Month}); err != nil {
		t.Fatal(err)
	}
	var households []int64
	for i := range 20 {
		h, err := db.Registry().CreateHousehold(ctx, sys, registry.HouseholdInput{Number: fmt.Sprintf("%03d", i+1), VillageCode: demoVillage},
			registry.ResidentInput{Name: "王" + string(rune('一'+i)), Ethnicity: "汉族", Gender: registry.Male, BirthDate: "1970-01-01", Political: "群众"})
		if err != nil {
			t.Fatal(err)
		}
		households = append(households, h.ID)
	}
	grants := []access.Grant{{Role: access.Operator, Region: demoVillage}}
	uid, err := db.CreateUser(ctx, nil, "clerk", "村文书", "First-Pass-1", grants)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(ctx, nil, "clerk", "Clerk-Pass-22", false); err != nil {
		t.Fatal(err)
	}

	// Both servers start together, each running the calendar at start.
	var bases [2]string
	var wg sync.WaitGroup
	for i := range bases {
		wg.Go(func() {
			bases[i] = startCommand(t, ctx, append([]string{"serve", "-addr", "127.0.0.1:0", "-data-dir", t.TempDir()}, args...), func(string) bool { return true })
		})
	}
	wg.Wait()
	client := &http.Client{Timeout: 20 * time.Second}
	call := func(base, method, path, token, idem string, body any) (int, []byte) {
		t.Helper()
		var in io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			in = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, in)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if idem != "" {
			req.Header.Set("Idempotency-Key", idem)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, out
	}

	// A session made on the first server works on the second.
	code, out := call(bases[0], "POST", "/api/v1/sessions", "", "", map[string]string{"username": "clerk", "password": "Clerk-Pass-22"})
	var login struct{ Token string }
	if code != http.StatusCreated || json.Unmarshal(out, &login) != nil || login.Token == "" {
		t.Fatalf("sign-in on the first server: %d %s", code, out)
	}
	balance := func(base string, h int64) int64 {
		t.Helper()
		code, out := call(base, "GET", fmt.Sprintf("/api/v1/households/%d/balance", h), login.Token, "", nil)
		var b struct{ Balance int64 }
		if code != http.StatusOK || json.Unmarshal(out, &b) != nil {
			t.Fatalf("balance on %s: %d %s", base, code, out)
		}
		return b.Balance
	}
	// The base score: credited once, whichever server got there first.
	deadline := time.Now().Add(60 * time.Second)
	for balance(bases[1], households[len(households)-1]) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no base score credited within a minute of the servers starting")
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // the slower server's calendar run has ended too
	for i, h := range households {
		if b := balance(bases[i%2], h); b != 100 {
			t.Fatalf("household %d: balance %d after two servers' calendars, want one base score of 100", h, b)
		}
	}

	// Writes from both; one key sent to both is one award.
	ids := map[string]int64{}
	for i, send := range []struct{ server, key string }{{bases[0], "a1"}, {bases[1], "b1"}, {bases[1], "a1"}, {bases[0], "b1"}} {
		code, out := call(send.server, "POST", fmt.Sprintf("/api/v1/households/%d/awards", households[0]), login.Token, send.key,
			map[string]string{"item": "cus-01", "evidence": "婚事新办", "witness": "网格员"})
		var got struct{ ID int64 }
		if code/100 != 2 || json.Unmarshal(out, &got) != nil || got.ID == 0 {
			t.Fatalf("award %d on %s: %d %s", i, send.server, code, out)
		}
		if prev, ok := ids[send.key]; ok && prev != got.ID {
			t.Fatalf("key %s recorded as award %d on one server and %d on the other", send.key, prev, got.ID)
		}
		ids[send.key] = got.ID
	}
	if ids["a1"] == ids["b1"] {
		t.Fatal("two keys gave one award")
	}

	// A token revoked by a third party (here the store itself) is refused
	// by both servers within the session cache's second.
	me := &access.Actor{UserID: uid, Username: "clerk", Grants: grants}
	token, err := db.Users(access.DefaultPolicy()).CreateToken(ctx, me, "平板", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range bases {
		if code, out := call(base, "GET", fmt.Sprintf("/api/v1/households/%d/balance", households[0]), token, "", nil); code != http.StatusOK {
			t.Fatalf("a new token on %s: %d %s", base, code, out)
		}
	}
	ts, err := db.Users(access.DefaultPolicy()).Tokens(ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range ts {
		if err := db.Users(access.DefaultPolicy()).RevokeToken(ctx, me, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	revoked := time.Now()
	for _, base := range bases {
		for {
			code, _ := call(base, "GET", fmt.Sprintf("/api/v1/households/%d/balance", households[0]), token, "", nil)
			if code == http.StatusUnauthorized {
				break
			}
			if time.Since(revoked) > time.Second+500*time.Millisecond {
				t.Fatalf("%s still accepted a revoked token %v after the revocation", base, time.Since(revoked))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
