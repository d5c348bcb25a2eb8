//go:build unix

package procmem

import (
	"syscall"
	"time"
)

// CPU is the CPU time this process has used, user and system: what a
// benchmark's work cost on a shared machine, whose load stretches the
// elapsed time but not this.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
