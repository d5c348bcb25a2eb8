package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/config"
	"shanzhi/internal/points"
	"shanzhi/internal/procmem"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/scheme"
	"shanzhi/internal/sqlstore"
)

// A load scenario makes one request for a client; r is the client's own
// random source.
type loadScenario struct {
	name string
	// write scenarios need durable commits; the report says so.
	write bool
	req   func(t *loadTargets, r *rand.Rand) (method, path string, body []byte, key string)
}

// loadTargets is what the scenarios pick from.
type loadTargets struct {
	households []int64
	villages   []string
	items      []string // award items a committee member may record with text evidence
	year       string
	// shoppers are sampled households whose township has a store, with
	// that store and its goods.
	shoppers []shopper
}

type shopper struct {
	household, store int64
	goods            []int64
}

// clientKey is an idempotency key as the product's own clients draw one:
// the award and counter forms' are 12 random bytes in hex (web's newKey),
// so the store meets keys in no order, as it does in the field, where a
// run-and-counter key would land every write at the end of its index.
func clientKey(r *rand.Rand) string {
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], r.Uint64())
	binary.LittleEndian.PutUint32(b[8:], r.Uint32())
	return hex.EncodeToString(b[:])
}

var loadScenarios = []loadScenario{
	{name: "awards", write: true, req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		h := t.households[r.IntN(len(t.households))]
		body := fmt.Sprintf(`{"item":%q,"evidence":"压测","witness":"压测"}`, t.items[r.IntN(len(t.items))])
		return "POST", fmt.Sprintf("/api/v1/households/%d/awards", h), []byte(body), clientKey(r)
	}},
	{name: "redeem", write: true, req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		s := t.shoppers[r.IntN(len(t.shoppers))]
		var lines []string
		for _, k := range r.Perm(len(s.goods))[:min(3, len(s.goods))] {
			lines = append(lines, fmt.Sprintf(`{"goods":%d,"qty":1}`, s.goods[k]))
		}
		body := fmt.Sprintf(`{"household":%d,"items":[%s]}`, s.household, strings.Join(lines, ","))
		return "POST", fmt.Sprintf("/api/v1/stores/%d/redemptions", s.store), []byte(body), clientKey(r)
	}},
	{name: "balance", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", fmt.Sprintf("/api/v1/households/%d/balance", t.households[r.IntN(len(t.households))]), nil, ""
	}},
	{name: "statement", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", fmt.Sprintf("/api/v1/households/%d/statement?limit=50", t.households[r.IntN(len(t.households))]), nil, ""
	}},
	{name: "village-ranking", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", fmt.Sprintf("/api/v1/rankings?region=%s&period=%s&limit=50", t.villages[r.IntN(len(t.villages))], t.year), nil, ""
	}},
	{name: "league-ranking", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", fmt.Sprintf("/api/v1/rankings?region=%s&period=%s&limit=50", xingan, t.year), nil, ""
	}},
	{name: "league-villages", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", fmt.Sprintf("/api/v1/rankings?region=%s&period=%s&by=villages", xingan, t.year), nil, ""
	}},
	// The pages the public sees most: the village hall's board and the
	// notice of awards under review, rendered from their templates.
	{name: "board-page", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", "/board/" + t.villages[r.IntN(len(t.villages))], nil, ""
	}},
	{name: "notice-page", req: func(t *loadTargets, r *rand.Rand) (string, string, []byte, string) {
		return "GET", "/notice/" + t.villages[r.IntN(len(t.villages))], nil, ""
	}},
}

// timings collects durations from many goroutines.
type timings struct {
	mu sync.Mutex
	d  []time.Duration
}

func (t *timings) add(d time.Duration) {
	t.mu.Lock()
	t.d = append(t.d, d)
	t.mu.Unlock()
}

func (t *timings) reset() {
	t.mu.Lock()
	t.d = t.d[:0]
	t.mu.Unlock()
}

// quantiles returns p50, p99 and the maximum.
func (t *timings) quantiles() (p50, p99, top time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(t.d)
	at := func(q float64) time.Duration { return t.d[min(int(q*float64(len(t.d))), len(t.d)-1)] }
	return at(0.50), at(0.99), t.d[len(t.d)-1]
}

// cmdLoad starts the real server on a loopback port over the configured
// database and drives it with concurrent HTTP clients, one scenario after
// another, reporting throughput, client latency and the server's own time
// per request (from the handler's entry to its return, which is what the
// targets name). It adds a user and an API token to the database.
func cmdLoad(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clients := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "time per scenario")
	only := fs.String("scenarios", "", "comma-separated scenarios (default: all)")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	// The writer's share of a run shows in an execution trace, not in a
	// CPU profile: how long its goroutine ran, sat in system calls,
	// waited for work or for a CPU (go tool trace, goroutine analysis).
	traceFile := fs.String("trace", "", "write an execution trace to this file (go tool trace)")
	rate := fs.Float64("rate", 0, "requests per second over all clients (default: as fast as they can)")
	rest, err := splitFlags(fs, args)
	if err != nil {
		return err
	}
	if *clients < 1 || *rate < 0 {
		return fmt.Errorf("load: -clients must be at least 1 and -rate not negative")
	}
	// With a rate each client sends on its own schedule, offset from the
	// others: latency at a stated load is what a latency target means,
	// while flat out it measures how long requests queue for the CPU.
	var every time.Duration
	if *rate > 0 {
		every = time.Duration(float64(*clients) / *rate * float64(time.Second))
	}
	stop, err := cpuProfile(*profile)
	if err != nil {
		return err
	}
	defer stop()
	stopTrace, err := recordTo(*traceFile, trace.Start, trace.Stop)
	if err != nil {
		return err
	}
	defer stopTrace()
	cfg, _, err := config.Load("load", rest, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg, false, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	t, token, err := loadSetup(ctx, db)
	if err != nil {
		return err
	}
	h, _, err := handler(cfg, db, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	server := &timings{}
	timed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		server.add(time.Since(start))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: timed, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: *clients, MaxIdleConnsPerHost: *clients}, Timeout: 30 * time.Second}

	if every > 0 {
		fmt.Fprintf(stdout, "paced at %.0f requests/s over %d clients\n\n", *rate, *clients)
	}
	fmt.Fprintf(stdout, "| scenario | clients | requests/s | ok | refused | failed | client p50 | client p99 | server p50 | server p99 | server max |\n")
	fmt.Fprintf(stdout, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, sc := range loadScenarios {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), sc.name) {
			continue
		}
		if sc.name == "redeem" && len(t.shoppers) == 0 {
			fmt.Fprintf(stdout, "| %s | no store serves the sampled households: skipped |\n", sc.name)
			continue
		}
		server.reset()
		cl := &timings{}
		var ok, refused, failed atomic.Int64
		var firstFailure atomic.Value
		deadline := time.Now().Add(*duration)
		var wg sync.WaitGroup
		start := time.Now()
		for c := range *clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(c), uint64(time.Now().UnixNano())))
				next := start.Add(every * time.Duration(c) / time.Duration(*clients))
				for time.Now().Before(deadline) {
					if every > 0 {
						time.Sleep(time.Until(next))
						next = next.Add(every)
					}
					method, path, body, key := sc.req(t, r)
					req, _ := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+token)
					if body != nil {
						req.Header.Set("Content-Type", "application/json")
					}
					if key != "" {
						req.Header.Set("Idempotency-Key", key)
					}
					began := time.Now()
					res, err := client.Do(req)
					if err != nil {
						failed.Add(1)
						firstFailure.CompareAndSwap(nil, err.Error())
						continue
					}
					raw, _ := io.ReadAll(res.Body)
					res.Body.Close()
					cl.add(time.Since(began))
					switch {
					case res.StatusCode < 300:
						ok.Add(1)
					case res.StatusCode < 500:
						// A cap reached or a household that moved: the
						// server answered correctly, but not with a write.
						refused.Add(1)
						firstFailure.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, raw))
					default:
						failed.Add(1)
						firstFailure.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, raw))
					}
				}
			}()
		}
		wg.Wait()
		took := time.Since(start)
		c50, c99, _ := cl.quantiles()
		s50, s99, smax := server.quantiles()
		fmt.Fprintf(stdout, "| %s | %d | %.0f | %d | %d | %d | %s | %s | %s | %s | %s |\n", sc.name, *clients, float64(ok.Load())/took.Seconds(),
			ok.Load(), refused.Load(), failed.Load(), ms(c50), ms(c99), ms(s50), ms(s99), ms(smax))
		if f, _ := firstFailure.Load().(string); f != "" && (failed.Load() > 0 || refused.Load() > ok.Load()/100) {
			fmt.Fprintf(stdout, "  first refusal or failure of %s: %.200s\n", sc.name, f)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	commits, txs := db.GroupStats()
	if commits > 0 {
		batches, batched, fallbacks := db.BatchStats()
		fmt.Fprintf(stdout, "\ngroup commit: %d write transactions in %d commits (%.1f a commit); %d of them in %d batches, %d batches run one by one\n",
			txs, commits, float64(txs)/float64(commits), batched, batches, fallbacks)
	}
	fmt.Fprintf(stdout, "engine %s, %d households sampled, peak RSS %d MB\n", db.Dialect(), len(t.households), procmem.PeakKB()>>10)
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// loadSetup samples targets and makes a league-wide user with an API token
// for the run.
func loadSetup(ctx context.Context, db *sqlstore.DB) (*loadTargets, string, error) {
	ids, villages, err := db.SampleHouseholds(ctx, xingan, 100_000)
	if err != nil {
		return nil, "", err
	}
	if len(ids) == 0 {
		return nil, "", fmt.Errorf("load: no households under %s: build a league first with shanzhi gen", xingan)
	}
	var raw [14]byte
	crand.Read(raw[:])
	run, secret := hex.EncodeToString(raw[:6]), hex.EncodeToString(raw[6:])
	t := &loadTargets{households: ids, villages: villages, year: scheme.Today(time.Now()).Format("2006")}
	for _, it := range scheme.DefaultTemplate().Items {
		if it.Points > 0 && !it.Evidence.Photo && it.Cap == 0 && (len(it.Roles) == 0 || slices.Contains(it.Roles, access.Operator)) {
			t.items = append(t.items, it.Code)
		}
	}
	if len(t.items) == 0 {
		return nil, "", fmt.Errorf("load: the default scheme has no item to award without a photo or a cap")
	}
	grants := []access.Grant{{Role: access.Operator, Region: xingan}, {Role: access.Leader, Region: xingan}}
	name := "load-" + run
	pw := "Qz-" + secret + "-9"
	uid, err := db.CreateUser(ctx, nil, name, "压测", pw, grants)
	if err != nil {
		return nil, "", err
	}
	if err := db.SetPassword(ctx, nil, name, pw, false); err != nil {
		return nil, "", err
	}
	act := &access.Actor{UserID: uid, Username: name, Grants: grants}
	token, err := db.Users(access.DefaultPolicy()).CreateToken(ctx, act, "load", 24*time.Hour)
	if err != nil {
		return nil, "", err
	}
	stores, err := db.Market().Stores(ctx, act)
	if err != nil {
		return nil, "", err
	}
	byTown := map[string]shopper{}
	for _, st := range stores {
		goods, err := db.Market().Goods(ctx, act, st.ID)
		if err != nil {
			return nil, "", err
		}
		s := shopper{store: st.ID}
		for _, g := range goods {
			// The everyday goods, as the generator's baskets take them,
			// so most households can afford a basket.
			if g.OnShelf && g.Price <= 12 {
				s.goods = append(s.goods, g.ID)
			}
		}
		if len(s.goods) > 0 && regioncode.LevelOf(st.Region) == regioncode.Township {
			byTown[st.Region] = s
		}
	}
	var all []shopper
	for i, h := range ids {
		if s, ok := byTown[villages[i][:9]+"000"]; ok {
			s.household = h
			all = append(all, s)
		}
	}
	t.shoppers, err = fundShoppers(ctx, db, act, run, all)
	return t, token, err
}

// Shoppers, and the points each is given when its balance is below the
// floor: a year of the generator's awards leaves a median household about
// 40 points, a basket or two, so a redemption scenario at a thousand or
// more a second would otherwise measure refusals of unaffordable baskets
// (76–91 % of them on PostgreSQL's small set).
const (
	loadShoppers    = 2000
	loadShopperGift = 20_000
	loadShopperKeep = 2_000
)

// fundShoppers picks up to loadShoppers of the sampled shoppers, spread
// over the sample, and tops up through the ledger (an audited award
// posting under a key of the run) every one whose balance has fallen
// below loadShopperKeep, so every basket the redeem scenario asks for is
// affordable and repeated runs do not pile up points.
func fundShoppers(ctx context.Context, db *sqlstore.DB, act *access.Actor, run string, all []shopper) ([]shopper, error) {
	if len(all) == 0 {
		return nil, nil
	}
	step := max(len(all)/loadShoppers, 1)
	var picked []shopper
	for i := 0; i < len(all) && len(picked) < loadShoppers; i += step {
		picked = append(picked, all[i])
	}
	jobs := make(chan int64)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range jobs {
				bal, err := db.Ledger().Balance(ctx, act, h)
				if err == nil && bal < loadShopperKeep {
					_, err = db.Ledger().Post(ctx, act, points.Posting{Key: fmt.Sprintf("load-%s-fund-%d", run, h), Household: h, Kind: points.Award,
						Points: loadShopperGift, Item: "压测备用积分", Memo: "load " + run})
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, s := range picked {
		jobs <- s.household
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, fmt.Errorf("load: topping up shoppers: %w", err)
	default:
	}
	return picked, nil
}
