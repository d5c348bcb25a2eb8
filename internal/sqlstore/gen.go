package sqlstore

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/localtime"
	"shanzhi/internal/market"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/scheme"
	"shanzhi/internal/synth"
)

// GenSpec sizes a synthetic league for benchmarks and drills.
type GenSpec struct {
	League      string // the league whose village-level units get households
	Households  int
	Entries     int // ledger entries over the year
	Redemptions int // counter redemptions, through the market service
	Seed        int64
	Today       time.Time // the reference date; entries fall between 1 January and it
	MongolShare float64
}

// GenReport says what Generate wrote.
type GenReport struct {
	Villages, Households, Residents, Entries int
	Stores, Redemptions, Refused             int
	HouseholdsTook, LedgerTook, MarketTook   time.Duration
}

// genChunk is how many households one transaction registers: large enough
// that the fsync per commit disappears, small enough that progress shows.
const genChunk = 2000

// Generate fills an empty store with a deterministic synthetic league: the
// default scheme at the league, households and residents through the same
// inserts a clerk's import takes (sealed ID numbers, pinyin keys, history),
// and a year of approved awards and deductions written straight into the
// village ledgers with their chains, balances and maintained totals, so
// that verify passes and rankings read what the award flow would have
// left. Awards are not replayed through review: the review trail of a
// year is not what the benchmarks measure, and 10,000,000 of them would
// triple the build time.
func (db *DB) Generate(ctx context.Context, spec GenSpec, progress func(stage string, done, total int)) (*GenReport, error) {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if regioncode.LevelOf(spec.League) != regioncode.League {
		return nil, fmt.Errorf("gen: %s is not a league code", spec.League)
	}
	actor := &access.Actor{Username: "gen", Grants: []access.Grant{{Role: access.Operator, Region: spec.League}, {Role: access.Leader, Region: spec.League}}}
	var villages []string
	var existing int
	err := db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(spec.League)
		if err := tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code >= ? AND village_code < ?`, lo, hi).Scan(&existing); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT code FROM regions WHERE level = ? AND status = 'active' AND kind IN ('嘎查', '村') AND code >= ? AND code < ? ORDER BY code`,
			int(regioncode.Village), lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return err
			}
			villages = append(villages, c)
		}
		return rows.Err()
	})
	switch {
	case err != nil:
		return nil, err
	case existing > 0:
		return nil, fmt.Errorf("gen: the league already has %d households; generate into an empty database", existing)
	case len(villages) == 0:
		return nil, fmt.Errorf("gen: no villages under %s", spec.League)
	}
	if _, err := db.Schemes().Create(ctx, actor, scheme.FromTemplate, scheme.Scheme{Region: spec.League}); err != nil {
		return nil, fmt.Errorf("gen: scheme: %w", err)
	}
	rep := &GenReport{Villages: len(villages)}
	rng := rand.New(rand.NewPCG(uint64(spec.Seed), 0x67656e))
	sizes := spread(rng, spec.Households, len(villages))

	start := time.Now()
	if err := db.genHouseholds(ctx, actor, spec, villages, sizes, rep, progress); err != nil {
		return nil, err
	}
	rep.HouseholdsTook = time.Since(start)
	start = time.Now()
	hh, err := db.genHouseholdIDs(ctx, spec.League)
	if err != nil {
		return nil, err
	}
	if err := db.genLedger(ctx, actor, spec, hh, rep, progress); err != nil {
		return nil, err
	}
	rep.LedgerTook = time.Since(start)
	start = time.Now()
	if err := db.genMarket(ctx, actor, spec, villages, hh, rep, progress); err != nil {
		return nil, err
	}
	rep.MarketTook = time.Since(start)
	err = db.update(ctx, func(tx *Tx) error {
		return tx.audit(ctx, actor, auditEntry{action: "gen", target: "league:" + spec.League, region: spec.League,
			detail: fmt.Sprintf("synthetic league: %d villages, %d households, %d residents, %d entries, %d stores, %d redemptions, seed %d",
				rep.Villages, rep.Households, rep.Residents, rep.Entries, rep.Stores, rep.Redemptions, spec.Seed)})
	})
	if err != nil {
		return nil, err
	}
	return rep, db.Analyze(ctx)
}

// Analyze refreshes the planner's statistics after a bulk load: without
// them PostgreSQL counted a league's villages household by household (1.9 s
// instead of 23 ms). SQLite samples a bounded number of rows per index, so
// a 7 GB league takes seconds, not minutes.
func (db *DB) Analyze(ctx context.Context) error {
	return db.update(ctx, func(tx *Tx) error {
		if tx.dialect == SQLite {
			if _, err := tx.tx.ExecContext(ctx, `PRAGMA analysis_limit = 1000`); err != nil {
				return err
			}
		}
		_, err := tx.tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
}

// spread divides total over n parts of uneven size, as villages differ.
func spread(rng *rand.Rand, total, n int) []int {
	w := make([]float64, n)
	var sum float64
	for i := range w {
		w[i] = 0.4 + 1.2*rng.Float64()
		sum += w[i]
	}
	out := make([]int, n)
	given := 0
	for i := range out {
		out[i] = int(float64(total) * w[i] / sum)
		given += out[i]
	}
	for i := 0; given < total; i = (i + 1) % n {
		out[i]++
		given++
	}
	return out
}

// genWorkers is how many transactions gen keeps going at once: PostgreSQL
// commits in parallel, and each household there is a dozen round trips, so
// eight writers keep its backends busy; SQLite has one writer, and two
// workers only let one generate while the other's chunk is written.
func (db *DB) genWorkers() int {
	if db.dialect == Postgres {
		return 8
	}
	return 2
}

// seedFor derives a part's own seed from the league's seed and the part's
// code, so what a banner or village gets does not depend on which worker
// made it or when.
func seedFor(seed int64, code string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(code))
	return uint64(seed) ^ h.Sum64()
}

// parallel runs job(i) for i in [0, n) on workers goroutines and returns
// the first error, after which the remaining jobs are skipped.
func parallel(ctx context.Context, workers, n int, job func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errc := make(chan error, workers)
	for range workers {
		go func() {
			for i := range next {
				if err := job(ctx, i); err != nil {
					errc <- err
					cancel()
					for range next {
					}
					return
				}
			}
			errc <- nil
		}()
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var first error
	for range workers {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// genHouseholds makes each banner's households with its own generator
// (synth issues distinct ID numbers per banner) and registers them in
// chunks through the same inserts a register import takes, several
// banners at once.
func (db *DB) genHouseholds(ctx context.Context, a *access.Actor, spec GenSpec, villages []string, sizes []int, rep *GenReport, progress func(string, int, int)) error {
	type banner struct {
		code  string
		first int // index into villages
		n     int
	}
	var banners []banner
	for i, v := range villages {
		if k := len(banners) - 1; k >= 0 && banners[k].code == v[:6] {
			banners[k].n++
		} else {
			banners = append(banners, banner{code: v[:6], first: i, n: 1})
		}
	}
	var mu sync.Mutex
	write := func(ctx context.Context, chunk []synth.Household) error {
		err := db.update(ctx, func(tx *Tx) error {
			tx.quiet = true
			for _, h := range chunk {
				id, _, err := tx.createHousehold(ctx, a, h.Input, h.Members[0], "")
				if err != nil {
					return fmt.Errorf("household %s/%s: %w", h.Input.VillageCode, h.Input.Number, err)
				}
				for _, m := range h.Members[1:] {
					if _, err := tx.insertResident(ctx, a, id, h.Input.VillageCode, m, ""); err != nil {
						return fmt.Errorf("resident of %s/%s: %w", h.Input.VillageCode, h.Input.Number, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		rep.Households += len(chunk)
		for _, h := range chunk {
			rep.Residents += len(h.Members)
		}
		progress("households", rep.Households, spec.Households)
		return nil
	}
	return parallel(ctx, db.genWorkers(), len(banners), func(ctx context.Context, bi int) error {
		b := banners[bi]
		g := synth.New(int64(seedFor(spec.Seed, b.code)), spec.Today)
		var chunk []synth.Household
		for i := b.first; i < b.first+b.n; i++ {
			for _, h := range g.Households(villages[i], sizes[i], spec.MongolShare) {
				if chunk = append(chunk, h); len(chunk) == genChunk {
					if err := write(ctx, chunk); err != nil {
						return err
					}
					chunk = nil
				}
			}
		}
		if len(chunk) == 0 {
			return nil
		}
		return write(ctx, chunk)
	})
}

// genShelf is what every generated store sells: price in points, unit.
var genShelf = []struct {
	name, category, unit string
	price                int64
}{{"洗衣粉", "日用品", "袋", 10}, {"肥皂", "日用品", "块", 5}, {"食用油", "粮油", "桶", 50}, {"大米", "粮油", "袋", 40},
	{"毛巾", "日用品", "条", 8}, {"牙膏", "日用品", "支", 6}, {"酱油", "调料", "瓶", 12}, {"作业本", "文具", "本", 2}}

// genMarket opens a store in every township, serving all its villages,
// with the shelf above, and makes spec.Redemptions three-item baskets at
// their counters through the market service, as clerks would. Townships
// are dealt to 16 workers, so each village's ledger sees its redemptions
// in the same order on every run while the group commit shares fsyncs.
func (db *DB) genMarket(ctx context.Context, a *access.Actor, spec GenSpec, villages []string, hh *genHouseholdIDs, rep *GenReport, progress func(string, int, int)) error {
	if spec.Redemptions <= 0 {
		return nil
	}
	m := db.Market()
	type shop struct {
		id    int64
		goods []int64
		hh    []int64
	}
	var shops []*shop
	byTown := map[string]*shop{}
	for _, v := range villages {
		town := v[:9] + "000"
		if byTown[town] != nil {
			continue
		}
		st, err := m.CreateStore(ctx, a, market.StoreInput{Region: town, Name: "积分超市", Address: "镇政府院内"})
		if err != nil {
			return fmt.Errorf("gen: store of %s: %w", town, err)
		}
		sh := &shop{id: st.ID}
		for _, g := range genShelf {
			item, err := m.SaveGoods(ctx, a, market.GoodsInput{Store: st.ID, Name: g.name, Category: g.category, Unit: g.unit, Price: g.price, OnShelf: true})
			if err != nil {
				return fmt.Errorf("gen: goods of %s: %w", town, err)
			}
			if _, err := m.Receive(ctx, a, market.Inbound{Store: st.ID, Goods: item.ID, Qty: market.MaxQty, Source: market.Funds}); err != nil {
				return fmt.Errorf("gen: stock of %s: %w", town, err)
			}
			// Baskets take from the everyday goods; the dearer oil and
			// rice are on the shelf for the counter and the load command.
			if g.price <= 12 {
				sh.goods = append(sh.goods, item.ID)
			}
		}
		byTown[town] = sh
		shops = append(shops, sh)
	}
	rep.Stores = len(shops)
	for _, v := range hh.order {
		if sh := byTown[v[:9]+"000"]; sh != nil {
			sh.hh = append(sh.hh, hh.byVillage[v]...)
		}
	}
	const workers = 16
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(spec.Seed), uint64(w)))
			for si := w; si < len(shops); si += workers {
				sh := shops[si]
				n := spec.Redemptions*(si+1)/len(shops) - spec.Redemptions*si/len(shops)
				for i := range n {
					if len(sh.hh) == 0 || ctx.Err() != nil {
						break
					}
					b := market.Basket{Key: fmt.Sprintf("gen-r-%d-%d", sh.id, i), Store: sh.id, Household: sh.hh[rng.IntN(len(sh.hh))]}
					for _, k := range rng.Perm(len(sh.goods))[:3] {
						b.Items = append(b.Items, market.Item{Goods: sh.goods[k], Qty: 1})
					}
					_, err := m.Redeem(ctx, a, b)
					mu.Lock()
					switch {
					case err == nil:
						rep.Redemptions++
					case fault.Is(err, fault.Conflict):
						rep.Refused++ // the household could not afford it
					case first == nil:
						first = err
					}
					done := rep.Redemptions + rep.Refused
					mu.Unlock()
					if done%5000 == 0 {
						progress("redemptions", done, spec.Redemptions)
					}
				}
			}
		}()
	}
	wg.Wait()
	progress("redemptions", rep.Redemptions+rep.Refused, spec.Redemptions)
	return first
}

// genHouseholdIDs are the league's households by village, read once for
// the ledger and the stores.
type genHouseholdIDs struct {
	byVillage map[string][]int64
	order     []string // villages in code order
}

func (db *DB) genHouseholdIDs(ctx context.Context, league string) (*genHouseholdIDs, error) {
	out := &genHouseholdIDs{byVillage: map[string][]int64{}}
	err := db.view(ctx, func(tx *Tx) error {
		lo, hi := regioncode.Range(league)
		rows, err := tx.query(ctx, `SELECT id, village_code FROM households WHERE village_code >= ? AND village_code < ? ORDER BY village_code, id`, lo, hi)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			if _, ok := out.byVillage[v]; !ok {
				out.order = append(out.order, v)
			}
			out.byVillage[v] = append(out.byVillage[v], id)
		}
		return rows.Err()
	})
	return out, err
}

// genEntry is one ledger entry being planned.
type genEntry struct {
	household int64
	at        int64 // Unix ms
	item      scheme.Item
}

// genLedger writes a year of entries village by village, one transaction
// each, computing chains and balances as tx.post would.
func (db *DB) genLedger(ctx context.Context, a *access.Actor, spec GenSpec, hh *genHouseholdIDs, rep *GenReport, progress func(string, int, int)) error {
	if rep.Households == 0 {
		return nil
	}
	byVillage, order := hh.byVillage, append([]string(nil), hh.order...)
	tpl := scheme.DefaultTemplate()
	var awards, deductions []scheme.Item
	for _, it := range tpl.Items {
		if it.Points > 0 {
			awards = append(awards, it)
		} else {
			deductions = append(deductions, it)
		}
	}
	first := time.Date(spec.Today.Year(), 1, 1, 2, 0, 0, 0, time.UTC).UnixMilli() // 10:00 in Beijing
	span := scheme.Today(spec.Today).UnixMilli() - first + 1
	uid, uname := actorRef(a)
	// Villages go in groups of about genLedgerTx entries a transaction, so
	// a small league is not all fsyncs and a large one not one huge commit;
	// each village draws from its own seed, so groups can run at once.
	var groups [][]string
	for len(order) > 0 {
		var group []string
		planned := 0
		for len(order) > 0 && planned < genLedgerTx {
			v := order[0]
			order = order[1:]
			group = append(group, v)
			planned += int(int64(spec.Entries) * int64(len(byVillage[v])) / int64(rep.Households))
		}
		groups = append(groups, group)
	}
	// The items, the actor, the aspects and the villages get their lookup
	// ids in one transaction, in order, before the writers start: adding
	// them as each writer first met them, in its own order, deadlocked
	// PostgreSQL's concurrent inserts into the same unique indexes. After
	// the commit the writers find them in the process's cache. The
	// villages' ordinals (migration 0047) so follow their codes.
	if err := db.update(ctx, func(tx *Tx) error {
		items, aspects := map[string]bool{}, map[string]bool{}
		for _, it := range tpl.Items {
			items[it.Name], aspects[it.Aspect] = true, it.Aspect != ""
		}
		if _, err := tx.ledgerLookup(ctx, lookupActor, uid, uname); err != nil {
			return err
		}
		villages := map[string]bool{}
		for _, v := range hh.order {
			villages[v] = true
		}
		for table, names := range map[string]map[string]bool{lookupItem: items, lookupAspect: aspects, lookupVillage: villages} {
			for _, name := range slices.Sorted(maps.Keys(names)) {
				if !names[name] {
					continue
				}
				if _, err := tx.ledgerLookup(ctx, table, 0, name); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}
	var mu sync.Mutex
	return parallel(ctx, db.genWorkers(), len(groups), func(ctx context.Context, gi int) error {
		group := groups[gi]
		plans := make([][]genEntry, len(group))
		for k, v := range group {
			rng := rand.New(rand.NewPCG(seedFor(spec.Seed, v), 0x6c6564676572))
			hh := byVillage[v]
			plan := make([]genEntry, int(int64(spec.Entries)*int64(len(hh))/int64(rep.Households)))
			for i := range plan {
				it := awards[rng.IntN(len(awards))]
				if rng.IntN(10) == 0 {
					it = deductions[rng.IntN(len(deductions))]
				}
				plan[i] = genEntry{household: hh[rng.IntN(len(hh))], at: first + rng.Int64N(max(span, 1)), item: it}
			}
			sort.Slice(plan, func(i, j int) bool { return plan[i].at < plan[j].at })
			plans[k] = plan
		}
		written := 0
		err := db.update(ctx, func(tx *Tx) error {
			written = 0
			for k, v := range group {
				w, err := newGenWriter(tx, v)
				if err != nil {
					return err
				}
				for i, p := range plans[k] {
					kind, n := points.Award, int64(p.item.Points)
					if n < 0 {
						kind, n = points.Deduct, min(-n, w.balance[p.household])
					}
					if n == 0 {
						continue
					}
					e := points.Entry{Village: v, Household: p.household, Kind: kind, Delta: points.Delta(kind, n), Item: p.item.Name,
						Memo: "gen", Key: fmt.Sprintf("gen:%s:%d", v, i), Actor: uname, At: time.UnixMilli(p.at)}
					if err := w.add(ctx, e, uid, p.item.Aspect); err != nil {
						return err
					}
				}
				if err := w.finish(ctx); err != nil {
					return fmt.Errorf("ledger of %s: %w", v, err)
				}
				written += w.entries
			}
			return nil
		})
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		rep.Entries += written
		progress("entries", rep.Entries, spec.Entries)
		return nil
	})
}

// genLedgerTx is about how many entries one ledger transaction writes.
const genLedgerTx = 50_000

// genRows is the multi-row INSERT width: one statement carries this many
// rows, which is what makes bulk writes fast on both engines.
const genRows = 50

// genWriter accumulates one village's entries and totals and writes them
// in multi-row statements.
type genWriter struct {
	tx      *Tx
	village string
	seq     int64
	hash    string
	kv      int // the chain key version and key entries are chained with
	key     points.ChainKey
	balance map[int64]int64
	rows    []any
	totals  map[totalKey]*[2]int64 // points and awards
	hhs     map[[2]string]int      // period, aspect → households with awards
	entries int
}

type totalKey struct {
	period, aspect string
	household      int64
}

func newGenWriter(tx *Tx, village string) (*genWriter, error) {
	kv, key, err := tx.chainKey()
	if err != nil {
		return nil, err
	}
	return &genWriter{tx: tx, village: village, kv: kv, key: key, balance: map[int64]int64{}, totals: map[totalKey]*[2]int64{}, hhs: map[[2]string]int{}}, nil
}

const genEntryCols = 15

// add writes an entry as appendEntry would (the compact columns of
// migration 0040); the generator's postings all give their fingerprint
// back, so none is stored.
func (w *genWriter) add(ctx context.Context, e points.Entry, uid int64, aspect string) error {
	w.entries++
	w.balance[e.Household] += e.Delta
	e.Balance = w.balance[e.Household]
	w.seq++
	e.Seq, e.PrevHash, e.KeyVersion = w.seq, w.hash, w.kv
	e.Hash = points.Chain(w.key, e.PrevHash, e)
	w.hash = e.Hash
	vnum, err := villageNum(e.Village)
	if err != nil {
		return err
	}
	kind, err := kindID(e.Kind)
	if err != nil {
		return err
	}
	item, err := w.tx.ledgerLookup(ctx, lookupItem, 0, e.Item)
	if err != nil {
		return err
	}
	actor, err := w.tx.ledgerLookup(ctx, lookupActor, uid, e.Actor)
	if err != nil {
		return err
	}
	prefix, keyNum := splitKey(e.Key)
	keyPre, err := w.tx.ledgerLookup(ctx, lookupPrefix, 0, prefix)
	if err != nil {
		return err
	}
	hash, err := rawHash(e.Hash)
	if err != nil {
		return err
	}
	w.rows = append(w.rows, vnum, e.Seq, e.Household, kind, e.Delta, e.Balance, item, e.Memo, keyPre, keyNum, nil, actor, e.At.UnixMilli(), hash, e.KeyVersion)
	day := localtime.In(e.At)
	for _, per := range []string{day.Format("2006-01"), day.Format("2006")} {
		for _, asp := range []string{"", aspect} {
			k := totalKey{per, asp, e.Household}
			t := w.totals[k]
			if t == nil {
				t = &[2]int64{}
				w.totals[k] = t
				w.hhs[[2]string{per, asp}]++
			}
			t[0] += e.Delta
			t[1]++
		}
	}
	if len(w.rows) == genRows*genEntryCols {
		return w.flush(ctx)
	}
	return nil
}

func (w *genWriter) flush(ctx context.Context) error {
	if len(w.rows) == 0 {
		return nil
	}
	_, err := w.tx.exec(ctx, `INSERT INTO ledger_entries (village, seq, household_id, kind, delta, balance, item, memo, key_pre, key_num, fp, actor, at, hash, kv) VALUES `+
		placeholders(len(w.rows)/genEntryCols, genEntryCols), w.rows...)
	w.rows = w.rows[:0]
	return err
}

// finish writes the remaining entries, the accounts, the chain head and
// the maintained totals.
func (w *genWriter) finish(ctx context.Context) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	tx, now := w.tx, w.tx.nowMS()
	ids := make([]int64, 0, len(w.balance))
	for id := range w.balance {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var rows []any
	for _, id := range ids {
		rows = append(rows, id, w.village, w.balance[id], now)
	}
	if err := tx.insertMany(ctx, `INSERT INTO accounts (household_id, village_code, balance, updated_at) VALUES `, 4, rows); err != nil {
		return err
	}
	last, err := rawHash(w.hash)
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO ledger_heads (village, last_seq, last_hash) VALUES (?, ?, ?)`, villageArg(w.village), w.seq, last); err != nil {
		return err
	}
	// The totals in their compact form (migration 0045), in primary key
	// order so the b-tree's appends are sequential.
	type compactKey struct{ period, aspect, household int64 }
	keys := make([]compactKey, 0, len(w.totals))
	from := make(map[compactKey]totalKey, len(w.totals))
	vt := map[[2]int64]int64{}
	vh := map[[2]int64]int{}
	for k := range w.totals {
		period, err := periodNum(k.period)
		if err != nil {
			return err
		}
		var aspect int64
		if k.aspect != "" {
			if aspect, err = tx.ledgerLookup(ctx, lookupAspect, 0, k.aspect); err != nil {
				return err
			}
		}
		c := compactKey{period, aspect, k.household}
		keys = append(keys, c)
		from[c] = k
		vt[[2]int64{period, aspect}] += w.totals[k][0]
		vh[[2]int64{period, aspect}] = w.hhs[[2]string{k.period, k.aspect}]
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.period != b.period {
			return a.period < b.period
		}
		if a.aspect != b.aspect {
			return a.aspect < b.aspect
		}
		return a.household < b.household
	})
	// The village is keyed by its ordinal (migration 0047), the same in
	// every row of this writer, so the order above is the key's.
	ord, err := tx.ledgerLookup(ctx, lookupVillage, 0, w.village)
	if err != nil {
		return err
	}
	rows = rows[:0]
	for _, k := range keys {
		t := w.totals[from[k]]
		rows = append(rows, k.period, k.aspect, ord, k.household, t[0], t[1])
	}
	if err := tx.insertMany(ctx, `INSERT INTO points_totals (period, aspect, village, household_id, points, awards) VALUES `, 6, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for k, p := range vt {
		rows = append(rows, k[0], k[1], villageArg(w.village), p, vh[k])
	}
	return tx.insertMany(ctx, `INSERT INTO village_totals (period, aspect, village, points, households) VALUES `, 5, rows)
}

// insertMany runs prefix with rows of width columns, genRows rows to a
// statement.
func (tx *Tx) insertMany(ctx context.Context, prefix string, width int, rows []any) error {
	for len(rows) > 0 {
		n := min(len(rows), genRows*width)
		if _, err := tx.exec(ctx, prefix+placeholders(n/width, width), rows[:n]...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// placeholders is "(?, ?), (?, ?)" for n rows of width columns.
func placeholders(n, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// SampleHouseholds returns up to n registered households of region, spread
// evenly over it, with their villages: the load command's targets.
func (db *DB) SampleHouseholds(ctx context.Context, region string, n int) (ids []int64, villages []string, err error) {
	lo, hi := regioncode.Range(region)
	err = db.view(ctx, func(tx *Tx) error {
		var total int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM households WHERE village_code >= ? AND village_code < ? AND status = ?`, lo, hi, registry.HouseholdActive).Scan(&total); err != nil {
			return err
		}
		step := max(total/max(n, 1), 1)
		rows, err := tx.query(ctx, `SELECT id, village_code FROM households WHERE village_code >= ? AND village_code < ? AND status = ? ORDER BY id`, lo, hi, registry.HouseholdActive)
		if err != nil {
			return err
		}
		defer rows.Close()
		for i := 0; rows.Next(); i++ {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			if i%step == 0 && len(ids) < n {
				ids = append(ids, id)
				villages = append(villages, v)
			}
		}
		return rows.Err()
	})
	return ids, villages, err
}
