package sheet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shanzhi/internal/procmem"
)

// benchRows is the size of the ledger the benchmarks read: a large banner's
// whole register in one upload.
const benchRows = 100_000

// benchDir holds the generated benchmark workbooks for the whole test run;
// TestMain removes it.
var benchDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sheet-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	benchDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// residentTable is the export layout of the benchmark data: 序号 plus nine
// columns, ten in all.
func residentTable() Table {
	return Table{
		Title: "科尔沁右翼前旗户籍人口台账",
		Unit:  "某某苏木人民政府",
		Date:  time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC),
		Columns: []Column{
			{Header: "户号", Kind: Text},
			{Header: "姓名", Kind: Text},
			{Header: "性别", Kind: Text},
			{Header: "民族", Kind: Text},
			{Header: "身份证号", Width: 22, Kind: Text},
			{Header: "出生日期", Kind: Date},
			{Header: "与户主关系", Kind: Text},
			{Header: "联系电话", Width: 14, Kind: Text},
			{Header: "家庭住址", Width: 40, Kind: Text},
		},
	}
}

// residents yields n rows of plausible resident data, the same every run:
// Han and Mongolian names, valid 18-character ID numbers with check digits,
// birth dates, mobile numbers and village addresses.
func residents(n int, yield func(row []any) error) error {
	rng := rand.New(rand.NewPCG(2024, 3))
	surnames := []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "包", "白", "韩", "宝"}
	given := []string{"巴特尔", "其其格", "乌云", "苏和", "娜仁", "额尔敦", "斯琴", "明", "秀英", "建国", "海燕", "志强", "桂兰", "宝音", "图雅"}
	ethnic := []string{"汉族", "蒙古族", "满族", "回族", "达斡尔族"}
	relation := []string{"户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女"}
	villages := []string{"巴彦嘎查", "哈达营子村", "德伯斯嘎查", "乌兰毛都嘎查", "新立村", "满族屯村"}
	weights := []int{7, 9, 10, 5, 8, 4, 3, 6, 9, 4, 3, 2, 5, 8, 4, 7, 9}
	row := make([]any, 9)
	for i := 0; i < n; i++ {
		birth := time.Date(1930+rng.IntN(90), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		id := fmt.Sprintf("152221%s%03d", birth.Format("20060102"), rng.IntN(1000))
		sum := 0
		for j := 0; j < 17; j++ {
			sum += int(id[j]-'0') * weights[j]
		}
		id += string("10X98765432"[sum%11])
		sex := "男"
		if (id[16]-'0')%2 == 0 {
			sex = "女"
		}
		row[0] = fmt.Sprintf("1522210%05d", i/4)
		row[1] = surnames[rng.IntN(len(surnames))] + given[rng.IntN(len(given))]
		row[2] = sex
		row[3] = ethnic[rng.IntN(len(ethnic))]
		row[4] = id
		row[5] = birth
		row[6] = relation[i%4+rng.IntN(2)*4]
		row[7] = "1" + strconv.Itoa(3+rng.IntN(7)) + fmt.Sprintf("%09d", rng.IntN(1_000_000_000))
		row[8] = fmt.Sprintf("内蒙古自治区兴安盟科尔沁右翼前旗%s%d组%d号", villages[rng.IntN(len(villages))], 1+rng.IntN(9), 1+rng.IntN(200))
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

// exportFile is a 100,000-row ledger written by this package's Writer:
// inline strings, as excelize's StreamWriter writes them.
var exportFile = sync.OnceValues(func() (string, error) {
	path := filepath.Join(benchDir, "export-100k.xlsx")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	w, err := NewWriter(bw, residentTable())
	if err != nil {
		return "", err
	}
	if err := residents(benchRows, func(row []any) error { return w.Write(row...) }); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return path, bw.Flush()
})

// sharedFile is the same ledger the way Excel and WPS save it, every text
// in the shared-string table, made with excelize's ordinary API.
var sharedFile = sync.OnceValues(func() (string, error) {
	path := filepath.Join(benchDir, "shared-100k.xlsx")
	f := excelize.NewFile()
	defer f.Close()
	dateFmt := dateFormat
	dateStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return "", err
	}
	if err := f.SetColStyle("Sheet1", "G", dateStyle); err != nil {
		return "", err
	}
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"科尔沁右翼前旗户籍人口台账"}); err != nil {
		return "", err
	}
	header := []any{"序号"}
	for _, c := range residentTable().Columns {
		header = append(header, c.Header)
	}
	if err := f.SetSheetRow("Sheet1", "A2", &[]any{"填报单位：某某苏木人民政府"}); err != nil {
		return "", err
	}
	if err := f.SetSheetRow("Sheet1", "A3", &header); err != nil {
		return "", err
	}
	n := 0
	err = residents(benchRows, func(row []any) error {
		n++
		birth := row[5].(time.Time)
		serial, _ := dateSerial(birth)
		values := append([]any{n}, row...)
		values[6] = serial
		cell, _ := excelize.CoordinatesToCellName(1, n+3)
		if err := f.SetSheetRow("Sheet1", cell, &values); err != nil {
			return err
		}
		return f.SetCellStyle("Sheet1", "G"+strconv.Itoa(n+3), "G"+strconv.Itoa(n+3), dateStyle)
	})
	if err != nil {
		return "", err
	}
	return path, f.SaveAs(path)
})

// BenchmarkReadXLSX100k reads every row of a 100,000-row, 10-column
// ledger through Open, reporting time, allocations and the peak resident
// set size of the process while reading (VmHWM, reset before the timer).
func BenchmarkReadXLSX100k(b *testing.B) {
	for _, c := range []struct {
		name string
		file func() (string, error)
	}{{"export", exportFile}, {"sharedStrings", sharedFile}} {
		b.Run(c.name, func(b *testing.B) {
			path, err := c.file()
			if err != nil {
				b.Fatal(err)
			}
			benchRead(b, path, func(f *os.File) (int, error) {
				r, err := Open(path, f, 64<<20)
				if err != nil {
					return 0, err
				}
				defer r.Close()
				n := 0
				for {
					row, err := r.Next()
					if errors.Is(err, io.EOF) {
						return n, nil
					}
					if err != nil {
						return n, err
					}
					if row.Line > 3 && len(row.Cells[5]) != 18 {
						return n, fmt.Errorf("line %d: ID %q", row.Line, row.Cells[5])
					}
					n++
				}
			})
		})
	}
}

// BenchmarkReadXLSX100kExcelize reads the same files with excelize's
// streaming Rows iterator and raw values, for comparison: this is the
// approach the package does not use.
func BenchmarkReadXLSX100kExcelize(b *testing.B) {
	for _, c := range []struct {
		name string
		file func() (string, error)
	}{{"export", exportFile}, {"sharedStrings", sharedFile}} {
		b.Run(c.name, func(b *testing.B) {
			path, err := c.file()
			if err != nil {
				b.Fatal(err)
			}
			benchRead(b, path, func(f *os.File) (int, error) {
				x, err := excelize.OpenReader(f, excelize.Options{RawCellValue: true})
				if err != nil {
					return 0, err
				}
				defer x.Close()
				rows, err := x.Rows(x.GetSheetName(0))
				if err != nil {
					return 0, err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					cells, err := rows.Columns(excelize.Options{RawCellValue: true})
					if err != nil {
						return n, err
					}
					if len(cells) > 0 {
						n++
					}
				}
				return n, rows.Error()
			})
		})
	}
}

// benchRead times read over the file at path and reports the process's
// peak RSS during the timed part.
func benchRead(b *testing.B, path string, read func(*os.File) (int, error)) {
	b.Helper()
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	base := procmem.ResetPeak()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n, err := read(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if n != benchRows+headerRows {
			b.Fatalf("read %d rows, want %d", n, benchRows+headerRows)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(info.Size())/(1<<20), "file-MB")
	if peak := procmem.PeakKB(); peak > 0 && base > 0 {
		b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
		b.ReportMetric(float64(base)/1024, "startRSS-MB")
	}
}

// BenchmarkWriteXLSX100k writes the 100,000-row ledger through Writer.
func BenchmarkWriteXLSX100k(b *testing.B) {
	base := procmem.ResetPeak()
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		cw := &countingWriter{}
		w, err := NewWriter(cw, residentTable())
		if err != nil {
			b.Fatal(err)
		}
		if err := residents(benchRows, func(row []any) error { return w.Write(row...) }); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	if peak := procmem.PeakKB(); peak > 0 && base > 0 {
		b.ReportMetric(float64(peak)/1024, "peakRSS-MB")
		b.ReportMetric(float64(base)/1024, "startRSS-MB")
	}
}

// countingWriter discards what it is given and counts it.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
