// Package procmem reads this process's memory figures from Linux's /proc,
// so benchmarks can report the peak resident set of the work they time
// rather than of the whole test binary, and its CPU time.
package procmem

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// ResetPeak returns freed memory to the system, resets the kernel's
// high-water mark of the resident set (Linux 4.0 and later) and returns
// the current resident set in KB, the baseline of what follows.
func ResetPeak() int {
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return StatusKB("VmRSS")
}

// PeakKB is the resident set's high-water mark since the last ResetPeak.
func PeakKB() int { return StatusKB("VmHWM") }

// StatusKB reads one kB figure from /proc/self/status, 0 if absent.
func StatusKB(field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}
