package procmem

import "testing"

func TestPeakFollowsAllocation(t *testing.T) {
	base := ResetPeak()
	if base <= 0 {
		t.Skip("no /proc/self/status here")
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	if peak := PeakKB(); peak < base+60<<10 {
		t.Fatalf("peak %d KB after touching 64 MB on a base of %d KB", peak, base)
	}
	_ = buf[len(buf)-1]
}
