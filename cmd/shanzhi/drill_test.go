package main

// The crash drill: the real binary serves a database while clients record
// awards and redeem goods at the points supermarket's counter (a ledger
// debit and a stock decrement in one transaction), each write under an
// idempotency key, and the process is SIGKILLed at random moments and
// started again, over and over. At the end every write the server
// acknowledged must be there exactly once under its key, with the id the
// acknowledgement named; every key whose answer was lost to a kill is
// retried until it is answered, and may not have made a second row; every
// redemption moved stock once and debited the ledger once; each goods'
// stock equals its movements; and verify must pass over the audit chain
// and the ledgers' chains and balances.
//
// Quick mode (5 kills per engine) runs in the suite; SHANZHI_DRILL_KILLS=100
// is the full drill (README, BENCHMARKS.md).

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/registry"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
)

// drillKills is how many times each engine's server is killed.
func drillKills(t *testing.T) int {
	s := os.Getenv("SHANZHI_DRILL_KILLS")
	if s == "" {
		return 5
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("SHANZHI_DRILL_KILLS=%q: want a positive number", s)
	}
	return n
}

func TestCrashDrill(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash drill builds and kills the real binary")
	}
	bin := filepath.Join(t.TempDir(), "shanzhi")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) { crashDrill(t, bin, engine, drillKills(t)) })
	}
}

// drillServer is one life of the server process.
type drillServer struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

var drillListening = regexp.MustCompile(`shanzhi listening on (http://\S+?)/?\s`)

// startDrillServer starts the binary on a free loopback port and waits for
// it to say where it listens.
func startDrillServer(t *testing.T, bin string, args []string) *drillServer {
	t.Helper()
	if !slices.Contains(args, "-data-dir") {
		// PostgreSQL keeps nothing in a data directory but the daily
		// anchors, which would otherwise land in the package's folder.
		args = append(args, "-data-dir", t.TempDir())
	}
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &drillServer{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := drillListening.FindStringSubmatch(sc.Text() + "\n"); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.base = <-found:
		return s
	case err := <-s.done:
		t.Fatalf("server exited at start: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start within a minute")
	}
	return nil
}

// kill ends the process with SIGKILL, as a power cut or the OOM killer
// would: no deferred close, no checkpoint.
func (s *drillServer) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// drillKey is one idempotency key and what became of it.
type drillKey struct {
	key       string
	redeem    bool // a redemption at the counter; else an award
	household int64
	id        int64 // the award or redemption the server acknowledged; 0: no answer yet
}

func crashDrill(t *testing.T, bin, engine string, kills int) {
	ctx := context.Background()
	dir := t.TempDir()
	place := newPlace(t, engine, filepath.Join(dir, "shanzhi.key"))
	db, official := seedPlace(t, place)
	households, _, err := db.Registry().Households(ctx, official, registry.ListFilter{Region: demoVillage, Limit: 500})
	if err != nil || len(households) == 0 {
		t.Fatalf("households: %v", err)
	}
	token, err := db.Users(access.DefaultPolicy()).CreateToken(ctx, official, "drill", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	store, goods := drillShop(t, db, official, households)
	db.Close()

	var base atomic.Value // the current server's URL; it moves at each start
	srv := startDrillServer(t, bin, place.args)
	base.Store(srv.base)
	t.Cleanup(func() { srv.cmd.Process.Kill() }) // a failed drill leaves no server
	client := &http.Client{Timeout: 10 * time.Second}

	// post sends one award; it reports the id on 2xx, retry on a lost
	// answer (connection refused or cut, a 5xx of a server going down),
	// and fails the test on anything else.
	post := func(k *drillKey) (retry bool) {
		url := fmt.Sprintf("%s/api/v1/households/%d/awards", base.Load(), k.household)
		body := `{"item":"cus-01","evidence":"演练：婚事新办","witness":"网格员"}`
		if k.redeem {
			url = fmt.Sprintf("%s/api/v1/stores/%d/redemptions", base.Load(), store)
			body = fmt.Sprintf(`{"household":%d,"items":[{"goods":%d,"qty":1}]}`, k.household, goods)
		}
		req, _ := http.NewRequest("POST", url, bytes.NewBufferString(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", k.key)
		resp, err := client.Do(req)
		if err != nil {
			return true
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode/100 == 2:
			var got struct{ ID int64 }
			if err := json.Unmarshal(b, &got); err != nil || got.ID == 0 {
				t.Errorf("key %s: acknowledged with %s", k.key, b)
				return false
			}
			if k.id != 0 && k.id != got.ID {
				t.Errorf("key %s: first acknowledged as award %d, then as %d", k.key, k.id, got.ID)
			}
			k.id = got.ID
			return false
		case resp.StatusCode >= 500:
			return true
		}
		t.Errorf("key %s: %d %s", k.key, resp.StatusCode, b)
		return false
	}

	const workers = 4
	var (
		mu      sync.Mutex
		all     []*drillKey
		stop    atomic.Bool
		wg      sync.WaitGroup
		lost    atomic.Int64 // keys whose answer a kill took at least once
		retries atomic.Int64
		started = time.Now()
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				k := &drillKey{key: fmt.Sprintf("drill-%s-%d-%d", engine, w, n), redeem: w%2 == 1,
					household: households[(n*workers+w)%len(households)].ID}
				mu.Lock()
				all = append(all, k)
				mu.Unlock()
				for try := 0; post(k); try++ {
					if try == 0 {
						lost.Add(1)
					}
					retries.Add(1)
					if stop.Load() {
						break // retried below, once the last server is up
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	for range kills {
		// Let the clients get going, then kill at a random moment.
		time.Sleep(time.Duration(150+rand.IntN(500)) * time.Millisecond)
		srv.kill()
		srv = startDrillServer(t, bin, place.args)
		base.Store(srv.base)
	}
	if engine == "sqlite" {
		// While the clients still write to the real server process: a
		// backup of its live file succeeds, and a restore over it is
		// refused, since the server would go on writing to the old file.
		// The built binary runs them, so they know the schema the
		// server migrated to.
		file := filepath.Join(t.TempDir(), "live.db")
		if out, err := exec.Command(bin, append([]string{"backup"}, append(place.args, file)...)...).CombinedOutput(); err != nil {
			t.Errorf("backup of the live database: %v\n%s", err, out)
		} else if out, err := exec.Command(bin, append([]string{"restore", "-force"}, append(place.args, file)...)...).CombinedOutput(); err == nil || !strings.Contains(string(out), "正在被使用") {
			t.Errorf("restore over a running server: %v\n%s", err, out)
		}
	}
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	// Keys whose answer the last kill took are asked again now.
	pending := 0
	for _, k := range all {
		if k.id == 0 {
			pending++
			for tries := 0; post(k) && tries < 50; tries++ {
				time.Sleep(100 * time.Millisecond)
			}
			if k.id == 0 {
				t.Errorf("key %s never acknowledged", k.key)
			}
		}
	}
	srv.kill()
	elapsed := time.Since(started)

	if out, err := exec.Command(bin, append([]string{"verify"}, place.args...)...).CombinedOutput(); err != nil {
		t.Fatalf("verify after %d kills: %v\n%s", kills, err, out)
	}
	checkExactlyOnce(t, place.dsn, all)
	redeemed := 0
	for _, k := range all {
		if k.redeem {
			redeemed++
		}
	}
	t.Logf("%s: %d kills in %v, %d writes acknowledged (%d awards, %d redemptions), %d keys lost their answer to a kill and were retried (%d requests), %d asked again after the last kill; each key once, stock and ledger agree, verify passes",
		engine, kills, elapsed.Round(time.Millisecond), len(all), len(all)-redeemed, redeemed, lost.Load(), retries.Load(), pending)
}

// checkExactlyOnce reads the tables behind the product's back: each key
// is there once, under the id its acknowledgement named, and nothing else
// is; each redemption moved stock once and debited the ledger once; each
// goods' stock is the sum of its movements.
func checkExactlyOnce(t *testing.T, dsn string, keys []*drillKey) {
	t.Helper()
	driver, src := "pgx", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, src = "sqlite", p
	}
	raw, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	seen := map[string][]int64{}
	for _, table := range []string{"awards", "redemptions"} {
		// Keys are stored within their caller and target
		// ("<user>/h<household>/<key>"); the drill's callers each use
		// their own keys, so the key alone names a request.
		rows, err := raw.Query(`SELECT idem_key, id FROM ` + table + ` WHERE idem_key LIKE '%/drill-%'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var id int64
			if err := rows.Scan(&k, &id); err != nil {
				t.Fatal(err)
			}
			k = k[strings.LastIndexByte(k, '/')+1:]
			seen[table+" "+k] = append(seen[table+" "+k], id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	for _, k := range keys {
		name := "awards " + k.key
		if k.redeem {
			name = "redemptions " + k.key
		}
		ids := seen[name]
		switch {
		case len(ids) != 1:
			t.Errorf("%s: %d rows %v, want exactly one", name, len(ids), ids)
		case ids[0] != k.id:
			t.Errorf("%s: row %d, acknowledged as %d", name, ids[0], k.id)
		}
		delete(seen, name)
	}
	for k, ids := range seen {
		t.Errorf("%s: rows %v that no client sent", k, ids)
	}
	for _, c := range []struct{ what, query string }{
		{"redemptions without exactly one stock movement and one matching ledger debit", `SELECT count(*) FROM redemptions r
			WHERE (SELECT count(*) FROM stock_moves m WHERE m.redemption_id = r.id) <> 1
			   OR NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id = r.entry_id AND e.delta = -r.total)`},
		{"goods whose stock is not the sum of their movements", `SELECT count(*) FROM goods g
			WHERE g.stock <> (SELECT COALESCE(SUM(m.delta), 0) FROM stock_moves m WHERE m.goods_id = g.id)`},
	} {
		var n int
		if err := raw.QueryRow(c.query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d %s", n, c.what)
		}
	}
}

// drillShop stocks the demo supermarket's exercise books deep enough for
// a full drill and gives every household points to spend, and returns the
// store and the goods the clients redeem.
func drillShop(t *testing.T, db *sqlstore.DB, official *access.Actor, households []registry.Household) (store, goods int64) {
	t.Helper()
	ctx := context.Background()
	m := db.Market()
	stores, err := m.Stores(ctx, official)
	if err != nil || len(stores) == 0 {
		t.Fatalf("demo store: %v", err)
	}
	store = stores[0].ID
	gs, err := m.Goods(ctx, official, store)
	if err != nil {
		t.Fatal(err)
	}
	var price int64
	for _, g := range gs { // the cheapest without a per-household limit
		if g.Limit == 0 && (goods == 0 || g.Price < price) {
			goods, price = g.ID, g.Price
		}
	}
	if goods == 0 {
		t.Fatal("the demo store has no goods without a limit")
	}
	if _, err := m.Receive(ctx, official, market.Inbound{Store: store, Goods: goods, Qty: market.MaxQty, Source: market.Funds}); err != nil {
		t.Fatal(err)
	}
	for _, h := range households {
		if _, err := db.Ledger().Post(ctx, official, points.Posting{Key: fmt.Sprintf("drill-fund-%d", h.ID), Household: h.ID, Kind: points.Base, Points: 10000, Item: "演练"}); err != nil {
			t.Fatal(err)
		}
	}
	return store, goods
}
