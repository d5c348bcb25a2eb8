package fonts

import (
	"encoding/binary"
	"testing"
)

// TestFontsAreTrueType guards the property the PDF writer relies on: both
// files are sfnt fonts with glyf outlines (not CFF), and the Mongolian one
// carries the GSUB table its joining forms come from.
func TestFontsAreTrueType(t *testing.T) {
	for name, data := range map[string][]byte{MongolianFile: Mongolian, CJKFile: CJK, LatinFile: Latin} {
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
	if Version(Mongolian) == Version(CJK) || len(Version(CJK)) != 12 {
		t.Fatalf("versions: %q %q", Version(Mongolian), Version(CJK))
	}
}
