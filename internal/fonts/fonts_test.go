package fonts

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"testing"
	"time"
)

// TestFontsAreTrueType guards the property the PDF writer relies on: both
// files are sfnt fonts with glyf outlines (not CFF), and the Mongolian one
// carries the GSUB table its joining forms come from.
func TestFontsAreTrueType(t *testing.T) {
	for name, data := range map[string][]byte{MongolianFile: Mongolian(), CJKFile: CJK(), LatinFile: Latin()} {
		if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
			t.Fatalf("%s: not a TrueType sfnt", name)
		}
		tables := map[string]bool{}
		n := int(binary.BigEndian.Uint16(data[4:]))
		for i := 0; i < n; i++ {
			tables[string(data[12+16*i:16+16*i])] = true
		}
		for _, tag := range []string{"glyf", "loca", "cmap", "hmtx"} {
			if !tables[tag] {
				t.Errorf("%s: no %s table", name, tag)
			}
		}
		if name == MongolianFile && !tables["GSUB"] {
			t.Errorf("%s: no GSUB table, Mongolian cannot join", name)
		}
	}
	if Version(Mongolian()) == Version(CJK()) || len(Version(CJK())) != 12 {
		t.Fatalf("versions: %q %q", Version(Mongolian()), Version(CJK()))
	}
}

// TestFontsMatchDebian checks that each gzipped file decompresses to
// Debian's font byte for byte, so compressing them changed no glyph.
func TestFontsMatchDebian(t *testing.T) {
	for name, c := range map[string]struct {
		data []byte
		sum  string
	}{
		CJKFile:       {CJK(), "acb6440a713d880a13a21b468ba7cd43f5a2b2934972e51be791c880730777b8"},
		LatinFile:     {Latin(), "89c3c497f618fdaa0b2d1e98fef93582f28c71debd2c4a8cdf41f190ced2909d"},
		MongolianFile: {Mongolian(), "601afb9f08fbbc39f0cf72cb7e11079ada6fa3feed1fadca8e6e5095e7957687"},
	} {
		sum := sha256.Sum256(c.data)
		if got := hex.EncodeToString(sum[:]); got != c.sum {
			t.Errorf("%s: sha256 %s, want %s", name, got, c.sum)
		}
	}
}

// BenchmarkDecompressCJK is the first use of the CJK font: what the first
// PDF after a start waits for once.
func BenchmarkDecompressCJK(b *testing.B) {
	for b.Loop() {
		if _, err := gunzip(cjkGzip); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecompressOnce reads the font twice: the second read is the kept copy.
func TestDecompressOnce(t *testing.T) {
	first := CJK()
	start := time.Now()
	if second := CJK(); &second[0] != &first[0] || time.Since(start) > time.Second {
		t.Fatal("the CJK font was decompressed twice")
	}
}
