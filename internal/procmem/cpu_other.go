//go:build !unix

package procmem

import "time"

// CPU is 0 where getrusage does not exist (a township's Windows PC runs
// the product, not the benchmarks that read this).
func CPU() time.Duration { return 0 }
