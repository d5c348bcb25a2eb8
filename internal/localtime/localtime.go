// Package localtime is the one definition of the deployment's time zone:
// every date a page shows, a sheet exports or a period is picked by is
// read in it. The zone is kept in the database (see sqlstore's
// TimeZone), so every server sharing it agrees; a process sets it once
// at start-up, before serving.
package localtime

import (
	"fmt"
	"sync/atomic"
	"time"
	// A township PC running Windows has no zoneinfo of its own; the
	// embedded copy makes every IANA name loadable there too.
	_ "time/tzdata"
)

// Default is the zone of a database that was never given one: Inner
// Mongolia keeps Beijing time.
const Default = "Asia/Shanghai"

// shanghai is Default, loaded from the embedded data, which always has it.
var shanghai, _ = time.LoadLocation(Default)

// zone is the deployment's zone once set. It is process-wide rather than
// passed along because it is a property of the database every server
// shares, like the operating system's time.Local, and is read by domain
// rules (periods, days) that take no dependencies.
var zone atomic.Pointer[time.Location]

// Load reads an IANA zone name such as "Asia/Shanghai".
func Load(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("time zone %q: want an IANA name such as %s", name, Default)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// Set makes loc the deployment's zone for this process.
func Set(loc *time.Location) { zone.Store(loc) }

// Zone is the deployment's zone: Default until Set.
func Zone() *time.Location {
	if l := zone.Load(); l != nil {
		return l
	}
	return shanghai
}

// In is t in the deployment's zone.
func In(t time.Time) time.Time { return t.In(Zone()) }

// Day is the local calendar date of t, as YYYY-MM-DD.
func Day(t time.Time) string { return In(t).Format(time.DateOnly) }
