package sqlstore

import (
	"context"
	"sync"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
)

// PeriodJobs runs the ledger calendar inside the server: each village's
// base score for the current period, and the close of the year just ended.
// Both operations are idempotent in the database (keyed postings, one close
// per village and year), so a restart or a second server repeats nothing;
// the memory of what is done only spares the database a pass per tick.
type PeriodJobs struct {
	s    *PeriodService
	mu   sync.Mutex
	done map[string]bool // "base|village|day" and "close|village|year"
}

// PeriodJobs returns the calendar's scheduler job.
func (db *DB) PeriodJobs() *PeriodJobs {
	return &PeriodJobs{s: db.Periods(), done: map[string]bool{}}
}

// periodActor is who the calendar's postings name in the ledger and the
// audit trail: the system, with the write permission over the region.
var periodActor = &access.Actor{Username: "scheduler", Grants: []access.Grant{{Role: access.Operator, Region: "150000000000"}}}

// FinaliseDue credits due base scores and closes the past year where it is
// still open, returning how many postings and closes it made. It keeps
// going past a village that fails and returns the first error, so one bad
// scheme does not hold up the others.
func (j *PeriodJobs) FinaliseDue(ctx context.Context, now time.Time) (int, error) {
	var villages []string
	err := j.s.db.view(ctx, func(tx *Tx) error {
		var err error
		villages, err = column[string](ctx, tx, `SELECT DISTINCT village_code FROM households WHERE status = '在册' ORDER BY village_code`)
		return err
	})
	if err != nil {
		return 0, err
	}
	day := scheme.Today(now)
	lastYear := day.Year() - 1
	n := 0
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	for _, v := range villages {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		// The year closes before the new year's base score, so a scheme
		// that expires old points never takes this year's base with them.
		if k := "close|" + v + "|" + scheme.Day(day)[:4]; !j.isDone(k) {
			_, err := j.s.CloseYear(ctx, periodActor, v, lastYear)
			switch {
			case err == nil:
				n++
				j.markDone(k)
			case fault.Is(err, fault.Conflict):
				j.markDone(k) // closed by hand, or by another server
			default:
				keep(err)
			}
		}
		if k := "base|" + v + "|" + scheme.Day(day); !j.isDone(k) {
			m, err := j.s.ApplyBase(ctx, periodActor, v, day)
			if err != nil && !fault.Is(err, fault.NotFound) {
				keep(err)
				continue
			}
			// NotFound: no scheme in force in this village yet.
			n += m
			j.markDone(k)
		}
	}
	return n, first
}

func (j *PeriodJobs) isDone(k string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.done[k]
}

func (j *PeriodJobs) markDone(k string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.done[k] = true
}
