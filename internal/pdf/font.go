package pdf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// sfnt is a parsed TrueType file: just enough of its table directory and
// glyph locations to copy the glyphs a document uses into a subset.
type sfnt struct {
	data      []byte
	tables    map[string][]byte
	numGlyphs int
	loca      []uint32 // numGlyphs+1 offsets into glyf
	upem      float64
	advances  []uint16 // by glyph id
}

func parseSfnt(data []byte) (*sfnt, error) {
	if len(data) < 12 || binary.BigEndian.Uint32(data) != 0x00010000 {
		return nil, errors.New("pdf: not a TrueType font")
	}
	f := &sfnt{data: data, tables: map[string][]byte{}}
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n; i++ {
		rec := data[12+16*i:]
		off, size := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(size) > uint64(len(data)) {
			return nil, fmt.Errorf("pdf: table %q out of range", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+size]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("pdf: font has no %s table", t)
		}
	}
	head := f.tables["head"]
	f.upem = float64(binary.BigEndian.Uint16(head[18:]))
	f.numGlyphs = int(binary.BigEndian.Uint16(f.tables["maxp"][4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	loca := f.tables["loca"]
	f.loca = make([]uint32, f.numGlyphs+1)
	for i := range f.loca {
		if long {
			f.loca[i] = binary.BigEndian.Uint32(loca[4*i:])
		} else {
			f.loca[i] = 2 * uint32(binary.BigEndian.Uint16(loca[2*i:]))
		}
	}
	nh := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	hmtx := f.tables["hmtx"]
	f.advances = make([]uint16, f.numGlyphs)
	for g := range f.advances {
		f.advances[g] = binary.BigEndian.Uint16(hmtx[4*min(g, nh-1):])
	}
	return f, nil
}

func (f *sfnt) glyph(g int) []byte {
	if g >= f.numGlyphs || f.loca[g] >= f.loca[g+1] {
		return nil
	}
	return f.tables["glyf"][f.loca[g]:f.loca[g+1]]
}

// components lists the glyphs a composite glyph is built from, which the
// subset must keep too.
func (f *sfnt) components(g int) []int {
	b := f.glyph(g)
	if len(b) < 10 || int16(binary.BigEndian.Uint16(b)) >= 0 {
		return nil
	}
	var out []int
	for p := 10; p+4 <= len(b); {
		flags := binary.BigEndian.Uint16(b[p:])
		out = append(out, int(binary.BigEndian.Uint16(b[p+2:])))
		p += 4
		if flags&0x0001 != 0 { // ARG_1_AND_2_ARE_WORDS
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&0x0008 != 0: // WE_HAVE_A_SCALE
			p += 2
		case flags&0x0040 != 0: // WE_HAVE_AN_X_AND_Y_SCALE
			p += 4
		case flags&0x0080 != 0: // WE_HAVE_A_TWO_BY_TWO
			p += 8
		}
		if flags&0x0020 == 0 { // MORE_COMPONENTS
			break
		}
	}
	return out
}

// subset returns a TrueType file with every glyph id kept but only the
// outlines of the used glyphs (and their components): glyph ids stay the
// shaper's, so the PDF maps CIDs to glyphs by /Identity, and the empty
// entries of loca and hmtx compress to almost nothing.
func (f *sfnt) subset(used map[int]bool) []byte {
	keep := map[int]bool{0: true}
	var walk func(g int)
	walk = func(g int) {
		if keep[g] && g != 0 || g >= f.numGlyphs {
			return
		}
		keep[g] = true
		for _, c := range f.components(g) {
			walk(c)
		}
	}
	for g := range used {
		walk(g)
	}
	walk(0)
	var glyf bytes.Buffer
	loca := make([]byte, 4*(f.numGlyphs+1))
	for g := 0; g < f.numGlyphs; g++ {
		binary.BigEndian.PutUint32(loca[4*g:], uint32(glyf.Len()))
		if keep[g] {
			glyf.Write(f.glyph(g))
			for glyf.Len()%4 != 0 {
				glyf.WriteByte(0)
			}
		}
	}
	binary.BigEndian.PutUint32(loca[4*f.numGlyphs:], uint32(glyf.Len()))
	nh := int(binary.BigEndian.Uint16(f.tables["hhea"][34:]))
	hmtx := append([]byte(nil), f.tables["hmtx"]...)
	for g := 0; g < f.numGlyphs; g++ {
		if keep[g] {
			continue
		}
		if g < nh {
			clear(hmtx[4*g : 4*g+4])
		} else if p := 4*nh + 2*(g-nh); p+2 <= len(hmtx) {
			clear(hmtx[p : p+2])
		}
	}
	head := append([]byte(nil), f.tables["head"]...)
	clear(head[8:12])                        // checksumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca offsets
	out := map[string][]byte{"head": head, "hhea": f.tables["hhea"], "maxp": f.tables["maxp"], "hmtx": hmtx, "loca": loca, "glyf": glyf.Bytes()}
	for _, t := range []string{"cvt ", "fpgm", "prep"} {
		if f.tables[t] != nil {
			out[t] = f.tables[t]
		}
	}
	return writeSfnt(out)
}

func checksum(b []byte) uint32 {
	var s uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		s += binary.BigEndian.Uint32(w[:])
	}
	return s
}

func writeSfnt(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	var es uint16
	for 1<<(es+1) <= n {
		es++
	}
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr, 0x00010000)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	binary.BigEndian.PutUint16(hdr[6:], 16<<es)
	binary.BigEndian.PutUint16(hdr[8:], es)
	binary.BigEndian.PutUint16(hdr[10:], uint16(16*n-16<<es))
	body := []byte{}
	headAt := 0
	for i, t := range tags {
		b := tables[t]
		rec := hdr[12+16*i:]
		copy(rec, t)
		binary.BigEndian.PutUint32(rec[4:], checksum(b))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(hdr)+len(body)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(b)))
		if t == "head" {
			headAt = len(hdr) + len(body)
		}
		body = append(body, b...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	file := append(hdr, body...)
	binary.BigEndian.PutUint32(file[headAt+8:], 0xB1B0AFBA-checksum(file))
	return file
}
