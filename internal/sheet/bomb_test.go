package sheet

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shanzhi/internal/procmem"
)

// A bomb is a hostile upload: small on the wire, ruinous to read without
// caps. Each is generated here, streamed to a file, never held whole.
type bomb struct {
	name string
	ext  string
	// write produces the file; big asks for the full-size version the
	// benchmark reads, small for the quick one the tests read.
	write func(w io.Writer, big bool) error
	what  string // the cap that must refuse it; "" for any refusal
}

const (
	wbXML   = `<workbook><sheets><sheet name="表" sheetId="1" r:id="rId1" xmlns:r="r"/></sheets></workbook>`
	relsXML = `<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead = `<worksheet><sheetData>`
	sheetTail = `</sheetData></worksheet>`
)

// part is one entry of a generated workbook: fixed text, or text made by
// a function that streams it.
type part struct {
	name string
	text string
	gen  func(w *bufio.Writer) error
}

func writeWorkbook(w io.Writer, parts ...part) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, p := range parts {
		pw, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(pw, 1<<16)
		if p.gen != nil {
			err = p.gen(bw)
		} else {
			_, err = bw.WriteString(p.text)
		}
		if err == nil {
			err = bw.Flush()
		}
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// repeat writes s n times.
func repeat(w *bufio.Writer, s string, n int) error {
	for range n {
		if _, err := w.WriteString(s); err != nil {
			return err
		}
	}
	return nil
}

// padTo makes a workbook reach the upload limit with an entry of random
// bytes stored as they are, which the reader never opens: the size of a
// bomb on the wire then is the limit, as the probe's were.
func padTo(size int) part {
	return part{name: "xl/media/image1.bin", gen: func(w *bufio.Writer) error {
		rng := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 1<<16)
		for left := size; left > 0; left -= len(buf) {
			for i := range buf {
				buf[i] = byte(rng.Uint32())
			}
			if _, err := w.Write(buf[:min(left, len(buf))]); err != nil {
				return err
			}
		}
		return nil
	}}
}

// bombPad is how far the big bombs are padded: near the default limit,
// leaving room for their own parts.
const bombPad = DefaultLimit - 4<<20

func pick(big bool, large, small int) int {
	if big {
		return large
	}
	return small
}

var bombs = []bomb{
	{name: "huge shared string", ext: ".xlsx", what: "cell", write: func(w io.Writer, big bool) error {
		n := pick(big, 480<<20, 1<<20)
		parts := []part{{name: "xl/workbook.xml", text: wbXML}, {name: "xl/_rels/workbook.xml.rels", text: relsXML},
			{name: "xl/sharedStrings.xml", gen: func(w *bufio.Writer) error {
				w.WriteString(`<sst count="1" uniqueCount="1"><si><t>`)
				if err := repeat(w, strings.Repeat("长", 1<<10), n/(3<<10)); err != nil {
					return err
				}
				_, err := w.WriteString(`</t></si></sst>`)
				return err
			}},
			{name: "xl/worksheets/sheet1.xml", text: sheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c></row>` + sheetTail}}
		if big {
			parts = append(parts, padTo(int(bombPad)))
		}
		return writeWorkbook(w, parts...)
	}},
	{name: "a million tiny cells in a row", ext: ".xlsx", what: "columns", write: func(w io.Writer, big bool) error {
		parts := []part{{name: "xl/workbook.xml", text: wbXML}, {name: "xl/_rels/workbook.xml.rels", text: relsXML},
			{name: "xl/worksheets/sheet1.xml", gen: func(w *bufio.Writer) error {
				w.WriteString(sheetHead + `<row r="1">`)
				if err := repeat(w, `<c><v>1</v></c>`, 1_000_000); err != nil {
					return err
				}
				_, err := w.WriteString(`</row>` + sheetTail)
				return err
			}}}
		if big {
			parts = append(parts, padTo(int(bombPad)))
		}
		return writeWorkbook(w, parts...)
	}},
	{name: "a million tiny cells sharing a long string", ext: ".xlsx", what: "text", write: func(w io.Writer, big bool) error {
		rows := pick(big, 1_000_000, 4_000)
		long := strings.Repeat("长", MaxCellBytes/3)
		return writeWorkbook(w, part{name: "xl/workbook.xml", text: wbXML}, part{name: "xl/_rels/workbook.xml.rels", text: relsXML},
			part{name: "xl/sharedStrings.xml", text: `<sst><si><t>` + long + `</t></si></sst>`},
			part{name: "xl/worksheets/sheet1.xml", gen: func(w *bufio.Writer) error {
				w.WriteString(sheetHead)
				if err := repeat(w, `<row><c t="s"><v>0</v></c></row>`, rows); err != nil {
					return err
				}
				_, err := w.WriteString(sheetTail)
				return err
			}})
	}},
	{name: "zip sizes that lie", ext: ".xlsx", write: func(w io.Writer, big bool) error {
		// The worksheet declares 100 bytes and inflates to hundreds of
		// megabytes of valid rows.
		n := pick(big, 300<<20, 8<<20)
		row := `<row><c t="inlineStr"><is><t>甲</t></is></c></row>`
		var body bytes.Buffer
		fw, _ := flate.NewWriter(&body, flate.BestSpeed)
		crc := crc32.NewIEEE()
		out := io.MultiWriter(fw, crc)
		io.WriteString(out, sheetHead)
		chunk := strings.Repeat(row, 1<<10)
		for written := 0; written < n; written += len(chunk) {
			io.WriteString(out, chunk)
		}
		io.WriteString(out, sheetTail)
		fw.Close()
		zw := zip.NewWriter(w)
		for _, p := range []part{{name: "xl/workbook.xml", text: wbXML}, {name: "xl/_rels/workbook.xml.rels", text: relsXML}} {
			pw, _ := zw.Create(p.name)
			io.WriteString(pw, p.text)
		}
		hw, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(body.Len()), UncompressedSize64: 100})
		if err != nil {
			return err
		}
		hw.Write(body.Bytes())
		return zw.Close()
	}},
	{name: "deeply nested XML", ext: ".xlsx", what: "depth", write: func(w io.Writer, big bool) error {
		n := pick(big, 5_000_000, 10_000)
		parts := []part{{name: "xl/workbook.xml", text: wbXML}, {name: "xl/_rels/workbook.xml.rels", text: relsXML},
			{name: "xl/worksheets/sheet1.xml", gen: func(w *bufio.Writer) error {
				w.WriteString(sheetHead + `<row><c><is>`)
				if err := repeat(w, `<r>`, n); err != nil {
					return err
				}
				return repeat(w, `</r>`, n)
			}}}
		if big {
			parts = append(parts, padTo(int(bombPad)))
		}
		return writeWorkbook(w, parts...)
	}},
	{name: "deeply nested workbook", ext: ".xlsx", what: "depth", write: func(w io.Writer, big bool) error {
		n := pick(big, 1_000_000, 10_000)
		return writeWorkbook(w, part{name: "xl/workbook.xml", gen: func(w *bufio.Writer) error {
			w.WriteString(`<workbook>`)
			if err := repeat(w, `<x>`, n); err != nil {
				return err
			}
			return repeat(w, `</x>`, n)
		}})
	}},
	{name: "many sheets", ext: ".xlsx", what: "sheets", write: func(w io.Writer, big bool) error {
		n := pick(big, 200_000, 1_000)
		return writeWorkbook(w, part{name: "xl/workbook.xml", gen: func(w *bufio.Writer) error {
			w.WriteString(`<workbook><sheets>`)
			if err := repeat(w, `<sheet name="表" r:id="rId1" xmlns:r="r"/>`, n); err != nil {
				return err
			}
			_, err := w.WriteString(`</sheets></workbook>`)
			return err
		}}, part{name: "xl/_rels/workbook.xml.rels", text: relsXML}, part{name: "xl/worksheets/sheet1.xml", text: sheetHead + sheetTail})
	}},
	{name: "a CSV with one 20 MB field", ext: ".csv", what: "row", write: func(w io.Writer, big bool) error {
		n := pick(big, 20<<20, 8<<20)
		bw := bufio.NewWriter(w)
		bw.WriteString("户号,姓名\n001,\"")
		repeat(bw, "x", n)
		bw.WriteString("\"\n")
		return bw.Flush()
	}},
}

// writeBombFile generates b into dir and returns its path.
func writeBombFile(tb testing.TB, dir string, b bomb, big bool) string {
	tb.Helper()
	p := filepath.Join(dir, strings.ReplaceAll(b.name, " ", "-")+b.ext)
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.write(f, big); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// readBomb opens and reads every row of the file at p, as an import does.
func readBomb(p string) (rows int, err error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r, err := Open(filepath.Base(p), f, DefaultLimit)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows++
	}
}

// TestBombsRefused reads each bomb and wants it refused by its cap.
func TestBombsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			_, err := readBomb(writeBombFile(t, dir, b, false))
			if err == nil {
				t.Fatal("read without refusal")
			}
			var le *LimitError
			switch {
			case b.what == "":
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("refused as %v", err)
				}
			case !errors.As(err, &le) || le.What != b.what || !errors.Is(err, ErrTooLarge):
				t.Fatalf("refused as %v, want the %s cap", err, b.what)
			}
		})
	}
}

// BenchmarkBombs reads each bomb at full size, padded to the upload limit
// where it inflates: every one must be refused within 5 s with the peak
// resident set under 512 MB. The 100,000-row ledger of BenchmarkReadXLSX100k
// is the honest file to compare with.
func BenchmarkBombs(b *testing.B) {
	dir := b.TempDir()
	for _, bm := range bombs {
		p := writeBombFile(b, dir, bm, true)
		info, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bm.name, func(b *testing.B) {
			base := procmem.ResetPeak()
			var worst time.Duration
			for b.Loop() {
				start := time.Now()
				if _, err := readBomb(p); err == nil {
					b.Fatal("bomb read without refusal")
				}
				worst = max(worst, time.Since(start))
			}
			b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
			b.ReportMetric(worst.Seconds(), "worst-s")
			if peak := procmem.PeakKB(); peak > 0 && base > 0 {
				b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
				if peak > 512<<10 {
					b.Errorf("peak resident set %d MB", peak>>10)
				}
			}
			if worst > 5*time.Second {
				b.Errorf("refused after %v", worst)
			}
		})
	}
}
